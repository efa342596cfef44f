"""The OpenAPI 3.1 document of ``/api/v1`` (served at ``/api/v1/openapi.json``).

Written as data, next to the routes it describes; ``tests/web/test_api_openapi.py``
checks that every ``/api/v1`` route is described and that the document is valid.
"""

from __future__ import annotations

from typing import Any

from .. import __version__

__all__ = ["openapi_document", "PATHS"]

_STR = {"type": "string"}
_INT = {"type": "integer"}
_NSTR = {"type": ["string", "null"]}
_NINT = {"type": ["integer", "null"]}
_URL = {"type": "string", "format": "uri"}
_NURL = {"type": ["string", "null"], "format": "uri"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict[str, Any], required: list[str] | None = None, extra: bool = False) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": required if required is not None else list(props),
        "additionalProperties": extra,
    }


def _param(name: str, where: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema, "description": description}


_Q = _param(
    "q",
    "query",
    {"type": "string", "maxLength": 2000, "default": ""},
    "A query in the search language (docs/search.md); empty selects every cable.",
)
_PRETTY = _param("pretty", "query", {"type": "string", "enum": ["1", "true", "yes"]}, "Indent the JSON for reading.")
_ID = _param(
    "id",
    "path",
    {"type": "string", "maxLength": 64},
    "A cable reference id, e.g. 05ALMATY2985. Other spellings (05almaty002985) answer 301 with the canonical URL.",
)
_LIMIT = _param("limit", "query", {"type": "integer", "minimum": 1}, "Return at most this many values.")

_VERSION: dict[str, Any] = {
    "number": {**_INT, "description": "1 = the oldest import; used in URLs."},
    "version_id": _INT,
    "current": {"type": "boolean"},
    "sha256": _STR,
    "format": _STR,
    "file": _NSTR,
    "offset": _NINT,
    "length": _NINT,
    "line": _NINT,
    "imported_at": _NSTR,
    "released": _NSTR,
    "release_label": _NSTR,
    "raw_url": _URL,
    "api_url": _URL,
}

SCHEMAS: dict[str, Any] = {
    "Error": _obj(
        {"error": _STR, "detail": _STR},
        extra=True,
    ),
    "QueryError": _obj(
        {
            "error": {"const": "query_syntax"},
            "detail": {**_STR, "description": "The message with its column and hint, for people."},
            "message": _STR,
            "position": {**_INT, "description": "0-based offset of the problem in the query."},
            "column": {**_INT, "description": "1-based column of the problem."},
            "hint": _NSTR,
        }
    ),
    "NotInMirror": _obj(
        {
            "error": {"enum": ["not_in_mirror"]},
            "detail": _STR,
            "id": _STR,
            "cited_by": {"type": "array", "items": _STR, "description": "Stored cables that cite this id."},
        }
    ),
    "Record": {
        "type": "object",
        "description": "The JSON record of a cable (docs/record.md).",
        "properties": {
            "id": _STR,
            "created": _NSTR,
            "released": _NSTR,
            "origin": _NSTR,
            "classification": _NSTR,
            "subject": _STR,
            "title": _STR,
            "tags": {"type": "array", "items": _STR},
            "references": {"type": "array", "items": {"type": "object"}},
            "partial": {"type": "boolean"},
            "paragraphs": {"type": "array", "items": {"type": "object"}},
            "body": _STR,
            "header": _STR,
            "source": {"type": ["object", "null"]},
        },
        "required": ["id", "body"],
        "additionalProperties": True,
    },
    "Hit": _obj(
        {
            "id": _STR,
            "title": _STR,
            "created": _NSTR,
            "origin": _NSTR,
            "classification": _NSTR,
            "snippet": {**_STR, "description": "An excerpt with the matched words between « and »."},
            "paragraph": {**_NINT, "description": "The paragraph of the first match in the body."},
            "score": {"type": "number", "description": "Relevance: higher is better."},
            "url": _URL,
            "api_url": _URL,
        }
    ),
    "FacetValue": _obj({"value": _STR, "count": _INT}),
    "SearchResult": _obj(
        {
            "q": {**_STR, "description": "The query as given."},
            "query": {**_STR, "description": "The query in its canonical form (same meaning)."},
            "ignored": {"type": "array", "items": _STR, "description": "Words too common to search."},
            "sort": _STR,
            "total": {**_INT, "description": "Exact number of matching cables."},
            "page": _INT,
            "per_page": _INT,
            "pages": _INT,
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": {"type": "object", "additionalProperties": {"type": "array", "items": _ref("FacetValue")}},
            "links": _obj(
                {
                    "self": _URL,
                    "first": _URL,
                    "prev": _NURL,
                    "next": _NURL,
                    "last": _NURL,
                    "html": _URL,
                    "atom": _URL,
                    "csv": _URL,
                    "jsonl": _URL,
                    "pdf": _URL,
                }
            ),
        }
    ),
    "Version": _obj(_VERSION),
    "CableLinks": _obj(
        {
            k: _URL
            for k in ("html", "json", "raw", "pdf", "self", "references", "versions", "diff", "cited_by")
        }
    ),
    "Cable": _obj(
        {
            "id": _STR,
            "record": _ref("Record"),
            "versions": {"type": "array", "items": _ref("Version")},
            "cited_by": {"type": "array", "items": _STR},
            "cited_by_count": _INT,
            "links": _ref("CableLinks"),
        }
    ),
    "Reference": {
        "type": "object",
        "properties": {
            "bullet": _NSTR,
            "value": _STR,
            "kind": {"type": "string", "enum": ["cable", "email", "telcon", "report", "other"]},
            "id": _NSTR,
            "stored": {"type": "boolean"},
            "title": _NSTR,
            "cited_by_count": _INT,
            "url": _NURL,
            "api_url": _NURL,
        },
        "required": ["bullet", "value", "kind", "id"],
        "additionalProperties": True,
    },
    "References": _obj(
        {
            "id": _STR,
            "references": {"type": "array", "items": _ref("Reference")},
            "cited_by": {"type": "array", "items": _STR},
            "links": _ref("CableLinks"),
        }
    ),
    "Versions": _obj({"id": _STR, "versions": {"type": "array", "items": _ref("Version")}}),
    # A version's metadata with the cable id and that version's record.
    "VersionRecord": _obj({"id": _STR, **_VERSION, "record": _ref("Record")}),
    "DiffOp": _obj({"op": {"type": "string", "enum": ["equal", "delete", "insert"]}, "text": _STR}),
    "Diff": _obj(
        {
            "id": _STR,
            "a": _ref("Version"),
            "b": _ref("Version"),
            "fields": {
                "type": "array",
                "items": _obj({"field": _STR, "a": {}, "b": {}}),
                "description": "Record fields whose values differ.",
            },
            "body": {
                "type": "array",
                "items": _ref("DiffOp"),
                "description": "The body, word by word: equal + insert runs give b, equal + delete runs give a.",
            },
            "stats": _obj({"inserted": _INT, "deleted": _INT, "equal": _INT}),
        }
    ),
    "Values": _obj(
        {
            "field": _STR,
            "query": _STR,
            "total_values": _INT,
            "values": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "value": _STR,
                        "count": _INT,
                        "kind": _NSTR,
                        "meaning": _NSTR,
                        "note": _NSTR,
                    },
                    "required": ["value", "count"],
                },
            },
        }
    ),
    "Dates": _obj(
        {
            "period": {"type": "string", "enum": ["year", "month", "day"]},
            "year": _NINT,
            "month": _NINT,
            "query": _STR,
            "total": _INT,
            "values": {"type": "array", "items": _ref("FacetValue")},
        }
    ),
    "Collections": _obj(
        {
            "collections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": _STR,
                        "title": _STR,
                        "count": _INT,
                        "first": _NSTR,
                        "last": _NSTR,
                        "generated": {"type": "boolean"},
                    },
                    "required": ["name", "count"],
                },
            }
        }
    ),
    "Index": _obj(
        {"name": _STR, "api": _STR, "openapi": _URL, "endpoints": {"type": "object", "additionalProperties": _STR}}
    ),
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


_E400 = {"400": _json("QueryError", "The query cannot be read: message, column and hint.")}
_E404 = {
    "404": {
        "description": "No such cable (or version). A cable cited by stored cables but not in the mirror says so.",
        "content": {"application/json": {"schema": {"oneOf": [_ref("NotInMirror"), _ref("Error")]}}},
    }
}
_E422 = {"422": _json("Error", "A parameter is out of range or malformed.")}
_E503 = {"503": _json("Error", "The database is busy or unavailable.")}
_301 = {"301": {"description": "Another spelling of the id: the Location header has the canonical URL."}}


def _get(summary: str, op_id: str, params: list[dict[str, Any]], ok: dict[str, Any], *errors: dict[str, Any], tag: str) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok}
    for e in errors:
        responses.update(e)
    responses.update(_E503)
    return {"get": {"summary": summary, "operationId": op_id, "tags": [tag], "parameters": [*params, _PRETTY], "responses": responses}}


PATHS: dict[str, Any] = {
    "/api/v1": _get("What this API offers, with URL templates", "index", [], _json("Index", "The API's entry points."), tag="api"),
    "/api/v1/search": _get(
        "Search (or browse) cables",
        "search",
        [
            _Q,
            _param(
                "sort",
                "query",
                {"type": "string", "enum": ["relevance", "date", "-date", "released", "-released", "id"], "default": "relevance"},
                "Order of hits; relevance is date order for a query without words.",
            ),
            _param("page", "query", {"type": "integer", "minimum": 1, "default": 1}, "Page number; paging reaches the first 10,000 results."),
            _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "Hits per page."),
            _param(
                "facets",
                "query",
                {"type": "string", "default": "origin,year,classification,tag"},
                "Comma-separated facets to count over the whole result set (origin, year, classification, tag), or none.",
            ),
        ],
        _json("SearchResult", "Exact total, facets, a page of hits, links to the next and previous pages and to exports."),
        _E400,
        _E422,
        tag="search",
    ),
    "/api/v1/cables/{id}": _get(
        "A cable: its record, versions and the cables that cite it",
        "cable",
        [_ID],
        _json("Cable", "The current record with its versions and citing cables."),
        _301,
        _E404,
        tag="cables",
    ),
    "/api/v1/cables/{id}/references": _get(
        "What a cable cites, in order, and which of those cables are in the mirror",
        "references",
        [_ID],
        _json("References", "The references of the current version."),
        _301,
        _E404,
        tag="cables",
    ),
    "/api/v1/cables/{id}/versions": _get(
        "Every stored version of a cable, oldest import first",
        "versions",
        [_ID],
        _json("Versions", "Version metadata (provenance, sha256 of the bytes)."),
        _301,
        _E404,
        tag="cables",
    ),
    "/api/v1/cables/{id}/versions/{n}": _get(
        "One version of a cable with its record",
        "version",
        [_ID, _param("n", "path", {"type": "integer", "minimum": 1}, "Version number (1 = oldest import).")],
        _json("VersionRecord", "The version's metadata and record."),
        _301,
        _E404,
        tag="cables",
    ),
    "/api/v1/cables/{id}/diff": _get(
        "Word-level difference between two versions of a cable",
        "diff",
        [
            _ID,
            _param("a", "query", {"type": "integer", "minimum": 1}, "The older version (default: the one before b)."),
            _param("b", "query", {"type": "integer", "minimum": 1}, "The newer version (default: the current one)."),
        ],
        _json("Diff", "Changed fields and the body as equal/delete/insert runs."),
        _301,
        _E404,
        _E422,
        tag="cables",
    ),
    "/api/v1/tags": _get(
        "TAGS with their number of cables and meaning",
        "tags",
        [_Q, _LIMIT],
        _json("Values", "Tags by count, descending."),
        _E400,
        _E422,
        tag="browse",
    ),
    "/api/v1/origins": _get(
        "Sending offices with their number of cables",
        "origins",
        [_Q, _LIMIT],
        _json("Values", "Origins by count, descending."),
        _E400,
        _E422,
        tag="browse",
    ),
    "/api/v1/classifications": _get(
        "Classifications with their number of cables",
        "classifications",
        [_Q, _LIMIT],
        _json("Values", "Classifications by count, descending."),
        _E400,
        _E422,
        tag="browse",
    ),
    "/api/v1/dates": _get(
        "Cables per year, per month of a year, or per day of a month",
        "dates",
        [
            _Q,
            _param("year", "query", {"type": "integer", "minimum": 1000, "maximum": 9999}, "Count per month of this year."),
            _param("month", "query", {"type": "integer", "minimum": 1, "maximum": 12}, "With year: count per day of this month."),
        ],
        _json("Dates", "Periods in date order; periods without cables are absent."),
        _E400,
        _E422,
        tag="browse",
    ),
    "/api/v1/collections": _get(
        "The collections held by this mirror",
        "collections",
        [],
        _json("Collections", "Name, size and date range of each collection."),
        tag="browse",
    ),
    "/api/v1/openapi.json": _get(
        "This document",
        "openapi",
        [],
        {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}},
        tag="api",
    ),
}


def openapi_document(server: str = "", site_name: str = "cablemirror") -> dict[str, Any]:
    """The OpenAPI 3.1 document, with ``server`` (the site's root URL) as its server."""
    from .openapi_reports import REPORT_PATHS, REPORT_SCHEMAS, REPORT_TAG  # the war diary's part

    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{site_name} API",
            "version": __version__,
            "summary": "Read-only JSON API of a cablemirror site: search, cables, versions, browse counts.",
            "description": (
                "Public, read-only, no key. Every answer carries Access-Control-Allow-Origin: *. "
                "Errors are JSON objects {error, detail}. Queries use the language of docs/search.md. "
                "Whole result sets: /search.csv and /search.jsonl (streamed); records: /cable/{id}.json, "
                "exact source bytes: /cable/{id}.raw, PDF: /cable/{id}.pdf; Atom: /feed.atom?q=."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server or "/"}],
        "tags": [
            {"name": "search", "description": "Full-text search with the query language."},
            {"name": "cables", "description": "One cable, its references and versions."},
            {"name": "browse", "description": "Counts for browsing the collection."},
            REPORT_TAG,
            {"name": "api", "description": "About the API."},
        ],
        "paths": {**PATHS, **REPORT_PATHS},
        "components": {"schemas": {**SCHEMAS, **REPORT_SCHEMAS}},
    }
