"""Which reader a file needs, from its first bytes (and its name as a tie-breaker).

In order: PDF (``%PDF-``), a page of the official release (``<table class='cable'>``),
``cables.csv`` (a line starting ``"<digits>","<M/D/YYYY H:MM>",``), a scraped mirror
page (date-time, origin and "title:" lines at the top), plain cable text (cable
markers: routing lines, spaced classification, ``E.O. 12958``, ``TAGS:``,
``SUBJECT:`` ...).  Anything else is unrecognised: ``detect_format`` says None and
``sniff`` says why.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import FORMAT_CSV, FORMAT_HTML, FORMAT_MIRROR, FORMAT_PDF, FORMAT_TEXT, FORMAT_WARLOG
from ._base import decode_whole, looks_binary, normalise_newlines
from .mirror_page import parse_layout
from .warlog_csv import looks_like_warlog

SNIFF_BYTES = 256 * 1024  # the release's pages have their table within ~190 KB
WHOLE_HTML_LIMIT = 16 << 20  # how far past the sample an HTML page is searched for the table

_HTML_START = re.compile(rb"\s*(?:<\?xml|<!doctype\s+html|<html|<head|<body|<table|<div|<!--)", re.I)
_CABLE_TABLE = re.compile(rb"<table\s+class\s*=\s*[\"']cable[\"']", re.I)
# A cables.csv record start at the start of a line.  Not only at the top: the real file
# opens with a line holding a single '"', and a piece of a split file starts mid-record.
_CSV_RECORD = re.compile(rb'(?:^|\n)"[0-9]+","[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}","')

# Cable text markers, by kind; text needs two kinds (one when named *.txt).
_MARKERS = {
    "routing": re.compile(r"^(?:VZCZC|[A-Z]{1,2} \d{6}Z [A-Z]{3} \d{2}|FM [A-Z]|TO [A-Z])", re.M),
    "classification": re.compile(
        r"C O N F I D E N T I A L|S E C R E T|U N C L A S|\bUNCLAS\b|\bUNCLASSIFIED\b|\bCONFIDENTIAL\b|\bSECRET\b"
    ),
    "eo": re.compile(r"\bE\.?\s?O\.?\s+1[23]\d{3}\b"),
    "tags": re.compile(r"^\s*TAGS\b\s*:?", re.M),
    "subject": re.compile(r"^\s*SUBJ(?:ECT)?\s*:", re.M),
}


def detect_format(path: Path) -> str | None:
    """The format name of the file, or None when no reader claims it.

    Raises OSError when the file cannot be read (``read_path`` turns that into a
    quarantined item naming the error).
    """
    return sniff(Path(path))[0]


def sniff(path: Path) -> tuple[str | None, str]:
    """(format or None, a short description of what was seen)."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
        # An HTML page whose table lies beyond the sample: look at all of it.
        if len(head) == SNIFF_BYTES and _HTML_START.match(head) and not _CABLE_TABLE.search(head):
            head += f.read(WHOLE_HTML_LIMIT)
    return sniff_bytes(head, path)


def sniff_bytes(head: bytes, path: Path) -> tuple[str | None, str]:
    """Like ``sniff``, on the file's first bytes (``path`` only lends its suffix)."""
    if not head.strip():
        return None, "empty file" if not head else "blank file (only whitespace)"
    suffix = path.suffix.lower()

    if b"%PDF-" in head[:1024]:
        return FORMAT_PDF, "PDF header"
    if _HTML_START.match(head) or suffix in (".html", ".htm"):
        if _CABLE_TABLE.search(head):
            return FORMAT_HTML, "page of the release (table class='cable')"
        if _HTML_START.match(head):
            return None, "an HTML page without the release's <table class='cable'>"
    if _CSV_RECORD.search(head[3:] if head.startswith(b"\xef\xbb\xbf") else head):
        return FORMAT_CSV, "cables.csv records"
    # Before the binary check: a hostile war-log file may hold a row with NUL bytes.
    variant = looks_like_warlog(head, complete=len(head) < SNIFF_BYTES)
    if variant is not None:
        return FORMAT_WARLOG, f"war-log CSV (variant {variant})"
    why = looks_binary(head)
    if why:
        if suffix == ".pdf":  # a damaged PDF: its reader says what is wrong
            return FORMAT_PDF, "named .pdf"
        return None, why
    text = normalise_newlines(decode_whole(head)[0])
    if not isinstance(parse_layout(text[:8192]), str):
        return FORMAT_MIRROR, "mirror page (date-time, origin, title lines)"
    kinds = [kind for kind, rx in _MARKERS.items() if rx.search(text[:16384])]
    if len(kinds) >= 2 or (kinds and suffix == ".txt"):
        return FORMAT_TEXT, "cable text (" + ", ".join(kinds) + ")"
    if suffix == ".pdf":
        return FORMAT_PDF, "named .pdf"
    return None, "text without cable markers (routing lines, classification, E.O., TAGS, SUBJECT)"

