"""Optional one-pass gates for scans the standard regex engine makes slow.

Python's ``re`` tries a pattern at every candidate position, so a word list that may
follow any space (the lost-accent fragments of repair.py) costs ~1,200 attempts on an
8 KB body.  A DFA engine (RE2, the ``google-re2`` wheel) answers "can any of these occur
here?" in one pass over the bytes.  A gate only ever says "no match possible" or "look":
the precise ``re`` code still decides, so the output is the same with or without RE2.
"""

from __future__ import annotations

from collections.abc import Callable

try:  # an accelerator, not a requirement: without it every text is scanned with re
    import re2 as _re2
except ImportError:  # pragma: no cover - depends on the installation
    _re2 = None

__all__ = ["HAVE_RE2", "gate"]

HAVE_RE2 = _re2 is not None


def gate(pattern: str) -> Callable[[str], bool] | None:
    """A function telling whether ``pattern`` (RE2 syntax, ASCII, over the UTF-8 bytes of a
    text) matches somewhere; None when RE2 is not installed or rejects the pattern."""
    if _re2 is None:
        return None
    try:
        compiled = _re2.compile(pattern.encode("ascii"))
    except Exception:  # pragma: no cover - a pattern RE2 cannot take: no gate
        return None
    search = compiled.search

    def may_match(text: str) -> bool:
        return search(text.encode("utf-8", "surrogatepass")) is not None

    return may_match
