"""Browse pages: by date (year -> month -> day), origin, tag and classification.

Every list of cables is one store ``query`` with a field condition (built with
``build_filter``, so a browse page lists exactly what the matching search finds),
paginated and sortable.  Lists of values (origins, tags) come from ``counts``.
"""

from __future__ import annotations

import calendar
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import Response

from ...cables import glossary
from ...search import CABLE_FIELDS, Query, build_filter
from .search import exact_classification
from .common import (
    CABLE_SORTS,
    PAGE_SIZE_BROWSE,
    Meta,
    PageError,
    Pager,
    TTLCache,
    choice_param,
    classification_slug,
    classification_url,
    date_url,
    int_param,
    month_name,
    origin_url,
    qs,
    render,
    store_of,
    tag_url,
)

VALUE_SORTS = {"count": "most cables first", "name": "by name"}
VALUES_PER_PAGE = 200
_cache = TTLCache(60.0)


def _filter_query(*conditions: tuple[str, Any]) -> Query:
    q = Query(None, CABLE_FIELDS, ())
    for name, value in conditions:
        q = q.with_filter(name, value)
    return q


def cable_list(
    request: Request,
    q: Query,
    *,
    default_sort: str,
    base_path: str,
) -> dict[str, Any]:
    """One page of the cables matching ``q``: the context a list template needs."""
    store = store_of(request)
    sort = choice_param(request, "sort", default_sort, CABLE_SORTS)
    page = int_param(request, "page", 1)
    pager = Pager(page, PAGE_SIZE_BROWSE, 0)
    result = store.query(q, sort=sort, limit=PAGE_SIZE_BROWSE, offset=pager.offset, facets=())
    pager.total = result.total
    sort_param = sort if sort != default_sort else ""
    pager.url = lambda n: base_path + qs(sort=sort_param, page=n)
    pager.check()
    summaries = store.summaries([h.id for h in result.hits]) if result.hits else {}
    items = [summaries.get(h.id) or _hit_summary(h) for h in result.hits]

    def sort_url(key: str) -> str:
        return base_path + qs(sort=key if key != default_sort else "")

    return {"items": items, "pager": pager, "sort": sort, "sort_url": sort_url, "query_text": str(q)}


def _hit_summary(hit: Any) -> dict[str, Any]:
    return {"id": hit.id, "title": hit.title, "subject": "", "created": hit.created, "origin": hit.origin,
            "classification": hit.classification, "partial": False}


def _canonical(base_path: str, ctx: dict[str, Any], default_sort: str) -> str:
    sort = ctx["sort"] if ctx["sort"] != default_sort else ""
    return base_path + qs(sort=sort, page=ctx["pager"].page)


# ---------------------------------------------------------------------------
# By date


def year_rows(histogram: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    """Years with counts, gaps filled with zero so that the chart's time axis is honest."""
    counts = {}
    for period, n in histogram:
        try:
            counts[int(period[:4])] = n
        except ValueError:
            continue
    if not counts:
        return []
    return [(str(y), counts.get(y, 0), date_url(y)) for y in range(min(counts), max(counts) + 1)]


def _year(raw: str) -> int:
    if not (len(raw) == 4 and raw.isdigit()) or not 1900 <= int(raw) <= 2100:
        raise PageError(404, "No such year", f"{raw[:20]!r} is not a year: write four digits, like 2005.")
    return int(raw)


def _month(raw: str) -> int:
    if not (len(raw) == 2 and raw.isdigit()) or not 1 <= int(raw) <= 12:
        raise PageError(404, "No such month", f"{raw[:20]!r} is not a month: write two digits, 01 to 12.")
    return int(raw)


def _day(year: int, month: int, raw: str) -> int:
    last = calendar.monthrange(year, month)[1]
    if not (len(raw) == 2 and raw.isdigit()) or not 1 <= int(raw) <= last:
        raise PageError(404, "No such day", f"{raw[:20]!r} is not a day of {month_name(month)} {year} (01 to {last:02d}).")
    return int(raw)


def browse_date(request: Request) -> Response:
    store = store_of(request)
    rows = _cache.get((id(store), "years"), lambda: year_rows(store.histogram()))
    total = sum(n for _, n, _ in rows)
    return render(
        request,
        "browse_date.html",
        Meta(title="Cables by date", description=f"{total:,} cables by the year they were written.", path="/browse/date"),
        level="all",
        heading="Cables by date",
        rows=rows,
        crumbs=[],
        total=total,
        listing=None,
    )


def browse_year(request: Request) -> Response:
    store = store_of(request)
    year = _year(request.path_params["year"])
    months = dict((p[5:7], n) for p, n in store.histogram(year=year) if len(p) >= 7)
    rows = [(month_name(m), months.get(f"{m:02d}", 0), date_url(year, m)) for m in range(1, 13)]
    return _date_page(request, f"{year}", f"Cables of {year}", rows, [("By date", date_url())], f"date:{year}",
                      f"{year:04d}")


def browse_month(request: Request) -> Response:
    store = store_of(request)
    year = _year(request.path_params["year"])
    month = _month(request.path_params["month"])
    days = dict((p[8:10], n) for p, n in store.histogram(year=year, month=month) if len(p) >= 10)
    last = calendar.monthrange(year, month)[1]
    rows = [(f"{d}", days.get(f"{d:02d}", 0), date_url(year, month, d)) for d in range(1, last + 1)]
    crumbs = [("By date", date_url()), (str(year), date_url(year))]
    return _date_page(request, f"{month_name(month)} {year}", f"Cables of {month_name(month)} {year}", rows, crumbs,
                      f"date:{year:04d}-{month:02d}", f"{year:04d}-{month:02d}")


def browse_day(request: Request) -> Response:
    year = _year(request.path_params["year"])
    month = _month(request.path_params["month"])
    day = _day(year, month, request.path_params["day"])
    crumbs = [("By date", date_url()), (str(year), date_url(year)), (month_name(month), date_url(year, month))]
    return _date_page(request, f"{day} {month_name(month)} {year}", f"Cables of {day} {month_name(month)} {year}", [],
                      crumbs, f"date:{year:04d}-{month:02d}-{day:02d}", f"{year:04d}-{month:02d}-{day:02d}")


def _date_page(
    request: Request,
    label: str,
    heading: str,
    rows: list[tuple[str, int, str]],
    crumbs: list[tuple[str, str]],
    query_text: str,
    period: str,
) -> Response:
    base = request.url.path
    q = _filter_query(("date", period))
    ctx = cable_list(request, q, default_sort="date", base_path=base)
    total = ctx["pager"].total
    return render(
        request,
        "browse_date.html",
        Meta(title=heading, description=f"{total:,} cables written in {label}.", path=_canonical(base, ctx, "date")),
        level="period",
        heading=heading,
        rows=rows,
        crumbs=crumbs,
        total=total,
        listing=ctx,
        period_label=label,
        search_query=query_text,
    )


# ---------------------------------------------------------------------------
# By origin, tag, classification


def _value_list(
    request: Request,
    field: str,
    *,
    title: str,
    description: str,
    path: str,
    url: Callable[[str], str],
    meaning: Callable[[str], str] | None = None,
) -> Response:
    store = store_of(request)
    counts = _cache.get((id(store), "counts", field), lambda: store.counts(field))
    sort = choice_param(request, "sort", "count", VALUE_SORTS)
    page = int_param(request, "page", 1)
    values = list(counts)
    if sort == "name":
        values.sort(key=lambda vc: (vc[0].casefold(), vc[0]))
    pager = Pager(page, VALUES_PER_PAGE, len(values))
    sort_param = sort if sort != "count" else ""
    pager.url = lambda n: path + qs(sort=sort_param, page=n)
    pager.check()
    shown = values[pager.offset : pager.offset + pager.size]
    rows = [(v, n, url(v), meaning(v) if meaning else "") for v, n in shown]
    return render(
        request,
        "browse_values.html",
        Meta(title=title, description=description, path=path + qs(sort=sort_param, page=page)),
        heading=title,
        rows=rows,
        pager=pager,
        sort=sort,
        sort_url=lambda key: path + qs(sort=key if key != "count" else ""),
        value_sorts=VALUE_SORTS,
        field=field,
        with_meaning=meaning is not None,
        total_values=len(values),
    )


def browse_origins(request: Request) -> Response:
    return _value_list(
        request, "origin", title="Cables by origin", path="/browse/origin", url=origin_url,
        description="The embassies, consulates and offices that sent the cables, with how many each sent.",
    )


def _tag_meaning(code: str) -> str:
    info = glossary.tag(code)
    return info.meaning if info else ""


def browse_tags(request: Request) -> Response:
    return _value_list(
        request, "tag", title="Cables by tag", path="/browse/tag", url=tag_url, meaning=_tag_meaning,
        description="The TAGS the cables were filed under (subjects, programs, organisations, countries), with what each means.",
    )


def browse_classifications(request: Request) -> Response:
    return _value_list(
        request, "classification", title="Cables by classification", path="/browse/classification",
        url=classification_url,
        description="How the cables were classified, from UNCLASSIFIED to SECRET//NOFORN.",
        meaning=_classification_meaning,
    )


def _classification_meaning(value: str) -> str:
    first = value.split("//")[0].strip()
    term = glossary.term(first)
    parts = [term.meaning] if term else []
    if "//" in value:
        control = glossary.term(value.split("//", 1)[1].strip())
        if control:
            parts.append(control.meaning)
    return "; ".join(parts)


def browse_origin(request: Request) -> Response:
    origin = request.path_params["origin"]
    base = origin_url(origin)
    ctx = cable_list(request, _query_or_404(("origin", origin)), default_sort="-date", base_path=base)
    total = ctx["pager"].total
    if total == 0:
        raise PageError(404, "No such origin", f"No cable in this mirror was sent by {origin[:200]!r}.")
    return render(
        request,
        "browse_list.html",
        Meta(title=f"Cables from {origin}", description=f"{total:,} cables sent by {origin}.",
             path=_canonical(base, ctx, "-date")),
        heading=f"Cables from {origin}",
        intro="",
        crumbs=[("By origin", "/browse/origin")],
        listing=ctx,
    )


def browse_tag(request: Request) -> Response:
    code = request.path_params["tag"]
    info = glossary.tag(code)
    base = tag_url(code)
    ctx = cable_list(request, _query_or_404(("tag", code)), default_sort="-date", base_path=base)
    total = ctx["pager"].total
    if total == 0 and info is None:
        raise PageError(404, "No such tag", f"No cable in this mirror is filed under {code[:60]!r}, and it is not a known tag.")
    meaning = info.meaning if info else ""
    return render(
        request,
        "browse_list.html",
        Meta(title=f"Tag {code}" + (f": {meaning}" if meaning else ""),
             description=f"{total:,} cables filed under the tag {code}" + (f" ({meaning})." if meaning else "."),
             path=_canonical(base, ctx, "-date")),
        heading=f"Tag {code}",
        intro=meaning,
        tag_info=info,
        crumbs=[("By tag", "/browse/tag")],
        listing=ctx,
    )


def browse_classification(request: Request) -> Response:
    slug = request.path_params["slug"]
    store = store_of(request)
    counts = _cache.get((id(store), "counts", "classification"), lambda: store.counts("classification"))
    value = next((v for v, _ in counts if classification_slug(v) == slug.lower()), None)
    if value is None:
        raise PageError(404, "No such classification",
                        f"No cable in this mirror is classified {slug[:60]!r}.")
    base = classification_url(value)
    q = Query(exact_classification(value), CABLE_FIELDS, ())
    ctx = cable_list(request, q, default_sort="-date", base_path=base)
    total = ctx["pager"].total
    return render(
        request,
        "browse_list.html",
        Meta(title=f"Cables classified {value}", description=f"{total:,} cables classified {value}.",
             path=_canonical(base, ctx, "-date")),
        heading=f"Classified {value}",
        intro=_classification_meaning(value),
        crumbs=[("By classification", "/browse/classification")],
        listing=ctx,
    )


def _query_or_404(condition: tuple[str, str]) -> Query:
    """A browse URL whose value the query language cannot take (``/browse/tag/a b``)
    names nothing: 404, not 400."""
    from ...search import QuerySyntaxError

    try:
        build_filter(CABLE_FIELDS, *condition)
        return _filter_query(condition)
    except QuerySyntaxError:
        raise PageError(404, "Not found", f"Nothing in this mirror is listed under {condition[1][:60]!r}.") from None


def browse_index(request: Request) -> Response:
    return render(
        request,
        "browse_index.html",
        Meta(title="Browse", description="Browse the cables by date, origin, tag or classification.", path="/browse"),
        collections=None,
    )
