"""Turn what a user typed into an FTS5 query that cannot be a syntax error.

Plain search for now (the real query language comes with ``search/``): every word
must match; ``"quoted words"`` match as a phrase; a word ending in ``*`` matches as a
prefix.  Every term is written as an FTS5 string, so FTS5 operators typed by the
user (AND, OR, NOT, NEAR, ``(``, ``:``, ``^``, ``-``) are searched as words.
"""

from __future__ import annotations

import re

# A quoted phrase (the closing quote may be missing) or a run of non-blank, non-quote.
_PIECE = re.compile(r'"([^"]*)"?|([^\s"]+)')
# Control characters end an FTS5 string early (NUL) or mean nothing: blanks.
# Lone surrogates cannot be sent to SQLite at all.
_UNUSABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def _has_token(text: str) -> bool:
    """Whether the unicode61 tokenizer finds a word in ``text`` (letters or digits)."""
    return any(ch.isalnum() for ch in text)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5_query(user: str) -> str | None:
    """The FTS5 MATCH expression for ``user``, or None when it holds no word at all."""
    terms: list[str] = []
    for m in _PIECE.finditer(_UNUSABLE.sub(" ", user or "")):
        phrase, word = m.group(1), m.group(2)
        if phrase is not None:
            words = phrase.split()
            if _has_token(phrase):
                terms.append(_quote(" ".join(words)))
            continue
        prefix = word.endswith("*")
        core = word.rstrip("*")
        if not _has_token(core):
            continue
        # Only a trailing letter or digit can take a prefix: "u.s.*" -> phrase "u s" + prefix.
        terms.append(_quote(core) + ("*" if prefix and core[-1].isalnum() else ""))
    return " ".join(terms) if terms else None
