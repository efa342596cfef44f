"""`cablemirror manifest` and the exit statuses of `cablemirror verify`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cablemirror.cli import main
from cablemirror.integrity import Manifest, read_manifest
from cablemirror.store import open_store

from .conftest import DEMO_COUNT, DemoStore


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_manifest_to_stdout_and_to_a_file_are_the_same_bytes(demo: DemoStore, tmp_path: Path) -> None:
    out = tmp_path / "m.txt"
    to_stdout = run("manifest", "--db", str(demo.db))
    to_file = run("manifest", "--db", str(demo.db), "-o", str(out))
    again = run("manifest", "--db", str(demo.db))
    assert to_stdout.exit_code == to_file.exit_code == 0
    assert to_stdout.stdout_bytes == out.read_bytes() == again.stdout_bytes
    with open_store(demo.db, readonly=True) as store:
        assert out.read_text(encoding="utf-8") == Manifest.from_store(store).text()
    mf = read_manifest(out)
    assert mf.problems == [] and mf.lines == DEMO_COUNT
    assert f"{DEMO_COUNT} records, root {mf.computed_root} -> {out}" in to_file.stderr
    assert not list(tmp_path.glob("*.part"))


def test_manifest_json_has_the_same_root(demo: DemoStore, tmp_path: Path) -> None:
    text = run("manifest", "--db", str(demo.db))
    js = run("manifest", "--db", str(demo.db), "--json")
    doc = json.loads(js.stdout)
    root = next(line for line in text.stdout.splitlines() if line.startswith("# root: ")).split(": ")[1]
    assert doc["format"] == "cablemirror-manifest" and doc["root"] == root and doc["count"] == DEMO_COUNT
    assert len(doc["records"]) == DEMO_COUNT
    assert set(doc["records"][0]) == {"id", "sha256", "format", "source", "offset", "length"}
    path = tmp_path / "m.json"
    path.write_text(js.stdout)
    assert run("verify", "--db", str(demo.db), "--against", str(path)).exit_code == 0


def test_manifest_warns_about_cables_without_their_version(demo: DemoStore) -> None:
    vid, cid, _, _ = demo.versions()[0]
    demo.delete_version(vid)
    result = run("manifest", "--db", str(demo.db))
    assert result.exit_code == 0
    assert f"1 cable(s) have no stored current version and no line ({cid})" in result.stderr
    assert "# count: 39" in result.stdout


def test_usage_problems_exit_2_never_1(demo: DemoStore, tmp_path: Path) -> None:
    absent = run("verify", "--db", str(tmp_path / "absent.db"))
    assert absent.exit_code == 2 and "no cablemirror database" in absent.stderr
    not_a_db = tmp_path / "text.db"
    not_a_db.write_text("hello")
    assert run("verify", "--db", str(not_a_db)).exit_code == 2
    assert run("verify", "--db", str(demo.db), "--against", str(tmp_path / "nothing")).exit_code == 2
    m1, m2 = tmp_path / "a.txt", tmp_path / "b.txt"
    for m in (m1, m2):
        assert run("manifest", "--db", str(demo.db), "-o", str(m)).exit_code == 0
    two = run("verify", "--db", str(demo.db), "--against", str(m1), "--against", str(m2))
    assert two.exit_code == 2 and "one manifest at a time" in two.stderr
    assert run("verify", "--db", str(demo.db), "--against", str(m1), "--against", str(m1)).exit_code == 0
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "cablemirror-manifest", "records": 7}')
    bad = run("verify", "--db", str(demo.db), "--against", str(broken))
    assert bad.exit_code == 2 and "no \"records\" list" in bad.stderr
    nowhere = run("manifest", "--db", str(demo.db), "-o", str(tmp_path / "no" / "such" / "m.txt"))
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr
    assert run("manifest", "--db", str(tmp_path / "absent.db")).exit_code == 2


def test_a_file_that_is_no_record_is_missing_from_the_store(demo: DemoStore, tmp_path: Path) -> None:
    """A stray file among the release files: the reader quarantines it, and the store
    never kept it, so it is named (by file), not silently skipped."""
    stray = tmp_path / "notes.bin"
    stray.write_bytes(b"\x00\x01 not a cable")
    result = run("verify", "--db", str(demo.db), "--against", str(stray), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    (f,) = report["findings"]
    assert f["kind"] == "missing" and f["source"] == "notes.bin" and "quarantine" in f["detail"]
