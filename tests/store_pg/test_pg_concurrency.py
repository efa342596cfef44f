"""Several writers and readers on one PostgreSQL store: whole batches, no duplicates,
no errors, and clear messages when connections run out."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from typing import Any

import pytest

from cablemirror.store import StoreError, open_store

from ..store.factories import make_pair

pytestmark = pytest.mark.postgres

BATCH = 25
BATCHES = 12


def test_readers_see_whole_batches_while_a_writer_writes(pg_url: str) -> None:
    writer = open_store(pg_url)
    writer.store_batch([make_pair("00SEED1")])
    reader = open_store(pg_url, readonly=True)
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                st = reader.stats()
                assert st["versions"] == st["cables"]  # each batch is all or nothing
                assert (st["cables"] - 1) % BATCH == 0
                page = reader.query("fisheries", limit=0)
                assert (page.total - 1) % BATCH == 0  # the documents too
                assert sum(n for _, n in page.facets["origin"]) == page.total
                seen.append(st["cables"])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for b in range(BATCHES):
            writer.store_batch([make_pair(f"09W{b}X{i}") for i in range(BATCH)])
    finally:
        done.set()
        for t in threads:
            t.join()
    writer.close()
    assert not errors, errors
    assert len(seen) > 1
    assert reader.stats()["cables"] == 1 + BATCH * BATCHES
    reader.close()


def _overlapping_batches(writer: int) -> list[list[Any]]:
    """Batches of two importers over the same 60 cables (versions 0 and 1 of each)."""
    pairs = [make_pair(f"09OV{i}", variant=(i + writer) % 2) for i in range(60)]
    pairs += [make_pair(f"09OV{i}", variant=(i + writer + 1) % 2) for i in range(60)]
    if writer:
        pairs.reverse()
    return [pairs[i : i + 15] for i in range(0, len(pairs), 15)]


def test_two_importers_at_once_store_everything_once(pg_url: str, rows: Any) -> None:
    open_store(pg_url).close()
    outcomes: list[list[Any]] = [[], []]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(n: int) -> None:
        try:
            with open_store(pg_url) as s:
                barrier.wait()
                for batch in _overlapping_batches(n):
                    outcomes[n] += s.store_batch(batch)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    both = outcomes[0] + outcomes[1]
    # Each cable was new exactly once, each of its two versions stored exactly once.
    assert Counter(o.status for o in both) == {"new": 60, "updated": 60, "unchanged": 120}
    assert sorted(o.cable_id for o in both if o.status == "new") == sorted(f"09OV{i}" for i in range(60))
    assert rows("SELECT count(*), count(DISTINCT sha256), min(version_id), max(version_id) FROM versions") == [
        (120, 120, 1, 120)]
    assert rows("SELECT count(*), sum(n_versions) FROM cables") == [(60, 120)]
    assert rows("SELECT count(*) FROM facts") == [(60,)]
    with open_store(pg_url, readonly=True) as s:
        for i in (0, 17, 59):
            versions = s.get_versions(f"09OV{i}")
            assert len(versions) == 2 and sum(v["current"] for v in versions) == 1
            current = next(v for v in versions if v["current"])
            assert s.get_cable(f"09OV{i}")["source"]["sha256"] == current["sha256"]  # type: ignore[index]


def _import_in_a_process(url: str, n: int, queue: Any) -> None:
    try:
        with open_store(url) as s:
            statuses = [o.status for batch in _overlapping_batches(n) for o in s.store_batch(batch)]
        queue.put(("ok", statuses))
    except BaseException as exc:  # noqa: BLE001
        queue.put(("error", repr(exc)))


def test_two_importer_processes(pg_url: str, rows: Any) -> None:
    open_store(pg_url).close()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_import_in_a_process, args=(pg_url, n, queue)) for n in (0, 1)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert all(kind == "ok" for kind, _ in results), results
    assert Counter(s for _, statuses in results for s in statuses) == {"new": 60, "updated": 60, "unchanged": 120}
    assert rows("SELECT count(*), count(DISTINCT sha256) FROM versions") == [(120, 120)]


def test_one_store_serves_many_threads(pg_url: str) -> None:
    with open_store(pg_url) as w:
        w.store_batch([make_pair(f"09T{i}") for i in range(20)])
    store = open_store(pg_url + "&pool_size=3", readonly=True)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                assert store.get_cable(f"09T{(n + i) % 20}") is not None
                assert store.query("quota", limit=2).total == 20
                assert store.search("quota").total == 20
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    assert not errors, errors


def test_no_free_connection_is_a_clear_error(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from cablemirror.store import postgres

    monkeypatch.setattr(postgres, "POOL_TIMEOUT", 0.5)
    with open_store(pg_url + "&pool_size=1") as s:
        s._pool.timeout = 0.5  # type: ignore[attr-defined]
        with s._connection():  # type: ignore[attr-defined]  # another request holds the only connection
            with pytest.raises(StoreError, match="pooled connections is busy.*pool_size"):
                s.get_cable("09X")
        assert s.get_cable("09X") is None  # and then it is free again


def test_a_writer_waits_for_another_writers_batch(pg_url: str, pg_admin: Any, pg_schema: str) -> None:
    """The writer lock: a batch waits while another transaction holds it, then goes on."""
    from cablemirror.store.pg_schema import LOCK_SQL

    open_store(pg_url).close()
    pg_admin.execute("BEGIN")
    pg_admin.execute(f'SET LOCAL search_path = "{pg_schema}"')
    pg_admin.execute(LOCK_SQL)
    done = threading.Event()
    result: list[Any] = []

    def write() -> None:
        with open_store(pg_url) as s:
            result.extend(s.store_batch([make_pair("09WAIT1")]))
        done.set()

    t = threading.Thread(target=write)
    t.start()
    assert not done.wait(1.0)  # blocked by the lock
    pg_admin.execute("COMMIT")
    t.join(timeout=30)
    assert done.is_set() and [o.status for o in result] == ["new"]
