"""``/timeline?q=``: the reports matching a query per month, by type, and the people
they count as killed and wounded per month, by group.

Charts are SVG made by the server (``svgcharts``), each month a link to its reports;
the numbers are also given as tables, so nothing depends on seeing the charts.  The
monthly figures add up to the totals shown (the store counts them in one pass).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ...search import QuerySyntaxError
from ...store.reports import CASUALTY_GROUPS, ReportTimeline
from ..svgcharts import MonthBar, Segment, stacked_months
from .common import Meta, plural, render, store_of
from .reports_common import (
    map_url,
    month_label,
    parse_reports_query,
    query_error_page,
    reports_call,
    reports_url,
    timeline_url,
)

__all__ = ["timeline_page"]

TOP_TYPES = 7  # types drawn in their own colour; the rest are "Other types"
GROUP_LABELS = {"friendly": "Friendly forces", "host_nation": "Host nation forces", "civilian": "Civilians",
                "enemy": "Enemy"}  # fmt: skip


def _series(t: ReportTimeline) -> list[str]:
    names = [name for name, _ in t.types[:TOP_TYPES]]
    if len(t.types) > TOP_TYPES:
        names.append("Other types")
    return names


def _type_bars(t: ReportTimeline, url: Any) -> list[MonthBar]:
    names = _series(t)
    top = set(names[:TOP_TYPES])
    bars = []
    for m in t.months:
        values = [m.by_type.get(name, 0) for name in names[:TOP_TYPES]]
        if len(names) > TOP_TYPES:
            values.append(sum(n for k, n in m.by_type.items() if k not in top))
        segs = tuple(Segment(i, v, names[i]) for i, v in enumerate(values))
        bars.append(MonthBar(m.month, segs, url(m.month)))
    return bars


def _group_bars(t: ReportTimeline, url: Any, which: str) -> list[MonthBar]:
    bars = []
    for m in t.months:
        counts = m.killed if which == "killed" else m.wounded
        segs = tuple(Segment(i, counts[g], GROUP_LABELS[g]) for i, g in enumerate(CASUALTY_GROUPS))
        bars.append(MonthBar(m.month, segs, url(m.month)))
    return bars


def timeline_page(request: Request) -> Response:
    text, parsed = parse_reports_query(request)
    if isinstance(parsed, QuerySyntaxError):
        return query_error_page(request, "reports/timeline.html", timeline_url(text), text, parsed)
    q = parsed
    canonical = str(q)
    t = reports_call(store_of(request).report_timeline, q)

    def month_url(month: str) -> str:
        return reports_url(str(q.with_filter("date", month)))

    type_bars = _type_bars(t, month_url)
    killed = _group_bars(t, month_url, "killed")
    wounded = _group_bars(t, month_url, "wounded")
    totals = {
        "killed": {g: sum(m.killed[g] for m in t.months) for g in CASUALTY_GROUPS},
        "wounded": {g: sum(m.wounded[g] for m in t.months) for g in CASUALTY_GROUPS},
        "detained": sum(m.detained for m in t.months),
    }
    people = lambda n: plural(n, "person", "people")  # noqa: E731
    return render(
        request,
        "reports/timeline.html",
        Meta(
            title="Timeline" + (f": {canonical}" if canonical else ""),
            description=f"{t.total:,} war-diary reports per month by type, and the killed and wounded per month.",
            path=timeline_url(canonical),
            noindex=not q.is_empty,
        ),
        search_q=text,
        q_text=text,
        q=q,
        canonical_q=canonical,
        error=None,
        t=t,
        series=_series(t),
        groups=[(g, GROUP_LABELS[g]) for g in CASUALTY_GROUPS],
        type_chart=stacked_months(type_bars, unit=lambda n: plural(n, "report"), label="Reports per month by type"),
        killed_chart=stacked_months(killed, unit=people, label="Killed per month by group"),
        wounded_chart=stacked_months(wounded, unit=people, label="Wounded per month by group"),
        totals=totals,
        month_label=month_label,
        month_url=month_url,
        links={"reports": reports_url(canonical), "map": map_url(canonical)},
        generated=bool(t.total) and _generated(request, q),
        cable_generated=True,
    )


def _generated(request: Request, q: Any) -> bool:
    page = store_of(request).query_reports(q, limit=1, facets=())
    return bool(page.hits) and page.hits[0].generated
