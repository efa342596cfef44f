"""Text scraped from a page of another cable mirror.

Such a page opens with the site's chrome and the cable's release metadata, one item a
line, then the cable text:

    <navigation line(s)>
    2005-08-18 13:06:00            created date-time
    US Office Almaty               origin
    Cable title: ...               label, maybe with an empty value
    pdf  how-to read a cable       link texts (optional)
    This record is a partial ...   the release's notice (optional)
    <body>

The page is recognised by that structure (a date-time line, then an origin line,
then a "title:" label line, all near the top), not by any site's exact words.  The body
is kept exactly as on the page, damage included: repairing it is the parser's job.
The page names no reference id; the parser derives it from the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

from ..model import FORMAT_MIRROR, Quarantined, RawRecord, ReleaseMetadata
from ._base import (
    PARTIAL_NOTICE_PREFIX,
    decode_whole,
    looks_binary,
    normalise_newlines,
    provenance,
    quarantined,
    read_file,
)

MAX_CHROME_LINES = 15  # the date-time line must be among the first lines
_DATETIME = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*")
_TITLE = re.compile(r"\s*(?:cable\s+)?title\s*:(.*)", re.I | re.S)
_LINK_LINE = re.compile(r"\s*(?:pdf\b|how[\s-]*to\b|read\s+a\s+cable\b)", re.I)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a mirror page's parts are."""

    created: str  # ISO 8601
    origin: str
    title: str
    partial: bool
    body_start: int | None  # character offset of the body in the text; None: no body


def read(path: str | Path, *, start_offset: int = 0) -> Iterator[RawRecord | Quarantined]:
    """Yield the page's one record.  It is at offset 0, so ``start_offset`` > 0 means it
    was already read."""
    if start_offset > 0:
        return
    p = Path(path)
    data = read_file(p, FORMAT_MIRROR)
    if isinstance(data, Quarantined):
        yield data
        return
    yield record_from_bytes(data, p)


def record_from_bytes(data: bytes, path: Path) -> RawRecord | Quarantined:
    if not data.strip():
        return quarantined(FORMAT_MIRROR, path, data, "empty file: no text")
    why = looks_binary(data)
    if why:
        return quarantined(FORMAT_MIRROR, path, data, why)
    text, notes = decode_whole(data)
    text = normalise_newlines(text)
    layout = parse_layout(text)
    if isinstance(layout, str):
        return quarantined(FORMAT_MIRROR, path, data, f"not a mirror page: {layout}")
    if layout.body_start is None:
        return quarantined(FORMAT_MIRROR, path, data, "mirror page without cable text after its header lines")
    if layout.title:
        notes.append(f"the page's cable title: {layout.title}")
    return RawRecord(
        raw=data,
        provenance=provenance(FORMAT_MIRROR, path, 0, data, 1),
        metadata=ReleaseMetadata(created=layout.created, origin=layout.origin, notes=notes),
        header=None,
        body=text[layout.body_start :],
        partial_notice=layout.partial,
    )


def parse_layout(text: str) -> Layout | str:
    """The page's layout, or why the text is not laid out like a mirror page."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    d = next((i for i, line in enumerate(lines[:MAX_CHROME_LINES]) if _DATETIME.fullmatch(line)), None)
    if d is None:
        return f"no date-time line (YYYY-MM-DD HH:MM[:SS]) among the first {MAX_CHROME_LINES} lines"
    created = _iso(_DATETIME.fullmatch(lines[d]))  # type: ignore[arg-type]
    if created is None:
        return f"line {d + 1} is not a valid date-time: {lines[d].strip()!r}"

    o = _next_filled(lines, d + 1)
    if o is None or _TITLE.fullmatch(lines[o]) or len(lines[o].strip()) > 120:
        return f"no origin line after the date-time line {d + 1}"
    t = _next_filled(lines, o + 1)
    title = _TITLE.fullmatch(lines[t]) if t is not None else None
    if title is None:
        return f"no 'title:' line after the origin line {o + 1}"

    partial = False
    k = t + 1
    while k < len(lines):
        line = lines[k]
        stripped = line.strip()
        if not stripped or (_LINK_LINE.match(line) and len(stripped) < 80):
            k += 1
        elif stripped.startswith(PARTIAL_NOTICE_PREFIX) and not partial:
            partial = True
            k += 1
        else:
            break
    return Layout(
        created=created,
        origin=" ".join(lines[o].split()),
        title=" ".join(title.group(1).split()),
        partial=partial,
        body_start=starts[k] if k < len(lines) else None,
    )


def _next_filled(lines: list[str], i: int) -> int | None:
    while i < len(lines) and i < MAX_CHROME_LINES + 8:
        if lines[i].strip():
            return i
        i += 1
    return None


def _iso(m: re.Match[str]) -> str | None:
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s).isoformat()
    except ValueError:
        return None
