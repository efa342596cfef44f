"""``cables.csv``: the full 2011 release as one ~1.7 GB file of 251,287 rows.

Each row is eight double-quoted fields separated by commas, with no header row:
sequence number, ``M/D/YYYY H:MM`` date, reference id, origin, classification,
references joined by ``|``, header, body.  Quotes inside a field are escaped with a
backslash (``\\"``; also ``\\'`` and ``\\\\``), not doubled, so the standard ``csv``
module misreads it.  Fields span many lines; rows are separated by a line break.

The reader streams: it holds one chunk plus the record being read, never the file.
Record boundaries are found with one rule that a well-formed file cannot break: a
record starts where a line starts with ``"<digits>","`` (inside a field a ``"`` is
always escaped, so a quote right after a line break is a field delimiter).  The bytes
from one record start to the next are then parsed strictly; if they are anything but
exactly one eight-field record followed by line breaks, the whole stretch is
quarantined with the reason and reading goes on at the next record start.  So a
damaged row can never pass as a shorter, wrong record, and no byte is dropped.

Copies re-saved with CRLF line ends are read as they are (CRLF normalised in the
text).  Copies where every line break was written twice (a real damaged copy of the
file's head) are recognised from their first megabyte and the breaks halved, which
gives back the original text exactly.
"""

from __future__ import annotations

import operator
import re
from pathlib import Path
from typing import BinaryIO, Iterator

from ..model import FORMAT_CSV, Quarantined, RawRecord, ReleaseMetadata
from ._base import BLANK, NOTE_CP1252_BYTES, decode_mixed, provenance, quarantined, split_partial_notice

CHUNK_SIZE = 4 << 20
# A record start not seen for this long: the stretch is quarantined in pieces so memory
# stays bounded whatever the input (the longest real cable is well under 1 MiB).
MAX_RECORD_BYTES = 64 << 20
SNIFF_BYTES = 1 << 20
FIELDS = 8
FIELD_NAMES = ("sequence", "date", "reference id", "origin", "classification", "references", "header", "body")

NOTE_DOUBLED = "every line break is doubled in this copy of the file; halved to restore the text"

_RECORD_START = re.compile(rb'"[0-9]+","')  # at a position
_NEXT_START = re.compile(rb'\n"[0-9]+","')  # the '"' after the line break starts the record
_UNESCAPE = re.compile(rb'\\(["\'\\])')
_DATE = re.compile(rb"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}) ([0-9]{1,2}):([0-9]{2})")
_BLANK_RUN = re.compile(rb"[ \t\r\n]*")
_NEWLINE_RUN = re.compile(rb"(?:\r\n)+|\n+")
_OVERLAP = 32  # bytes re-searched after a refill, so a start cut by a chunk edge is found


def read(path: str | Path, *, start_offset: int = 0) -> Iterator[RawRecord | Quarantined]:
    """Yield every record of the file from ``start_offset`` (a record start, or the end
    of the previous record: line breaks before the record are skipped)."""
    p = Path(path)
    try:
        f = open(p, "rb")
    except (OSError, ValueError) as exc:
        yield quarantined(FORMAT_CSV, p, b"", f"cannot read file: {exc}")
        return
    with f:
        try:
            doubled = _doubled_break(f.read(SNIFF_BYTES))
            line = 1
            if start_offset > 0:
                line = _line_at(f, start_offset)
            f.seek(start_offset)
            yield from _Scanner(f, p, start_offset, line, doubled).records()
        except OSError as exc:  # an I/O error in mid-file: say where, keep what was read
            yield quarantined(FORMAT_CSV, p, b"", f"I/O error while reading: {exc}", offset=_safe_tell(f))


def _safe_tell(f: BinaryIO) -> int:
    try:
        return f.tell()
    except (OSError, ValueError):
        return 0


def _line_at(f: BinaryIO, offset: int) -> int:
    """1-based line number of byte ``offset`` (counts line breaks before it)."""
    f.seek(0)
    line, left = 1, offset
    while left > 0:
        block = f.read(min(CHUNK_SIZE, left))
        if not block:
            break
        line += block.count(b"\n")
        left -= len(block)
    return line


def _doubled_break(sample: bytes) -> bytes | None:
    """The doubled line break (``b"\\r\\n\\r\\n"`` or ``b"\\n\\n"``) when every run of line
    breaks in the sample has an even length, else None.

    A normal file has plenty of single line breaks; a copy that wrote each break twice
    has none.  The run touching the end of the sample may be cut, so it is ignored.
    """
    runs = crlf = 0
    for m in _NEWLINE_RUN.finditer(sample):
        if m.end() >= len(sample):
            break
        n = m.end() - m.start()
        if sample[m.start()] == 0x0D:  # a CRLF run
            n //= 2
            crlf += 1
        if n % 2:
            return None
        runs += 1
    if runs < 16:
        return None
    return b"\r\n\r\n" if crlf * 2 > runs else b"\n\n"


class _Scanner:
    """The chunked byte scanner: a growing buffer, its file offset and line number."""

    def __init__(self, f: BinaryIO, path: Path, offset: int, line: int, doubled: bytes | None) -> None:
        self.f = f
        self.path = path
        self.buf = b""
        self.base = offset  # file offset of buf[0]
        self.eof = False
        self.doubled = doubled
        # Line numbers are counted incrementally: line of buf[line_pos] is `line`.
        self.line = line
        self.line_pos = 0

    # -- buffer

    def _fill(self) -> None:
        chunk = self.f.read(CHUNK_SIZE)
        if chunk:
            self.buf += chunk
        else:
            self.eof = True

    def _drop(self, pos: int) -> None:
        """Forget buf[:pos] (consumed)."""
        self._line_of(pos)
        self.buf = self.buf[pos:]
        self.base += pos
        self.line_pos -= pos

    def _line_of(self, pos: int) -> int:
        self.line += self.buf.count(b"\n", self.line_pos, pos)
        self.line_pos = pos
        return self.line

    # -- records

    def records(self) -> Iterator[RawRecord | Quarantined]:
        pos = 0
        while True:
            if pos > CHUNK_SIZE:
                self._drop(pos)
                pos = 0
            pos = _BLANK_RUN.match(self.buf, pos).end()
            # Enough bytes to see a record start (or the end of the file).
            while len(self.buf) - pos < 64 and not self.eof:
                self._fill()
                pos = _BLANK_RUN.match(self.buf, pos).end()
            if pos >= len(self.buf):
                return
            is_record = _RECORD_START.match(self.buf, pos) is not None
            end = self._next_start(pos)
            if end is None:  # no record start for MAX_RECORD_BYTES: quarantine a piece
                piece_end = len(self.buf) - _OVERLAP
                yield self._quarantine(
                    pos,
                    piece_end,
                    f"no record start within {MAX_RECORD_BYTES >> 20} MiB"
                    + (": record too long or unterminated" if is_record else ": bytes outside any record"),
                )
                pos = piece_end
                continue
            stop = end
            while stop > pos and self.buf[stop - 1] in BLANK:
                stop -= 1
            if is_record:
                yield self._record(pos, stop, at_eof=end >= len(self.buf) and self.eof)
            else:
                where = "before the first record" if self.base + pos == 0 else "between records"
                yield self._quarantine(pos, stop, f"bytes outside any record ({where}): no record starts here")
            pos = end

    def _next_start(self, pos: int) -> int | None:
        """Offset in buf of the next record start after ``pos``; len(buf) at end of file."""
        search_from = pos
        while True:
            m = _NEXT_START.search(self.buf, search_from)
            if m is not None:
                return m.start() + 1
            if self.eof:
                return len(self.buf)
            if len(self.buf) - pos > MAX_RECORD_BYTES:
                return None
            search_from = max(pos, len(self.buf) - _OVERLAP)
            self._fill()

    def _quarantine(self, pos: int, stop: int, reason: str) -> Quarantined:
        raw = self.buf[pos:stop]
        return quarantined(FORMAT_CSV, self.path, raw, reason, offset=self.base + pos, line=self._line_of(pos))

    def _record(self, pos: int, stop: int, at_eof: bool) -> RawRecord | Quarantined:
        fields, end_or_reason = _split_fields(self.buf, pos, stop, at_eof)
        if fields is None:
            return self._quarantine(pos, stop, end_or_reason)
        assert isinstance(end_or_reason, int)
        try:
            metadata, header, body, partial = _interpret(fields, self.doubled)
        except _BadRecord as exc:
            return self._quarantine(pos, stop, str(exc))
        raw = self.buf[pos:end_or_reason]
        return RawRecord(
            raw=raw,
            provenance=provenance(FORMAT_CSV, self.path, self.base + pos, raw, self._line_of(pos)),
            metadata=metadata,
            header=header,
            body=body,
            partial_notice=partial,
        )


class _BadRecord(Exception):
    pass


def _split_fields(buf: bytes, pos: int, stop: int, at_eof: bool) -> tuple[list[bytes] | None, int | str]:
    """The fields of the record in buf[pos:stop] and where it ends, or (None, reason)."""
    fields: list[bytes] = []
    p = pos
    while True:
        n = len(fields) + 1
        if p >= stop or buf[p] != 0x22:
            got = "the end of the record" if p >= stop else repr(buf[p : p + 12])
            return None, f"field {n} does not start with a quote (found {got}) at byte {p - pos} of the record"
        q = _closing_quote(buf, p, stop)
        if q < 0:
            name = FIELD_NAMES[n - 1] if n <= FIELDS else f"extra field {n}"
            if at_eof:
                return None, f"record cut off at the end of the file: field {n} ({name}) has no closing quote"
            return None, (
                f"field {n} ({name}) has no closing quote before the next record "
                "(an unescaped quote or a cut record)"
            )
        fields.append(buf[p + 1 : q])
        p = q + 1
        if p < stop and buf[p] == 0x2C:  # ","
            p += 1
            continue
        break
    if p < stop:
        return None, (
            f"unexpected bytes {buf[p:p + 12]!r} after field {len(fields)} "
            f"at byte {p - pos} of the record (an unescaped quote inside a field?)"
        )
    if len(fields) != FIELDS:
        return None, f"wrong field count: {len(fields)} fields (expected {FIELDS})"
    return fields, p


def _closing_quote(buf: bytes, p: int, stop: int) -> int:
    """Index of the quote closing the field opened at ``p``, or -1.

    A backslash escapes the byte after it, so a quote is a delimiter when the run of
    backslashes right before it has even length.  ``bytes.find`` jumps from quote to
    quote: far faster than a regex stepping through every byte of a long body.
    """
    q = p + 1
    while True:
        q = buf.find(b'"', q, stop)
        if q < 0:
            return -1
        k = q - 1
        while k > p and buf[k] == 0x5C:  # "\\"
            k -= 1
        if (q - 1 - k) % 2 == 0:
            return q
        q += 1


_first_group = operator.itemgetter(1)  # a C callable: no per-match template expansion


def _unescape(raw: bytes) -> bytes:
    """``\\"`` ``\\'`` ``\\\\`` to the byte they escape, left to right in one pass; any
    other backslash is kept as written."""
    return _UNESCAPE.sub(_first_group, raw)


def _interpret(fields: list[bytes], doubled: bytes | None) -> tuple[ReleaseMetadata, str | None, str, bool]:
    notes: list[str] = []
    texts: list[str] = []
    fallback = False
    for raw in fields:
        if b"\\" in raw:
            raw = _unescape(raw)
        if doubled:
            raw = raw.replace(doubled, b"\n")
        if b"\r" in raw:
            raw = raw.replace(b"\r\n", b"\n")
        text, fb = decode_mixed(raw)
        fallback = fallback or fb
        texts.append(text)
    seq, date, ref_id, origin, classification, references, header, body = texts

    seq = seq.strip()
    if not seq.isdigit():
        raise _BadRecord(f"bad sequence number {seq!r}")
    m = _DATE.fullmatch(fields[1].strip())
    if m is None:
        raise _BadRecord(f"bad date {date!r} (expected M/D/YYYY H:MM)")
    month, day, year, hour, minute = (int(g) for g in m.groups())
    if not (1 <= month <= 12 and 1 <= day <= _days_in(year, month) and hour <= 23 and minute <= 59):
        raise _BadRecord(f"bad date {date!r}: no such date-time")
    ref_id = ref_id.strip()
    if not ref_id or any(c.isspace() for c in ref_id):
        raise _BadRecord(f"bad reference id {ref_id!r}")

    if doubled:
        notes.append(NOTE_DOUBLED)
    if fallback:
        notes.append(NOTE_CP1252_BYTES)
    metadata = ReleaseMetadata(
        reference_id=ref_id,
        created=f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00",
        classification=classification.strip() or None,
        origin=origin.strip() or None,
        references=[r.strip() for r in references.split("|") if r.strip()],
        sequence=int(seq),
        notes=notes,
    )
    # A partial cable's header field holds the release's notice, sometimes followed by
    # a date-time group or routing lines (kept).
    header, partial = split_partial_notice(header)
    return metadata, (header if header.strip() else None), body, partial


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31
