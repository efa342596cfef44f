"""The typewriter-page reader of the PDF text layer: generated pages and the real PDFs."""

from __future__ import annotations

import io
import zlib

import pytest
from tests.conftest import shared_path

from cablemirror.sources import cable_pdf
from cablemirror.sources.pdf_text import page_text, to_unicode_map

ADVANCE = 7.796875  # Courier at 13 pt, as in the release's PDFs


def _cmap(chars: str) -> bytes:
    """A ToUnicode CMap giving codes 1, 2, ... the characters of ``chars`` (GENERATED)."""
    dest = " ".join(f"<{ord(c):04X}>" for c in chars)
    return (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n1 begincodespacerange\n"
        b"<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n"
        + f"<0001> <{len(chars):04X}> [{dest}]".encode()
        + b"\nendbfrange\n1 beginbfchar\n<0FFF> <00B6>\nendbfchar\nendcmap\n"
    )


def _line(y: int, text: str, codes: dict[str, int], x: float = 8) -> str:
    ops = [f"BT\n/F6 13 Tf 1 0 0 -1 0 0 Tm\n{x:g} {y} Td <{codes[text[0]]:04X}> Tj"]
    ops += [f"{ADVANCE:.8f} 0 Td <{codes[c]:04X}> Tj" for c in text[1:]]
    return "\n".join(ops) + "\nET\n"


def typewriter_pdf(lines: list[str | list[tuple[float, str]]]) -> bytes:
    """A one-page PDF laid out like the release's (GENERATED): a BT block per line, or per
    piece of a line given as [(x, text), ...]."""
    chars = sorted({c for item in lines for piece in ([(8, item)] if isinstance(item, str) else item)
                    for c in piece[1]} - {"\u00b6"})
    codes = {c: i + 1 for i, c in enumerate(chars)} | {"\u00b6": 0x0FFF}
    content = "q\n0.06 0 0 -0.06 28 813 cm\n"
    for k, item in enumerate(lines):
        for x, piece in ([(8, item)] if isinstance(item, str) else item):
            content += _line(-10 - 13 * k, piece, codes, x)
    content += "Q\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F6 5 0 R >> >> >>",
        None,  # content stream
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Courier /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Courier "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 600 >>",
        None,  # ToUnicode stream
    ]
    streams = {4: zlib.compress(content.encode("latin-1")), 7: zlib.compress(_cmap("".join(chars)))}
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        if body is None:
            data = streams[n]
            body = f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode() + data + b"\nendstream"
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _pages(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data), strict=False).pages


def test_to_unicode_map_ranges_and_chars() -> None:
    m = to_unicode_map(_cmap("AB C"))
    assert (m["0001"], m["0002"], m["0003"], m["0004"], m["0FFF"]) == ("A", "B", " ", "C", "\u00b6")
    m = to_unicode_map(b"beginbfrange\n<0010> <0012> <0041>\nendbfrange")
    assert (m["0010"], m["0012"]) == ("A", "C")


def test_typewriter_page_lines_blanks_and_pieces() -> None:
    data = typewriter_pdf([
        "UNCLAS TESTVILLE 000005 ",
        " ",
        [(8, "TAGS: "), (8 + 6 * ADVANCE, "PREL"), (8 + 10 * ADVANCE, " "), (8 + 11 * ADVANCE, "XX")],
        [(8, "\u00b6"), (8 + ADVANCE, "1. (U) TEXT.")],
        [(8 + 3 * ADVANCE, "INDENTED")],
    ])
    (page,) = _pages(data)
    assert page_text(page) == "UNCLAS TESTVILLE 000005 \n \nTAGS: PREL XX\n\u00b61. (U) TEXT.\n   INDENTED"


def test_other_pages_are_left_to_pypdf(tmp_path) -> None:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=12)
    doc.multi_cell(0, 6, "UNCLAS TESTVILLE 000005\nSUBJECT: GENERATED")
    (page,) = _pages(bytes(doc.output()))
    assert page_text(page) is None  # not the release's layout: pypdf reads it
    path = tmp_path / "09TESTVILLE5.pdf"
    path.write_bytes(bytes(doc.output()))
    (rec,) = cable_pdf.read(path)
    assert "SUBJECT: GENERATED" in rec.body


def test_a_generated_typewriter_pdf_is_a_record(tmp_path) -> None:
    path = tmp_path / "09TESTVILLE5.pdf"
    path.write_bytes(typewriter_pdf(["UNCLAS TESTVILLE 000005", "SUBJECT: GENERATED", "1. (U) TEXT."]))
    (rec,) = cable_pdf.read(path)
    assert rec.body == "UNCLAS TESTVILLE 000005\nSUBJECT: GENERATED\n1. (U) TEXT."


@pytest.mark.corpus
@pytest.mark.slow
def test_real_pdfs_read_as_pypdf_reads_them_with_whole_lines() -> None:
    """Every page of the real PDFs is a typewriter page, and its text is pypdf's except
    where pypdf breaks a printed line apart: the TAGS line (one piece per tag) and the
    pilcrow before a paragraph number."""
    files = sorted(shared_path("corpus", "cable-pdf").glob("*.pdf"))
    assert files
    for path in files:
        for page in _pages(path.read_bytes()):
            ours = page_text(page)
            assert ours is not None, path.name
            theirs = (page.extract_text() or "").rstrip("\n").replace("\u00b6\n", "\u00b6")
            ours_lines, their_lines = ours.split("\n"), theirs.split("\n")
            tags = [i for i, line in enumerate(ours_lines) if line.startswith("TAGS:")]
            if tags:  # pypdf: "TAGS: ", "PREL", " ", "XX" on lines of their own
                i = tags[0]
                j = their_lines.index(next(t for t in their_lines if t.startswith("TAGS:")))
                k = j + 1
                while "".join(their_lines[j:k]) != ours_lines[i] and k < len(their_lines):
                    k += 1
                assert "".join(their_lines[j:k]) == ours_lines[i], path.name
                their_lines[j:k] = [ours_lines[i]]
            assert ours_lines == their_lines, path.name
