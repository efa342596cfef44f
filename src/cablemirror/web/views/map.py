"""``/map``: the reports matching a query on a map of the theatre, counted in cells.

Parameters: ``q`` (the reports query), ``theatre`` (afghanistan or iraq; default: the
one the query names with ``theatre:``, else the one with the most reports) and
``bbox=S,W,N,E`` (the window; default: the whole country, or the ``box:`` of the
query).  The store counts the reports per cell of a grid sized to the window
(``svgmap.choose_step``); each cell is a circle linked to the reports in it (the
query with ``box:`` of the cell).  Reports outside the window and reports without a
position are counted and linked too, so the numbers on the page add up to the
query's total.  Zooming and panning are links: the page needs no script.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote_plus

from starlette.requests import Request
from starlette.responses import Response

from ...search import Field, Query, QuerySyntaxError, conj, negate
from ...search.fields import format_box, parse_box
from ...search.query import build_filter
from ...store.reports import ReportBin
from ..svgmap import ATTRIBUTION_TEXT, ATTRIBUTION_URL, THEATRES, choose_step, clamp_view, map_svg, pan, theatre_map, zoom
from .common import Meta, PageError, plural, render, store_of
from .reports_common import (
    THEATRE_TITLES,
    bbox_text,
    facet_rows,
    map_url,
    parse_reports_query,
    query_error_page,
    reports_call,
    reports_url,
    theatres_held,
    timeline_url,
)

__all__ = ["map_page", "parse_bbox"]

MAP_FACETS = ("type", "region", "year", "attack")
BUSIEST = 15  # cells listed in the table under the map
BOX_PADDING = 0.25  # a query's box: shown with this share of its size around it


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """``S,W,N,E`` from the URL, or None when absent; PageError 400 when malformed."""
    if raw is None or raw.strip() == "":
        return None
    parts = raw.split(",")
    try:
        s, w, n, e = (float(p) for p in parts)
    except ValueError:
        raise PageError(400, "Bad request", "bbox must be four numbers south,west,north,east (degrees)") from None
    if not all(math.isfinite(v) for v in (s, w, n, e)) or not (-90 <= s < n <= 90 and -180 <= w < e <= 180):
        raise PageError(400, "Bad request", "bbox must be south,west,north,east with south < north and west < east")
    return s, w, n, e


def _theatre(request: Request, q: Query) -> str:
    raw = request.query_params.get("theatre", "")
    if raw:
        if raw not in THEATRES:
            raise PageError(400, "Bad request", f"theatre must be one of {', '.join(THEATRES)}")
        return raw
    for f in q.filters():
        if isinstance(f, Field) and f.name == "theatre" and f.value in THEATRES:
            return f.value
    held = theatres_held(request)
    return held[0][0] if held and held[0][0] in THEATRES else "afghanistan"


def _query_box(q: Query) -> tuple[float, float, float, float] | None:
    for f in q.filters():
        if isinstance(f, Field) and f.name == "box":
            s, w, n, e = parse_box(f.value)
            ps, pw = (n - s) * BOX_PADDING, (e - w) * BOX_PADDING
            return s - ps, w - pw, n + ps, e + pw
    return None


def _box_value(box: tuple[float, float, float, float]) -> str:
    return format_box(*box)


def map_page(request: Request) -> Response:
    text, parsed = parse_reports_query(request)
    if isinstance(parsed, QuerySyntaxError):
        return query_error_page(request, "reports/map.html", map_url(text), text, parsed)
    q = parsed
    store = store_of(request)
    theatre = _theatre(request, q)
    tm = theatre_map(theatre)
    asked = parse_bbox(request.query_params.get("bbox"))
    view = clamp_view(asked or _query_box(q) or tm.home, tm)
    step = choose_step(view)
    canonical = str(q)
    bins = reports_call(store.report_bins, q, bbox=view, step=step)

    # A cell's link is the query AND box:cell.  Written as text (a valid query followed by
    # one more condition means exactly that: AND joins the top level): a few hundred cells
    # would otherwise cost a few hundred parses.
    link_prefix = "/reports?q=" + quote_plus((canonical + " " if canonical else "") + "box:")

    def bin_link(b: ReportBin) -> str:
        return link_prefix + quote_plus(_box_value(b.box(step)))

    svg = map_svg(tm, view, bins, bin_link, title=f"Map of {tm.name}: {plural(bins.binned, 'report')} in "
                  f"{plural(len(bins.bins), 'cell')}")  # fmt: skip
    covered = _box_value(bins.bbox)
    outside_q = Query(conj(q.root, build_filter(q.fields, "located", "yes"),
                           negate(build_filter(q.fields, "box", covered))), q.fields)  # fmt: skip
    unlocated_q = q.with_filter("located", "no")
    facets = reports_call(store.query_reports, q, limit=0, facets=MAP_FACETS, facet_limit=10).facets
    busiest = sorted(bins.bins, key=lambda b: (-b.count, b.row, b.col))[:BUSIEST]
    is_home = view == clamp_view(tm.home, tm)

    def view_url(bbox: tuple[float, float, float, float] | None) -> str:
        return map_url(canonical, theatre=theatre, bbox=clamp_view(bbox, tm) if bbox else None)

    controls = {
        "in": view_url(zoom(view, 2)),
        "out": view_url(zoom(view, 0.5)),
        "north": view_url(pan(view, 0.5, 0)),
        "south": view_url(pan(view, -0.5, 0)),
        "west": view_url(pan(view, 0, -0.5)),
        "east": view_url(pan(view, 0, 0.5)),
        "home": map_url(canonical, theatre=theatre),
    }
    others = [(t, THEATRE_TITLES.get(t, t), n) for t, n in theatres_held(request) if t in THEATRES and t != theatre]
    cells: list[dict[str, Any]] = [
        {
            "count": b.count,
            "lat": b.lat,
            "lon": b.lon,
            "box": b.box(step),
            "url": bin_link(b),
            "zoom": view_url((b.row * step - step, b.col * step - step, (b.row + 2) * step, (b.col + 2) * step)),
        }
        for b in busiest
    ]
    return render(
        request,
        "reports/map.html",
        Meta(
            title=f"Map of {tm.name}" + (f": {canonical}" if canonical else ""),
            description=f"{bins.total:,} war-diary reports on a map of {tm.name}, counted in cells of {step:g} degrees.",
            path=map_url(canonical, theatre=theatre, bbox=None if is_home else view),
            noindex=not q.is_empty or not is_home,
        ),
        search_q=text,
        q_text=text,
        q=q,
        canonical_q=canonical,
        error=None,
        theatre=theatre,
        theatre_name=tm.name,
        others=[(t, name, n, map_url(canonical, theatre=t)) for t, name, n in others],
        svg=svg,
        bins=bins,
        step=step,
        view=view,
        view_text=bbox_text(view),
        is_home=is_home,
        controls=controls,
        cells=cells,
        outside_url=reports_url(str(outside_q)),
        unlocated_url=reports_url(str(unlocated_q)),
        all_url=reports_url(canonical),
        timeline=timeline_url(canonical),
        facets=facet_rows(q, facets, lambda nq: map_url(str(nq), theatre=theatre, bbox=None if is_home else view),
                          MAP_FACETS),  # fmt: skip
        attribution=(ATTRIBUTION_TEXT, ATTRIBUTION_URL),
        generated=bins.total > 0 and _generated(store, q),
        cable_generated=True,
    )


def _generated(store: Any, q: Query) -> bool:
    """Whether the reports shown are generated demo data (all of them are, in a demo)."""
    page = store.query_reports(q, limit=1, facets=())
    return bool(page.hits) and page.hits[0].generated
