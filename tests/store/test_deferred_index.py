"""Bulk imports with the full-text index built once at the end."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cablemirror.store import StoreError, open_store
from cablemirror.store.base import Store

from .factories import make_pair


def _integrity(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("INSERT INTO cables_fts(cables_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


def test_index_is_built_once_at_the_end(store: Store, db_path: Path) -> None:
    store.store_batch([make_pair("09D0", paragraphs=[(1, "C", "ALPACA BEFORE")])])
    with store.defer_search_index():
        store.store_batch([make_pair(f"09D{i}", paragraphs=[(1, "C", f"ALPACA NUMBER {i}")]) for i in range(1, 6)])
        assert store.search("alpaca").total == 1  # not indexed yet
        assert store.stats()["search_index"] == "stale"
        with open_store(str(db_path), readonly=True) as reader:
            assert reader.stats()["search_index"] == "stale"
    assert store.search("alpaca").total == 6
    assert store.stats()["search_index"] == "ok"
    _integrity(db_path)


def test_switching_versions_while_deferred(store: Store, db_path: Path) -> None:
    store.store_batch([make_pair("09DS1", partial=True, header="", paragraphs=[(1, "C", "GIRAFFE PARTIAL")])])
    with store.defer_search_index():
        store.store_batch([make_pair("09DS1", variant=1, paragraphs=[(1, "C", "OKAPI WHOLE")])])
    assert store.search("giraffe").total == 0 and store.search("okapi").total == 1
    _integrity(db_path)


def test_nothing_changed_nothing_rebuilt(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = [make_pair("09DN1"), make_pair("09DN2")]
    store.store_batch(batch)
    calls: list[int] = []
    monkeypatch.setattr(type(store), "rebuild_search_index", lambda self: calls.append(1))
    with store.defer_search_index():
        assert {o.status for o in store.store_batch(batch)} == {"unchanged"}
    assert calls == [] and store.stats()["search_index"] == "ok"


def test_error_inside_still_indexes_what_was_stored(store: Store) -> None:
    with pytest.raises(RuntimeError, match="reader failed"):
        with store.defer_search_index():
            store.store_batch([make_pair("09DE1", paragraphs=[(1, "C", "MARMOT")])])
            raise RuntimeError("reader failed")
    assert store.search("marmot").total == 1 and store.stats()["search_index"] == "ok"


def test_interrupted_import_stays_marked_until_repaired(db_path: Path) -> None:
    store = open_store(str(db_path))
    with pytest.raises(KeyboardInterrupt):
        with store.defer_search_index():
            store.store_batch([make_pair("09DI1", paragraphs=[(1, "C", "NARWHAL")])])
            raise KeyboardInterrupt
    store.close()
    with open_store(str(db_path)) as again:
        assert again.stats()["search_index"] == "stale" and again.search("narwhal").total == 0
        with again.defer_search_index():  # the next bulk import repairs it, even with nothing new
            pass
        assert again.stats()["search_index"] == "ok" and again.search("narwhal").total == 1
    with open_store(str(db_path)) as again:
        with pytest.raises(KeyboardInterrupt), again.defer_search_index():
            again.store_batch([make_pair("09DI2", paragraphs=[(1, "C", "NARWHAL TWO")])])
            raise KeyboardInterrupt
        again.rebuild_search_index()
        assert again.search("narwhal").total == 2 and again.stats()["search_index"] == "ok"
    _integrity(db_path)


def test_nested_deferral_rebuilds_once_at_the_outer_end(store: Store) -> None:
    with store.defer_search_index():
        with store.defer_search_index():
            store.store_batch([make_pair("09DX1", paragraphs=[(1, "C", "IBEX")])])
        assert store.search("ibex").total == 0
    assert store.search("ibex").total == 1


def test_readonly_cannot_defer(store: Store, db_path: Path) -> None:
    with open_store(str(db_path), readonly=True) as ro:
        with pytest.raises(StoreError, match="read-only"):
            with ro.defer_search_index():
                pass
        with pytest.raises(StoreError, match="read-only"):
            ro.rebuild_search_index()
