"""Helpers that keep the parsers fast on 8 KB bodies.

Python's regex engine scans quickly only for patterns that start with a literal
character; a pattern that starts with a class, a look-behind or ``\\b`` is tried at
every position.  So the parsers find candidates with ``str.find`` on literal words
first, and run regexes only there; word lists become tries so an alternation fails
after one character instead of trying every word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["trie_pattern", "find_any", "line_bounds"]


def trie_pattern(words: Iterable[str]) -> str:
    """A regex (no groups) matching exactly the given words, shared prefixes factored."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(trie)


def find_any(text: str, needles: Iterable[str], start: int = 0, end: int | None = None) -> int:
    """The smallest index where one of the literal needles occurs, or -1."""
    stop = len(text) if end is None else end
    best = -1
    for n in needles:
        i = text.find(n, start, stop)
        if i >= 0 and (best < 0 or i < best):
            best = i
            stop = min(stop, i + len(n))
    return best


def line_bounds(text: str, pos: int, window: int = 600) -> tuple[int, int]:
    """(start, end) of the line holding text[pos], end excluding the newline; a line longer
    than ``window`` on either side is cut there (no header or label line is that long, and
    unbounded look-ups would make huge one-line inputs quadratic)."""
    lo = max(0, pos - window)
    start = text.rfind("\n", lo, pos) + 1 or lo
    if start == 0 and lo:
        start = lo
    end = text.find("\n", pos, pos + window)
    return start, (min(len(text), pos + window) if end < 0 else end)
