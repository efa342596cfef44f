"""Storing reports: versions, the current version, raw bytes, the quarantine, old stores."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from cablemirror.model import FORMAT_WARLOG, Provenance, Quarantined, RawRecord, ReleaseMetadata, sha256_hex
from cablemirror.store import StoreError, open_store
from cablemirror.store.base import REPORTS_UNSUPPORTED, Store
from cablemirror.store.reports import completeness
from cablemirror.warlogs import Report, parse_fields
from cablemirror.warlogs.model import COLUMNS

KEY = "0A1B2C3D-1111-2222-3333-444455556666"


def row(**values: str) -> dict[str, str]:
    base = dict.fromkeys(COLUMNS, "")
    base.update(ReportKey=KEY, DateOccurred="2008-07-13 04:30:00", Type="Enemy Action", Category="Direct Fire",
                Title="TIC WITH AAF", Summary="TF KANDAHAR REPORTS TIC IVO COP X.", Region="RC SOUTH",
                FriendlyWIA="1", FriendlyKIA="0", Latitude="31.6", Longitude="65.7")  # fmt: skip
    base.update(values)
    return base


def item(fields: dict[str, str], raw: bytes, offset: int = 0) -> tuple[RawRecord, Report]:
    prov = Provenance(FORMAT_WARLOG, "/data/afg.csv", offset, len(raw), 1 + offset, sha256_hex(raw))
    rec = RawRecord(raw, prov, ReleaseMetadata(reference_id=fields["ReportKey"]), collection="warlogs")
    source = {**prov.to_dict(), "variant": "32"}
    return rec, parse_fields(fields, source=source)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "s.db"


def test_new_unchanged_and_versions(db):
    first = item(row(), b"row one")
    fuller = item(row(UnitName="TF KANDAHAR", ReportingUnit="TF KANDAHAR"), b"row two, more complete", 100)
    poorer = item(row(Title=""), b"row three, less complete", 200)
    assert completeness(fuller[1]) > completeness(first[1]) > completeness(poorer[1])
    with open_store(db) as s:
        assert [o.status for o in s.store_reports([first])] == ["new"]
        again = s.store_reports([first])
        assert again[0].status == "unchanged" and again[0].current
        out = s.store_reports([poorer, fuller])
        assert [o.status for o in out] == ["updated", "updated"]
        assert [o.current for o in out] == [False, True]
        record = s.get_report(KEY.lower())
        assert record["unit_name"] == "TF KANDAHAR" and record["source"]["offset"] == 100
        versions = s.get_report_versions("{" + KEY + "}")
        assert [v["current"] for v in versions] == [False, False, True]
        assert [v["record"]["source"]["offset"] for v in versions] == [0, 200, 100]
        assert versions[0]["sha256"] == sha256_hex(b"row one") and versions[0]["collection"] == "warlogs"
        assert s.get_report_raw(KEY) == b"row two, more complete"
        assert s.get_report_raw(KEY, versions[1]["version_id"]) == b"row three, less complete"
        assert s.get_report_raw(KEY, 999) is None
        assert s.stats()["reports"] == 1 and s.stats()["report_versions"] == 3
        # the search index follows the current version
        assert s.query_reports("unit:kandahar").total == 1
        assert s.query_reports("title:tic").total == 1


def test_a_tie_goes_to_the_later_import(db):
    a = item(row(Summary="FIRST TEXT"), b"a")
    b = item(row(Summary="SECOND TEXT"), b"b")
    assert completeness(a[1]) == completeness(b[1])
    with open_store(db) as s:
        s.store_reports([a])
        assert s.store_reports([b])[0].current
        assert s.get_report(KEY)["summary"] == "SECOND TEXT"
        assert s.query_reports("second").total == 1 and s.query_reports("first").total == 0


def test_duplicates_inside_one_batch(db):
    a = item(row(), b"same bytes")
    b = item(row(), b"same bytes", 50)
    c = item(row(Summary="CHANGED"), b"other bytes", 90)
    with open_store(db) as s:
        out = s.store_reports([a, b, c])
        assert [o.status for o in out] == ["new", "unchanged", "updated"]
        assert out[0].version_id == out[1].version_id
        assert len(s.get_report_versions(KEY)) == 2


def test_quarantined_bytes_that_later_import_are_resolved(db):
    raw = b"a row that failed once"
    rec, report = item(row(), raw)
    with open_store(db) as s:
        s.quarantine_batch([Quarantined(raw, rec.provenance, "parser error: boom", collection="warlogs")])
        assert s.stats()["reports_quarantined"] == 1
        s.store_reports([(rec, report)])
        assert s.stats()["reports_quarantined"] == 0
        (q,) = list(s.iter_quarantine(include_resolved=True))
        assert q["resolved_version"] == s.get_report_versions(KEY)[0]["version_id"]


def test_bad_items_are_refused(db):
    rec, report = item(row(), b"x")
    with open_store(db) as s:
        for bad in ([("x", report)], [(rec,)], [(rec, "report")]):
            with pytest.raises(StoreError):
                s.store_reports(bad)  # type: ignore[arg-type]
        report.report_key = "not a key"
        with pytest.raises(StoreError, match="quarantine it instead"):
            s.store_reports([(rec, report)])
        assert s.stats()["reports"] == 0
    with open_store(db, readonly=True) as s:
        with pytest.raises(StoreError, match="read-only"):
            s.store_reports([item(row(), b"y")])


def test_unicode_that_is_not_text_is_stored_repaired(db):
    rec, report = item(row(Summary="BROKEN \udcff BYTE", Type="Enemy\ud800 Action"), b"raw")
    with open_store(db) as s:
        s.store_reports([(rec, report)])
        got = s.get_report(KEY)
        assert got["summary"] == "BROKEN \ufffd BYTE"
        assert s.query_reports("broken byte").total == 1
        assert s.query_reports("", facets=("type",)).facets["type"][0][0] == "Enemy\ufffd Action"


def test_an_old_store_without_report_tables(db):
    with open_store(db) as s:
        s.store_reports([item(row(), b"x")])
    conn = sqlite3.connect(db)
    conn.executescript("DROP TABLE reports_fts; DROP VIEW reports_fts_content; DROP TABLE reports; DROP TABLE report_versions;")
    conn.close()
    with open_store(db, readonly=True) as s:  # read-only: no reports, no error
        assert s.get_report(KEY) is None and s.get_report_versions(KEY) == [] and s.get_report_raw(KEY) is None
        page = s.query_reports("ied")
        assert page.total == 0 and page.hits == []
        assert s.report_bins("", bbox=(29, 60, 39, 75), step=1.0).total == 0
        assert s.report_timeline("").months == [] and s.report_histogram() == []
        assert [c["name"] for c in s.collections()] == ["cables"]
        assert s.stats()["reports"] == 0 and list(s.iter_reports()) == []
        with pytest.raises(StoreError, match="read-only"):
            s.store_reports([item(row(), b"x")])
    with open_store(db) as s:  # opened for writing: the tables come back
        assert s.store_reports([item(row(), b"x")])[0].status == "new"


def test_a_backend_without_reports_says_so():
    for call in (
        lambda: Store.store_reports(None, []),  # type: ignore[arg-type]
        lambda: Store.get_report(None, KEY),  # type: ignore[arg-type]
        lambda: Store.query_reports(None, "ied"),  # type: ignore[arg-type]
        lambda: Store.report_bins(None, bbox=(0, 0, 1, 1), step=1.0),  # type: ignore[arg-type]
        lambda: Store.report_timeline(None),  # type: ignore[arg-type]
        lambda: Store.iter_reports(None),  # type: ignore[arg-type]
    ):
        with pytest.raises(StoreError, match=REPORTS_UNSUPPORTED):
            call()


def test_the_record_round_trips(db):
    rec, report = item(row(ComplexAttack="TRUE", EnemyKIA="two"), b"raw")
    with open_store(db) as s:
        s.store_reports([(rec, report)])
        got = s.get_report(KEY)
    assert got == report.to_dict()
    assert got["enemy_kia"] is None and got["complex_attack"] is True
    assert [p["kind"] for p in got["problems"]] == ["bad-count"]
    assert datetime.fromisoformat(got["date"]) == report.date
