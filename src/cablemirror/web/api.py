"""The JSON API, ``/api/v1/...``: search, cables, references, versions and diffs,
browse counts, collections, and its OpenAPI document (``openapi.py``; docs/api.md).

Read-only and public: every answer carries ``Access-Control-Allow-Origin: *``.
Errors are ``{"error": code, "detail": sentence, ...}`` with 400 (query syntax), 404
(unknown cable, version or route), 422 (a bad parameter) or 503 (busy database).
"""

from __future__ import annotations

import math
import os
from typing import Any, Hashable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..cables.glossary import tag as tag_info
from ..search import Query
from .openapi import openapi_document
from .respond import (
    SORTS,
    ApiError,
    bad_parameter,
    choice_param,
    endpoint,
    int_param,
    json_response,
    query_param,
    redirect,
    resolve_cable,
    site_name,
    store_of,
    wants_pretty,
)
from .views.pagecache import cached_view
from .urls import api_cable_path, api_path, api_search_path, cable_path, feed_path, search_path, site_base
from .worddiff import word_diff

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_RESULTS = 10_000  # deepest result reachable by paging; /search.jsonl exports the whole set
FACETS = ("origin", "year", "classification", "tag")
FACET_LIMIT = 15
GET = ["GET", "HEAD", "OPTIONS"]
# Fields compared between versions besides the body text.
DIFF_FIELDS = (
    "id", "created", "released", "origin", "classification", "subject", "title", "tags", "captions",
    "partial", "redactions", "declassify_on", "classification_reasons", "signed_by", "header",
)


def _ok(request: Request, data: Any) -> Response:
    return json_response(data, pretty=wants_pretty(request))


# ---------------------------------------------------------------------------
# Search


def _facets_param(request: Request) -> tuple[str, ...]:
    raw = request.query_params.get("facets")
    if raw is None:
        return FACETS
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    if names == ("none",):
        return ()
    bad = [n for n in names if n not in FACETS]
    if bad:
        raise bad_parameter("facets", f"unknown facet {bad[0][:40]!r}; choose from {', '.join(FACETS)} (or none)")
    return names


def _hit(base: str, hit: Any) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "created": hit.created,
        "origin": hit.origin,
        "classification": hit.classification,
        "snippet": hit.snippet,
        "paragraph": hit.paragraph,
        "score": hit.score,
        "url": base + cable_path(hit.id),
        "api_url": base + api_cable_path(hit.id),
    }


@endpoint
def api_search(request: Request) -> Response:
    text, query = query_param(request)
    sort = choice_param(request, "sort", "relevance", SORTS)
    per_page = int_param(request, "per_page", PER_PAGE, lo=1, hi=MAX_PER_PAGE)
    page = int_param(request, "page", 1, lo=1, hi=MAX_RESULTS)
    facets = _facets_param(request)
    assert per_page is not None and page is not None
    offset = (page - 1) * per_page
    if offset >= MAX_RESULTS:
        raise bad_parameter(
            "page",
            f"paging reaches the first {MAX_RESULTS} results only (page {page} of {per_page} starts at "
            f"result {offset + 1}); download the whole result set from /search.jsonl or /search.csv",
        )
    result = store_of(request).query(
        query, sort=sort, limit=per_page, offset=offset, facets=facets, facet_limit=FACET_LIMIT
    )
    base = site_base(request)
    pages = math.ceil(result.total / per_page) if result.total else 0
    reachable = min(pages, math.ceil(MAX_RESULTS / per_page))

    def link(p: int) -> str:
        extra: dict[str, object] = {"sort": sort if sort != "relevance" else None, "page": p}
        if per_page != PER_PAGE:
            extra["per_page"] = per_page
        if "facets" in request.query_params:
            extra["facets"] = ",".join(facets) or "none"
        return base + api_search_path(text or None, **extra)

    links = {
        "self": link(page),
        "first": link(1),
        "prev": link(page - 1) if 1 < page <= reachable + 1 else None,
        "next": link(page + 1) if page < reachable else None,
        "last": link(reachable) if reachable else None,
        "html": base + search_path(text or None, sort=sort if sort != "relevance" else None, page=page),
        "atom": base + feed_path(text or None),
        "csv": base + search_path(text or None, "csv"),
        "jsonl": base + search_path(text or None, "jsonl"),
        "pdf": base + search_path(text or None, "pdf"),
    }
    return _ok(
        request,
        {
            "q": text,
            "query": str(query),
            "ignored": list(query.ignored),
            "sort": sort,
            "total": result.total,
            "page": page,
            "per_page": per_page,
            "pages": pages,
            "hits": [_hit(base, h) for h in result.hits],
            "facets": {
                name: [{"value": v, "count": n} for v, n in result.facets.get(name, [])] for name in facets
            },
            "links": links,
        },
    )


def _search_key(request: Request) -> Hashable | None:
    """An answer of the search API is kept a minute (``pagecache``), by the site's
    address and the whole query string; a CORS preflight is never kept."""
    if request.method != "GET":
        return None
    return "api_search", site_base(request), request.url.query


# The route's handler: the same search asked again within a minute comes from the cache,
# and the same search asked by many at once is answered once.
api_search_cached = cached_view(api_search, _search_key)


# ---------------------------------------------------------------------------
# One cable


def _file_name(path: object) -> str | None:
    # Only the file's name: the folder it was imported from is the operator's business.
    return os.path.basename(str(path).replace("\\", "/")) if path else None


def _version_meta(base: str, cid: str, number: int, v: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": number,
        "version_id": v.get("version_id"),
        "current": bool(v.get("current")),
        "sha256": v.get("sha256"),
        "format": v.get("format"),
        "file": _file_name(v.get("path")),
        "offset": v.get("offset"),
        "length": v.get("length"),
        "line": v.get("line"),
        "imported_at": v.get("imported_at"),
        "released": v.get("released"),
        "release_label": v.get("release_label"),
        "raw_url": base + cable_path(cid, "raw", version=number),
        "api_url": base + api_cable_path(cid, "versions", str(number)),
    }


def _cable_links(base: str, cid: str) -> dict[str, str]:
    return {
        "html": base + cable_path(cid),
        "json": base + cable_path(cid, "json"),
        "raw": base + cable_path(cid, "raw"),
        "pdf": base + cable_path(cid, "pdf"),
        "self": base + api_cable_path(cid),
        "references": base + api_cable_path(cid, "references"),
        "versions": base + api_cable_path(cid, "versions"),
        "diff": base + api_cable_path(cid, "diff"),
        "cited_by": base + api_search_path(f"ref:{cid}"),
    }


def _cable_or_redirect(request: Request, *rest: str) -> tuple[str, Response | None]:
    found = resolve_cable(store_of(request), request.path_params["id"])
    if found.redirect:
        return found.id, redirect(request, api_cable_path(found.id, *rest))
    return found.id, None


@endpoint
def api_cable(request: Request) -> Response:
    cid, moved = _cable_or_redirect(request)
    if moved:
        return moved
    store = store_of(request)
    record = store.get_cable(cid)  # the same record as /cable/{id}.json (with store-added keys)
    versions = store.get_versions(cid)
    if record is None:
        raise ApiError(404, "not_found", f"no cable {cid} in this mirror", id=cid)
    base = site_base(request)
    cited_by = store.cited_by(cid)
    return _ok(
        request,
        {
            "id": cid,
            "record": record,
            "versions": [_version_meta(base, cid, i, v) for i, v in enumerate(versions, 1)],
            "cited_by": cited_by,
            "cited_by_count": len(cited_by),
            "links": _cable_links(base, cid),
        },
    )


@endpoint
def api_references(request: Request) -> Response:
    cid, moved = _cable_or_redirect(request, "references")
    if moved:
        return moved
    store = store_of(request)
    base = site_base(request)
    refs = []
    for ref in store.references(cid):
        item = dict(ref)
        if item.get("id"):
            item["url"] = base + cable_path(item["id"]) if item.get("stored") else None
            item["api_url"] = base + api_cable_path(item["id"]) if item.get("stored") else None
        refs.append(item)
    cited_by = store.cited_by(cid)
    return _ok(request, {"id": cid, "references": refs, "cited_by": cited_by, "links": _cable_links(base, cid)})


@endpoint
def api_versions(request: Request) -> Response:
    cid, moved = _cable_or_redirect(request, "versions")
    if moved:
        return moved
    base = site_base(request)
    versions = store_of(request).get_versions(cid)
    return _ok(
        request,
        {"id": cid, "versions": [_version_meta(base, cid, i, v) for i, v in enumerate(versions, 1)]},
    )


def _changed_fields(ra: dict[str, Any], rb: dict[str, Any]) -> list[dict[str, Any]]:
    """Record fields that differ between two versions; the release metadata per key
    (``release.release_label``: releases of the same page differ mostly there)."""
    out = [{"field": f, "a": ra.get(f), "b": rb.get(f)} for f in DIFF_FIELDS if ra.get(f) != rb.get(f)]
    rel_a, rel_b = ra.get("release") or {}, rb.get("release") or {}
    if isinstance(rel_a, dict) and isinstance(rel_b, dict):
        for key in dict.fromkeys([*rel_a, *rel_b]):
            if rel_a.get(key) != rel_b.get(key):
                out.append({"field": f"release.{key}", "a": rel_a.get(key), "b": rel_b.get(key)})
    return out


def _nth(versions: list[dict[str, Any]], cid: str, number: int, status: int, param: str | None) -> dict[str, Any]:
    if 1 <= number <= len(versions):
        return versions[number - 1]
    detail = f"{cid} has {len(versions)} stored version{'s' if len(versions) != 1 else ''}, not {number}"
    if param:
        raise bad_parameter(param, detail)
    raise ApiError(status, "no_such_version", detail, id=cid, versions=len(versions))


@endpoint
def api_version(request: Request) -> Response:
    raw_n = request.path_params["n"]
    cid, moved = _cable_or_redirect(request, "versions", raw_n)
    if moved:
        return moved
    if not (raw_n.isdigit() and len(raw_n) < 8):
        raise ApiError(404, "no_such_version", f"{raw_n[:40]!r} is not a version number (1, 2, ...)", id=cid)
    number = int(raw_n)
    versions = store_of(request).get_versions(cid)
    v = _nth(versions, cid, number, 404, None)
    base = site_base(request)
    return _ok(request, {"id": cid, **_version_meta(base, cid, number, v), "record": v.get("record")})


@endpoint
def api_diff(request: Request) -> Response:
    cid, moved = _cable_or_redirect(request, "diff")
    if moved:
        return moved
    versions = store_of(request).get_versions(cid)
    if not versions:
        raise ApiError(404, "not_found", f"no stored versions of {cid}", id=cid)
    current = next((i for i, v in enumerate(versions, 1) if v["current"]), len(versions))
    b = int_param(request, "b", current, lo=1, hi=1_000_000)
    assert b is not None
    a = int_param(request, "a", max(1, b - 1), lo=1, hi=1_000_000)
    assert a is not None
    va = _nth(versions, cid, a, 422, "a")
    vb = _nth(versions, cid, b, 422, "b")
    ra, rb = va.get("record") or {}, vb.get("record") or {}
    try:
        diff = word_diff(str(ra.get("body") or ""), str(rb.get("body") or ""))
    except ValueError as exc:
        raise ApiError(422, "too_long", str(exc), id=cid) from None
    base = site_base(request)
    return _ok(
        request,
        {
            "id": cid,
            "a": _version_meta(base, cid, a, va),
            "b": _version_meta(base, cid, b, vb),
            "fields": _changed_fields(ra, rb),
            "body": diff["ops"],
            "stats": {"inserted": diff["inserted"], "deleted": diff["deleted"], "equal": diff["equal"]},
        },
    )


# ---------------------------------------------------------------------------
# Browse


def _counts(request: Request, field: str) -> tuple[str, Query, list[tuple[str, int]]]:
    text, query = query_param(request)
    return text, query, store_of(request).counts(field, query)


def _values_page(request: Request, field: str, rows: list[dict[str, Any]], query: Query) -> Response:
    limit = int_param(request, "limit", None, lo=1, hi=1_000_000)
    return _ok(
        request,
        {"field": field, "query": str(query), "total_values": len(rows), "values": rows[:limit] if limit else rows},
    )


@endpoint
def api_tags(request: Request) -> Response:
    _, query, counts = _counts(request, "tag")
    rows = []
    for code, n in counts:
        info = tag_info(code)
        rows.append(
            {
                "value": code,
                "count": n,
                "kind": info.kind if info else None,
                "meaning": info.meaning if info else None,
                "note": info.note if info else None,
            }
        )
    return _values_page(request, "tag", rows, query)


@endpoint
def api_origins(request: Request) -> Response:
    _, query, counts = _counts(request, "origin")
    return _values_page(request, "origin", [{"value": v, "count": n} for v, n in counts], query)


@endpoint
def api_classifications(request: Request) -> Response:
    _, query, counts = _counts(request, "classification")
    return _values_page(request, "classification", [{"value": v, "count": n} for v, n in counts], query)


@endpoint
def api_dates(request: Request) -> Response:
    _, query = query_param(request)
    year = int_param(request, "year", None, lo=1000, hi=9999)
    month = int_param(request, "month", None, lo=1, hi=12)
    if month is not None and year is None:
        raise bad_parameter("month", "needs a year (?year=2005&month=8)")
    rows = store_of(request).histogram(query, year=year, month=month)
    period = "day" if month is not None else "month" if year is not None else "year"
    return _ok(
        request,
        {
            "period": period,
            "year": year,
            "month": month,
            "query": str(query),
            "total": sum(n for _, n in rows),
            "values": [{"value": p, "count": n} for p, n in rows],
        },
    )


@endpoint
def api_collections(request: Request) -> Response:
    return _ok(request, {"collections": store_of(request).collections()})


# ---------------------------------------------------------------------------
# The API itself


@endpoint
def api_index(request: Request) -> Response:
    base = site_base(request)
    return _ok(
        request,
        {
            "name": site_name(request),
            "api": "v1",
            "openapi": base + api_path("openapi.json"),
            "endpoints": {
                "search": base + api_path("search") + "?q={query}&sort={sort}&page={page}&per_page={per_page}",
                "cable": base + api_path("cables") + "/{id}",
                "references": base + api_path("cables") + "/{id}/references",
                "versions": base + api_path("cables") + "/{id}/versions",
                "version": base + api_path("cables") + "/{id}/versions/{n}",
                "diff": base + api_path("cables") + "/{id}/diff?a={n}&b={n}",
                "tags": base + api_path("tags"),
                "origins": base + api_path("origins"),
                "classifications": base + api_path("classifications"),
                "dates": base + api_path("dates") + "?year={year}&month={month}",
                "collections": base + api_path("collections"),
            },
        },
    )


@endpoint
def api_openapi(request: Request) -> Response:
    return _ok(request, openapi_document(site_base(request), site_name(request)))


@endpoint
def api_not_found(request: Request) -> Response:
    raise ApiError(
        404, "no_such_endpoint", f"no API endpoint {request.url.path[:200]}; see {api_path('openapi.json')}"
    )


routes = [
    Route("/api/v1", api_index, methods=GET, name="api_index"),
    Route("/api/v1/", api_index, methods=GET, name="api_index_slash"),
    Route("/api/v1/search", api_search_cached, methods=GET, name="api_search"),
    Route("/api/v1/cables/{id}", api_cable, methods=GET, name="api_cable"),
    Route("/api/v1/cables/{id}/references", api_references, methods=GET, name="api_references"),
    Route("/api/v1/cables/{id}/versions", api_versions, methods=GET, name="api_versions"),
    Route("/api/v1/cables/{id}/versions/{n}", api_version, methods=GET, name="api_version"),
    Route("/api/v1/cables/{id}/diff", api_diff, methods=GET, name="api_diff"),
    Route("/api/v1/tags", api_tags, methods=GET, name="api_tags"),
    Route("/api/v1/origins", api_origins, methods=GET, name="api_origins"),
    Route("/api/v1/classifications", api_classifications, methods=GET, name="api_classifications"),
    Route("/api/v1/dates", api_dates, methods=GET, name="api_dates"),
    Route("/api/v1/collections", api_collections, methods=GET, name="api_collections"),
    Route("/api/v1/openapi.json", api_openapi, methods=GET, name="api_openapi"),
    # Last: anything else under /api/v1 is a JSON 404, never an HTML page.
    Route(
        "/api/v1/{rest:path}",
        api_not_found,
        methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
        name="api_not_found",
    ),
]
