"""How the static search index writes numbers: printable, JSON-safe, gzip-friendly.

Shards are JavaScript files loaded with ``<script>`` tags (so a folder opened from
disk can search), which makes every number a character of a string:

- an unsigned integer is a little-endian varint in the URL-safe base-64 alphabet:
  each character carries 5 bits, values 32..63 say "more characters follow";
- a posting list (sorted document numbers) is a run of gaps: ``2*gap + has_run``,
  then ``run - 1`` extra consecutive documents when ``has_run``; ``gap`` is the
  distance from the previous document minus one (the first is the document number);
- a dense list may instead be ``!`` + a bitmap, 6 documents per character;
- the positions of a term in a document are ``count`` then the first position and
  the gaps minus one.

``search-static.js`` decodes exactly this; tests round-trip both ways.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

__all__ = [
    "ALPHABET",
    "BITMAP_MARK",
    "decode_uints",
    "decode_postings",
    "encode_bitmap",
    "encode_positions",
    "encode_postings",
    "encode_uint",
    "rebase",
]

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
BITMAP_MARK = "!"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_SMALL = 1 << 15  # numbers below this are looked up, not computed


def _encode(v: int) -> str:
    out = []
    while v >= 32:
        out.append(ALPHABET[32 | (v & 31)])
        v >>= 5
    out.append(ALPHABET[v])
    return "".join(out)


_TABLE = [_encode(v) for v in range(_SMALL)]


def encode_uint(v: int) -> str:
    if v < 0:
        raise ValueError(f"cannot encode a negative number ({v})")
    return _TABLE[v] if v < _SMALL else _encode(v)


def decode_uints(text: str, start: int = 0) -> Iterator[int]:
    """Every varint of ``text`` from ``start``."""
    value = shift = 0
    for i in range(start, len(text)):
        d = _VALUE[text[i]]
        value |= (d & 31) << shift
        if d & 32:
            shift += 5
        else:
            yield value
            value = shift = 0
    if shift:
        raise ValueError("a number is cut off at the end of the text")


def encode_postings(docs: Sequence[int]) -> str:
    """Sorted, distinct document numbers -> gap/run text (never a bitmap)."""
    table = _TABLE
    out: list[str] = []
    prev = -1
    i, n = 0, len(docs)
    while i < n:
        d = docs[i]
        j = i
        while j + 1 < n and docs[j + 1] == docs[j] + 1:
            j += 1
        gap = d - prev - 1
        run = j - i
        if run >= 2:  # a run pays from three documents on
            code = 2 * gap + 1
            out.append(table[code] if code < _SMALL else _encode(code))
            out.append(table[run - 1] if run - 1 < _SMALL else _encode(run - 1))
            prev = docs[j]
            i = j + 1
        else:
            code = 2 * gap
            out.append(table[code] if code < _SMALL else _encode(code))
            prev = d
            i += 1
    return "".join(out)


def encode_bitmap(docs: Iterable[int], size: int) -> str:
    bits = bytearray((size + 5) // 6)
    for d in docs:
        bits[d // 6] |= 1 << (d % 6)
    return BITMAP_MARK + "".join(ALPHABET[b] for b in bits)


def decode_postings(text: str) -> list[int]:
    if text.startswith(BITMAP_MARK):
        out = []
        for k, ch in enumerate(text[1:]):
            b = _VALUE[ch]
            for bit in range(6):
                if b & (1 << bit):
                    out.append(6 * k + bit)
        return out
    docs: list[int] = []
    prev = -1
    numbers = decode_uints(text)
    for code in numbers:
        d = prev + 1 + (code >> 1)
        if code & 1:
            extra = next(numbers) + 1
            docs.extend(range(d, d + extra + 1))
            prev = d + extra
        else:
            docs.append(d)
            prev = d
    return docs


def rebase(text: str, first: int, prev_last: int) -> str:
    """A gap/run text whose first document is ``first`` (written as a gap from -1),
    rewritten to follow a list that ended at ``prev_last``: the first code only."""
    numbers = decode_uints(text)
    code = next(numbers)
    length = len(encode_uint(code))
    if code >> 1 != first:
        raise ValueError(f"the text does not start at document {first}")
    new_code = 2 * (first - prev_last - 1) + (code & 1)
    return encode_uint(new_code) + text[length:]


def encode_positions(positions: Sequence[int]) -> str:
    table = _TABLE
    n = len(positions)
    if n == 1:
        p = positions[0]
        return table[1] + (table[p] if p < _SMALL else _encode(p))
    first = positions[0]
    if n < _SMALL and positions[-1] < _SMALL:
        return table[n] + table[first] + "".join([table[b - a - 1] for a, b in zip(positions, positions[1:])])
    out = [encode_uint(n)]
    prev = -1
    for p in positions:
        out.append(encode_uint(p - prev - 1))
        prev = p
    return "".join(out)
