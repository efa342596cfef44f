"""The war diary taken away: records, exports and the JSON API of the reports.

- ``/report/{key}.json`` (the record), ``.raw`` (the exact bytes of the CSV row;
  ``?version=N``), ``.pdf``;
- ``/reports.csv?q=`` and ``/reports.jsonl?q=``: the whole result set, streamed;
- ``/api/v1/reports?q=&sort=&page=&per_page=&facets=``: search with facets;
  ``/api/v1/reports/{key}``: one report with its versions;
  ``/api/v1/reports/map?q=&bbox=&step=``: the map's counts per cell;
  ``/api/v1/reports/timeline?q=``: the timeline's counts per month.

Answers and errors are JSON as everywhere under the API (``respond.py``); a store
that cannot hold reports answers 501.  A report key in another spelling (lower case,
braces) answers 301 with the canonical URL.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..search import REPORT_FIELDS, Query, parse_query
from ..search.fields import format_box
from ..store.base import REPORTS_UNSUPPORTED, StoreError
from ..store.reports import REPORT_FACETS, REPORT_SORTS, ReportHit, normalize_report_key
from .exports import stream_whole_set
from .respond import (
    CORS,
    MAX_QUERY_LENGTH,
    RECORD_CACHE,
    ApiError,
    bad_parameter,
    cached_304,
    choice_param,
    endpoint,
    etag,
    filename,
    int_param,
    json_response,
    not_modified,
    redirect,
    site_name,
    store_of,
    wants_pretty,
)
from .urls import site_base
from .views.reports_common import map_url, report_url, reports_url, timeline_url

__all__ = ["routes"]

GET = ["GET", "HEAD", "OPTIONS"]
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_RESULTS = 10_000
FACET_LIMIT = 15
EXPORT_SORTS = ("date", "-date", "-kia", "-wia", "-civilian")
RAW_CSP = "sandbox; default-src 'none'"


def _unsupported(func: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """A backend without reports answers 501, not 503: it is not busy, it cannot."""

    def wrapper(request: Request) -> Response:
        try:
            return func(request)
        except StoreError as exc:
            if str(exc) == REPORTS_UNSUPPORTED:
                raise ApiError(501, "reports_unsupported", str(exc)) from None
            raise

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _query(request: Request) -> tuple[str, Query]:
    text = request.query_params.get("q", "")
    if len(text) > MAX_QUERY_LENGTH:
        raise ApiError(400, "query_too_long", f"a query has at most {MAX_QUERY_LENGTH} characters (this one has {len(text)})")
    return text, parse_query(text, REPORT_FIELDS)  # QuerySyntaxError -> 400 by ``endpoint``


def _key(request: Request, suffix: str = "") -> tuple[str, Response | None]:
    raw = request.path_params["key"]
    key = normalize_report_key(raw)
    if key is None:
        raise ApiError(404, "not_found", f"{raw[:80]!r} is not a report key", key=raw[:80])
    if key != raw:
        return key, redirect(request, suffix.format(key=key))
    return key, None


def _record(request: Request, key: str) -> dict[str, Any]:
    record = store_of(request).get_report(key)
    if record is None:
        raise ApiError(404, "not_found", f"no report {key} in this mirror", key=key)
    return record


def _sha(record: dict[str, Any]) -> str:
    source = record.get("source")
    return str(source.get("sha256", "")) if isinstance(source, dict) else ""


# --------------------------------------------------------------------------- one report


@endpoint
@_unsupported
def report_json(request: Request) -> Response:
    key, moved = _key(request, "/report/{key}.json")
    if moved:
        return moved
    record = _record(request, key)
    tag = etag("report-json", _sha(record), key)
    if not_modified(request, tag):
        return cached_304(tag)
    return json_response(record, headers={"ETag": tag, "Cache-Control": RECORD_CACHE}, pretty=wants_pretty(request))


@endpoint
@_unsupported
def report_raw(request: Request) -> Response:
    key, moved = _key(request, "/report/{key}.raw")
    if moved:
        return moved
    store = store_of(request)
    versions = store.get_report_versions(key)
    if not versions:
        raise ApiError(404, "not_found", f"no report {key} in this mirror", key=key)
    number = int_param(request, "version", None, lo=1, hi=1_000_000)
    if number is None:
        chosen = next((v for v in versions if v["current"]), versions[-1])
    elif number <= len(versions):
        chosen = versions[number - 1]
    else:
        raise ApiError(404, "no_such_version", f"{key} has {len(versions)} stored version"
                       f"{'s' if len(versions) != 1 else ''}, not {number}", key=key, versions=len(versions))  # fmt: skip
    tag = '"' + chosen["sha256"] + '"'
    if not_modified(request, tag):
        return cached_304(tag)
    data = store.get_report_raw(key, chosen["version_id"])
    if data is None:
        raise ApiError(404, "not_found", f"no stored bytes for {key}", key=key)
    try:
        data.decode("utf-8")
        media = "text/csv; charset=utf-8"
    except UnicodeDecodeError:
        media = "text/csv; charset=windows-1252"
    suffix = f"-v{number}" if number is not None else ""
    headers = {
        **CORS,
        "Content-Disposition": f'attachment; filename="{filename(key + suffix, "csv")}"',
        "X-Content-SHA256": chosen["sha256"],
        "ETag": tag,
        "Cache-Control": RECORD_CACHE,
        "Content-Security-Policy": RAW_CSP,
    }
    return Response(data, headers=headers, media_type=media)


@endpoint
@_unsupported
def report_pdf_route(request: Request) -> Response:
    from ..export.report_pdf import report_pdf  # fpdf2 is loaded by the first PDF only

    key, moved = _key(request, "/report/{key}.pdf")
    if moved:
        return moved
    record = _record(request, key)
    name = site_name(request)
    url = site_base(request) + report_url(key)
    tag = etag("report-pdf", _sha(record), key, name, url)
    headers = {"Content-Disposition": f'inline; filename="{filename(key, "pdf")}"', "ETag": tag,
               "Cache-Control": RECORD_CACHE}  # fmt: skip
    if not_modified(request, tag):
        return cached_304(tag, {"Content-Disposition": headers["Content-Disposition"]})
    return Response(report_pdf(record, site_name=name, url=url), headers={**CORS, **headers}, media_type="application/pdf")


# --------------------------------------------------------------------------- whole result sets


def _whole_set(request: Request, kind: str) -> Response:
    from ..export.reports_dump import iter_reports_csv, iter_reports_jsonl

    text, query = _query(request)
    sort = choice_param(request, "sort", "date", EXPORT_SORTS)
    store = store_of(request)
    base = site_base(request)
    records = store.iter_reports(query, sort=sort)  # a backend without reports fails here, before a slot is taken
    return stream_whole_set(
        kind,
        lambda: records,
        lambda rows: iter_reports_csv(rows, url_for=lambda key: base + report_url(key)),
        iter_reports_jsonl,
        "reports" if query.is_empty else "reports-" + str(query)[:60],
    )


@endpoint
@_unsupported
def reports_csv(request: Request) -> Response:
    return _whole_set(request, "csv")


@endpoint
@_unsupported
def reports_jsonl(request: Request) -> Response:
    return _whole_set(request, "jsonl")


# --------------------------------------------------------------------------- API


def _ok(request: Request, data: Any) -> Response:
    return json_response(data, pretty=wants_pretty(request))


def _facets_param(request: Request) -> tuple[str, ...]:
    raw = request.query_params.get("facets")
    if raw is None:
        return tuple(REPORT_FACETS)
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    if names == ("none",):
        return ()
    bad = [n for n in names if n not in REPORT_FACETS]
    if bad:
        raise bad_parameter("facets", f"unknown facet {bad[0][:40]!r}; choose from {', '.join(REPORT_FACETS)} (or none)")
    return names


def _hit(base: str, h: ReportHit) -> dict[str, Any]:
    return {**h.to_dict(), "url": base + report_url(h.key), "api_url": base + f"/api/v1/reports/{h.key}"}


def _api_reports_path(q: str | None, **params: object) -> str:
    from .urls import api_path

    return api_path("reports", q=q, **params)


@endpoint
@_unsupported
def api_reports(request: Request) -> Response:
    text, query = _query(request)
    sort = choice_param(request, "sort", "relevance", tuple(REPORT_SORTS))
    per_page = int_param(request, "per_page", PER_PAGE, lo=1, hi=MAX_PER_PAGE)
    page = int_param(request, "page", 1, lo=1, hi=MAX_RESULTS)
    facets = _facets_param(request)
    assert per_page is not None and page is not None
    offset = (page - 1) * per_page
    if offset >= MAX_RESULTS:
        raise bad_parameter("page", f"paging reaches the first {MAX_RESULTS} results only; download the whole result "
                            "set from /reports.jsonl or /reports.csv")  # fmt: skip
    result = store_of(request).query_reports(query, sort=sort, limit=per_page, offset=offset, facets=facets,
                                             facet_limit=FACET_LIMIT)  # fmt: skip
    base = site_base(request)
    pages = math.ceil(result.total / per_page) if result.total else 0
    reachable = min(pages, math.ceil(MAX_RESULTS / per_page))

    def link(p: int) -> str:
        extra: dict[str, object] = {"sort": sort if sort != "relevance" else None, "page": p}
        if per_page != PER_PAGE:
            extra["per_page"] = per_page
        if "facets" in request.query_params:
            extra["facets"] = ",".join(facets) or "none"
        return base + _api_reports_path(text or None, **extra)

    canonical = str(query)
    return _ok(
        request,
        {
            "q": text,
            "query": canonical,
            "ignored": list(query.ignored),
            "sort": sort,
            "total": result.total,
            "page": page,
            "per_page": per_page,
            "pages": pages,
            "hits": [_hit(base, h) for h in result.hits],
            "facets": {name: [{"value": v, "count": n} for v, n in result.facets.get(name, [])] for name in facets},
            "links": {
                "self": link(page),
                "first": link(1),
                "prev": link(page - 1) if 1 < page <= reachable + 1 else None,
                "next": link(page + 1) if page < reachable else None,
                "last": link(reachable) if reachable else None,
                "html": base + reports_url(canonical, sort=sort, page=page),
                "map": base + map_url(canonical),
                "timeline": base + timeline_url(canonical),
                "csv": base + reports_url(canonical, fmt="csv"),
                "jsonl": base + reports_url(canonical, fmt="jsonl"),
            },
        },
    )


@endpoint
@_unsupported
def api_report(request: Request) -> Response:
    key, moved = _key(request, "/api/v1/reports/{key}")
    if moved:
        return moved
    store = store_of(request)
    record = _record(request, key)
    base = site_base(request)
    versions = []
    for i, v in enumerate(store.get_report_versions(key), 1):
        meta = {k: v.get(k) for k in ("version_id", "current", "sha256", "format", "offset", "length", "line",
                                      "variant", "imported_at", "completeness")}  # fmt: skip
        path = str(v.get("path") or "").replace("\\", "/")
        meta.update(number=i, file=path.rsplit("/", 1)[-1] or None,
                    raw_url=base + report_url(key, "raw") + f"?version={i}")  # fmt: skip
        versions.append(meta)
    return _ok(
        request,
        {
            "key": key,
            "record": record,
            "versions": versions,
            "links": {
                "html": base + report_url(key),
                "json": base + report_url(key, "json"),
                "raw": base + report_url(key, "raw"),
                "pdf": base + report_url(key, "pdf"),
                "self": base + f"/api/v1/reports/{key}",
            },
        },
    )


def _bbox_param(request: Request) -> tuple[float, float, float, float]:
    from .svgmap import THEATRES, theatre_map

    raw = request.query_params.get("bbox")
    if raw:
        try:
            s, w, n, e = (float(v) for v in raw.split(","))
        except ValueError:
            raise bad_parameter("bbox", "expected four numbers south,west,north,east") from None
        if not all(math.isfinite(v) for v in (s, w, n, e)) or not (-90 <= s < n <= 90 and -180 <= w < e <= 180):
            raise bad_parameter("bbox", "expected south < north in -90..90 and west < east in -180..180")
        return s, w, n, e
    theatre = request.query_params.get("theatre") or "afghanistan"
    if theatre not in THEATRES:
        raise bad_parameter("theatre", f"expected one of {', '.join(THEATRES)}")
    return theatre_map(theatre).home


@endpoint
@_unsupported
def api_map(request: Request) -> Response:
    from .svgmap import choose_step

    text, query = _query(request)
    bbox = _bbox_param(request)
    raw_step = request.query_params.get("step")
    if raw_step:
        try:
            step = float(raw_step)
        except ValueError:
            raise bad_parameter("step", "expected a number of degrees (a power of two: 1, 0.5, 0.25 ...)") from None
    else:
        step = choose_step(bbox)
    try:
        bins = store_of(request).report_bins(query, bbox=bbox, step=step)
    except StoreError as exc:
        if str(exc) == REPORTS_UNSUPPORTED:
            raise
        raise bad_parameter("step" if "bin" in str(exc) else "bbox", str(exc)) from None
    base = site_base(request)
    return _ok(
        request,
        {
            "query": str(query),
            "total": bins.total,
            "binned": bins.binned,
            "outside": bins.outside,
            "unlocated": bins.unlocated,
            "step": bins.step,
            "bbox": list(bins.bbox),
            "cells": [
                {
                    "count": b.count,
                    "lat": b.lat,
                    "lon": b.lon,
                    "box": list(b.box(bins.step)),
                    "url": base + reports_url(str(query.with_filter("box", format_box(*b.box(bins.step))))),
                }
                for b in bins.bins
            ],
        },
    )


@endpoint
@_unsupported
def api_timeline(request: Request) -> Response:
    text, query = _query(request)
    t = store_of(request).report_timeline(query)
    return _ok(
        request,
        {
            "query": str(query),
            "total": t.total,
            "types": [{"value": v, "count": n} for v, n in t.types],
            "months": [
                {"month": m.month, "reports": m.reports, "by_type": m.by_type, "killed": m.killed,
                 "wounded": m.wounded, "detained": m.detained}  # fmt: skip
                for m in t.months
            ],
        },
    )


routes = [
    Route("/report/{key}.json", report_json, methods=GET, name="report_json"),
    Route("/report/{key}.raw", report_raw, methods=GET, name="report_raw"),
    Route("/report/{key}.pdf", report_pdf_route, methods=GET, name="report_pdf"),
    Route("/reports.csv", reports_csv, methods=GET, name="reports_csv"),
    Route("/reports.jsonl", reports_jsonl, methods=GET, name="reports_jsonl"),
    Route("/api/v1/reports", api_reports, methods=GET, name="api_reports"),
    Route("/api/v1/reports/map", api_map, methods=GET, name="api_reports_map"),
    Route("/api/v1/reports/timeline", api_timeline, methods=GET, name="api_reports_timeline"),
    Route("/api/v1/reports/{key}", api_report, methods=GET, name="api_report"),
]
