"""Store.query on PostgreSQL beyond tests/store (which runs every query test on both
backends): the browse helpers agree with query(), streams keep sort orders, phrases are
marked as phrases, and app servers sharing a database see each other's writes."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from cablemirror.store import open_store
from cablemirror.store.base import Store

from ..store.factories import make_pair
from ..store.test_query import ALL, CORPUS, QUERIES, SORT_KEYS, W, expected
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


@pytest.mark.parametrize("q", QUERIES[:40])
def test_counts_histogram_and_records_agree_with_query(store: Store, q: str) -> None:
    want = expected(q)
    page = store.query(q, limit=ALL, facet_limit=ALL)
    for name in ("origin", "tag", "classification", "year"):
        assert store.counts(name, q) == page.facets[name]
    years = sorted({c.created[:4] for c in want if c.created})
    assert store.histogram(q) == [(y, sum(1 for c in want if (c.created or "").startswith(y))) for y in years]
    assert sorted(r["id"] for r in store.iter_records(q)) == sorted(c.id for c in want)


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("q", ["", W[1], "tag:PGOV", f"{W[0]} OR origin:almaty"])
def test_streams_keep_the_sort_orders(store: Store, q: str, sort: str) -> None:
    key, reverse = SORT_KEYS[sort]
    want = [c.id for c in sorted(expected(q), key=key, reverse=reverse)]
    assert [r["id"] for r in store.iter_records(q, sort=sort)] == want


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


