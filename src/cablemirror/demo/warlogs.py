"""Generate synthetic war-log CSV files: clean ones of any size, and hostile ones.

No real war-diary row is available, so the readers and the parser are tested on files
generated here from the documented schema.  ``generate_rows(count, seed, variant=...,
hostile=...)`` yields ``GeneratedRow`` items in file order; ``write_warlogs(path, ...)``
streams them to disk (and, for a hostile file, writes a sidecar JSON naming every
hostile row and what must become of it).  The same arguments always give the same bytes.

Variants (``cablemirror.sources.warlog_csv``): ``"32"`` (headerless, the documented
column order), ``"34"`` (a header row; ``ID`` first and ``TotalCasualties`` last;
``<null value>`` for empty values) and ``"iraq"`` (a header row in another order, with
a ``Province`` column the model does not know; reports placed in Iraq).

Every report is marked as generated: its Title ends with ``[GENERATED]`` (what the
parser reads into ``Report.generated``, and what every list and page shows) and its
Summary opens with ``GENERATED DEMO DATA.``.  Units, places and events are picked at
random; none describes a real event.

What the clean reports look like (numbers are cablemirror's estimates of the real
releases' shape, not measurements: no real row is at hand):

- dates 2004-01 .. 2009-12, growing year on year (Afghanistan: 6% of reports in 2004,
  34% in 2009; Iraq: peaking in 2006-2007) with a summer fighting season, rows in date
  order;
- types and categories from ``warlogs/data/report_types.tsv`` and ``categories.tsv``;
  regions weighted per year (RC EAST first, RC SOUTH overtaking it from 2006);
- positions: one of a few dozen district centres (``warlogs/data/places.tsv``) plus a
  jitter of ~7 km, always inside the country's outline; MGRS written from the same
  latitude/longitude (1 m cells), so the two agree;
- counts of people: mostly 0, with a heavy tail, by category (an IED strike wounds
  more often than a meeting);
- summaries: 3-7 acronym-dense sentences from ``warlogs/data/sigact_templates.tsv``
  whose casualty sentence agrees with the counts; one in five spans several lines.

Hostile mode (``hostile=True``): the file starts with a byte-order mark, rows end with
LF or CRLF at random, blank lines appear between rows, ``HOSTILE_SHARE`` (5%) of the
reports are damaged in one of the ways of ``HOSTILE_KINDS``, and after ``INSERT_SHARE``
(1%) of them an extra row is inserted (``INSERT_KINDS``: junk, repeated header,
duplicate keys with the same or different content).  The first damaged rows go through
every kind once (in an order drawn from the seed), later ones are drawn by weight, so
a file with a few dozen hostile rows has every kind.  Each hostile row says what the
reader and parser must make of it (``outcome``, ``reason``, ``problems``,
``expected``).  The clean reports of a hostile file are those of the clean file with
the same count and seed.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator

from ..warlogs import mgrs as grid
from ..warlogs.geo import UNKNOWN_REGION, Place, theatre
from ..warlogs.model import ATTRIBUTES, COLUMNS, COUNT_COLUMNS

__all__ = [
    "DEFAULT_COUNT",
    "VARIANTS",
    "HOSTILE_SHARE",
    "INSERT_SHARE",
    "HOSTILE_KINDS",
    "INSERT_KINDS",
    "TITLE_MARK",
    "SUMMARY_MARK",
    "GeneratedRow",
    "WriteStats",
    "columns_of",
    "generate_rows",
    "write_warlogs",
]

DEFAULT_COUNT = 76_911  # reports in the published Afghan War Diary
VARIANTS = ("32", "34", "iraq")
TITLE_MARK = "[GENERATED]"
SUMMARY_MARK = "GENERATED DEMO DATA."
NULL_MARKER = "<null value>"
BOM = b"\xef\xbb\xbf"

HOSTILE_SHARE = 0.05
INSERT_SHARE = 0.01

# Damage done to a report, with relative weights.  Reader-level damage (the row is
# quarantined by the reader), parser rejections (quarantined by the parser), and damage
# the parser repairs or notes (the row is imported with problems).
HOSTILE_KINDS: dict[str, float] = {
    "fewer-columns": 1, "more-columns": 1, "broken-quoting": 1, "unclosed-quote": 1, "nul-byte": 1,
    "bad-date": 1, "empty-date": 0.5, "bad-key": 1, "empty-key": 0.5,
    "key-case": 1, "date-format": 1, "date-out-of-span": 0.5,
    "nan-coordinates": 1, "out-of-range": 1, "zero-coordinates": 0.5, "lone-coordinate": 0.5,
    "swapped-coordinates": 1, "outside-theatre": 0.5, "mgrs-mismatch": 1, "bad-mgrs": 1,
    "non-numeric-count": 1, "float-count": 0.5, "huge-count": 0.5, "bad-boolean": 0.5,
    "unknown-region": 0.5, "lowercase-region": 0.5, "padding": 1,
    "embedded-quotes": 1, "embedded-newlines": 1, "title-newline": 0.5, "control-characters": 1,
    "long-summary": 0.2, "script-injection": 1, "bom-in-row": 0.5, "invalid-utf8": 1,
}  # fmt: skip
# Extra rows inserted after a report.
INSERT_KINDS: dict[str, float] = {"junk-line": 1, "repeated-header": 0.5, "duplicate-same": 1, "duplicate-changed": 1}
# Rows the reader quarantines: what follows must start like a row, or it would be
# quarantined together with them.
READER_BROKEN = {"fewer-columns", "more-columns", "broken-quoting", "unclosed-quote", "nul-byte",
                 "junk-line", "repeated-header"}  # fmt: skip
# Rows that do not start like a row (no GUID in the key column).
RESYNC_UNSAFE = {"bad-key", "empty-key", "key-case", "junk-line", "repeated-header"}

_YEAR_WEIGHTS = {
    "afghanistan": {2004: 6.1, 2005: 7.4, 2006: 11.8, 2007: 18.4, 2008: 22.4, 2009: 33.9},
    "iraq": {2004: 10, 2005: 13, 2006: 23, 2007: 29, 2008: 16, 2009: 9},
}
_MONTH_FACTORS = (0.6, 0.6, 0.8, 1.0, 1.2, 1.3, 1.4, 1.4, 1.2, 1.0, 0.8, 0.7)  # fighting season
_HOUR_WEIGHTS = (2, 2, 2, 2, 3, 4, 6, 8, 9, 9, 9, 9, 9, 9, 9, 8, 8, 7, 6, 5, 4, 3, 3, 2)
# Regions per year (Afghanistan); Iraq's are fixed.
_REGION_WEIGHTS: dict[str, dict[int, dict[str, float]]] = {
    "afghanistan": {
        y: dict(zip(("RC EAST", "RC SOUTH", "RC CAPITAL", "RC WEST", "RC NORTH", UNKNOWN_REGION), w))
        for y, w in {
            2004: (55, 25, 8, 5, 5, 2), 2005: (52, 28, 8, 5, 5, 2), 2006: (42, 40, 6, 5, 5, 2),
            2007: (40, 42, 5, 6, 6, 1), 2008: (40, 41, 4, 7, 7, 1), 2009: (36, 45, 3, 7, 8, 1),
        }.items()  # fmt: skip
    },
    "iraq": {
        y: {"MND-BAGHDAD": 35, "MNF-W": 20, "MND-N": 28, "MND-C": 9, "MND-SE": 5, "MND-NE": 2, UNKNOWN_REGION: 1}
        for y in range(2004, 2010)
    },
}
# Casualty profiles: per count column (FriendlyWIA ... EnemyDetained), the chance that
# it is not 0.  A non-zero count is 1 + a Pareto-tailed extra (heavy tail, capped).
_PROFILES: dict[str, tuple[float, ...]] = {
    "ied": (0.25, 0.08, 0.12, 0.06, 0.10, 0.07, 0.01, 0.02, 0.02),
    "contact": (0.10, 0.02, 0.08, 0.04, 0.03, 0.02, 0.04, 0.15, 0.02),
    "idf": (0.05, 0.01, 0.02, 0.01, 0.04, 0.02, 0.01, 0.02, 0.0),
    "found": (0.0, 0.0, 0.0, 0.0, 0.01, 0.0, 0.0, 0.0, 0.05),
    "friendly": (0.02, 0.005, 0.03, 0.01, 0.02, 0.01, 0.05, 0.10, 0.35),
    "eof": (0.0, 0.0, 0.0, 0.0, 0.15, 0.08, 0.0, 0.0, 0.03),
    "criminal": (0.0, 0.0, 0.02, 0.02, 0.10, 0.20, 0.0, 0.0, 0.05),
    "noncombat": (0.20, 0.03, 0.10, 0.02, 0.20, 0.05, 0.0, 0.0, 0.0),
    "air": (0.0, 0.0, 0.0, 0.0, 0.05, 0.05, 0.10, 0.30, 0.0),
    "friendly_fire": (0.40, 0.15, 0.20, 0.10, 0.0, 0.0, 0.0, 0.0, 0.0),
    "none": (0.005, 0.0, 0.005, 0.0, 0.005, 0.005, 0.0, 0.005, 0.01),
}
_TAIL_ALPHA = (1.8, 2.5, 1.8, 2.2, 1.6, 1.8, 1.6, 1.3, 1.5)
_TAIL_CAP = 150
_JITTER_DEG = 0.06  # ~7 km
_MULTILINE_SHARE = 0.2

_THEATRE_WORDS = {
    "afghanistan": {
        "HNA": ("ANA",), "HNP": ("ANP", "AUP", "ABP"), "HNF": ("ANSF",), "ENEMY": ("INS", "AAF", "TB"),
        "VEH": ("MRAP", "HMMWV", "RG-31", "RG-33", "BUFFALO", "STRYKER", "MATV"),
        "ROUTE": ("HWY 1", "RTE 611", "RTE RED", "RTE ALASKA", "RTE OHIO", "RTE FOXTROT", "RTE HURRICANES"),
        "BASE": ("COP", "FOB", "PB", "OP"),
    },
    "iraq": {
        "HNA": ("IA",), "HNP": ("IP",), "HNF": ("ISF",), "ENEMY": ("AIF", "INS"),
        "VEH": ("MRAP", "HMMWV", "M2 BRADLEY", "STRYKER", "RG-31", "LAV"),
        "ROUTE": ("MSR TAMPA", "ASR IRISH", "RTE MICHIGAN", "RTE BOSTON", "MSR MOBILE"),
        "BASE": ("FOB", "COP", "JSS", "PB"),
    },
}
_WEAPONS = ("AK-47", "PKM", "DSHK", "RPK")
_IDF = ("82MM MORTAR", "60MM MORTAR", "107MM ROCKET", "122MM ROCKET")
_IED_TYPES = ("RCIED", "PPIED", "CWIED", "VOIED", "IED")
_ASSETS = ("AWT", "AH-64", "A-10", "F-15", "B-1", "PRED", "SCAN EAGLE", "SHADOW")
_DIRECTIONS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
_SLOT_CHOICES = {"DIR": _DIRECTIONS, "WEAPON": _WEAPONS, "IDF": _IDF, "IEDTYPE": _IED_TYPES, "ASSET": _ASSETS}
_REGIMENTS = ("32", "26", "503", "87", "71", "4", "12", "508", "61", "17")
_BRANCHES = ("IN", "IN", "IN", "CAV", "FA", "EN", "MP", "PIR")
_TYPE_OF_UNIT = (("None Selected", 40), ("Coalition Forces", 35), ("ANSF", 15), ("Coalition Forces and ANSF", 10))
_CCIR = ("(FFIR) FRIENDLY KIA OR WIA", "(PIR) IED ACTIVITY", "(FFIR) MEDEVAC", "(PIR) HVI LOCATED", "(FFIR) CIVCAS")
_CCIR_SHARE = 0.08
_COUNT_LABELS = ("CF WIA", "CF KIA", "{HNF} WIA", "{HNF} KIA", "LN WIA", "LN KIA", "EWIA", "EKIA", "DETAINED")
_DCOLOR = {"ENEMY": "RED", "FRIEND": "BLUE", "NEUTRAL": "GREEN"}

# Column orders of the header variants (the 32 documented names are read by name).
_COLUMNS_34 = ("ID", *COLUMNS, "TotalCasualties")
_COLUMNS_IRAQ = (
    "ReportKey", "DateOccurred", "Type", "Category", "TrackingNumber", "Region", "Title", "Summary",
    *(c for c in COLUMNS if c not in ("ReportKey", "DateOccurred", "Type", "Category", "TrackingNumber",
                                      "Region", "Title", "Summary")),
    "Province",
)  # fmt: skip
_NUMERIC = {*COUNT_COLUMNS, "Latitude", "Longitude", "ID", "TotalCasualties"}
_COUNT_ATTRIBUTES = tuple(ATTRIBUTES[c] for c in COUNT_COLUMNS)
# Places far from both theatres, for reports placed outside them.
_FAR_POINTS = ((51.5072, -0.1276), (40.7128, -74.006), (-33.8688, 151.2093), (48.8566, 2.3522))


def columns_of(variant: str) -> tuple[str, ...]:
    """The file's columns for a variant, in order."""
    if variant == "32":
        return COLUMNS
    if variant == "34":
        return _COLUMNS_34
    if variant == "iraq":
        return _COLUMNS_IRAQ
    raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")


# --------------------------------------------------------------------------- data files


def _data_rows(name: str) -> list[list[str]]:
    text = resources.files("cablemirror.warlogs").joinpath("data", name).read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [ln.split("\t") for ln in lines[1:]]


@dataclass(frozen=True, slots=True)
class _Category:
    type: str
    name: str
    weight: float
    profile: str
    scene: str
    detail: str


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    types: tuple[str, ...]
    type_cum: tuple[float, ...]
    attack_on: dict[str, tuple[tuple[str, ...], tuple[float, ...]]]
    affiliation: dict[str, str]
    categories: dict[str, tuple[tuple[_Category, ...], tuple[float, ...]]]
    units: dict[str, tuple[str, ...]]
    templates: dict[tuple[str, str], tuple[str, ...]]


@cache
def _vocabulary(theatre_name: str) -> _Vocabulary:
    col = 1 if theatre_name == "afghanistan" else 2
    types, weights, attack_on, affiliation = [], [], {}, {}
    for row in _data_rows("report_types.tsv"):
        types.append(row[0])
        weights.append(float(row[col]))
        pairs = [p.split(":") for p in row[3].split(",")]
        attack_on[row[0]] = (tuple(p[0] for p in pairs), tuple(itertools.accumulate(float(p[1]) for p in pairs)))
        affiliation[row[0]] = row[4]
    cats: dict[str, list[_Category]] = {}
    for row in _data_rows("categories.tsv"):
        cats.setdefault(row[0], []).append(_Category(row[0], row[1], float(row[1 + col]), row[4], row[5], row[6]))
    categories = {
        t: (tuple(cs), tuple(itertools.accumulate(c.weight for c in cs))) for t, cs in cats.items()
    }
    units = {row[0]: tuple(u.strip() for u in row[1].split(",")) for row in _data_rows("units.tsv")}
    templates: dict[tuple[str, str], list[str]] = {}
    for row in _data_rows("sigact_templates.tsv"):
        templates.setdefault((row[0], row[1]), []).append(row[2])
    return _Vocabulary(
        tuple(types),
        tuple(itertools.accumulate(weights)),
        attack_on,
        affiliation,
        categories,
        units,
        {k: tuple(v) for k, v in templates.items()},
    )


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class GeneratedRow:
    """One row of a generated file, and what reading and parsing it must give."""

    number: int  # 1-based, among the file's rows (header not counted)
    key: str | None  # the report key written (None for junk)
    data: bytes  # the row's exact bytes, without its line break
    newline: bytes  # the line break after it (plus any blank lines)
    offset: int = 0  # byte offset of data in the file
    line: int = 1  # line number of its first byte
    kinds: tuple[str, ...] = ()  # hostile kinds applied (empty for a clean row)
    outcome: str = "import"  # "import" | "quarantine"
    reason: str | None = None  # how the quarantine reason starts
    problems: frozenset[str] = frozenset()  # the problem kinds the report must carry, exactly
    expected: dict[str, Any] | None = None  # Report attribute -> value (to_dict names; date a datetime)
    approx_position: bool = False  # latitude/longitude come from an MGRS cell centre (within ~1 m)

    def manifest(self) -> dict[str, Any]:
        """The sidecar entry of a hostile row."""
        return {
            "row": self.number,
            "offset": self.offset,
            "length": len(self.data),
            "line": self.line,
            "key": self.key,
            "kinds": list(self.kinds),
            "expect": self.outcome,
            "reason": self.reason,
            "problems": sorted(self.problems),
        }


@dataclass(slots=True)
class _Report:
    """A clean report: what is written per column, and the typed values it must give."""

    values: dict[str, str]
    expected: dict[str, Any]
    place: Place


class _Picker:
    """Weighted choice by bisecting cumulative weights (one random() a pick)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: tuple[Any, ...], cum: tuple[float, ...]) -> None:
        self.items, self.cum, self.total = items, cum, cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _picker(weights: dict[Any, float]) -> _Picker:
    items = tuple(weights)
    return _Picker(items, tuple(itertools.accumulate(weights[i] for i in items)))


def _quote(value: str, numeric: bool, null: bool) -> str:
    """A field as the file writes it: text quoted, numbers bare, empty values as
    ``<null value>`` in the 34-column copy."""
    if not value and null:
        return NULL_MARKER
    if numeric and "," not in value and '"' not in value and "\n" not in value and "\r" not in value:
        return value
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return '"' + value + '"'


class _Slots(dict):
    """The template slots of one summary, each drawn only when a template uses it."""

    def __init__(self, rng: random.Random, words: dict[str, tuple[str, ...]], *, unit: str, subunit: str,
                 when: datetime, place: Place, mgrs: str) -> None:  # fmt: skip
        super().__init__(UNIT=unit, SUBUNIT=subunit, TIME=f"{when.hour:02d}{when.minute:02d}Z",
                         PLACE=place.name.upper(), GRID=mgrs[:5] + mgrs[5:9] + mgrs[10:14])  # fmt: skip
        self.rng = rng
        self.words = words

    def __missing__(self, slot: str) -> str:
        rng, w = self.rng, self.words
        if slot in ("HNA", "HNF"):
            value = w[slot][0]
        elif slot in w:
            value = rng.choice(w[slot])
            if slot == "BASE":
                value = f"{value} {self['PLACE']}"
        elif slot == "DIST":
            value = f"{rng.randint(1, 15)}KM"
        elif slot == "N":
            value = str(rng.randint(1, 9))
        elif slot == "N2":
            value = str(rng.randint(2, 20))
        else:
            value = rng.choice(_SLOT_CHOICES[slot])
        self[slot] = value
        return value


class _Generator:
    def __init__(self, count: int, seed: int, variant: str, hostile: bool) -> None:
        if count < 0:
            raise ValueError(f"count must be >= 0, not {count}")
        self.count = count
        self.variant = variant
        self.columns = columns_of(variant)
        self.colspec = [(c, c in _NUMERIC) for c in self.columns]
        self.theatre = theatre("iraq" if variant == "iraq" else "afghanistan")
        self.vocab = _vocabulary(self.theatre.name)
        self.words = _THEATRE_WORDS[self.theatre.name]
        self.rng = random.Random(seed)
        self.hrng = random.Random(f"cablemirror-warlogs-hostile-{seed}")
        self.hostile = hostile
        self.null = variant == "34"
        self.types = _Picker(self.vocab.types, self.vocab.type_cum)
        self.regions = {y: _picker(w) for y, w in _REGION_WEIGHTS[self.theatre.name].items()}
        by_region: dict[str, dict[Place, float]] = {}
        for p in self.theatre.places:
            by_region.setdefault(p.region, {})[p] = p.weight
        self.places = {r: _picker(w) for r, w in by_region.items()}
        self.any_place = _picker({p: p.weight for p in self.theatre.places})
        self.hostile_kinds = _picker(HOSTILE_KINDS)
        self.insert_kinds = _picker(INSERT_KINDS)
        self.type_of_unit = _picker(dict(_TYPE_OF_UNIT))
        self.hours = _picker(dict(enumerate(_HOUR_WEIGHTS)))
        self.recent: list[tuple[GeneratedRow, _Report]] = []  # clean imported rows, for duplicates
        self.pending = sorted(HOSTILE_KINDS)
        self.hrng.shuffle(self.pending)
        self.pending_inserts = sorted(INSERT_KINDS)
        self.hrng.shuffle(self.pending_inserts)

    # -- dates

    def _month_counts(self) -> list[tuple[int, int, int]]:
        """(year, month, reports) for every month, by largest remainder."""
        weights = []
        years = _YEAR_WEIGHTS[self.theatre.name]
        for year, yw in years.items():
            factors = [f * (1 + 0.4 * m / 11) for m, f in enumerate(_MONTH_FACTORS)]  # growth within the year
            total = sum(factors)
            weights.extend((year, m + 1, yw * f / total) for m, f in enumerate(factors))
        whole = sum(w for _, _, w in weights)
        quotas = [self.count * w / whole for _, _, w in weights]
        counts = [int(q) for q in quotas]
        order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - counts[i]), i))
        for i in order[: self.count - sum(counts)]:
            counts[i] += 1
        return [(y, m, c) for (y, m, _), c in zip(weights, counts)]

    def _dates(self) -> Iterator[datetime]:
        rng = self.rng
        for year, month, n in self._month_counts():
            start = datetime(year, month, 1)
            end = start.replace(year=year + 1, month=1) if month == 12 else start.replace(month=month + 1)
            days = (end - start).days
            stamps = sorted(
                start + timedelta(days=rng.randrange(days), hours=self.hours(rng), minutes=rng.randrange(60))
                for _ in range(n)
            )
            yield from stamps

    # -- one clean report

    def _position(self, place: Place) -> tuple[float, float]:
        rng = self.rng
        for _ in range(50):
            lat = place.lat + rng.gauss(0, _JITTER_DEG)
            lon = place.lon + rng.gauss(0, _JITTER_DEG)
            if self.theatre.contains(lat, lon):
                return round(lat, 7), round(lon, 7)
        return place.lat, place.lon

    def _counts(self, profile: str) -> list[int]:
        rng = self.rng
        out = []
        for p, alpha in zip(_PROFILES[profile], _TAIL_ALPHA):
            if p and rng.random() < p:
                out.append(min(_TAIL_CAP, int(rng.paretovariate(alpha))))
            else:
                out.append(0)
        return out

    def _subunit(self) -> str:
        rng = self.rng
        return f"{rng.choice('ABCD')} CO {rng.randint(1, 4)}-{rng.choice(_REGIMENTS)} {rng.choice(_BRANCHES)}"

    def _casualty_sentence(self, counts: list[int]) -> str:
        hnf = self.words["HNF"][0]
        parts = [f"{n}X {label.replace('{HNF}', hnf)}" for n, label in zip(counts, _COUNT_LABELS) if n]
        return (", ".join(parts) + ".") if parts else "NO INJ/DAM."

    def _summary(self, cat: _Category, slots: dict[str, str], counts: list[int]) -> str:
        rng = self.rng
        t = self.vocab.templates
        sentences = [SUMMARY_MARK, rng.choice(t[(cat.scene, "open")])]
        body = list(t.get((cat.scene, "body"), ()))
        for s in rng.sample(body, min(len(body), rng.randint(1, 3))):
            sentences.append(s)
        if rng.random() < 0.3:
            sentences.append(rng.choice(t[("any", "body")]))
        sentences.append(self._casualty_sentence(counts))
        sentences.append(rng.choice(t[("any", "close")]))
        text = [s.format_map(slots) for s in sentences]
        if rng.random() < _MULTILINE_SHARE:
            return "\n".join(text)
        return " ".join(text)

    def _report(self, number: int, when: datetime) -> _Report:
        rng = self.rng
        v = self.vocab
        key = str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()
        region = self.regions[when.year](rng)
        place = self.any_place(rng) if region == UNKNOWN_REGION else self.places[region](rng)
        lat, lon = self._position(place)
        mgrs = grid.to_mgrs(lat, lon, 5)
        rtype = self.types(rng)
        cats, cum = v.categories[rtype]
        cat = _Picker(cats, cum)(rng)
        names, acum = v.attack_on[rtype]
        attack_on = _Picker(names, acum)(rng)
        affiliation = v.affiliation[rtype]
        counts = self._counts(cat.profile)
        complex_attack = rtype in ("Enemy Action", "Explosive Hazard") and rng.random() < 0.04
        unit = rng.choice(v.units[place.region])
        subunit = self._subunit()
        inj = sum(counts[:8])
        title = f"({rtype.upper()}) {cat.name.upper()} RPT ({cat.detail}) {unit} : {inj} INJ/DAM {TITLE_MARK}"
        slots = _Slots(rng, self.words, unit=unit, subunit=subunit, when=when, place=place, mgrs=mgrs)
        summary = self._summary(cat, slots, counts)
        region_group = place.region if region == UNKNOWN_REGION else region
        ccir = rng.choice(_CCIR) if rng.random() < _CCIR_SHARE else ""
        doy = when.timetuple().tm_yday
        tracking = f"{when.year}-{doy:03d}-{when.hour:02d}{when.minute:02d}{when.second:02d}-{rng.randrange(10000):04d}"
        date_text = (
            f"{when.year:04d}-{when.month:02d}-{when.day:02d} {when.hour:02d}:{when.minute:02d}:{when.second:02d}"
        )
        type_of_unit = self.type_of_unit(rng)
        values = {
            "ReportKey": key, "DateOccurred": date_text, "Type": rtype, "Category": cat.name,
            "TrackingNumber": tracking, "Title": title, "Summary": summary, "Region": region,
            "AttackOn": attack_on, "ComplexAttack": "TRUE" if complex_attack else "FALSE", "ReportingUnit": unit,
            "UnitName": subunit, "TypeOfUnit": type_of_unit, "MGRS": mgrs, "Latitude": f"{lat:.7f}",
            "Longitude": f"{lon:.7f}", "OriginatorGroup": unit, "UpdatedByGroup": f"{region_group} JOC",
            "CCIR": ccir, "Sigact": region_group, "Affiliation": affiliation, "DColor": _DCOLOR[affiliation],
            "Classification": "SECRET",
        }  # fmt: skip
        values.update(zip(COUNT_COLUMNS, map(str, counts)))
        expected: dict[str, Any] = {
            "report_key": key, "date": when, "type": rtype, "category": cat.name, "tracking_number": tracking,
            "title": title, "summary": summary, "region": region, "attack_on": attack_on,
            "complex_attack": complex_attack, "reporting_unit": unit, "unit_name": subunit,
            "type_of_unit": type_of_unit, "mgrs": mgrs, "latitude": lat, "longitude": lon,
            "originator_group": unit, "updated_by_group": values["UpdatedByGroup"], "ccir": ccir,
            "sigact": region_group, "affiliation": affiliation, "dcolor": values["DColor"],
            "classification": "SECRET", "generated": True, "theatre": self.theatre.name,
        }  # fmt: skip
        expected.update(zip(_COUNT_ATTRIBUTES, counts))
        extra: dict[str, str] = {}
        if self.variant == "34":
            extra = {"ID": str(number), "TotalCasualties": str(inj)}
        elif self.variant == "iraq":
            extra = {"Province": place.province}
        values.update(extra)
        expected["extra"] = extra
        return _Report(values, expected, place)

    # -- encoding

    def _encode(self, values: dict[str, str], *, encoding: dict[str, str] | None = None) -> bytes:
        if encoding:
            return b",".join(
                _quote(values[c], c in _NUMERIC, self.null).encode(encoding.get(c, "utf-8")) for c in self.columns
            )
        return ",".join([_quote(values[c], numeric, self.null) for c, numeric in self.colspec]).encode("utf-8")

    def header(self) -> bytes:
        if self.variant == "32":
            return b""
        return ",".join(self.columns).encode("ascii")

    # -- the rows

    def rows(self) -> Iterator[GeneratedRow]:
        hrng = self.hrng
        offset = 0
        line = 1
        head = b""
        if self.hostile:
            head += BOM
        if self.variant != "32":
            head += self.header() + b"\n"
        offset, line = len(head), 1 + head.count(b"\n")
        self.prelude = head
        number = 0
        prev_broken = False

        def emit(row: GeneratedRow) -> GeneratedRow:
            nonlocal offset, line, prev_broken
            row.offset, row.line = offset, line
            offset += len(row.data) + len(row.newline)
            line += row.data.count(b"\n") + row.newline.count(b"\n")
            prev_broken = bool(READER_BROKEN.intersection(row.kinds))
            return row

        for when in self._dates():
            number += 1
            rep = self._report(number, when)
            kind = None
            if self.hostile and hrng.random() < HOSTILE_SHARE:
                kind = self._next_kind(self.pending, self.hostile_kinds, prev_broken)
            if kind is None:
                row = GeneratedRow(number, rep.values["ReportKey"], self._encode(rep.values), self._newline(),
                                   expected=rep.expected)  # fmt: skip
                self.recent.append((row, rep))
                del self.recent[:-50]
            else:
                row = self._hostile(kind, number, rep)
            yield emit(row)
            if self.hostile and hrng.random() < INSERT_SHARE:
                ikind = self._next_kind(self.pending_inserts, self.insert_kinds, prev_broken)
                if ikind is None:
                    continue
                extra = self._insert(ikind, number + 1)
                if extra is not None:
                    number += 1
                    yield emit(extra)

    def _next_kind(self, pending: list[str], weighted: _Picker, prev_broken: bool) -> str | None:
        """The next hostile kind: each kind once first (so a file with a few dozen hostile
        rows has them all), then by weight.  None when only a kind that must not follow a
        quarantined row would do."""
        for i, kind in enumerate(pending):
            if not (prev_broken and kind in RESYNC_UNSAFE):
                return pending.pop(i)
        if pending:
            return None
        kind = weighted(self.hrng)
        return None if prev_broken and kind in RESYNC_UNSAFE else kind

    def _newline(self) -> bytes:
        if not self.hostile:
            return b"\n"
        nl = b"\r\n" if self.hrng.random() < 0.3 else b"\n"
        if self.hrng.random() < 0.02:
            nl += self.hrng.choice((b"\n", b"  \n", b"\r\n\r\n", b"\t\n"))
        return nl

    # -- hostile reports

    def _hostile(self, kind: str, number: int, rep: _Report) -> GeneratedRow:
        h = self.hrng
        values = dict(rep.values)
        exp = dict(rep.expected)
        problems: set[str] = set()
        reason = None
        data: bytes | None = None
        approx = False
        key = values["ReportKey"]

        if kind == "fewer-columns":
            data = self._encode(values).rsplit(b",", 2)[0]
            reason = f"wrong column count: {len(self.columns) - 2}"
        elif kind == "more-columns":
            data = self._encode(values) + b',"EXTRA"'
            reason = f"wrong column count: {len(self.columns) + 1}"
        elif kind == "broken-quoting":
            values["Summary"] = values["Summary"] + ' THE LN SAID QUOTE STOP QUOTE AND LEFT.'
            data = self._encode(values).replace(b"QUOTE STOP QUOTE", b'"STOP"', 1)
            reason = "broken quoting"
        elif kind == "unclosed-quote":
            data = self._encode(values)
            at = data.rindex(b'"SECRET"')  # the Classification field loses its closing quote
            data = data[: at + 7] + data[at + 8 :]
            reason = "broken quoting"
        elif kind == "nul-byte":
            values["Summary"] = values["Summary"].replace(" ", " \x00", 1)
            data = self._encode(values)
            reason = "binary data"
        elif kind == "bad-date":
            values["DateOccurred"] = h.choice(("2008-02-30 10:00:00", "NOT KNOWN", "2009-13-01 00:00:00", "24:00"))
            reason = "bad DateOccurred"
        elif kind == "empty-date":
            values["DateOccurred"] = ""
            reason = "no DateOccurred"
        elif kind == "bad-key":
            values["ReportKey"] = h.choice(("NOT-A-GUID-1234", key[:-4], key.replace("-", ""), "ReportKey"))
            reason = "bad ReportKey"
        elif kind == "empty-key":
            values["ReportKey"] = ""
            reason = "no ReportKey"
        elif kind == "key-case":
            values["ReportKey"] = h.choice((key.lower(), "{" + key + "}"))
            problems.add("report-key-normalised")
        elif kind == "date-format":
            when = exp["date"]
            values["DateOccurred"] = f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}"
            problems.add("date-format")
        elif kind == "date-out-of-span":
            when = exp["date"].replace(year=h.choice((1970, 1999, 2031)))
            values["DateOccurred"] = when.strftime("%Y-%m-%d %H:%M:%S")
            exp["date"] = when
            problems.add("date-out-of-span")
        elif kind in ("nan-coordinates", "zero-coordinates"):
            if kind == "zero-coordinates":
                values["Latitude"] = values["Longitude"] = "0"
            else:
                column = h.choice(("Latitude", "Longitude"))
                values[column] = h.choice(("NaN", "nan", "inf", "-Infinity"))
            lat, lon = grid.mgrs_to_latlon(values["MGRS"])
            exp["latitude"], exp["longitude"] = lat, lon
            approx = True
            problems.update(("bad-coordinates", "coordinates-from-mgrs"))
        elif kind in ("out-of-range", "lone-coordinate"):
            if kind == "out-of-range":
                values["Latitude"], values["Longitude"] = h.choice((("95.5", values["Longitude"]),
                                                                    (values["Latitude"], "200.25"),
                                                                    ("-91", "-181")))  # fmt: skip
            else:
                values[h.choice(("Latitude", "Longitude"))] = ""
            values["MGRS"] = ""
            exp["mgrs"], exp["latitude"], exp["longitude"] = "", None, None
            problems.add("bad-coordinates")
        elif kind == "swapped-coordinates":
            values["Latitude"], values["Longitude"] = values["Longitude"], values["Latitude"]
            problems.add("coordinates-swapped")
        elif kind == "outside-theatre":
            lat, lon = h.choice(_FAR_POINTS)
            values["Latitude"], values["Longitude"], values["MGRS"] = str(lat), str(lon), ""
            exp["latitude"], exp["longitude"], exp["mgrs"] = lat, lon, ""
            problems.add("outside-theatre")
        elif kind == "mgrs-mismatch":
            other = self._far_place(rep.place)
            values["MGRS"] = exp["mgrs"] = grid.to_mgrs(other.lat, other.lon, 5)
            problems.add("mgrs-mismatch")
        elif kind == "bad-mgrs":
            zone = values["MGRS"][:3]
            values["MGRS"] = exp["mgrs"] = h.choice((f"{zone}WZ1234567890", "GRID UNKNOWN", values["MGRS"] + "1"))
            problems.add("bad-mgrs")
        elif kind in ("non-numeric-count", "float-count", "huge-count"):
            column = h.choice(COUNT_COLUMNS)
            attr = ATTRIBUTES[column]
            if kind == "float-count":
                values[column] = f"{exp[attr]}.0"
                problems.add("count-format")
            else:
                bad = ("two", "N/A", "-1", "1.5", "?", "3 KIA")
                values[column] = "9" * 40 if kind == "huge-count" else h.choice(bad)
                exp[attr] = None
                problems.add("bad-count")
        elif kind == "bad-boolean":
            values["ComplexAttack"] = h.choice(("MAYBE", "UNKNOWN", "2"))
            exp["complex_attack"] = None
            problems.add("bad-boolean")
        elif kind == "unknown-region":
            values["Region"] = exp["region"] = "RC SOUTHWEST" if self.theatre.name == "afghanistan" else "MND-X"
            problems.add("unknown-region")
        elif kind == "lowercase-region":
            values["Region"] = "  " + values["Region"].lower().replace(" ", "  ") + " "
        elif kind == "padding":
            for column in ("Type", "Category", "Title", "FriendlyWIA", "Latitude", "Longitude", "Classification"):
                values[column] = " " + values[column] + "  "
            values["Summary"] = "\n " + values["Summary"] + " \n"
        elif kind == "embedded-quotes":
            values["Title"] = exp["title"] = values["Title"].replace("RPT", 'RPT "QUOTED" ""TWICE""', 1)
            values["Summary"] = exp["summary"] = values["Summary"] + ' LN STATED: "THEY WENT NORTH", "TWO" OF THEM.'
        elif kind == "embedded-newlines":
            values["Summary"] = values["Summary"].replace(". ", ".\r\n", 2) + "\r\n\r\nUPDATE:\nNONE.\r\n"
            exp["summary"] = values["Summary"].replace("\r\n", "\n").strip()
        elif kind == "title-newline":
            values["Title"] = values["Title"].replace(" RPT ", "\nRPT\r\n", 1)
            exp["title"] = " ".join(values["Title"].split())
            problems.add("line-break")
        elif kind == "control-characters":
            values["Summary"] = values["Summary"].replace(" ", " \x07", 1) + " \x1b[31mRED\x1b[0m \x0b\x0c\x7f END"
            exp["summary"] = "".join("\ufffd" if c in "\x07\x1b\x0b\x0c\x7f" else c for c in values["Summary"])
            problems.add("control-characters")
        elif kind == "long-summary":
            size = h.randint(150_000, 400_000)
            sentence = " IVO " + values["MGRS"] + " AAF FIRED ON THE PATROL; QRF RESPONDED."
            values["Summary"] = exp["summary"] = values["Summary"] + sentence * (size // len(sentence))
        elif kind == "script-injection":
            values["Title"] = exp["title"] = '<script>alert("x")</script> ' + values["Title"]
            values["Summary"] = exp["summary"] = values["Summary"] + " <img src=x onerror=alert(1)> </td></tr>"
            values["UnitName"] = exp["unit_name"] = "<b onmouseover=alert(2)>" + values["UnitName"]
        elif kind == "bom-in-row":
            data = BOM + self._encode(values)
            problems.add("bom-in-row")
        elif kind == "invalid-utf8":
            # Each cp1252 byte stands alone: two side by side can form valid UTF-8 (C9 94 is U+0254).
            added = " \u201cNAMED\u201d CAF\u00c9 IN THE REPORT \u2013 NFI."
            values["Summary"] = exp["summary"] = values["Summary"] + added
            data = self._encode(values, encoding={"Summary": "cp1252"})
            problems.add("cp1252-bytes")
        else:  # pragma: no cover - the table and this function must agree
            raise AssertionError(f"unhandled hostile kind {kind}")

        if data is None:
            data = self._encode(values)
        if reason is not None:
            return GeneratedRow(number, values["ReportKey"] or None, data, self._newline(), kinds=(kind,),
                                outcome="quarantine", reason=reason)  # fmt: skip
        # (swapped coordinates: the parser swaps them back, so the clean values are expected)
        return GeneratedRow(number, key, data, self._newline(), kinds=(kind,), problems=frozenset(problems),
                            expected=exp, approx_position=approx)  # fmt: skip

    def _far_place(self, place: Place) -> Place:
        others = [p for p in self.theatre.places if abs(p.lat - place.lat) + abs(p.lon - place.lon) > 1.0]
        return self.hrng.choice(others)

    def _insert(self, kind: str, number: int) -> GeneratedRow | None:
        h = self.hrng
        if kind == "junk-line":
            data = h.choice((b"THIS LINE IS NOT A REPORT; IT WAS TYPED BY HAND", b"-- end of part 1 --", b"???"))
            return GeneratedRow(number, None, data, self._newline(), kinds=(kind,), outcome="quarantine",
                                reason="wrong column count: 1")  # fmt: skip
        if kind == "repeated-header":
            data = ",".join(self.columns).encode("ascii")
            return GeneratedRow(number, None, data, self._newline(), kinds=(kind,), outcome="quarantine",
                                reason="a repeated header row")  # fmt: skip
        if not self.recent:
            return None
        original, rep = h.choice(self.recent)
        if kind == "duplicate-same":
            return GeneratedRow(number, original.key, original.data, self._newline(), kinds=(kind,),
                                expected=dict(original.expected or {}))  # fmt: skip
        values = dict(rep.values)
        values["Summary"] = values["Summary"] + " UPDATE: CORRECTED GRID AND UNIT."
        exp = dict(rep.expected)
        exp["summary"] = values["Summary"].strip()
        return GeneratedRow(number, original.key, self._encode(values), self._newline(), kinds=(kind,),
                            expected=exp)  # fmt: skip


def generate_rows(count: int, seed: int = 0, *, variant: str = "32", hostile: bool = False) -> Iterator[GeneratedRow]:
    """The rows of a generated file, in order (``count`` reports, plus inserted rows when
    hostile).  ``file_prelude(variant, hostile)`` gives the bytes before the first row."""
    return _Generator(count, seed, variant, hostile).rows()


def file_prelude(variant: str, hostile: bool) -> bytes:
    """What a generated file holds before its first row: a BOM (hostile) and the header."""
    head = BOM if hostile else b""
    if variant != "32":
        head += ",".join(columns_of(variant)).encode("ascii") + b"\n"
    return head


@dataclass(slots=True)
class WriteStats:
    reports: int
    rows: int
    hostile_rows: int
    bytes: int
    seconds: float
    sidecar: Path | None = None
    kinds: dict[str, int] = field(default_factory=dict)


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    return p.with_name(p.name + ".hostile.json")


def write_warlogs(
    path: str | os.PathLike[str],
    count: int = DEFAULT_COUNT,
    seed: int = 0,
    *,
    variant: str = "32",
    hostile: bool = False,
    progress: Callable[[int], None] | None = None,
) -> WriteStats:
    """Write a generated file (atomically: a temporary file is renamed into place).  A
    hostile file gets a sidecar ``<path>.hostile.json`` listing its hostile rows."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    start = time.perf_counter()
    hostile_rows: list[dict[str, Any]] = []
    kinds: dict[str, int] = {}
    rows = reports = written = 0
    try:
        with open(tmp, "wb") as fh:
            prelude = file_prelude(variant, hostile)
            fh.write(prelude)
            written = len(prelude)
            batch: list[bytes] = []
            for row in generate_rows(count, seed, variant=variant, hostile=hostile):
                rows += 1
                if not set(row.kinds) & INSERT_KINDS.keys():
                    reports += 1
                if row.kinds:
                    hostile_rows.append(row.manifest())
                    for k in row.kinds:
                        kinds[k] = kinds.get(k, 0) + 1
                batch.append(row.data)
                batch.append(row.newline)
                if len(batch) >= 512:
                    data = b"".join(batch)
                    fh.write(data)
                    written += len(data)
                    batch.clear()
                    if progress:
                        progress(reports)
            data = b"".join(batch)
            fh.write(data)
            written += len(data)
            if progress:
                progress(reports)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    side = None
    if hostile:
        side = sidecar_path(path)
        manifest = {
            "generator": "cablemirror.demo.warlogs",
            "file": path.name,
            "variant": variant,
            "seed": seed,
            "count": count,
            "hostile_share": HOSTILE_SHARE,
            "insert_share": INSERT_SHARE,
            "rows": rows,
            "note": "every hostile row: imported with exactly these problem kinds, or quarantined with a reason "
            "starting with 'reason'; other rows import cleanly",
            "hostile": hostile_rows,
        }
        side.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return WriteStats(reports, rows, len(hostile_rows), written, time.perf_counter() - start, side, kinds)
