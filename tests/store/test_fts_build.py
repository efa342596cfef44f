"""The full-text index of a first import, built in a scratch file beside the writer
(store/fts_build.py): it must end exactly as a one-pass rebuild would, and any
surprise must fall back to that rebuild."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest

from cablemirror.store import open_store
from cablemirror.store.fts_build import IndexBuilder, scratch_path
from cablemirror.store.sqlite import SQLiteStore

from . import querydata
from .factories import make_pair

CORPUS = querydata.build(n=150, seed=11)
W = CORPUS.words


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = open_store(str(tmp_path / "fresh.db"))
    assert isinstance(s, SQLiteStore)
    yield s
    s.close()


def _integrity(path: Path) -> None:
    db = sqlite3.connect(path)  # a plain connection: nothing of cablemirror's is needed
    try:
        db.execute("INSERT INTO cables_fts(cables_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        db.close()


def _answers(s: SQLiteStore) -> list[object]:
    out: list[object] = []
    for q in (W[0], W[3], f'"{W[0]} {W[1]}"', f"{W[2][:3]}*", f"subject:{W[1]}", f"{W[4]} OR tag:PGOV", f"-{W[0]}"):
        page = s.query(q, limit=200, facet_limit=None)
        out.append((q, page.total, [(h.id, h.snippet, h.paragraph, round(h.score, 9)) for h in page.hits], page.facets))
    return out


def _import(s: SQLiteStore, batches: int = 30) -> None:
    for i in range(0, len(CORPUS.pairs), batches):
        s.store_batch(CORPUS.pairs[i : i + batches])


def test_a_first_import_builds_its_index_beside_the_writer(fresh: SQLiteStore, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    rebuilt: list[int] = []
    original = SQLiteStore.rebuild_search_index
    monkeypatch.setattr(SQLiteStore, "rebuild_search_index", lambda self: (rebuilt.append(1), original(self)))
    with fresh.defer_search_index():
        assert fresh._builder is not None and scratch_path(fresh.path).exists()
        _import(fresh)
        assert fresh.stats()["search_index"] == "stale" and fresh.search(W[0]).total == 0
    assert rebuilt == [] and fresh.stats()["search_index"] == "ok"
    assert not scratch_path(fresh.path).exists()
    _integrity(fresh.path)

    other = open_store(str(tmp_path / "other.db"))
    assert isinstance(other, SQLiteStore)
    try:
        _import(other)  # indexed batch by batch: the reference
        assert _answers(fresh) == _answers(other)
        fresh.rebuild_search_index()  # and a one-pass rebuild of the same gives the same
        assert _answers(fresh) == _answers(other)
    finally:
        other.close()


def test_versions_switching_during_the_import(fresh: SQLiteStore) -> None:
    with fresh.defer_search_index():
        assert fresh._builder is not None
        fresh.store_batch([make_pair("09BS1", partial=True, header="", paragraphs=[(1, "C", "GIRAFFE PARTIAL")]),
                           make_pair("09BS2", paragraphs=[(1, "C", "ZEBRA STAYS")])])
        fresh.store_batch([make_pair("09BS1", variant=1, paragraphs=[(1, "C", "OKAPI WHOLE")])])
    assert fresh.search("giraffe").total == 0 and fresh.search("okapi").total == 1
    assert fresh.search("zebra").total == 1
    _integrity(fresh.path)


def test_no_builder_when_the_store_already_has_an_index(fresh: SQLiteStore) -> None:
    fresh.store_batch([make_pair("09BX1", paragraphs=[(1, "C", "LLAMA FIRST")])])
    with fresh.defer_search_index():
        assert fresh._builder is None  # the rebuild must index what is already there
        fresh.store_batch([make_pair("09BX2", paragraphs=[(1, "C", "LLAMA SECOND")])])
    assert fresh.search("llama").total == 2
    _integrity(fresh.path)


def test_a_write_by_another_connection_falls_back_to_a_rebuild(fresh: SQLiteStore, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cablemirror.store.sqlite"):
        with fresh.defer_search_index():
            fresh.store_batch([make_pair("09BO1", paragraphs=[(1, "C", "ALPACA MINE")])])
            with open_store(str(fresh.path)) as other:  # its write is not in the scratch index
                other.store_batch([make_pair("09BO2", paragraphs=[(1, "C", "ALPACA THEIRS")])])
    assert "cannot be used" in caplog.text
    assert fresh.search("alpaca").total == 2 and fresh.stats()["search_index"] == "ok"
    assert not scratch_path(fresh.path).exists()
    _integrity(fresh.path)


def test_a_failure_in_the_thread_falls_back_to_a_rebuild(fresh: SQLiteStore, monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    def broken(self: IndexBuilder, rows: object, versions: object) -> None:
        self._put(("insert", [("not a key", 1, 2, 3, 4, 5)], []))  # six values for five columns

    monkeypatch.setattr(IndexBuilder, "add", broken)
    with caplog.at_level(logging.WARNING, logger="cablemirror.store.sqlite"):
        with fresh.defer_search_index():
            _import(fresh)
    assert "cannot be used" in caplog.text and "indexing failed" in caplog.text
    assert fresh.search(W[0]).total > 0 and fresh.stats()["search_index"] == "ok"
    _integrity(fresh.path)


def test_an_error_during_the_import_discards_the_scratch_index(fresh: SQLiteStore) -> None:
    with pytest.raises(RuntimeError):
        with fresh.defer_search_index():
            fresh.store_batch([make_pair("09BE1", paragraphs=[(1, "C", "VICUNA KEPT")])])
            raise RuntimeError("reader failed")
    assert not scratch_path(fresh.path).exists()
    assert fresh.search("vicuna").total == 1 and fresh.stats()["search_index"] == "ok"


def test_an_interrupted_import_leaves_the_index_stale(fresh: SQLiteStore) -> None:
    with pytest.raises(KeyboardInterrupt):
        with fresh.defer_search_index():
            fresh.store_batch([make_pair("09BI1", paragraphs=[(1, "C", "GUANACO")])])
            raise KeyboardInterrupt
    assert not scratch_path(fresh.path).exists()
    assert fresh.stats()["search_index"] == "stale"
    with fresh.defer_search_index():  # the next deferred import repairs it (a rebuild: cables are stored)
        assert fresh._builder is None
    assert fresh.search("guanaco").total == 1 and fresh.stats()["search_index"] == "ok"
