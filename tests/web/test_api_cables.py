"""/api/v1/cables/{id} (+ references, versions, diff), browse counts, collections,
the index, CORS and JSON errors everywhere under /api/v1."""

from __future__ import annotations

from pathlib import Path

import pytest

from cablemirror.cables.glossary import tag as tag_info
from cablemirror.store import open_store


def _store(path: Path):
    return open_store(str(path), readonly=True)


@pytest.fixture(scope="module")
def cited(demo_store: Path) -> tuple[str, list[str]]:
    """A stored cable that other stored cables cite, and who cites it."""
    with _store(demo_store) as store:
        for cid, _ in store.iter_ids():
            by = store.cited_by(cid)
            if by:
                return cid, by
    raise AssertionError("the demo collection has no stored cable cited by another")


def test_cable(demo_client, demo_store, cited):
    cid, citing = cited
    r = demo_client.get(f"/api/v1/cables/{cid}")
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    body = r.json()
    with _store(demo_store) as store:
        assert body["record"] == store.get_cable(cid)
        versions = store.get_versions(cid)
    assert body["id"] == cid
    assert body["cited_by"] == citing and body["cited_by_count"] == len(citing)
    assert [v["sha256"] for v in body["versions"]] == [v["sha256"] for v in versions]
    v = body["versions"][0]
    assert v["number"] == 1 and v["current"] is True
    assert v["file"] == "demo-cables.csv"  # the file's name, not the operator's folders
    assert "/" not in v["file"] and "path" not in v and "completeness" not in v
    assert v["raw_url"] == f"http://testserver/cable/{cid}.raw?version=1"
    links = body["links"]
    assert links["pdf"] == f"http://testserver/cable/{cid}.pdf"
    assert links["cited_by"].startswith("http://testserver/api/v1/search?q=ref%3A")


def test_cable_redirects_and_404s(demo_client, cited):
    cid, _ = cited
    r = demo_client.get(f"/api/v1/cables/{cid.lower()}/versions?pretty=1", follow_redirects=False)
    assert r.status_code == 301
    assert r.headers["location"] == f"/api/v1/cables/{cid}/versions?pretty=1"
    assert r.headers["access-control-allow-origin"] == "*"
    for path in ("", "/references", "/versions", "/versions/1", "/diff"):
        r = demo_client.get(f"/api/v1/cables/99NOWHERE7{path}")
        assert r.status_code == 404 and r.json()["error"] == "not_found", path
        r = demo_client.get(f"/api/v1/cables/{'Z' * 400}{path}")
        assert r.status_code == 404 and len(r.content) < 1000


def test_known_but_missing(demo_client, demo_store):
    with _store(demo_store) as store:
        stored = {cid for cid, _ in store.iter_ids()}
        missing = next(
            ref["id"]
            for cid in sorted(stored)
            for ref in store.get_cable(cid)["references"]
            if ref["id"] and ref["id"] not in stored
        )
        citing = store.cited_by(missing)
    body = demo_client.get(f"/api/v1/cables/{missing}").json()
    assert body["error"] == "not_in_mirror" and body["cited_by"] == citing


def test_references(demo_client, demo_store):
    with _store(demo_store) as store:
        cid = next(c for c, _ in store.iter_ids() if len(store.get_cable(c)["references"]) >= 2)
        expected = store.references(cid)
    body = demo_client.get(f"/api/v1/cables/{cid}/references").json()
    assert body["id"] == cid
    assert [(r["bullet"], r["value"], r["id"], r["stored"]) for r in body["references"]] == [
        (r["bullet"], r["value"], r["id"], r["stored"]) for r in expected
    ]
    for ref in body["references"]:
        if ref["id"] and ref["stored"]:
            assert ref["url"] == f"http://testserver/cable/{ref['id']}"
        elif ref["id"]:
            assert ref["url"] is None


def test_versions_of_a_demo_cable(demo_client, cited):
    cid, _ = cited
    body = demo_client.get(f"/api/v1/cables/{cid}/versions").json()
    assert [v["number"] for v in body["versions"]] == [1]
    one = demo_client.get(f"/api/v1/cables/{cid}/versions/1").json()
    assert one["number"] == 1 and one["record"]["id"] == cid
    for bad in ("2", "0", "x", "-1", "1.0", "9" * 20):
        r = demo_client.get(f"/api/v1/cables/{cid}/versions/{bad}")
        assert r.status_code == 404, bad
        assert r.json()["error"] == "no_such_version"
    diff = demo_client.get(f"/api/v1/cables/{cid}/diff").json()
    assert diff["a"]["number"] == diff["b"]["number"] == 1
    assert diff["fields"] == [] and diff["stats"]["inserted"] == diff["stats"]["deleted"] == 0
    for params in ({"a": 2}, {"b": 3}, {"a": "x"}, {"a": 0}):
        r = demo_client.get(f"/api/v1/cables/{cid}/diff", params=params)
        assert r.status_code == 422, params


@pytest.mark.corpus
def test_versions_and_diff_of_a_real_page(corpus_client, corpus_store):
    with _store(corpus_store) as store:
        stored = store.get_versions("09ASTANA95")
    body = corpus_client.get("/api/v1/cables/09ASTANA95/versions").json()
    assert len(body["versions"]) == 8
    assert [v["sha256"] for v in body["versions"]] == [v["sha256"] for v in stored]
    assert sum(v["current"] for v in body["versions"]) == 1
    assert all(v["file"].startswith("09ASTANA95@") for v in body["versions"])
    assert {v["release_label"] for v in body["versions"]} == {v["release_label"] for v in stored}
    for n in (1, 8):
        one = corpus_client.get(f"/api/v1/cables/09ASTANA95/versions/{n}").json()
        assert one["record"] == stored[n - 1]["record"]
    # The releases of this page differ in their release label (the body is the same).
    diff = corpus_client.get("/api/v1/cables/09ASTANA95/diff", params={"a": 1, "b": 2}).json()
    labels = [f for f in diff["fields"] if f["field"] == "release.release_label"]
    assert labels == [{"field": "release.release_label", "a": stored[0]["release_label"], "b": stored[1]["release_label"]}]
    text_b = "".join(op["text"] for op in diff["body"] if op["op"] != "delete")
    assert text_b.split() == stored[1]["record"]["body"].split()
    current = next(i for i, v in enumerate(stored, 1) if v["current"])
    default = corpus_client.get("/api/v1/cables/09ASTANA95/diff").json()
    assert default["b"]["number"] == current and default["a"]["number"] == max(1, current - 1)


def test_tags(demo_client, demo_store):
    with _store(demo_store) as store:
        counts = store.counts("tag")
    body = demo_client.get("/api/v1/tags").json()
    assert body["field"] == "tag" and body["total_values"] == len(counts)
    assert [(v["value"], v["count"]) for v in body["values"]] == counts
    known = next(v for v in body["values"] if tag_info(v["value"]))
    info = tag_info(known["value"])
    assert known["meaning"] == info.meaning and known["kind"] == info.kind
    assert len(demo_client.get("/api/v1/tags", params={"limit": 3}).json()["values"]) == 3
    assert demo_client.get("/api/v1/tags", params={"limit": 0}).status_code == 422


def test_origins_and_classifications_with_a_query(demo_client, demo_store):
    with _store(demo_store) as store:
        tag = store.counts("tag")[0][0]
        origins = store.counts("origin", f"tag:{tag}")
        classes = store.counts("classification")
    body = demo_client.get("/api/v1/origins", params={"q": f"tag:{tag}"}).json()
    assert [(v["value"], v["count"]) for v in body["values"]] == origins
    assert body["query"] == f"tag:{tag}"
    body = demo_client.get("/api/v1/classifications").json()
    assert [(v["value"], v["count"]) for v in body["values"]] == classes
    assert sum(v["count"] for v in body["values"]) == 300


def test_dates(demo_client, demo_store):
    with _store(demo_store) as store:
        years = store.histogram()
        year = int(max(years, key=lambda p: p[1])[0])
        months = store.histogram(year=year)
        month = int(months[0][0][5:7])
        days = store.histogram(year=year, month=month)
    body = demo_client.get("/api/v1/dates").json()
    assert body["period"] == "year" and [(v["value"], v["count"]) for v in body["values"]] == years
    body = demo_client.get("/api/v1/dates", params={"year": year}).json()
    assert body["period"] == "month" and [(v["value"], v["count"]) for v in body["values"]] == months
    body = demo_client.get("/api/v1/dates", params={"year": year, "month": month}).json()
    assert body["period"] == "day" and [(v["value"], v["count"]) for v in body["values"]] == days
    assert body["total"] == sum(n for _, n in days)
    for params in ({"month": 3}, {"year": 12}, {"year": "abc"}, {"year": 2005, "month": 13}):
        r = demo_client.get("/api/v1/dates", params=params)
        assert r.status_code == 422, params


def test_collections(demo_client, demo_store):
    with _store(demo_store) as store:
        expected = store.collections()
    body = demo_client.get("/api/v1/collections").json()
    assert body == {"collections": expected}
    assert sum(c["count"] for c in body["collections"] if c["name"] == "cables") == 300


def test_index_lists_the_endpoints(demo_client):
    for path in ("/api/v1", "/api/v1/"):
        body = demo_client.get(path).json()
        assert body["api"] == "v1"
        assert body["openapi"] == "http://testserver/api/v1/openapi.json"
        assert "search" in body["endpoints"]


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v1/cables", "/api/v1/cables/X/nothing", "/api/v1/search/extra", "/api/v2/search"]
)
def test_unknown_api_paths(demo_client, path):
    r = demo_client.get(path)
    assert r.status_code == 404
    if path.startswith("/api/v1/"):
        assert r.headers["content-type"] == "application/json"
        assert r.json()["error"] == "no_such_endpoint"


def test_write_methods_are_refused_in_json(demo_client):
    r = demo_client.post("/api/v1/cables/X")
    assert r.status_code in (404, 405)
    r = demo_client.delete("/api/v1/anything")
    assert r.status_code == 404 and r.json()["error"] == "no_such_endpoint"


def test_cors_preflight(demo_client):
    r = demo_client.options(
        "/api/v1/search", headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"}
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "GET" in r.headers["access-control-allow-methods"]


def test_every_api_answer_is_cors_json(demo_client, cited):
    cid, _ = cited
    for path in (
        "/api/v1/search?q=x",
        f"/api/v1/cables/{cid}",
        f"/api/v1/cables/{cid}/references",
        f"/api/v1/cables/{cid}/versions",
        f"/api/v1/cables/{cid}/versions/1",
        f"/api/v1/cables/{cid}/diff",
        "/api/v1/tags",
        "/api/v1/origins",
        "/api/v1/classifications",
        "/api/v1/dates",
        "/api/v1/collections",
        "/api/v1/openapi.json",
        "/api/v1/search?q=(",
        "/api/v1/search?page=0",
    ):
        r = demo_client.get(path)
        assert r.headers["content-type"] == "application/json", path
        assert r.headers["access-control-allow-origin"] == "*", path
        assert "content-security-policy" in r.headers
