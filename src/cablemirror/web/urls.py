"""The site's stable URLs, built in one place.

Paths (``cable_path``, ``search_path`` ...) are relative to the site root and need no
request.  Feeds, sitemaps, API links and link previews need absolute URLs: ``site_base``
takes them from ``SiteConfig.base_url`` when the operator set it (the right choice
behind a proxy, and the only one a cache may trust), else from the request itself.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.requests import Request

__all__ = [
    "CABLE_FORMATS",
    "SEARCH_FORMATS",
    "absolute",
    "api_cable_path",
    "api_path",
    "api_search_path",
    "cable_path",
    "feed_path",
    "search_path",
    "site_base",
]

CABLE_FORMATS = ("", "json", "raw", "pdf")  # "" is the HTML page
SEARCH_FORMATS = ("", "pdf", "csv", "jsonl")
API_ROOT = "/api/v1"


def _seg(value: str) -> str:
    """One path segment: every reserved character escaped, so an id can never add a
    segment or a query."""
    return quote(str(value), safe="")


def _query(params: dict[str, object]) -> str:
    kept = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    return "?" + urlencode(kept) if kept else ""


def cable_path(cable_id: str, fmt: str = "", *, version: int | None = None) -> str:
    """``/cable/ID`` (the page), ``/cable/ID.json``, ``.raw`` (``version``: a version
    number as listed by the API, 1 = oldest import) or ``.pdf``."""
    if fmt not in CABLE_FORMATS:
        raise ValueError(f"unknown cable format {fmt!r}; expected one of {CABLE_FORMATS}")
    path = f"/cable/{_seg(cable_id)}" + (f".{fmt}" if fmt else "")
    return path + _query({"version": version})


def search_path(q: str | None = None, fmt: str = "", *, sort: str | None = None, page: int | None = None) -> str:
    """``/search?q=`` (the page) or one of its exports ``/search.pdf|.csv|.jsonl``."""
    if fmt not in SEARCH_FORMATS:
        raise ValueError(f"unknown search format {fmt!r}; expected one of {SEARCH_FORMATS}")
    path = "/search" + (f".{fmt}" if fmt else "")
    return path + _query({"q": q, "sort": sort, "page": page if page and page > 1 else None})


def feed_path(q: str | None = None) -> str:
    """The Atom feed that follows a query (``<link rel="alternate">`` of a search page)."""
    return "/feed.atom" + _query({"q": q})


def api_path(*segments: str, **params: object) -> str:
    """``/api/v1/<segments>?<params>``; segments are escaped one by one."""
    path = API_ROOT + "".join("/" + _seg(s) for s in segments)
    return path + _query(params)


def api_cable_path(cable_id: str, *rest: str) -> str:
    return api_path("cables", cable_id, *rest)


def api_search_path(q: str | None = None, **params: object) -> str:
    return api_path("search", q=q, **params)


def site_base(request: Request) -> str:
    """The site's public root without a trailing slash: the configured ``base_url``,
    else the scheme, host and root path the request came with."""
    config = getattr(request.app.state, "config", None)
    base = getattr(config, "base_url", "") or ""
    if base:
        return base.rstrip("/")
    return str(request.base_url).rstrip("/")


def absolute(request: Request, path: str) -> str:
    """An absolute URL for a site path such as ``cable_path(id)``."""
    return site_base(request) + (path if path.startswith("/") else "/" + path)
