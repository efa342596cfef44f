"""Who classified a cable, and for which reasons.

``Classified By: Ambassador Carol van Voorst for reasons 1.4 (b) and (d).``
gives ``["Carol van Voorst"]`` and ``["1.4(b)", "1.4(d)"]``.  The line comes in
hundreds of shapes: titles before or after the name (with typos: "Ambassaor",
"Counseor"), office codes (A/DCM, ISN/MTR), two people, and a line wrapped at a
fixed width that cuts words in two ("Hoyt Y / ee", "rea / sons").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ._fast import find_any
from .ids import _damerau_at_most

__all__ = ["parse_classified_by", "normalize_name", "classification_reasons"]

_LABEL = re.compile(r"(?i)\bclassi\w{0,6}[ \t]+by\b[ \t]*:?")
_LABEL_AT = re.compile(r"(?i)classi\w{0,6}[ \t]+by\b[ \t]*:?")
_LABEL_HINTS = ("Classi", "CLASSI", "classi")


def iter_labels(text: str, start: int = 0, end: int | None = None):
    """"Classified By" labels, found by their literal start (fast) and checked in place."""
    stop = len(text) if end is None else end
    pos = find_any(text, _LABEL_HINTS, start, stop)
    while pos >= 0:
        if pos == 0 or not text[pos - 1].isalnum():
            m = _LABEL_AT.match(text, pos, stop)
            if m:
                yield m
        pos = find_any(text, _LABEL_HINTS, pos + 6, stop)
_BLANK = re.compile(r"\n[ \t]*\n")
# "reasons" with typos and with whitespace where the line was cut ("rea \nsons").
_R = r"r\s*e?\s*a\s*s?\s*[o0]\s*n"
_REASON = re.compile(
    r"(?i)(?:\b(?:f\s*o\s*r|per|under|due\s+to|based\s+on)\s+(?:e\.?\s?o\.?\s*\d+[.,]?\s*)?)?"
    r"(?:\b" + _R + r"s?\b|\bsea3on|(?<=for )r\s*e\s*a\w*|\bunder\s+(?=s\s*e\s*c|1|e\.?\s?o|12958)|\bE\.?\s?O\.?\s?1[23]\d{3}|\b1[23]\d{3}\b|"
    r"(?<![\d.])1\s*[.,]\s*[2-6]\s*\(?\s*[a-h]\b|\bsection\s+1\.\d|\bsectaons)")
_NUMBERS = re.compile(r"(?<![\d.])1\s*[.,]\s*([2-6])(?!\d)")
_SENTENCE_END = re.compile(r"(?<=[a-z]{2})\.\s{2,}|(?<=[A-Z]{3})\.\s{2,}")
_PARENS = re.compile(r"\([^()]{0,20}\)")
_ABBREV = re.compile(r"^[a-z]\.(?:[a-z]\.?)?,?$")
_NAME_WORD = re.compile(r"^[A-Za-z0'’][A-Za-z0'’\-.]*$")
_CAP_WORD = re.compile(r"^[A-Z][A-Za-z'’\-]+$")
_CAP_LOWER = re.compile(r"^[A-Z][a-z]+$")
_SPACE_COMMA = re.compile(r"\s+,")
_ABBREV_END = re.compile(r"(?:\b[A-Z]|\bJr|\bSr|\bJR|\bSR)\.$")
_AND = re.compile(r"(?i)\s+(?:and|&)\s+")
_PARA_IN_BLOCK = re.compile(r"\n\s*¶?\d{1,2}\s*\.\s+\(")
_LINE_NOTE = re.compile(r"(?i)\s*line\b")
_PUNCT_SPACE = re.compile(r"\s*([(),/&+])\s*")
_AND_OR = re.compile(r"\b(?:and|or)\b|&|\+")
_REASON_TOKEN = re.compile(r"[a-z]+|[^a-z]")


def _group1(m: re.Match[str]) -> str:
    return m[1]


_WRAP = re.compile(r"([A-Za-z])[ \t]*\n[ \t]*([a-z]{1,4})(?=[\s,.;:]|$)")
_SPLIT_TOKEN = re.compile(r"[/:]")


_DOT_SPACES = re.compile(r"\.\s{2,}")


def _sentence_end(block: str) -> int:
    """_SENTENCE_END.search(block).start(), or -1: a full stop and two spaces after two
    lower-case or three capital ASCII letters (found from the full stop: a look-behind
    at the start of a pattern makes the regex engine try every position)."""
    if "." not in block:
        return -1
    for m in _DOT_SPACES.finditer(block):
        p = m.start()
        two = block[p - 2:p] if p >= 2 else ""
        if len(two) == 2 and two.isascii() and two.isalpha() and two.islower():
            return p
        three = block[p - 3:p] if p >= 3 else ""
        if len(three) == 3 and three.isascii() and three.isalpha() and three.isupper():
            return p
    return -1


def _words(name: str) -> list[str]:
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    return [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]


_TITLES = frozenset(w.lower() for w in _words("titles.txt"))
_TITLES_FUZZY = [(w, frozenset(w)) for w in sorted(_TITLES) if len(w) >= 8]
_GIVEN = frozenset(_words("given_names.txt"))
_NAME_FIXES = {k: v for k, _, v in (line.partition("=") for line in _words("name_fixes.txt"))}
_SUFFIX = re.compile(r"^(?:JR|SR|II|III|IV)\.?$", re.I)
_INITIAL = re.compile(r"^(?:[A-Z0]\.)+[A-Z]?\.?$|^[A-Z]\.[A-Z]\.$")
_PARTICLE = frozenset("van von de da del della der den di du la le al el bin ibn".split())


@lru_cache(maxsize=16384)
def _is_title(token: str, mixed_case: bool) -> bool:
    t = token.strip(".,;:'’`()-").lower().replace("0", "o")
    if not t:
        return True
    if t in _TITLES:
        return True
    if "-" in t and any(p in _TITLES for p in t.split("-")):
        return True
    if mixed_case and token.isupper() and 2 <= len(token.strip(".,")) <= 5 \
            and not _INITIAL.match(token):
        return True  # an office code in a mixed-case line: ECPO, ARSO, ISN
    if len(t) >= 7:
        limit = 2 if len(t) >= 9 else 1
        letters = frozenset(t)
        for cand, cand_letters in _TITLES_FUZZY:
            if abs(len(cand) - len(t)) <= limit and len(letters ^ cand_letters) <= 2 * limit \
                    and _damerau_at_most(t, cand, limit) <= limit:
                return True
    return False


def _name_from(segment: str, mixed_case: bool) -> list[str]:
    """The name at the end of a segment of title words and name words."""
    tokens: list[str] = []
    for raw in segment.split():
        parts = [p for p in _SPLIT_TOKEN.split(raw) if p]
        tokens.extend(parts if len(parts) > 1 else [raw])
    # Trailing abbreviations that are not part of the name ("a.i.", "a.y.").
    while tokens and _ABBREV.match(tokens[-1]):
        tokens.pop()
    name: list[str] = []
    for tok in reversed(tokens):
        bare = tok.strip(",;")
        if not bare or bare in ("-", "--"):
            break
        if _SUFFIX.match(bare) or _INITIAL.match(bare):
            name.insert(0, bare)
            continue
        if bare.lower() in _PARTICLE and name:
            name.insert(0, bare)
            continue
        if not _NAME_WORD.match(bare) or bare[0].islower() or len(bare) == 1:
            break
        if _is_title(bare, mixed_case):
            break
        name.insert(0, bare)
    if not name and len(tokens) >= 2:
        # A surname that is also a title word ("Jane Q. Public"): the last word of a
        # segment after a name word or an initial is part of the name.
        last, prev = tokens[-1].strip(",;"), tokens[-2].strip(",;")
        if _CAP_WORD.match(last) and (
                _INITIAL.match(prev) or (_CAP_LOWER.match(prev) and not _is_title(prev, mixed_case))):
            rest = _name_from(" ".join(tokens[:-1]), mixed_case)
            name = rest + [last] if rest else []
    while name and (name[0].lower() in _PARTICLE or _SUFFIX.match(name[0])):
        name.pop(0)
    # "Central Asia George Krol": when a given name is known, the name starts there.
    full = [i for i, w in enumerate(name) if not _INITIAL.match(w) and not _SUFFIX.match(w)]
    if len(full) > 2:
        for i in full[:-1]:
            if name[i].upper() in _GIVEN:
                name = name[i:]
                break
    return name


def _clean_name(tokens: list[str]) -> str:
    text = " ".join(tokens)
    if "," in text:
        text = _SPACE_COMMA.sub(",", text)
    if text.endswith(".") and not _ABBREV_END.search(text):
        text = text[:-1]
    return text


def _names(part: str, mixed_case: bool) -> list[str]:
    part = _PARENS.sub(" ", part)
    # Two people: "AF KARL WYCOFF, ACTING AND S/CT DAS SHARI VILLAROSA".
    halves = _AND.split(part)
    if len(halves) > 1:
        found = [_names(h, mixed_case) for h in halves]
        if all(f and len(f[0].split()) >= 2 for f in found):
            return [n for f in found for n in f]
    segments = part.split(",")
    for i, seg in enumerate(segments):
        name = _name_from(seg, mixed_case)
        if name:
            # ", JR." / ", III" after the name belong to it.
            if i + 1 < len(segments) and _SUFFIX.match(segments[i + 1].strip()):
                name[-1] += ","
                name.append(segments[i + 1].strip())
            return [_clean_name(name)]
    return []


def _block_after(text: str, start: int) -> str:
    rest = text[start:start + 600]
    lead = len(rest) - len(rest.lstrip())
    m = _BLANK.search(rest, lead)
    block = rest[:m.start()] if m else rest
    # A numbered paragraph starting on its own line ends the block too.
    if "\n" not in block:
        return block
    m = _PARA_IN_BLOCK.search(block)
    return block[:m.start()] if m else block


def parse_classified_by(text: str) -> tuple[list[str], list[str]]:
    """(names as written, reasons like "1.4(b)") from the opening text of a cable."""
    if not isinstance(text, str):
        return [], []
    labels = []
    for lab in iter_labels(text):
        labels.append(lab)
        if len(labels) >= 6:
            break
    reasons: list[str] = []
    i = 0
    while i < len(labels):
        m = labels[i]
        block = _block_after(text, m.end())
        # "Classified By: Classified by DCM ..." / "This message classified by ...": the inner label.
        inner = _LABEL.search(block)
        if (inner and i + 1 < len(labels)) or _LINE_NOTE.match(block):
            i += 1  # ... or "CLASSIFIED BY LINE ADDED", a correction note
            continue
        if not reasons:
            reasons = classification_reasons(block)
        block = _WRAP.sub(lambda w: w.group(1) + w.group(2)
                          if w.group(2) not in ("for", "and", "or", "per", "the", "of", "to", "on", "in")
                          else w.group(0), block)
        cut = len(block)
        r = _REASON.search(block)
        if r:
            cut = r.start()
        end = _sentence_end(block)
        if 0 <= end < cut:
            cut = end
        for sep in (";", ": 1", " - 1", "-reason", "–"):
            k = block.find(sep)
            if 0 <= k < cut:
                cut = k
        part = " ".join(block[:cut].split()).strip(" -:,")
        letters = "".join(filter(str.isalpha, part))
        mixed = bool(letters) and any(map(str.islower, letters)) and \
            sum(map(str.isupper, letters)) < 0.8 * len(letters)
        names = _names(part, mixed)
        if names:
            return names, reasons or classification_reasons(block)
        i += 1
    return [], reasons


def classification_reasons(text: str) -> list[str]:
    """ "reasons 1.4 (B) and (D)" / "1.4(b/d)" / "1.4 b and d" -> ["1.4(b)", "1.4(d)"]."""
    if not isinstance(text, str):
        return []
    m = None
    pos = text.find("1")
    while pos >= 0:  # every match starts at a "1": tried there only
        m = _NUMBERS.match(text, pos)
        if m:
            break
        pos = text.find("1", pos + 1)
    if not m:
        return []
    section = f"1.{m.group(1)}"
    rest = text[m.end():m.end() + 120].lower()
    rest = _PUNCT_SPACE.sub(_group1, " ".join(rest.split()))
    rest = _AND_OR.sub(",", rest)
    letters: list[str] = []
    for tok in _REASON_TOKEN.finditer(rest):
        w = tok.group(0)
        if w.isalpha():
            if len(w) == 1 and w <= "h":
                letters.append(w)
            elif len(w) <= 2 and all(c <= "h" for c in w) and "(" in rest[:tok.start()]:
                letters.extend(w)  # "(bd)"
            else:
                break
        elif w in ".;" and letters:
            break
    seen = sorted(set(letters))
    return [f"{section}({c})" for c in seen]


def normalize_name(name: str) -> str:
    """A name in readable case with OCR and typo fixes: "LEE 0. COLDREN" -> "Lee O. Coldren"."""
    if not isinstance(name, str):
        return ""
    out = []
    for tok in name.split():
        bare = tok.rstrip(",.")
        up = bare.upper()
        fixed = _NAME_FIXES.get(up, up)
        if fixed == "0" and tok.startswith("0."):
            fixed = "O"  # an initial read as zero: "LEE 0. COLDREN"
        if fixed.rstrip(".") in ("II", "III", "IV"):
            cased = fixed
        elif fixed != up or not any(c.islower() for c in bare):
            cased = "-".join(_cap(p) for p in fixed.split("-"))  # capitals or a fixed typo
        else:
            cased = bare  # already in mixed case: keep it (McCullough, LeBaron)
        out.append(cased + tok[len(bare):])
    return _clean_name(out) if out else ""


def _cap(word: str) -> str:
    if _INITIAL.match(word):
        return word
    w = word.lower()
    if w.startswith("mc") and len(w) > 3:
        return "Mc" + w[2:].capitalize()
    if w[1:2] == "'" and w[:1] in ("o", "d"):
        return w[0].upper() + "'" + w[2:].capitalize()
    return w.capitalize()
