"""Per-cable PDFs: the text layer; one record per file.

``raw`` is the PDF's bytes; the body is the text of every page joined by line breaks.
pypdf opens the file; the release's typewriter pages are read by ``pdf_text`` (fast),
any other page by pypdf's text extractor.
A PDF without a text layer (a scan) or one pypdf cannot open is quarantined with the
reason: there is no OCR here.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterator

from ..model import FORMAT_PDF, Quarantined, RawRecord
from ._base import normalise_newlines, quarantined, read_file
from .cable_text import text_record
from .pdf_text import page_text


def read(path: str | Path, *, start_offset: int = 0) -> Iterator[RawRecord | Quarantined]:
    """Yield the PDF's one record.  It is at offset 0, so ``start_offset`` > 0 means it
    was already read."""
    if start_offset > 0:
        return
    p = Path(path)
    data = read_file(p, FORMAT_PDF)
    if isinstance(data, Quarantined):
        yield data
        return
    yield record_from_pdf(data, p)


def record_from_pdf(data: bytes, path: Path) -> RawRecord | Quarantined:
    if b"%PDF-" not in data[:1024]:
        return quarantined(FORMAT_PDF, path, data, "not a PDF: no %PDF- header in the first 1024 bytes")
    try:
        text, pages = _text_layer(data)
    except _Encrypted:
        return quarantined(FORMAT_PDF, path, data, "encrypted PDF: it does not open without a password")
    except Exception as exc:  # pypdf raises many kinds on broken files; all mean "broken"
        return quarantined(FORMAT_PDF, path, data, f"broken PDF: {type(exc).__name__}: {exc}"[:500])
    if not text.strip():
        return quarantined(
            FORMAT_PDF,
            path,
            data,
            f"the PDF has no text layer ({pages} page(s) without extractable text: a scan?); no OCR here",
        )
    return text_record(normalise_newlines(text), data, path, FORMAT_PDF, [])


class _Encrypted(Exception):
    pass


def _text_layer(data: bytes) -> tuple[str, int]:
    from pypdf import PdfReader  # imported here: only PDF imports pay for it

    reader = PdfReader(io.BytesIO(data), strict=False)
    # Many "protected" PDFs open with the empty password.
    if reader.is_encrypted and not reader.decrypt(""):
        raise _Encrypted
    texts = [_page_text(page) for page in reader.pages]
    return "\n".join(t.rstrip("\n") for t in texts), len(texts)


def _page_text(page: Any) -> str:
    """The release's typewriter pages read from their operators (pdf_text: ~25x faster than
    pypdf's extractor, and lines stay whole); any other page through pypdf."""
    try:
        text = page_text(page)
    except Exception:  # a page this reader does not understand: pypdf decides
        text = None
    if text is None:
        text = page.extract_text() or ""
    return text
