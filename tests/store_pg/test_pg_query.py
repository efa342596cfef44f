"""Store.query on PostgreSQL over the generated collection of tests/store, checked against
the reference evaluator (``search.evaluate.matches``) and plain Python counting."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cablemirror.search import QuerySyntaxError, matches, parse_query
from cablemirror.store import HIT_MARKS, StoreError, open_store
from cablemirror.store.base import Store

from ..store.factories import make_pair
from ..store.querydata import record_of
from ..store.test_query import ALL, CORPUS, HOSTILE, QUERIES, SORT_KEYS, W, expected, facet_counts
from .conftest import admin, server_url, with_schema

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    url = server_url()
    schema = "t_" + uuid.uuid4().hex[:12]
    s = open_store(with_schema(url, schema))
    try:
        for i in range(0, len(CORPUS.pairs), 50):
            s.store_batch(CORPUS.pairs[i : i + 50])
        yield s
    finally:
        s.close()
        conn = admin(url)
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.close()


@pytest.mark.parametrize("q", QUERIES)
def test_results_and_facets_match_the_reference(store: Store, q: str) -> None:
    want = expected(q)
    page = store.query(q, limit=ALL, facet_limit=ALL)
    assert page.total == len(want)
    assert sorted(h.id for h in page.hits) == sorted(c.id for c in want)
    assert page.facets == facet_counts(want)


@pytest.mark.parametrize("q", QUERIES[:40])
def test_counts_histogram_and_records_agree_with_query(store: Store, q: str) -> None:
    want = expected(q)
    page = store.query(q, limit=ALL, facet_limit=ALL)
    for name in ("origin", "tag", "classification", "year"):
        assert store.counts(name, q) == page.facets[name]
    years = sorted({c.created[:4] for c in want if c.created})
    assert store.histogram(q) == [(y, sum(1 for c in want if (c.created or "").startswith(y))) for y in years]
    assert sorted(r["id"] for r in store.iter_records(q)) == sorted(c.id for c in want)


def test_ids_in_another_spelling_find_the_cable(store: Store) -> None:
    assert [h.id for h in store.query("id:04AITTAIPEI55").hits] == ["04TAIPEI55"]
    assert [h.id for h in store.query("id:04aittaipei055").hits] == ["04TAIPEI55"]
    assert [h.id for h in store.query("ref:04TAIPEI55").hits] == ["05ALMATY9001"]
    assert [h.id for h in store.query("id:04AITTAIPEI*").hits] == ["04TAIPEI55"]
    assert store.cited_by("04TAIPEI55") == ["05ALMATY9001"]


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("q", ["", W[1], "tag:PGOV", f"{W[0]} OR origin:almaty"])
def test_sort_orders(store: Store, q: str, sort: str) -> None:
    key, reverse = SORT_KEYS[sort]
    want = [c.id for c in sorted(expected(q), key=key, reverse=reverse)]
    assert [h.id for h in store.query(q, sort=sort, limit=ALL).hits] == want
    assert [r["id"] for r in store.iter_records(q, sort=sort)] == want


def test_relevance_is_best_first_title_above_body(store: Store) -> None:
    hits = store.query(W[0], limit=ALL).hits
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    in_title = {c.id for c in CORPUS.cables if W[0].upper() in c.title.upper().split()}
    assert hits[0].id in in_title


@pytest.mark.parametrize("sort", ["relevance", "date", "-released", "id"])
@pytest.mark.parametrize("q", ["", W[0], f"-{W[1]} class:confidential"])
def test_pages_have_no_duplicates_and_no_gaps(store: Store, q: str, sort: str) -> None:
    full = [h.id for h in store.query(q, sort=sort, limit=ALL).hits]
    paged = [h.id for off in range(0, len(full) + 7, 7) for h in store.query(q, sort=sort, limit=7, offset=off).hits]
    assert paged == full and len(set(paged)) == len(paged)


def test_bounded_relevance_over_big_results(store: Any) -> None:
    """Above rank_limit hits, title/subject hits come first, then the rest newest first."""
    q = W[0]
    want = {c.id for c in expected(q)}
    tops = {c.id for c in expected(q) if matches(parse_query(q).root, {"text": [c.title, c.subject]})}
    old = store.rank_limit
    try:
        store.rank_limit = 5
        store.clear_read_cache()
        full = [h.id for h in store.query(q, limit=ALL).hits]
        paged = [h.id for off in range(0, len(want), 9) for h in store.query(q, limit=9, offset=off).hits]
    finally:
        store.rank_limit = old
        store.clear_read_cache()
    assert set(full) == want and paged == full
    assert set(full[: len(tops)]) == tops
    rest = [c for c in CORPUS.cables if c.id in want and c.id not in tops]
    key, _ = SORT_KEYS["-date"]
    assert full[len(tops) :] == [c.id for c in sorted(rest, key=key, reverse=True)]


def test_hits_carry_snippet_paragraph_and_fields(store: Store) -> None:
    cable = next(c for c in CORPUS.cables if len(c.paragraphs) >= 2
                 and (set(c.paragraphs[1].text.split()) - set(c.paragraphs[0].text.split()) - set(c.subject.split())))
    only = set(cable.paragraphs[1].text.split()) - set(cable.paragraphs[0].text.split()) - set(cable.subject.split())
    word = sorted(only)[0].strip(".").lower()
    [hit] = store.query(f"{word} id:{cable.id}").hits
    assert (hit.id, hit.title, hit.created, hit.origin, hit.classification) == (
        cable.id, cable.title, cable.created, cable.origin, cable.classification)
    assert f"{HIT_MARKS[0]}{word.upper()}{HIT_MARKS[1]}" in hit.snippet
    assert hit.paragraph == 2
    [plain] = store.query(f"id:{cable.id}").hits
    assert plain.snippet == "" and plain.paragraph is None
    [marked] = store.query(f"{word} id:{cable.id}", marks=("<b>", "</b>")).hits
    assert f"<b>{word.upper()}</b>" in marked.snippet


def test_phrases_mark_the_phrase_not_its_words_elsewhere(store: Store) -> None:
    """ts_headline would mark every "w0" and "w1"; the store marks the phrase only."""
    phrase = f'"{W[0]} {W[1]}"'
    for hit in store.query(phrase, limit=ALL).hits:
        cable = next(c for c in CORPUS.cables if c.id == hit.id)
        marked = [m.split("»")[0].upper() for m in hit.snippet.split("«")[1:]]
        assert marked, hit
        # Marked words come in phrase order: w0 then w1.
        assert all(marked[i : i + 2] == [W[0].upper(), W[1].upper()] for i in range(0, len(marked) - 1, 2)), (
            hit.snippet, cable.id)


def test_excluded_words_are_not_marked(store: Store) -> None:
    page = store.query(f"{W[0]} -{W[-1]}", limit=5)
    assert page.hits and all(W[-1].upper() not in h.snippet for h in page.hits)


def test_hits_matched_by_a_field_alone_have_no_snippet(store: Store) -> None:
    q = f"{W[-1]} OR tag:KDEM"
    for hit in store.query(q, limit=ALL).hits:
        cable = next(c for c in CORPUS.cables if c.id == hit.id)
        assert bool(hit.snippet) == matches(parse_query(W[-1]).root, record_of(cable))


def test_malformed_query_raises_query_syntax_error(store: Store) -> None:
    for q in ['"civil society', "(iran OR iraq", "orgin:almaty", "from:2005-13", "tag:", "e*", "the of and"]:
        with pytest.raises(QuerySyntaxError):
            store.query(q)
        with pytest.raises(QuerySyntaxError):
            store.counts("tag", q)
        with pytest.raises(QuerySyntaxError):
            store.iter_records(q)


def test_bad_arguments_are_store_errors(store: Store) -> None:
    for kwargs in ({"limit": -1}, {"offset": -3}, {"sort": "title"}, {"facets": ("colour",)}, {"limit": 1.5},
                   {"facet_limit": -2}):
        with pytest.raises(StoreError):
            store.query("", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        store.query(42)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        store.histogram(year=2005.5)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        store.counts("colour")


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_give_results_or_a_syntax_error(store: Store, q: str) -> None:
    try:
        page = store.query(q)
    except QuerySyntaxError:
        return
    assert page.total >= 0 and len(page.hits) <= page.total


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list('ab"()-*: ORANDNOTtagid0519ZZ\x00é') + W[:3] + ["tag:", "id:", "ref:", " OR "]),
                max_size=25).map("".join))
def test_any_text_gives_results_or_a_syntax_error(store: Store, q: str) -> None:
    try:
        page = store.query(q, limit=3)
    except QuerySyntaxError:
        return
    assert page.total >= len(page.hits)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_text_is_a_valid_plain_search(store: Store, q: str) -> None:
    page = store.search(q)
    assert page.total >= len(page.hits)


def test_browse_helpers(store: Store) -> None:
    cables = {c.id: c for c in CORPUS.cables}
    some = CORPUS.cables[3]
    sums = store.summaries([some.id, "99NOSUCH1", some.id.lower()])
    assert set(sums) == {some.id, some.id.lower()}
    assert sums[some.id]["title"] == some.title and sums[some.id]["partial"] is False
    latest = store.latest_released(5)
    key, _ = SORT_KEYS["-released"]
    assert [s["id"] for s in latest] == [c.id for c in sorted(CORPUS.cables, key=key, reverse=True)[:5]]
    cited = store.most_cited(3)
    assert cited and cited[0]["count"] >= cited[-1]["count"]
    for item in cited:
        assert item["count"] == len(store.cited_by(item["id"]))
    refs = store.references("05ALMATY9001")
    assert [(r["id"], r["stored"], r["stored_id"], r["cited_by_count"]) for r in refs] == [
        ("04AITTAIPEI55", True, "04TAIPEI55", 1)]
    [coll] = store.collections()
    assert (coll["count"], coll["generated"]) == (len(cables), True)
    ids = list(store.iter_ids())
    assert [i for i, _ in ids] == sorted(cables)
    assert store.get_cable("06STATE7777")["generated"] is True  # type: ignore[index]


def test_results_follow_writes_across_stores(pg_url: str) -> None:
    """Two app servers on one database: the second sees the first one's writes at once
    (its cached facets key on the shared generation)."""
    with open_store(pg_url) as writer, open_store(pg_url, readonly=True) as server:
        writer.store_batch([make_pair("09ALMATY1", subject="ONE", title="One")])
        assert server.query("").total == 1 and server.counts("origin") == [("Embassy Testville", 1)]
        writer.store_batch([make_pair("09ALMATY2", subject="TWO", title="Two", origin="Embassy Other")])
        assert server.query("").total == 2
        assert server.counts("origin") == [("Embassy Other", 1), ("Embassy Testville", 1)]
        writer.store_batch([make_pair("09ALMATY2", variant=1, subject="TWO", title="Two", origin="Embassy Testville",
                                      paragraphs=[(i, "C", "MORE TEXT") for i in range(1, 9)])])
        assert server.counts("origin") == [("Embassy Testville", 2)]
        assert server.query("origin:other").total == 0


def test_query_on_an_empty_store(pg_store: Store) -> None:
    page = pg_store.query(W[0])
    assert (page.total, page.hits, page.facets) == (0, [], {"origin": [], "year": [], "classification": [], "tag": []})
    assert pg_store.query("").total == 0 and pg_store.histogram() == [] and pg_store.most_cited() == []
    assert pg_store.collections()[0]["count"] == 0 and list(pg_store.iter_ids()) == []
