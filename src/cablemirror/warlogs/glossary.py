"""Military abbreviations of the Afghan War Diary, explained for readers.

SIGACT summaries are terse military prose ("TF ... REPORTS IED STRIKE IVO COP
..., 2X WIA, MEDEVAC REQUESTED").  The meanings live in
``data/abbreviations.tsv`` (written for cablemirror) and are read once, on first
use.  Matching works as in the cable glossary (``cablemirror.cables.glossary``):
whole tokens, acronyms in their own case, words that are also ordinary English
(SAW, LAW) never marked on all-capitals lines.  Counts (3X), clock times (1530Z)
and MGRS grid references are recognised too.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from cablemirror.cables.glossary import GlossaryDataError, Term, TermIndex, read_tsv

__all__ = ["term", "find_terms", "all_terms", "GlossaryDataError"]

_FILE = "abbreviations.tsv"
_COLUMNS = ("term", "match", "meaning", "note", "aliases")


@cache
def _rows() -> tuple[tuple[Term, str, str], ...]:
    text = resources.files(__package__).joinpath("data", _FILE).read_text("utf-8")
    rows = []
    for lineno, row in read_tsv(text, _COLUMNS, _FILE):
        if not row["term"] or not row["meaning"]:
            raise GlossaryDataError(f"{_FILE}:{lineno}: term and meaning are required")
        aliases = tuple(a.strip() for a in row["aliases"].split(",") if a.strip())
        t = Term(row["term"], "military", row["meaning"], row["note"] or None, None, aliases)
        rows.append((t, row["match"], f"{_FILE}:{lineno}"))
    return tuple(rows)


@cache
def _index() -> TermIndex:
    return TermIndex(_rows())


# Three shapes that start with digits, found in one pass:
# "42SWB1234567890": an MGRS grid reference (zone, latitude band, 100 km square, digits);
# "1530Z", "0930L": a clock time in Zulu (UTC) or local time;
# "2X", "3 X": a count of people or things ("2X WIA" = two wounded).
_NUMERIC = re.compile(
    r"(?P<zone>\d{1,2})(?P<band>[C-HJ-NP-X]) ?(?P<square>[A-HJ-NP-Z]{2}) ?(?P<digits>\d{2,10})(?![\w&'’])"
    r"|(?P<hh>[01]\d|2[0-3])(?P<mm>[0-5]\d) ?(?P<tz>[ZL])(?![\w&'’])"
    r"|(?P<n>\d{1,3}) ?X(?![\w&'’])"
)
_PRECISION = {2: "10 km", 4: "1 km", 6: "100 m", 8: "10 m", 10: "1 m"}
# Runs of digits are found first (re scans for a digit quickly); _NUMERIC is then
# tried only where a run starts a token.
_DIGITS = re.compile(r"\d+")


def _edge(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_.&'’")


def _pattern_spans(text: str) -> list[tuple[int, int, Term]]:
    spans: list[tuple[int, int, Term]] = []
    last = 0
    for run in _DIGITS.finditer(text):
        if run.start() < last or not _edge(text, run.start()):
            continue
        m = _NUMERIC.match(text, run.start())
        if m is None:
            continue
        if m.group("digits") is not None:
            digits = m.group("digits")
            if len(digits) % 2:
                continue  # easting and northing have the same number of digits
            meaning = f"MGRS grid reference: zone {m.group('zone')}{m.group('band')}, square {m.group('square')}"
            t = Term(m.group(), "military", meaning, f"Precise to {_PRECISION[len(digits)]}.")
        elif m.group("tz") is not None:
            where = "Zulu time (UTC)" if m.group("tz") == "Z" else "local time (Afghanistan: UTC+4:30)"
            t = Term(m.group(), "military", f"{m.group('hh')}:{m.group('mm')} {where}")
        else:
            meaning = f"Count: {int(m.group('n'))} (of what follows)"
            t = Term(m.group(), "military", meaning, 'As in "2X WIA": two wounded.')
        spans.append((m.start(), m.end(), t))
        last = m.end()
    return spans


def term(word: str) -> Term | None:
    """The meaning of a military abbreviation as written in a report (IED, TIC, 9-LINE ...)."""
    if not isinstance(word, str) or not word.strip():
        return None
    return _index().lookup(" ".join(word.split()))


def all_terms() -> tuple[Term, ...]:
    """Every known abbreviation, in the order of the data file."""
    return tuple(_index().terms)


def find_terms(text: str) -> list[tuple[int, int, Term]]:
    """Non-overlapping (start, end, term) spans of known abbreviations in ``text``, in order."""
    if not isinstance(text, str):
        raise TypeError(f"find_terms needs a str, got {type(text).__name__}")
    if not text:
        return []
    spans = _pattern_spans(text)
    spans.extend(_index().scan(text))
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1], i))
    out: list[tuple[int, int, Term]] = []
    last = 0
    for i in order:
        s, e, t = spans[i]
        if s >= last:
            out.append((s, e, t))
            last = e
    return out
