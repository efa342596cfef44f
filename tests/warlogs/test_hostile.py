"""Every row of a generated file, clean or hostile, is either imported as it must be or
quarantined with the reason: reader and parser together, for each variant."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cablemirror.demo.warlogs import HOSTILE_KINDS, INSERT_KINDS, generate_rows, sidecar_path, write_warlogs
from cablemirror.model import Quarantined
from cablemirror.sources.warlog_csv import read
from cablemirror.warlogs.model import Report
from cablemirror.warlogs.parse import parse_or_quarantine

from .conftest import GenFile


def outcomes(gen: GenFile) -> dict[int, Report | Quarantined]:
    out = {}
    for item in read(gen.path):
        out[item.provenance.offset] = item if isinstance(item, Quarantined) else parse_or_quarantine(item)
    return out


def assert_row(row, result) -> None:  # type: ignore[no-untyped-def]
    where = f"row {row.number} {row.kinds}"
    if row.outcome == "quarantine":
        assert isinstance(result, Quarantined), where
        assert result.reason.startswith(row.reason), (where, result.reason)
        assert result.raw == row.data and result.collection == "warlogs", where
        return
    assert isinstance(result, Report), (where, getattr(result, "reason", None))
    assert set(result.problem_kinds()) == row.problems, (where, [p.to_dict() for p in result.problems])
    got = result.to_dict()
    got["date"] = result.date
    for key, want in row.expected.items():
        if key in ("latitude", "longitude") and want is not None and got[key] is not None:
            assert abs(got[key] - want) <= (2e-5 if row.approx_position else 0.0), (where, key)
        else:
            assert got[key] == want, (where, key, str(want)[:80], str(got[key])[:80])
    assert result.generated and result.source["offset"] == row.offset and result.source["length"] == len(row.data)


def test_every_clean_row_imports_exactly(clean_file: GenFile) -> None:
    results = outcomes(clean_file)
    assert len(results) == len(clean_file.rows)
    for row in clean_file.rows:
        assert not row.kinds and row.outcome == "import"
        assert_row(row, results[row.offset])


def test_every_hostile_row_is_imported_correctly_or_quarantined_with_the_reason(hostile_file: GenFile) -> None:
    results = outcomes(hostile_file)
    assert len(results) == len(hostile_file.rows)
    seen: Counter[str] = Counter()
    for row in hostile_file.rows:
        assert_row(row, results[row.offset])
        seen.update(row.kinds)
    assert set(seen) == set(HOSTILE_KINDS) | set(INSERT_KINDS)  # every kind was exercised


def test_duplicate_keys_reach_the_store_as_versions(hostile_file: GenFile) -> None:
    results = outcomes(hostile_file)
    by_key: dict[str, list[Report]] = {}
    for r in results.values():
        if isinstance(r, Report):
            by_key.setdefault(r.report_key, []).append(r)
    same = [rs for rs in by_key.values() if len(rs) > 1 and len({r.source["sha256"] for r in rs}) == 1]
    changed = [rs for rs in by_key.values() if len(rs) > 1 and len({r.source["sha256"] for r in rs}) > 1]
    assert same and changed


def test_the_sidecar_names_every_hostile_row(hostile_file: GenFile) -> None:
    manifest = json.loads(sidecar_path(hostile_file.path).read_text("utf-8"))
    assert manifest["variant"] == hostile_file.variant and manifest["rows"] == len(hostile_file.rows)
    listed = {e["offset"]: e for e in manifest["hostile"]}
    hostile = [r for r in hostile_file.rows if r.kinds]
    assert len(listed) == len(hostile)
    results = outcomes(hostile_file)
    for row in hostile:
        entry = listed[row.offset]
        assert entry["kinds"] == list(row.kinds) and entry["length"] == len(row.data)
        assert hostile_file.data[entry["offset"] : entry["offset"] + entry["length"]] == row.data
        result = results[row.offset]
        if entry["expect"] == "quarantine":
            assert isinstance(result, Quarantined) and result.reason.startswith(entry["reason"])
        else:
            assert set(result.problem_kinds()) == set(entry["problems"])


def test_hostile_share_is_as_documented(hostile_file: GenFile) -> None:
    reports = [r for r in hostile_file.rows if not set(r.kinds) & set(INSERT_KINDS)]
    damaged = sum(1 for r in reports if r.kinds)
    inserted = len(hostile_file.rows) - len(reports)
    assert len(reports) == 5_000
    assert 0.035 < damaged / len(reports) < 0.065
    assert 0.004 < inserted / len(reports) < 0.02


@pytest.mark.parametrize("variant", ["32", "iraq"])
def test_small_hostile_files(tmp_path: Path, variant: str) -> None:
    # Many seeds, few rows: hostile rows at the very start and end of a file.
    for seed in range(8):
        path = tmp_path / f"s{seed}.csv"
        write_warlogs(path, 40, seed, variant=variant, hostile=True)
        rows = list(generate_rows(40, seed, variant=variant, hostile=True))
        gen = GenFile(path, variant, True, rows, path.read_bytes())
        results = outcomes(gen)
        assert len(results) == len(rows)
        for row in rows:
            assert_row(row, results[row.offset])
