"""Readable titles from subject lines written in capitals.

``titlefy("BACK TO THE FUTURE? QADHAFI CALLS FOR ...")`` gives
"Back to the Future? Qadhafi Calls for ...": words in title case, short function
words in lower case (except where a title or clause starts), acronyms kept
(HMG, U.S.-UK, GOL's).  A subject already written in mixed case is left alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = ["titlefy"]


def _load_acronyms() -> frozenset[str]:
    text = resources.files(__package__).joinpath("data", "title_acronyms.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


_ACRONYMS = _load_acronyms()
# Short function words stay lower case inside a title (AP style: words of four letters
# or more are capitalised, so "With", "From", "That" are).
_SMALL = frozenset("A AN THE AND BUT OR NOR FOR AS AT BY IN OF ON PER TO VIA VS VS. V.".split())
_NOT_ACRONYM = frozenset("MR MRS MS DR ST JR SR".split())
_VOWELS = frozenset("AEIOUY")
_ROMAN = re.compile(r"^(?:II|III|IV|VI|VII|VIII|IX|XI|XII|XIII|XIV|XV|XX)$")
_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")
_TOKEN = re.compile(r"(\s+)")
_EDGE = re.compile(r"^([\"'“‘(\[«]*)(.*?)([\"'”’)\].,;:!?»]*)$", re.S)
_PARTS = re.compile(r"([\-/])")
_APOS = re.compile(r"(['’])")
_POSSESSIVE = re.compile(r"^(.*?)(['’])(S|T|LL|RE|VE|D|M)$")


@lru_cache(maxsize=32768)
def _case_word(word: str, first: bool) -> str:
    """One word without surrounding punctuation and without hyphens or slashes."""
    if not word:
        return word
    up = word.upper()
    base, apos, tail = up, "", ""
    m = _POSSESSIVE.match(up) if ("'" in up or "’" in up) else None
    if m:
        base, apos, tail = m.group(1), m.group(2), m.group(3).lower()
    if "." in base.strip(".") or base in _ACRONYMS or _ROMAN.match(base):
        return base + apos + tail
    letters = [c for c in base if c.isalpha()]
    if any(c.isdigit() for c in base):
        o = _ORDINAL.match(base)
        return (o.group(1) + o.group(2).lower() if o else base) + apos + tail
    if len(letters) > 1 and not (set(letters) & _VOWELS) and base not in _NOT_ACRONYM:
        return base + apos + tail
    if not first and base in _SMALL:
        return base.lower() + apos + tail
    # O'DONNELL -> O'Donnell, D'ALEMA -> D'Alema
    pieces = _APOS.split(base)
    out = "".join(p[:1].upper() + p[1:].lower() if i % 2 == 0 else p for i, p in enumerate(pieces))
    return out + apos + tail


def _mostly_lower(s: str) -> bool:
    if s.isascii():  # ASCII: lower-case letters are letters, counted in C
        letters = sum(map(str.isalpha, s))
        if not letters:
            return False
        return sum(map(str.islower, s)) / letters > 0.2
    letters = [c for c in s if c.isalpha()]
    if not letters:
        return False
    lower = sum(1 for c in letters if c.islower())
    return lower / len(letters) > 0.2


def titlefy(s: str) -> str:
    """Title case for a subject written in capitals; mixed-case text is only trimmed."""
    if not isinstance(s, str):
        return ""
    text = " ".join(s.split())
    if not text or _mostly_lower(text):
        return text
    out: list[str] = []
    cap_next = True
    for tok in _TOKEN.split(text):
        if not tok or tok.isspace():
            out.append(tok)
            continue
        if tok in ("-", "--", "–", "—", "/"):
            out.append(tok)
            cap_next = True
            continue
        if tok.isalpha():
            out.append(_case_word(tok, cap_next))
            cap_next = False
            continue
        m = _EDGE.match(tok)
        pre, core, post = (m.group(1), m.group(2), m.group(3)) if m else ("", tok, "")
        first = cap_next or bool(pre)
        parts = _PARTS.split(core)
        cased = []
        for i, part in enumerate(parts):
            if part in ("-", "/"):
                cased.append(part)
            else:
                cased.append(_case_word(part, first or i > 0))
        out.append(pre + "".join(cased) + post)
        cap_next = bool(post) and post[-1] in ":?!"
    return "".join(out).strip()
