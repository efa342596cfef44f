"""The war-diary reports in the store: what every backend answers, whatever its SQL.

A report is stored like a cable: one row per ReportKey holding the current version,
every distinct raw row as a version (unique by the sha256 of its bytes, compressed,
with provenance), the quarantine shared with the cables.  These are the values the
report methods of ``base.Store`` take and give; ``sqlite_reports.ReportsMixin`` is
the SQLite implementation.

- ``ReportHit`` / ``ReportPage``: a page of a search or browse of reports, with the
  exact total and the facets (type, category, region, attack, unittype, year,
  theatre) over the whole result set;
- ``ReportBins``: the reports matching a query, counted on a square grid of cells
  ``step`` degrees wide (``step`` a power of two: bins are exactly the ``box:``
  queries the map links them to), with the reports outside the box and those
  without a position counted apart, so the parts add up to the total;
- ``ReportTimeline``: reports per month by type, and casualties per month by group.

Which version of a report is current: the most complete one (``completeness``), and
among equally complete ones the one imported last (a later release corrects an earlier
one).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..search.fields import ValueProblem, normalize_attack, normalize_keyword, normalize_region, normalize_report_id
from ..search.text import words
from ..warlogs.model import ATTRIBUTES, COLUMNS, Report

__all__ = [
    "REPORT_FACETS",
    "REPORT_SORTS",
    "CASUALTY_GROUPS",
    "CELL_BITS",
    "MIN_STEP",
    "ReportHit",
    "ReportPage",
    "ReportBin",
    "ReportBins",
    "MonthRow",
    "ReportTimeline",
    "completeness",
    "keyword_key",
    "unit_words",
    "normalize_report_key",
    "cell_of",
    "check_step",
    "check_bbox",
]

# Facet name -> the query field its values are conditions on.
REPORT_FACETS: dict[str, str] = {
    "type": "type",
    "category": "category",
    "region": "region",
    "attack": "attack",
    "unittype": "unittype",
    "year": "date",
    "theatre": "theatre",
}
# Sort name -> what it means (for pages and errors).
REPORT_SORTS: dict[str, str] = {
    "relevance": "best match",
    "date": "oldest first",
    "-date": "newest first",
    "-kia": "most killed first",
    "-wia": "most wounded first",
    "-civilian": "most civilian casualties first",
}
# The four groups of people a report counts, with their columns (killed, wounded).
CASUALTY_GROUPS: dict[str, tuple[str, str]] = {
    "friendly": ("friendly_kia", "friendly_wia"),
    "host_nation": ("host_nation_kia", "host_nation_wia"),
    "civilian": ("civilian_kia", "civilian_wia"),
    "enemy": ("enemy_kia", "enemy_wia"),
}

# Positions are also kept as grid cells of 2**-CELL_BITS degrees (about 430 m): a map
# bin of 2**-k degrees (k <= CELL_BITS) is then cell >> (CELL_BITS - k), exact integer
# arithmetic that agrees with box: at every edge.
CELL_BITS = 8
MIN_STEP = 2.0**-CELL_BITS
MAX_STEP = 16.0


_KEY = re.compile(r"[0-9A-Z-]{1,64}")


def normalize_report_key(key: str) -> str | None:
    """The stored form of a ReportKey as a URL or a user writes it (lower case, in
    braces, with spaces around), or None when it cannot be one."""
    if not isinstance(key, str):
        return None
    value = key.strip().strip("{}").strip().upper()
    return value if _KEY.fullmatch(value) else None


_NORMALIZERS = {"keyword": normalize_keyword, "region": normalize_region, "attack": normalize_attack,
                "id": normalize_report_id}  # fmt: skip


@lru_cache(maxsize=8192)  # a few dozen types, categories and regions recur on every row
def keyword_key(value: str, kind: str = "keyword") -> str:
    """What a query compares a stored value with (``type:``, ``category:``,
    ``unittype:`` for kind "keyword"; ``region:``, ``attack:``, ``tracking:``), as the
    query language normalises the value; "" for a value it cannot name (it matches
    nothing, as in ``search.evaluate``)."""
    if not value:
        return ""
    try:
        return _NORMALIZERS[kind](value)
    except ValueProblem:
        return ""


def unit_words(report: Report) -> str:
    """The folded words of ReportingUnit and UnitName for ``unit:``; " | " keeps a
    phrase from running from one into the other."""
    return _folded(report.reporting_unit) + " | " + _folded(report.unit_name)


@lru_cache(maxsize=4096)  # units recur
def _folded(text: str) -> str:
    return " ".join(words(text))


def completeness(report: Report) -> int:
    """How much a version says: 1000 per column with a value, less one per problem the
    parser found (a damaged copy of the same report ranks below a clean one)."""
    filled = 0
    for attr in _ATTRS:
        value = getattr(report, attr)
        if value is not None and value != "":
            filled += 1
    return filled * 1000 - min(len(report.problems), 999)


_ATTRS = tuple(ATTRIBUTES[c] for c in COLUMNS)


def cell_of(lat: float | None, lon: float | None) -> tuple[int | None, int | None]:
    """The grid cell of a position (row, column), or (None, None) without one."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None, None
    scale = 1 << CELL_BITS  # a power of two: the products are exact
    return math.floor(lat * scale), math.floor(lon * scale)


def check_step(step: float) -> int:
    """The shift that turns a cell into a bin of ``step`` degrees; ValueError unless
    ``step`` is a power of two between MIN_STEP and MAX_STEP."""
    if not isinstance(step, (int, float)) or not MIN_STEP <= step <= MAX_STEP:
        raise ValueError(f"a bin is {MIN_STEP:g} to {MAX_STEP:g} degrees wide, not {step!r}")
    mantissa, exponent = math.frexp(step)
    if mantissa != 0.5:
        raise ValueError(f"a bin width must be a power of two degrees (1, 0.5, 0.25 ...), not {step!r}")
    k = 1 - exponent  # step == 2 ** -k
    return CELL_BITS - k


def check_bbox(bbox: Any) -> tuple[float, float, float, float]:
    """(south, west, north, east) in degrees, or ValueError."""
    try:
        s, w, n, e = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise ValueError(f"a bounding box is four numbers south, west, north, east, not {bbox!r}") from None
    if not all(math.isfinite(v) for v in (s, w, n, e)) or not (-90 <= s < n <= 90 and -180 <= w < e <= 180):
        raise ValueError(f"not a bounding box (south < north in -90..90, west < east in -180..180): {bbox!r}")
    return s, w, n, e


@dataclass(slots=True)
class ReportHit:
    """One report in a list: what a result row shows, without the summary."""

    key: str
    date: str  # ISO 8601
    title: str
    type: str
    category: str
    region: str
    attack_on: str
    theatre: str
    kia: int
    wia: int
    civilian: int
    friendly_kia: int | None
    host_nation_kia: int | None
    civilian_kia: int | None
    enemy_kia: int | None
    enemy_detained: int | None
    latitude: float | None
    longitude: float | None
    mgrs: str
    tracking_number: str
    generated: bool
    snippet: str = ""  # the matched words between the hit marks (empty without words)
    score: float = 0.0  # relevance (higher is better) when the page was ranked

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]


@dataclass(slots=True)
class ReportPage:
    total: int  # exact number of matching reports
    hits: list[ReportHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportBin:
    """The reports of one grid cell: ``row``/``col`` number the cell (its south-west
    corner is ``row * step``, ``col * step``); lat/lon is their mean position."""

    row: int
    col: int
    count: int
    lat: float
    lon: float

    def box(self, step: float) -> tuple[float, float, float, float]:
        """(south, west, north, east) of the cell: the ``box:`` that selects exactly these."""
        return self.row * step, self.col * step, (self.row + 1) * step, (self.col + 1) * step


@dataclass(slots=True)
class ReportBins:
    total: int  # reports matching the query
    step: float  # cell width in degrees
    bbox: tuple[float, float, float, float]  # (south, west, north, east) the cells cover
    bins: list[ReportBin] = field(default_factory=list)
    outside: int = 0  # with a position outside bbox
    unlocated: int = 0  # without a position

    @property
    def binned(self) -> int:
        return sum(b.count for b in self.bins)


@dataclass(slots=True)
class MonthRow:
    month: str  # "2008-07"
    reports: int
    by_type: dict[str, int] = field(default_factory=dict)  # type as written (most common spelling) -> reports
    killed: dict[str, int] = field(default_factory=dict)  # group (CASUALTY_GROUPS) -> sum of its KIA
    wounded: dict[str, int] = field(default_factory=dict)
    detained: int = 0


@dataclass(slots=True)
class ReportTimeline:
    total: int  # reports matching the query (every report has a date)
    months: list[MonthRow] = field(default_factory=list)  # months with reports, in order
    types: list[tuple[str, int]] = field(default_factory=list)  # every type over the whole range, by count
