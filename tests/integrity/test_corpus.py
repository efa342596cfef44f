"""The real release files: a store of the whole corpus verifies against its own
folder, and a release folder that gains, loses or changes a file is reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cablemirror.cli import main
from cablemirror.ingest import import_paths
from cablemirror.integrity import Manifest, verify_store
from cablemirror.store import open_store

from ..conftest import shared_path

pytestmark = [pytest.mark.corpus]


def verify(db: Path, *against: Path) -> tuple[int, dict[str, Any]]:
    args = ["verify", "--db", str(db), "--json"]
    for a in against:
        args += ["--against", str(a)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    corpus = shared_path("corpus")
    db = tmp_path_factory.mktemp("integrity-corpus") / "corpus.db"
    with open_store(db) as store:
        import_paths(store, [corpus], workers=2)
    return db, corpus


@pytest.mark.slow
def test_the_whole_corpus_verifies_against_its_own_folder(corpus_db: tuple[Path, Path], tmp_path: Path) -> None:
    db, corpus = corpus_db
    manifest = tmp_path / "corpus-manifest.txt"
    assert CliRunner().invoke(main, ["manifest", "--db", str(db), "-o", str(manifest)]).exit_code == 0
    code, report = verify(db, manifest, corpus)
    assert code == 0, report["findings"][:5]
    release = report["release"]
    assert release["records"] == release["stored"] + release["quarantined"]
    assert release["stored"] == report["versions"] >= 3400
    assert 1 <= release["quarantined"] <= 6  # the sources list and the cut-off records
    assert report["manifest"]["records"] == report["versions"]


@pytest.mark.slow
def test_every_version_of_the_corpus_has_a_proof(corpus_db: tuple[Path, Path]) -> None:
    from cablemirror.integrity.merkle import ProofStep, verify_proof
    from cablemirror.model import sha256_hex

    db, _ = corpus_db
    with open_store(db, readonly=True) as store:
        manifest = Manifest.from_store(store)
        assert manifest.without_version == []
        for cid in ("09ASTANA95", "07BOGOTA1165"):
            versions = store.get_versions(cid)
            indices = manifest.indices_of(cid)
            assert len(indices) == len(versions) >= 1
            for i in indices:
                proof = manifest.proof(i)
                path = [ProofStep.from_dict(s) for s in proof["path"]]
                assert verify_proof(proof["line"], path, manifest.root)
                (v,) = [v for v in versions if v["sha256"] == proof["sha256"]]
                assert sha256_hex(store.get_raw(cid, v["version_id"])) == proof["sha256"]
    # The eight page versions of 09ASTANA95 are eight versions, each with its own line.
    assert len(manifest.indices_of("09ASTANA95")) >= 8


def _release_copy(tmp_path: Path) -> Path:
    """A small release folder of real files: one-record texts and pages, a cables.csv part."""
    corpus = shared_path("corpus")
    release = tmp_path / "release"
    shutil.copytree(corpus / "cable-text", release / "cable-text")
    shutil.copytree(corpus / "cablegate-html-versions", release / "versions")
    (release / "csv").mkdir()
    shutil.copy(corpus / "cables-csv" / "Consulate_Dubai.csv", release / "csv")
    return release


def test_a_file_added_to_the_release_folder_is_missing(tmp_path: Path) -> None:
    release = _release_copy(tmp_path)
    held_back = release / "cable-text" / "07BOGOTA1232.txt"
    kept = tmp_path / "later.txt"
    shutil.move(held_back, kept)
    db = tmp_path / "r.db"
    with open_store(db) as store:
        import_paths(store, [release])
    code, report = verify(db, release)
    assert code == 0 and report["findings"] == []
    shutil.move(kept, held_back)  # the folder now has one more file than was imported
    code, report = verify(db, release)
    assert code == 1
    (f,) = report["findings"]
    assert (f["kind"], f["id"], f["source"], f["offset"]) == ("missing", "07BOGOTA1232", "07BOGOTA1232.txt", 0)
    assert f["path"] == str(held_back)


def test_a_file_removed_or_changed_in_the_release_folder_is_named(tmp_path: Path) -> None:
    release = _release_copy(tmp_path)
    db = tmp_path / "r.db"
    with open_store(db) as store:
        import_paths(store, [release])
    (release / "cable-text" / "09PARIS1040.txt").unlink()
    page = sorted((release / "versions").iterdir())[3]
    data = bytearray(page.read_bytes())
    at = data.index(b"<pre")  # inside the page's text
    data[at + 200] ^= 0x20
    page.write_bytes(bytes(data))
    code, report = verify(db, release)
    assert code == 1
    found = sorted((f["kind"], f["id"], f["source"]) for f in report["findings"])
    assert found == [("altered", "09ASTANA95", page.name), ("extra", "09PARIS1040", "09PARIS1040.txt")]
    with open_store(db, readonly=True) as store:
        # The store itself is intact: only the release files changed.
        assert verify_store(store).ok
