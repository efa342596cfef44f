"""The generator's own word lists, templates and stations, loaded from ``data/``.

Every file in ``data/`` was written for cablemirror: no text of the release is in it.
The files are plain text so that anyone can read, extend or translate them:

- ``stations.tsv``: the sending posts (id token, display name, kind, country tag, country,
  adjective, region, routing indicator), in popularity order;
- ``vocabulary.txt``: nouns (general and per topic), verbs, adjectives, names, acronyms;
- ``templates.txt``: sentence, clause and phrase templates with ``{slot}`` markers;
- ``parts.txt``: TAGS codes per topic, office symbols, INFO recipients, captions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Origin labels that the usual "Embassy X" / "Consulate X" rule would get wrong.
_ORIGIN_OVERRIDES = {
    "USUNNEWYORK": "USUN New York",
    "USNATO": "Mission USNATO",
    "UNVIEVIENNA": "UNVIE",
    "USEUBRUSSELS": "USEU Brussels",
}
_ORIGIN_BY_KIND = {
    "embassy": "Embassy {}",
    "consulate": "Consulate {}",
    "mission": "Mission {}",
    "office": "US Office {}",
    "reo": "REO {}",
    "usint": "US Interests Section {}",
    "ait": "American Institute Taiwan, {}",
}
# How the FM / TO / INFO lines of a header name a post of each kind.
_SENDER_BY_KIND = {
    "embassy": "AMEMBASSY {}",
    "consulate": "AMCONSUL {}",
    "mission": "USMISSION {}",
    "usun": "USMISSION {}",
    "office": "USOFFICE {}",
    "reo": "REO {}",
    "usint": "USINT {}",
    "ait": "AIT {}",
}


@dataclass(frozen=True, slots=True)
class Station:
    """A sending post: how ids, origins, headers and REF lines write it."""

    token: str  # as in reference ids: "RIODEJANEIRO"
    display: str  # as in text: "RIO DE JANEIRO"
    kind: str  # state | embassy | consulate | mission | usun | office | reo | usint | ait
    tag: str  # country (or organisation) code for TAGS lines
    country: str
    adjective: str
    region: str  # AF EAP EUR NEA SCA WHA IO DC
    routing: str  # routing indicator, e.g. "RUEHRK"
    rank: int  # 0 = sends the most cables
    origin: str  # the release's origin label, e.g. "Embassy Reykjavik"
    sender: str  # the post as FM/TO/INFO lines name it, e.g. "AMEMBASSY REYKJAVIK"
    address: str  # routing indicator and name, as on TO/INFO lines: "RUEHRK/AMEMBASSY REYKJAVIK"


def _origin(token: str, kind: str, display: str) -> str:
    if kind == "state":
        return "Secretary of State"
    if token in _ORIGIN_OVERRIDES:
        return _ORIGIN_OVERRIDES[token]
    return _ORIGIN_BY_KIND.get(kind, "Embassy {}").format(display.title())


def _sender(kind: str, display: str) -> str:
    if kind == "state":
        return "SECSTATE WASHDC"
    return _SENDER_BY_KIND.get(kind, "AMEMBASSY {}").format(display)


@dataclass(frozen=True, slots=True)
class Verb:
    base: str
    past: str
    third: str  # third person singular present


@dataclass(frozen=True, slots=True)
class Lexicon:
    stations: tuple[Station, ...]
    words: dict[str, tuple[str, ...]]  # vocabulary sections
    verbs: dict[str, tuple[Verb, ...]]  # "say" (take a clause), "act" (take an object)
    templates: dict[str, tuple[str, ...]]
    parts: dict[str, tuple[str, ...]]

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(k.split(".", 1)[1] for k in self.words if k.startswith("topic."))


def _read(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


def _sections(text: str, *, whole_lines: bool) -> dict[str, tuple[str, ...]]:
    """Parse "[section]" blocks: entries are whole lines (templates) or words ("_" = space)."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1], [])
            continue
        if current is None:
            raise ValueError(f"data line {lineno} comes before any [section]: {line!r}")
        if whole_lines:
            current.append(line)
        else:
            current.extend(w.replace("_", " ") for w in line.split())
    return {k: tuple(v) for k, v in out.items()}


def _regular_forms(base: str) -> Verb:
    vowels = "aeiou"
    if base.endswith("e"):
        past = base + "d"
    elif base.endswith("y") and base[-2:-1] not in vowels:
        past = base[:-1] + "ied"
    else:
        past = base + "ed"
    if base.endswith(("s", "sh", "ch", "x", "z")):
        third = base + "es"
    elif base.endswith("y") and base[-2:-1] not in vowels:
        third = base[:-1] + "ies"
    else:
        third = base + "s"
    return Verb(base, past, third)


def _verb(entry: str) -> Verb:
    if ":" in entry:
        parts = entry.split(":")
        if len(parts) != 3:
            raise ValueError(f"verb entry {entry!r} must be base:past:third")
        return Verb(*parts)
    return _regular_forms(entry)


def _stations(text: str) -> tuple[Station, ...]:
    rows: list[Station] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        if len(cols) != 8:
            raise ValueError(f"stations.tsv line {lineno}: expected 8 tab-separated columns, got {len(cols)}")
        token, display, kind, tag, country, adjective, region, routing = cols
        if token != display.replace(" ", ""):
            raise ValueError(f"stations.tsv line {lineno}: token {token!r} is not display {display!r} without spaces")
        sender = _sender(kind, display)
        origin = _origin(token, kind, display)
        rows.append(
            Station(token, display, kind, tag, country, adjective, region, routing, len(rows), origin, sender, f"{routing}/{sender}")
        )
    return tuple(rows)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load (once) and check the data files."""
    words = _sections(_read("vocabulary.txt"), whole_lines=False)
    verbs = {k.split(".", 1)[1]: tuple(_verb(v) for v in words.pop(k)) for k in list(words) if k.startswith("verbs.")}
    return Lexicon(
        stations=_stations(_read("stations.tsv")),
        words=words,
        verbs=verbs,
        templates=_sections(_read("templates.txt"), whole_lines=True),
        parts=_sections(_read("parts.txt"), whole_lines=False),
    )
