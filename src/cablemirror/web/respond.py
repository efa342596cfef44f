"""What every data route shares: JSON out, JSON errors, parameter checks, cable lookup.

Data routes answer in JSON even when things go wrong (``{"error": ..., "detail": ...}``
with a real status code), so an API client never has to parse an HTML error page.
Handlers are plain functions (Starlette runs them in its thread pool, where the
blocking store calls belong) wrapped by ``endpoint``, which turns the errors a request
can cause into 400/404/422 answers and anything else into a logged 500 that says no
more than it should.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Iterator

try:  # optional accelerator, as in store.jsonio
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from .. import __version__
from ..cables.ids import canonical_id, release_id
from ..search import CABLE_FIELDS, Query, QuerySyntaxError, parse_query
from ..store import Store, StoreError

log = logging.getLogger("cablemirror.web")

CORS = {"Access-Control-Allow-Origin": "*"}  # read-only public data: any site may fetch it
CORS_PREFLIGHT = {
    **CORS,
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Language, Content-Type, If-None-Match",
    "Access-Control-Max-Age": "86400",
}
RECORD_CACHE = "public, max-age=300"  # records change only when the operator imports
MAX_ID_LENGTH = 64  # the longest real ids are about 30 characters
MAX_QUERY_LENGTH = 2000  # the query language's own limit (docs/search.md)
SORTS = ("relevance", "date", "-date", "released", "-released", "id")
EXPORT_SORTS = ("id", "date", "-date", "released", "-released")


class ApiError(Exception):
    """An answer other than success, raised anywhere below a handler."""

    def __init__(self, status: int, error: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.extra = extra

    def response(self) -> Response:
        return json_response({"error": self.error, "detail": self.detail, **self.extra}, self.status)


def bad_parameter(name: str, detail: str) -> ApiError:
    return ApiError(422, "invalid_parameter", f"{name}: {detail}", parameter=name)


# ---------------------------------------------------------------------------
# JSON


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_strings(obj: Any) -> Any:
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj)
    if isinstance(obj, dict):
        return {str(k): _clean_strings(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_strings(v) for v in obj]
    return obj


def _std(obj: Any, pretty: bool) -> bytes:
    return json.dumps(
        obj, ensure_ascii=False, indent=2 if pretty else None, separators=None if pretty else (",", ":"), default=str
    ).encode("utf-8")


def dumps(obj: Any, *, pretty: bool = False) -> bytes:
    """Compact UTF-8 JSON.  Text that is not valid Unicode (a lone surrogate: the store
    repairs these, but a record may predate that) is written with U+FFFD rather than
    failing the whole answer."""
    if _orjson is not None:
        option = _orjson.OPT_INDENT_2 if pretty else 0
        try:
            return _orjson.dumps(obj, option=option)
        except TypeError:  # lone surrogates, or a type orjson does not take
            pass
    else:
        try:
            return _std(obj, pretty)
        except UnicodeEncodeError:
            pass
    return _std(_clean_strings(obj), pretty)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None, *, pretty: bool = False
) -> Response:
    return Response(
        dumps(data, pretty=pretty),
        status_code=status,
        headers={**CORS, **(headers or {})},
        media_type="application/json",
    )


def wants_pretty(request: Request) -> bool:
    return request.query_params.get("pretty", "") in ("1", "true", "yes")


# ---------------------------------------------------------------------------
# Handlers


def endpoint(func: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Wrap a synchronous handler: known errors become JSON answers, unknown ones a
    logged 500 without internals (paths, SQL), and CORS preflight is answered."""

    @functools.wraps(func)
    def wrapper(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=CORS_PREFLIGHT)
        try:
            return func(request)
        except ApiError as exc:
            return exc.response()
        except QuerySyntaxError as exc:
            return query_error(exc)
        except StoreError:
            log.exception("store error on %s", request.url.path)
            return ApiError(503, "store_unavailable", "the database could not answer; try again later").response()
        except Exception:
            log.exception("unexpected error on %s", request.url.path)
            return ApiError(500, "internal_error", "something went wrong on the server").response()

    return wrapper


def query_error(exc: QuerySyntaxError) -> Response:
    """HTTP 400 with the parser's message, column and hint (``QuerySyntaxError.to_dict``)."""
    body = exc.to_dict()
    body["detail"] = str(exc)
    return json_response(body, 400)


def store_of(request: Request) -> Store:
    return request.app.state.store


def site_name(request: Request) -> str:
    config = getattr(request.app.state, "config", None)
    return getattr(config, "name", None) or "cablemirror"


# ---------------------------------------------------------------------------
# Parameters

_INT = re.compile(r"^[+-]?\d{1,9}$")


def int_param(request: Request, name: str, default: int | None, *, lo: int, hi: int) -> int | None:
    """A whole number between ``lo`` and ``hi``; absent or empty gives ``default``."""
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    if not _INT.match(raw.strip()):
        raise bad_parameter(name, f"expected a whole number, got {raw[:40]!r}")
    value = int(raw)
    if not lo <= value <= hi:
        raise bad_parameter(name, f"must be between {lo} and {hi}, got {value}")
    return value


def choice_param(request: Request, name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise bad_parameter(name, f"expected one of {', '.join(choices)}, got {raw[:40]!r}")
    return raw


def query_param(request: Request) -> tuple[str, Query]:
    """``q`` as given and parsed (QuerySyntaxError -> 400 by ``endpoint``)."""
    text = request.query_params.get("q", "")
    if len(text) > MAX_QUERY_LENGTH:  # refuse before the parser spends time on it
        raise ApiError(
            400, "query_too_long", f"a query has at most {MAX_QUERY_LENGTH} characters (this one has {len(text)})"
        )
    return text, parse_query(text, CABLE_FIELDS)


# ---------------------------------------------------------------------------
# Cables by id


@dataclass(slots=True)
class Found:
    id: str  # as stored
    redirect: bool  # the URL spelled it otherwise: answer 301 to the canonical URL


def _candidates(raw: str) -> list[str]:
    """The spellings a requested id may be stored under, most likely first."""
    if not raw or len(raw) > MAX_ID_LENGTH or not raw.isprintable():
        return []
    out = [raw]
    for form in (raw.strip().upper(), release_id(raw), canonical_id(raw)):
        if form and form not in out:
            out.append(form)
    return out


def resolve_cable(store: Store, raw: str) -> Found:
    """The stored id ``raw`` stands for, or ApiError 404 (saying who cites it when the
    cable is known but not in the mirror)."""
    cands = _candidates(raw)
    if cands:
        found = store.summaries(cands)  # keyed by the spelling asked for; "id" is the stored one
        for cand in cands:
            if cand in found:
                stored = str(found[cand].get("id") or cand)
                return Found(stored, stored != raw)
    raise not_found(store, raw, cands)


def load_cable(store: Store, raw: str) -> tuple[Found, dict[str, Any]]:
    """The current record of the cable ``raw`` names (one store call when the URL
    already uses the stored spelling, the common case)."""
    if raw and len(raw) <= MAX_ID_LENGTH:
        record = store.get_cable(raw)
        if record is not None:
            return Found(raw, False), record
    found = resolve_cable(store, raw)
    record = store.get_cable(found.id)
    if record is None:  # deleted between the two reads
        raise not_found(store, raw, [found.id])
    return found, record


def not_found(store: Store, raw: str, cands: list[str]) -> ApiError:
    shown = raw if len(raw) <= MAX_ID_LENGTH else raw[:MAX_ID_LENGTH] + "…"
    if not cands:
        return ApiError(404, "not_found", f"{shown!r} is not a cable id", id=shown)
    for cand in dict.fromkeys([cands[-1], *cands]):  # the canonical form first
        citing = store.cited_by(cand)
        if citing:
            return ApiError(
                404,
                "not_in_mirror",
                f"{cand} is not in this mirror, but {len(citing)} stored cable"
                f"{'s cite' if len(citing) != 1 else ' cites'} it (it is not in the release, "
                "or not imported here)",
                id=cand,
                cited_by=citing,
            )
    return ApiError(404, "not_found", f"no cable {cands[-1]} in this mirror", id=cands[-1])


def redirect(request: Request, path: str) -> Response:
    """301 to ``path`` keeping the query string (a wrong spelling of an id)."""
    query = request.url.query
    return Response(
        status_code=301, headers={**CORS, "Location": path + ("?" + query if query else "")}
    )


def filename(stem: str, ext: str) -> str:
    """A file name safe inside ``Content-Disposition: ...; filename="..."``."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem)[:100].strip("._") or "download"
    return f"{safe}.{ext}"


# ---------------------------------------------------------------------------
# Caching


def etag(*parts: object) -> str:
    """A strong validator from what a representation depends on (the version's
    sha256, the software version, ...)."""
    h = hashlib.sha256("\x1f".join(str(p) for p in (__version__, *parts)).encode("utf-8", "replace"))
    return '"' + h.hexdigest()[:32] + '"'


def not_modified(request: Request, tag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return tag in tags or "*" in tags


def cached_304(tag: str, extra: dict[str, str] | None = None) -> Response:
    return Response(status_code=304, headers={**CORS, "ETag": tag, "Cache-Control": RECORD_CACHE, **(extra or {})})


# ---------------------------------------------------------------------------
# Streaming


async def stream(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Send a blocking iterator's chunks, each produced in the thread pool so the event
    loop never waits on the database; the iterator is closed (its read ended) when the
    client goes away or the export ends."""
    try:
        while True:
            chunk = await run_in_threadpool(next, chunks, None)
            if chunk is None:
                break
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


class StreamedExport(StreamingResponse):
    """A streamed download that calls ``on_close`` exactly once when it is over, however
    it ends (done, client gone, error, never started)."""

    def __init__(self, chunks: Iterator[bytes], *, on_close: Callable[[], None], **kwargs: Any) -> None:
        self._chunks = chunks
        self._on_close = on_close
        super().__init__(stream(chunks), **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            try:
                await self.body_iterator.aclose()  # type: ignore[attr-defined]
                close = getattr(self._chunks, "close", None)
                if close is not None:  # also when the stream never started
                    close()
            finally:
                self._on_close()
