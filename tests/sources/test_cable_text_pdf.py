"""Plain cable text and per-cable PDFs: one record per file."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import shared_path

from cablemirror.model import FORMAT_PDF, FORMAT_TEXT, Quarantined, RawRecord, sha256_hex
from cablemirror.sources import cable_pdf, cable_text
from cablemirror.sources.cable_text import NOTE_ID_FROM_NAME


@pytest.mark.corpus
def test_real_text_extracts() -> None:
    files = sorted(shared_path("corpus", "cable-text").glob("*.txt"))
    assert len(files) == 12
    for path in files:
        (rec,) = cable_text.read(path)
        assert isinstance(rec, RawRecord), path.name
        data = path.read_bytes()
        assert rec.raw == data and rec.provenance.sha256 == sha256_hex(data)
        assert rec.provenance.format == FORMAT_TEXT and rec.provenance.length == len(data)
        assert rec.metadata.reference_id == path.stem and NOTE_ID_FROM_NAME in rec.metadata.notes
        assert "\r" not in rec.body and rec.header is None
        # Latin-1 extracts: 0xB6 is the pilcrow, kept; the text is the file's, line for line.
        assert rec.body.count("\u00b6") == data.count(b"\xb6")
        assert rec.body == data.decode("latin-1").replace("\r\n", "\n")
        assert rec.body.count("\n") == data.count(b"\n")


@pytest.mark.corpus
def test_real_pdfs() -> None:
    files = sorted(shared_path("corpus", "cable-pdf").glob("*.pdf"))
    assert len(files) == 14
    partial = 0
    for path in files:
        (rec,) = cable_pdf.read(path)
        assert isinstance(rec, RawRecord), getattr(rec, "reason", "")
        assert rec.raw == path.read_bytes() and rec.provenance.format == FORMAT_PDF
        assert rec.provenance.sha256 == sha256_hex(rec.raw)
        assert rec.metadata.reference_id == path.stem
        assert rec.body.strip() and "partial extract" not in rec.body[:200]
        partial += rec.partial_notice
        # The body holds the cable's station: the text layer was read.
        station = path.stem.lstrip("0123456789").rstrip("0123456789")
        assert station in rec.body.replace(" ", "")
    assert partial == 1  # 00HANOI686 opens with the release's notice


def test_utf8_text_crlf_and_partial(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_bytes(
        "This record is a partial extract of the original cable. The full text is not available.\r\n"
        "UNCLAS SECTION 01 OF 02 TESTVILLE 000001\r\nCHARG\u00c9 D'AFFAIRES \u00b61. TEXT\r\n".encode()
    )
    (rec,) = cable_text.read(p)
    assert rec.partial_notice and rec.metadata.reference_id is None and rec.metadata.notes == []
    assert rec.body == "UNCLAS SECTION 01 OF 02 TESTVILLE 000001\nCHARG\u00c9 D'AFFAIRES \u00b61. TEXT\n"


@pytest.mark.parametrize(
    "data, reason",
    [(b"", "empty file"), (b"  \r\n", "empty file"), (b"ab\x00cd" * 10, "NUL bytes"), (bytes(range(1, 9)) * 50, "control bytes")],
)
def test_bad_text(tmp_path: Path, data: bytes, reason: str) -> None:
    p = tmp_path / "x.txt"
    p.write_bytes(data)
    (item,) = cable_text.read(p)
    assert isinstance(item, Quarantined) and reason in item.reason and item.raw == data


def _pdf(text: str | None) -> bytes:
    """A one-page PDF, with text or without a text layer (GENERATED with fpdf2)."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    if text is not None:
        doc.set_font("helvetica", size=10)
        doc.multi_cell(0, 5, text)
    else:
        doc.rect(10, 10, 50, 50)  # drawing only: no text layer
    return bytes(doc.output())


def test_generated_pdfs(tmp_path: Path) -> None:
    ok = tmp_path / "09TESTVILLE5.pdf"
    ok.write_bytes(_pdf("UNCLAS TESTVILLE 000005\nSUBJECT: GENERATED\n1. (U) TEXT."))
    (rec,) = cable_pdf.read(ok)
    assert isinstance(rec, RawRecord) and "SUBJECT: GENERATED" in rec.body
    assert rec.metadata.reference_id == "09TESTVILLE5"

    blank = tmp_path / "scan.pdf"
    blank.write_bytes(_pdf(None))
    (item,) = cable_pdf.read(blank)
    assert isinstance(item, Quarantined) and "no text layer" in item.reason

    data = _pdf("SOME TEXT")
    for name, broken, reason in [
        ("cut.pdf", data[: len(data) // 3], "broken PDF"),
        ("junk.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 100, "broken PDF"),
        ("notpdf.pdf", b"hello", "not a PDF"),
    ]:
        p = tmp_path / name
        p.write_bytes(broken)
        (item,) = cable_pdf.read(p)
        # A cut PDF may still yield its text (pypdf repairs what it can); never an exception.
        if isinstance(item, Quarantined):
            assert reason in item.reason and item.raw == broken
        else:
            assert name == "cut.pdf"


def test_one_record_files_ignore_a_positive_start_offset(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"UNCLAS\nTAGS: PREL\n")
    assert list(cable_text.read(p, start_offset=3)) == []
    assert list(cable_pdf.read(p, start_offset=3)) == []
    (item,) = cable_text.read(tmp_path / "missing.txt")
    assert isinstance(item, Quarantined) and "cannot read file" in item.reason
