"""Bulk imports with the full-text index built once at the end.

What searches see meanwhile differs: SQLite's FTS5 index misses the new cables until
the end; PostgreSQL writes each cable's document with its row (only the GIN index is
deferred, and only for an import into an empty store), so searches find them, slower.
Both end in the same state.
"""

from __future__ import annotations

import pytest

from cablemirror.store import StoreError, open_store
from cablemirror.store.base import Store

from .conftest import is_postgresql
from .dbcheck import check_search_index as _integrity
from .factories import make_pair


def test_index_is_built_once_at_the_end(store: Store, store_db: str) -> None:
    store.store_batch([make_pair("09D0", paragraphs=[(1, "C", "ALPACA BEFORE")])])
    with store.defer_search_index():
        store.store_batch([make_pair(f"09D{i}", paragraphs=[(1, "C", f"ALPACA NUMBER {i}")]) for i in range(1, 6)])
        if is_postgresql(store_db):  # documents go in with their rows; the store was not empty: index kept
            assert store.search("alpaca").total == 6 and store.stats()["search_index"] == "ok"
        else:
            assert store.search("alpaca").total == 1  # not indexed yet
            assert store.stats()["search_index"] == "stale"
            with open_store(store_db, readonly=True) as reader:
                assert reader.stats()["search_index"] == "stale"
    assert store.search("alpaca").total == 6
    assert store.stats()["search_index"] == "ok"
    _integrity(store_db)


def test_first_import_is_marked_stale_until_the_end(store: Store, store_db: str) -> None:
    with store.defer_search_index():
        store.store_batch([make_pair(f"09F{i}", paragraphs=[(1, "C", f"VICUNA NUMBER {i}")]) for i in range(3)])
        assert store.stats()["search_index"] == "stale"
        with open_store(store_db, readonly=True) as reader:
            assert reader.stats()["search_index"] == "stale"
            assert reader.search("vicuna").total == (3 if is_postgresql(store_db) else 0)
    assert store.search("vicuna").total == 3 and store.stats()["search_index"] == "ok"
    _integrity(store_db)


def test_switching_versions_while_deferred(store: Store, store_db: str) -> None:
    store.store_batch([make_pair("09DS1", partial=True, header="", paragraphs=[(1, "C", "GIRAFFE PARTIAL")])])
    with store.defer_search_index():
        store.store_batch([make_pair("09DS1", variant=1, paragraphs=[(1, "C", "OKAPI WHOLE")])])
    assert store.search("giraffe").total == 0 and store.search("okapi").total == 1
    _integrity(store_db)


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


def test_interrupted_import_stays_marked_until_repaired(store_db: str) -> None:
    store = open_store(store_db)
    with pytest.raises(KeyboardInterrupt):
        with store.defer_search_index():
            store.store_batch([make_pair("09DI1", paragraphs=[(1, "C", "NARWHAL")])])
            raise KeyboardInterrupt
    store.close()
    with open_store(store_db) as again:
        assert again.stats()["search_index"] == "stale"
        assert again.search("narwhal").total == (1 if is_postgresql(store_db) else 0)
        with again.defer_search_index():  # the next bulk import repairs it, even with nothing new
            pass
        assert again.stats()["search_index"] == "ok" and again.search("narwhal").total == 1
    with open_store(store_db) as again:
        with pytest.raises(KeyboardInterrupt), again.defer_search_index():
            again.store_batch([make_pair("09DI2", paragraphs=[(1, "C", "NARWHAL TWO")])])
            raise KeyboardInterrupt
        again.rebuild_search_index()
        assert again.search("narwhal").total == 2 and again.stats()["search_index"] == "ok"
    _integrity(store_db)


def test_nested_deferral_rebuilds_once_at_the_outer_end(store: Store, store_db: str) -> None:
    with store.defer_search_index():
        with store.defer_search_index():
            store.store_batch([make_pair("09DX1", paragraphs=[(1, "C", "IBEX")])])
        assert store.stats()["search_index"] == "stale"  # the inner end built nothing
        assert store.search("ibex").total == (1 if is_postgresql(store_db) else 0)
    assert store.search("ibex").total == 1 and store.stats()["search_index"] == "ok"


def test_readonly_cannot_defer(store: Store, store_db: str) -> None:
    with open_store(store_db, readonly=True) as ro:
        with pytest.raises(StoreError, match="read-only"):
            with ro.defer_search_index():
                pass
        with pytest.raises(StoreError, match="read-only"):
            ro.rebuild_search_index()
