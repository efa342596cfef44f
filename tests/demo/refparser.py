"""A strict, independent reader of the cables.csv format, for checking generated files.

Written from the format's rules (``cablemirror.demo`` is not used here), it refuses
anything outside them: each record is eight fields, each field is ``"`` + text + ``"``
where the only backslash escapes are ``\\\\``, ``\\"`` and ``\\'`` and every other ``"``
or ``\\`` is an error, fields are separated by ``,`` and records by line breaks.
"""

from __future__ import annotations

import re
from datetime import datetime

FIELDS = 8
_ESCAPES = {"\\": "\\", '"': '"', "'": "'"}
DATE_RE = re.compile(r"([1-9]|1[0-2])/([1-9]|[12][0-9]|3[01])/([0-9]{4}) ([0-9]|1[0-9]|2[0-3]):([0-5][0-9])")
ID_RE = re.compile(r"([0-9]{2})([A-Z]+)([1-9][0-9]*)")


class FormatError(ValueError):
    pass


def parse_records(text: str, *, strict_layout: bool = True) -> list[list[str]]:
    """Split cables.csv text into records of 8 unescaped fields.

    ``strict_layout``: every record ends with exactly one newline and nothing comes before
    the first record (the generator's layout).  Without it, runs of newlines may come
    before, between and after records (the layout of the real per-origin extracts)."""
    out: list[list[str]] = []
    i, n = 0, len(text)
    while True:
        if not strict_layout:
            while i < n and text[i] == "\n":
                i += 1
        if i >= n:
            return out
        fields: list[str] = []
        start = i
        for k in range(FIELDS):
            if text[i : i + 1] != '"':
                raise FormatError(f"record at char {start}: field {k + 1} does not open with a quote")
            i += 1
            buf: list[str] = []
            while True:
                j = _next_special(text, i)
                if j < 0:
                    raise FormatError(f"record at char {start}: field {k + 1} never closes")
                buf.append(text[i:j])
                if text[j] == "\\":
                    esc = text[j + 1 : j + 2]
                    if esc not in _ESCAPES:
                        raise FormatError(f"record at char {start}: bad escape \\{esc!r} in field {k + 1}")
                    buf.append(_ESCAPES[esc])
                    i = j + 2
                    continue
                i = j + 1  # the closing quote
                break
            fields.append("".join(buf))
            sep = text[i : i + 1]
            if k < FIELDS - 1:
                if sep != ",":
                    raise FormatError(f"record at char {start}: expected ',' after field {k + 1}, got {sep!r}")
                i += 1
            elif sep == "\n":
                i += 1
            elif sep == "" and not strict_layout:
                pass
            else:
                raise FormatError(f"record at char {start}: expected a line break after field 8, got {sep!r}")
        out.append(fields)


def _next_special(text: str, i: int) -> int:
    q = text.find('"', i)
    b = text.find("\\", i)
    if b < 0:
        return q
    if q < 0:
        return b
    return min(q, b)


def parse_date(value: str) -> datetime:
    m = DATE_RE.fullmatch(value)
    if not m:
        raise FormatError(f"bad date {value!r}")
    mo, d, y, h, mi = (int(x) for x in m.groups())
    return datetime(y, mo, d, h, mi)  # raises for 2/30 and the like
