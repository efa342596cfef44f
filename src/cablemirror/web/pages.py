"""HTML pages a reader sees: home, browse, search, cable, guide, privacy, errors.

The handlers live in ``views/`` (one module per kind of page); this module lists
their stable URLs and what the app needs to serve them: every page through the
per-worker page cache (``views.pagecache``: a minute, ETag, 304), exception handlers
that answer in the site's layout, the static files with cache headers, and the
optional access log without addresses (``SiteConfig.access_log``).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Hashable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route, request_response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .report_pages import routes as report_routes
from .views import browse, cable, guide, home, search
from .views.common import STATIC_DIR, site_base
from .views.errors import exception_handlers
from .views.pagecache import cached_view

__all__ = ["routes", "exception_handlers", "setup", "CachedStatic", "AccessLog"]

_GET = ["GET", "HEAD"]

routes: list[Route] = [
    Route("/", home.home, methods=_GET, name="home"),
    Route("/browse", browse.browse_index, methods=_GET, name="browse"),
    Route("/browse/date", browse.browse_date, methods=_GET, name="browse_date"),
    Route("/browse/date/{year}", browse.browse_year, methods=_GET, name="browse_year"),
    Route("/browse/date/{year}/{month}", browse.browse_month, methods=_GET, name="browse_month"),
    Route("/browse/date/{year}/{month}/{day}", browse.browse_day, methods=_GET, name="browse_day"),
    Route("/browse/origin", browse.browse_origins, methods=_GET, name="browse_origins"),
    Route("/browse/origin/{origin:path}", browse.browse_origin, methods=_GET, name="browse_origin"),
    Route("/browse/tag", browse.browse_tags, methods=_GET, name="browse_tags"),
    Route("/browse/tag/{tag:path}", browse.browse_tag, methods=_GET, name="browse_tag"),
    Route("/browse/classification", browse.browse_classifications, methods=_GET, name="browse_classifications"),
    Route("/browse/classification/{slug}", browse.browse_classification, methods=_GET, name="browse_classification"),
    Route("/search", search.search, methods=_GET, name="search"),
    Route("/search/help", search.search_help, methods=_GET, name="search_help"),
    Route("/cable/{id}/diff", cable.cable_diff, methods=_GET, name="cable_diff"),
    Route("/cable/{id}", cable.cable_page, methods=_GET, name="cable"),
    Route("/how-to-read-a-cable", guide.guide, methods=_GET, name="guide"),
    Route("/privacy", home.privacy, methods=_GET, name="privacy"),
    *report_routes,  # the war diary: /reports, /report/{key}, /map, /timeline
]


# Diffs between two versions of a cable: rare, one per pair of versions, not worth the memory.
UNCACHED = {"cable_diff"}


def page_key(request: Request) -> Hashable:
    """A page is kept by the site's address (canonical links hold it), path and query."""
    return "page", site_base(request), request.url.path, request.url.query


def _serve_cached(routes: list[Route]) -> None:
    """Every page is answered through ``views.pagecache``: kept whole a minute, with an
    ETag, 304 and Cache-Control.  The cable and search pages have keys of their own
    (see their modules).  ``route.endpoint`` stays the plain view, which the static
    export calls directly."""
    own = {"cable": cable.cable_page_cached, "search": search.search_cached}
    for route in routes:
        if route.name in UNCACHED:
            continue
        route.app = request_response(own.get(route.name) or cached_view(route.endpoint, page_key))


_serve_cached(routes)


class CachedStatic(StaticFiles):
    """Static files with cache headers.  Pages link them as ``?v=<content hash>``
    (``common.static_url``), so a versioned URL never changes meaning and may be kept
    for a year; an unversioned one for an hour."""

    async def get_response(self, path: str, scope: Scope) -> Any:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if versioned else "public, max-age=3600"
            )
        return response


def static_app() -> ASGIApp:
    return CachedStatic(directory=STATIC_DIR)


class AccessLog:
    """An access log WITHOUT addresses, for operators who turn it on
    (``CABLEMIRROR_ACCESS_LOG=1``): method, path, status and duration only; no client
    address, no user agent, no referrer, no query string (queries say what people
    search for)."""

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.log = logger or _access_logger()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            ms = (time.perf_counter() - start) * 1000
            self.log.info("%s %s %d %.1fms", scope.get("method", "-"), scope.get("path", "-"), status, ms)


def _access_logger() -> logging.Logger:
    """``cablemirror.access`` at level INFO, written to stderr by its own handler
    (uvicorn runs at level "warning" and would drop it otherwise)."""
    log = logging.getLogger("cablemirror.access")
    log.setLevel(logging.INFO)
    log.propagate = False
    if not any(h.get_name() == "cablemirror-access" for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name("cablemirror-access")
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(handler)
    return log


def setup(app: Starlette) -> None:
    """Attach what the pages need: the access log, when the operator asked for one."""
    config = getattr(app.state, "config", None)
    if getattr(config, "access_log", False):
        app.add_middleware(AccessLog)
