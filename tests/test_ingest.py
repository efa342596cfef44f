"""ingest: sources -> parser -> store, idempotent, resumable, nothing lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cablemirror.demo import write_cables_csv
from cablemirror.ingest import COMPLETE, import_paths
from cablemirror.sources import read_path
from cablemirror.store import open_store

from .conftest import shared_path


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 generated cables in the cables.csv format (generated data, not the release)."""
    path = tmp_path_factory.mktemp("demo") / "demo-cables.csv"
    write_cables_csv(path, 120, 7)
    return path


def _snapshot(db: Path) -> dict[str, object]:
    with open_store(str(db), readonly=True) as store:
        st = store.stats()
        return {k: st[k] for k in ("cables", "versions", "quarantined", "references")}


def test_import_generated_csv_then_again_changes_nothing(tmp_path: Path, demo_csv: Path) -> None:
    db = tmp_path / "t.db"
    with open_store(str(db)) as store:
        first = import_paths(store, [demo_csv], batch_size=25)
    assert (first.new, first.updated, first.unchanged, first.quarantined) == (120, 0, 0, 0)
    before = _snapshot(db)
    with open_store(str(db)) as store:
        again = import_paths(store, [demo_csv])
        forced = import_paths(store, [demo_csv], force=True)
    assert again.records == 0 and again.files[0].status == "skipped" and not again.changed
    assert (forced.new, forced.updated, forced.unchanged) == (0, 0, 120) and not forced.changed
    assert _snapshot(db) == before


def test_parallel_parsing_gives_the_same_store(tmp_path: Path, demo_csv: Path) -> None:
    records = {}
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        with open_store(str(db)) as store:
            s = import_paths(store, [demo_csv], workers=workers, batch_size=10)
            assert s.new == 120
            records[workers] = {cid: store.get_cable(cid) for cid, _ in store.iter_ids()}
    assert len(records[1]) == 120
    assert records[1] == records[2]


class _Interrupt(Exception):
    pass


def test_interrupted_import_resumes_from_the_checkpoint(tmp_path: Path, demo_csv: Path) -> None:
    db = tmp_path / "resume.db"
    store = open_store(str(db))
    real_store_batch = store.store_batch
    calls = {"n": 0}

    def failing(items):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise _Interrupt("power cut")
        return real_store_batch(items)

    store.store_batch = failing  # type: ignore[method-assign]
    with pytest.raises(_Interrupt):
        import_paths(store, [demo_csv], batch_size=20)
    store.close()

    with open_store(str(db)) as store:
        partial = store.stats()["cables"]
        assert partial == 40  # two batches of 20 were committed before the cut
        resumed = import_paths(store, [demo_csv], batch_size=20)
        assert resumed.files[0].status == "resumed"
        assert resumed.new == 80 and resumed.unchanged == 0  # it did not re-read the first 40
        assert store.stats()["cables"] == 120
        key = str(demo_csv.resolve())
        from cablemirror.ingest import file_fingerprint

        assert store.import_checkpoint(key, file_fingerprint(demo_csv)) == COMPLETE


def test_bad_input_is_quarantined_never_aborts(tmp_path: Path, demo_csv: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(demo_csv, folder / "good.csv")
    (folder / "junk.bin").write_bytes(bytes(range(256)) * 10)
    (folder / "empty.txt").write_bytes(b"")
    text = demo_csv.read_bytes()
    (folder / "cut.csv").write_bytes(text[: len(text) // 3])  # cut mid-record
    db = tmp_path / "q.db"
    with open_store(str(db)) as store:
        s = import_paths(store, [folder])
        quarantined = list(store.iter_quarantine())
    assert s.new == 120  # the cut copy's intact records are the same bytes: unchanged
    assert s.quarantined >= 2
    reasons = " | ".join(q["reason"] for q in quarantined)
    assert "cut off" in reasons
    paths = {Path(q["path"]).name for q in quarantined}
    assert {"junk.bin", "cut.csv"} <= paths
    for q in quarantined:
        assert q["reason"] and q["sha256"] and q["offset"] >= 0


def test_damaged_real_csv_heads_import_every_intact_record(tmp_path: Path) -> None:
    folder = shared_path("corpus", "cables-csv-raw-head")
    db = tmp_path / "heads.db"
    with open_store(str(db)) as store:
        s = import_paths(store, [folder])
        quarantined = list(store.iter_quarantine())
    intact = sum(1 for f in sorted(folder.iterdir()) for r in read_path(f) if not hasattr(r, "reason"))
    assert s.records == intact
    cut = [q for q in quarantined if "cut off" in q["reason"]]
    assert {Path(q["path"]).name for q in cut} == {"aa.csv", "final2.csv", "nlp.csv"}
    for q in cut:  # the offset points at the record's first byte in the file
        data = Path(q["path"]).read_bytes()
        assert data[q["offset"] : q["offset"] + 1] == b'"'
        assert q["offset"] + q["length"] == len(data.rstrip())  # trailing blank lines are not content


def test_whole_corpus_imports_and_reimport_is_a_no_op(tmp_path: Path) -> None:
    corpus = shared_path("corpus")
    db = tmp_path / "corpus.db"
    with open_store(str(db)) as store:
        s = import_paths(store, [corpus], workers=2)
        st = store.stats()
        again = import_paths(store, [corpus])
    assert s.records >= 3400 and st["cables"] >= 3400
    # The only non-record file in the corpus is the sources list; the rest are cut-off records.
    assert s.quarantined <= 6
    assert not again.changed and all(f.status == "skipped" for f in again.files)
