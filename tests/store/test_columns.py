"""The SQLite store's column snapshot (store/columns.py, facets.py, keyset.py).

Every answer given from the snapshot is compared with the pure-SQL path of the same
store (``use_columns = False``), which test_query.py checks against the reference
evaluator; and the snapshot must follow writes made through another connection or
another process.
"""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from cablemirror.search import QuerySyntaxError, parse_query
from cablemirror.store import open_store
from cablemirror.store.columns import _in_order, load
from cablemirror.store.sqlite import SQLiteStore

from . import querydata
from .factories import make_pair
from .test_query import CORPUS, QUERIES, W

ALL = 10_000


def _fill(path: Path) -> SQLiteStore:
    s = open_store(str(path))
    assert isinstance(s, SQLiteStore)
    for i in range(0, len(CORPUS.pairs), 50):
        s.store_batch(CORPUS.pairs[i : i + 50])
    return s


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    s = _fill(tmp_path_factory.mktemp("columns") / "columns.db")
    yield s
    s.close()


def _answer(s: SQLiteStore, columns: bool, q: str, **kw: Any) -> tuple[int, list[str], dict[str, Any], list[float]]:
    s.use_columns = columns
    s.clear_read_cache()
    try:
        page = s.query(q, facet_limit=None, **kw)
    finally:
        s.use_columns = True
    return page.total, [h.id for h in page.hits], page.facets, [h.score for h in page.hits]


def _same(s: SQLiteStore, q: str, **kw: Any) -> None:
    assert _answer(s, True, q, **kw) == _answer(s, False, q, **kw), (q, kw)


@pytest.mark.parametrize("q", QUERIES)
def test_every_query_gives_what_sql_gives(store: SQLiteStore, q: str) -> None:
    _same(store, q, limit=ALL)
    for sort in ("date", "-date", "released", "-released", "id"):
        _same(store, q, sort=sort, limit=7, offset=3)


def test_the_snapshot_is_used(store: SQLiteStore) -> None:
    store.clear_read_cache(columns=True)
    store.query("tag:PGOV")
    assert store._columns is not None and store._columns.count == len(CORPUS.pairs)
    assert set(store._columns.tags.names) >= {"PGOV", "PREL"}
    assert set(store._columns.captions.names) >= {"SIPDIS", "NODIS"}


@pytest.mark.parametrize("sort", ["relevance", "date", "-date", "released", "-released", "id"])
@pytest.mark.parametrize("q", ["", W[0], f"{W[0]} OR tag:PGOV", "from:2005 to:2007-06", "-class:secret"])
def test_pages_in_every_order(store: SQLiteStore, q: str, sort: str) -> None:
    for offset in (0, 1, 9, 40, 200, 10_000):
        _same(store, q, sort=sort, limit=9, offset=offset)


@pytest.mark.parametrize("limit", [1, 5, 30])
def test_bounded_relevance_pages(store: SQLiteStore, limit: int) -> None:
    old = store.rank_limit
    try:
        for rank_limit in (3, 20):
            store.rank_limit = rank_limit
            for offset in range(0, 120, 17):
                _same(store, W[0], limit=limit, offset=offset)
                _same(store, f"{W[1]} -tag:PGOV", limit=limit, offset=offset)
    finally:
        store.rank_limit = old


def test_counts_and_histogram_agree(store: SQLiteStore) -> None:
    for q in ("", W[2], "tag:P*", f"-{W[0]} origin:almaty"):
        for field in ("origin", "year", "classification", "tag"):
            store.clear_read_cache()
            with_columns = store.counts(field, q)
            store.use_columns = False
            store.clear_read_cache()
            try:
                assert store.counts(field, q) == with_columns
            finally:
                store.use_columns = True


_LEAVES = [
    *W[:8], f"{W[0][:3]}*", f'"{W[0]} {W[1]}"', "tag:PGOV", "tag:P*", "tag:KZ", "tag:NONE", "origin:almaty",
    "origin:emb*", "class:secret", "class:noforn", "caption:sipdis", "date:2005", "from:2004-03-01", "to:2006",
    "released:2011-08", "released<=2010-12", "id:05*", "ref:0*", f"subject:{W[2]}",
]


@st.composite
def _queries(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        leaf = draw(st.sampled_from(_LEAVES))
        return ("-" + leaf) if draw(st.integers(0, 3)) == 0 else leaf
    parts = draw(st.lists(_queries(depth - 1), min_size=2, max_size=3))
    return "(" + draw(st.sampled_from([" ", " OR "])).join(parts) + ")"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=_queries(), sort=st.sampled_from(["relevance", "date", "-released", "id"]), offset=st.integers(0, 60))
def test_random_queries_give_what_sql_gives(store: SQLiteStore, q: str, sort: str, offset: int) -> None:
    try:
        parse_query(q)
    except QuerySyntaxError:
        assume(False)  # e.g. date ranges that exclude each other
    _same(store, q, sort=sort, limit=11, offset=offset)


# ---------------------------------------------------------------- dates the snapshot does not parse


def test_dates_compare_as_sqlite_compares_them(tmp_path: Path) -> None:
    """Odd created/released values (not ISO days, short, NULL) sort and filter as in SQL."""
    s = open_store(str(tmp_path / "dates.db"))
    assert isinstance(s, SQLiteStore)
    odd = [None, "2005", "2005-08", "2005-08-18", "2005-08-18T13:06:00", "2005-8-1", "garbage", "", "9999-12-31",
           "2005-08-18 13:06", "0099-01-01T00:00:00", "2005-08-19T00:00:00+02:00", "Z"]
    s.store_batch([make_pair(f"05DATES{i}", created=c, released=odd[-1 - i], tags=["T" + str(i % 3)])
                   for i, c in enumerate(odd)])
    try:
        for q in ("date:2005", "date:2005-08", "date:2005-08-18", "from:2005-08-18", "to:2005-08-18", "-date:2005",
                  "date<2005-08-19", "date>2005", "from:1000-01-01", "to:9999-12-31", "released:2005",
                  "-released<=2005-08-18", "date:2005 OR tag:T1"):
            for sort in ("date", "-date", "released", "-released", "id"):
                _same(s, q, sort=sort, limit=ALL)
    finally:
        s.close()


# ---------------------------------------------------------------- invalidation


def _write_in_other_process(path: str, cable_id: str) -> None:
    s = open_store(path)
    try:
        s.store_batch([make_pair(cable_id, tags=["ZZNEW"], origin="Embassy Elsewhere", created="2012-02-03T04:05:06")])
    finally:
        s.close()


def test_a_write_through_another_connection_reloads_the_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    reader = _fill(path)
    reader.columns_reload_interval = 0
    try:
        before = reader.query("tag:PGOV OR tag:ZZNEW")
        first = reader._columns
        assert first is not None
        writer = open_store(str(path))
        try:
            writer.store_batch([make_pair("10WRITER1", tags=["ZZNEW", "PGOV"], origin="Embassy Elsewhere")])
        finally:
            writer.close()
        after = reader.query("tag:PGOV OR tag:ZZNEW")
        assert after.total == before.total + 1
        assert ("ZZNEW", 1) in after.facets["tag"] and ("Embassy Elsewhere", 1) in after.facets["origin"]
        assert reader._columns is not first and reader._columns.generation != first.generation
    finally:
        reader.close()


def test_a_write_in_another_process_reloads_the_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    reader = _fill(path)
    reader.columns_reload_interval = 0
    try:
        n = reader.query("tag:ZZNEW").total
        assert n == 0
        ctx = multiprocessing.get_context("spawn")
        p = ctx.Process(target=_write_in_other_process, args=(str(path), "10OTHERPROC1"))
        p.start()
        p.join(60)
        assert p.exitcode == 0
        page = reader.query("tag:ZZNEW", sort="-date")
        assert page.total == 1 and [h.id for h in page.hits] == ["10OTHERPROC1"]
        assert reader.query("", sort="-date", limit=1).hits[0].id == "10OTHERPROC1"
        _same(reader, "from:2012-02-03", sort="-date", limit=ALL)
    finally:
        reader.close()


def test_while_a_writer_is_busy_queries_stay_exact_without_reloading(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    s = _fill(path)
    s.columns_reload_interval = 3600.0  # a reload just happened: no other for an hour
    try:
        s.query("tag:PGOV")
        loaded = s._columns
        for i in range(3):
            s.store_batch([make_pair(f"10BUSY{i}", tags=["PGOV"], created=f"2012-0{i + 1}-01T00:00:00")])
            s.clear_read_cache()
            page = s.query("tag:PGOV", sort="-date", limit=3)
            assert s._columns is loaded  # not reloaded: answered in SQL
            assert [h.id for h in page.hits][: i + 1] == [f"10BUSY{j}" for j in range(i, -1, -1)]
            _same(s, "tag:PGOV", sort="-date", limit=ALL)
        s.columns_reload_interval = 0
        s.query("tag:PGOV")
        assert s._columns is not loaded and s._columns.count == len(CORPUS.pairs) + 3
    finally:
        s.close()


def test_a_stale_search_index_gives_the_same_answers(tmp_path: Path) -> None:
    """Inside a deferred-index import the FTS index lacks the new cables (and may name
    keys facts no longer has): both paths see the same."""
    s = _fill(tmp_path / "stale.db")
    try:
        with s.defer_search_index():
            s.store_batch([make_pair("10DEFER1", tags=["PGOV"]), make_pair(CORPUS.cables[0].id, variant=9,
                                                                           paragraphs=[(1, "C", "REPLACED " * 40)])])
            s.columns_reload_interval = 0
            for q in (W[0], f"{W[0]} OR tag:PGOV", f"-{W[1]}", "tag:PGOV"):
                _same(s, q, limit=ALL)
                _same(s, q, sort="-date", limit=5, offset=2)
    finally:
        s.close()


# ---------------------------------------------------------------- the sort orders read from the indexes


def test_sort_positions_are_checked_against_the_database(store: SQLiteStore) -> None:
    conn = sqlite3.connect(store.path)
    try:
        keys = np.array([r[0] for r in conn.execute("SELECT key FROM facts ORDER BY created, key")])
        assert _in_order(conn, "facts", "created, key", keys)
        shuffled = keys.copy()
        random.Random(3).shuffle(shuffled)  # type: ignore[arg-type]
        assert not _in_order(conn, "facts", "created, key", shuffled)
        assert not _in_order(conn, "facts", "created, key", keys[::-1].copy())
        conn.execute("BEGIN")
        cols = load(conn)
        placed = cols.positions("date", conn)
        assert [int(k) for k in np.argsort(placed)[: keys.size]] == keys.tolist()
    finally:
        conn.close()


def test_the_snapshot_is_small(store: SQLiteStore) -> None:
    store.query("tag:PGOV")
    cols = store._columns
    assert cols is not None
    assert cols.nbytes() < 200 * cols.size  # bytes per key, all orders loaded or not
    assert querydata.TAGS  # the generated collection has tags to count
