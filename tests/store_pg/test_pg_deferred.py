"""Bulk imports into PostgreSQL: the GIN index built once for a first import, kept
current otherwise; documents are always written, so searches never miss a cable."""

from __future__ import annotations

from typing import Any

import pytest

from cablemirror.store import StoreError, open_store
from cablemirror.store.base import Store

from ..store.factories import make_pair

pytestmark = pytest.mark.postgres


def _index(rows: Any) -> list[tuple[Any, ...]]:
    return rows("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'facts_doc'")


def test_first_import_builds_the_index_once_at_the_end(pg_store: Store, rows: Any, pg_url: str) -> None:
    with pg_store.defer_search_index():
        pg_store.store_batch([make_pair(f"09D{i}", paragraphs=[(1, "C", f"ALPACA NUMBER {i}")]) for i in range(6)])
        assert _index(rows) == []  # dropped while the empty store fills
        assert pg_store.stats()["search_index"] == "stale"
        with open_store(pg_url, readonly=True) as reader:
            assert reader.stats()["search_index"] == "stale"
            assert reader.search("alpaca").total == 6  # slower meanwhile, never wrong
    assert "gin (doc)" in _index(rows)[0][0]
    assert pg_store.stats()["search_index"] == "ok" and pg_store.search("alpaca").total == 6


def test_import_into_a_filled_store_keeps_the_index(pg_store: Store, rows: Any) -> None:
    pg_store.store_batch([make_pair("09F0", paragraphs=[(1, "C", "ALPACA BEFORE")])])
    with pg_store.defer_search_index():
        pg_store.store_batch([make_pair("09F1", paragraphs=[(1, "C", "ALPACA AFTER")])])
        assert _index(rows) != [] and pg_store.stats()["search_index"] == "ok"
        assert pg_store.search("alpaca").total == 2
    assert pg_store.search("alpaca").total == 2


def test_nothing_changed_nothing_built(pg_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = [make_pair("09DN1"), make_pair("09DN2")]
    pg_store.store_batch(batch)
    calls: list[int] = []
    monkeypatch.setattr(type(pg_store), "_build_index", lambda self: calls.append(1))
    with pg_store.defer_search_index():
        assert {o.status for o in pg_store.store_batch(batch)} == {"unchanged"}
    assert calls == [] and pg_store.stats()["search_index"] == "ok"


def test_error_inside_still_builds_the_index(pg_store: Store) -> None:
    with pytest.raises(RuntimeError, match="reader failed"):
        with pg_store.defer_search_index():
            pg_store.store_batch([make_pair("09DE1", paragraphs=[(1, "C", "MARMOT")])])
            raise RuntimeError("reader failed")
    assert pg_store.search("marmot").total == 1 and pg_store.stats()["search_index"] == "ok"


def test_interrupted_import_stays_marked_until_repaired(pg_url: str, rows: Any) -> None:
    store = open_store(pg_url)
    with pytest.raises(KeyboardInterrupt):
        with store.defer_search_index():
            store.store_batch([make_pair("09DI1", paragraphs=[(1, "C", "NARWHAL")])])
            raise KeyboardInterrupt
    store.close()
    with open_store(pg_url) as again:
        assert again.stats()["search_index"] == "stale" and again.search("narwhal").total == 1
        with again.defer_search_index():  # the next bulk import repairs it, even with nothing new
            pass
        assert again.stats()["search_index"] == "ok" and _index(rows) != []
    rows("DROP INDEX facts_doc")
    with open_store(pg_url) as again:
        assert again.stats()["search_index"] == "stale"
        again.rebuild_search_index()
        assert again.stats()["search_index"] == "ok" and again.search("narwhal").total == 1


def test_rebuild_recomputes_documents(pg_store: Store, rows: Any) -> None:
    pg_store.store_batch([make_pair(f"09RB{i}", tags=["PGOV"], paragraphs=[(1, "C", f"OKAPI {i}")]) for i in range(5)])
    before = rows("SELECT key, doc::text FROM facts ORDER BY key")
    rows("UPDATE facts SET doc = ''::tsvector WHERE key <= 2 RETURNING 1")  # damaged documents
    assert pg_store.search("okapi").total == 3
    pg_store.rebuild_search_index()
    assert rows("SELECT key, doc::text FROM facts ORDER BY key") == before
    assert pg_store.search("okapi").total == 5 and pg_store.query("okapi tag:PGOV").total == 5


def test_nested_deferral_builds_once_at_the_outer_end(pg_store: Store, rows: Any) -> None:
    with pg_store.defer_search_index():
        with pg_store.defer_search_index():
            pg_store.store_batch([make_pair("09DX1", paragraphs=[(1, "C", "IBEX")])])
        assert _index(rows) == []
    assert _index(rows) != [] and pg_store.search("ibex").total == 1


def test_readonly_cannot_defer(pg_store: Store, pg_url: str) -> None:
    with open_store(pg_url, readonly=True) as ro:
        with pytest.raises(StoreError, match="read-only"):
            with ro.defer_search_index():
                pass
        with pytest.raises(StoreError, match="read-only"):
            ro.rebuild_search_index()
