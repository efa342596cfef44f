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
        # INFO-line agencies, as (routing indicator, name, "RI/NAME")
        self.agencies = tuple((ri, name, f"{ri}/{name}") for ri, name in (a.split("/", 1) for a in lex.parts["agencies"]))
        self.prefixes = lex.parts["transmission_prefixes"]
        self.state = lex.stations[0]

    def _recipients(self, rng: random.Random, ctx: HeaderContext, k: int) -> list[tuple[str, str, str]]:
        """k INFO addressees (fewer when a draw repeats): mostly posts of the sender's
        region, else Washington agencies and commands."""
        rand = rng.random
        peers, agencies = ctx.region_peers, self.agencies
        out: list[tuple[str, str, str]] = []
        seen = {ctx.station.sender}
        for _ in range(k):
            if peers and rand() < 0.7:
                st = peers[int(rand() * len(peers))]
                item = (st.routing, st.sender, st.address)
            else:
                item = agencies[int(rand() * len(agencies))]
            if item[1] not in seen:
                seen.add(item[1])
                out.append(item)
        return out

    @staticmethod
    def _lines(rng: random.Random, first: str, addresses: list[str], prec: str) -> list[str]:
        """TO or INFO lines: address, precedence word, message control number (mostly)."""
        rand = rng.random
        word = PRECEDENCE_WORDS[prec]
        tail = f" {word}" if word else ""
        out = []
        for addr in addresses:
            line = addr + tail
            if rand() < 0.7:
                line += f" {int(rand() * 10000):04d}"
            out.append(line)
        if out:
            out[0] = first + out[0]
        return out

    def routing(self, rng: random.Random, ctx: HeaderContext) -> str:
        rand = rng.random
        st, when = ctx.station, ctx.created
        prec = _PRECEDENCE(rng)
        prefixes = self.prefixes
        tid = f"VZCZC{prefixes[int(rand() * len(prefixes))]}{int(rand() * 10000):04d}"
        info = self._recipients(rng, ctx, min(int(rng.expovariate(1 / INFO_RECIPIENTS_MEAN)), 30))
        relays = [ri for ri, _, _ in info[: 1 + int(rand() * 6)]] or [self.state.routing]
        section = "/01" if ctx.sections > 1 else ""
        lines = [
            tid,
            f"{prec}{prec} " + " ".join(relays),
            f"DE {st.routing} #{ctx.serial % 10000:04d}{section} {when.timetuple().tm_yday:03d}{when.hour:02d}{when.minute:02d}",
            _SECURITY_LINE.get(ctx.classification, "ZNR UUUUU ZZH"),
            dtg(when, prec),
            f"FM {st.sender}",
        ]
        if st.kind == "state":
            k = (1, 1, 1, 2, 3)[int(rand() * 5)]
            to = [p.address for p in rng.sample(ctx.action_posts, k=min(len(ctx.action_posts), k))]
        else:
            to = [self.state.address]
            if rand() < 0.07:
                to.append(self.agencies[int(rand() * len(self.agencies))][2])
        lines += self._lines(rng, "TO ", to, prec)
        lines += self._lines(rng, "INFO ", [a for _, _, a in info], prec if rand() < 0.6 else "R")
        return "\n".join(lines) + "\n"

    def acp(self, rng: random.Random, ctx: HeaderContext) -> str:
        rand = rng.random
        st, when = ctx.station, ctx.created
        prec = _PRECEDENCE(rng)
        first = dtg(when, prec)
        if rand() < 0.4:  # a separate precedence for the INFO addressees
            first = f"{prec} R" + first[1:]
        if rand() < 0.3:
            first += " " + ("ZFF4", "ZFF3", "ZDS", "ZEX")[int(rand() * 4)]
        lines = [first, f"FM {st.sender}"]
        if st.kind == "state":
            to = [p.sender for p in rng.sample(ctx.action_posts, k=min(len(ctx.action_posts), 1 + int(rand() * 2)))]
        else:
            to = [self.state.sender]
        lines += self._lines(rng, "TO ", to, prec)
        info = self._recipients(rng, ctx, min(int(rng.expovariate(1 / 4.0)), 15))
        # no routing indicators in this style; some lines keep a trailing space
        lines += [("INFO " if i == 0 else "") + name + (" " if rand() < 0.3 else "") for i, (_, name, _) in enumerate(info)]
        return "\n".join(lines) + "\n"

    @staticmethod
    def partial() -> str:
        return PARTIAL_NOTICE + "\n\n"
