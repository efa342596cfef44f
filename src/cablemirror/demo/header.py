"""Header blocks: routing (VZCZC ...), older ACP-126, and the partial-extract notice.

Routing header, line by line: transmission id; precedence pair and relay routing
indicators; ``DE`` line (sender's indicator, ``#`` serial/section, day of year and time);
``ZNY CCCCC ZZH`` security line; date-time group ``P 091700Z SEP 08``; ``FM``; ``TO``
(indicator/name, precedence, message control number); ``INFO`` and its continuation lines.
The ACP-126 style has the date-time group first and no routing indicators.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from .lexicon import Lexicon, Station
from .shape import INFO_RECIPIENTS_MEAN, PARTIAL_NOTICE, Picker

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# precedence letter -> word on TO/INFO lines ("" for ROUTINE: the word is not written)
PRECEDENCE_WORDS = {"R": "", "P": "PRIORITY", "O": "IMMEDIATE", "Z": "FLASH"}
_PRECEDENCE = Picker.weighted({"R": 0.35, "P": 0.45, "O": 0.195, "Z": 0.005})
_SECURITY_LINE = {
    "CONFIDENTIAL": "ZNY CCCCC ZZH",
    "CONFIDENTIAL//NOFORN": "ZNY CCCCC ZZH",
    "SECRET": "ZNY SSSSS ZZH",
    "SECRET//NOFORN": "ZNY SSSSS ZZH",
}


def dtg(when: datetime, precedence: str) -> str:
    """Date-time group: ``P 091700Z SEP 08``."""
    return f"{precedence} {when.day:02d}{when.hour:02d}{when.minute:02d}Z {_MONTHS[when.month - 1]} {when.year % 100:02d}"


@dataclass(slots=True)
class HeaderContext:
    station: Station
    created: datetime
    serial: int
    sections: int
    classification: str
    region_peers: tuple[Station, ...]  # same-region posts, for INFO lines
    action_posts: tuple[Station, ...]  # where STATE sends its cables


class HeaderWriter:
    def __init__(self, lex: Lexicon) -> None:
        self.agencies = tuple(a.split("/", 1) for a in lex.parts["agencies"])
        self.prefixes = lex.parts["transmission_prefixes"]
        self.state = lex.stations[0]
        self._mcn: dict[tuple[str, str], int] = {}

    def _mcn_for(self, rng: random.Random, sender: str, to: str) -> str:
        # message control numbers count up per sender/recipient pair, wrapping at 10,000
        key = (sender, to)
        n = self._mcn.get(key)
        n = rng.randint(1, 9000) if n is None else n + rng.randint(1, 40)
        self._mcn[key] = n
        return f"{n % 10000:04d}"

    def _recipients(self, rng: random.Random, ctx: HeaderContext, k: int) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        seen = {ctx.station.token}
        for _ in range(k):
            if ctx.region_peers and rng.random() < 0.7:
                st = rng.choice(ctx.region_peers)
                if st.token in seen:
                    continue
                seen.add(st.token)
                out.append((st.routing, st.sender))
            else:
                ri, name = rng.choice(self.agencies)
                if name in seen:
                    continue
                seen.add(name)
                out.append((ri, name))
        return out

    def _line(self, rng: random.Random, sender: str, ri: str | None, name: str, prec: str) -> str:
        word = PRECEDENCE_WORDS[prec]
        parts = [f"{ri}/{name}" if ri else name]
        if word:
            parts.append(word)
        if rng.random() < 0.7:
            parts.append(self._mcn_for(rng, sender, name))
        return " ".join(parts)

    def routing(self, rng: random.Random, ctx: HeaderContext) -> str:
        st, when = ctx.station, ctx.created
        prec = _PRECEDENCE(rng)
        tid = f"VZCZC{rng.choice(self.prefixes)}{rng.randint(0, 9999):04d}"
        info = self._recipients(rng, ctx, min(int(rng.expovariate(1 / INFO_RECIPIENTS_MEAN)), 30))
        relays = [ri for ri, _ in info[: rng.randint(1, 6)]] or [self.state.routing]
        section = f"/{1:02d}" if ctx.sections > 1 else ""
        lines = [
            tid,
            f"{prec}{prec} " + " ".join(relays),
            f"DE {st.routing} #{ctx.serial % 10000:04d}{section} {when.timetuple().tm_yday:03d}{when.hour:02d}{when.minute:02d}",
            _SECURITY_LINE.get(ctx.classification, "ZNR UUUUU ZZH"),
            dtg(when, prec),
            f"FM {st.sender}",
        ]
        if st.kind == "state":
            posts = rng.sample(ctx.action_posts, k=min(len(ctx.action_posts), rng.choice((1, 1, 1, 2, 3))))
            to = [(p.routing, p.sender) for p in posts]
        else:
            to = [(self.state.routing, self.state.sender)]
            if rng.random() < 0.07:
                ri, name = rng.choice(self.agencies)
                to.append((ri, name))
        lines += [("TO " if i == 0 else "") + self._line(rng, st.sender, ri, name, prec) for i, (ri, name) in enumerate(to)]
        info_prec = prec if rng.random() < 0.6 else "R"
        lines += [("INFO " if i == 0 else "") + self._line(rng, st.sender, ri, name, info_prec) for i, (ri, name) in enumerate(info)]
        return "\n".join(lines) + "\n"

    def acp(self, rng: random.Random, ctx: HeaderContext) -> str:
        st, when = ctx.station, ctx.created
        prec = _PRECEDENCE(rng)
        first = dtg(when, prec)
        if rng.random() < 0.4:  # a separate precedence for the INFO addressees
            first = f"{prec} R" + first[1:]
        if rng.random() < 0.3:
            first += " " + rng.choice(("ZFF4", "ZFF3", "ZDS", "ZEX"))
        lines = [first, f"FM {st.sender}"]
        if st.kind == "state":
            posts = rng.sample(ctx.action_posts, k=min(len(ctx.action_posts), rng.choice((1, 1, 2))))
            to = [p.sender for p in posts]
        else:
            to = [self.state.sender]
        lines += [("TO " if i == 0 else "") + self._line(rng, st.sender, None, name, prec) for i, name in enumerate(to)]
        info = self._recipients(rng, ctx, min(int(rng.expovariate(1 / 4.0)), 15))
        lines += [("INFO " if i == 0 else "") + name + (" " if rng.random() < 0.3 else "") for i, (_, name) in enumerate(info)]
        return "\n".join(lines) + "\n"

    @staticmethod
    def partial() -> str:
        return PARTIAL_NOTICE + "\n\n"
