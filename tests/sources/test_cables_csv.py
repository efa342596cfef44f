"""cables.csv reader: real files, the damaged real copies, generated edge cases."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from cablemirror.model import FORMAT_CSV, Quarantined, RawRecord, sha256_hex
from cablemirror.sources import cables_csv
from cablemirror.sources.cables_csv import NOTE_DOUBLED

from tests.conftest import shared_path
from .gen import CsvRow, csv_file, random_row

# Independent of the reader: a record starts where a line starts with seq, date, id.
LINE_START = re.compile(rb'^"(\d+)","(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d\d)","([^"]*)","([^"]*)","([^"]*)"', re.M)


def csv_files() -> list[Path]:
    return sorted(shared_path("corpus", "cables-csv").glob("*.csv"))


def raw_head(name: str) -> Path:
    return shared_path("corpus", "cables-csv-raw-head", name)


def split(items):
    recs = [i for i in items if isinstance(i, RawRecord)]
    quar = [i for i in items if isinstance(i, Quarantined)]
    return recs, quar


def assert_exact_provenance(path: Path, items) -> None:
    data = path.read_bytes()
    for item in items:
        p = item.provenance
        assert p.format == FORMAT_CSV and p.path == str(path)
        assert data[p.offset : p.offset + p.length] == item.raw
        assert p.sha256 == sha256_hex(item.raw)
        assert p.line == data.count(b"\n", 0, p.offset) + 1


def assert_covers_nonblank(data: bytes, items) -> None:
    """Records and quarantined items together hold every non-blank byte."""
    covered = bytearray(len(data))
    for item in items:
        p = item.provenance
        covered[p.offset : p.offset + p.length] = b"\x01" * p.length
    lost = [i for i, c in enumerate(covered) if not c and data[i] not in b" \t\r\n"]
    assert not lost, f"bytes not covered at {lost[:10]}: {data[lost[0]:lost[0] + 40]!r}"


def read_bytes_as_csv(tmp_path: Path, data: bytes, name: str = "gen.csv", **kw):
    p = tmp_path / name
    p.write_bytes(data)
    return p, list(cables_csv.read(p, **kw))


# --------------------------------------------------------------------------- real files


@pytest.mark.corpus
def test_every_real_file_yields_every_record_with_exact_provenance() -> None:
    files = csv_files()
    assert len(files) == 30
    total = 0
    for path in files:
        data = path.read_bytes()
        starts = list(LINE_START.finditer(data))
        items = list(cables_csv.read(path))
        recs, quar = split(items)
        assert not quar, f"{path.name}: {[q.reason for q in quar]}"
        assert len(recs) == len(starts), path.name
        assert_exact_provenance(path, items)
        assert_covers_nonblank(data, items)
        for rec, m in zip(recs, starts):
            seq, mo, d, y, h, mi, ref_id, origin, classification = m.groups()
            assert rec.provenance.offset == m.start()
            md = rec.metadata
            assert md.sequence == int(seq)
            assert md.reference_id == ref_id.decode()
            assert md.origin == origin.decode()
            assert md.classification == classification.decode()
            assert md.created == f"{y.decode()}-{int(mo):02d}-{int(d):02d}T{int(h):02d}:{mi.decode()}:00"
            assert rec.raw.startswith(b'"') and rec.raw.endswith(b'"')
            assert rec.body is not None and '\\"' not in rec.body
        total += len(recs)
    assert total == 2948


@pytest.mark.corpus
def test_real_text_is_unescaped_and_references_split() -> None:
    path = next(p for p in csv_files() if p.name == "Embassy_Tel_Aviv.csv")
    data = path.read_bytes()
    recs, _ = split(cables_csv.read(path))
    # Find, in the test, a record whose body has an escaped quote and compare.
    for rec in recs:
        if b'\\"' in rec.raw:
            body_raw = rec.raw.rsplit(b'","', 1)[1][:-1]
            expected = body_raw.replace(b'\\\\', b'\x00').replace(b'\\"', b'"').replace(b"\\'", b"'").replace(b"\x00", b"\\")
            assert rec.body == expected.decode("utf-8")
            break
    else:
        pytest.fail("no record with an escaped quote")
    with_refs = [r for r in recs if r.metadata.references]
    assert with_refs
    for rec in with_refs:
        field6 = re.match(rb'(?:"[^"]*",){5}"([^"]*)"', rec.raw).group(1).decode()
        assert rec.metadata.references == field6.split("|")
    assert data.count(b"\r") == 0


@pytest.mark.corpus
def test_partial_notice_in_header_field() -> None:
    partial = whole = kept = 0
    for path in csv_files():
        for r in split(cables_csv.read(path))[0]:
            field7 = re.match(rb'(?:"[^"]*",){6}"', r.raw)  # the header field starts here
            notice = r.raw[field7.end() : field7.end() + 60].startswith(b"This record is a partial extract")
            assert r.partial_notice is notice
            if r.partial_notice:
                partial += 1
                assert r.header is None or "partial extract" not in r.header
                kept += bool(r.header)
            else:
                whole += 1
                assert r.header
    # Some keep what follows the notice (a date-time group, routing lines).
    assert partial and whole and kept


@pytest.mark.corpus
def test_raw_head_aa_cut_off_last_record_and_stray_quote() -> None:
    path = raw_head("aa.csv")
    data = path.read_bytes()
    assert len(data) == 222_907
    starts = [m.start() for m in LINE_START.finditer(data)]
    items = list(cables_csv.read(path))
    recs, quar = split(items)
    assert len(recs) == len(starts) - 1 == 36
    assert [q.provenance.offset for q in quar] == [0, starts[-1]]
    assert "outside any record" in quar[0].reason and quar[0].raw == b'"'
    assert "cut off at the end of the file" in quar[1].reason and "field 8 (body)" in quar[1].reason
    assert quar[1].raw == data[starts[-1] :].rstrip()
    assert_exact_provenance(path, items)
    assert_covers_nonblank(data, items)


@pytest.mark.corpus
@pytest.mark.parametrize("name, first_seq, doubled", [("final2.csv", 2, False), ("nlp.csv", 1, True)])
def test_damaged_copies_match_aa(name: str, first_seq: int, doubled: bool) -> None:
    """CRLF and doubled-newline copies give the same ids and texts as the original."""
    original = {r.metadata.reference_id: r for r in split(cables_csv.read(raw_head("aa.csv")))[0]}
    path = raw_head(name)
    data = path.read_bytes()
    assert len(data) < raw_head("aa.csv").stat().st_size
    items = list(cables_csv.read(path))
    recs, quar = split(items)
    assert recs[0].metadata.sequence == first_seq
    # Both copies end inside record 34: cut off, quarantined, not a short record.
    assert quar[-1].reason.startswith("record cut off at the end of the file")
    assert quar[-1].provenance.offset == [m.start() for m in LINE_START.finditer(data)][-1]
    assert len(recs) == 34 - first_seq
    for rec in recs:
        orig = original[rec.metadata.reference_id]
        assert rec.metadata.sequence == orig.metadata.sequence
        assert rec.header == orig.header
        assert rec.body == orig.body
        assert rec.metadata.references == orig.metadata.references
        assert rec.metadata.created == orig.metadata.created
        assert (NOTE_DOUBLED in rec.metadata.notes) is doubled
        assert rec.raw != orig.raw  # the bytes differ: CRLF or doubled breaks
    assert_exact_provenance(path, items)
    assert_covers_nonblank(data, items)


@pytest.mark.corpus
def test_resume_from_every_record_offset() -> None:
    path = raw_head("aa.csv")
    full = list(cables_csv.read(path))
    for k, item in enumerate(full[1:], start=1):
        resumed = list(cables_csv.read(path, start_offset=item.provenance.offset))
        assert [i.provenance for i in resumed] == [i.provenance for i in full[k:]]
    # The ingest resumes at the end of the last stored record: same result.
    end = full[5].provenance.offset + full[5].provenance.length
    assert [i.provenance for i in cables_csv.read(path, start_offset=end)] == [i.provenance for i in full[6:]]
    assert list(cables_csv.read(path, start_offset=path.stat().st_size)) == []


# --------------------------------------------------------------------------- generated


def test_generated_escapes_embedded_separators_and_newlines(tmp_path: Path) -> None:
    row = CsvRow(
        seq=7,
        date="2/29/2008 0:05",
        ref_id="08TESTVILLE7",
        references=["08STATE1", "07TESTVILLE3"],
        header='FM "A" \\ B\n',
        body='1. HE SAID "YES","NO" \\" AND O\'BRIEN\nLEFT "," HERE\\\\\n\n2. END\n',
    )
    path, items = read_bytes_as_csv(tmp_path, csv_file([row, CsvRow(8, "1/1/2009 1:01", "09X8")]))
    recs, quar = split(items)
    assert not quar and len(recs) == 2
    r = recs[0]
    assert r.header == row.header and r.body == row.body
    assert r.metadata.references == ["08STATE1", "07TESTVILLE3"]
    assert r.metadata.created == "2008-02-29T00:05:00"
    assert r.metadata.sequence == 7 and r.metadata.reference_id == "08TESTVILLE7"
    assert_exact_provenance(path, items)


def test_generated_crlf_and_doubled_copies_give_the_same_text(tmp_path: Path) -> None:
    rng = random.Random(5)
    rows = [random_row(rng, i) for i in range(1, 40)]
    rows[3].body = "LINE\n\nAFTER A BLANK LINE\n\n\nTWO BLANK LINES\n"
    lf = csv_file(rows)
    variants = {"lf": lf, "crlf": lf.replace(b"\n", b"\r\n"), "doubled": lf.replace(b"\n", b"\r\n\r\n"),
                "doubled-lf": lf.replace(b"\n", b"\n\n")}
    texts = {}
    for name, data in variants.items():
        _, items = read_bytes_as_csv(tmp_path, data, f"{name}.csv")
        recs, quar = split(items)
        assert not quar, name
        texts[name] = [(r.metadata.reference_id, r.header, r.body) for r in recs]
        assert (NOTE_DOUBLED in recs[0].metadata.notes) is name.startswith("doubled")
    assert texts["crlf"] == texts["lf"] == texts["doubled"] == texts["doubled-lf"]
    assert texts["lf"][3][2] == rows[3].body


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda b: b[: len(b) // 2], "field 8 (body) has no closing quote before the next record"),
        (lambda b: b.replace(b'","Embassy', b'",Embassy', 1), "field 4 does not start with a quote"),
        (lambda b: b.rsplit(b',"', 1)[0], "wrong field count: 7"),
        (lambda b: b + b',"extra"', "wrong field count: 9"),
        (lambda b: b.replace(b"/", b"-", 1), "bad date"),
        (lambda b: b.replace(b'\\"NO\\"', b'"NO"'), "an unescaped quote"),
        (lambda b: b[:-1] + b'"junk', "unexpected bytes"),
    ],
)
def test_generated_damaged_record_is_quarantined_and_reading_resumes(tmp_path: Path, damage, reason: str) -> None:
    rng = random.Random(1)
    rows = [random_row(rng, i, 30) for i in range(1, 4)]
    bad = damage(rows[1].encode())
    data = b"\n" + rows[0].encode() + b"\n" + bad + b"\n" + rows[2].encode()
    path, items = read_bytes_as_csv(tmp_path, data)
    recs, quar = split(items)
    assert [r.metadata.sequence for r in recs] == [1, 3]
    assert len(quar) == 1 and reason in quar[0].reason, quar[0].reason
    assert quar[0].provenance.offset == data.index(bad)
    assert_exact_provenance(path, items)
    assert_covers_nonblank(data, items)


def test_generated_damaged_record_start_joins_the_stretch_before_it(tmp_path: Path) -> None:
    """Without its start pattern a row cannot be told from the one before: both go to
    quarantine as one stretch, and reading resumes at the next intact start."""
    rng = random.Random(6)
    rows = [random_row(rng, i, 20) for i in range(1, 4)]
    bad = rows[1].encode().replace(b'","', b'",', 1)
    data = b"\n" + rows[0].encode() + b"\n" + bad + b"\n" + rows[2].encode()
    path, items = read_bytes_as_csv(tmp_path, data)
    recs, quar = split(items)
    assert [r.metadata.sequence for r in recs] == [3]
    assert len(quar) == 1 and quar[0].raw == rows[0].encode() + b"\n" + bad
    assert "unexpected bytes" in quar[0].reason
    assert_covers_nonblank(data, items)


def test_generated_junk_lines_between_records(tmp_path: Path) -> None:
    rng = random.Random(2)
    rows = [random_row(rng, i, 20) for i in range(1, 4)]
    data = b"\xef\xbb\xbf junk at the top\n" + rows[0].encode() + b"\n\nSTRAY LINE\n" + rows[1].encode() + b"\n   \n" + rows[2].encode() + b"\ntrailing"
    path, items = read_bytes_as_csv(tmp_path, data)
    recs, quar = split(items)
    # Junk after a record (before the next start) makes that stretch unsafe: quarantined whole.
    assert [r.metadata.sequence for r in recs] == [2]
    assert len(quar) == 3
    assert "before the first record" in quar[0].reason and quar[0].provenance.offset == 0
    assert all("unexpected bytes" in q.reason for q in quar[1:])
    assert_covers_nonblank(data, items)
    assert_exact_provenance(path, items)


def test_empty_and_blank_files(tmp_path: Path) -> None:
    assert read_bytes_as_csv(tmp_path, b"", "empty.csv")[1] == []
    assert read_bytes_as_csv(tmp_path, b"\n \r\n\t", "blank.csv")[1] == []


def test_huge_record_and_chunk_edges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cables_csv, "CHUNK_SIZE", 4096)  # many chunk edges, also inside record starts
    rng = random.Random(3)
    rows = [random_row(rng, i, rng.randint(1, 300)) for i in range(1, 60)]
    rows[10].body = "X" * 3_000_000 + ' \\ "Q" \n'  # spans hundreds of chunks
    data = csv_file(rows)
    path, items = read_bytes_as_csv(tmp_path, data)
    recs, quar = split(items)
    assert not quar and [r.metadata.sequence for r in recs] == list(range(1, 60))
    assert recs[10].body == rows[10].body
    assert [r.body for r in recs] == [r.body for r in rows]
    assert_exact_provenance(path, items)


def test_no_record_start_for_too_long_is_quarantined_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cables_csv, "CHUNK_SIZE", 1024)
    monkeypatch.setattr(cables_csv, "MAX_RECORD_BYTES", 8192)
    rng = random.Random(4)
    tail = random_row(rng, 2, 10).encode()
    data = b"A" * 50_000 + b"\n" + tail
    path, items = read_bytes_as_csv(tmp_path, data)
    recs, quar = split(items)
    assert [r.metadata.sequence for r in recs] == [2]
    assert len(quar) > 3 and all(len(q.raw) <= 8192 + 2048 for q in quar)
    assert "no record start within" in quar[0].reason
    assert_covers_nonblank(data, items)
    assert_exact_provenance(path, items)


def test_invalid_utf8_is_kept_as_cp1252(tmp_path: Path) -> None:
    row = CsvRow(1, "1/2/2003 4:05", "03X1", body="CHARG\x00 D'AFFAIRES\n")
    data = b"\n" + row.encode().replace(b"\x00", b"\xe9")  # a lone latin-1 e-acute
    _, items = read_bytes_as_csv(tmp_path, data)
    recs, quar = split(items)
    assert not quar
    assert recs[0].body == "CHARG\u00e9 D'AFFAIRES\n"
    assert any("cp1252" in n for n in recs[0].metadata.notes)


def test_unreadable_file(tmp_path: Path) -> None:
    items = list(cables_csv.read(tmp_path / "missing.csv"))
    assert len(items) == 1 and isinstance(items[0], Quarantined)
    assert items[0].reason.startswith("cannot read file") and items[0].raw == b""
