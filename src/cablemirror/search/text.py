"""How query text is cut into words, the same way the full-text index cuts documents.

A query word is only found if it is folded exactly like the indexed word, so these
rules copy the behaviour of SQLite FTS5's ``unicode61`` tokenizer with
``remove_diacritics 2`` (the store's tokenizer), checked character by character
against SQLite in tests/search/test_fts5.py:

- a word is a run of letters (Unicode L*), digits (N*) and private-use characters
  (Co); the combining accents of Latin letters are dropped; everything else
  (other marks included) separates;
- letters are case-folded one character at a time (``µ`` -> ``μ``, ``ſ`` -> ``s``,
  but ``ß`` stays: unicode61 never turns one character into two);
- diacritics are removed only where the bare letter is ASCII (``É`` -> ``e``,
  ``ǖ`` -> ``u``); unicode61 leaves Greek, Cyrillic, Arabic and Hangul letters whole.

Known difference: characters added to Unicode after 6.1 (unicode61's tables), which
unicode61 treats as parts of words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Words too common to search for on their own.  Kept small on purpose: "us", "no",
# "it" and "will" carry meaning in diplomatic prose ("US position", "IT sector"),
# so only articles, auxiliaries and connectives are here.  Quoted words are never
# dropped ("the" searches for "the").
STOPWORDS: frozenset[str] = frozenset(
    """a an and are as at be but by for in into is of on or such that the their then
    there these they this to was with""".split()
)

_WORD_CATEGORIES = ("L", "N")


# The combining marks unicode61 treats as part of a word (and removes): those of
# precomposed Latin letters.  Every other mark separates words, as in unicode61.
_IN_WORD_MARKS = frozenset(
    chr(cp)
    for a, b in ((0x300, 0x304), (0x306, 0x30C), (0x30F, 0x30F), (0x311, 0x311), (0x31B, 0x31B),
                 (0x323, 0x328), (0x32D, 0x32E), (0x330, 0x331))
    for cp in range(a, b + 1)
)
# unicode61 keeps these whole although they decompose to an ASCII letter.
_KEEP_DIACRITICS = frozenset("\u01e0\u01e1")

_WORD, _MARK, _SEPARATOR = 0, 1, 2
_CANDIDATE_RUN = re.compile(r"[A-Za-z0-9\u0080-\U0010ffff]+")


@lru_cache(maxsize=8192)
def _classify(ch: str) -> int:
    cat = unicodedata.category(ch)
    if cat[0] in _WORD_CATEGORIES or cat == "Co":
        return _WORD
    if ch in _IN_WORD_MARKS:
        return _MARK
    return _SEPARATOR


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    folded = ch.casefold()
    if len(folded) != 1:
        folded = ch.lower()
        if len(folded) != 1:  # "İ" lower-cases to "i" + a combining dot
            folded = unicodedata.normalize("NFD", folded)[0]
    if folded in _KEEP_DIACRITICS or ch in _KEEP_DIACRITICS:
        return folded
    bare = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return bare if len(bare) == 1 and bare.isascii() else folded


def fold(text: str) -> str:
    """``text`` with every word character folded (case, ASCII-based diacritics)."""
    return "".join(_fold_char(ch) if _classify(ch) == _WORD else ch for ch in text)


def words(text: str) -> list[str]:
    """The searchable words of ``text``, folded, in order.

    >>> words("Élection e-mail, 12:30")
    ['election', 'e', 'mail', '12', '30']
    """
    out: list[str] = []
    # ASCII letters and digits are words and ASCII punctuation separates, so only
    # runs holding non-ASCII characters need the character-by-character rules.
    for run in _CANDIDATE_RUN.findall(text):
        if run.isascii():
            out.append(run.lower())
        else:
            _split_unicode(run, out)
    return out


def _split_unicode(run: str, out: list[str]) -> None:
    current: list[str] = []
    for ch in run:
        kind = _classify(ch)
        if kind == _WORD:
            current.append(_fold_char(ch))
        elif kind == _SEPARATOR and current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))


def is_word(text: str) -> bool:
    """True when ``text`` is exactly one folded word (what a ``Term`` holds)."""
    return bool(text) and words(text) == [text]


def is_stopword(word: str) -> bool:
    return word in STOPWORDS
