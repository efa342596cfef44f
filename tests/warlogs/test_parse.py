"""parse_report / parse_fields: the typing rules, field by field.

The rows here are written by hand in the documented format (generated, not real: no real
war-diary row is available).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablemirror.model import FORMAT_WARLOG, Provenance, Quarantined, RawRecord, ReleaseMetadata
from cablemirror.sources.warlog_csv import WarlogRawRecord
from cablemirror.warlogs import mgrs as grid
from cablemirror.warlogs import parse as parse_module
from cablemirror.warlogs.model import COLUMNS, Report
from cablemirror.warlogs.parse import RejectedRow, parse_fields, parse_or_quarantine, parse_report

KEY = "0A1B2C3D-1111-4222-8333-444455556666"
LAT, LON = 34.5553, 69.2075  # Kabul


def fields(**over: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = dict.fromkeys(COLUMNS, "")
    base.update(
        ReportKey=KEY, DateOccurred="2008-07-13 04:30:00", Type="Enemy Action", Category="Direct Fire",
        TrackingNumber="2008-195-043000-0042", Title="(ENEMY ACTION) DIRECT FIRE RPT TF X : 1 INJ/DAM",
        Summary="AT 0430Z TF X RECEIVED SAF.\nNFI.", Region="RC CAPITAL", AttackOn="FRIEND", ComplexAttack="FALSE",
        ReportingUnit="TF X", UnitName="A CO 1-32 IN", TypeOfUnit="None Selected", MGRS=grid.to_mgrs(LAT, LON),
        Latitude=f"{LAT:.7f}", Longitude=f"{LON:.7f}", OriginatorGroup="TF X", UpdatedByGroup="RC CAPITAL JOC",
        Sigact="RC CAPITAL", Affiliation="ENEMY", DColor="RED", Classification="SECRET",
    )  # fmt: skip
    base.update(dict.fromkeys(COLUMNS[13:22], "0"))
    base["FriendlyWIA"] = "1"
    base.update(over)
    return base


def kinds(report: Report) -> list[str]:
    return report.problem_kinds()


# ---------------------------------------------------------------------------- a clean row


def test_clean_row_types_every_field() -> None:
    r = parse_fields(fields())
    assert r.report_key == KEY and r.date == datetime(2008, 7, 13, 4, 30)
    assert (r.type, r.category, r.region, r.attack_on, r.complex_attack) == (
        "Enemy Action", "Direct Fire", "RC CAPITAL", "FRIEND", False)  # fmt: skip
    assert r.friendly_wia == 1 and r.enemy_kia == 0 and r.kia == 0 and r.wia == 1
    assert (r.latitude, r.longitude) == (LAT, LON) and r.mgrs == grid.to_mgrs(LAT, LON)
    assert r.summary == "AT 0430Z TF X RECEIVED SAF.\nNFI."
    assert r.problems == [] and r.extra == {} and r.theatre == "afghanistan" and not r.generated


def test_to_dict_is_the_documented_json_record() -> None:
    d = parse_fields(fields(), source={"offset": 7}).to_dict()
    assert list(d)[:3] == ["report_key", "date", "type"]
    assert d["date"] == "2008-07-13T04:30:00"
    expected_keys = {
        "report_key", "date", "type", "category", "tracking_number", "title", "summary", "region", "attack_on",
        "complex_attack", "reporting_unit", "unit_name", "type_of_unit", "friendly_wia", "friendly_kia",
        "host_nation_wia", "host_nation_kia", "civilian_wia", "civilian_kia", "enemy_wia", "enemy_kia",
        "enemy_detained", "mgrs", "latitude", "longitude", "originator_group", "updated_by_group", "ccir", "sigact",
        "affiliation", "dcolor", "classification", "theatre", "extra", "problems", "generated", "source",
    }  # fmt: skip
    assert set(d) == expected_keys
    assert json.loads(json.dumps(d)) == d
    # The documentation lists every key of the record.
    doc = (Path(__file__).resolve().parents[2] / "docs" / "warlogs.md").read_text("utf-8")
    missing = [k for k in expected_keys if f"`{k}`" not in doc]
    assert missing == []


def test_parsing_is_pure() -> None:
    row = fields(Latitude="NaN", Title="A\nB", FriendlyKIA="two")
    before = dict(row)
    assert parse_fields(row).to_dict() == parse_fields(row).to_dict()
    assert row == before


def test_generated_mark() -> None:
    assert parse_fields(fields(Title="X RPT : 0 INJ/DAM [GENERATED]")).generated
    assert not parse_fields(fields(Title="[GENERATED] X RPT")).generated


# ---------------------------------------------------------------------------- required fields


@pytest.mark.parametrize(
    ("key", "says"),
    [("", "no ReportKey"), (None, "no ReportKey"), ("   ", "no ReportKey"), ("NOT-A-GUID", "bad ReportKey"),
     (KEY[:-1], "bad ReportKey"), (KEY.replace("-", ""), "bad ReportKey"), ("X" * 5000, "bad ReportKey")],
)  # fmt: skip
def test_report_key_is_required(key: str | None, says: str) -> None:
    with pytest.raises(RejectedRow) as info:
        parse_fields(fields(ReportKey=key))
    assert info.value.reason.startswith(says)
    assert len(info.value.reason) < 400


@pytest.mark.parametrize("written", [KEY.lower(), "{" + KEY + "}", "{" + KEY.lower() + "}"])
def test_report_key_is_normalised(written: str) -> None:
    r = parse_fields(fields(ReportKey=written))
    assert r.report_key == KEY and kinds(r) == ["report-key-normalised"]
    assert r.problems[0].value == written


def test_report_key_whitespace_is_trimmed_silently() -> None:
    r = parse_fields(fields(ReportKey=f"  {KEY}\n"))
    assert r.report_key == KEY and r.problems == []


@pytest.mark.parametrize(
    ("written", "when", "problems"),
    [
        ("2008-07-13 04:30:00", datetime(2008, 7, 13, 4, 30), []),
        ("2008-07-13T04:30:00", datetime(2008, 7, 13, 4, 30), []),
        (" 2008-07-13 04:30:00 ", datetime(2008, 7, 13, 4, 30), []),
        ("2008-07-13 04:30", datetime(2008, 7, 13, 4, 30), ["date-format"]),
        ("2008-7-3", datetime(2008, 7, 3), ["date-format"]),
        ("2008-07-13 04:30:00.000", datetime(2008, 7, 13, 4, 30), ["date-format"]),
        ("7/13/2008 4:30", datetime(2008, 7, 13, 4, 30), ["date-format"]),
        ("1/2/2005", datetime(2005, 1, 2), ["date-format"]),
        ("1999-05-01 10:00:00", datetime(1999, 5, 1, 10), ["date-out-of-span"]),
    ],
)
def test_dates(written: str, when: datetime, problems: list[str]) -> None:
    r = parse_fields(fields(DateOccurred=written))
    assert r.date == when and kinds(r) == problems


@pytest.mark.parametrize(
    ("written", "says"),
    [("", "no DateOccurred"), (None, "no DateOccurred"), ("2008-02-30 10:00:00", "bad DateOccurred"),
     ("2009-13-01 00:00:00", "bad DateOccurred"), ("2008-07-13 24:00:00", "bad DateOccurred"),
     ("13/13/2008", "bad DateOccurred"), ("NOT KNOWN", "bad DateOccurred"), ("20080713", "bad DateOccurred")],
)  # fmt: skip
def test_date_is_required(written: str | None, says: str) -> None:
    with pytest.raises(RejectedRow) as info:
        parse_fields(fields(DateOccurred=written))
    assert info.value.reason.startswith(says)


# ---------------------------------------------------------------------------- counts and booleans


@pytest.mark.parametrize(
    ("written", "value", "problems"),
    [("3", 3, []), (" 4 ", 4, []), ("0", 0, []), ("", None, []), (None, None, []), ("2.0", 2, ["count-format"]),
     ("two", None, ["bad-count"]), ("-1", None, ["bad-count"]), ("1.5", None, ["bad-count"]),
     ("N/A", None, ["bad-count"]), ("9" * 40, None, ["bad-count"]), ("\u0663", None, ["bad-count"]),
     ("1e3", None, ["bad-count"])],
)  # fmt: skip
def test_counts_are_never_invented(written: str | None, value: int | None, problems: list[str]) -> None:
    r = parse_fields(fields(CivilianKIA=written))
    assert r.civilian_kia == value and kinds(r) == problems
    if problems:
        assert r.problems[0].field == "CivilianKIA"


@pytest.mark.parametrize(
    ("written", "value", "problems"),
    [("TRUE", True, []), ("false", False, []), ("1", True, []), ("N", False, []), ("", None, []),
     ("MAYBE", None, ["bad-boolean"])],
)  # fmt: skip
def test_complex_attack(written: str, value: bool | None, problems: list[str]) -> None:
    r = parse_fields(fields(ComplexAttack=written))
    assert r.complex_attack is value and kinds(r) == problems


# ---------------------------------------------------------------------------- position


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("NaN", f"{LON}"), (f"{LAT}", "inf"), ("95.5", f"{LON}"), (f"{LAT}", "-181"), ("34,55", f"{LON}"),
     ("0", "0"), ("", f"{LON}"), (f"{LAT}", "")],
)  # fmt: skip
def test_bad_coordinates_without_grid_are_none(lat: str, lon: str) -> None:
    r = parse_fields(fields(Latitude=lat, Longitude=lon, MGRS=""))
    assert (r.latitude, r.longitude) == (None, None)
    assert set(kinds(r)) == {"bad-coordinates"}


def test_bad_coordinates_are_taken_from_the_grid() -> None:
    r = parse_fields(fields(Latitude="NaN"))
    assert set(kinds(r)) == {"bad-coordinates", "coordinates-from-mgrs"}
    assert r.latitude == pytest.approx(LAT, abs=2e-5) and r.longitude == pytest.approx(LON, abs=2e-5)


def test_no_position_at_all_is_no_problem() -> None:
    r = parse_fields(fields(Latitude="", Longitude="", MGRS=""))
    assert (r.latitude, r.longitude, r.mgrs, r.problems) == (None, None, "", [])


def test_swapped_coordinates_are_swapped_back() -> None:
    r = parse_fields(fields(Latitude=f"{LON}", Longitude=f"{LAT}"))
    assert (r.latitude, r.longitude) == (LAT, LON) and kinds(r) == ["coordinates-swapped"]


def test_far_away_coordinates_are_kept_and_noted() -> None:
    r = parse_fields(fields(Latitude="51.5072", Longitude="-0.1276", MGRS=""))
    assert (r.latitude, r.longitude) == (51.5072, -0.1276) and kinds(r) == ["outside-theatre"]


def test_grid_and_coordinates_must_agree() -> None:
    elsewhere = grid.to_mgrs(31.61, 65.71)  # Kandahar
    r = parse_fields(fields(MGRS=elsewhere))
    assert r.mgrs == elsewhere and (r.latitude, r.longitude) == (LAT, LON)
    assert kinds(r) == ["mgrs-mismatch"]
    assert " m outside the grid square" in r.problems[0].action


def test_grid_written_loosely_is_normalised() -> None:
    ref = grid.to_mgrs(LAT, LON)
    r = parse_fields(fields(MGRS=f" {ref[:3].lower()} {ref[3:5]} {ref[5:10]} {ref[10:]} "))
    assert r.mgrs == ref and r.problems == []


def test_coarse_grid_agrees_with_a_point_in_its_square() -> None:
    r = parse_fields(fields(MGRS=grid.to_mgrs(LAT, LON, 2)))
    assert r.problems == []


@pytest.mark.parametrize("ref", ["GRID UNKNOWN", "42SWZ1234567890", "42SWD123", "42SAD1234"])
def test_bad_grid_is_kept_as_written(ref: str) -> None:
    r = parse_fields(fields(MGRS=ref))
    assert r.mgrs == ref and kinds(r) == ["bad-mgrs"] and (r.latitude, r.longitude) == (LAT, LON)


def test_iraq_theatre() -> None:
    baghdad = fields(Latitude="33.31", Longitude="44.37", MGRS=grid.to_mgrs(33.31, 44.37), Region="MND-BAGHDAD")
    r = parse_fields(baghdad, variant="iraq")
    assert r.theatre == "iraq" and r.problems == []
    assert sorted(kinds(parse_fields(baghdad))) == ["outside-theatre", "unknown-region"]
    assert sorted(kinds(parse_fields(fields(), variant="iraq"))) == ["outside-theatre", "unknown-region"]


# ---------------------------------------------------------------------------- text


def test_control_characters_become_replacement_characters() -> None:
    r = parse_fields(fields(Summary="A\x07B\x1b[0m\x7f\tC\nD", UnitName="U\x00N"))
    assert r.summary == "A\ufffdB\ufffd[0m\ufffd\tC\nD" and r.unit_name == "U\ufffdN"
    assert kinds(r) == ["control-characters", "control-characters"]
    assert "U+0007" in r.problems[1].action or "U+0007" in r.problems[0].action


def test_line_breaks_in_one_line_fields_are_joined() -> None:
    r = parse_fields(fields(Title="(ENEMY ACTION)\r\nDIRECT FIRE\n\nRPT"))
    assert r.title == "(ENEMY ACTION) DIRECT FIRE RPT" and kinds(r) == ["line-break"]


def test_text_is_kept_as_written_but_trimmed() -> None:
    r = parse_fields(fields(Summary='\n  <script>alert("x")</script> "QUOTED"  \n', Type="  Enemy Action "))
    assert r.summary == '<script>alert("x")</script> "QUOTED"' and r.type == "Enemy Action" and r.problems == []


def test_long_values_are_shortened_in_problems() -> None:
    r = parse_fields(fields(Title="T\n" + "X" * 10_000))
    assert len(r.problems[0].value or "") < 300 and "10002 characters" in (r.problems[0].value or "")


@pytest.mark.parametrize(
    ("column", "written", "value", "problems"),
    [("Region", "rc  east ", "RC EAST", []), ("Region", "RC SOUTHWEST", "RC SOUTHWEST", ["unknown-region"]),
     ("Region", "", "", []), ("AttackOn", "friend", "FRIEND", []), ("AttackOn", "ALLY", "ALLY", ["unknown-attack-on"])],
)  # fmt: skip
def test_keywords(column: str, written: str, value: str, problems: list[str]) -> None:
    r = parse_fields(fields(**{column: written}))
    assert getattr(r, "region" if column == "Region" else "attack_on") == value and kinds(r) == problems


def test_null_values_are_empty() -> None:
    r = parse_fields(fields(CCIR=None, Summary=None, Region=None))
    assert (r.ccir, r.summary, r.region, r.problems) == ("", "", "", [])


# ---------------------------------------------------------------------------- extra columns


def test_unknown_columns_are_kept() -> None:
    r = parse_fields(fields(Province="Kabul", ID="17", Blank=None))
    assert r.extra == {"Province": "Kabul", "ID": "17", "Blank": None}


@pytest.mark.parametrize(
    ("total", "problems"), [("1", []), ("", []), ("5", ["total-mismatch"]), ("many", ["bad-count"])]
)
def test_total_casualties_is_checked(total: str, problems: list[str]) -> None:
    r = parse_fields(fields(TotalCasualties=total), variant="34")
    assert kinds(r) == problems and r.extra["TotalCasualties"] == total


def test_total_is_not_checked_against_unknown_counts() -> None:
    r = parse_fields(fields(TotalCasualties="5", EnemyKIA="many"), variant="34")
    assert kinds(r) == ["bad-count"]


# ---------------------------------------------------------------------------- raw records


def _raw(fields_: dict[str, str | None], notes: list[str] | None = None) -> WarlogRawRecord:
    data = b"raw bytes"
    prov = Provenance(FORMAT_WARLOG, "x.csv", 10, len(data), 2, "0" * 64)
    return WarlogRawRecord(raw=data, provenance=prov, metadata=ReleaseMetadata(notes=notes or []),
                           collection="warlogs", fields=fields_, variant="32")  # fmt: skip


def test_parse_report_carries_source_and_reader_notes() -> None:
    r = parse_report(_raw(fields(), ["bom-in-row: a UTF-8 byte-order mark starts this row; skipped"]))
    assert r.source == {"format": FORMAT_WARLOG, "path": "x.csv", "offset": 10, "length": 9, "line": 2,
                        "sha256": "0" * 64, "variant": "32"}  # fmt: skip
    assert kinds(r) == ["bom-in-row"] and "byte-order mark" in r.problems[0].action


def test_rejected_rows_become_quarantined() -> None:
    q = parse_or_quarantine(_raw(fields(DateOccurred="soon")))
    assert isinstance(q, Quarantined) and q.collection == "warlogs" and q.reason.startswith("bad DateOccurred")
    assert q.raw == b"raw bytes" and q.provenance.offset == 10


def test_a_record_without_fields_is_rejected() -> None:
    cable = RawRecord(raw=b"x", provenance=Provenance("cables_csv", "c.csv", 0, 1, 1, "0" * 64),
                      metadata=ReleaseMetadata())  # fmt: skip
    with pytest.raises(RejectedRow, match="not a war-log row"):
        parse_report(cable)


def test_a_parser_bug_does_not_lose_the_row(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(row: object) -> str:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(parse_module, "_key", broken)
    q = parse_or_quarantine(_raw(fields()))
    assert isinstance(q, Quarantined) and q.reason == "parser error: ZeroDivisionError: boom"


# ---------------------------------------------------------------------------- anything at all

_values = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["NaN", "inf", "-0", "1e308", "9" * 30, "TRUE", "2008-02-29 00:00:00", KEY, KEY.lower(),
                     "42SWD1234567890", "0", "90", "-180", "<script>", "\x00\x07"]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*COLUMNS, "TotalCasualties", "ID", "Other"]), _values),
       st.sampled_from(["32", "34", "iraq"]))  # fmt: skip
def test_any_fields_give_a_report_or_a_reason(over: dict[str, str | None], variant: str) -> None:
    try:
        r = parse_fields(fields(**over), variant=variant)
    except RejectedRow as exc:
        assert exc.reason
        return
    d = r.to_dict()
    json.dumps(d)
    for attr in ("latitude", "longitude"):
        v = d[attr]
        assert v is None or (-90 <= d["latitude"] <= 90 and -180 <= d["longitude"] <= 180)
    for p in r.problems:
        assert p.kind and p.action
