"""The site's pages rendered for a static export: the live site's own views and
templates, called with a request made up for the page's URL.

Nothing here formats a page.  ``PageRenderer.render(url)`` finds the live route of
``url`` (``web.pages.routes``), calls its view as the server would, and rewrites the
links of the HTML for the page's file (``static_links``).  Only the static search
page is new: a small template that extends the site's ``base.html`` and hands the
search to ``search-static.js``.

Browse lists are the one thing answered differently: a list page asks the store for
50 cables at an offset, which costs a sort of the whole list, page after page.
``ListedStore`` answers those queries from lists gathered in the export's single
pass over the collection in date order: the store's own order, since "oldest
first" lists are that order and "newest first" ones its exact reverse (ties
included: the store breaks them by storing order both ways).  ``check_lists``
compares a few pages with the store and turns it off if they ever differ.
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, unquote
from typing import Any, Callable, Iterable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from ..search import CABLE_FIELDS, Query
from ..store.base import SearchHit, SearchPage, Store
from ..web import pages as web_pages
from ..web.site import SiteConfig
from ..web.views import cable as cable_views
from ..web.views import common
from ..web.views.errors import TITLES, error_page
from .static_links import SENTINEL, SiteMap, rewrite_html

__all__ = ["ListedStore", "PageRenderer", "SEARCH_TEMPLATE", "code_fingerprint", "make_request"]

log = logging.getLogger("cablemirror.export")

SEARCH_TEMPLATE = """{% extends "base.html" %}
{% block head %}<script src="{{ static_url('search-static.js') }}" defer></script>{% endblock %}
{% block quicksearch %}{% endblock %}
{% block main %}
<h1>Search</h1>
<form class="search big" role="search" action="/search" method="get">
  <label for="q">Search the cables</label>
  <div class="search-row">
    <input id="q" name="q" type="search" maxlength="2000" aria-describedby="q-help">
    <label for="sort" class="visually-hidden">Sort</label>
    <select id="sort" name="sort"><option value="-date">newest first</option><option value="date">oldest first</option></select>
    <button type="submit">Search</button>
  </div>
  <p id="q-help" class="hint">Words, "phrases", OR, -exclusions, prefix* and fields: <code>origin:</code> <code>tag:</code> <code>class:</code> <code>caption:</code> <code>subject:</code> <code>from:</code> <code>to:</code> <code>date:</code> <code>id:</code> <code>ref:</code>. The search runs in your browser, over an index that came with these pages: nothing is sent anywhere. <a href="/search/help">How to search</a></p>
</form>
<div id="static-search" data-index="search-index/" data-cables="cable/">
<noscript><p>This copy of the site is a set of static files: its search runs in the browser and needs JavaScript. Browse the cables <a href="/browse/date">by date</a>, <a href="/browse/origin">by origin</a>, <a href="/browse/tag">by tag</a> or <a href="/browse/classification">by classification</a> instead.</p></noscript>
</div>
{% endblock %}
"""


def make_request(app: Any, path: str, query: str = "", path_params: dict[str, Any] | None = None) -> Request:
    """A GET request for ``path`` (as written in a link: percent-encoded) as the live
    site would receive it (behind ``SENTINEL``)."""
    scope = {
        "type": "http",
        "method": "GET",
        "http_version": "1.1",
        "path": unquote(path),
        "raw_path": path.encode("utf-8", "surrogatepass"),
        "root_path": "",
        "query_string": query.encode("utf-8"),
        "headers": [(b"host", SENTINEL.split("://", 1)[1].encode())],
        "scheme": "https",
        "server": (SENTINEL.split("://", 1)[1], 443),
        "client": None,
        "app": app,
        "path_params": dict(path_params or {}),
    }
    return Request(scope)


def code_fingerprint() -> str:
    """A hash of everything that shapes a page besides the data: the web package
    (views, templates, static files), the glossary, and this export's modules.
    When it changes, every page is rendered again."""
    here = Path(__file__).resolve().parent
    package = here.parent
    roots = [package / "web", package / "cables" / "data" / "glossary", package / "cables" / "glossary.py",
             package / "search"]
    h = hashlib.sha256()
    files: list[Path] = []
    for r in roots:
        files.extend([r] if r.is_file() else sorted(p for p in r.rglob("*") if p.is_file() and "__pycache__" not in p.parts))
    files.extend(sorted(here.glob("static_*.py")))
    for p in files:
        h.update(str(p.relative_to(package)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


class ListedStore:
    """The store, with the browse lists' page queries answered from precomputed lists.

    ``lists`` maps the canonical text of a list's query (``str(Query)``) to the
    positions, in the date-ordered stream, of the cables it holds; ``ids`` maps a
    position to its cable id.  Every other call goes to the store.
    """

    def __init__(self, store: Store, lists: dict[str, array], ids: list[str]) -> None:
        self._store = store
        self._lists = lists
        self._ids = ids
        self.enabled = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def listed(self, q: Any, sort: str) -> list[str] | None:
        if not self.enabled or sort not in ("date", "-date") or not isinstance(q, Query):
            return None
        found = self._lists.get(str(q))
        if found is None:
            return None
        ids = [self._ids[i] for i in found]
        return ids if sort == "date" else ids[::-1]

    def query(self, q: Any = None, *, sort: str = "relevance", limit: int = 20, offset: int = 0,
              facets: tuple[str, ...] = ("origin", "year", "classification", "tag"), facet_limit: int | None = 15,
              marks: tuple[str, str] = ("«", "»")) -> SearchPage:
        if not facets and limit >= 0 and offset >= 0:
            found = self._lists.get(str(q)) if self.enabled and isinstance(q, Query) and sort in ("date", "-date") else None
            if found is not None:
                n = len(found)
                if sort == "date":
                    picked = found[offset : offset + limit]
                else:
                    hi = n - offset
                    picked = found[max(0, hi - limit) : max(0, hi)][::-1]
                hits = [SearchHit(self._ids[i], "", None, None, None, "") for i in picked]
                return SearchPage(total=n, hits=hits, facets={})
        return self._store.query(q, sort=sort, limit=limit, offset=offset, facets=facets, facet_limit=facet_limit,
                                 marks=marks)

    def check_lists(self, keys: Iterable[str], sample: int = 3) -> bool:
        """Compare the first and last page of a few lists with the store; off if any differs."""
        for key in list(keys)[:sample]:
            q = Query(None, CABLE_FIELDS, ()) if not key else _parse(key)
            for sort in ("date", "-date"):
                mine = self.query(q, sort=sort, limit=50, offset=0, facets=())
                theirs = self._store.query(q, sort=sort, limit=50, offset=0, facets=())
                if mine.total != theirs.total or [h.id for h in mine.hits] != [h.id for h in theirs.hits]:
                    log.warning("browse list %r differs from the store's order: lists are read from the store", key)
                    self.enabled = False
                    return False
        return True


def _parse(text: str) -> Query:
    from ..search import parse_query

    return parse_query(text, CABLE_FIELDS)


class PageRenderer:
    """Renders pages of the site for the files of an export."""

    def __init__(self, store: Any, site: SiteMap, *, site_name: str) -> None:
        self.site = site
        self.config = SiteConfig(name=site_name, base_url=SENTINEL)
        self.app = SimpleNamespace(state=SimpleNamespace(store=store, config=self.config))
        self.linked: set[str] = set()  # cable ids linked from the pages rendered so far

    # -- generic pages --------------------------------------------------------------
    def _route(self, path: str, query: str) -> tuple[Callable[[Request], Response], Request]:
        request = make_request(self.app, path, query)
        for route in web_pages.routes:
            match, child = route.matches(request.scope)
            if match == Match.FULL:
                request.scope.update(child)
                return route.endpoint, make_request(self.app, path, query, child.get("path_params"))
        raise LookupError(f"no page of the site answers {path}")

    def html(self, url: str) -> str:
        """The live site's HTML for ``url`` (a path with its query), unchanged."""
        path, _, query = url.partition("?")
        endpoint, request = self._route(path, query)
        try:
            response = endpoint(request)
        except common.PageError as exc:
            response = error_page(request, exc.status, exc.title, exc.message, **exc.extra)
        if response.status_code in (301, 302, 307, 308):
            return _redirect_page(response.headers.get("location", "/"))
        if response.status_code != 200 and not path.startswith("/cable/"):
            raise RuntimeError(f"the page {url} answers {response.status_code}")
        return bytes(response.body).decode("utf-8")

    def page(self, url: str, file: str) -> bytes:
        """The page at ``url`` made for its file ``file`` in the export."""
        return self.finish(self.html(url), file)

    def finish(self, text: str, file: str) -> bytes:
        return rewrite_html(text, file, self.site, on_cable=self.linked.add).encode("utf-8")

    # -- pages of their own ---------------------------------------------------------
    def search_page(self) -> bytes:
        request = make_request(self.app, "/search")
        meta = common.Meta(title="Search", path="/search", noindex=True,
                           description="Search the cables of this mirror: the search runs in your browser.")
        ctx = {
            "request": request,
            "meta": meta,
            "site_name": self.config.name,
            "canonical": common.site_base(request) + meta.path,
            "site_generated": common.site_generated(request),
            "search_q": "",
        }
        return self.finish(common.ENV.from_string(SEARCH_TEMPLATE).render(ctx), "search.html")

    def not_found_page(self) -> bytes:
        request = make_request(self.app, "/404.html")
        response = error_page(request, 404, TITLES[404], "There is no page at this address. The search and the browse "
                              "pages may find what you were looking for.")
        # A server shows this page for any missing path, at any depth: links from the root.
        text = bytes(response.body).decode("utf-8")
        root = self.site.base_url + "/" if self.site.base_url else "/"
        return rewrite_html(text, "404.html", self.site, root=root).encode("utf-8")

    def cable_page(self, cid: str, file: str) -> bytes:
        return self.page(f"/cable/{quote(cid, safe='')}", file)

    def diff_page(self, cid: str, a: int, b: int, file: str) -> bytes:
        return self.page(f"/cable/{quote(cid, safe='')}/diff?a={a}&b={b}", file)


def _redirect_page(location: str) -> str:
    """An id spelled otherwise than the stored one: a page that sends the reader on
    (``http-equiv`` refresh works without script, so within the site's CSP)."""
    from html import escape

    target = escape(location, quote=True)
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Moved</title>'
            f'<meta http-equiv="refresh" content="0; url={target}"><link rel="canonical" href="{SENTINEL}{target}">'
            f'</head><body><p>This cable is at <a href="{target}">{target}</a>.</p></body></html>\n')


def cable_inputs(store: Store, record: dict[str, Any]) -> dict[str, Any]:
    """Everything besides code and settings that a cable's page, diffs and PDF show:
    a change here (and only here) makes the export render them again."""
    cid = str(record.get("id"))
    citing = store.cited_by(cid)
    shown = citing[: cable_views.MAX_CITED_SHOWN]
    summaries = store.summaries(shown) if shown else {}
    versions = store.get_versions(cid)
    return {
        "references": store.references(cid),
        "cited": [[c, (summaries.get(c) or {}).get("title"), (summaries.get(c) or {}).get("created")] for c in shown],
        "cited_total": len(citing),
        "versions": cable_views._version_rows(versions),
        "current": next((i + 1 for i, v in enumerate(versions) if v.get("current")), len(versions)),
    }
