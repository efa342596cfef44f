"""Whole pages kept in memory by each worker, with HTTP validators.

A cable page costs a few milliseconds of CPU (glossary scan, paragraph placement,
template); the same page asked again within ``ttl`` seconds costs a dictionary
lookup, answered on the event loop without the thread pool.  The store may be
re-imported while the site runs (new cables, new citations of old ones), so an
entry is served for ``ttl`` seconds only, as the home page's counts are.

Every page answered through here carries a strong ``ETag`` (sha256 of its bytes:
the same in every worker) and ``Cache-Control``; a request whose ``If-None-Match``
names it gets ``304 Not Modified`` without the body.

The cache belongs to the application (``app.state``), so two sites served by one
process (tests do that) never see each other's pages.  It is bounded by the total
size of the pages it holds; the least recently used go first.

Requests for a page that is being made wait for it instead of making it again: when
fifty readers open the same new search at once, the store answers it once per worker
(without this, each of them took a thread and the whole CPU for the same work).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Awaitable, Callable, Hashable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["CachedPage", "PageCache", "cached_view", "page_cache_of", "DEFAULT_TTL", "DEFAULT_MAX_BYTES"]

DEFAULT_TTL = 60.0
DEFAULT_MAX_BYTES = 48 * 2**20  # per worker: ~1,500 cable pages of ~30 KB
# Browsers and proxies may keep a page five minutes, then ask again with its ETag.
CACHE_CONTROL = "public, max-age=300"


# Headers of a view's answer that a cached copy keeps (CORS on the API's answers);
# the cache writes its own validators, type and length.
_KEPT_HEADERS = ("access-control-allow-origin", "content-disposition", "link", "vary")


@dataclass(frozen=True, slots=True)
class CachedPage:
    body: bytes
    etag: str
    media_type: str
    born: float
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, body: bytes, media_type: str, now: float, headers: tuple[tuple[str, str], ...] = ()) -> "CachedPage":
        return cls(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', media_type, now, headers)


class PageCache:
    """Pages by key: at most ``max_bytes`` of them in all, each for ``ttl`` seconds."""

    def __init__(
        self, max_bytes: int = DEFAULT_MAX_BYTES, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.clock = clock
        self.size = 0
        self.hits = self.misses = 0
        self._pages: OrderedDict[Hashable, CachedPage] = OrderedDict()
        self._lock = threading.Lock()  # the event loop reads; put() may come from a thread

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None and self.clock() - page.born < self.ttl:
                self._pages.move_to_end(key)
                self.hits += 1
                return page
            if page is not None:  # expired
                self._drop(key)
            self.misses += 1
            return None

    def put(self, key: Hashable, body: bytes, media_type: str, headers: tuple[tuple[str, str], ...] = ()) -> CachedPage:
        page = CachedPage.of(body, media_type, self.clock(), headers)
        if len(body) > self.max_bytes // 8:
            return page  # one huge cable must not empty the cache
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = page
            self.size += len(body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._pages)))
        return page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.size = 0

    def _drop(self, key: Hashable) -> None:
        self.size -= len(self._pages.pop(key).body)


def page_cache_of(request: Request) -> PageCache:
    """The application's page cache (made on first use, on the event loop)."""
    state = request.app.state
    cache = getattr(state, "page_cache", None)
    if cache is None:
        cache = PageCache()
        state.page_cache = cache
    return cache


def _in_flight(request: Request) -> dict[Hashable, "asyncio.Future[CachedPage | None]"]:
    """Pages being made now, by key (the event loop's: only the loop touches it)."""
    state = request.app.state
    flights = getattr(state, "page_flights", None)
    if flights is None:
        flights = {}
        state.page_flights = flights
    return flights


def _answer(request: Request, page: CachedPage) -> Response:
    headers = {**dict(page.headers), "ETag": page.etag, "Cache-Control": CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match"), page.etag):
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type=page.media_type, headers=headers)


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags or "*" in tags


def cached_view(
    view: Callable[[Request], Response], key: Callable[[Request], Hashable | None]
) -> Callable[[Request], Awaitable[Response]]:
    """An async handler: ``view``'s page from the cache when ``key(request)`` names a
    fresh one, else ``view`` run in the thread pool (its store calls block).  Only a
    200 is kept, and of it only the body and its content type; other answers
    (redirects, errors) pass through unchanged.  A key of None is never cached, but
    the page still gets its validators."""

    def keep(response: Response) -> tuple[bytes, str, tuple[tuple[str, str], ...]] | None:
        if response.status_code != 200 or not isinstance(getattr(response, "body", None), bytes):
            return None
        media_type = response.headers.get("content-type", "text/html; charset=utf-8")
        kept = tuple((name, value) for name, value in response.headers.items() if name in _KEPT_HEADERS)
        return bytes(response.body), media_type, kept

    async def handler(request: Request) -> Response:
        cache = page_cache_of(request)
        k = key(request)
        if k is None:
            response = await run_in_threadpool(view, request)
            parts = keep(response)
            return response if parts is None else _answer(request, CachedPage.of(parts[0], parts[1], 0.0, parts[2]))
        page = cache.get(k)
        if page is not None:
            return _answer(request, page)
        flights = _in_flight(request)
        flight = flights.get(k)
        if flight is not None:  # being made: wait for it (shielded: a waiter that goes away cancels nothing)
            page = await asyncio.shield(flight)
            if page is not None:
                return _answer(request, page)
            # that answer was not kept (an error, a redirect): make this one
            return await run_in_threadpool(view, request)
        flight = asyncio.get_running_loop().create_future()
        flights[k] = flight
        try:
            response = await run_in_threadpool(view, request)
            parts = keep(response)
            if parts is not None:
                page = cache.put(k, *parts)
        finally:
            flights.pop(k, None)
            if not flight.done():
                flight.set_result(page)
        return response if page is None else _answer(request, page)

    handler.__name__ = getattr(view, "__name__", "cached_view")
    handler.__doc__ = view.__doc__
    return handler

