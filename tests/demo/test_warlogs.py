"""The war-log generator: deterministic, schema-valid, with realistic value distributions."""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from cablemirror.demo.warlogs import (
    HOSTILE_KINDS,
    INSERT_KINDS,
    SUMMARY_MARK,
    TITLE_MARK,
    columns_of,
    file_prelude,
    generate_rows,
    sidecar_path,
    write_warlogs,
)
from cablemirror.warlogs import glossary
from cablemirror.warlogs import mgrs as grid
from cablemirror.warlogs.geo import theatre

ROOT = Path(__file__).resolve().parents[2]
COUNT = 5_000
GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}")
COUNT_ATTRS = ("friendly_wia", "friendly_kia", "host_nation_wia", "host_nation_kia", "civilian_wia",
               "civilian_kia", "enemy_wia", "enemy_kia", "enemy_detained")  # fmt: skip


@pytest.fixture(scope="module")
def afg() -> list[dict]:
    return [r.expected for r in generate_rows(COUNT, 7)]


@pytest.fixture(scope="module")
def iraq() -> list[dict]:
    return [r.expected for r in generate_rows(2_000, 7, variant="iraq")]


# ---------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    write_warlogs(a, 400, 3, variant="34", hostile=True)
    write_warlogs(b, 400, 3, variant="34", hostile=True)
    write_warlogs(c, 400, 4, variant="34", hostile=True)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    side_a, side_b = (json.loads(sidecar_path(p).read_text("utf-8")) for p in (a, b))
    assert side_a.pop("file") == "a.csv" and side_b.pop("file") == "b.csv" and side_a == side_b
    rows = list(generate_rows(400, 3, variant="34", hostile=True))
    assert a.read_bytes() == file_prelude("34", True) + b"".join(r.data + r.newline for r in rows)


def test_hostile_file_keeps_the_clean_reports() -> None:
    clean = {r.key: r.data for r in generate_rows(1_000, 5)}
    hostile = [r for r in generate_rows(1_000, 5, hostile=True) if not r.kinds]
    assert len(hostile) > 900
    assert all(clean[r.key] == r.data for r in hostile)


def test_counts_and_arguments(tmp_path: Path) -> None:
    assert list(generate_rows(0, 1)) == []
    stats = write_warlogs(tmp_path / "e.csv", 0, 1, variant="iraq")
    assert (tmp_path / "e.csv").read_bytes() == file_prelude("iraq", False) and stats.rows == 0
    assert len(list(generate_rows(37, 1))) == 37
    with pytest.raises(ValueError):
        list(generate_rows(-1, 1))
    with pytest.raises(ValueError, match="unknown variant"):
        list(generate_rows(1, 1, variant="33"))
    assert not (tmp_path / "e.csv.part").exists()


# ---------------------------------------------------------------------------- every report


def test_every_report_is_marked_and_well_formed(afg: list[dict]) -> None:
    keys = [r["report_key"] for r in afg]
    assert len(set(keys)) == COUNT and all(GUID.fullmatch(k) for k in keys)
    assert all(r["title"].endswith(" " + TITLE_MARK) and "\n" not in r["title"] for r in afg)
    assert all(r["summary"].startswith(SUMMARY_MARK) for r in afg)
    assert all(r["generated"] and r["classification"] == "SECRET" for r in afg)
    assert all(r["tracking_number"].startswith(str(r["date"].year) + "-") for r in afg)
    colours = {"ENEMY": "RED", "FRIEND": "BLUE", "NEUTRAL": "GREEN"}
    assert all(colours[r["affiliation"]] == r["dcolor"] for r in afg)
    assert {r["attack_on"] for r in afg} == {"ENEMY", "FRIEND", "NEUTRAL"}


def test_dates_grow_over_the_years_with_a_fighting_season(afg: list[dict]) -> None:
    dates = [r["date"] for r in afg]
    assert dates == sorted(dates)
    assert datetime(2004, 1, 1) <= dates[0] and dates[-1] < datetime(2010, 1, 1)
    years = Counter(d.year for d in dates)
    assert [years[y] for y in range(2004, 2010)] == sorted(years[y] for y in range(2004, 2010))
    assert years[2009] > 4 * years[2004]
    months = Counter(d.month for d in dates)
    assert months[7] + months[8] > 1.6 * (months[1] + months[2])
    assert all(d.second == 0 for d in dates)


def test_types_categories_and_regions(afg: list[dict]) -> None:
    types = Counter(r["type"] for r in afg)
    assert types.most_common(1)[0][0] == "Enemy Action" and 0.28 < types["Enemy Action"] / COUNT < 0.45
    assert len(types) == 9 and 0.15 < types["Explosive Hazard"] / COUNT < 0.28
    allowed = {}
    lines = (ROOT / "src/cablemirror/warlogs/data/categories.tsv").read_text("utf-8").splitlines()
    for line in [ln for ln in lines if not ln.startswith("#")][1:]:
        t, c = line.split("\t")[:2]
        allowed.setdefault(t, set()).add(c)
    assert all(r["category"] in allowed[r["type"]] for r in afg)
    cats = Counter(r["category"] for r in afg)
    assert {"IED Explosion", "IED Found/Cleared", "Direct Fire", "Indirect Fire", "Escalation of Force"} <= set(cats)
    regions = Counter(r["region"] for r in afg)
    assert {x for x, _ in regions.most_common(2)} == {"RC EAST", "RC SOUTH"}
    assert set(regions) == set(theatre("afghanistan").regions)
    south = {y: sum(1 for r in afg if r["date"].year == y and r["region"] == "RC SOUTH") /
             sum(1 for r in afg if r["date"].year == y) for y in (2004, 2009)}  # fmt: skip
    assert south[2009] > south[2004] + 0.1


def test_casualties_are_mostly_zero_with_a_heavy_tail(afg: list[dict]) -> None:
    for attr in COUNT_ATTRS:
        values = [r[attr] for r in afg]
        assert all(isinstance(v, int) and v >= 0 for v in values)
        assert sum(1 for v in values if v == 0) / COUNT > 0.85, attr
    assert max(r["enemy_kia"] for r in afg) >= 8
    assert 0 < sum(1 for r in afg if r["civilian_kia"]) / COUNT < 0.05

    def wounded(category: str) -> float:
        rows = [r for r in afg if r["category"] == category]
        return sum(1 for r in rows if r["friendly_wia"]) / len(rows)

    assert wounded("IED Explosion") > 5 * max(wounded("Meeting"), 0.01)


def test_summaries_agree_with_the_counts(afg: list[dict]) -> None:
    labels = {"friendly_wia": "CF WIA", "friendly_kia": "CF KIA", "civilian_kia": "LN KIA", "enemy_kia": "EKIA"}
    for r in afg:
        for attr, label in labels.items():
            if r[attr]:
                assert f"{r[attr]}X {label}" in r["summary"]
        if not any(r[a] for a in COUNT_ATTRS[:8]):
            assert f": 0 INJ/DAM {TITLE_MARK}" in r["title"]
    sizes = [len(r["summary"]) for r in afg]
    assert 250 < statistics.mean(sizes) < 1200
    multiline = sum(1 for r in afg if "\n" in r["summary"]) / COUNT
    assert 0.15 < multiline < 0.25


def test_summaries_are_dense_with_known_abbreviations(afg: list[dict]) -> None:
    dense = sum(1 for r in afg[:500] if len(glossary.find_terms(r["summary"])) >= 4)
    assert dense > 450


def test_positions_inside_the_country_and_grids_agree(afg: list[dict], iraq: list[dict]) -> None:
    for rows, name, zones in ((afg, "afghanistan", {"41", "42", "43"}), (iraq, "iraq", {"37", "38", "39"})):
        area = theatre(name)
        for r in rows:
            assert area.contains(r["latitude"], r["longitude"]), r["report_key"]
            ref = grid.parse_mgrs(r["mgrs"])
            assert r["mgrs"][:2] in zones and grid.mgrs_offset(ref, r["latitude"], r["longitude"]) == 0.0
    # Spread: many distinct 10 km squares, not a few dots.
    assert len({r["mgrs"][:7] for r in afg}) > 500


def test_variants(iraq: list[dict]) -> None:
    assert {r["region"] for r in iraq} <= set(theatre("iraq").regions)
    assert all(r["extra"]["Province"] and r["theatre"] == "iraq" for r in iraq)
    rows34 = list(generate_rows(300, 2, variant="34"))
    assert [r.expected["extra"]["ID"] for r in rows34] == [str(i) for i in range(1, 301)]
    for r in rows34:
        e = r.expected
        assert int(e["extra"]["TotalCasualties"]) == sum(e[a] for a in COUNT_ATTRS[:8])
    assert b"<null value>" in b"".join(r.data for r in rows34)
    assert set(columns_of("iraq")) - set(columns_of("32")) == {"Province"}
    assert columns_of("34")[0] == "ID" and len(columns_of("34")) == 34


# ---------------------------------------------------------------------------- hostile mode


def test_hostile_rows_say_what_must_happen() -> None:
    rows = list(generate_rows(COUNT, 7, hostile=True))
    kinds = Counter(k for r in rows for k in r.kinds)
    assert set(kinds) == set(HOSTILE_KINDS) | set(INSERT_KINDS)
    for r in rows:
        if r.outcome == "quarantine":
            assert r.reason and r.expected is None
        else:
            assert r.reason is None and r.expected is not None
        if not r.kinds:
            assert r.outcome == "import" and not r.problems
        elif r.outcome == "import" and r.kinds[0] not in ("duplicate-same", "duplicate-changed", "padding",
                                                          "lowercase-region", "embedded-quotes",
                                                          "embedded-newlines", "long-summary", "script-injection"):
            assert r.problems, r.kinds  # damage the parser must note
    assert all(r.newline in (b"\n", b"\r\n") or r.newline.strip() == b"" for r in rows)
    assert any(r.newline.startswith(b"\r\n") for r in rows) and any(r.newline.startswith(b"\n") for r in rows)


# ---------------------------------------------------------------------------- the command


def _cli():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate_warlogs", ROOT / "bench" / "generate_warlogs.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_command_writes_file_sidecar_and_reads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "afg.csv"
    assert _cli().main(["--count", "300", "--seed", "5", "--out", str(out), "--hostile", "--variant", "34",
                        "--read-back", "--quiet"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert re.search(r"300 reports \(\d+ rows\).*reports/s", text)
    assert re.search(r"read\+parse: [\d,]+ rows in .* rows/s; [\d,]+ reports, \d+ quarantined", text)
    manifest = json.loads(sidecar_path(out).read_text("utf-8"))
    assert manifest["variant"] == "34" and manifest["count"] == 300 and manifest["hostile"]


def test_command_refuses_bad_arguments(tmp_path: Path) -> None:
    cli = _cli()
    with pytest.raises(SystemExit):
        cli.main(["--count", "-1", "--out", str(tmp_path / "x.csv")])
    with pytest.raises(SystemExit):
        cli.main(["--out", str(tmp_path / "missing" / "x.csv")])
    with pytest.raises(SystemExit):
        cli.main(["--out", str(tmp_path / "x.csv"), "--variant", "33"])
    assert list(tmp_path.iterdir()) == []  # nothing written
