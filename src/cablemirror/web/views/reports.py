"""The war-diary pages of reports: ``/reports`` (search and browse) and
``/report/{ReportKey}`` (one report, every field).

The list works like the cables' search page: one query language (``REPORT_FIELDS``:
``type:``, ``category:``, ``region:``, ``kia>N``, ``civilian:`` ...), exact totals and
facets over the whole result set, a histogram per year, sorting, pages.  Generated
demo reports are marked on every row and page.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...search import QuerySyntaxError
from ...store.reports import CASUALTY_GROUPS, REPORT_SORTS, normalize_report_key
from ...warlogs.model import ATTRIBUTES, COLUMNS, COUNT_COLUMNS
from ..render import MARK_CLOSE, MARK_OPEN, Highlighter, marked_snippet
from ..report_render import render_summary
from ..svgcharts import simple_bars
from ..svgmap import ATTRIBUTION_TEXT, ATTRIBUTION_URL, THEATRES, locator_svg, theatre_map
from .common import PAGE_SIZE_SEARCH, Meta, PageError, Pager, choice_param, int_param, plural, render, store_of
from .reports_common import (
    casualty_line,
    facet_rows,
    map_url,
    parse_reports_query,
    query_error_page,
    report_url,
    reports_call,
    reports_url,
    timeline_url,
)
from .search import highlight_param

__all__ = ["reports_page", "report_page"]

# Labels of the release's columns on the report page (the CSV names, spelled out).
FIELD_LABELS = {
    "ReportKey": "Report key", "DateOccurred": "Date occurred", "Type": "Type", "Category": "Category",
    "TrackingNumber": "Tracking number", "Title": "Title", "Summary": "Summary", "Region": "Region",
    "AttackOn": "Attack on", "ComplexAttack": "Complex attack", "ReportingUnit": "Reporting unit",
    "UnitName": "Unit name", "TypeOfUnit": "Type of unit", "FriendlyWIA": "Friendly wounded",
    "FriendlyKIA": "Friendly killed", "HostNationWIA": "Host nation wounded", "HostNationKIA": "Host nation killed",
    "CivilianWIA": "Civilians wounded", "CivilianKIA": "Civilians killed", "EnemyWIA": "Enemy wounded",
    "EnemyKIA": "Enemy killed", "EnemyDetained": "Enemy detained", "MGRS": "MGRS", "Latitude": "Latitude",
    "Longitude": "Longitude", "OriginatorGroup": "Originator group", "UpdatedByGroup": "Updated by group",
    "CCIR": "CCIR", "Sigact": "Sigact", "Affiliation": "Affiliation", "DColor": "DColor",
    "Classification": "Classification",
}  # fmt: skip
GROUP_LABELS = {"friendly": "Friendly forces", "host_nation": "Host nation forces", "civilian": "Civilians",
                "enemy": "Enemy"}  # fmt: skip
NEARBY_DEG = 0.0625  # the "reports nearby" link: a box this many degrees around the position


def _error_page(request: Request, text: str, sort: str, exc: QuerySyntaxError) -> Response:
    return query_error_page(request, "reports/list.html", reports_url(text), text, exc, sort=sort, sorts=REPORT_SORTS)


def reports_page(request: Request) -> Response:
    text, parsed = parse_reports_query(request)
    sort = choice_param(request, "sort", "relevance", REPORT_SORTS)
    page = int_param(request, "page", 1)
    if isinstance(parsed, QuerySyntaxError):
        return _error_page(request, text, sort, parsed)
    q = parsed
    store = store_of(request)
    sort_param = sort if sort != "relevance" else ""
    pager = Pager(page, PAGE_SIZE_SEARCH, 0)
    result = reports_call(
        store.query_reports, q, sort=sort, limit=PAGE_SIZE_SEARCH, offset=pager.offset, marks=(MARK_OPEN, MARK_CLOSE)
    )
    canonical = str(q)
    pager.total = result.total
    pager.url = lambda n: reports_url(canonical, sort=sort_param, page=n)
    pager.check()
    hl = highlight_param(q)
    hits = [
        {
            "hit": h,
            "url": report_url(h.key) + (f"?hl={hl}" if hl else ""),
            "snippet": marked_snippet(h.snippet, (MARK_OPEN, MARK_CLOSE)),
            "casualties": casualty_line(h),
        }
        for h in result.hits
    ]
    years = reports_call(store.report_histogram, q)
    year_rows = [(y, n, reports_url(str(q.with_filter("date", y)), sort=sort_param)) for y, n in years]
    chart = simple_bars(year_rows, unit=lambda n: plural(n, "report"), label="Reports per year")
    generated = any(h.generated for h in result.hits) or _all_generated(request)
    title = "The war diary" if q.is_empty else f"Reports: {canonical}"
    return render(
        request,
        "reports/list.html",
        Meta(
            title=title,
            description=f"{result.total:,} war-diary reports" + (f" match {canonical}." if not q.is_empty else "."),
            path=reports_url(canonical, sort=sort_param, page=page),
            noindex=not q.is_empty,
        ),
        search_q=text,
        q_text=text,
        q=q,
        canonical_q=canonical,
        sort=sort,
        sorts=REPORT_SORTS,
        sort_url=lambda key: reports_url(canonical, sort=key),
        error=None,
        result=result,
        hits=hits,
        pager=pager,
        facets=facet_rows(q, result.facets, lambda nq: reports_url(str(nq), sort=sort_param)),
        chart=chart,
        year_rows=year_rows,
        ignored=q.ignored,
        generated=generated,
        links=_links(canonical),
        cable_generated=True,
    )


def _links(canonical: str) -> dict[str, str]:
    return {
        "map": map_url(canonical),
        "timeline": timeline_url(canonical),
        "csv": reports_url(canonical, fmt="csv"),
        "jsonl": reports_url(canonical, fmt="jsonl"),
        "api": "/api/v1/reports" + (f"?q={_quote(canonical)}" if canonical else ""),
    }


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _all_generated(request: Request) -> bool:
    from .common import collections

    for c in collections(request):
        if c.get("name") == "warlogs":
            return bool(c.get("generated"))
    return False


# --------------------------------------------------------------------------- one report


def _casualties(record: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for group, (kia, wia) in CASUALTY_GROUPS.items():
        rows.append(
            {
                "label": GROUP_LABELS[group],
                "wounded": record.get(wia),
                "killed": record.get(kia),
                "detained": record.get("enemy_detained") if group == "enemy" else "",
            }
        )
    return rows


def _fields(record: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(column name, label, value) of every column but the title, the summary and the
    counts of people (shown apart: the heading, the text, the casualty table)."""
    out = []
    for column in COLUMNS:
        if column in ("Title", "Summary") or column in COUNT_COLUMNS:
            continue
        value = record.get(ATTRIBUTES[column])
        if column == "DateOccurred" and isinstance(value, str):
            value = value.replace("T", " ", 1)
        out.append((column, FIELD_LABELS[column], value))
    return out


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:.7f}".rstrip("0").rstrip(".")
    return str(value)


def report_page(request: Request) -> Response:
    raw_key = request.path_params["key"]
    key = normalize_report_key(raw_key)
    if key is None:
        raise PageError(404, "No such report", f"{raw_key[:80]!r} is not a report key (a GUID such as "
                        "0A1B2C3D-1111-2222-3333-444455556666).")  # fmt: skip
    if key != raw_key:
        query = request.url.query
        return RedirectResponse(report_url(key) + (f"?{query}" if query else ""), status_code=301)
    store = store_of(request)
    record = reports_call(store.get_report, key)
    if record is None:
        raise PageError(404, "No such report", f"There is no report {key} in this mirror.")
    versions = reports_call(store.get_report_versions, key)
    theatre = record.get("theatre") if record.get("theatre") in THEATRES else "afghanistan"
    tm = theatre_map(theatre)
    lat, lon = record.get("latitude"), record.get("longitude")
    locator = None
    far = False
    if lat is not None and lon is not None:
        hs, hw, hn, he = tm.home
        if hs - 2 <= lat <= hn + 2 and hw - 2 <= lon <= he + 2:
            locator = locator_svg(tm, lat, lon, label=f"Where the report places the event: {lat:.4f}, {lon:.4f}")
        else:
            far = True
    hl = Highlighter.from_param(request.query_params.get("hl"))
    date = str(record.get("date") or "")
    nearby = None
    if lat is not None and lon is not None:
        box = f"{lat - NEARBY_DEG:.4f},{lon - NEARBY_DEG:.4f},{lat + NEARBY_DEG:.4f},{lon + NEARBY_DEG:.4f}"
        nearby = reports_url(f"box:{box}")
    title = record.get("title") or f"Report {key}"
    return render(
        request,
        "reports/report.html",
        Meta(
            title=title,
            description=f"{record.get('type') or 'Report'}, {date[:10]}, {record.get('region') or ''}: "
            + (record.get("summary") or "")[:160],
            path=report_url(key),
            og_type="article",
        ),
        record=record,
        key=key,
        title=title,
        summary=render_summary(record.get("summary") or "", highlight=hl),
        fields=[(c, label, _value(v)) for c, label, v in _fields(record)],
        casualties=_casualties(record),
        locator=locator,
        far=far,
        theatre_name=tm.name,
        attribution=(ATTRIBUTION_TEXT, ATTRIBUTION_URL),
        versions=versions,
        links={
            "json": report_url(key, "json"),
            "raw": report_url(key, "raw"),
            "pdf": report_url(key, "pdf"),
            "day": reports_url(f"date:{date[:10]}") if len(date) >= 10 else None,
            "nearby": nearby,
            "map": map_url(f"date:{date[:7]}", theatre=theatre) if len(date) >= 7 else None,
            "api": f"/api/v1/reports/{key}",
        },
        cable_generated=True,
    )
