"""Importing war-log files end to end (reader -> parser -> store), for every variant.

Every row of a generated hostile file must end up as the generator says: imported
with exactly the listed problems and values, or in the quarantine with a reason that
starts as listed.  Re-importing changes nothing; an interrupted import resumes; the
worker processes give the same store.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from cablemirror.demo import write_cables_csv
from cablemirror.demo.warlogs import generate_rows, sidecar_path, write_warlogs
from cablemirror.ingest import import_paths
from cablemirror.store import open_store

COUNT = 1500


def _gen(tmp: Path, variant: str, hostile: bool, count: int = COUNT, seed: int = 3) -> Path:
    path = tmp / f"w-{variant}-{'h' if hostile else 'c'}.csv"
    write_warlogs(path, count, seed, variant=variant, hostile=hostile)
    return path


def _versions_by_offset(store: Any, keys: set[str]) -> dict[int, dict[str, Any]]:
    out = {}
    for key in keys:
        for v in store.get_report_versions(key):
            out[v["offset"]] = v
    return out


@pytest.mark.parametrize("variant", ["32", "34", "iraq"])
def test_every_hostile_row_is_imported_or_quarantined_as_listed(tmp_path, variant):
    path = _gen(tmp_path, variant, hostile=True)
    rows = list(generate_rows(COUNT, 3, variant=variant, hostile=True))
    sidecar = json.loads(sidecar_path(path).read_text("utf-8"))
    listed = {e["offset"]: e for e in sidecar["hostile"]}
    with open_store(tmp_path / "s.db") as store:
        summary = import_paths(store, [path])
        quarantine = {q["offset"]: q for q in store.iter_quarantine()}
        keys = {r.expected["report_key"] for r in rows if r.outcome == "import"}
        versions = _versions_by_offset(store, keys)
        shas = {v["sha256"]: v for v in versions.values()}
        imported = quarantined = 0
        for row in rows:
            where = f"row {row.number} {row.kinds}"
            entry = listed.get(row.offset)
            assert (entry is not None) == bool(row.kinds), where
            if row.outcome == "quarantine":
                quarantined += 1
                q = quarantine.get(row.offset)
                # identical quarantined bytes (a repeated header) are kept once, at their first place
                assert q is not None or any(
                    store.get_quarantined_raw(x["sha256"]) == row.data for x in quarantine.values()
                ), where
                if q is not None:
                    assert q["reason"].startswith(row.reason) and q["collection"] == "warlogs", where
                    assert q["length"] == len(row.data) and store.get_quarantined_raw(q["sha256"]) == row.data
                    assert entry["expect"] == "quarantine" and q["reason"].startswith(entry["reason"])
                continue
            imported += 1
            v = versions.get(row.offset)
            if v is None:  # the same bytes as an earlier row: one version, stored once
                assert "duplicate-same" in row.kinds, where
                continue
            record = v["record"]
            assert {p["kind"] for p in record["problems"]} == set(row.problems), (where, record["problems"])
            for key, want in row.expected.items():
                got = record[key]
                if key == "date":
                    got = record["date"]
                    want = want.isoformat(timespec="seconds")
                if key in ("latitude", "longitude") and want is not None and got is not None:
                    assert abs(got - want) <= (2e-5 if row.approx_position else 0.0), (where, key)
                else:
                    assert got == want, (where, key)
            assert store.get_report_raw(record["report_key"], v["version_id"]) == row.data, where
            assert record["source"]["path"].endswith(path.name) and record["source"]["line"] == row.line
            if entry is not None:
                assert entry["expect"] == "import" and set(entry["problems"]) == set(row.problems)
        assert summary.quarantined == quarantined and summary.records == imported
        assert summary.reports == imported
        # duplicate keys: same bytes are one version; changed bytes are a second one
        dup = [r for r in rows if "duplicate-changed" in r.kinds]
        assert dup and all(len(store.get_report_versions(r.key)) >= 2 for r in dup)
        assert len(shas) == len(versions)
        st = store.stats()
        assert st["reports"] == len(keys) and st["report_versions"] == len(versions)


def test_reimport_changes_nothing_and_resumes(tmp_path, monkeypatch):
    path = _gen(tmp_path, "32", hostile=True, count=1200)
    with open_store(tmp_path / "whole.db") as store:
        whole = import_paths(store, [path], batch_size=100)
        reference = store.stats()
        again = import_paths(store, [path])
        assert again.files[0].status == "skipped" and not again.changed
        forced = import_paths(store, [path], force=True, batch_size=100)
        assert forced.new == 0 and forced.updated == 0 and forced.unchanged == whole.records
        assert forced.quarantined_new == 0 and forced.quarantined == whole.quarantined
        st = store.stats()
        assert {k: st[k] for k in reference if k != "db_bytes"} == {k: reference[k] for k in reference if k != "db_bytes"}

    # an import that stops half-way resumes at its last checkpoint and ends with the same store
    from cablemirror.store.sqlite_reports import ReportsMixin

    real = ReportsMixin.store_reports
    calls = {"n": 0}

    def failing(self, items):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(self, items)

    with open_store(tmp_path / "resumed.db") as store:
        monkeypatch.setattr(ReportsMixin, "store_reports", failing)
        with pytest.raises(KeyboardInterrupt):
            import_paths(store, [path], batch_size=100)
        monkeypatch.setattr(ReportsMixin, "store_reports", real)
        partial = store.stats()["reports"]
        assert 0 < partial < reference["reports"]
        resumed = import_paths(store, [path], batch_size=100)
        assert resumed.files[0].status == "resumed"
        st = store.stats()
        for k in ("reports", "report_versions", "reports_located", "quarantined", "reports_quarantined"):
            assert st[k] == reference[k], k
        with open_store(tmp_path / "whole.db", readonly=True) as other:
            assert list(store.iter_reports()) == list(other.iter_reports())


def test_worker_processes_give_the_same_store(tmp_path):
    path = _gen(tmp_path, "34", hostile=True, count=900)
    results = []
    for workers in (1, 2):
        with open_store(tmp_path / f"w{workers}.db") as store:
            import_paths(store, [path], workers=workers, batch_size=64)
            results.append((list(store.iter_reports()), sorted(q["sha256"] for q in store.iter_quarantine())))
    assert results[0] == results[1]


def test_cables_and_war_logs_in_one_import(tmp_path):
    folder = tmp_path / "release"
    folder.mkdir()
    write_cables_csv(folder / "cables.csv", 40, 1)
    write_warlogs(folder / "afg.csv", 300, 1)
    write_warlogs(folder / "iraq.csv", 200, 2, variant="iraq")
    with open_store(tmp_path / "s.db") as store:
        summary = import_paths(store, [folder])
        st = store.stats()
        assert st["cables"] == 40 and st["reports"] == 500 and summary.reports == 500
        assert summary.new == 540
        assert st["reports_by_theatre"] == {"afghanistan": 300, "iraq": 200}
        assert {c["name"]: c["count"] for c in store.collections()} == {"cables": 40, "warlogs": 500}
        by_format: dict[str, int] = defaultdict(int)
        for key, _ in store.iter_report_keys():
            by_format[store.get_report_versions(key)[0]["format"]] += 1
        assert by_format == {"warlog_csv": 500}
        # the cables' search is untouched by the reports
        assert store.query("generated", limit=0).total == 40


# --------------------------------------------------------------------------- the command line


def _run(*args: str) -> Any:
    from click.testing import CliRunner

    from cablemirror.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_command_line_imports_counts_and_shows_reports(tmp_path):
    path = _gen(tmp_path, "34", hostile=True, count=400)
    db = str(tmp_path / "cli.db")
    out = _run("import", str(path), "--db", db, "--quiet", "--format", "warlog_csv", "--json")
    summary = json.loads(out.output)
    assert summary["reports"] == summary["records"] > 380 and summary["quarantined"] > 0
    st = json.loads(_run("stats", "--db", db, "--json").output)
    assert st["reports"] > 380 and st["reports_quarantined"] > 0 and st["cables"] == 0
    assert "reports " in _run("stats", "--db", db).output
    with open_store(db, readonly=True) as store:
        key, _ = next(store.iter_report_keys())
        record, raw = store.get_report(key), store.get_report_raw(key)
    shown = _run("show", key.lower(), "--db", db)
    assert shown.exit_code == 0 and record["title"] in shown.output and "wounded killed" in shown.output
    assert json.loads(_run("show", "{" + key + "}", "--db", db, "--json").output) == record
    assert _run("show", key, "--db", db, "--raw").stdout_bytes == raw
    versions = [json.loads(line) for line in _run("show", key, "--db", db, "--versions").output.splitlines()]
    assert versions[0]["sha256"] == record["source"]["sha256"]
    missing = _run("show", "0A1B2C3D-1111-2222-3333-444455556666", "--db", db)
    assert missing.exit_code == 2 and "no report" in missing.output


def test_the_demo_includes_a_generated_war_diary(tmp_path):
    db = str(tmp_path / "demo.db")
    first = _run("demo", "--db", db, "--count", "20", "--reports", "150", "--quiet")
    assert "20 cables" in first.output and "150 war-diary reports" in first.output
    again = _run("demo", "--db", db, "--count", "20", "--reports", "150", "--quiet")
    assert "20 cables, 20 versions" in again.output and "150 war-diary reports" in again.output
    with open_store(db, readonly=True) as store:
        st = store.stats()
        assert st["reports"] == st["report_versions"] == st["reports_generated"] == 150
        assert all(r["generated"] and r["title"].endswith("[GENERATED]") for r in store.iter_reports())
    none = _run("demo", "--db", str(tmp_path / "none.db"), "--count", "5", "--reports", "0", "--quiet")
    assert "0 war-diary reports" in none.output
