"""Which fields a collection's queries may name, and how their values are written.

A ``FieldTable`` is per collection (cables, war-diary reports); the store passes it
to ``parse_query``.  Each ``FieldSpec`` says the value kind:

- ``text``: words within a text field (``origin:almaty``, ``subject:"civil society"``):
  the value is folded like full text and matches as a phrase inside the field;
- ``keyword``: one value of a closed or open vocabulary (``tag:PGOV``,
  ``class:secret``), compared case-insensitively after normalisation;
- ``id``: a record identifier (``id:05ALMATY2985``, ``id:05ALMATY*``);
- ``date``: a day, month or year (``date:2005-08``; ``from:``/``to:`` bound ``date``);
- ``number``: a whole number compared with ``= > >= < <=`` (``kia>2``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from .nodes import PRIMARY_DATE_FIELD, QUOTE_CHARS

TEXT = "text"
KEYWORD = "keyword"
ID = "id"
DATE = "date"
NUMBER = "number"
KINDS = (TEXT, KEYWORD, ID, DATE, NUMBER)

# Words that bound the collection's main date field; not fields of their own.
BOUND_WORDS = ("from", "to")

MAX_NUMBER = 10**9


class ValueProblem(ValueError):
    """A field value that cannot be used; the message is for the user."""


Normalizer = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: str
    help: str
    example: str
    aliases: tuple[str, ...] = ()
    prefix: bool = False  # accepts ``value*``
    normalize: Normalizer | None = None  # keyword/id values: canonical form or ValueProblem
    normalize_prefix: Normalizer | None = None  # for ``value*`` (default: ``normalize``)
    # For closed vocabularies where one value stands for several stored ones
    # (``class:secret`` covers SECRET and SECRET//NOFORN): canonical value -> stored values.
    expand: Callable[[str], tuple[str, ...]] | None = None
    multi: bool = False  # a record holds several values (tags, references)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")


class FieldTable:
    """The fields of one collection, looked up by name or alias, case-insensitively."""

    def __init__(self, collection: str, specs: Iterable[FieldSpec]) -> None:
        self.collection = collection
        self._specs: dict[str, FieldSpec] = {}
        self._by_name: dict[str, FieldSpec] = {}
        for spec in specs:
            for name in (spec.name, *spec.aliases):
                if name in self._by_name or name in BOUND_WORDS:
                    raise ValueError(f"field name {name!r} used twice")
                self._by_name[name] = spec
            self._specs[spec.name] = spec
        date_spec = self._specs.get(PRIMARY_DATE_FIELD)
        if date_spec is not None and date_spec.kind != DATE:
            raise ValueError(f"the field {PRIMARY_DATE_FIELD!r} must be a date")
        self.has_bounds = date_spec is not None

    def get(self, name: str) -> FieldSpec | None:
        return self._by_name.get(name.lower())

    def __getitem__(self, name: str) -> FieldSpec:
        spec = self.get(name)
        if spec is None:
            raise KeyError(name)
        return spec

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __iter__(self) -> Iterator[FieldSpec]:
        return iter(self._specs.values())

    def names(self) -> list[str]:
        """Every name a query may use, aliases and ``from``/``to`` included."""
        return sorted([*self._by_name, *(BOUND_WORDS if self.has_bounds else ())])

    def field_names(self) -> list[str]:
        """The canonical names (no aliases), ``from``/``to`` included: for help texts."""
        return [*self._specs, *(BOUND_WORDS if self.has_bounds else ())]

    def suggest(self, name: str) -> str | None:
        close = difflib.get_close_matches(name.lower(), self.names(), n=1, cutoff=0.6)
        return close[0] if close else None

    def __repr__(self) -> str:
        return f"FieldTable({self.collection!r}, {list(self._specs)})"


# ---------------------------------------------------------------------------
# Value normalisers (each returns the canonical value or raises ValueProblem)


def _clean(raw: str) -> str:
    value = " ".join(raw.split())
    if not value:
        raise ValueProblem("the value is empty")
    if any(c in QUOTE_CHARS for c in value):
        raise ValueProblem("a value cannot contain quote marks")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise ValueProblem("a value cannot contain control characters")
    return value


def normalize_tag(raw: str) -> str:
    value = _clean(raw).upper()
    if " " in value:
        raise ValueProblem(f"'{raw}' is not one tag: a tag is one word, like PGOV (write tag:A tag:B for two)")
    return value


def normalize_keyword(raw: str) -> str:
    """Open vocabularies with mixed case in the data (war-diary types): compared lower-cased."""
    return _clean(raw).lower()


_CABLE_ID = re.compile(r"^(\d{2})([A-Z]+)0+(\d+)$")


def normalize_cable_id(raw: str) -> str:
    """``05almaty002985`` -> ``05ALMATY2985``: upper case, no spaces, serial without leading zeros."""
    value = "".join(_clean(raw).split()).upper()
    if not value.isalnum() or not value.isascii():
        raise ValueProblem(f"'{raw}' is not a cable id: ids are letters and digits, like 05ALMATY2985")
    m = _CABLE_ID.match(value)
    return f"{m.group(1)}{m.group(2)}{m.group(3)}" if m else value


def normalize_cable_id_prefix(raw: str) -> str:
    value = "".join(_clean(raw).split()).upper()
    if not value.isalnum() or not value.isascii():
        raise ValueProblem(f"'{raw}' is not the start of a cable id: ids are letters and digits, like 05ALMATY*")
    return value


def normalize_report_id(raw: str) -> str:
    value = _clean(raw).upper()
    if not re.fullmatch(r"[A-Z0-9-]+", value):
        raise ValueProblem(f"'{raw}' is not a report key: letters, digits and '-', like the GUID of a report")
    return value


# The classifications of the cable release, from least to most restricted.
CLASSIFICATIONS = (
    "UNCLASSIFIED",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    "LIMITED OFFICIAL USE",
    "CONFIDENTIAL",
    "CONFIDENTIAL//NOFORN",
    "SECRET",
    "SECRET//NOFORN",
)
_LEVELS = ("UNCLASSIFIED", "LIMITED OFFICIAL USE", "CONFIDENTIAL", "SECRET")
_CONTROLS = ("NOFORN", "FOR OFFICIAL USE ONLY")
_CLASS_ALIASES = {
    "FOUO": "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    "UNCLASSIFIED//FOUO": "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
    "LOU": "LIMITED OFFICIAL USE",
    "LIMITED": "LIMITED OFFICIAL USE",
    "NF": "NOFORN",
}


def normalize_classification(raw: str) -> str:
    """Canonical classification: a full marking, a level (``SECRET``) or a control (``NOFORN``)."""
    value = re.sub(r"[\s_-]+", " ", _clean(raw).upper()).strip()
    value = re.sub(r"\s*/+\s*", "//", value)
    value = _CLASS_ALIASES.get(value, value)
    if value in CLASSIFICATIONS or value in _LEVELS or value in _CONTROLS:
        return value
    known = ", ".join(c.lower() for c in (*_LEVELS, "noforn", "fouo"))
    raise ValueProblem(
        f"'{raw}' is not a classification of the release: use {known}, or a full marking like \"secret//noforn\""
    )


def expand_classification(value: str) -> tuple[str, ...]:
    """The release's classifications a canonical ``class:`` value covers.

    A level covers its markings with controls (``SECRET`` -> SECRET, SECRET//NOFORN):
    a reader asking for secret cables means all of them.  A control covers every
    marking that carries it; a full marking covers itself.
    """
    if value in _LEVELS:
        return tuple(c for c in CLASSIFICATIONS if c.split("//")[0] == value)
    if value in _CONTROLS:
        return tuple(c for c in CLASSIFICATIONS if c.endswith("//" + value))
    return (value,)


# Afghanistan's regional commands and the Iraq War Logs' divisions, as the parser
# writes them (upper case, the Iraq names with their hyphen).
_REGIONS = ("RC EAST", "RC SOUTH", "RC NORTH", "RC WEST", "RC CAPITAL", "UNKNOWN")
_IRAQ_REGIONS = ("MND-BAGHDAD", "MND-N", "MND-C", "MND-SE", "MND-NE", "MNF-W")
# Iraq names compared without spaces or hyphens: "mnd n", "mndn", "MND-N" all name MND-N.
_IRAQ_BY_LETTERS = {r.replace("-", ""): r for r in _IRAQ_REGIONS}


def normalize_region(raw: str) -> str:
    value = re.sub(r"[\s_-]+", " ", _clean(raw).upper())
    letters = value.replace(" ", "")
    if letters in _IRAQ_BY_LETTERS:
        return _IRAQ_BY_LETTERS[letters]
    if not value.startswith("RC ") and value != "UNKNOWN":
        value = "RC " + value.removeprefix("RC")
    if value not in _REGIONS:
        raise ValueProblem(
            f"'{raw}' is not a region: use east, south, north, west, capital or unknown "
            "(Iraq: mnd-baghdad, mnd-n, mnd-c, mnd-se, mnd-ne, mnf-w)"
        )
    return value


_THEATRES = {"AFGHANISTAN": "afghanistan", "AFG": "afghanistan", "AF": "afghanistan",
             "IRAQ": "iraq", "IRQ": "iraq", "IQ": "iraq"}  # fmt: skip


def normalize_theatre(raw: str) -> str:
    value = _THEATRES.get(_clean(raw).upper())
    if value is None:
        raise ValueProblem(f"'{raw}' is not a theatre: use afghanistan or iraq")
    return value


_YES_NO = {"YES": "yes", "Y": "yes", "TRUE": "yes", "1": "yes", "NO": "no", "N": "no", "FALSE": "no", "0": "no"}


def normalize_yes_no(raw: str) -> str:
    value = _YES_NO.get(_clean(raw).upper())
    if value is None:
        raise ValueProblem(f"'{raw}' is not yes or no")
    return value


_BOX_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:\.[0-9]{0,12})?|\.[0-9]{1,12})")


def _box_number(text: str) -> str:
    """A coordinate written canonically: the shortest decimal that reads back as the
    same float, without a trailing ".0" (31.25, 64, -0.5)."""
    x = float(text) + 0.0  # -0.0 -> 0.0
    shown = repr(x)
    return shown[:-2] if shown.endswith(".0") else shown


def format_box(south: float, west: float, north: float, east: float) -> str:
    """The canonical ``box:`` value of four edges (what ``normalize_box`` gives back)."""
    return ",".join(_box_number(repr(float(v))) for v in (south, west, north, east))


def parse_box(value: str) -> tuple[float, float, float, float]:
    """``"S,W,N,E"`` (a canonical ``box:`` value) -> (south, west, north, east)."""
    s, w, n, e = (float(v) for v in value.split(","))
    return s, w, n, e


def normalize_box(raw: str) -> str:
    """``box:S,W,N,E``: south and north latitudes, west and east longitudes, in degrees.

    The south and west edges are inside the box, the north and east edges outside it,
    so boxes that share an edge (the map's bins) never count a report twice."""
    parts = [p.strip() for p in _clean(raw).split(",")]
    if len(parts) != 4 or not all(_BOX_NUMBER.fullmatch(p) for p in parts):
        raise ValueProblem(
            f"'{raw}' is not a box: write four numbers south,west,north,east in degrees, like box:31,64.5,32,66"
        )
    s, w, n, e = (float(p) for p in parts)
    if not (-90 <= s < n <= 90):
        raise ValueProblem(f"'{raw}' is not a box: latitudes must lie in -90..90 with south below north")
    if not (-180 <= w < e <= 180):
        raise ValueProblem(f"'{raw}' is not a box: longitudes must lie in -180..180 with west before east")
    return ",".join(_box_number(p) for p in parts)


def normalize_attack(raw: str) -> str:
    value = _clean(raw).upper()
    aliases = {"FRIENDLY": "FRIEND", "ENEMIES": "ENEMY"}
    value = aliases.get(value, value)
    if value not in ("ENEMY", "FRIEND", "NEUTRAL"):
        raise ValueProblem(f"'{raw}' is not a target: use enemy, friend or neutral")
    return value


# ---------------------------------------------------------------------------
# The tables

CABLE_FIELDS = FieldTable(
    "cables",
    [
        FieldSpec("origin", TEXT, "words of the sending office", 'origin:"Embassy Almaty"', prefix=True),
        FieldSpec("subject", TEXT, "words or a phrase of the SUBJECT line", 'subject:"civil society"', prefix=True),
        FieldSpec("tag", KEYWORD, "a TAGS entry", "tag:PGOV", aliases=("tags",), prefix=True,
                  normalize=normalize_tag, multi=True),
        FieldSpec("class", KEYWORD, "classification: a level, a control or a full marking", "class:secret",
                  aliases=("classification",), normalize=normalize_classification, expand=expand_classification),
        FieldSpec("caption", KEYWORD, "a handling caption such as SIPDIS, NOFORN, EXDIS, NODIS",
                  "caption:NODIS", aliases=("captions",), normalize=normalize_tag, multi=True),
        FieldSpec("date", DATE, "the day the cable was created (from: and to: bound it)", "date:2005-08",
                  aliases=("created",)),
        FieldSpec("released", DATE, "the day the cable was published", "released:2011-08"),
        FieldSpec("id", ID, "the cable's reference id", "id:05ALMATY2985", prefix=True, normalize=normalize_cable_id,
                  normalize_prefix=normalize_cable_id_prefix),
        FieldSpec("ref", ID, "cables that cite this reference id", "ref:05ALMATY2985", aliases=("cites",),
                  prefix=True, normalize=normalize_cable_id, normalize_prefix=normalize_cable_id_prefix, multi=True),
    ],
)

# The war logs (Afghan War Diary, Iraq War Logs).  The store maps each name to its
# columns: ``kia`` and ``wia`` add up the four sides, ``civilian`` is civilians killed
# plus wounded (an unknown count adds nothing); ``box`` and ``located`` are about the
# report's position (the map links its bins with ``box:``).
REPORT_FIELDS = FieldTable(
    "reports",
    [
        FieldSpec("id", ID, "the report key", "id:0A1B2C3D-...", aliases=("key",), prefix=True,
                  normalize=normalize_report_id),
        FieldSpec("tracking", ID, "the tracking number", "tracking:2007*", prefix=True, normalize=normalize_report_id),
        FieldSpec("date", DATE, "the day of the event (from: and to: bound it)", "date:2008-07"),
        FieldSpec("type", KEYWORD, "the report type", 'type:"enemy action"', normalize=normalize_keyword),
        FieldSpec("category", KEYWORD, "the report category", 'category:"ied explosion"', normalize=normalize_keyword),
        FieldSpec("region", KEYWORD, "the regional command (Iraq: the division)", "region:east",
                  normalize=normalize_region),
        FieldSpec("attack", KEYWORD, "who was attacked (AttackOn)", "attack:friend", aliases=("attackon",),
                  normalize=normalize_attack),
        FieldSpec("unittype", KEYWORD, "the type of unit (TypeOfUnit)", 'unittype:"coalition forces"',
                  aliases=("unit_type", "typeofunit"), normalize=normalize_keyword),
        FieldSpec("theatre", KEYWORD, "the war: afghanistan or iraq", "theatre:iraq", aliases=("theater",),
                  normalize=normalize_theatre),
        FieldSpec("title", TEXT, "words of the report title", "title:ambush", aliases=("subject",), prefix=True),
        FieldSpec("unit", TEXT, "words of the reporting unit or unit name", "unit:tf", prefix=True),
        FieldSpec("box", KEYWORD, "the position lies in this box: south,west,north,east in degrees",
                  "box:31,64.5,32,66", normalize=normalize_box),
        FieldSpec("located", KEYWORD, "the report has a position (latitude and longitude): yes or no", "located:no",
                  normalize=normalize_yes_no),
        FieldSpec("kia", NUMBER, "killed in action, all sides", "kia>2"),
        FieldSpec("wia", NUMBER, "wounded in action, all sides", "wia>=1"),
        FieldSpec("civilian", NUMBER, "civilians killed or wounded", "civilian>0"),
        FieldSpec("civilian_kia", NUMBER, "civilians killed", "civilian_kia>0"),
        FieldSpec("civilian_wia", NUMBER, "civilians wounded", "civilian_wia>0"),
        FieldSpec("friendly_kia", NUMBER, "friendly forces killed", "friendly_kia>0"),
        FieldSpec("friendly_wia", NUMBER, "friendly forces wounded", "friendly_wia>0"),
        FieldSpec("host_kia", NUMBER, "host-nation forces killed", "host_kia>0"),
        FieldSpec("host_wia", NUMBER, "host-nation forces wounded", "host_wia>0"),
        FieldSpec("enemy_kia", NUMBER, "enemy killed", "enemy_kia>0"),
        FieldSpec("enemy_wia", NUMBER, "enemy wounded", "enemy_wia>0"),
        FieldSpec("detained", NUMBER, "enemy detained", "detained>0", aliases=("enemy_detained",)),
    ],
)
