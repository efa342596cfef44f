"""The cablemirror command line, end to end (click's runner, real store files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablemirror.cli import main
from cablemirror.demo import write_cables_csv

from .conftest import shared_path


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo-cables.csv"
    write_cables_csv(path, 60, 3)
    return path


def run(*args: str, env: dict[str, str] | None = None) -> "object":
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_import_stats_show_search_round_trip(tmp_path: Path, demo_csv: Path) -> None:
    db = str(tmp_path / "c.db")
    r = run("import", str(demo_csv), "--db", db, "--quiet")
    assert r.exit_code == 0, r.output
    assert "60 new, 0 updated, 0 unchanged, 0 quarantined" in r.output

    again = run("import", str(demo_csv), "--db", db, "--quiet")
    assert "Nothing changed" in again.output and "already imported" in again.output

    st = json.loads(run("stats", "--db", db, "--json").output)
    assert st["cables"] == 60 and st["versions"] == 60 and st["quarantined"] == 0

    records = [json.loads(line) for line in run("parse", str(demo_csv)).output.splitlines()]
    assert len(records) == 60
    one = records[5]
    shown = json.loads(run("show", one["id"], "--db", db, "--json").output)
    assert shown["id"] == one["id"] and shown["body"] == one["body"]

    readable = run("show", one["id"], "--db", db).output
    assert one["id"] in readable and "Origin:" in readable

    # --raw gives back the exact bytes of the record in the file.
    raw = CliRunner().invoke(main, ["show", one["id"], "--db", db, "--raw"]).stdout_bytes
    src = one["source"]
    assert raw == demo_csv.read_bytes()[src["offset"] : src["offset"] + src["length"]]

    word = one["subject"].split()[0] if one["subject"] else one["id"]
    found = json.loads(run("search", word, "--db", db, "--json").output)
    assert found["total"] >= 1


def test_db_from_environment(tmp_path: Path, demo_csv: Path) -> None:
    db = str(tmp_path / "env.db")
    r = run("import", str(demo_csv), "--quiet", env={"CABLEMIRROR_DB": db})
    assert r.exit_code == 0
    assert Path(db).exists()
    assert json.loads(run("stats", "--json", env={"CABLEMIRROR_DB": db}).output)["cables"] == 60


def test_user_errors_are_messages_not_tracebacks(tmp_path: Path, demo_csv: Path) -> None:
    db = str(tmp_path / "e.db")
    run("import", str(demo_csv), "--db", db, "--quiet")
    missing = CliRunner().invoke(main, ["show", "99NOWHERE1", "--db", db])
    assert missing.exit_code != 0 and "no cable '99NOWHERE1'" in missing.output
    assert "Traceback" not in missing.output

    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello, this is not a database\n" * 100)
    bad = CliRunner().invoke(main, ["stats", "--db", str(not_a_db)])
    assert bad.exit_code != 0 and "Traceback" not in bad.output and str(not_a_db) in bad.output

    nofile = CliRunner().invoke(main, ["import", str(tmp_path / "nope.csv"), "--db", db])
    assert nofile.exit_code == 2 and "does not exist" in nofile.output


def test_quarantine_lists_reason_and_place(tmp_path: Path, demo_csv: Path) -> None:
    db = str(tmp_path / "q.db")
    cut = tmp_path / "cut.csv"
    data = demo_csv.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    run("import", str(cut), "--db", db, "--quiet")
    out = run("quarantine", "--db", db).output
    assert "cut.csv:" in out and "cut off" in out and "1 quarantined item(s)" in out
    rows = [json.loads(x) for x in run("quarantine", "--db", db, "--json").output.splitlines()]
    assert rows[0]["offset"] > 0 and rows[0]["sha256"]


def test_demo_command_is_idempotent(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    first = run("demo", "--db", db, "--count", "40", "--quiet")
    assert "40 cables" in first.output
    second = run("demo", "--db", db, "--count", "40", "--quiet")
    assert "40 cables, 40 versions" in second.output


def test_seed_page_through_the_cli(tmp_path: Path) -> None:
    seed = shared_path("seed", "05ALMATY2985-mirror-page.txt")
    db = str(tmp_path / "seed.db")
    assert run("import", str(seed), "--db", db, "--quiet").exit_code == 0
    rec = json.loads(run("show", "05ALMATY2985", "--db", db, "--json").output)
    assert rec["created"] == "2005-08-18T13:06:00"
    assert rec["origin"] == "US Office Almaty"
    assert rec["classification"] == "CONFIDENTIAL" and rec["partial"] is True
    assert len(rec["paragraphs"]) == 15
    # Other spellings of the id find it too.
    assert json.loads(run("show", "05almaty2985", "--db", db, "--json").output)["id"] == "05ALMATY2985"


def test_upgrade_command(tmp_path: Path, demo_csv: Path) -> None:
    db = str(tmp_path / "u.db")
    missing = CliRunner().invoke(main, ["upgrade", "--db", db])
    assert missing.exit_code == 2 and "no database at" in missing.output
    run("import", str(demo_csv), "--db", db, "--quiet")
    ok = run("upgrade", "--db", db)
    assert ok.exit_code == 0 and "is up to date: 60 cables" in ok.output
