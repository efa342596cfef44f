"""Generate a synthetic ``cables.csv``: the demo collection and the full-size benchmark corpus.

``generate_cables(count, seed)`` yields ``GeneratedCable`` records in release order (sequence
numbers 1..count, created dates non-decreasing); ``write_cables_csv(path, count, seed)``
streams them to disk in the release's format:

- one record per line group, 8 double-quoted fields separated by commas, no header row:
  sequence, ``M/D/YYYY H:MM``, reference id, origin, classification, referenced ids joined by
  ``|`` (sorted, unique), header, body;
- inside a field ``\\`` ``"`` and ``'`` are escaped with a backslash (never doubled quotes);
  fields span lines; each record ends with a newline.

The same (count, seed) always gives the same bytes.  What is generated, and the measured
numbers it follows, is described in ``shape.py`` (numbers), ``header.py`` and ``body.py``
(layout); every body carries the line ``GENERATED DEMO DATA`` under its classification line,
and all people named are fictional.

References: about 40% of the cited ids are of cables that exist nowhere in the generated
collection (like the release's known-but-missing cables); the rest cite generated cables that
came earlier.  A missing id is guaranteed absent: it is either a serial that the station's
counter skipped, or a serial above the last one a station used in a year that is over.
"""

from __future__ import annotations

import os
import random
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from .body import BodySpec, BodyWriter
from .header import HeaderContext, HeaderWriter
from .lexicon import Lexicon, Station, load_lexicon
from .prose import REDACTION, Cast, Names, TopicPool, build_pool
from .shape import (
    MISSING_REF_SHARE,
    ORIGIN_ZIPF,
    REDACTED_SHARE,
    YEAR_WEIGHTS,
    BodySize,
    Picker,
    Timeline,
    classification_picker,
    header_shares_for,
    refs_count_picker,
    uppercase_share,
    zipf_cum_weights,
)

DEFAULT_COUNT = 251_287  # the size of the full release
DEFAULT_DEMO_COUNT = 1_000

# How often each topic leads a cable.
TOPIC_WEIGHTS = {
    "politics": 0.30, "economy": 0.13, "security": 0.10, "rights": 0.09, "aid": 0.08,
    "military": 0.07, "energy": 0.06, "crime": 0.05, "consular": 0.05, "nonproliferation": 0.03,
    "media": 0.04,
}  # fmt: skip
# Roughly how many cables a post of each kind numbers in a year (released or not): sets the
# serial numbers' range and how many are skipped.
_ANNUAL_SERIALS = {"state": 130_000, "embassy": 1_500, "big": 3_500, "consulate": 700, "mission": 2_000, "usun": 2_000}


def escape_field(value: str) -> str:
    """Backslash-escape a field for cables.csv (``\\`` first, then ``"`` and ``'``)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'")


def format_created(when: datetime) -> str:
    """``M/D/YYYY H:MM``, as the release writes it (no leading zeros but in the minutes)."""
    return f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}"


@dataclass(frozen=True, slots=True)
class GeneratedCable:
    sequence: int
    created: datetime
    reference_id: str
    origin: str
    classification: str
    references: tuple[str, ...]  # canonical ids the REF line cites: field 6, sorted
    header: str
    body: str
    header_kind: str  # "routing" | "acp" | "partial"
    cited_missing: tuple[str, ...]  # those of ``references`` that exist nowhere in the collection
    topic: str
    redacted: bool

    def csv_record(self) -> str:
        """The record as one (multi-line) cables.csv entry, newline-terminated."""
        return (
            f'"{self.sequence}","{format_created(self.created)}","{self.reference_id}",'
            f'"{escape_field(self.origin)}","{self.classification}","{"|".join(self.references)}",'
            f'"{escape_field(self.header)}","{escape_field(self.body)}"\n'
        )


@dataclass(slots=True)
class _Sent:
    when: datetime
    station: Station
    year: int
    serial: int

    @property
    def id(self) -> str:
        return f"{self.year % 100:02d}{self.station.token}{self.serial}"


class _Serials:
    """Per station and year, serial numbers that only go up, with skipped numbers remembered."""

    def __init__(self, count: int, stations: tuple[Station, ...]) -> None:
        cum = zipf_cum_weights(len(stations), ORIGIN_ZIPF)
        total = cum[-1]
        shares = [b - a for a, b in zip([0.0] + cum[:-1], cum)]
        year_total = sum(YEAR_WEIGHTS.values())
        self._gap: dict[tuple[str, int], float] = {}
        for st, share in zip(stations, shares):
            kind = "big" if st.kind == "embassy" and st.rank < 30 else st.kind
            annual = _ANNUAL_SERIALS.get(kind, 500)
            for year, w in YEAR_WEIGHTS.items():
                expected = count * (share / total) * (w / year_total)
                self._gap[(st.token, year)] = max(1.0, annual / max(expected, 0.5))
        self.last: dict[tuple[str, int], int] = {}
        self.holes: dict[tuple[str, int], deque[int]] = {}

    def next(self, rng: random.Random, st: Station, year: int) -> int:
        key = (st.token, year)
        gap_mean = self._gap.get(key, 5.0)
        prev = self.last.get(key, 0)
        gap = 1 + int(rng.expovariate(1.0 / (gap_mean - 1))) if gap_mean > 1.0 else 1
        if prev == 0:  # the year's first released cable rarely has serial 1
            gap = 1 + int(rng.random() * gap_mean)
        serial = prev + gap
        if gap > 1:
            self.holes.setdefault(key, deque(maxlen=32)).append(prev + 1 + int(rng.random() * (gap - 1)))
        self.last[key] = serial
        return serial


class _References:
    """Chooses what a cable cites: earlier generated cables, or ids that will never exist."""

    def __init__(self, state: Station, stations: tuple[Station, ...], serials: _Serials) -> None:
        self.state = state
        self.stations = stations
        self.serials = serials
        self.recent: deque[_Sent] = deque(maxlen=2048)
        self.by_station: dict[str, deque[_Sent]] = {}
        self.cited = 0
        self.missing = 0

    def remember(self, sent: _Sent) -> None:
        self.recent.append(sent)
        self.by_station.setdefault(sent.station.token, deque(maxlen=64)).append(sent)

    def _existing(self, rng: random.Random, st: Station, now: datetime) -> _Sent | None:
        r = rng.random()
        pool = self.by_station.get(st.token if r < 0.45 else self.state.token if r < 0.7 else "") or self.recent
        for _ in range(4):
            if not pool:
                return None
            cand = pool[int(rng.random() * len(pool))]
            if cand.when < now:
                return cand
        return None

    def _missing(self, rng: random.Random, st: Station, now: datetime) -> tuple[Station, int, int]:
        r = rng.random()
        target = st if r < 0.5 else self.state if r < 0.75 else self.stations[int(rng.random() ** 2 * len(self.stations))]
        holes = self.serials.holes.get((target.token, now.year))
        if holes and rng.random() < 0.6:
            return target, now.year, holes[int(rng.random() * len(holes))]
        # a year that is over: above the last serial the station used then (or anything, if none)
        year = now.year - 1 - int(rng.expovariate(1.0))
        last = self.serials.last.get((target.token, year), 0)
        return target, year, last + 1 + int(rng.random() * 400)

    def choose(self, rng: random.Random, st: Station, now: datetime, k: int) -> list[tuple[Station, int, int, bool]]:
        """k citations as (station, year, serial, missing)."""
        out = []
        for _ in range(k):
            # steer the running share of missing ids towards the target
            p = MISSING_REF_SHARE + (MISSING_REF_SHARE * (self.cited + 1) - self.missing) / 20.0
            sent = None if rng.random() < p else self._existing(rng, st, now)
            if sent is None:
                out.append((*self._missing(rng, st, now), True))
                self.missing += 1
            else:
                out.append((sent.station, sent.year, sent.serial, False))
            self.cited += 1
        return out


class CableGenerator:
    """Holds the state of one generation run (pools, serial counters, citation memory)."""

    def __init__(self, count: int, seed: int, lexicon: Lexicon | None = None) -> None:
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        self.count = count
        self.seed = seed
        self.lex = lex = lexicon or load_lexicon()
        pool_rng = random.Random(f"cablemirror-demo/{seed}/pool")
        # sentences per topic: more for bigger runs, so that sentences repeat less (memory stays
        # flat: the pool is the only thing that grows with count, and it is capped)
        size = min(20_000, max(1_500, count // 8))
        self.pools: dict[str, TopicPool] = {t: build_pool(lex, t, pool_rng, size) for t in lex.topics}
        self.rng = random.Random(f"cablemirror-demo/{seed}/records")
        stations = lex.stations
        self.stations = stations
        self.station_pick = Picker.zipf(stations, s=ORIGIN_ZIPF)
        self.embassies = tuple(s for s in stations if s.kind == "embassy")
        self.by_region: dict[str, tuple[Station, ...]] = {}
        for s in stations:
            self.by_region[s.region] = self.by_region.get(s.region, ()) + (s,)
        self.topic_pick = Picker.weighted(TOPIC_WEIGHTS)
        self.class_pick = classification_picker()
        self.refs_pick = refs_count_picker()
        self.body_size = BodySize()
        self.timeline = Timeline(count)
        self.serials = _Serials(count, stations)
        self.references = _References(stations[0], stations, self.serials)
        self.names = Names(lex)
        self.titles = lex.words["titles"]
        self.headers = HeaderWriter(lex)
        self.bodies = BodyWriter(lex)
        self.topic_tags = {k.split(".", 1)[1]: v for k, v in lex.parts.items() if k.startswith("tags.")}
        self._chiefs: dict[tuple[str, int], str] = {}

    # -- people ---------------------------------------------------------------------------
    def _chief(self, st: Station, year: int) -> str:
        """The (fictional) head of a post in a three-year term: signs its cables."""
        key = (st.token, year // 3)
        name = self._chiefs.get(key)
        if name is None:
            r = random.Random(f"cablemirror-demo/{self.seed}/chief/{key}")
            name = self._chiefs[key] = self.names.full(r)
        return name

    # -- one cable ------------------------------------------------------------------------
    def _tags(self, rng: random.Random, topic: str, second: str, st: Station, subject: Station) -> list[str]:
        prim, sec = self.topic_tags[topic], self.topic_tags[second]
        tags = [prim[int(rng.random() ** 2 * len(prim))] for _ in range(rng.randint(1, 3))]
        tags += [sec[int(rng.random() ** 2 * len(sec))] for _ in range(rng.choice((0, 0, 1, 2)))]
        tags.append(subject.tag)
        if rng.random() < 0.2:
            tags.append(rng.choice(self.by_region[subject.region]).tag)
        if st.kind in ("mission", "usun"):
            tags.append(st.tag)
        return list(dict.fromkeys(t for t in tags if t and t != "US"))

    def _ref_text(self, rng: random.Random, cited: tuple[Station, int, int, bool], year: int) -> str:
        st, y, serial, _ = cited
        num = f"{serial:05d}" if rng.random() < 0.15 else str(serial)
        text = f"{st.display} {num}" if y == year else f"{y % 100:02d} {st.display} {num}"
        return text + " (NOTAL)" if rng.random() < 0.03 else text

    def make(self, index: int) -> GeneratedCable:
        rng = self.rng
        when = self.timeline.at(index, rng)
        year = when.year
        st: Station = self.station_pick(rng)
        serial = self.serials.next(rng, st, year)
        classification = self.class_pick(rng)
        topic = self.topic_pick(rng)
        second = self.topic_pick(rng)
        subject = st if st.kind not in ("state", "mission", "usun") else self.embassies[int(rng.random() ** 2 * len(self.embassies))]

        redacted = rng.random() < REDACTED_SHARE
        chief = self._chief(st, year)
        official = f"{rng.choice(self.titles)} {self.names.surname(rng)}"
        cast = Cast(
            official=REDACTION if redacted and rng.random() < 0.3 else official,
            source=REDACTION if redacted else self.names.full(rng),
            gov="GO" + subject.country[0] if subject.kind != "state" else "USG",
            country=subject.country,
            adjective=subject.adjective,
            city=subject.display.title(),
        )

        cited = self.references.choose(rng, st, when, self.refs_pick(rng) if year >= 1970 else 0)
        ref_texts = [self._ref_text(rng, c, year) for c in cited]
        if ref_texts and rng.random() < 0.05:  # refs that are not cables: no id
            ref_texts.append(rng.choice(("EMAIL", "TELCON", "MEMCON")) + f" {when.month}/{max(when.day - 2, 1)}/{year % 100:02d}")
        ids = {f"{y % 100:02d}{s.token}{n}": missing for s, y, n, missing in cited}

        target = self.body_size(rng)
        sections = 1
        if target > 1600 and rng.random() < min(0.9, target / 12_000):
            sections = max(2, round(target / 3_400))

        kind_shares = header_shares_for(year)
        r = rng.random()
        kind = "routing" if r < kind_shares["routing"] else "acp" if r < kind_shares["routing"] + kind_shares["acp"] else "partial"
        hctx = HeaderContext(st, when, serial, sections, classification, self.by_region.get(st.region, ()), self.embassies)
        header = (
            self.headers.routing(rng, hctx)
            if kind == "routing"
            else self.headers.acp(rng, hctx)
            if kind == "acp"
            else self.headers.partial()
        )
        signature = (chief if rng.random() < 0.85 else self.names.full(rng)).split()[-1].upper()
        spec = BodySpec(
            station=st,
            serial=serial,
            created=when,
            classification=classification,
            sections=sections,
            target=target,
            pools=(self.pools[topic], self.pools[second]),
            cast=cast.fill,
            tags=self._tags(rng, topic, second, st, subject),
            refs=ref_texts,
            signature=signature,
            classifier=chief if rng.random() < 0.6 else self.names.full(rng),
            uppercase=rng.random() < uppercase_share(year),
            width=rng.randint(59, 65),
        )
        body = self.bodies.write(rng, spec)
        sent = _Sent(when, st, year, serial)
        self.references.remember(sent)
        return GeneratedCable(
            sequence=index + 1,
            created=when,
            reference_id=sent.id,
            origin=st.origin,
            classification=classification,
            references=tuple(sorted(ids)),
            header=header,
            body=body,
            header_kind=kind,
            cited_missing=tuple(sorted(i for i, m in ids.items() if m)),
            topic=topic,
            redacted=redacted,
        )


def generate_cables(count: int, seed: int) -> Iterator[GeneratedCable]:
    """Yield ``count`` synthetic cables in release order; the same (count, seed), the same cables."""
    gen = CableGenerator(count, seed)
    for i in range(count):
        yield gen.make(i)


@dataclass(frozen=True, slots=True)
class WriteStats:
    records: int
    bytes: int
    seconds: float


def write_cables_csv(
    path: str | os.PathLike[str],
    count: int = DEFAULT_DEMO_COUNT,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> WriteStats:
    """Stream ``count`` generated cables to ``path`` in cables.csv format (atomically: a
    temporary file is renamed into place, so a crash leaves no half-written file)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    start = time.perf_counter()
    written = 0
    batch: list[str] = []
    done = 0
    try:
        with open(tmp, "wb") as fh:
            for cable in generate_cables(count, seed):
                batch.append(cable.csv_record())
                if len(batch) >= 256:
                    data = "".join(batch).encode("utf-8")
                    fh.write(data)
                    written += len(data)
                    done += len(batch)
                    batch.clear()
                    if progress:
                        progress(done)
            if batch:
                data = "".join(batch).encode("utf-8")
                fh.write(data)
                written += len(data)
                done += len(batch)
                if progress:
                    progress(done)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return WriteStats(records=done, bytes=written, seconds=time.perf_counter() - start)
