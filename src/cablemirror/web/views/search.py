"""The search page and the rendered query-language help.

The query is parsed once (``parse_query``); a malformed one answers 400 with the
error's message, column and hint.  Facet links are the query narrowed with
``Query.with_filter`` (so they are valid queries by construction); active facets
link to ``without_filter``.  Snippets come from the store with private-use marks
around the hits, and become ``<mark>`` after escaping (``render.marked_snippet``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Hashable

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from ...search import CABLE_FIELDS, Field, Node, Phrase, Query, QuerySyntaxError, Term, build_filter, conj, negate, parse_query
from ...search.nodes import conjuncts
from ..render import MARK_CLOSE, MARK_OPEN, marked_snippet
from . import markdown
from .common import (
    PAGE_SIZE_SEARCH,
    SEARCH_SORTS,
    Meta,
    Pager,
    choice_param,
    int_param,
    month_name,
    render,
    search_url,
    site_base,
    store_of,
    tag_meaning,
)
from .pagecache import cached_view

FACETS = ("origin", "year", "classification", "tag")
FACET_TITLES = {"origin": "Origin", "year": "Year", "classification": "Classification", "tag": "Tag"}
# A facet's values are conditions on these query fields.
FACET_FIELDS = {"origin": "origin", "year": "date", "classification": "class", "tag": "tag"}
MAX_Q = 2000


def highlight_param(q: Query) -> str:
    """The words of ``q`` a cable page should highlight (``?hl=``): plain words,
    the words of phrases, prefixes with their ``*``."""
    out: list[str] = []
    for node in q.text_terms():
        if isinstance(node, Term):
            out.append(node.text + ("*" if node.prefix else ""))
        elif isinstance(node, Phrase):
            words = list(node.words)
            if node.prefix and words:
                words[-1] += "*"
            out.extend(words)
    return " ".join(dict.fromkeys(out))


def exact_classification(value: str) -> Node:
    """``class:`` exactly ``value``: the query language's ``class:CONFIDENTIAL`` also
    covers CONFIDENTIAL//NOFORN (a level covers its markings), but a facet or browse
    count is of the one stored value, so its link must select exactly that."""
    spec = CABLE_FIELDS["class"]
    node = build_filter(CABLE_FIELDS, "class", value)
    covered = [w for w in spec.expand(node.value) if w != node.value] if isinstance(node, Field) else []
    return conj(node, *(negate(build_filter(CABLE_FIELDS, "class", w)) for w in covered))  # type: ignore[return-value]


class Refine:
    """Facet links for one (field, value): narrow to it, leave it out, or (when it is
    active) remove it again.  Classifications are exact (``exact_classification``);
    the other fields use ``Query.with_filter`` / ``without_filter``."""

    def __init__(self, q: Query, facet: str, value: str) -> None:
        self.q, self.field, self.value = q, FACET_FIELDS[facet], value
        self.node: Node | None = exact_classification(value) if facet == "classification" else None

    def _parts(self) -> tuple[Node, ...]:
        return conjuncts(self.node)

    @property
    def active(self) -> bool:
        if self.node is None:
            return self.q.has_filter(self.field, self.value)
        top = conjuncts(self.q.root)
        return all(p in top for p in self._parts())

    def narrow(self) -> Query:
        if self.node is None:
            return self.q.with_filter(self.field, self.value)
        return Query(conj(self.q.root, self.node), self.q.fields, self.q.ignored)

    def exclude(self) -> Query:
        if self.node is None:
            return self.q.with_filter(self.field, self.value, exclude=True)
        return Query(conj(self.q.root, negate(self.node)), self.q.fields, self.q.ignored)

    def widen(self) -> Query:
        if self.node is None:
            return self.q.without_filter(self.field, self.value)
        parts = self._parts()
        return Query(conj(*(n for n in conjuncts(self.q.root) if n not in parts)), self.q.fields, self.q.ignored)


_FACET_ROWS_SIZE = 256
_facet_rows: OrderedDict[Hashable, list[dict[str, Any]]] = OrderedDict()
_facet_rows_lock = threading.Lock()


def _facets(q: Query, sort: str, facets: dict[str, list[tuple[str, int]]]) -> list[dict[str, Any]]:
    """The facet blocks of the page.  Each value's links are the query rewritten and
    printed again (two or three per value, a hundred values): the rows are kept per
    query, sort and counts, which is all they depend on (the store keeps the counts
    per query, so paging through a result asks for the same rows again)."""
    key = (str(q), sort, tuple((name, tuple(facets.get(name) or ())) for name in FACETS))
    with _facet_rows_lock:
        rows = _facet_rows.get(key)
        if rows is not None:
            _facet_rows.move_to_end(key)
            return rows
    rows = _facet_blocks(q, sort, facets)
    with _facet_rows_lock:
        _facet_rows[key] = rows
        while len(_facet_rows) > _FACET_ROWS_SIZE:
            _facet_rows.popitem(last=False)
    return rows


def _facet_blocks(q: Query, sort: str, facets: dict[str, list[tuple[str, int]]]) -> list[dict[str, Any]]:
    out = []
    sort_param = sort if sort != "relevance" else ""
    for name in FACETS:
        rows = []
        for value, count in facets.get(name) or []:
            try:
                refine = Refine(q, name, str(value))
                active = refine.active
                link = search_url(str(refine.widen() if active else refine.narrow()), sort=sort_param)
                exclude = "" if active else search_url(str(refine.exclude()), sort=sort_param)
            except QuerySyntaxError:
                continue  # a stored value the language cannot name (should not happen): no link
            rows.append({"value": str(value), "count": count, "url": link, "exclude": exclude, "active": active,
                         "meaning": tag_meaning(str(value)) if name == "tag" else ""})
        if rows:
            out.append({"name": name, "title": FACET_TITLES[name], "values": rows})
    return out


def search(request: Request) -> Response:
    text = request.query_params.get("q", "")
    sort = choice_param(request, "sort", "relevance", SEARCH_SORTS)
    page = int_param(request, "page", 1)
    sort_param = sort if sort != "relevance" else ""
    if len(text) > MAX_Q:
        text = text[:MAX_Q + 1]  # parse_query explains the limit
    try:
        q = parse_query(text, CABLE_FIELDS)
    except QuerySyntaxError as exc:
        return render(
            request,
            "search.html",
            Meta(title="The query cannot be read", description=str(exc), path=search_url(text), noindex=True),
            status=400,
            search_q=text,
            q_text=text,
            sort=sort,
            error=exc,
            pointer=_pointer(text, exc),
            result=None,
        )
    store = store_of(request)
    pager = Pager(page, PAGE_SIZE_SEARCH, 0)
    result = store.query(q, sort=sort, limit=PAGE_SIZE_SEARCH, offset=pager.offset, marks=(MARK_OPEN, MARK_CLOSE))
    pager.total = result.total
    canonical_q = str(q)
    pager.url = lambda n: search_url(canonical_q, sort=sort_param, page=n)
    pager.check()
    hl = highlight_param(q)
    hits = [
        {
            "id": h.id,
            "title": h.title,
            "created": h.created,
            "origin": h.origin,
            "classification": h.classification,
            "snippet": marked_snippet(h.snippet, (MARK_OPEN, MARK_CLOSE)),
            "paragraph": h.paragraph,
            "hl": hl,
        }
        for h in result.hits
    ]
    if q.is_empty:
        title = "All cables"
        description = f"Every cable in this mirror ({result.total:,}), with facets to narrow them down."
    else:
        title = f"Search: {canonical_q}"
        description = f"{result.total:,} cables match {canonical_q}."
    return render(
        request,
        "search.html",
        Meta(title=title, description=description, path=search_url(canonical_q, sort=sort_param, page=page),
             noindex=True),
        search_q=text,
        q_text=text,
        q=q,
        canonical_q=canonical_q,
        sort=sort,
        sort_url=lambda key: search_url(canonical_q, sort=key if key != "relevance" else ""),
        error=None,
        result=result,
        hits=hits,
        pager=pager,
        facets=_facets(q, sort, result.facets),
        ignored=q.ignored,
        month_name=month_name,
    )


def page_key(request: Request) -> Hashable:
    """A search page is kept (``pagecache``) by the site's address and the whole query string."""
    return "search", site_base(request), request.url.query


# The route's handler: a page asked again within a minute comes from the cache.
search_cached = cached_view(search, page_key)


def _pointer(text: str, exc: QuerySyntaxError) -> Markup | None:
    """The query with the problem marked, for display (``None`` when it is too long)."""
    if not text or len(text) > 300:
        return None
    at = min(exc.position, len(text))
    end = min(len(text), at + exc.length)
    from ..render import escape_text

    before, bad, after = text[:at], text[at:end] or " ", text[end:]
    return Markup(f'{escape_text(before)}<mark class="error-at">{escape_text(bad)}</mark>{escape_text(after)}')


# ---------------------------------------------------------------------------
# /search/help: docs/search.md rendered


def _docs_path() -> Path:
    # docs/search.md is packaged as web/docs/search.md (a symlink in the source tree,
    # a copy in a built wheel), so an installed site has its help page too.
    return Path(__file__).resolve().parent.parent / "docs" / "search.md"


@lru_cache(maxsize=1)
def _help_html() -> tuple[Markup, list[tuple[int, str, str]]] | None:
    path = _docs_path()
    if not path.is_file():
        return None
    return markdown.render(path.read_text("utf-8"), link_examples=True)


def search_help(request: Request) -> Response:
    rendered = _help_html()
    return render(
        request,
        "search_help.html",
        Meta(title="How to search", description="The query language of the search box: words, phrases, OR, "
             "exclusions, prefixes and fields such as origin:, tag:, class: and dates.", path="/search/help"),
        body=rendered[0] if rendered else None,
        toc=rendered[1] if rendered else [],
    )
