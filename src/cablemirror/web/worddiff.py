"""A word-level diff of two texts, for comparing versions of a cable.

Words are compared, not whitespace: two releases of a page often wrap or space the
same text differently, and that is not a change a reader cares about.  Each word
keeps the whitespace that followed it, so joining the ``text`` of the operations
gives back the new text (``equal`` + ``insert``) or the old one (``equal`` +
``delete``) word for word.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

__all__ = ["word_diff", "MAX_WORDS"]

_WORD = re.compile(r"\S+\s*")
_LEAD = re.compile(r"^\s*")
# difflib is quadratic in the worst case; the longest real cable bodies have about
# 20,000 words, so this bound is never met by a cable, only by something hostile.
MAX_WORDS = 200_000


def _tokens(text: str) -> tuple[str, list[str], list[str]]:
    """(leading whitespace, words, each word with its trailing whitespace)."""
    lead = _LEAD.match(text).group(0)  # type: ignore[union-attr]
    pieces = _WORD.findall(text, len(lead))
    return lead, [p.rstrip() for p in pieces], pieces


def word_diff(a: str, b: str) -> dict[str, Any]:
    """``{"ops": [{"op": "equal"|"delete"|"insert", "text": ...}], "inserted": n,
    "deleted": n, "equal": n}`` (counts in words).  A replaced run is a delete
    followed by an insert."""
    _, wa, pa = _tokens(a or "")
    _, wb, pb = _tokens(b or "")
    if len(wa) + len(wb) > MAX_WORDS:
        raise ValueError(f"the texts are too long to compare ({len(wa) + len(wb)} words; at most {MAX_WORDS})")
    ops: list[dict[str, str]] = []
    counts = {"equal": 0, "delete": 0, "insert": 0}

    def add(op: str, pieces: list[str]) -> None:
        if not pieces:
            return
        counts[op] += len(pieces)
        text = "".join(pieces)
        if ops and not ops[-1]["text"][-1:].isspace():
            # A text's last word has no trailing blank; another run follows it here.
            ops[-1]["text"] += " "
        if ops and ops[-1]["op"] == op:
            ops[-1]["text"] += text
        else:
            ops.append({"op": op, "text": text})

    # autojunk (difflib's default) keeps long texts fast: frequent words are not used
    # to anchor matches but are still absorbed into the matches around them.
    # Without it a 20,000-word body takes seconds instead of a fraction of one.
    matcher = SequenceMatcher(None, wa, wb, autojunk=True)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", pb[j1:j2])
        else:
            add("delete", pa[i1:i2])
            add("insert", pb[j1:j2])
    return {"ops": ops, "inserted": counts["insert"], "deleted": counts["delete"], "equal": counts["equal"]}
