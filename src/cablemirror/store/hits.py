"""Which paragraph a search hit falls in (backend-neutral, pure).

The full-text index tells where the first hit is in the body (a character offset);
the record has the paragraphs' texts.  Paragraph texts are the body's text with the
line breaks of the release rejoined (``cables.csv`` bodies are hard-wrapped), so
they are located in the body with whitespace ignored, in order, and the one holding
the hit wins.  When a paragraph is not found that way (a repair changed its text,
e.g. a restored accent), the words around the hit are looked for in the paragraph
texts instead.  Done at query time for the hits of one page only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Sequence

_WORD = re.compile(r"\S+")
_HIT_WORD = re.compile(r"\w+")
_WINDOW = 24  # characters of dense text around the hit used by the fallback


class _Dense:
    """The body without whitespace, and the way from body offsets into it."""

    def __init__(self, body: str) -> None:
        self.starts: list[int] = []  # body offset of each word
        self.before: list[int] = []  # dense offset of each word
        parts: list[str] = []
        n = 0
        for m in _WORD.finditer(body):
            word = m.group()
            self.starts.append(m.start())
            self.before.append(n)
            parts.append(word)
            n += len(word)
        self.text = "".join(parts)

    def offset(self, body_offset: int) -> int:
        """The dense offset of the first non-blank character at or after ``body_offset``."""
        i = bisect_right(self.starts, body_offset) - 1
        if i < 0:
            return 0
        word_len = (self.before[i + 1] if i + 1 < len(self.before) else len(self.text)) - self.before[i]
        inside = body_offset - self.starts[i]
        return self.before[i] + inside if inside < word_len else self.before[i] + word_len


def _dense(text: str) -> str:
    return "".join(text.split())


def paragraph_of_hit(body: str, offset: int, paragraphs: Sequence[tuple[int | None, str]]) -> int | None:
    """The number of the paragraph holding ``body[offset]``; None when the hit is
    outside the numbered paragraphs or cannot be placed."""
    if not paragraphs or offset < 0 or offset >= len(body):
        return None
    dense = _Dense(body)
    at = dense.offset(offset)
    cursor = 0
    all_found = True
    for number, text in paragraphs:
        d = _dense(text)
        if not d:
            continue
        start = dense.text.find(d, cursor)
        if start < 0:
            all_found = False
            continue
        if start <= at < start + len(d):
            return number
        if start > at:
            break
        cursor = start + len(d)
    if all_found:
        return None  # between paragraphs: a page header, the preamble, the signature
    word = _HIT_WORD.match(body, offset)
    return _by_words(dense.text, at, at + (len(word.group()) if word else 1), paragraphs)


def _by_words(dense_body: str, at: int, end: int, paragraphs: Sequence[tuple[int | None, str]]) -> int | None:
    """The one paragraph whose text holds the (dense) text after or before the hit."""
    texts = [(number, _dense(text)) for number, text in paragraphs]
    for size in (2 * _WINDOW, _WINDOW, _WINDOW // 2):
        for lo, hi in ((at, at + size), (end - size, end)):
            window = dense_body[max(lo, 0) : hi]
            if len(window) < 8:
                continue
            matches = [number for number, text in texts if window in text]
            if len(matches) == 1:
                return matches[0]
    return None
