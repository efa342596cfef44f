"""The whole-page cache of the cable page (``views.pagecache``): what it keeps, for
how long, how much, for whom, and the HTTP validators it answers with.  No timing:
only what is served."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cablemirror.store import open_store
from cablemirror.web.site import SiteConfig
from cablemirror.web.views import cable as cable_views
from cablemirror.web.views.pagecache import CACHE_CONTROL, PageCache, page_cache_of

from .conftest import data_app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def app(demo_store: Path):
    return data_app(demo_store)


@pytest.fixture()
def client(app) -> TestClient:
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture(scope="module")
def ids(demo_store: Path) -> list[str]:
    with open_store(str(demo_store), readonly=True) as store:
        return [cid for cid, _ in store.iter_ids()][:5]


def cache(client: TestClient) -> PageCache:
    return client.app.state.page_cache


# ---------------------------------------------------------------------------
# The cache alone


def test_cache_keeps_pages_for_ttl_seconds_only() -> None:
    clock = Clock()
    c = PageCache(max_bytes=1000, ttl=60, clock=clock)
    page = c.put("a", b"<p>a</p>", "text/html")
    assert c.get("a") == page and c.hits == 1
    clock.now += 59.9
    assert c.get("a") is page
    clock.now += 0.2
    assert c.get("a") is None and len(c) == 0 and c.size == 0  # expired pages are dropped


def test_cache_is_bounded_by_bytes_least_recently_used_first() -> None:
    c = PageCache(max_bytes=800, ttl=60, clock=Clock())
    for key in "abcdefgh":
        c.put(key, key.encode() * 100, "text/html")
    assert c.size == 800 and len(c) == 8
    c.get("a")  # a is now the most recently used
    c.put("i", b"i" * 100, "text/html")
    assert c.get("b") is None  # the least recently used went
    assert all(c.get(k) is not None for k in "acdefghi")
    assert c.size == 800


def test_a_page_too_big_for_the_cache_is_served_not_kept() -> None:
    c = PageCache(max_bytes=800, ttl=60, clock=Clock())
    c.put("small", b"s" * 50, "text/html")
    page = c.put("huge", b"h" * 101, "text/html")  # over an eighth of the budget
    assert page.body == b"h" * 101 and page.etag
    assert c.get("huge") is None and c.get("small") is not None


def test_replacing_a_page_keeps_the_size_right() -> None:
    c = PageCache(max_bytes=1000, ttl=60, clock=Clock())
    c.put("a", b"x" * 100, "text/html")
    c.put("a", b"y" * 40, "text/html")
    assert c.size == 40 and c.get("a").body == b"y" * 40


def test_etag_is_the_same_for_the_same_bytes_in_any_cache() -> None:
    one = PageCache().put("k", b"<html>same</html>", "text/html")
    two = PageCache().put("other key", b"<html>same</html>", "text/html")
    assert one.etag == two.etag and one.etag.startswith('"')
    assert PageCache().put("k", b"<html>other</html>", "text/html").etag != one.etag


# ---------------------------------------------------------------------------
# The cable page through it


def test_second_visit_is_served_from_the_cache_unchanged(client: TestClient, ids: list[str]) -> None:
    first = client.get(f"/cable/{ids[0]}")
    assert first.status_code == 200
    assert cache(client).misses == 1 and len(cache(client)) == 1
    second = client.get(f"/cable/{ids[0]}")
    assert cache(client).hits == 1
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"] == "text/html; charset=utf-8"
    assert second.headers["etag"] == first.headers["etag"]
    assert first.headers["cache-control"] == CACHE_CONTROL
    # the site's security headers are on cached answers too
    assert "default-src 'self'" in second.headers["content-security-policy"]


def test_if_none_match_gets_304_without_a_body(client: TestClient, ids: list[str]) -> None:
    first = client.get(f"/cable/{ids[1]}")
    tag = first.headers["etag"]
    for header in (tag, f'W/{tag}', f'"nope", {tag}', "*"):
        r = client.get(f"/cable/{ids[1]}", headers={"If-None-Match": header})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == tag
    assert client.get(f"/cable/{ids[1]}", headers={"If-None-Match": '"other"'}).status_code == 200


def test_304_also_for_a_page_not_yet_in_this_workers_cache(app, client: TestClient, ids: list[str]) -> None:
    tag = client.get(f"/cable/{ids[2]}").headers["etag"]
    cache(client).clear()  # another worker, or after the TTL: the same bytes, the same tag
    r = client.get(f"/cable/{ids[2]}", headers={"If-None-Match": tag})
    assert r.status_code == 304


def test_expired_pages_are_rendered_again(client: TestClient, ids: list[str]) -> None:
    clock = Clock()
    client.app.state.page_cache = PageCache(ttl=60, clock=clock)
    first = client.get(f"/cable/{ids[0]}")
    client.get(f"/cable/{ids[0]}")
    assert (cache(client).hits, cache(client).misses) == (1, 1)
    clock.now += 61
    again = client.get(f"/cable/{ids[0]}")
    assert (cache(client).hits, cache(client).misses) == (1, 2)  # rendered again, not served stale
    assert again.content == first.content and len(cache(client)) == 1


def test_the_route_keeps_the_plain_view_for_the_static_export(client: TestClient) -> None:
    route = next(r for r in client.app.routes if getattr(r, "name", "") == "cable")
    assert route.endpoint is cable_views.cable_page


def test_highlighted_pages_are_not_kept(client: TestClient, ids: list[str]) -> None:
    r = client.get(f"/cable/{ids[3]}?hl=election")
    assert r.status_code == 200 and r.headers["etag"] and "Words of your search are" in r.text
    assert len(cache(client)) == 0
    plain = client.get(f"/cable/{ids[3]}")
    assert "Words of your search are" not in plain.text and len(cache(client)) == 1
    assert client.get(f"/cable/{ids[3]}?hl=election").text == r.text  # not the cached plain page


def test_redirects_and_errors_are_not_kept(client: TestClient, ids: list[str]) -> None:
    r = client.get(f"/cable/{ids[4].lower()}")
    assert r.status_code == 301
    assert client.get("/cable/00NOSUCH999").status_code == 404
    assert len(cache(client)) == 0
    assert "etag" not in r.headers


def test_each_site_has_its_own_cache(demo_store: Path, ids: list[str]) -> None:
    one, two = data_app(demo_store, SiteConfig(name="One")), data_app(demo_store, SiteConfig(name="Two"))
    with TestClient(one) as a, TestClient(two) as b:
        assert "One" in a.get(f"/cable/{ids[0]}").text
        assert "Two" in b.get(f"/cable/{ids[0]}").text  # not One's page from a shared cache
        assert page_cache_of_app(one) is not page_cache_of_app(two)


def test_the_site_address_is_part_of_the_key(client: TestClient, ids: list[str]) -> None:
    a = client.get(f"/cable/{ids[0]}", headers={"Host": "mirror-a.example"})
    b = client.get(f"/cable/{ids[0]}", headers={"Host": "mirror-b.example"})
    assert 'href="http://mirror-a.example/cable/' in a.text
    assert 'href="http://mirror-b.example/cable/' in b.text
    assert len(cache(client)) == 2


def page_cache_of_app(app) -> PageCache:
    class R:  # the smallest request page_cache_of needs
        pass

    r = R()
    r.app = app  # type: ignore[attr-defined]
    return page_cache_of(r)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# The search page through it, and its facet rows


def test_search_pages_are_kept_per_query_string(client: TestClient) -> None:
    a = client.get("/search?q=embassy")
    assert a.status_code == 200 and a.headers["etag"]
    again = client.get("/search?q=embassy")
    assert again.content == a.content and cache(client).hits == 1
    other = client.get("/search?q=embassy&sort=-date")
    assert other.status_code == 200 and len(cache(client)) == 2
    assert client.get("/search?q=%22unclosed").status_code == 400  # errors pass through, not kept
    assert len(cache(client)) == 2


def test_facet_rows_are_reused_for_the_same_query_and_counts() -> None:
    from cablemirror.search import CABLE_FIELDS, parse_query
    from cablemirror.web.views import search as search_views

    q = parse_query("embassy", CABLE_FIELDS)
    counts = {"origin": [("Embassy Paris", 3)], "year": [("2009", 3)], "classification": [], "tag": [("PGOV", 2)]}
    first = search_views._facets(q, "relevance", counts)
    assert search_views._facets(parse_query("embassy", CABLE_FIELDS), "relevance", dict(counts)) is first
    assert first == search_views._facet_blocks(q, "relevance", counts)  # what it would compute
    changed = search_views._facets(q, "relevance", {**counts, "tag": [("PGOV", 1)]})
    assert changed is not first and changed[-1]["values"][0]["count"] == 1
    assert search_views._facets(q, "-date", counts) is not first  # the sort is in the links


def test_every_page_but_diffs_is_served_through_the_cache(client: TestClient, ids: list[str]) -> None:
    for path in ("/", "/browse", "/browse/date", "/browse/tag", "/how-to-read-a-cable", "/privacy", "/search/help"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["etag"] and first.headers["cache-control"] == CACHE_CONTROL
        assert client.get(path).content == first.content
        assert client.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert cache(client).hits == 7 * 2 and len(cache(client)) == 7
    client.get(f"/cable/{ids[0]}/diff")
    assert len(cache(client)) == 7


# --------------------------------------------------------------------------- many at once


def _counting_app(status: int = 200):
    """A one-route app whose view counts its calls and takes a while (in the thread pool)."""
    import threading
    import time as _time

    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from cablemirror.web.views.pagecache import cached_view

    calls: list[str] = []
    lock = threading.Lock()

    def view(request):  # type: ignore[no-untyped-def]
        with lock:
            calls.append(request.url.query)
        _time.sleep(0.2)
        return PlainTextResponse(f"page for {request.url.query}", status_code=status,
                                 headers={"Access-Control-Allow-Origin": "*"})

    handler = cached_view(view, lambda request: request.url.query)
    return Starlette(routes=[Route("/p", handler)]), calls


def _many(app, paths: list[str]) -> list:  # type: ignore[no-untyped-def]
    import asyncio

    import httpx

    async def run() -> list:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return list(await asyncio.gather(*(client.get(p) for p in paths)))

    return asyncio.run(run())


def test_the_same_page_asked_by_many_at_once_is_made_once() -> None:
    app, calls = _counting_app()
    answers = _many(app, ["/p?q=a"] * 12 + ["/p?q=b"] * 3)
    assert sorted(calls) == ["q=a", "q=b"]
    assert all(r.status_code == 200 for r in answers)
    assert {r.text for r in answers[:12]} == {"page for q=a"} and answers[12].text == "page for q=b"
    assert len({r.headers["etag"] for r in answers[:12]}) == 1
    assert all(r.headers["access-control-allow-origin"] == "*" for r in answers)  # kept with the page


def test_waiters_make_their_own_answer_when_the_first_is_not_kept() -> None:
    app, calls = _counting_app(status=503)
    answers = _many(app, ["/p?q=a"] * 4)
    assert len(calls) == 4 and all(r.status_code == 503 for r in answers)


def test_search_api_answers_are_kept_with_their_cors_header(client: TestClient) -> None:
    first = client.get("/api/v1/search?q=election")
    assert first.status_code == 200 and first.headers["access-control-allow-origin"] == "*"
    kept = len(cache(client))
    again = client.get("/api/v1/search?q=election")
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["access-control-allow-origin"] == "*"
    assert len(cache(client)) == kept  # the same entry, not a new one
    assert client.get("/api/v1/search?q=election", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert client.options("/api/v1/search?q=election").status_code == 204
