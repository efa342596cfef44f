"""The TAGS line: finding it, reading it into tags, and saying what kind a tag is.

A TAGS line lists subject codes (PREL), program codes (KDEM), organisations
(NATO), countries (two letters, FIPS style: IZ), persons ("RICE, CONDOLEEZZA")
and, now and then, free text ("HUMAN RIGHTS").  Typists glued codes together
(PHUMBA = PHUM BA), misspelt the label (TAS:, TGS:, TAGES:), and page breaks
left page headers inside long lines.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = ["tag_kind", "parse_tags", "find_tags_text", "split_glued"]


def _data(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text("utf-8")


def _load_kinds() -> dict[str, str]:
    kinds: dict[str, str] = {}
    kind = "subject"
    for raw in _data("tags.txt").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            kind = line.strip("[]")
            continue
        for code in line.split():
            kinds.setdefault(code, kind)
    return kinds


def _load_mapping(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in _data(name).splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words, _, tag = line.partition("=>")
        key = " ".join(words.split()).upper()
        out[key] = " ".join(tag.split()).upper() if tag.strip() else key
    return out


_KINDS = _load_kinds()
_PHRASES = _load_mapping("tag_phrases.txt")
_PHRASE_MAX = max((len(k.split()) for k in _PHRASES), default=1)
_PERSONS = _load_mapping("tag_persons.txt")
# First words of the multi-word phrases and persons: no lookup of word runs elsewhere.
_PHRASE_FIRST = frozenset(k.split(" ")[0] for k in _PHRASES)
_PERSON_FIRST = frozenset(k.split(" ")[0] for k in _PERSONS)
_GIVEN = frozenset(w for line in _data("given_names.txt").splitlines()
                   if not line.startswith("#") for w in line.split())
# Pieces a glued run may be made of: four-letter codes and two-letter countries.
_PIECES4 = frozenset(c for c in _KINDS if len(c) == 4)
_PIECES2 = frozenset(c for c, k in _KINDS.items() if len(c) == 2 and k == "geo")

_PROGRAM_SHAPE = re.compile(r"^K[A-Z]{3}$")


def tag_kind(tag: str, default: str = "unknown") -> str:
    """ "subject" | "program" | "org" | "geo" | "person", else ``default``."""
    if not isinstance(tag, str):
        return default
    t = tag.strip().upper()
    kind = _KINDS.get(t)
    if kind:
        return kind
    if "," in t and re.match(r"^[A-Z' .\-]+,[A-Z' .\-]+$", t):
        return "person"
    if _PROGRAM_SHAPE.match(t):  # every K + three letters code is a program tag
        return "program"
    return default


@lru_cache(maxsize=4096)
def split_glued(word: str) -> tuple[str, ...] | None:
    """ "PHUMBA" -> ("PHUM", "BA"); None unless the word is made of known codes only.

    At least one piece must be a four-letter code: otherwise ordinary words made of
    two-letter country codes ("FRANCE" = FR AN CE) would be cut up.
    """
    n = len(word)
    if n <= 4 or n > 64 or not word.isalpha():
        return None
    # best[i]: fewest pieces covering word[:i], with the pieces
    best: list[tuple[int, tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = (0, ())
    for i in range(n):
        cur = best[i]
        if cur is None:
            continue
        for size, pieces in ((4, _PIECES4), (2, _PIECES2)):
            j = i + size
            if j <= n and word[i:j] in pieces:
                cand = (cur[0] + 1, cur[1] + (word[i:j],))
                if best[j] is None or cand[0] < best[j][0]:  # type: ignore[index]
                    best[j] = cand
    done = best[n]
    if done is None or not any(len(p) == 4 for p in done[1]):
        return None
    return done[1]


def _doubled_typo(word: str) -> str | None:
    """ "MOPPS" -> "MOPS": one doubled letter too many in a known code."""
    if len(word) != 5:
        return None
    for i in range(1, 5):
        if word[i] == word[i - 1]:
            cand = word[:i] + word[i + 1:]
            if cand in _PIECES4:
                return cand
    return None


_PAGE_NOISE = re.compile(
    r"(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|UNCLAS)?\s*PAGE\s+\d+\s+"
    r"[A-Z]+\s+\d+\s+(?:\d+\s+OF\s+\d+\s+)?\d{6}Z",
    re.I,
)
_PAREN = re.compile(r"\(([^()]*)\)")
_SEGMENT_SEP = re.compile(r"[,;]")


def _strip_word(w: str) -> str:
    return w.strip(".-/'")
_WORD = re.compile(r"[A-Z0-9][A-Z0-9'&./\-]*")


def _is_known(word: str) -> bool:
    return word in _KINDS


def _person_at(words: list[str], i: int) -> tuple[str, int] | None:
    """A person written as "SURNAME GIVEN [GIVEN]" starting at words[i]."""
    if words[i] not in _PERSON_FIRST and not (i + 1 < len(words) and words[i + 1] in _GIVEN):
        return None  # neither a listed person nor a surname before a given name starts here
    for size in (3, 2):
        key = " ".join(words[i:i + size])
        if len(words) - i >= size and key in _PERSONS:
            return _PERSONS[key], size
    if i + 1 < len(words) and words[i + 1] in _GIVEN and not _is_known(words[i]) \
            and words[i].isalpha() and words[i] not in _GIVEN:
        return f"{words[i]}, {words[i + 1]}", 2
    return None


def _read_segment(words: list[str], canonicalize: bool, out: list[str]) -> None:
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if canonicalize:
            hit = None
            for size in range(min(_PHRASE_MAX, n - i) if w in _PHRASE_FIRST else 1, 1, -1):
                key = " ".join(words[i:i + size])
                if key in _PHRASES:
                    hit = (_PHRASES[key], size)
                    break
            if hit:
                out.append(hit[0])
                i += hit[1]
                continue
            person = _person_at(words, i)
            if person:
                out.append(person[0])
                i += person[1]
                continue
        if _is_known(w):
            out.append(w)
            i += 1
            continue
        if canonicalize:
            glued = split_glued(w)
            if glued:
                out.extend(glued)
                i += 1
                continue
            fixed = _doubled_typo(w)
            if fixed:
                out.append(fixed)
                i += 1
                continue
            # A run of long unknown words is one free-text tag ("ECONOMIC AFFAIRS").
            if len(w) >= 5 and w.isalpha():
                j = i + 1
                while j < n and len(words[j]) >= 5 and words[j].isalpha() \
                        and not _is_known(words[j]) and not split_glued(words[j]) \
                        and not _person_at(words, j):
                    j += 1
                out.append(" ".join(words[i:j]))
                i = j
                continue
        out.append(w)
        i += 1


def parse_tags(text: str, *, canonicalize: bool = True) -> list[str]:
    """The tags in the text of a TAGS line (without its label), upper-case, in order,
    without duplicates."""
    if not isinstance(text, str) or not text.strip():
        return []
    t = text.upper()
    if not canonicalize and "PAGE" not in t and "(" not in t:
        # Without canonicalisation every word of every segment is a tag, and [,;] never
        # occur inside a word: the words of the whole text, deduplicated.
        return list(dict.fromkeys(w for w in map(_strip_word, _WORD.findall(t)) if w))
    if "PAGE" in t:
        t = _PAGE_NOISE.sub(",", t)
    out: list[str] = []
    # Parenthesised persons keep their comma: "OVIP (CLINTON, HILLARY)".
    protected: dict[str, str] = {}

    def _protect(m: re.Match[str]) -> str:
        inner = " ".join(m.group(1).split())
        if "," in inner:
            key = f"\x00{len(protected)}\x00"
            protected[key] = inner
            return f",{key},"
        return f" {inner} "

    if "(" in t:
        t = _PAREN.sub(_protect, t)
    for segment in _SEGMENT_SEP.split(t):
        seg = segment.strip()
        if not seg:
            continue
        if seg in protected:
            out.append(protected[seg])
            continue
        words = _WORD.findall(seg)
        words = [w.strip(".-/'") for w in words]
        _read_segment([w for w in words if w], canonicalize, out)
    seen: set[str] = set()
    result = []
    for tag in out:
        if tag and tag not in seen:
            seen.add(tag)
            result.append(tag)
    return result


# A TAGS label: the word and its misspellings.  The rarer misspellings count only at
# the start of a line or after an E.O./DECL clause, where nothing else could start.
_LABEL = re.compile(
    r"(?:^|(?<=[\s:]))(?:(TAGS|TAGES|TABS|TGS|TAG)|(?<![^\n])[ \t]*(TAS|AGS)|(?<=N/A )(TAS|AGS)"
    r"|(?<=\d )(TAS|AGS))(?=[\s:,])[ \t]*[:,]?",
    re.I | re.M,
)
_STOP = re.compile(r"\b(?:SUBJECT|SUBJ)\b\s*:?|\bREF(?:S|TEL)?\s*:", re.I)
_LABEL_LINE = re.compile(
    r"^\s*(?:SUBJECT|SUBJ|UBJECT|REF|REFS|REFTEL|E\.?\s?O\.?|CLASSIFIED|CLASSIFICATION|SIPDIS|"
    r"\d+\.|\(\w+\)|[A-Z]\.\s)",
    re.I,
)
_CODEISH = re.compile(r"^(?:[A-Z][A-Z0-9\-]{1,15},?\s*)+$")


# Every spelling of the label holds one of these (TAGS, TAGES, TAG; TABS; TGS; TAS; AGS).
_LABEL_CORES = ("tag", "tab", "tgs", "tas", "ags")


def _label_search(preamble: str) -> re.Match[str] | None:
    """_LABEL.search(preamble), started on the line of the first possible label word (in
    ASCII text a lower-case copy finds those; only spaces stand between a match's start
    and its word, so the match starts on that word's line or later)."""
    if not preamble.isascii():
        return _LABEL.search(preamble)
    low = preamble.lower()
    first = low.find("tag")
    end = len(low) if first < 0 else first
    for core in _LABEL_CORES[1:]:
        k = low.find(core, 0, end + 2)
        if k >= 0 and (first < 0 or k < first):
            first = k
            end = k
    if first < 0:
        return None
    return _LABEL.search(preamble, preamble.rfind("\n", 0, first) + 1)


def _lines_from(text: str, pos: int):
    """The lines of text[pos:], lazily (a TAGS label needs its line and a few more)."""
    while True:
        nl = text.find("\n", pos)
        if nl < 0:
            yield text[pos:]
            return
        yield text[pos:nl]
        pos = nl + 1


def find_tags_text(preamble: str) -> str | None:
    """The text of the TAGS line(s) in a cable's opening lines, label removed; None if absent."""
    if not isinstance(preamble, str):
        return None
    m = _label_search(preamble)
    if not m:
        return None
    lines = _lines_from(preamble, m.end())
    first = next(lines)
    stop = _STOP.search(first)
    if stop:
        return first[:stop.start()]
    parts = [first]
    for nxt in lines:
        s = nxt.strip()
        if not s or _LABEL_LINE.match(s):
            break
        stop = _STOP.search(s)
        prev_comma = parts[-1].rstrip().endswith(",")
        if prev_comma or _CODEISH.match(s[:stop.start()] if stop else s):
            parts.append(s[:stop.start()] if stop else s)
            if stop:
                break
            continue
        break
    return " ".join(parts)
