"""Property tests: arbitrary bytes and mutated records never break a reader."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablemirror.model import Quarantined, RawRecord, sha256_hex
from cablemirror.sources import READERS, cables_csv, read_path

from .gen import CsvRow, csv_file, mirror_page, release_page

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID_ROWS = [
    CsvRow(1, "1/2/2003 4:05", "03TESTVILLE1", references=["03STATE2"], body='A "QUOTED","PART"\nB\\ C\n'),
    CsvRow(2, "12/31/1999 23:59", "99TESTVILLE2", header="", body="LINE\n\nLINE O'NEIL\n"),
]
VALID = csv_file(VALID_ROWS)


def _check(data: bytes, items: list) -> None:
    for item in items:
        assert isinstance(item, (RawRecord, Quarantined))
        p = item.provenance
        assert p.sha256 == sha256_hex(item.raw) and p.length == len(item.raw) and p.line >= 1
        assert data[p.offset : p.offset + p.length] == item.raw or item.raw == b""
        if isinstance(item, Quarantined):
            assert item.reason


def _covers_nonblank(data: bytes, items: list) -> None:
    covered = bytearray(len(data))
    for item in items:
        p = item.provenance
        covered[p.offset : p.offset + p.length] = b"\x01" * p.length
    assert all(c or b in b" \t\r\n" for b, c in zip(data, covered))


def _read_all(data: bytes, fmt: str | None, name: str = "x.bin") -> list:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_bytes(data)
        return list(read_path(p, format=fmt))


@st.composite
def mutated(draw, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "cut"]))
        i = draw(st.integers(0, len(data)))
        if kind == "delete":
            del data[i : i + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[i:i] = draw(st.sampled_from([b'"', b",", b"\\", b"\n", b"\r\n", b'","', b'\n"3","', b"\xff", b"\x00"]))
        elif kind == "replace" and i < len(data):
            data[i] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[i:]
    return bytes(data)


@SETTINGS
@given(st.binary(max_size=3000))
def test_every_reader_survives_arbitrary_bytes(data: bytes) -> None:
    for fmt in READERS:
        items = _read_all(data, fmt)
        _check(data, items)
        if fmt != "cables_csv":
            assert len(items) == 1  # a one-record file: one record or one quarantined item
    _check(data, _read_all(data, None))


@SETTINGS
@given(st.binary(max_size=2000))
def test_csv_reader_covers_every_nonblank_byte_of_arbitrary_input(data: bytes) -> None:
    items = _read_all(data, "cables_csv")
    _check(data, items)
    _covers_nonblank(data, items)


@SETTINGS
@given(st.data())
def test_csv_reader_on_mutated_valid_records(data) -> None:
    blob = data.draw(mutated(VALID))
    items = _read_all(blob, "cables_csv")
    _check(blob, items)
    _covers_nonblank(blob, items)
    # A record that comes out is a whole record: read alone, its bytes give it back.
    for rec in (i for i in items if isinstance(i, RawRecord)):
        assert rec.raw.startswith(b'"') and rec.raw.endswith(b'"') and rec.metadata.reference_id
        (alone,) = _read_all(rec.raw, "cables_csv")
        assert isinstance(alone, RawRecord)
        assert (alone.header, alone.body, alone.metadata) == (rec.header, rec.body, rec.metadata)


@SETTINGS
@given(st.data())
def test_csv_resume_equals_tail_of_full_read(data) -> None:
    blob = data.draw(mutated(VALID + b"\n" + VALID.replace(b'"1"', b'"5"').replace(b'"2"', b'"6"')))
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.csv"
        p.write_bytes(blob)
        full = list(cables_csv.read(p))
        if not full:
            return
        k = data.draw(st.integers(0, len(full) - 1))
        resumed = list(cables_csv.read(p, start_offset=full[k].provenance.offset))
        end = full[k].provenance.offset + full[k].provenance.length
        after_end = list(cables_csv.read(p, start_offset=end))
    # From a record's offset, or from the end of the item before (as the ingest
    # resumes), the rest is identical.  A quarantined stretch that is no record start
    # may be cut differently when reading starts inside it.
    if isinstance(full[k], RawRecord):
        assert [i.provenance for i in resumed] == [i.provenance for i in full[k:]]
    if k + 1 < len(full) and isinstance(full[k + 1], RawRecord):
        assert [i.provenance for i in after_end] == [i.provenance for i in full[k + 1 :]]


@SETTINGS
@given(st.data())
def test_html_reader_on_mutated_pages(data) -> None:
    blob = data.draw(mutated(release_page(nav_bytes=200)))
    (item,) = _read_all(blob, "cablegate_html")
    _check(blob, [item])
    if isinstance(item, RawRecord):
        assert item.metadata.reference_id and item.metadata.created and item.body is not None


@SETTINGS
@given(st.data())
def test_mirror_reader_on_mutated_pages(data) -> None:
    blob = data.draw(mutated(mirror_page()))
    (item,) = _read_all(blob, "mirror_page")
    _check(blob, [item])


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=1500))
def test_pdf_reader_on_junk_with_a_pdf_header(data: bytes) -> None:
    blob = b"%PDF-1.4\n" + data
    (item,) = _read_all(blob, "cable_pdf", "x.pdf")
    _check(blob, [item])
