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
_ACCENT_RX = re.compile(
    r"(?<![\w\u00c0-\u024f])(" + "|".join(sorted(map(re.escape, _ACCENTS), key=len, reverse=True)) +
    r")(?![\w\u00c0-\u024f'’])")

# Word endings that are not words on their own: a line that starts with one of them
# continues the word cut at the end of the line before.
_ENDINGS = ("tion", "tions", "sion", "sions", "ment", "ments", "ing", "ings", "ness", "ity",
            "ities", "ance", "ances", "ence", "ences", "ation", "ations", "ical", "ically",
            "tive", "tives", "ously", "ible", "able", "ized", "ised", "izing", "ising", "ship",
            "ships", "ists", "ism", "isms", "ure", "ures", "ency", "ancy", "ful", "ally")
_NOT_WORDS = frozenset(e for e in _ENDINGS if e not in ("ship", "ships", "ism", "isms", "able",
                                                        "ally", "ure"))
_SPLIT = re.compile(
    r"(?<![\w-])([A-Za-z]{2,})[ \t]*\n(?:[ \t]*\n)*[ \t]*(" + "|".join(sorted(_NOT_WORDS, key=len, reverse=True)) +
    r")(?![A-Za-z])")


def repair_text(text: str) -> tuple[str, list[TextRepair]]:
    """The text with lost accents restored and split words rejoined, and what was done."""
    repairs: list[TextRepair] = []
    if not text:
        return text, repairs
    out = text
    if _SPLIT.search(out):
        lowered = out.lower()
        pieces: list[str] = []
        last = 0
        shift = 0
        for m in _SPLIT.finditer(out):
            joined = m.group(1) + m.group(2)
            # Evidence: the joined word (or the word with an ending) occurs elsewhere.
            if not re.search(r"\b" + re.escape(joined.lower()) + r"", lowered[:m.start()] + " " +
                             lowered[m.end():]):
                continue
            pieces.append(out[last:m.start()])
            start_new = m.start() + shift
            pieces.append(joined)
            shift += len(joined) - (m.end() - m.start())
            last = m.end()
            repairs.append(TextRepair("rejoined-word", start_new,
                                      f"{m.group(1)} / {m.group(2)}", joined))
        if pieces:
            pieces.append(out[last:])
            out = "".join(pieces)
    if _ACCENT_RX.search(out):
        pieces = []
        last = 0
        shift = 0
        for m in _ACCENT_RX.finditer(out):
            word = m.group(1)
            fixed = _ACCENTS[word]
            pieces.append(out[last:m.start()])
            pieces.append(fixed)
            repairs.append(TextRepair("accent", m.start() + shift, word, fixed))
            shift += len(fixed) - len(word)
            last = m.end()
        pieces.append(out[last:])
        out = "".join(pieces)
        # Offsets of earlier rejoin repairs stay valid up to the accent shifts before them.
        _reposition(repairs, text_accents=[r for r in repairs if r.kind == "accent"])
    return out, repairs


def _reposition(repairs: list[TextRepair], text_accents: list[TextRepair]) -> None:
    for r in repairs:
        if r.kind != "rejoined-word":
            continue
        delta = sum(len(a.after) - len(a.before) for a in text_accents if a.offset < r.offset)
        r.offset += delta
