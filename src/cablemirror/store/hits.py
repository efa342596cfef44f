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
from typing import Sequence

_HIT_WORD = re.compile(r"\w+")
_WINDOW = 24  # characters of dense text around the hit used by the fallback
_WORD_CHARS = 8  # a generous average length of a word and its space, to cut text near a hit


class _Dense:
    """The body without whitespace, and the way from body offsets into it (string
    operations in C: this runs for every hit shown)."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.text = _dense(body)

    def offset(self, body_offset: int) -> int:
        """The dense offset of the first non-blank character at or after ``body_offset``."""
        return len(_dense(self.body[: max(body_offset, 0)]))


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


def excerpt(marked: str, start: str, end: str, marks: tuple[str, str], size: int = 24) -> str:
    """About ``size`` words of ``marked`` (a text whose hits are between ``start`` and
    ``end``) around the place with the most hits, on one line, with the caller's
    ``marks`` and "…" where text was left out; "" when nothing is marked.

    Done in Python from the index's ``highlight()`` rather than with FTS5's
    ``snippet()``, which tokenizes every column of the record again (about a
    millisecond per cable); only the text near the hits is split into words.
    """
    hits = []
    at = marked.find(start)
    while at != -1 and len(hits) < 200:
        hits.append(at)
        at = marked.find(start, at + 1)
    if not hits:
        return ""
    span = size * _WORD_CHARS
    best = max(hits, key=lambda h: (sum(1 for x in hits if h <= x < h + span), -h))
    lo, hi = max(0, best - 20 * _WORD_CHARS), best + (size + 4) * _WORD_CHARS * 2
    before = marked[lo:best].split()
    if before and lo > 0 and not marked[lo - 1].isspace() and not marked[lo].isspace():
        before = before[1:]  # cut inside a word
    lead = before[-3:] if before else []  # a few words of context before the hit
    after = marked[best:hi].split()
    if after and hi < len(marked) and not marked[hi].isspace() and not marked[hi - 1].isspace():
        after = after[:-1]
    words = lead + after[: size - len(lead)]
    text = " ".join(words)
    # A phrase hit cut by the window keeps its marks balanced.
    first_start, first_end = text.find(start), text.find(end)
    if first_end != -1 and (first_start == -1 or first_end < first_start):
        text = start + text
    if text.rfind(start) > text.rfind(end):
        text += end
    text = text.replace(start, marks[0]).replace(end, marks[1])
    cut_before = len(before) > len(lead) or (before == [] and marked[:best].strip() != "")
    cut_after = len(after) > size - len(lead) or marked[hi:].strip() != ""
    return ("…" if cut_before else "") + text + ("…" if cut_after else "")
