"""export.dump: streamed CSV and JSON Lines writers of record iterables."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from cablemirror.cables.parse import parse_record
from cablemirror.export.dump import CSV_COLUMNS, csv_row, iter_csv, iter_jsonl, jsonl_line, write_csv, write_jsonl
from cablemirror.model import RawRecord
from cablemirror.sources import iter_records
from tests.conftest import shared_path


def _record(**over: Any) -> dict[str, Any]:
    rec = {
        "id": "05ALMATY2985",
        "created": "2005-08-18T13:06:00",
        "released": None,
        "origin": "US Office Almaty",
        "classification": "CONFIDENTIAL",
        "subject": 'KAZAKHSTAN: "QUOTED", COMMAS, AND\nA LINE BREAK',
        "title": "Kazakhstan: Quoted",
        "tags": ["PGOV", "PHUM", "KZ"],
        "references": [
            {"bullet": "A", "value": "ALMATY 1234", "kind": "cable", "id": "05ALMATY1234"},
            {"bullet": "B", "value": "e-mail of 3 May", "kind": "email", "id": None},
            {"bullet": "C", "value": "ALMATY 1234", "kind": "cable", "id": "05ALMATY1234"},
            {"bullet": "D", "value": "STATE 99", "kind": "cable", "id": "05STATE99"},
        ],
        "partial": True,
        "body": "text",
    }
    rec.update(over)
    return rec


def _read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_row_columns():
    row = csv_row(_record(), lambda cid: f"https://m.example/cable/{cid}")
    values = dict(zip(CSV_COLUMNS, row))
    assert values["id"] == "05ALMATY2985"
    assert values["released"] == ""
    assert values["tags"] == "PGOV|PHUM|KZ"
    assert values["references"] == "05ALMATY1234|05STATE99"  # cable ids once each, in order
    assert values["partial"] == "true"
    assert values["url"] == "https://m.example/cable/05ALMATY2985"
    assert csv_row(_record(partial=False))[-2:] == ["false", ""]
    # Whatever a record lacks is an empty cell, never an error.
    assert csv_row({}) == [""] * 9 + ["false", ""]
    assert len(csv_row({"tags": None, "references": "junk", "id": 5})) == len(CSV_COLUMNS)


def test_csv_round_trip_with_quotes_and_newlines():
    recs = [_record(id=f"05ALMATY{i}") for i in range(1, 451)]
    chunks = list(iter_csv(recs, chunk_records=100))
    assert len(chunks) == 5  # header + 450 rows in chunks of 100 rows
    assert all(c.count(b"\r\n") >= 100 for c in chunks[:4])
    rows = _read_csv(b"".join(chunks))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 451
    assert rows[1][CSV_COLUMNS.index("subject")] == _record()["subject"]
    assert [r[0] for r in rows[1:]] == [f"05ALMATY{i}" for i in range(1, 451)]
    assert b"".join(iter_csv([], header=False)) == b""
    assert _read_csv(b"".join(iter_csv([]))) == [list(CSV_COLUMNS)]


def test_text_that_is_not_unicode_does_not_break_a_dump():
    bad = _record(subject="broken \udcff byte", title="\ud800")
    rows = _read_csv(b"".join(iter_csv([bad, _record()])))
    assert rows[1][CSV_COLUMNS.index("subject")] == "broken \ufffd byte"
    assert len(rows) == 3
    line = jsonl_line(bad)
    assert json.loads(line)["subject"] == "broken \udcff byte"  # escaped, kept exactly
    assert line.endswith(b"\n") and line.count(b"\n") == 1


def test_jsonl_lines_are_the_records():
    recs = [_record(id=f"X{i}", body="line\nbreak \u2028 sep") for i in range(7)]
    data = b"".join(iter_jsonl(recs, chunk_records=3))
    lines = data.split(b"\n")
    assert lines[-1] == b"" and len(lines) == 8
    assert [json.loads(line) for line in lines[:-1]] == recs


class _Source:
    """Records made on demand, counting how many were asked for."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.made = 0

    def __iter__(self) -> Iterator[dict]:
        for i in range(self.n):
            self.made += 1
            yield _record(id=f"Y{i}")


@pytest.mark.parametrize("make", [iter_csv, iter_jsonl])
def test_streaming_pulls_one_chunk_at_a_time(make):
    src = _Source(1000)
    chunks = make(src, chunk_records=50)
    next(chunks)
    assert src.made <= 51  # not the whole source
    rest = list(chunks)
    assert src.made == 1000 and len(rest) >= 19


def test_write_to_binary_and_text_files(tmp_path: Path):
    recs = [_record(id=f"Z{i}") for i in range(5)]
    with open(tmp_path / "a.csv", "wb") as fh:
        assert write_csv(recs, fh) == 5
    with open(tmp_path / "b.csv", "w", encoding="utf-8", newline="") as fh:
        assert write_csv(recs, fh) == 5
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    with open(tmp_path / "a.jsonl", "wb") as fh:
        assert write_jsonl(iter(recs), fh) == 5
    with open(tmp_path / "b.jsonl", "w", encoding="utf-8") as fh:
        assert write_jsonl(recs, fh) == 5
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert [json.loads(x) for x in (tmp_path / "a.jsonl").read_text("utf-8").splitlines()] == recs
    assert write_jsonl([], io.BytesIO()) == 0


@pytest.mark.corpus
def test_real_records_round_trip():
    """Records parsed from real release pages and cables.csv rows survive both dumps."""
    paths = [
        *sorted(shared_path("corpus", "cablegate-html").glob("*.html"))[:60],
        *sorted(shared_path("corpus", "cables-csv").glob("*.csv"))[:3],
    ]
    records = [parse_record(r).to_dict() for r in iter_records(paths) if isinstance(r, RawRecord)]
    assert len(records) > 100
    assert any(" " in t for rec in records for t in rec["tags"])  # a tag with a space survives
    back = [json.loads(line) for line in b"".join(iter_jsonl(records)).splitlines()]
    assert back == records
    rows = _read_csv(b"".join(iter_csv(records, url_for=lambda cid: "/cable/" + cid)))
    assert len(rows) == len(records) + 1
    for rec, row in zip(records, rows[1:]):
        values = dict(zip(CSV_COLUMNS, row))
        assert values["id"] == rec["id"] and values["subject"] == rec["subject"]
        assert (values["tags"].split("|") if values["tags"] else []) == rec["tags"]
        assert values["url"] == "/cable/" + rec["id"]
