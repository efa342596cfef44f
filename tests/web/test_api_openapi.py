"""The OpenAPI document: it describes every /api/v1 route served, is valid OpenAPI
3.1 (openapi-spec-validator when installed, structural checks always), and real
answers of every endpoint match the schemas it declares (jsonschema when installed)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cablemirror.web import data
from cablemirror.web.openapi import openapi_document

CATCH_ALL = "/api/v1/{rest:path}"


def _served_api_paths() -> set[str]:
    paths = {r.path for r in data.routes if r.path.startswith("/api/v1")}
    paths.discard(CATCH_ALL)
    paths.discard("/api/v1/")  # the same index as /api/v1
    return paths


def test_every_api_route_is_described(demo_client):
    doc = demo_client.get("/api/v1/openapi.json").json()
    assert set(doc["paths"]) == _served_api_paths()
    for route in data.routes:
        if route.path in doc["paths"]:
            assert "GET" in route.methods


def test_path_parameters_match_the_routes():
    doc = openapi_document("http://x")
    for path, item in doc["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for p in item["get"]["parameters"] if p["in"] == "path"}
        assert names == declared, path
        for p in item["get"]["parameters"]:
            assert p["in"] in ("path", "query") and "schema" in p and p["description"]
            if p["in"] == "path":
                assert p["required"] is True


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        out = [node["$ref"]] if "$ref" in node else []
        for v in node.values():
            out += _refs(v)
        return out
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_structure():
    doc = openapi_document("https://cables.example.org", "Mirror")
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] == "Mirror API" and doc["info"]["version"]
    assert doc["servers"] == [{"url": "https://cables.example.org"}]
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    op_ids = [item["get"]["operationId"] for item in doc["paths"].values()]
    assert len(op_ids) == len(set(op_ids))
    for item in doc["paths"].values():
        responses = item["get"]["responses"]
        assert "200" in responses
        for code, resp in responses.items():
            assert re.match(r"^[1-5]\d\d$", code) and resp["description"]


def test_valid_openapi_31():
    validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator is not installed")
    validator.validate(openapi_document("https://cables.example.org"))


def _schema_for(doc: dict, path: str, status: str) -> dict:
    resp = doc["paths"][path]["get"]["responses"][status]
    schema = resp["content"]["application/json"]["schema"]
    # One self-contained JSON Schema: the $refs point into the document's components.
    return {**schema, "$defs": doc["components"]["schemas"]}


def _validate(doc: dict, path: str, status: str, body: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    schema = _schema_for(doc, path, status)
    text = __import__("json").dumps(schema).replace("#/components/schemas/", "#/$defs/")
    jsonschema.Draft202012Validator(__import__("json").loads(text)).validate(body)


def test_answers_match_their_schemas(demo_client, demo_store):
    from cablemirror.store import open_store

    with open_store(str(demo_store), readonly=True) as store:
        cid = next(c for c, _ in store.iter_ids() if store.get_cable(c)["references"])
    doc = demo_client.get("/api/v1/openapi.json").json()
    cases = [
        ("/api/v1", "/api/v1", "200"),
        ("/api/v1/search", "/api/v1/search?q=embassy", "200"),
        ("/api/v1/search", "/api/v1/search?q=(", "400"),
        ("/api/v1/search", "/api/v1/search?per_page=1000", "422"),
        ("/api/v1/cables/{id}", f"/api/v1/cables/{cid}", "200"),
        ("/api/v1/cables/{id}", "/api/v1/cables/99NOWHERE1", "404"),
        ("/api/v1/cables/{id}/references", f"/api/v1/cables/{cid}/references", "200"),
        ("/api/v1/cables/{id}/versions", f"/api/v1/cables/{cid}/versions", "200"),
        ("/api/v1/cables/{id}/versions/{n}", f"/api/v1/cables/{cid}/versions/1", "200"),
        ("/api/v1/cables/{id}/versions/{n}", f"/api/v1/cables/{cid}/versions/5", "404"),
        ("/api/v1/cables/{id}/diff", f"/api/v1/cables/{cid}/diff", "200"),
        ("/api/v1/cables/{id}/diff", f"/api/v1/cables/{cid}/diff?a=7", "422"),
        ("/api/v1/tags", "/api/v1/tags", "200"),
        ("/api/v1/origins", "/api/v1/origins?q=tag:PGOV", "200"),
        ("/api/v1/classifications", "/api/v1/classifications", "200"),
        ("/api/v1/dates", "/api/v1/dates?year=2005", "200"),
        ("/api/v1/collections", "/api/v1/collections", "200"),
        # the war diary (a store without reports answers empty; tests/web/test_reports.py checks full answers)
        ("/api/v1/reports", "/api/v1/reports?q=ied", "200"),
        ("/api/v1/reports/{key}", "/api/v1/reports/0A1B2C3D-1111-2222-3333-444455556666", "404"),
        ("/api/v1/reports/map", "/api/v1/reports/map", "200"),
        ("/api/v1/reports/timeline", "/api/v1/reports/timeline", "200"),
    ]
    described = {path for path, _, _ in cases}
    assert described >= _served_api_paths() - {"/api/v1/openapi.json"}
    for path, url, status in cases:
        r = demo_client.get(url)
        assert str(r.status_code) == status, (url, r.text[:200])
        _validate(doc, path, status, r.json())
