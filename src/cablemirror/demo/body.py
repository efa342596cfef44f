"""Body blocks, laid out like the release's: classification line with spaced letters and
section count, captions, distribution lines, E.O. line, TAGS, SUBJECT, REF, Classified By,
numbered paragraphs with portion markings, summary and comment, section headers inside long
bodies, a signature.  Every line ends with a space and blank lines are a lone space, as in
``cables.csv``.

The generated-data mark: the first line under the classification line is always
``GENERATED DEMO DATA`` (a caption-like line: it shows at the top of every body and keeps the
layout valid).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from .lexicon import Lexicon, Station
from .prose import TopicPool, wrap
from .shape import CLASSIFIED, Picker

GENERATED_MARK = "GENERATED DEMO DATA"
BLANK = "\x00"  # stands for a blank line until the body is wrapped
SENTENCE_BYTES = 95  # average pooled sentence, filled and wrapped: sizes the last paragraph
GROWTH = 1.065  # filled and wrapped bytes per raw byte (cast names, line ends)

_SPACED = {
    "UNCLASSIFIED": "UNCLAS",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": "UNCLAS",
    "LIMITED OFFICIAL USE": "LIMITED OFFICIAL USE",
    "CONFIDENTIAL": "C O N F I D E N T I A L",
    "CONFIDENTIAL//NOFORN": "C O N F I D E N T I A L",
    "SECRET": "S E C R E T",
    "SECRET//NOFORN": "S E C R E T",
}
_REASON_LETTERS = Picker.weighted({"b": 0.45, "d": 0.40, "c": 0.07, "a": 0.03, "e": 0.02, "g": 0.015, "h": 0.015})
_CLASSIFIER_TITLES = (
    "Ambassador", "DCM", "Charge d'Affaires", "Political Counselor", "Economic Counselor",
    "Pol/Econ Chief", "PolCouns", "Deputy Chief of Mission", "Acting DCM", "Consul General",
    "Principal Officer", "Political Officer", "A/S",
)  # fmt: skip


@dataclass(slots=True)
class BodySpec:
    """Everything a body needs that is decided per cable."""

    station: Station
    serial: int
    created: datetime
    classification: str
    sections: int
    target: int  # bytes
    pools: tuple[TopicPool, TopicPool]  # primary, secondary topic
    cast: Callable[[str], str]  # fills the cast markers of pooled text
    tags: list[str]
    refs: list[str]  # REF items as written, e.g. "08 STATE 1234"
    signature: str
    classifier: str  # a fictional name
    uppercase: bool
    width: int


class BodyWriter:
    def __init__(self, lex: Lexicon) -> None:
        self.bureaus = Picker.zipf(lex.parts["bureaus"], s=0.6)
        self.rare_captions = lex.parts["captions_rare"]
        self.markings = {k.split(".", 1)[1].replace("_", " "): v for k, v in lex.parts.items() if k.startswith("markings.")}
        self.names_first = lex.words["first_names"]

    # -- preamble -------------------------------------------------------------------------
    def _class_line(self, s: BodySpec) -> str:
        label = _SPACED[s.classification]
        serial = f"{s.serial:06d}"
        if s.sections > 1:
            return f"{label} SECTION 01 OF {s.sections:02d} {s.station.display} {serial}"
        return f"{label} {s.station.display} {serial}"

    def _captions(self, rng: random.Random, s: BodySpec) -> list[str]:
        out = [GENERATED_MARK]
        if s.classification.endswith("NOFORN"):
            out.append("NOFORN")
        if s.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY":
            out.append("SENSITIVE" if rng.random() < 0.8 else "FOR OFFICIAL USE ONLY")
        if rng.random() < 0.03:
            out.append(rng.choice(self.rare_captions))
        year = s.created.year
        if (year >= 2006 and rng.random() < 0.93) or (year == 2005 and rng.random() < 0.4):
            out.append("SIPDIS")
        return out

    def _distribution(self, rng: random.Random, s: BodySpec) -> list[str]:
        if rng.random() >= 0.45:
            return []
        lines = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            form = rng.random()
            if form < 0.55:
                offices = sorted({self.bureaus(rng) for _ in range(rng.randint(1, 3))})
                lines.append(f"{rng.choice(('DEPT FOR', 'STATE FOR', 'DEPARTMENT FOR'))} {', '.join(offices)}")
            elif form < 0.7:
                lines.append(f"STATE PASS TO USTR FOR {rng.choice(self.names_first).upper()}")
            elif form < 0.8:
                lines.append(f"NSC FOR {s.classifier.split()[-1].upper()}")
            elif form < 0.9:
                lines.append(f"USAID FOR {self.bureaus(rng).split('/')[0]}/{rng.choice(('ANE', 'DCHA', 'EGAT', 'LAC'))}")
            else:
                lines.append(f"TREASURY FOR {rng.choice(('OASIA', 'IMI', 'OIA', 'TFFC'))}/{rng.choice(self.names_first).upper()}")
        return lines

    def _eo_line(self, rng: random.Random, s: BodySpec) -> str:
        order = "13526" if s.created.year >= 2010 else "12958"
        if s.classification not in CLASSIFIED:
            return f"E.O. {order}: N/A"
        r = rng.random()
        if r < 0.05:
            return f"E.O. {order}: DECL: 1.4 ({_REASON_LETTERS(rng).upper()})"
        years = 10 if r < 0.9 else rng.choice((15, 20, 25))
        c = s.created
        y = c.year + years
        day = min(c.day, 28)
        if c.year < 2003:
            return f"E.O. {order}: DECL: {c.month:02d}/{day:02d}/{y % 100:02d}"
        return f"E.O. {order}: DECL: {c.month:02d}/{day:02d}/{y}"

    def _tags_line(self, rng: random.Random, s: BodySpec) -> str:
        sep = ", " if s.created.year < 2005 or rng.random() < 0.15 else " "
        return "TAGS: " + sep.join(s.tags)

    def _ref_lines(self, rng: random.Random, s: BodySpec) -> list[str]:
        refs = s.refs
        if not refs:
            return []
        if len(refs) == 1:
            return [f"REF: {refs[0]}"]
        letters = [f"{chr(65 + i)}. {r}" for i, r in enumerate(refs)]
        if rng.random() < 0.5:  # one per line, indented under the first
            return [f"REF: {letters[0]}"] + [f"     {x}" for x in letters[1:]]
        return wrap("REF: " + " ".join(letters), s.width)

    def _classified_by(self, rng: random.Random, s: BodySpec) -> list[str]:
        if s.classification not in CLASSIFIED:
            return []
        letters = sorted({_REASON_LETTERS(rng) for _ in range(rng.choice((1, 2, 2, 2, 3)))})
        if len(letters) == 1:
            reasons = f"1.4 ({letters[0]})"
        elif rng.random() < 0.7:
            reasons = "1.4 " + ", ".join(f"({x})" for x in letters[:-1]) + f" and ({letters[-1]})"
        else:
            reasons = "1.4(" + ")(".join(letters) + ")"
        title = rng.choice(_CLASSIFIER_TITLES)
        form = rng.random()
        if form < 0.6:
            text = f"Classified By: {title} {s.classifier} for reasons {reasons}."
        elif form < 0.85:
            text = f"Classified By: {s.classifier}, {title}, reasons {reasons}."
        else:
            text = f"CLASSIFIED BY: {title.upper()} {s.classifier.upper()}. REASON: {reasons.upper()}"
        return wrap(text, s.width)

    # -- paragraphs -----------------------------------------------------------------------
    @staticmethod
    def _sentences(rng: random.Random, s: BodySpec, k: int) -> list[str]:
        """k sentences: a run from the primary topic's pool, now and then the secondary's.
        (The pools are in random order, so a run is as good as k draws, and much cheaper.)"""
        pool = s.pools[0].sentences if rng.random() < 0.75 else s.pools[1].sentences
        j = int(rng.random() * (len(pool) - k))
        return pool[j : j + k]

    def write(self, rng: random.Random, s: BodySpec) -> str:
        """The body, built as logical lines (paragraphs unwrapped, cast markers unfilled),
        then filled and wrapped in one pass each: per-paragraph work in Python was the
        bottleneck of full-size generation."""
        rand = rng.random
        width = s.width
        join = "  " if rand() < 0.6 else " "  # two spaces after a full stop, typewriter-style
        lines: list[str] = [BLANK]  # under the classification line, added after the wrap

        lines += self._captions(rng, s)
        dist = self._distribution(rng, s)
        if dist:
            lines += [BLANK] + dist
        lines += [BLANK, self._eo_line(rng, s), self._tags_line(rng, s)]
        subjects = s.pools[0].subjects
        lines.append("SUBJECT: " + s.cast(subjects[int(rand() * len(subjects))]).upper())
        refs = self._ref_lines(rng, s)
        if refs:
            lines += [BLANK] + refs
        cb = self._classified_by(rng, s)
        if cb:
            lines += [BLANK] + cb
        size = sum(len(x) for x in lines) + 2 * len(lines)
        markings = self.markings[s.classification]
        budget = s.target - len(s.signature) - 6
        summary = s.target > 2500 and rand() < 0.65
        comment = s.target > 3000 and rand() < 0.35
        src = s.pools[0].source_sentences
        headings = s.pools[0].headings
        n = 0
        while True:
            n += 1
            remaining = budget - size
            k = 3 + int(rand() * 14)  # 3..16 sentences, ~9.5 on average (real: 7.3 paragraphs a body)
            last = remaining < (k + 2) * SENTENCE_BYTES
            if last:  # fit what is left
                k = max(1, int(remaining / SENTENCE_BYTES) - 1)
            sents = self._sentences(rng, s, k)
            if n == (2 if summary else 1):
                sents = [src[int(rand() * len(src))]] + sents[1:]
            if k > 1 and rand() < 0.08:
                note = self._sentences(rng, s, 1)[0]
                sents = sents[:-1] + [f"(Note: {note} End Note.)", sents[-1]]
            mark = markings[0] if rand() < 0.8 else markings[int(rand() * len(markings))]
            if n > 2 and s.target > 5000 and rand() < 0.2:  # a sub-heading before it
                heading = headings[int(rand() * len(headings))]
                if rand() < 0.5:
                    rule = "-" * len(heading)
                    lines += [BLANK, rule, heading, rule]
                else:
                    lines += [BLANK, heading]
                size += 2 * len(heading) + 12
            if k > 2 and rand() < 0.06:  # a bulleted paragraph
                para = [f"{n}. ({mark}) {sents[0]}"] + [f"-- {x}" for x in sents[1:]]
                lines.append(BLANK)
                lines += para
                size += int(sum(len(x) for x in para) * GROWTH) + 3 * len(para)
            else:
                text = join.join(sents)
                if n == 1 and summary:
                    text = f"Summary: {text} End Summary."
                elif last and comment and n > 2:
                    text = f"Comment: {text} End Comment."
                para = f"{n}. ({mark}) {text}"
                lines += [BLANK, para]
                size += int(len(para) * GROWTH) + 3
            if last or n > 400:
                break
        lines += [BLANK, s.signature]
        # fill the cast once, wrap every line in one regex pass; BLANK lines survive the
        # wrap as one-character words and become the release's lone-space blank lines
        text = s.cast("\n".join(lines))
        # the classification line is never wrapped (it can be longer than the width)
        body = self._class_line(s) + " \n" + (" \n".join(wrap(text, width)) + " \n").replace(BLANK, "")
        if s.sections > 1:
            body = self._insert_section_headers(body, s)
        return body.upper() if s.uppercase else body

    @staticmethod
    def _insert_section_headers(body: str, s: BodySpec) -> str:
        """``STATION 00000195  002 OF 003`` between two lines where each later section begins
        (often mid-paragraph, as in the release)."""
        step = len(body) / s.sections
        parts = []
        prev = 0
        for k in range(2, s.sections + 1):
            cut = body.find(" \n", max(int(step * (k - 1)), prev))
            if cut < 0:
                break
            cut += 2
            parts.append(body[prev:cut])
            parts.append(f" \n{s.station.display} {s.serial:08d}  {k:03d} OF {s.sections:03d} \n \n")
            prev = cut
        parts.append(body[prev:])
        return "".join(parts)
