"""Tampering with a real SQLite store of generated cables: verify names every change.

Each test alters a copy of the clean demo store directly in its SQLite file, as an
attacker or a failing disk would, then runs ``cablemirror verify``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cablemirror.cli import main
from cablemirror.integrity import verify_store
from cablemirror.store import open_store

from .conftest import DEMO_COUNT, DemoStore


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def verify_json(demo: DemoStore, *against: Path) -> tuple[int, dict[str, Any]]:
    args = ["verify", "--db", str(demo.db), "--json"]
    for a in against:
        args += ["--against", str(a)]
    code, out, _ = run(*args)
    return code, json.loads(out)


def write_manifest(demo: DemoStore, out: Path) -> Path:
    code, _, err = run("manifest", "--db", str(demo.db), "--out", str(out))
    assert code == 0, err
    return out


def named(report: dict[str, Any]) -> list[tuple[str, str | None]]:
    return sorted((f["kind"], f["id"]) for f in report["findings"])


def test_clean_store_passes_every_check(demo: DemoStore, tmp_path: Path) -> None:
    manifest = write_manifest(demo, tmp_path / "m.txt")
    code, report = verify_json(demo, manifest, demo.csv)
    assert code == 0 and report["ok"] and report["findings"] == []
    assert report["cables"] == report["versions"] == DEMO_COUNT
    assert report["root"] == report["manifest"]["root"] and report["manifest"]["root_ok"]
    assert report["release"]["records"] == report["release"]["stored"] == DEMO_COUNT
    code, out, _ = run("verify", "--db", str(demo.db))
    assert code == 0 and "OK: no record is missing, extra or altered." in out


def test_one_altered_byte_is_named(demo: DemoStore, tmp_path: Path) -> None:
    manifest = write_manifest(demo, tmp_path / "m.txt")
    vid, cid, path, offset = demo.versions()[7]
    demo.flip_byte(vid)
    code, report = verify_json(demo)
    assert code == 1 and named(report) == [("altered", cid)]
    (f,) = report["findings"]
    assert (f["version_id"], f["offset"], f["source"], f["against"]) == (vid, offset, demo.csv.name, "store")
    assert f["expected"] != f["found"]
    # The manifest agrees with what the store recorded: still one finding, not two.
    code, report = verify_json(demo, manifest)
    assert code == 1 and named(report) == [("altered", cid)]
    # And the release file holds the original bytes at that place.
    code, report = verify_json(demo, demo.csv)
    assert code == 1 and named(report) == [("altered", cid)]
    code, out, _ = run("verify", "--db", str(demo.db))
    assert code == 1 and f"ALTERED  {cid} (version {vid}; {demo.csv.name} @ {offset:,}" in out
    assert "FAILED: 1 problem(s): 1 altered." in out


def test_altered_bytes_with_a_rewritten_hash_need_the_manifest(demo: DemoStore, tmp_path: Path) -> None:
    manifest = write_manifest(demo, tmp_path / "m.txt")
    vid, cid, _, offset = demo.versions()[3]
    demo.flip_byte(vid, fix_hash=True)
    code, report = verify_json(demo)
    assert code == 0  # the store agrees with itself: only an outside record can tell
    code, report = verify_json(demo, manifest)
    assert code == 1 and named(report) == [("altered", cid)]
    assert report["findings"][0]["against"] == "manifest" and report["findings"][0]["offset"] == offset
    assert report["root"] != report["manifest"]["root"]
    code, report = verify_json(demo, demo.csv)
    assert code == 1 and named(report) == [("altered", cid)]
    assert report["findings"][0]["against"] == "release"


def test_unreadable_stored_bytes_are_altered(demo: DemoStore) -> None:
    vid, cid, _, _ = demo.versions()[0]
    demo.damage_blob(vid)
    code, report = verify_json(demo)
    assert code == 1 and named(report) == [("altered", cid)]
    assert "cannot be read" in report["findings"][0]["detail"]


def test_a_deleted_version_is_missing(demo: DemoStore, tmp_path: Path) -> None:
    manifest = write_manifest(demo, tmp_path / "m.txt")
    vid, cid, _, offset = demo.versions()[11]
    demo.delete_version(vid)
    code, report = verify_json(demo)
    assert code == 1 and named(report) == [("missing", cid)]
    code, report = verify_json(demo, manifest, demo.csv)
    assert code == 1 and named(report) == [("missing", cid)]
    f = report["findings"][0]
    assert f["offset"] == offset and f["expected"] and "the manifest lists it" in f["detail"]


def test_a_cleanly_removed_cable_is_missing_against_a_manifest(demo: DemoStore, tmp_path: Path) -> None:
    manifest = write_manifest(demo, tmp_path / "m.txt")
    _, cid, _, offset = demo.versions()[20]
    demo.delete_cable(cid)
    code, report = verify_json(demo)
    assert code == 0  # nothing inside the store points at it any more
    code, report = verify_json(demo, manifest)
    assert code == 1 and named(report) == [("missing", cid)]
    assert report["findings"][0]["offset"] == offset
    code, report = verify_json(demo, demo.csv)
    assert code == 1 and named(report) == [("missing", cid)]
    # Both at once: the same record, reported once.
    code, report = verify_json(demo, manifest, demo.csv)
    assert code == 1 and named(report) == [("missing", cid)]


def test_an_added_cable_is_extra(demo: DemoStore, tmp_path: Path) -> None:
    manifest = write_manifest(demo, tmp_path / "m.txt")
    cid = demo.add_cable(tmp_path)
    code, report = verify_json(demo, manifest)
    assert code == 1 and named(report) == [("extra", cid)]
    assert report["findings"][0]["source"] == "extra-99.csv"
    # Against the original release file only: the new cable came from another file.
    code, report = verify_json(demo, demo.csv)
    assert code == 0


def test_altered_deleted_and_added_together(demo: DemoStore, tmp_path: Path) -> None:
    manifest = write_manifest(demo, tmp_path / "m.txt")
    versions = demo.versions()
    altered, deleted = versions[5], versions[30]
    demo.flip_byte(altered[0])
    demo.delete_cable(deleted[1])
    added = demo.add_cable(tmp_path, seed=5)
    code, report = verify_json(demo, manifest)
    assert code == 1
    assert named(report) == sorted([("altered", altered[1]), ("missing", deleted[1]), ("extra", added)])
    assert report["counts"] == {"altered": 1, "missing": 1, "extra": 1, "manifest": 0}
    code, out, _ = run("verify", "--db", str(demo.db), "--against", str(manifest))
    assert code == 1
    for kind, cid in named(report):
        assert any(line.startswith(kind.upper()) and cid in line for line in out.splitlines())


def test_a_tampered_manifest_is_reported(demo: DemoStore, tmp_path: Path) -> None:
    manifest = write_manifest(demo, tmp_path / "m.txt")
    lines = manifest.read_text().splitlines(keepends=True)
    first_id = lines[5].split("\t")[0]
    # Swap a hash digit in the first record line but leave the root alone.
    fields = lines[5].split("\t")
    fields[1] = ("0" if fields[1][0] != "0" else "1") + fields[1][1:]
    lines[5] = "\t".join(fields)
    manifest.write_text("".join(lines))
    code, report = verify_json(demo, manifest)
    assert code == 1
    assert not report["manifest"]["root_ok"]
    kinds = named(report)
    assert ("manifest", None) in kinds
    # The changed line no longer matches the store: that record is named too.
    assert ("altered", first_id) in kinds


def test_release_file_changes_are_named(demo: DemoStore, tmp_path: Path) -> None:
    """A copy of the release file with one record changed, and one more record."""
    copy = tmp_path / demo.csv.name
    data = bytearray(demo.csv.read_bytes())
    vid, cid, _, offset = demo.versions()[9]
    with open_store(demo.db, readonly=True) as store:
        (v,) = [x for x in store.get_versions(cid) if x["version_id"] == vid]
    pos = offset + v["length"] - 5  # inside the record's last field
    data[pos] = ord("Q") if data[pos] != ord("Q") else ord("R")
    copy.write_bytes(bytes(data))
    code, report = verify_json(demo, copy)
    assert code == 1 and named(report) == [("altered", cid)]
    f = report["findings"][0]
    assert f["against"] == "release" and f["offset"] == offset

    from cablemirror.demo import write_cables_csv

    more = tmp_path / "more.csv"
    write_cables_csv(more, 1, 4242)
    copy.write_bytes(demo.csv.read_bytes() + more.read_bytes())
    code, report = verify_json(demo, copy)
    assert code == 1 and len(report["findings"]) == 1
    f = report["findings"][0]
    assert f["kind"] == "missing" and f["id"] and f["offset"] == demo.csv.stat().st_size
    assert f["id"] not in {c for _, c, _, _ in demo.versions()}


def test_library_report_text(demo: DemoStore) -> None:
    vid, cid, _, _ = demo.versions()[2]
    demo.flip_byte(vid)
    with open_store(demo.db, readonly=True) as store:
        report = verify_store(store, db_label="demo")
    assert not report.ok and report.counts()["altered"] == 1
    text = "\n".join(report.text_lines())
    assert text.startswith(f"Store demo: {DEMO_COUNT} cables") and cid in text
