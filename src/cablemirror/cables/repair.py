"""Visible repairs of damage done to cable text by scraping and re-encoding.

Each repair is recorded (kind, before, after, where), never silent:

- ``accent``: a word that lost an accented letter ("charg" -> "chargé"), from a
  table of fragments that are not English words (data/lost_accents.txt);
- ``rejoined-word``: a word split across a line break ("elec" / "tion"), joined
  when the second piece is a word ending that is not a word by itself and the
  joined word occurs elsewhere in the same cable (evidence, not a guess).

Paragraphs cut short are flagged by the body parser, not repaired: nothing is invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from ._fast import trie_pattern
from ._gates import gate

__all__ = ["TextRepair", "repair_text"]


@dataclass(slots=True)
class TextRepair:
    kind: str
    offset: int  # where the repaired text starts, in the repaired text
    before: str
    after: str


def _load_accents() -> dict[str, str]:
    out: dict[str, str] = {}
    text = resources.files(__package__).joinpath("data", "lost_accents.txt").read_text("utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=>" not in line:
            continue
        frm, _, to = (p.strip() for p in line.partition("=>"))
        out[frm] = to
        out[frm[:1].upper() + frm[1:]] = to[:1].upper() + to[1:]
    return out


_ACCENTS = _load_accents()
# No look-behind before the alternation: a pattern that starts with a plain
# alternation of words lets the regex engine skip positions by their first letter.
# Words start after a space or a line break; one literal first character keeps the
# scan fast (see _fast.py), so the two starts are two patterns.
_ACCENT_AFTER_SPACE = re.compile(" (" + trie_pattern(_ACCENTS) + r")(?!\w)")
_ACCENT_AFTER_NEWLINE = re.compile("\n(" + trie_pattern(_ACCENTS) + r")(?!\w)")

_ACCENT_WORD = re.compile(trie_pattern(_ACCENTS) + r"(?!\w)")

# Word endings that are not words on their own: a line that starts with one of them
# continues the word cut at the end of the line before.
_ENDINGS = ("tion", "tions", "sion", "sions", "ment", "ments", "ing", "ings", "ness", "ity",
            "ities", "ance", "ances", "ence", "ences", "ation", "ations", "ical", "ically",
            "tive", "tives", "ously", "ible", "ized", "ised", "izing", "ising", "ists",
            "ency", "ancy", "ful")
# Found from the line break forwards: a pattern starting with a newline is cheap to scan.
_SPLIT = re.compile(r"\n[ \t]*(?:\n[ \t]*){0,3}(" + trie_pattern(_ENDINGS) + r")(?![A-Za-z])")
_FRAGMENT = re.compile(r"(?<![\w\-])([A-Za-z]{2,})[ \t]*$")


# One pass that tells whether any split word or accent fragment can be there at all
# (RE2, when installed): the patterns above with RE2's ASCII word boundary for "(?!\w)"
# (a looser test: non-ASCII letters count as boundaries), so it says "no" only where they
# cannot match.  Most texts have neither.
_MAY_REPAIR = gate(
    r"(?:^|[ \n])(?:" + "|".join(re.escape(w) for w in sorted(_ACCENTS)) + r")\b"
    r"|\n[ \t]*(?:\n[ \t]*){0,3}(?:" + "|".join(sorted(_ENDINGS)) + r")(?:[^A-Za-z]|$)")

# Every accent fragment and every word ending holds a lower-case letter, so a text
# without one (a cable in capitals: str.isupper() is one C loop) needs no scan at all.
_NEEDS_LOWER = all(any(c.islower() for c in w) for w in (*_ACCENTS, *_ENDINGS))


def repair_text(text: str) -> tuple[str, list[TextRepair]]:
    """The text with lost accents restored and split words rejoined, and what was done."""
    repairs: list[TextRepair] = []
    if not text or (_NEEDS_LOWER and text.isupper()):
        return text, repairs
    if _MAY_REPAIR is not None and not _MAY_REPAIR(text):
        return text, repairs
    out = text
    split = _SPLIT.search(out)
    if split:
        lowered = out.lower()
        evidence: dict[str, bool] = {}
        pieces: list[str] = []
        last = 0
        shift = 0
        for m in _SPLIT.finditer(out, split.start()):
            head = _FRAGMENT.search(out, max(last, m.start() - 40), m.start())
            if not head:
                continue
            joined = head.group(1) + m.group(1)
            # Evidence: the joined word (or the word with an ending) occurs elsewhere.
            # (the split word itself has a line break inside, so any match is elsewhere)
            needle = joined.lower()
            if needle not in evidence:
                evidence[needle] = needle in lowered
            if not evidence[needle]:
                continue
            pieces.append(out[last:head.start()])
            start_new = head.start() + shift
            pieces.append(joined)
            shift += len(joined) - (m.end() - head.start())
            last = m.end()
            repairs.append(TextRepair("rejoined-word", start_new,
                                      f"{head.group(1)} / {m.group(1)}", joined))
        if pieces:
            pieces.append(out[last:])
            out = "".join(pieces)
    hits = [m.start(1) for m in _ACCENT_AFTER_SPACE.finditer(out)]
    hits.extend(m.start(1) for m in _ACCENT_AFTER_NEWLINE.finditer(out))
    if _ACCENT_WORD.match(out):
        hits.append(0)
    if hits:
        hits.sort()
        pieces = []
        last = 0
        shift = 0
        for start in hits:
            m = _ACCENT_WORD.match(out, start)
            if not m or start < last:
                continue
            word = m.group(0)
            fixed = _ACCENTS[word]
            pieces.append(out[last:start])
            pieces.append(fixed)
            repairs.append(TextRepair("accent", start + shift, word, fixed))
            shift += len(fixed) - len(word)
            last = m.end()
        pieces.append(out[last:])
        out = "".join(pieces)
        # Rejoin offsets were taken before the accents changed lengths.
        _reposition(repairs, text_accents=[r for r in repairs if r.kind == "accent"])
    return out, repairs


def _reposition(repairs: list[TextRepair], text_accents: list[TextRepair]) -> None:
    for r in repairs:
        if r.kind != "rejoined-word":
            continue
        delta = sum(len(a.after) - len(a.before) for a in text_accents if a.offset < r.offset)
        r.offset += delta
