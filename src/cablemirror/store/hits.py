"""Where paragraphs are in a cable's body, and which one a search hit falls in.

Backend-neutral and pure.  Paragraph texts are normally verbatim slices of the body:
``paragraph_spans`` finds each in order when a record is stored, so the store keeps
character offsets instead of a second copy of the text.  A hit (a character offset
in the body, from the full-text index) is then placed by the span holding it; a
paragraph whose text is not in the body verbatim (a repair changed it) is placed by
looking for the words around the hit in its text instead.
"""

from __future__ import annotations

from typing import Sequence

_WINDOW = 24  # characters either side of the hit used by the fallback

Span = tuple[int, int]  # (start, length) in the body


def paragraph_spans(body: str, texts: Sequence[str]) -> list[Span | None]:
    """For each paragraph text, where it is in ``body`` (None when not verbatim)."""
    spans: list[Span | None] = []
    cursor = 0
    for text in texts:
        stripped = text.strip()
        start = body.find(stripped, cursor) if stripped else -1
        if start < 0:
            spans.append(None)
            continue
        spans.append((start, len(stripped)))
        cursor = start + len(stripped)
    return spans


def _squash(text: str) -> str:
    return " ".join(text.split())


def paragraph_at(offset: int, spans: Sequence[tuple[int | None, Span | None]]) -> int | None:
    """The number of the paragraph whose span holds ``offset`` (None when none does)."""
    for number, span in spans:
        if span is not None and span[0] <= offset < span[0] + span[1]:
            return number
    return None


def paragraph_by_words(body: str, offset: int, paragraphs: Sequence[tuple[int | None, str]]) -> int | None:
    """Fallback: the one paragraph whose text holds the words around ``offset``."""
    if offset < 0 or offset >= len(body):
        return None
    window = _squash(body[max(0, offset - _WINDOW) : offset + _WINDOW])
    if len(window) < 8:
        return None
    matches = [number for number, text in paragraphs if window in _squash(text)]
    return matches[0] if len(matches) == 1 else None
