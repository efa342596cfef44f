"""The war diary's part of the OpenAPI document (``/api/v1/reports...``), merged into
``openapi.openapi_document``; written as data next to ``reports_data.py``."""

from __future__ import annotations

from typing import Any

from ..store.reports import REPORT_FACETS, REPORT_SORTS
from .openapi import _E400, _E422, _INT, _NINT, _NSTR, _NURL, _STR, _URL, _get, _json, _obj, _param, _ref

__all__ = ["REPORT_PATHS", "REPORT_SCHEMAS", "REPORT_TAG"]

REPORT_TAG = {"name": "reports", "description": "The war diary: search, one report, map and timeline counts."}

_NUM = {"type": "number"}
_NNUM = {"type": ["number", "null"]}
_Q = _param(
    "q",
    "query",
    {"type": "string", "maxLength": 2000, "default": ""},
    "A query in the search language with the war-diary fields (docs/search.md); empty selects every report.",
)
_KEY = _param("key", "path", {"type": "string", "maxLength": 64},
              "A ReportKey (GUID). Lower case or braces answer 301 with the canonical URL.")  # fmt: skip
_E404 = {"404": _json("Error", "No such report.")}
_E501 = {"501": _json("Error", "This mirror's database cannot hold reports (PostgreSQL, in this version).")}

REPORT_SCHEMAS: dict[str, Any] = {
    "ReportRecord": {
        "type": "object",
        "description": "The JSON record of a war-diary report (docs/warlogs.md): the 32 columns typed, theatre, "
        "extra columns, problems, generated, source.",
        "properties": {
            "report_key": _STR,
            "date": _STR,
            "type": _STR,
            "category": _STR,
            "title": _STR,
            "summary": _STR,
            "region": _STR,
            "latitude": _NNUM,
            "longitude": _NNUM,
            "mgrs": _STR,
            "theatre": {"type": "string", "enum": ["afghanistan", "iraq"]},
            "problems": {"type": "array", "items": {"type": "object"}},
            "generated": {"type": "boolean"},
            "source": {"type": ["object", "null"]},
        },
        "required": ["report_key", "date", "title", "summary", "theatre", "problems", "generated"],
        "additionalProperties": True,
    },
    "ReportHit": _obj(
        {
            "key": _STR,
            "date": _STR,
            "title": _STR,
            "type": _STR,
            "category": _STR,
            "region": _STR,
            "attack_on": _STR,
            "theatre": _STR,
            "kia": {**_INT, "description": "Killed, all sides (a count the report does not give adds nothing)."},
            "wia": {**_INT, "description": "Wounded, all sides."},
            "civilian": {**_INT, "description": "Civilians killed and wounded."},
            "friendly_kia": _NINT,
            "host_nation_kia": _NINT,
            "civilian_kia": _NINT,
            "enemy_kia": _NINT,
            "enemy_detained": _NINT,
            "latitude": _NNUM,
            "longitude": _NNUM,
            "mgrs": _STR,
            "tracking_number": _STR,
            "generated": {"type": "boolean"},
            "snippet": {**_STR, "description": "An excerpt with the matched words between « and » (empty without words)."},
            "score": _NUM,
            "url": _URL,
            "api_url": _URL,
        }
    ),
    "ReportSearchResult": _obj(
        {
            "q": _STR,
            "query": {**_STR, "description": "The query in its canonical form."},
            "ignored": {"type": "array", "items": _STR},
            "sort": _STR,
            "total": {**_INT, "description": "Exact number of matching reports."},
            "page": _INT,
            "per_page": _INT,
            "pages": _INT,
            "hits": {"type": "array", "items": _ref("ReportHit")},
            "facets": {"type": "object", "additionalProperties": {"type": "array", "items": _ref("FacetValue")}},
            "links": _obj(
                {k: _URL for k in ("self", "first", "html", "map", "timeline", "csv", "jsonl")}
                | {"prev": _NURL, "next": _NURL, "last": _NURL}
            ),
        }
    ),
    "ReportVersion": _obj(
        {
            "number": _INT,
            "version_id": _INT,
            "current": {"type": "boolean"},
            "sha256": _STR,
            "format": _STR,
            "file": _NSTR,
            "offset": _INT,
            "length": _INT,
            "line": _INT,
            "variant": _NSTR,
            "imported_at": _STR,
            "completeness": _INT,
            "raw_url": _URL,
        }
    ),
    "Report": _obj(
        {
            "key": _STR,
            "record": _ref("ReportRecord"),
            "versions": {"type": "array", "items": _ref("ReportVersion")},
            "links": _obj({k: _URL for k in ("html", "json", "raw", "pdf", "self")}),
        }
    ),
    "ReportMap": _obj(
        {
            "query": _STR,
            "total": _INT,
            "binned": {**_INT, "description": "Reports in the cells (binned + outside + unlocated = total)."},
            "outside": {**_INT, "description": "Reports with a position outside the cells' box."},
            "unlocated": {**_INT, "description": "Reports without a position."},
            "step": {**_NUM, "description": "Cell width in degrees (a power of two)."},
            "bbox": {"type": "array", "items": _NUM, "minItems": 4, "maxItems": 4},
            "cells": {
                "type": "array",
                "items": _obj({"count": _INT, "lat": _NUM, "lon": _NUM,
                               "box": {"type": "array", "items": _NUM, "minItems": 4, "maxItems": 4}, "url": _URL}),
            },
        }
    ),
    "ReportTimeline": _obj(
        {
            "query": _STR,
            "total": _INT,
            "types": {"type": "array", "items": _ref("FacetValue")},
            "months": {
                "type": "array",
                "items": _obj(
                    {
                        "month": _STR,
                        "reports": _INT,
                        "by_type": {"type": "object", "additionalProperties": _INT},
                        "killed": {"type": "object", "additionalProperties": _INT},
                        "wounded": {"type": "object", "additionalProperties": _INT},
                        "detained": _INT,
                    }
                ),
            },
        }
    ),
}

REPORT_PATHS: dict[str, Any] = {
    "/api/v1/reports": _get(
        "Search (or browse) war-diary reports",
        "reports",
        [
            _Q,
            _param("sort", "query", {"type": "string", "enum": list(REPORT_SORTS), "default": "relevance"},
                   "Order of hits; relevance is date order for a query without words."),
            _param("page", "query", {"type": "integer", "minimum": 1, "default": 1}, "Page number; paging reaches the first 10,000 results."),
            _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "Hits per page."),
            _param("facets", "query", {"type": "string", "default": ",".join(REPORT_FACETS)},
                   f"Comma-separated facets to count ({', '.join(REPORT_FACETS)}), or none."),
        ],
        _json("ReportSearchResult", "Exact total, facets, a page of hits and links."),
        _E400,
        _E422,
        _E501,
        tag="reports",
    ),
    "/api/v1/reports/{key}": _get(
        "A report: its current record and every stored version",
        "report",
        [_KEY],
        _json("Report", "The current record with its versions."),
        {"301": {"description": "Another spelling of the key: the Location header has the canonical URL."}},
        _E404,
        _E501,
        tag="reports",
    ),
    "/api/v1/reports/map": _get(
        "Reports counted per cell of a grid (the map)",
        "reports_map",
        [
            _Q,
            _param("bbox", "query", {"type": "string"}, "south,west,north,east in degrees (default: the theatre)."),
            _param("theatre", "query", {"type": "string", "enum": ["afghanistan", "iraq"]}, "The default bbox."),
            _param("step", "query", {"type": "number"}, "Cell width in degrees, a power of two (default: about 48 cells across)."),
        ],
        _json("ReportMap", "Cells with counts and links; the counts add up to the total."),
        _E400,
        _E422,
        _E501,
        tag="reports",
    ),
    "/api/v1/reports/timeline": _get(
        "Reports per month by type, and casualties per month by group",
        "reports_timeline",
        [_Q],
        _json("ReportTimeline", "Months with reports, in order."),
        _E400,
        _E501,
        tag="reports",
    ),
}


