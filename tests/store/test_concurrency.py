"""One writer, many readers: readers see whole batches, never errors."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from cablemirror.store import StoreError, open_store
from cablemirror.store import sqlite as sqlite_backend

from .conftest import Locations
from .factories import make_pair

BATCH = 25
BATCHES = 16


def test_reader_sees_whole_batches_while_writer_writes(store_db: str) -> None:
    writer = open_store(store_db)
    writer.store_batch([make_pair("00SEED1")])
    reader = open_store(store_db, readonly=True)
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                st = reader.stats()
                assert st["versions"] == st["cables"]  # each batch is all or nothing
                assert (st["cables"] - 1) % BATCH == 0
                assert (reader.search("fisheries").total - 1) % BATCH == 0  # the index too
                seen.append(st["cables"])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    t = threading.Thread(target=read)
    t.start()
    try:
        for b in range(BATCHES):
            writer.store_batch([make_pair(f"09W{b}X{i}") for i in range(BATCH)])
    finally:
        done.set()
        t.join()
    writer.close()
    assert not errors, errors
    assert seen == sorted(seen) and len(seen) > 1
    assert reader.stats()["cables"] == 1 + BATCH * BATCHES
    reader.close()


def test_one_readonly_store_serves_many_threads(store_db: str) -> None:
    with open_store(store_db) as w:
        w.store_batch([make_pair(f"09T{i}") for i in range(20)])
    store = open_store(store_db, readonly=True)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(40):
                assert store.get_cable(f"09T{(n + i) % 20}") is not None
                assert store.search("quota").total == 20
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    assert not errors, errors


def test_second_writer_gets_a_clear_busy_error(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: one writer at a time (PostgreSQL writers take turns: tests/store_pg)."""
    open_store(str(db_path)).close()
    monkeypatch.setattr(sqlite_backend, "BUSY_SECONDS", 0.2)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process in the middle of an import
    try:
        with open_store(str(db_path)) as s:
            with pytest.raises(StoreError, match="busy: another process is writing"):
                s.store_batch([make_pair("09BUSY1")])
            assert s.get_cable("09BUSY1") is None  # reading still works
    finally:
        other.execute("ROLLBACK")
        other.close()
    with open_store(str(db_path)) as s:
        assert s.store_batch([make_pair("09BUSY1")])[0].status == "new"


def test_stores_created_at_the_same_time(new_db: Locations) -> None:
    path = new_db("race")
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def create(n: int) -> None:
        try:
            barrier.wait()
            with open_store(path) as s:
                s.store_batch([make_pair(f"09RACE{n}")])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with open_store(path, readonly=True) as s:
        assert s.stats()["cables"] == 4
