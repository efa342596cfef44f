"""GET /api/v1/search: totals, facets, hits, stable pagination, errors."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablemirror.store import open_store
from cablemirror.web import api


def _store(path: Path):
    return open_store(str(path), readonly=True)


def test_search_shape(demo_client, demo_store):
    with _store(demo_store) as store:
        tag = store.counts("tag")[0][0]
        expected = store.query(f"tag:{tag}", limit=20)
    r = demo_client.get("/api/v1/search", params={"q": f"tag:{tag.lower()}"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "*"
    body = r.json()
    assert body["q"] == f"tag:{tag.lower()}" and body["query"] == f"tag:{tag}"
    assert body["total"] == expected.total
    assert body["page"] == 1 and body["per_page"] == api.PER_PAGE
    assert body["pages"] == -(-expected.total // api.PER_PAGE)
    assert [h["id"] for h in body["hits"]] == [h.id for h in expected.hits]
    hit = body["hits"][0]
    assert set(hit) == {"id", "title", "created", "origin", "classification", "snippet", "paragraph", "score", "url", "api_url"}
    assert hit["url"] == f"http://testserver/cable/{hit['id']}"
    assert hit["api_url"] == f"http://testserver/api/v1/cables/{hit['id']}"
    assert set(body["facets"]) == set(api.FACETS)
    assert body["facets"]["tag"][0] == {"value": tag, "count": expected.total}
    links = body["links"]
    assert links["prev"] is None and links["next"].endswith("page=2")
    assert links["csv"] == f"http://testserver/search.csv?q=tag%3A{tag.lower()}"
    assert links["atom"].startswith("http://testserver/feed.atom?q=")


def test_words_and_snippets(demo_client, demo_store):
    with _store(demo_store) as store:
        word = store.get_cable(next(store.iter_ids())[0])["subject"].split()[0].strip(":,.'").lower()
        expected = store.query(word, limit=5)
    body = demo_client.get("/api/v1/search", params={"q": word, "per_page": 5}).json()
    assert body["total"] == expected.total > 0
    assert [h["snippet"] for h in body["hits"]] == [h.snippet for h in expected.hits]
    assert body["ignored"] == []
    assert demo_client.get("/api/v1/search", params={"q": f"the {word}"}).json()["ignored"] == ["the"]


def _walk(client, params: dict) -> tuple[list[str], int]:
    """Follow the next links from page 1; the ids seen and the total announced."""
    url = "/api/v1/search"
    ids: list[str] = []
    total = None
    pages = 0
    while url:
        body = client.get(url, params=params if pages == 0 else None).json()
        total = body["total"] if total is None else total
        assert body["total"] == total
        ids += [h["id"] for h in body["hits"]]
        pages += 1
        nxt = body["links"]["next"]
        if nxt:
            assert body["links"]["next"] and "page=" in nxt
            prev = client.get(nxt.replace("http://testserver", "")).json()["links"]["prev"]
            assert parse_qs(urlsplit(prev).query)["page"] == [str(body["page"])]
        url = nxt.replace("http://testserver", "") if nxt else None
    return ids, total or 0


@pytest.mark.parametrize("sort", ["relevance", "date", "-date", "released", "-released", "id"])
def test_pagination_is_stable_and_complete(demo_client, demo_store, sort):
    ids, total = _walk(demo_client, {"sort": sort, "per_page": 37, "facets": "none"})
    assert total == 300 and len(ids) == 300 and len(set(ids)) == 300  # nothing twice, nothing lost
    again, _ = _walk(demo_client, {"sort": sort, "per_page": 37, "facets": "none"})
    assert again == ids
    with _store(demo_store) as store:
        assert set(ids) == {cid for cid, _ in store.iter_ids()}
        if sort == "id":
            assert ids == sorted(ids)


def test_pagination_of_a_word_query(demo_client, demo_store):
    with _store(demo_store) as store:
        tag = store.counts("tag")[0][0]
        total = store.query(f"tag:{tag}").total
    ids, announced = _walk(demo_client, {"q": f"tag:{tag}", "per_page": 7})
    assert announced == total == len(ids) == len(set(ids))


def test_facets_parameter(demo_client):
    body = demo_client.get("/api/v1/search", params={"facets": "origin,year"}).json()
    assert set(body["facets"]) == {"origin", "year"}
    assert len(body["facets"]["origin"]) <= api.FACET_LIMIT
    assert demo_client.get("/api/v1/search", params={"facets": "none"}).json()["facets"] == {}
    r = demo_client.get("/api/v1/search", params={"facets": "origin,colour"})
    assert r.status_code == 422 and r.json()["parameter"] == "facets"


@pytest.mark.parametrize(
    "params, name",
    [
        ({"page": "-1"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "9" * 30}, "page"),
        ({"per_page": "10000"}, "per_page"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": ""}, None),  # empty: the default
        ({"sort": "random"}, "sort"),
        ({"page": "501", "per_page": "20"}, "page"),  # beyond the first 10,000 results
    ],
)
def test_bad_parameters_are_422(demo_client, params, name):
    r = demo_client.get("/api/v1/search", params=params)
    if name is None:
        assert r.status_code == 200
        return
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "invalid_parameter" and body["parameter"] == name and body["detail"]


def test_pages_past_the_end_are_empty_not_errors(demo_client):
    body = demo_client.get("/api/v1/search", params={"page": 99, "per_page": 10}).json()
    assert body["hits"] == [] and body["total"] == 300 and body["links"]["next"] is None
    assert body["links"]["last"].endswith("page=30&per_page=10")


@pytest.mark.parametrize(
    "q, column",
    [('"civil society', 1), ("(iran OR iraq", 1), ("iran)", 5), ("orgin:almaty", 1), ("from:2005-13", 6), ("e*", 1)],
)
def test_query_syntax_errors_are_400_with_column_and_hint(demo_client, q, column):
    r = demo_client.get("/api/v1/search", params={"q": q})
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "query_syntax"
    assert body["column"] == column and body["position"] == column - 1
    assert body["message"] and body["detail"].startswith(body["message"])
    assert "hint" in body


HOSTILE_QUERIES = [
    "\x00\x01\x02",
    "'; DROP TABLE cables; --",
    '" OR 1=1 --',
    "NEAR(a b)",
    "a NOT",
    "*",
    "((((((((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))))))))",
    "NOT " * 100 + "x",
    "tag:" + "A" * 3000,
    "\u202e" * 50,
    "x" * 2001,
    "date:9999-99-99",
    "from:0001 to:9999",
    "id:" + "9" * 100,
    "ref:*",
    "kia>2",
    "class:" + "é" * 50,
    "%s%n%x",
    "{{7*7}}",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_hostile_queries_never_500(demo_client, q):
    for path in ("/api/v1/search", "/api/v1/tags", "/api/v1/dates", "/feed.atom", "/search.csv"):
        r = demo_client.get(path, params={"q": q})
        assert r.status_code in (200, 400), (path, q, r.status_code, r.text[:300])
        if r.status_code == 400:
            assert r.json()["error"] in ("query_syntax", "query_too_long")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60))
def test_any_query_text_is_200_or_400(demo_client, q):
    r = demo_client.get("/api/v1/search", params={"q": q, "per_page": 3, "facets": "none"})
    assert r.status_code in (200, 400), (q, r.text[:300])


@pytest.mark.parametrize("raw", ["%ff%fe%80", "%ED%A0%80", "%C0%AF", "%00", "%E2%80%AE%0D%0A"])
def test_raw_query_strings_that_are_not_utf8(demo_client, raw):
    """Bytes that are not UTF-8 (a lone surrogate's, overlong forms) arrive as U+FFFD."""
    r = demo_client.get(f"/api/v1/search?page={raw}")
    assert r.status_code == 422
    for path in ("/api/v1/search", "/feed.atom", "/search.jsonl", "/api/v1/origins"):
        r = demo_client.get(f"{path}?q={raw}")
        assert r.status_code in (200, 400), (path, raw, r.text[:200])
