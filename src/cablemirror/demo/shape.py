"""The measured shape of the real release, as numbers, and samplers that follow it.

Only numbers live here; they were measured with throwaway scripts on the real files in
``../shared`` (never copied into the project) or taken from published release statistics:

Body size (bytes of the body block), 416 official Cable Viewer pages in
``corpus/cablegate-html``: mean 7,577, median 6,709, min 249, max 42,945; the twenty-quantiles
are ``BODY_SIZE_QUANTILES`` below.  (The 2,948 ``corpus/cables-csv`` records are smaller,
mean 5,814 / median 4,857, because that sample is mostly pre-2005 partial cables.)

Header mix, full-release scan in ``reference/cable2graph_STATS``: 193,225 VZCZC routing
headers (76.9%), 5,936 ACP-126 headers (2.4%), 49,082 partial (19.5%), 3,044 other (1.2%,
counted here as routing).  Partial records carry the release's partial-extract notice in the
header field, as every partial record of ``corpus/cables-csv`` does.

References, same scan: 232,319 references among 251,287 cables (0.92 a cable); of 132,215
distinct cited ids, 56,251 (42.5%) are not in the release.  Per-record reference counts in
``corpus/cables-csv``: 0: 53%, 1: 37%, 2: 6%, 3: 2.4%, 4+: 1.3% (scaled up here to the
full-release mean).  The release sorts and de-duplicates the ids of field 6.

Classification: published per-label counts of the release, 75,792 UNCLASSIFIED, 58,095
UNCLASSIFIED//FOR OFFICIAL USE ONLY, 97,070 CONFIDENTIAL, 4,678 CONFIDENTIAL//NOFORN,
11,322 SECRET, 4,330 SECRET//NOFORN (sum 251,287).  LIMITED OFFICIAL USE is listed among the
release's labels but had no record in the local samples; it gets a small share (0.5%, taken
from UNCLASSIFIED) so that every label appears.

Redactions: runs of X in ~1,200 of ~6,700 official pages (17.9%); 16.6% of the 416 local pages.

Line shape, body lines of ``corpus/cables-csv``: non-empty lines median 55 chars, 90% at most
61; 99% of lines end with a space; 13.5% of lines are a lone space (blank).

Sections: 56% of the 416 pages are one section; sectioned bodies hold ~3.3-3.5 KB a section
(2 sections: mean 6.5 KB, 3: 10.2 KB, 4: 13.2 KB, 5: 17.4 KB).  Routing headers: 6.3 INFO
recipients on average, one TO line in 93%.  Numbered paragraphs: mean 7.3; "Summary" in 65% of
bodies, "Comment:" in 33%, SIPDIS in 90% (local pages, mostly 2006-2010).

All-capitals bodies by year, ``corpus/cables-csv`` (and the pages for 2003 on): every cable
up to 1999, 65% in 2000, 96% in 2001, 94% in 2002, 29% in 2003, 6% in 2004, ~1% later.

Years: approximate published per-year counts of the release (no local file has them: the
local samples are biased by how they were chosen); 2010 ends on 28 February.
Origins: ~270 posts in the release, the largest few holding ~3% of cables each; a Zipf draw
with exponent ``ORIGIN_ZIPF`` over the 198 stations of ``data/stations.tsv`` gives the top
one ~4%.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from datetime import datetime, timedelta
from typing import Sequence, TypeVar

T = TypeVar("T")

BODY_SIZE_MIN = 249
BODY_SIZE_MAX = 42_945
BODY_SIZE_QUANTILES = (  # 5%, 10%, ..., 95%
    934, 1511, 2257, 3025, 3788, 4447, 5057, 5418, 5936, 6709,
    7214, 7689, 8352, 9316, 10193, 11408, 12199, 13420, 16816,
)  # fmt: skip
BODY_SIZE_MEAN = 7_577
BODY_SIZE_MEDIAN = 6_709

HEADER_SHARES = {"routing": 0.781, "acp": 0.024, "partial": 0.195}
PARTIAL_NOTICE = (
    "This record is a partial extract of the original cable. "
    "The full text of the original cable is not available."
)

CLASSIFICATION_COUNTS = {
    "UNCLASSIFIED": 75_792 - 1_256,
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": 58_095,
    "LIMITED OFFICIAL USE": 1_256,  # 0.5%, see above
    "CONFIDENTIAL": 97_070,
    "CONFIDENTIAL//NOFORN": 4_678,
    "SECRET": 11_322,
    "SECRET//NOFORN": 4_330,
}
CLASSIFIED = frozenset({"CONFIDENTIAL", "CONFIDENTIAL//NOFORN", "SECRET", "SECRET//NOFORN"})

REFS_PER_RECORD = {0: 0.47, 1: 0.33, 2: 0.10, 3: 0.05, 4: 0.03, 5: 0.015, 6: 0.003, 7: 0.001, 8: 0.001}
MISSING_REF_SHARE = 0.40
REDACTED_SHARE = 0.175
ORIGIN_ZIPF = 0.55
INFO_RECIPIENTS_MEAN = 6.3

# Share of cables per year; years before 2000 are thin.
YEAR_WEIGHTS = {
    1966: 0.0002, 1972: 0.0003, 1973: 0.0003, 1975: 0.0003, 1976: 0.0002, 1978: 0.0002,
    1979: 0.0002, 1985: 0.0002, 1986: 0.0002, 1987: 0.0002, 1988: 0.0003, 1989: 0.0004,
    1990: 0.0006, 1991: 0.0006, 1992: 0.0006, 1993: 0.0006, 1994: 0.0007, 1995: 0.0008,
    1996: 0.0008, 1997: 0.0009, 1998: 0.0010, 1999: 0.0014, 2000: 0.006, 2001: 0.009,
    2002: 0.013, 2003: 0.022, 2004: 0.040, 2005: 0.110, 2006: 0.190, 2007: 0.200,
    2008: 0.180, 2009: 0.190, 2010: 0.029,
}  # fmt: skip
LAST_CREATED = datetime(2010, 2, 28, 23, 59)
UPPERCASE_BY_YEAR = {1999: 1.0, 2000: 0.65, 2001: 0.96, 2002: 0.94, 2003: 0.29, 2004: 0.06}
UPPERCASE_LATER = 0.01


def uppercase_share(year: int) -> float:
    return UPPERCASE_BY_YEAR.get(year, 1.0 if year < 1999 else UPPERCASE_LATER)

# Header kind by era: old cables are mostly partial or ACP-126; the shares for 2005 on are
# solved so that the whole collection meets HEADER_SHARES.
_OLD_HEADER_SHARES = {
    1999: {"routing": 0.05, "acp": 0.35, "partial": 0.60},  # 1999 and before
    2003: {"routing": 0.25, "acp": 0.05, "partial": 0.70},  # 2000-2003
    2004: {"routing": 0.37, "acp": 0.03, "partial": 0.60},
}


def header_shares_for(year: int) -> dict[str, float]:
    """Shares of routing / acp / partial headers among the cables of a year."""
    if year <= 2004:
        return _old_header_shares(year)
    return _RECENT_HEADER_SHARES


def _solve_recent_shares() -> dict[str, float]:
    total = sum(YEAR_WEIGHTS.values())
    old = {k: 0.0 for k in HEADER_SHARES}
    old_weight = 0.0
    for year, w in YEAR_WEIGHTS.items():
        if year <= 2004:
            old_weight += w / total
            for k, v in _old_header_shares(year).items():
                old[k] += v * w / total
    recent = {k: (HEADER_SHARES[k] - old[k]) / (1 - old_weight) for k in HEADER_SHARES}
    assert all(v > 0 for v in recent.values()), recent
    return recent


def _old_header_shares(year: int) -> dict[str, float]:
    for until, shares in _OLD_HEADER_SHARES.items():
        if year <= until:
            return shares
    raise ValueError(f"no old header shares for {year}")


_RECENT_HEADER_SHARES = _solve_recent_shares()


def zipf_cum_weights(n: int, s: float = 1.0, offset: float = 1.0) -> list[float]:
    """Cumulative weights 1/(rank+offset)^s for ranks 0..n-1 (for random.choices)."""
    return list(itertools.accumulate(1.0 / (r + offset) ** s for r in range(n)))


class Picker:
    """Draws from a fixed sequence with fixed weights, fast (bisect on cumulative weights)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: Sequence[T], cum_weights: Sequence[float]) -> None:
        if len(items) != len(cum_weights) or not items:
            raise ValueError("items and cum_weights must be non-empty and of equal length")
        self.items = tuple(items)
        self.cum = list(cum_weights)
        self.total = self.cum[-1]

    @classmethod
    def zipf(cls, items: Sequence[T], s: float = 1.0, offset: float = 1.0) -> "Picker":
        return cls(items, zipf_cum_weights(len(items), s, offset))

    @classmethod
    def weighted(cls, weights: dict) -> "Picker":
        return cls(list(weights), list(itertools.accumulate(weights.values())))

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)]


class BodySize:
    """Inverse CDF of the measured body sizes: piecewise linear between the twenty-quantiles,
    log-linear in the top 5% so that a rare cable reaches the measured maximum."""

    def __init__(self) -> None:
        self.points = [(0.0, float(BODY_SIZE_MIN))]
        self.points += [((i + 1) / 20, float(q)) for i, q in enumerate(BODY_SIZE_QUANTILES)]

    def __call__(self, rng: random.Random) -> int:
        p = rng.random()
        if p >= 0.95:
            # top 5%: exponential tail from q95 to the max; (1-p) small => large sizes
            x = (p - 0.95) / 0.05
            lo, hi = math.log(BODY_SIZE_QUANTILES[-1]), math.log(BODY_SIZE_MAX)
            return int(math.exp(lo + (hi - lo) * x**2))
        i = int(p * 20)
        (p0, v0), (p1, v1) = self.points[i], self.points[i + 1]
        return int(v0 + (v1 - v0) * (p - p0) / (p1 - p0))


class Timeline:
    """Created date-times in release order: record i of n gets a time from the year weights,
    non-decreasing in i (the release's sequence numbers follow its dates)."""

    def __init__(self, count: int) -> None:
        self.count = max(count, 1)
        years = sorted(YEAR_WEIGHTS)
        total = sum(YEAR_WEIGHTS.values())
        self.years = years
        self.cum = list(itertools.accumulate(YEAR_WEIGHTS[y] / total for y in years))
        self.cum[-1] = 1.0

    def at(self, index: int, rng: random.Random) -> datetime:
        p = (index + rng.random()) / self.count
        k = min(bisect.bisect(self.cum, p), len(self.years) - 1)
        lo = self.cum[k - 1] if k else 0.0
        frac = (p - lo) / (self.cum[k] - lo)
        year = self.years[k]
        start = datetime(year, 1, 1)
        end = LAST_CREATED if year == LAST_CREATED.year else datetime(year + 1, 1, 1) - timedelta(minutes=1)
        minutes = int(frac * ((end - start).total_seconds() // 60))
        return start + timedelta(minutes=minutes)


def classification_picker() -> Picker:
    return Picker.weighted(CLASSIFICATION_COUNTS)


def refs_count_picker() -> Picker:
    return Picker.weighted(REFS_PER_RECORD)
