"""English-like cable prose from the generator's own templates and word lists.

Generating millions of sentences word by word is too slow in Python, so the work is split:
at start-up each topic gets a pool of sentences expanded from the templates (word choice
Zipf-like by rank in the word lists, so word frequencies are Zipf-like too); a cable then picks
whole sentences from its topics' pools and fills in its own cast (official, source, government
acronym, country, city) with one ``str.translate``.  The cast markers are control characters
that never occur in the word lists.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .lexicon import Lexicon
from .shape import Picker

# Cast markers: filled per cable (see Cast.table()).
OFFICIAL, SOURCE, GOV, COUNTRY, ADJC, CITY = "\x01", "\x02", "\x03", "\x04", "\x05", "\x06"
_CAST_SLOTS = {"official": OFFICIAL, "source": SOURCE, "gov": GOV, "country": COUNTRY, "adjc": ADJC, "city": CITY}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_SLOT = re.compile(r"\{(\w+)\}")

REDACTION = "XXXXXXXXXXXX"


@dataclass(slots=True)
class Cast:
    """Who and where a cable talks about; fills the markers of pooled sentences."""

    official: str  # "Foreign Minister Kelvardo"
    source: str  # "Nadia Halberg" or the redaction run
    gov: str  # "GOT"
    country: str
    adjective: str
    city: str

    def fill(self, text: str) -> str:
        """Replace the markers (six C-level passes: far faster than str.translate)."""
        return (
            text.replace(OFFICIAL, self.official)
            .replace(SOURCE, self.source)
            .replace(GOV, self.gov)
            .replace(COUNTRY, self.country)
            .replace(ADJC, self.adjective)
            .replace(CITY, self.city)
        )


class Names:
    """Fictional people: common first names with surnames built from syllables."""

    def __init__(self, lex: Lexicon) -> None:
        self.first = Picker.zipf(lex.words["first_names"], s=0.5)
        self.head = Picker.zipf(lex.words["surname_heads"], s=0.3)
        self.tail = Picker.zipf(lex.words["surname_tails"], s=0.3)

    def surname(self, rng: random.Random) -> str:
        return self.head(rng) + self.tail(rng)

    def full(self, rng: random.Random) -> str:
        return f"{self.first(rng)} {self.surname(rng)}"


class Expander:
    """Expands templates into sentences for one topic."""

    def __init__(self, lex: Lexicon, topic: str, rng: random.Random) -> None:
        self.lex = lex
        self.rng = rng
        self.names = Names(lex)
        w = lex.words
        self.topic_nouns = Picker.zipf(w[f"topic.{topic}"], s=0.9)
        other = [t for t in lex.topics if t != topic]
        self.other_topic = [Picker.zipf(w[f"topic.{t}"], s=0.9) for t in other]
        self.act = Picker.zipf(lex.verbs["act"], s=0.8)
        self.say = Picker.zipf(lex.verbs["say"], s=0.9)
        t = lex.templates
        self.pickers = {
            "noun": Picker.zipf(w["nouns"], s=1.0),
            "adj": Picker.zipf(w["adjectives"], s=0.8),
            "adv": Picker.zipf(w["adverbs"], s=0.9),
            "conn": Picker.zipf(w["connectors"], s=0.7),
            "title": Picker.zipf(w["titles"], s=0.8),
            "usoff": Picker.zipf(w["us_officers"], s=0.9),
            "acronym": Picker.zipf(w["acronyms"], s=0.9),
            "np": Picker.zipf(t["np"], s=0.4),
            "subj": Picker.zipf(t["subj"], s=0.4),
            "pp": Picker.zipf(t["pp"], s=0.4),
            "clause": Picker.zipf(t["clause"], s=0.3),
        }

    # -- slot values --------------------------------------------------------------------
    def _fill(self, name: str, depth: int) -> str:
        rng = self.rng
        low = name.lower()
        if low in _CAST_SLOTS:
            return _CAST_SLOTS[low]
        if low == "tnoun":
            if rng.random() < 0.8:
                value = self.topic_nouns(rng)
            else:
                value = rng.choice(self.other_topic)(rng)
        elif low == "tnp":
            value = self.expand("the {adj} {tnoun}" if rng.random() < 0.5 else "the {tnoun}", depth + 1)
        elif low in ("vpast", "vbase", "vpres"):
            v = self.act(rng)
            value = v.past if low == "vpast" else v.base if low == "vbase" else v.third
        elif low == "vsay":
            value = self.say(rng).past
        elif low == "person":
            value = self.names.full(rng) if rng.random() < 0.5 else self.names.surname(rng)
        elif low == "num":
            value = str(rng.choice((2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 100, 200, 300)))
        elif low == "pct":
            value = str(rng.randint(2, 95))
        elif low == "money":
            value = rng.choice(("USD {} million", "USD {} billion", "{} million dollars", "EUR {} million")).format(
                rng.randint(2, 950)
            )
        elif low == "month":
            value = rng.choice(_MONTHS)
        elif low == "day":
            value = str(rng.randint(1, 28))
        elif low == "year":
            value = str(rng.randint(1998, 2009))
        elif low in ("np", "subj", "pp", "clause"):
            if depth > 3:  # keep sentences finite: fall back to the plainest form
                value = self.expand("the {noun}" if low != "pp" else "in {city}", depth + 1)
            else:
                value = self.expand(self.pickers[low](rng), depth + 1)
        elif low in self.pickers:
            value = self.pickers[low](rng)
        else:
            raise KeyError(f"unknown template slot {{{name}}}")
        if name.isupper():
            return value.upper()
        if name[0].isupper():
            return value.title() if low in ("noun", "tnoun", "adj") else value[:1].upper() + value[1:]
        return value

    def expand(self, template: str, depth: int = 0) -> str:
        return _SLOT.sub(lambda m: self._fill(m.group(1), depth), template)

    def sentence(self, template: str) -> str:
        s = self.expand(template)
        return s[0].upper() + s[1:] if s[:1].islower() else s


@dataclass(slots=True)
class TopicPool:
    """Pre-expanded sentences, source sentences, subjects and headings of one topic."""

    topic: str
    sentences: list[str]
    source_sentences: list[str]
    subjects: list[str]
    headings: list[str]


def build_pool(lex: Lexicon, topic: str, rng: random.Random, size: int) -> TopicPool:
    """Expand ``size`` sentences (and smaller lists of the other kinds) for a topic."""
    ex = Expander(lex, topic, rng)
    t = lex.templates
    sent = Picker.zipf(t["sentence"], s=0.3)
    return TopicPool(
        topic=topic,
        sentences=[ex.sentence(sent(rng)) for _ in range(size)],
        source_sentences=[ex.sentence(rng.choice(t["source"])) for _ in range(max(size // 20, 20))],
        subjects=[ex.expand(rng.choice(t["subject"])) for _ in range(max(size // 10, 30))],
        headings=[ex.expand(rng.choice(t["heading"])) for _ in range(max(size // 20, 20))],
    )


_WRAPPERS: dict[int, re.Pattern[str]] = {}


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap at ``width`` columns; each line of ``text`` is wrapped on its own
    and empty lines vanish.  A word longer than the width gets a line of its own rather
    than being cut; the spaces at a break are dropped.  One C-level regex pass: measured
    faster than a ``str.rfind`` loop on paragraph-length lines."""
    pat = _WRAPPERS.get(width)
    if pat is None:
        pat = _WRAPPERS[width] = re.compile(r"(.{0,%d}\S|\S+)(?: +|$)" % (width - 1), re.M)
    return pat.findall(text)
