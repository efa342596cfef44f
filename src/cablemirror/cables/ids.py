"""Reference ids and station names.

A canonical reference id is two-digit year + station + serial without leading
zeros: ``ALMATY 002985`` written in 2005 is ``05ALMATY2985``.  The release also
holds malformed ids (``08SCTION02OF02SAOPAULO335``, ``7575LIBREVILLE1895``,
``09EFTOLONDON2468``) and references written with typos or abbreviations
(``SAO PAULO``, ``BRASILA``, ``HCMC``).  Everything here is a pure function that
never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = [
    "canonical_id",
    "make_id",
    "station",
    "station_key",
    "is_station",
    "split_id",
    "two_digit_year",
    "release_id",
]


def _load() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    """alias key -> canonical station; the posts; the non-post originators."""
    aliases: dict[str, str] = {}
    posts: set[str] = set()
    others: set[str] = set()
    text = resources.files(__package__).joinpath("data", "stations.txt").read_text("utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        post = not line.startswith("+")
        names = [n.strip() for n in line.lstrip("+").split("|")]
        canon = station_key(names[0])
        (posts if post else others).add(canon)
        for name in names:
            key = station_key(name)
            if key:
                aliases.setdefault(key, canon)
    return aliases, frozenset(posts), frozenset(others)


_NON_LETTER = re.compile(r"[^A-Z]")
_ZERO_IN_WORD = re.compile(r"(?<=[A-Z])0|0(?=[A-Z])")


def station_key(s: str) -> str:
    """Upper-case letters only; a zero touching letters is read as the letter O (OCR)."""
    if s.isascii() and s.isalpha():
        return s.upper()  # the common case: nothing to remove or read
    return _NON_LETTER.sub("", _ZERO_IN_WORD.sub("O", s.upper()))


_ALIASES, _POSTS, _OTHERS = _load()
_STATIONS = _POSTS | _OTHERS
# Suffix matching ("EFTOLONDON" ends with "LONDON") only against names long enough
# not to match by accident.
_SUFFIX_KEYS = sorted((k for k in _ALIASES if len(k) >= 4), key=len, reverse=True)
_FUZZY_KEYS = sorted(k for k in _ALIASES if len(k) >= 4)


def is_station(name: str) -> bool:
    return station_key(name) in _ALIASES


def _damerau_at_most(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, or limit+1 as soon as it exceeds limit."""
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        best = cur[0]
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cost = 0 if ca == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            if v < best:
                best = v
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[lb]


_FUZZY_SETS = [(k, frozenset(k), _ALIASES[k]) for k in _FUZZY_KEYS]


@lru_cache(maxsize=8192)
def _fuzzy(key: str, limit: int) -> str | None:
    """The single canonical station within ``limit`` edits of key, else None."""
    found: set[str] = set()
    best = limit + 1
    letters = frozenset(key)
    n = len(key)
    for cand, cand_letters, canon in _FUZZY_SETS:
        # Cheap bounds first: length, and letters present in one name only (an edit
        # changes at most two letters' presence).
        if abs(len(cand) - n) > limit or len(letters ^ cand_letters) > 2 * limit:
            continue
        d = _damerau_at_most(key, cand, limit)
        if d < best:
            best, found = d, {canon}
        elif d == best and d <= limit:
            found.add(canon)
    if best <= limit and len(found) == 1:
        return found.pop()
    return None


@lru_cache(maxsize=8192)
def _resolve(key: str, fuzzy: bool) -> str | None:
    hit = _ALIASES.get(key)
    if hit or not key:
        return hit
    if not fuzzy:
        return None
    # Glued prefixes: EFTOLONDON, AMEMBASSYHANOI, SIFIEDABUJA ("classified" cut), RPODUBAI.
    for cand in _SUFFIX_KEYS:
        if len(key) - len(cand) >= 2 and key.endswith(cand):
            return _ALIASES[cand]
    if len(key) < 4:
        return None
    hit = _fuzzy(key, 1)
    if hit:
        return hit
    # Truncated names: KUALALUMP, SAOPAUL, RIODEJAN.
    if len(key) >= 5:
        starts = {_ALIASES[k] for k in _ALIASES if len(k) > len(key) and k.startswith(key)}
        if len(starts) == 1:
            return starts.pop()
    if len(key) >= 8:
        return _fuzzy(key, 2)
    return None


@lru_cache(maxsize=16384)
def station(name: str, *, fuzzy: bool = True) -> str | None:
    """The canonical station for a name as written ("Sao Paulo", "HCMC", "BRASILA"), or None."""
    try:
        return _resolve(station_key(name), fuzzy)
    except Exception:  # defensive: a pure helper must never raise
        return None


def two_digit_year(year: int | str | None) -> str | None:
    """2005 -> "05", "05" -> "05", 94 -> "94"; None when it is not a year."""
    if year is None:
        return None
    s = str(year).strip()
    if not s.isdigit():
        return None
    if len(s) == 4:
        return s[2:]
    if len(s) == 3:  # "094" in a reference: a stray digit before the year
        return s[1:]
    if len(s) == 2:
        return s
    if len(s) == 1:
        return "0" + s
    return None


_NON_DIGIT = re.compile(r"\D")


def make_id(year: int | str | None, station_name: str, serial: int | str) -> str | None:
    """ "05", "ALMATY", "002985" -> "05ALMATY2985"; None when a part is unusable."""
    yy = two_digit_year(year)
    st = station(station_name)
    digits = str(serial)
    if not digits.isdecimal():
        digits = _NON_DIGIT.sub("", digits)
    if not yy or not st or not digits or int(digits) == 0:
        return None
    return f"{yy}{st}{int(digits)}"


_CLEAN = re.compile(r"[^0-9A-Z]")
_HEAD = re.compile(r"^(\d{2})(\d{2})?")
_RUN = re.compile(r"([A-Z]+)(\d+)")


def split_id(s: str) -> tuple[str, str, int] | None:
    """ "05ALMATY2985" -> ("05", "ALMATY", 2985) for any id-like string; None if unparseable."""
    try:
        t = _CLEAN.sub("", s.upper())
        m = _HEAD.match(t)
        if not m:
            return None
        year = m.group(1)
        rest = t[2:]
        if m.group(2):
            following = t[4:5]
            if m.group(2) == year and following.isalpha():  # "7575LIBREVILLE1895"
                rest = t[4:]
            elif year in ("19", "20") and following.isalpha():  # "2004CARACA01540"
                year, rest = m.group(2), t[4:]
        runs = list(_RUN.finditer(rest))
        # The station is the right-most letter run that names one; what follows it
        # (ZDK164, TOSEC140323) and what precedes it (SECTION01OF02) is noise.
        for run in reversed(runs):
            st = _resolve(run.group(1), True)
            if st and int(run.group(2)) > 0:
                return year, st, int(run.group(2))
        return None
    except Exception:
        return None


@lru_cache(maxsize=65536)
def canonical_id(s: str) -> str:
    """The canonical form of an id-like string; the cleaned input when it is not one."""
    if not isinstance(s, str):
        return ""
    parts = split_id(s)
    if parts is None:
        return _CLEAN.sub("", s.upper())
    year, st, serial = parts
    return f"{year}{st}{serial}"


_WELL_FORMED = re.compile(r"^\d{2}[A-Z]+[1-9]\d*$")


def release_id(s: str) -> str:
    """The id a record is known by: the release's own when well formed, else canonical.

    The release writes some stations under two names over the years (04TAIPEI...,
    06AITTAIPEI...); a mirror keeps the id the release gave, so pages and links by that
    id keep working.  Malformed ids (section noise, unknown station letters) are
    canonicalised.  Compare ids across records with ``canonical_id`` on both sides.
    """
    t = s.strip().upper() if isinstance(s, str) else ""
    m = _WELL_FORMED.match(t)
    if m and _NON_LETTER.sub("", t) in _ALIASES:
        return t
    return canonical_id(t)
