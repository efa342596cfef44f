"""What the war-diary pages share: their URLs, the query (``REPORT_FIELDS``), facet
links, and what to say when the store holds no reports or cannot hold them.

URLs (stable, documented in docs/warlogs.md):

- ``/reports?q=&sort=&page=``: search and browse; ``/report/{ReportKey}``: one report;
- ``/map?q=&theatre=&bbox=S,W,N,E``: the reports on a map; ``/timeline?q=``: per month.

Facet links are the query narrowed with ``Query.with_filter`` (valid queries by
construction); an active one links to ``without_filter``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from ...search import REPORT_FIELDS, Query, QuerySyntaxError, parse_query
from ...store.base import REPORTS_UNSUPPORTED, StoreError
from ...store.reports import REPORT_FACETS
from ..render import escape_text
from .common import MONTHS, Meta, PageError, TTLCache, qs, render, store_of

__all__ = [
    "FACET_TITLES",
    "MAX_Q",
    "report_url",
    "reports_url",
    "map_url",
    "timeline_url",
    "parse_reports_query",
    "pointer",
    "facet_rows",
    "reports_call",
    "casualty_line",
    "bbox_text",
    "month_label",
    "theatres_held",
]

MAX_Q = 2000
FACET_TITLES = {
    "type": "Type",
    "category": "Category",
    "region": "Region",
    "attack": "Attack on",
    "unittype": "Type of unit",
    "year": "Year",
    "theatre": "Theatre",
}
THEATRE_TITLES = {"afghanistan": "Afghanistan", "iraq": "Iraq"}


def report_url(key: str, fmt: str = "") -> str:
    from urllib.parse import quote

    return f"/report/{quote(key, safe='')}" + (f".{fmt}" if fmt else "")


def reports_url(q: str = "", *, sort: str = "", page: int = 1, fmt: str = "") -> str:
    base = "/reports" + (f".{fmt}" if fmt else "")
    return base + qs(q=q, sort=sort if sort != "relevance" else "", page=page)


def bbox_text(bbox: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in bbox)


def map_url(q: str = "", *, theatre: str = "", bbox: tuple[float, float, float, float] | None = None) -> str:
    return "/map" + qs(q=q, theatre=theatre, bbox=bbox_text(bbox) if bbox else "")


def timeline_url(q: str = "") -> str:
    return "/timeline" + qs(q=q)


def parse_reports_query(request: Request) -> tuple[str, Query | QuerySyntaxError]:
    """``q`` as given, and parsed (or the error, for the page to show)."""
    text = request.query_params.get("q", "")
    if len(text) > MAX_Q:
        text = text[: MAX_Q + 1]  # parse_query explains the limit
    try:
        return text, parse_query(text, REPORT_FIELDS)
    except QuerySyntaxError as exc:
        return text, exc


def pointer(text: str, exc: QuerySyntaxError) -> Markup | None:
    """The query with the problem marked, for display (None when it is too long)."""
    if not text or len(text) > 300:
        return None
    at = min(exc.position, len(text))
    end = min(len(text), at + exc.length)
    before, bad, after = text[:at], text[at:end] or " ", text[end:]
    return Markup(f'{escape_text(before)}<mark class="error-at">{escape_text(bad)}</mark>{escape_text(after)}')


def query_error_page(request: Request, template: str, path: str, text: str, exc: QuerySyntaxError,
                     **extra: Any) -> Response:
    """A war-diary page (list, map, timeline) for a query that cannot be read: HTTP 400,
    the parser's message and the query with the problem marked."""
    return render(
        request,
        template,
        Meta(title="The query cannot be read", description=str(exc), path=path, noindex=True),
        status=400,
        search_q=text,
        q_text=text,
        error=exc,
        pointer=pointer(text, exc),
        cable_generated=True,  # the reports pages say "generated" themselves
        **extra,
    )


def reports_call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A report method of the store; a backend without reports is a clear 501 page."""
    try:
        return func(*args, **kwargs)
    except StoreError as exc:
        if str(exc) == REPORTS_UNSUPPORTED:
            raise PageError(
                501,
                "War diary not available here",
                "This mirror's database cannot hold the war diary yet (it runs on PostgreSQL, which does not "
                "store reports in this version). The cables are all here.",
            ) from None
        raise


@dataclass(slots=True)
class FacetValue:
    value: str
    count: int
    url: str
    exclude: str
    active: bool


def facet_rows(
    q: Query, facets: dict[str, list[tuple[str, int]]], url: Callable[[Query], str], names: tuple[str, ...] = tuple(REPORT_FACETS)
) -> list[dict[str, Any]]:
    """The facets as links: narrow to a value, leave it out, or remove it when active."""
    out = []
    for name in names:
        field = REPORT_FACETS[name]
        rows = []
        for value, count in facets.get(name) or []:
            try:
                active = q.has_filter(field, value)
                link = url(q.without_filter(field, value) if active else q.with_filter(field, value))
                exclude = "" if active else url(q.with_filter(field, value, exclude=True))
            except QuerySyntaxError:
                continue  # a stored value the language cannot name: no link
            shown = THEATRE_TITLES.get(value, value) if name == "theatre" else value
            rows.append(FacetValue(shown, count, link, exclude, active))
        if rows:
            out.append({"name": name, "title": FACET_TITLES[name], "values": rows})
    return out


def casualty_line(hit: Any) -> str:
    """"2 killed, 3 wounded, 1 detained" (empty when nobody), for lists."""
    parts = []
    if hit.kia:
        parts.append(f"{hit.kia:,} killed")
    if hit.wia:
        parts.append(f"{hit.wia:,} wounded")
    if getattr(hit, "enemy_detained", None):
        parts.append(f"{hit.enemy_detained:,} detained")
    return ", ".join(parts)


def month_label(month: str) -> str:
    """"2008-07" -> "July 2008"."""
    try:
        return f"{MONTHS[int(month[5:7]) - 1]} {month[:4]}"
    except (ValueError, IndexError):
        return month


_theatre_cache = TTLCache(60.0)


def theatres_held(request: Request) -> list[tuple[str, int]]:
    """The theatres the store holds reports of, most first (cached a minute)."""
    store = store_of(request)
    return _theatre_cache.get((id(store), "theatres"), lambda: reports_call(store.report_counts, "theatre"))
