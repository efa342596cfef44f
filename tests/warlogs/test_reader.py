"""sources.warlog_csv: the streaming reader, on generated files of every variant and on
rows written by hand (no real war-diary row exists: see CABLES.md)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from cablemirror.demo.warlogs import READER_BROKEN, file_prelude, generate_rows, write_warlogs
from cablemirror.model import FORMAT_WARLOG, Quarantined, sha256_hex
from cablemirror.sources import warlog_csv
from cablemirror.sources.warlog_csv import WarlogRawRecord, canonical_column, looks_like_warlog, read
from cablemirror.warlogs.model import COLUMNS

from .conftest import GenFile

KEY = "0A1B2C3D-1111-4222-8333-44445555666{}"


def row(n: int = 1, **over: str) -> str:
    """A 32-column row written by hand, every field quoted."""
    values = dict.fromkeys(COLUMNS, "")
    values.update(ReportKey=KEY.format(n), DateOccurred="2008-07-13 04:30:00", Type="Enemy Action", Summary="S")
    values.update(dict.fromkeys(COLUMNS[13:22], "0"))
    values.update(over)
    return ",".join('"' + values[c].replace('"', '""') + '"' for c in COLUMNS)


def read_bytes(tmp_path: Path, data: bytes, **kw: object) -> list:
    p = tmp_path / "w.csv"
    p.write_bytes(data)
    return list(read(p, **kw))  # type: ignore[arg-type]


def check_items(data: bytes, items: list, allowed_gap: tuple[int, int] = (0, 0)) -> None:
    """Provenance exact, items in order, and no non-blank byte left out (but the prelude)."""
    last = 0
    for item in items:
        p = item.provenance
        assert p.format == FORMAT_WARLOG and item.collection == "warlogs"
        assert p.sha256 == sha256_hex(item.raw) and p.length == len(item.raw)
        if item.raw:
            assert data[p.offset : p.offset + p.length] == item.raw
            assert p.line == data.count(b"\n", 0, p.offset) + 1
            assert p.offset >= last
            last = p.offset + p.length
        if isinstance(item, Quarantined):
            assert item.reason
    covered = bytearray(len(data))
    for item in items:
        covered[item.provenance.offset : item.provenance.offset + item.provenance.length] = b"\x01" * len(item.raw)
    lo, hi = allowed_gap
    left = [i for i, (b, c) in enumerate(zip(data, covered)) if not c and b not in b" \t\r\n" and not lo <= i < hi]
    assert left == [], f"bytes left out at {left[:5]}: {data[left[0]:left[0] + 40]!r}"


# ---------------------------------------------------------------------------- generated files


def test_clean_file_reads_every_row_exactly(clean_file: GenFile) -> None:
    items = list(read(clean_file.path))
    assert len(items) == len(clean_file.rows) == 5_000
    names = set(clean_file.rows[0].expected["extra"]) | set(COLUMNS)
    for item, r in zip(items, clean_file.rows):
        assert isinstance(item, WarlogRawRecord), getattr(item, "reason", None)
        assert (item.provenance.offset, item.raw, item.provenance.line) == (r.offset, r.data, r.line)
        assert item.variant == clean_file.variant and set(item.fields) == names
        assert item.metadata.reference_id == r.key == item.fields["ReportKey"]
        assert item.metadata.created == r.expected["date"].isoformat()
        assert item.body == item.fields["Summary"]
    check_items(clean_file.data, items, (0, len(file_prelude(clean_file.variant, False))))


def test_hostile_file_loses_no_byte(hostile_file: GenFile) -> None:
    items = list(read(hostile_file.path))
    check_items(hostile_file.data, items, (0, len(file_prelude(hostile_file.variant, True))))
    assert len(items) == len(hostile_file.rows)


def test_reader_quarantines_broken_rows_with_the_reason(hostile_file: GenFile) -> None:
    by_offset = {i.provenance.offset: i for i in read(hostile_file.path)}
    broken = [r for r in hostile_file.rows if READER_BROKEN & set(r.kinds)]
    assert len(broken) > 20
    for r in broken:
        item = by_offset[r.offset]
        assert isinstance(item, Quarantined), r.kinds
        assert item.reason.startswith(r.reason or "?"), (r.kinds, item.reason)
        assert item.raw == r.data
    others = [r for r in hostile_file.rows if not READER_BROKEN & set(r.kinds)]
    assert all(isinstance(by_offset[r.offset], WarlogRawRecord) for r in others)


def test_resume_from_any_row(hostile_file: GenFile) -> None:
    items = list(read(hostile_file.path))
    picks = sorted({0, 1, len(items) - 1, *range(0, len(items), len(items) // 12),
                    *[i for i, it in enumerate(items) if isinstance(it, Quarantined)][:6]})  # fmt: skip
    for i in picks:
        start = items[i].provenance.offset
        for offset in (start, items[i - 1].provenance.offset + items[i - 1].provenance.length if i else 0):
            again = list(itertools.islice(read(hostile_file.path, start_offset=offset), 30))
            want = items[i : i + 30]
            assert [_key(x) for x in again] == [_key(x) for x in want]


def _key(item: object) -> tuple:
    p = item.provenance  # type: ignore[attr-defined]
    return (type(item).__name__, p.offset, p.length, p.line, p.sha256, getattr(item, "reason", None),
            getattr(item, "fields", None))  # fmt: skip


def test_start_offsets_at_the_edges(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    write_warlogs(path, 20, 3, variant="34")
    first = list(read(path))
    assert [_key(x) for x in read(path, start_offset=5)] == [_key(x) for x in first]  # inside the header
    assert list(read(path, start_offset=path.stat().st_size + 10)) == []
    with pytest.raises(ValueError):
        list(read(path, start_offset=-1))


def test_small_chunks_give_the_same_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.csv"
    write_warlogs(path, 600, 21, variant="34", hostile=True)
    want = [_key(x) for x in read(path)]
    monkeypatch.setattr(warlog_csv, "CHUNK_SIZE", 997)
    assert [_key(x) for x in read(path)] == want


def test_memory_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.csv"
    write_warlogs(path, 3000, 5)
    chunk = 8192
    monkeypatch.setattr(warlog_csv, "CHUNK_SIZE", chunk)
    biggest = 0
    fill = warlog_csv._Scanner._fill

    def watched(self: warlog_csv._Scanner) -> None:
        nonlocal biggest
        fill(self)
        biggest = max(biggest, len(self.buf))

    monkeypatch.setattr(warlog_csv._Scanner, "_fill", watched)
    items = list(read(path))
    longest = max(len(i.raw) for i in items)
    assert biggest <= longest + 3 * chunk + 64
    assert biggest < path.stat().st_size / 20


def test_a_row_longer_than_the_limit_is_quarantined_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warlog_csv, "CHUNK_SIZE", 512)
    monkeypatch.setattr(warlog_csv, "MAX_ROW_BYTES", 4096)
    data = "\n".join([row(1), row(2, Summary="WORDS " * 3000), row(3)]).encode()
    items = read_bytes(tmp_path, data)
    check_items(data, items)
    assert isinstance(items[0], WarlogRawRecord) and isinstance(items[-1], WarlogRawRecord)
    assert items[-1].fields["ReportKey"] == KEY.format(3)
    middle = items[1:-1]
    assert middle and all(isinstance(i, Quarantined) for i in middle)
    assert all(len(i.raw) <= 4096 for i in middle)


# ---------------------------------------------------------------------------- rows by hand


def test_quoting_line_ends_and_bom(tmp_path: Path) -> None:
    summary = 'SAID "STOP", THEN\r\nLEFT\rAGAIN\n'
    data = b"\xef\xbb\xbf" + (row(1, Summary=summary) + "\r\n\r\n  \n" + row(2) + "\r" + row(3)).encode()
    items = read_bytes(tmp_path, data)
    check_items(data, items, (0, 3))
    assert [type(i) for i in items] == [WarlogRawRecord] * 3
    assert items[0].provenance.offset == 3 and items[0].provenance.line == 1
    assert items[0].fields["Summary"] == 'SAID "STOP", THEN\nLEFT\nAGAIN\n'
    assert items[1].provenance.line == 6 and items[2].fields["ReportKey"] == KEY.format(3)


def test_unquoted_fields(tmp_path: Path) -> None:
    values = [KEY.format(1), "2008-07-13 04:30:00", "Enemy Action", "", *["x"] * 28]
    items = read_bytes(tmp_path, (",".join(values) + "\n").encode())
    assert isinstance(items[0], WarlogRawRecord)
    assert items[0].fields["Category"] == "" and items[0].fields["CCIR"] == "x"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (row(2).replace('"S"', '"S "QUOTED" S"'), "broken quoting: field 7 closes its quote"),
        (row(2).replace(',"S",', ',S "X",'), "broken quoting: a quote inside unquoted field 7"),
        (row(2).rsplit(",", 1)[0], "wrong column count: 31 (expected 32)"),
        (row(2) + ',"EXTRA"', "wrong column count: 33"),
        (row(2).replace('"S"', '"S\x00"'), "binary data: a NUL byte"),
        (",".join(COLUMNS), "a repeated header row"),
    ],
)
def test_broken_rows_are_quarantined_alone(tmp_path: Path, bad: str, reason: str) -> None:
    data = "\n".join([row(1), bad, row(3)]).encode()
    items = read_bytes(tmp_path, data)
    check_items(data, items)
    assert [type(i) for i in items] == [WarlogRawRecord, Quarantined, WarlogRawRecord]
    assert items[1].reason.startswith(reason) and items[1].raw == bad.encode()


def test_an_unclosed_quote_at_the_end_of_the_file(tmp_path: Path) -> None:
    data = (row(1) + "\n" + row(2)[:-1] + "\n").encode()
    items = read_bytes(tmp_path, data)
    assert isinstance(items[1], Quarantined) and "never closes" in items[1].reason


def test_a_row_split_by_a_stray_line_break_is_quarantined_whole(tmp_path: Path) -> None:
    split = row(2).replace(',"S",', ',S\nMORE,')  # an unquoted summary with a line break
    data = "\n".join([row(1), split, row(3)]).encode()
    items = read_bytes(tmp_path, data)
    assert [type(i) for i in items] == [WarlogRawRecord, Quarantined, WarlogRawRecord]
    assert items[1].raw == split.encode() and items[1].reason.startswith("wrong column count")


def test_garbage_before_the_first_row(tmp_path: Path) -> None:
    data = ("some notes\nmore notes, with commas\n" + row(1) + "\n" + row(2)).encode()
    items = read_bytes(tmp_path, data, variant="32")
    check_items(data, items)
    assert isinstance(items[0], Quarantined) and [type(i) for i in items[1:]] == [WarlogRawRecord] * 2


def test_header_variant_reads_by_name(tmp_path: Path) -> None:
    header = ["Date Occured", "Report Key", "lat", "Longitude", "Summary", "Summary", "Mystery"]
    rows = [
        ["2008-07-13 04:30:00", KEY.format(1), "34.5", "69.2", "<null value>", "second", "<NULL VALUE>"],
        ["2008-07-14 04:30:00", KEY.format(2), "34.6", "69.3", "text", "", "kept"],
    ]
    data = "\n".join(",".join(r) for r in [header, *rows]).encode()
    assert looks_like_warlog(data) == "34"
    items = read_bytes(tmp_path, data)
    assert [i.fields for i in items] == [
        {"DateOccurred": "2008-07-13 04:30:00", "ReportKey": KEY.format(1), "Latitude": "34.5", "Longitude": "69.2",
         "Summary": None, "Summary (2)": "second", "Mystery": None},
        {"DateOccurred": "2008-07-14 04:30:00", "ReportKey": KEY.format(2), "Latitude": "34.6", "Longitude": "69.3",
         "Summary": "text", "Summary (2)": "", "Mystery": "kept"},
    ]  # fmt: skip
    assert items[0].provenance.line == 2 and all(i.variant == "34" for i in items)


def test_header_variant_resyncs_on_a_key_that_is_not_first(tmp_path: Path) -> None:
    header = "ID,ReportKey,DateOccurred,Summary"
    good = [f'{n},"{KEY.format(n)}","2008-07-13 04:30:00","S{n}"' for n in range(1, 4)]
    broken = '7,"' + KEY.format(7) + '","2008-07-13 04:30:00","UNCLOSED'
    data = "\n".join([header, good[0], broken, good[1], good[2]]).encode()
    items = read_bytes(tmp_path, data)
    assert [type(i) for i in items] == [WarlogRawRecord, Quarantined, WarlogRawRecord, WarlogRawRecord]
    assert items[1].raw == broken.encode() and items[3].fields["Summary"] == "S3"


def test_header_alias_names() -> None:
    assert canonical_column("Date Occured") == "DateOccurred"
    assert canonical_column("host_nation_kia") == "HostNationKIA"
    assert canonical_column("LAT") == "Latitude" and canonical_column("Province") is None


def test_invalid_utf8_is_decoded_as_cp1252_and_noted(tmp_path: Path) -> None:
    data = row(1).encode().replace(b'"S"', b'"\x93CAF\xc9 \x96 OK\x94"')
    items = read_bytes(tmp_path, data)
    assert items[0].fields["Summary"] == "\u201cCAF\u00c9 \u2013 OK\u201d"
    assert items[0].metadata.notes == [warlog_csv.NOTE_CP1252]


def test_bom_before_a_later_row_is_noted(tmp_path: Path) -> None:
    data = (row(1) + "\n").encode() + b"\xef\xbb\xbf" + row(2).encode()
    items = read_bytes(tmp_path, data)
    assert items[1].raw.startswith(b"\xef\xbb\xbf") and items[1].fields["ReportKey"] == KEY.format(2)
    assert items[1].metadata.notes == [warlog_csv.NOTE_ROW_BOM]


# ---------------------------------------------------------------------------- detection


def test_detection_of_generated_files(clean_file: GenFile, hostile_file: GenFile) -> None:
    assert looks_like_warlog(clean_file.data[:65536]) == clean_file.variant
    assert looks_like_warlog(hostile_file.data[:65536]) == hostile_file.variant


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"   \n\n",
        b'"1","12/28/1966 18:48","66BUENOSAIRES1","Embassy Buenos Aires","UNCLASSIFIED","","",""\n',
        b"name,date,value\nx,2008-01-01,3\n",
        b"ReportKey,Type,Title\nx,y,z\n",  # no DateOccurred
        b"%PDF-1.4 ...",
        ("\n".join(",".join([KEY.format(i), "2008-01-01 00:00:00", "x"]) for i in range(3))).encode(),  # 3 columns
    ],
)
def test_detection_rejects_other_files(head: bytes) -> None:
    assert looks_like_warlog(head) is None


def test_detection_tolerates_a_damaged_first_row() -> None:
    head = ("junk line\n" + row(1)[:-30] + "\n" + row(2) + "\n" + row(3)).encode()
    assert looks_like_warlog(head) == "32"


def test_iraq_is_recognised_by_its_divisions() -> None:
    head = b'ReportKey,DateOccurred,Region\n"' + KEY.format(1).encode() + b'","2006-01-01 00:00:00","MND-N"\n'
    assert looks_like_warlog(head) == "iraq"


def test_unrecognised_and_unreadable_files(tmp_path: Path) -> None:
    data = b"hello world\n" * 10
    items = read_bytes(tmp_path, data)
    assert len(items) == 1 and items[0].raw == data and items[0].reason.startswith("not a war-log CSV")
    empty = read_bytes(tmp_path, b"")
    assert len(empty) == 1 and "(empty file)" in empty[0].reason
    missing = list(read(tmp_path / "nope.csv"))
    assert len(missing) == 1 and missing[0].reason.startswith("cannot read file")
    assert list(read(tmp_path / "w.csv", start_offset=5)) == []


def test_forced_variant(tmp_path: Path) -> None:
    data = "\n".join([row(1), row(2)]).encode()
    items = read_bytes(tmp_path, data, variant="34")  # no header to read by name
    assert len(items) == 1 and "no usable header row" in items[0].reason and items[0].raw == data
    with pytest.raises(ValueError, match="unknown war-log variant"):
        read_bytes(tmp_path, data, variant="35")


def test_generated_rows_match_the_written_file(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    write_warlogs(path, 300, 9, variant="iraq", hostile=True)
    data = path.read_bytes()
    for r in generate_rows(300, 9, variant="iraq", hostile=True):
        assert data[r.offset : r.offset + len(r.data)] == r.data
        assert data.count(b"\n", 0, r.offset) + 1 == r.line


# ---------------------------------------------------------------------------- real files


@pytest.mark.corpus
def test_no_real_release_file_is_taken_for_a_war_log() -> None:
    shared = Path(__file__).resolve().parents[3] / "shared"
    if not shared.is_dir():
        pytest.skip(f"needs the real release files in {shared} (absent: this is not the project's CI layout)")
    files = [p for p in sorted(shared.rglob("*")) if p.is_file()]
    assert len(files) > 100
    for p in files:
        with open(p, "rb") as f:
            head = f.read(256 * 1024)
        assert looks_like_warlog(head, complete=len(head) < 256 * 1024) is None, p
