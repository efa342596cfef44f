"""War-log CSV files: the Afghan War Diary (2010) and the Iraq War Logs.

Three variants, told apart from the file's first bytes (``looks_like_warlog``):

- ``"32"``: ``afg-war-diary.csv`` as released: no header row, 32 columns in the
  documented order (``cablemirror.warlogs.model.COLUMNS``);
- ``"34"``: a copy that circulated with a header row, two more columns and
  ``<null value>`` written for empty values.  Its columns are read by header name, so
  any order works; cablemirror takes the two extra columns to be ``ID`` (the row
  number of the database it was exported from) and ``TotalCasualties`` (a derived sum)
  and keeps them, like any column it does not know, as extra fields;
- ``"iraq"``: the Iraq War Logs CSV, a header row and the same family of columns,
  read by header name (unknown columns kept as extra fields).  A header file is taken
  for the Iraq logs when its first rows name Iraqi divisions (``MND-``, ``MNF-``) or
  carry grid references in Iraq's UTM zones.

The format is standard CSV (RFC 4180): fields separated by commas, optionally
enclosed in double quotes, a quote inside a quoted field written twice; quoted fields
may span lines; rows end with LF, CRLF or a lone CR.  A UTF-8 byte-order mark at the
start of the file is skipped (the first row then starts at byte 3).

The reader streams: it holds one chunk plus the row being read.  Each row is parsed
strictly; a row that is not exactly one well-formed row of the expected width (a
wrong column count, a quote where none may be, an unclosed quote, a NUL byte) is
quarantined with the reason, together with any bytes up to the next line that starts
like a row (a GUID report key in the key column), and reading goes on there.  So a
damaged row never passes as a shorter, wrong one, and no byte is dropped.  Field text
is UTF-8; invalid sequences are decoded one by one as cp1252 and noted.

Each row becomes a ``WarlogRawRecord``: the exact raw bytes (without the line break)
with provenance, and ``fields``, a dict of column name -> text (None where the file
says ``<null value>``).  Columns the model knows are keyed by their documented name
(``ReportKey`` ...); others by their header name as written.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterator

from ..model import FORMAT_WARLOG, Quarantined, RawRecord, ReleaseMetadata
from ..warlogs.model import COLLECTION, COLUMNS
from ._base import BLANK, decode_mixed, provenance, quarantined

__all__ = [
    "VARIANTS",
    "NULL_MARKER",
    "WarlogRawRecord",
    "canonical_column",
    "looks_like_warlog",
    "read",
]

VARIANTS = ("32", "34", "iraq")
NULL_MARKER = "<null value>"
BOM = b"\xef\xbb\xbf"

CHUNK_SIZE = 4 << 20
# A row longer than this without an end is quarantined in pieces, so memory stays
# bounded whatever the input (real summaries are a few KB).
MAX_ROW_BYTES = 16 << 20
SNIFF_BYTES = 64 * 1024

# Notes carried to the parser (each "kind: explanation"; Report.problems shows them).
NOTE_CP1252 = "cp1252-bytes: invalid UTF-8 byte sequences decoded one by one as cp1252/latin-1"
NOTE_ROW_BOM = "bom-in-row: a UTF-8 byte-order mark starts this row (files joined together?); skipped"

_GUID = rb"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
# A headerless row's start: the key, then a date (the first two columns).
_ROW32 = re.compile(rb'(?:^|[\r\n])(?:\xef\xbb\xbf)?"?' + _GUID + rb'"?,"?[0-9]{1,4}[-/][0-9]{1,2}[-/][0-9]{1,4}')
_ONE_LINE_FIELD = rb'(?:"(?:[^"\r\n]|"")*"|[^,"\r\n]*)'
_UNQUOTED = re.compile(rb'[^,"\r\n]*')
# A whole row on one line, strictly RFC 4180 (possessive: no backtracking).
_ONE_FIELD_STRICT = rb'(?:"(?:[^"\r\n]++|"")*+"|[^,"\r\n]*+)'
# The csv module's default (process-wide) field limit; longer lines take the byte path.
_CSV_FIELD_LIMIT = 131072
_ONE_LINE_ROW = re.compile(_ONE_FIELD_STRICT + rb"(?:," + _ONE_FIELD_STRICT + rb")*+")
_BLANK_LINES = re.compile(rb"(?:[ \t]*(?:\r\n|\n|\r))*")
_LINE_BREAK = re.compile(rb"[\r\n]")
_IRAQ_HINT = re.compile(rb"\bMN[DF]-[A-Z]|\b3[789][RS][A-HJ-NP-Z][A-HJ-NP-V][0-9]{2}")
_DATE = re.compile(r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})\s*")

# Header names as files write them -> the documented column.  Names are compared in
# lower case without spaces, underscores or punctuation.
_ALIASES = {
    "key": "ReportKey", "reportid": "ReportKey", "guid": "ReportKey",
    "date": "DateOccurred", "dateoccured": "DateOccurred", "datetime": "DateOccurred",
    "eventtype": "Type", "reporttype": "Type",
    "lat": "Latitude", "lon": "Longitude", "long": "Longitude", "lng": "Longitude",
    "dcolour": "DColor", "classif": "Classification",
}  # fmt: skip


def _norm_name(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


_CANONICAL = {_norm_name(c): c for c in COLUMNS} | _ALIASES


def canonical_column(name: str) -> str | None:
    """The documented column a header name stands for (``"date occured"`` ->
    ``"DateOccurred"``), or None for a column the model does not know."""
    return _CANONICAL.get(_norm_name(name))


@dataclass(slots=True)
class WarlogRawRecord(RawRecord):
    """A war-log row as the file holds it: ``fields`` maps column name -> text.

    ``metadata.reference_id`` is the ReportKey as written, ``metadata.created`` the
    date when it is in the documented form, ``body`` the Summary; ``metadata.notes``
    holds what the reader noticed ("kind: explanation").
    """

    fields: dict[str, str | None] = field(default_factory=dict)
    variant: str = "32"


# --------------------------------------------------------------------------- detection


@dataclass(frozen=True, slots=True)
class _Layout:
    variant: str
    names: tuple[str, ...]  # per column: the documented name, or the header name as written
    key_index: int
    header_end: int  # file offset just after the header line (0 without a header)
    header_raw: tuple[str, ...] = ()  # the header's names as written (to spot repeats)


def _first_line(data: bytes, start: int) -> tuple[int, int]:
    """(start, end) of the first non-blank line at or after ``start`` (end excludes the break)."""
    s = _BLANK_LINES.match(data, start).end()
    m = _LINE_BREAK.search(data, s)
    return s, (m.start() if m else len(data))


def _header_layout(head: bytes) -> _Layout | str:
    """The layout of a file whose first line is a header row, or why it is not one."""
    start = 3 if head.startswith(BOM) else 0
    s, e = _first_line(head, start)
    line = head[s:e]
    if not line:
        return "empty file"
    try:
        parsed = _split_row(line, 0, len(line), True)
    except _Broken:  # e.g. the first row of a headerless file, its summary spanning lines
        parsed = None
    if parsed is None:
        return "the first line is not a CSV row"
    fields, _end = parsed
    raw_names = [f.decode("utf-8", "replace").strip() for f in fields]
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_names):
        name = canonical_column(raw) or raw or f"column {i + 1}"
        if name in seen:  # a repeated column is kept, under a numbered name
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    if "ReportKey" not in names or "DateOccurred" not in names:
        return "the first line names no ReportKey and DateOccurred columns"
    # Every other header file is read like the 34-column copy: by name.
    variant = "iraq" if _IRAQ_HINT.search(head, e) else "34"
    line_end = e + (2 if head[e : e + 2] == b"\r\n" else 1 if e < len(head) else 0)
    return _Layout(variant, tuple(names), names.index("ReportKey"), line_end, tuple(raw_names))


def _detect(head: bytes, complete: bool = False) -> _Layout | str:
    header = _header_layout(head)
    if isinstance(header, _Layout):
        return header
    # Headerless: a line starting like a row, and a whole row 32 columns wide (the first
    # rows may be damaged: a few are tried).  A row running past the sample counts only
    # when the sample is full (one long row can fill it).
    cut = False
    for i, m in enumerate(_ROW32.finditer(head)):
        if i == 20:
            break
        start = m.start() + (1 if head[m.start()] in (0x0A, 0x0D) else 0)
        start += 3 if head.startswith(BOM, start) else 0
        try:
            got = _split_row(head, start, len(head), complete)
        except _Broken:
            continue
        if got is None:
            cut = True
        elif len(got[0]) == len(COLUMNS):
            return _Layout("32", COLUMNS, 0, 0)
    if cut and len(head) >= SNIFF_BYTES:
        return _Layout("32", COLUMNS, 0, 0)
    return f"not a war-log CSV: {header}, and no line starts with a GUID report key and a date"


def looks_like_warlog(head: bytes, *, complete: bool = False) -> str | None:
    """The war-log variant (``"32"``, ``"34"``, ``"iraq"``) of a file starting with
    ``head`` (its first 64 KiB or so), or None.  ``complete``: head is the whole file
    (so a last row without a line break is whole, not cut)."""
    found = _detect(head, complete)
    return found.variant if isinstance(found, _Layout) else None


def _forced_layout(head: bytes, variant: str) -> _Layout | str:
    if variant not in VARIANTS:
        raise ValueError(f"unknown war-log variant {variant!r}; known: {', '.join(VARIANTS)}")
    if variant == "32":
        return _Layout("32", COLUMNS, 0, 0)
    found = _header_layout(head)
    if isinstance(found, str):
        return f"no usable header row for variant {variant}: {found}"
    return _Layout(variant, found.names, found.key_index, found.header_end, found.header_raw)


# --------------------------------------------------------------------------- row splitting


class _Broken(Exception):
    """The bytes at a row start are not one well-formed CSV row."""


def _split_row(buf: bytes, p: int, n: int, at_eof: bool) -> tuple[list[bytes], int] | None:
    """The raw fields of the row at buf[p:n] and the offset of its end (its line break,
    or n), None when more bytes are needed; raises _Broken with the reason."""
    start = p
    fields: list[bytes] = []
    while True:
        k = len(fields) + 1
        if p < n and buf[p] == 0x22:
            q = p + 1
            while True:
                q = buf.find(b'"', q, n)
                if q < 0:
                    if at_eof:
                        raise _Broken(f"broken quoting: field {k} opens a quote that never closes (cut-off file?)")
                    return None
                if q + 1 < n and buf[q + 1] == 0x22:
                    q += 2
                    continue
                if q + 1 >= n and not at_eof:
                    return None  # cannot tell a closing quote from a doubled one yet
                break
            value = buf[p + 1 : q]
            fields.append(value.replace(b'""', b'"') if b'""' in value else value)
            p = q + 1
            if p < n and buf[p] not in (0x2C, 0x0A, 0x0D):
                raise _Broken(
                    f"broken quoting: field {k} closes its quote at byte {q - start} of the row and "
                    f"{buf[p:p + 12]!r} follows (an undoubled quote inside the field?)"
                )
        else:
            m = _UNQUOTED.match(buf, p, n)
            fields.append(buf[p : m.end()])
            p = m.end()
            if p < n and buf[p] == 0x22:
                raise _Broken(f"broken quoting: a quote inside unquoted field {k} at byte {p - start} of the row")
        if p >= n:
            return (fields, p) if at_eof else None
        if buf[p] == 0x2C:
            p += 1
            continue
        return fields, p  # a line break ends the row


def _decode_fields(raw_fields: list[bytes]) -> tuple[list[str], bool]:
    """The fields' text (line breaks as LF) and whether any needed the cp1252 fallback."""
    out = []
    fallback = False
    for value in raw_fields:
        if b"\r" in value:
            value = value.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        text, fb = decode_mixed(value)
        out.append(text)
        fallback = fallback or fb
    return out, fallback


def _resync_pattern(key_index: int) -> re.Pattern[bytes]:
    """A line that starts like a row: ``key_index`` one-line fields, then a GUID key."""
    before = (_ONE_LINE_FIELD + b",") * key_index
    return re.compile(rb"(?<=[\r\n])(?:\xef\xbb\xbf)?" + before + rb'"?' + _GUID + rb'"?,')


# --------------------------------------------------------------------------- reading


def read(path: str | Path, *, start_offset: int = 0, variant: str | None = None) -> Iterator[RawRecord | Quarantined]:
    """Yield every row of a war-log CSV from ``start_offset`` (a row start, or the end
    of the previous row) in file order: ``WarlogRawRecord`` or ``Quarantined``.

    ``variant`` forces a layout (``"32"``, ``"34"``, ``"iraq"``) instead of detecting it.
    """
    p = Path(path)
    if start_offset < 0:
        raise ValueError(f"start_offset must be >= 0, not {start_offset}")
    try:
        f = open(p, "rb")
    except (OSError, ValueError) as exc:
        yield _q(p, b"", f"cannot read file: {exc}")
        return
    with f:
        try:
            head = f.read(SNIFF_BYTES)
            complete = len(head) < SNIFF_BYTES
            layout = _detect(head, complete) if variant is None else _forced_layout(head, variant)
            if isinstance(layout, str):
                if start_offset == 0:
                    yield from _unrecognised(f, p, layout)
                return
            begin = max(start_offset, layout.header_end, 3 if head.startswith(BOM) else 0)
            line = _line_at(f, begin)
            f.seek(begin)
            yield from _Scanner(f, p, begin, line, layout).records()
        except OSError as exc:  # an I/O error in mid-file: say where
            yield _q(p, b"", f"I/O error while reading: {exc}", offset=_safe_tell(f))


def _q(path: Path, raw: bytes, reason: str, *, offset: int = 0, line: int = 1) -> Quarantined:
    item = quarantined(FORMAT_WARLOG, path, raw, reason, offset=offset, line=line)
    item.collection = COLLECTION
    return item


def _unrecognised(f: BinaryIO, path: Path, why: str) -> Iterator[Quarantined]:
    """The whole file, quarantined in bounded pieces."""
    f.seek(0)
    offset, line = 0, 1
    while True:
        piece = f.read(MAX_ROW_BYTES)
        if not piece:
            if offset == 0:
                yield _q(path, b"", f"{why} (empty file)")
            return
        yield _q(path, piece, why, offset=offset, line=line)
        offset += len(piece)
        line += piece.count(b"\n")


def _safe_tell(f: BinaryIO) -> int:
    try:
        return f.tell()
    except (OSError, ValueError):
        return 0


def _line_at(f: BinaryIO, offset: int) -> int:
    f.seek(0)
    line, left = 1, offset
    while left > 0:
        block = f.read(min(CHUNK_SIZE, left))
        if not block:
            break
        line += block.count(b"\n")
        left -= len(block)
    return line


class _Scanner:
    """The chunked byte scanner: a growing buffer, its file offset and line number."""

    def __init__(self, f: BinaryIO, path: Path, offset: int, line: int, layout: _Layout) -> None:
        self.f = f
        self.path = path
        self.layout = layout
        self.width = len(layout.names)
        self.resync = _resync_pattern(layout.key_index)
        header = layout.header_raw if layout.header_raw else layout.names
        self.header_row = [h.lower() for h in header]
        self.buf = b""
        self.base = offset  # file offset of buf[0]
        self.eof = False
        self.line = line  # line number of buf[line_pos]
        self.line_pos = 0

    def _fill(self) -> None:
        chunk = self.f.read(CHUNK_SIZE)
        if chunk:
            self.buf += chunk
        else:
            self.eof = True

    def _drop(self, pos: int) -> None:
        self._line_of(pos)
        self.buf = self.buf[pos:]
        self.base += pos
        self.line_pos -= pos

    def _line_of(self, pos: int) -> int:
        self.line += self.buf.count(b"\n", self.line_pos, pos)
        self.line_pos = pos
        return self.line

    def _skip_blank(self, pos: int) -> int:
        while True:
            while len(self.buf) - pos < 64 and not self.eof:
                self._fill()
            end = _BLANK_LINES.match(self.buf, pos).end()
            if end == pos:
                break
            pos = end
        if self.eof and not self.buf[pos:].strip(b" \t"):
            return len(self.buf)  # only spaces left
        return pos

    def records(self) -> Iterator[RawRecord | Quarantined]:
        pos = 0
        while True:
            if pos > CHUNK_SIZE:
                self._drop(pos)
                pos = 0
            pos = self._skip_blank(pos)
            if pos >= len(self.buf):
                return
            body = pos + 3 if self.buf.startswith(BOM, pos) else pos
            reason: str | None
            try:
                split = self._split(body)
            except _Broken as exc:
                split, reason = None, str(exc)
            else:
                reason = f"broken quoting: no row end within {MAX_ROW_BYTES >> 20} MiB (an unclosed quote?)"
            if split is None:
                item, pos = self._quarantine_to_next(pos, pos + 1, reason)
            else:
                texts, end, fallback = split
                reason = self._check(texts, pos, end)
                if reason is None:
                    yield self._record(pos, body, end, texts, fallback)
                    pos = end
                    continue
                # A well-formed row of the wrong shape: its own bytes, and any up to the next row.
                item, pos = self._quarantine_to_next(pos, end, reason)
            if item is not None:
                yield item

    def _split(self, pos: int) -> tuple[list[str], int, bool] | None:
        """The decoded fields of the row at ``pos``, where it ends, and whether the
        cp1252 fallback was needed; None past MAX_ROW_BYTES; raises _Broken."""
        while True:
            buf = self.buf
            nl = buf.find(b"\n", pos)
            if nl >= 0 or self.eof:
                # Fast path: a one-line row, checked strictly by one regex, split by csv (C).
                stop = nl if nl >= 0 else len(buf)
                if stop > pos and buf[stop - 1] == 0x0D:
                    stop -= 1
                if (
                    stop - pos < _CSV_FIELD_LIMIT
                    and _ONE_LINE_ROW.fullmatch(buf, pos, stop)
                    and buf.find(b"\x00", pos, stop) < 0
                ):
                    text, fallback = decode_mixed(buf[pos:stop])
                    try:
                        return next(csv.reader((text,))), stop, fallback
                    except csv.Error:  # cannot happen for a line the regex accepted; be safe
                        pass
                got = _split_row(buf, pos, len(buf), self.eof)
                if got is not None:
                    texts, fallback = _decode_fields(got[0])
                    return texts, got[1], fallback
            if len(buf) - pos > MAX_ROW_BYTES:
                return None
            self._fill()

    def _check(self, texts: list[str], pos: int, end: int) -> str | None:
        """Why a well-formed CSV row is still not a row of this file, or None."""
        nul = self.buf.find(b"\x00", pos, end)
        if nul >= 0:
            return f"binary data: a NUL byte at byte {nul - pos} of the row"
        if len(texts) != self.width:
            return f"wrong column count: {len(texts)} (expected {self.width})"
        header = self.header_row
        if texts[0].strip().lower() == header[0] and [t.strip().lower() for t in texts] == header:
            return "a repeated header row (files joined together?)"
        return None

    def _next_start(self, search_from: int, pos: int) -> int | None:
        """Offset in buf of the next line that starts like a row, after ``search_from``;
        len(buf) at the end of the file; None when none within MAX_ROW_BYTES of ``pos``."""
        while True:
            m = self.resync.search(self.buf, search_from)
            if m is not None:
                return m.start()
            if self.eof:
                return len(self.buf)
            if len(self.buf) - pos > MAX_ROW_BYTES:
                return None
            search_from = max(search_from, len(self.buf) - 4096)  # a row start cut by the chunk edge
            self._fill()

    def _quarantine_to_next(self, pos: int, search_from: int, reason: str) -> tuple[Quarantined | None, int]:
        """buf[pos:] up to the next row start (or a bounded piece), quarantined, and the
        offset in buf where reading goes on."""
        end = self._next_start(search_from, pos)
        if end is None:
            end = pos + MAX_ROW_BYTES
            reason += f" (no row start within {MAX_ROW_BYTES >> 20} MiB: quarantined in pieces)"
        stop = end
        while stop > pos and self.buf[stop - 1] in BLANK:
            stop -= 1
        if stop <= pos:
            return None, end
        raw = self.buf[pos:stop]
        return _q(self.path, raw, reason, offset=self.base + pos, line=self._line_of(pos)), end

    def _record(self, pos: int, body: int, end: int, texts: list[str], fallback: bool) -> WarlogRawRecord:
        notes: list[str] = []
        if body != pos:
            notes.append(NOTE_ROW_BOM)
        if fallback:
            notes.append(NOTE_CP1252)
        fields: dict[str, str | None] = dict(zip(self.layout.names, texts))
        if self.layout.variant != "32":
            for name, text in fields.items():
                if text and text[0] in "< \t" and text.strip().lower() == NULL_MARKER:
                    fields[name] = None
        raw = self.buf[pos:end]
        key = (fields.get("ReportKey") or "").strip() or None
        return WarlogRawRecord(
            raw=raw,
            provenance=provenance(FORMAT_WARLOG, self.path, self.base + pos, raw, self._line_of(pos)),
            metadata=ReleaseMetadata(
                reference_id=key,
                created=_iso_date(fields.get("DateOccurred")),
                classification=(fields.get("Classification") or "").strip() or None,
                notes=notes,
            ),
            header=None,
            body=fields.get("Summary") or "",
            collection=COLLECTION,
            fields=fields,
            variant=self.layout.variant,
        )


def _iso_date(text: str | None) -> str | None:
    """The documented ``YYYY-MM-DD HH:MM:SS`` as ISO 8601, or None (the parser says why)."""
    if not text:
        return None
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    try:
        return datetime(*(int(g) for g in m.groups())).isoformat()
    except ValueError:
        return None
