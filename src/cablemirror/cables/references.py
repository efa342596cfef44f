"""The REF section: which cables, e-mails, telcons and reports a cable refers to.

``REF: A. 06 REYKJAVIK 431  B. STATE 1234  C. SMITH-JONES EMAIL 05/11/07`` gives
three references, two of them cables with canonical ids (the year defaults to the
citing cable's year).  Typists wrote stations with spaces, typos and abbreviations
(SAO PAULO, BRASILA, HCMC, BA), zero for O (0TTAWA), the year before or after the
serial (QUITO 4525-91, PANAMA 00789/08), bullets in five styles, and page headers
sometimes land in the middle of the list.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import Reference
from ._fast import find_any
from .ids import _ALIASES, _fuzzy, make_id, station_key, two_digit_year

__all__ = ["parse_references", "find_ref_section", "parse_ref_text"]

# An inline page/section header: "TRIPOLI 00000402 \n\n001.2 OF 003".
_SECTION_HDR = re.compile(
    r"(?:\b[A-Z][A-Z'.\-]*(?:[ \t]+[A-Z][A-Z'.\-]*){0,3}[ \t]+)?\b0\d{7}\s+\d{3}(?:\.\d+)?\s+OF\s+\d{3}\b")
_PAGE_HDR = re.compile(r"\bPAGE\s+\d+\s+[A-Z]+\s+\d+\s+(?:\d+\s+OF\s+\d+\s+)?\d{6}Z")

# Where the REF section starts.  "REF:" in capitals counts anywhere (typists glued it
# to the subject: "UK PRIMEREF: A. LONDON 1939"); the other spellings must stand alone.
_LABEL = re.compile(
    r"REF(?:S|TEL|TELS)?\s*:|(?<![A-Za-z])(?:REF\(S\)|Ref\(s\)|REFS?|Refs?|REFTELS?|Reftels?|"
    r"REFERENCES?|References?)(?![A-Za-z\-])\s*[.:]?")
_STOP = re.compile(
    r"(?i)\bclassi\w{0,5}\s+by\b|\bsensitive but unclassified\b|\bC O R R E C T E D\b|"
    r"(?<![A-Za-z(])\d{1,2}\s*\.\s*\((?:U|C|S|SBU|S/NF|C/NF|LOU)\)|\bE\.\s?O\.\s?1\d{4}")
_STOP_LINE = re.compile(
    r"(?i)^\s*(?:¶?\d{1,2}\s*\.(?!\d)|summary\b|subject\b|subj\b|tags\b|e\.?\s?o\.?\s*1\d|"
    r"sensitive\b|classified\b|this (?:is|message|cable)\b|begin\b|action\b|please\b|"
    r"(?:\((?:u|c|s|sbu|lou|s/nf|c/nf)\))|-{3,}|={3,}|sipdis\b|for official use\b|dept\b|"
    r"(?:un)?classified\b|confidential\b|secret\b|info\b|summary\b)")
_BULLET_START = re.compile(r"^\s*(?:¶\s*)?(?:\(?[A-Z]\)|[A-Z][.:\-](?=\s)|[A-Z]\s+-\s)")
_ANY_BULLET_LINE = re.compile(r"\n[ \t]*(?:¶[ \t]*)?(?:\(?[A-Z]\)|[A-Z][.:\-](?=\s)|[A-Z]\s+-\s)")
_CONTINUATION = re.compile(r"^\s*(?:\d|(?:[A-Z][A-Za-z'.]*\s+){0,3}[A-Z][A-Za-z'.]*\s+\d)")


def _label_at_candidates(text: str, start: int) -> re.Match[str] | None:
    """_LABEL.search(text, start): every spelling starts with "REF" or "Ref", so the
    pattern is tried only there (a search would try it at every position)."""
    a = text.find("REF", start)
    b = text.find("Ref", start)
    while a >= 0 or b >= 0:
        if b < 0 or 0 <= a < b:
            m = _LABEL.match(text, a)
            if m:
                return m
            a = text.find("REF", a + 1)
        else:
            m = _LABEL.match(text, b)
            if m:
                return m
            b = text.find("Ref", b + 1)
    return None


def find_ref_section(preamble: str) -> str | None:
    """The text of the REF section (label removed), or None when there is none."""
    if not isinstance(preamble, str):
        return None
    first = find_any(preamble, ("REF", "Ref", "ref"))
    m = _label_at_candidates(preamble, max(0, first - 1)) if first >= 0 else None
    if m:
        line_start = preamble.rfind("\n", 0, m.start()) + 1
        before = preamble[line_start:m.start()]
        lead = before if before and _LEAD_BULLET.match(before) else ""
        return _take_lines(lead + preamble[m.end():])
    # No label (scraped text lost it): bulleted lines that cite cables.
    if not _ANY_BULLET_LINE.search(preamble):
        return None
    lines = [ln for ln in preamble.split("\n") if _BULLET_START.match(ln)]
    found = [ln for ln in lines
             if any(r.kind == "cable" for r in parse_ref_text(ln, year="00", reference_station="_"))]
    return "\n".join(found) if found else None


def _take_lines(text: str) -> str:
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines) and len(out) < 60:
        line = lines[i]
        stop = _stop_in(line)
        if i > 0 and _STOP_LINE.match(line) and not _BULLET_START.match(line):
            break
        if stop:
            out.append(line[:stop.start()])
            break
        if not line.strip():
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and (_BULLET_START.match(lines[j]) or
                                   (_CONTINUATION.match(lines[j]) and out and
                                    not _CLOSED_END.search(out[-1]))) \
                    and not _STOP_LINE.match(lines[j]):
                i = j
                continue
            if out and out[-1].strip():
                break
        out.append(line)
        i += 1
    return "\n".join(out)


# Bullets: "A." "A)" "(A)" "A:" "A -" and "¶B.".  Accepted only in sequence (A, B, C ...)
# or as a repeat of the current letter, so initials ("J. Speaks") are not bullets.
_BULLET = re.compile(
    r"(?:(?<=^)|(?<=[\s;,]))(?:¶[ \t]?)?(?:\(([A-Z])\)|([A-Z])[ \t]?[.):](?=[\sA-Z0-9(¶]|$)|([A-Z])\s+-\s)")
_OCR_O = re.compile(r"\bO(?=\d\b|\d\s)")
_OCR_ZERO = re.compile(r"(?<![A-Za-z0-9])0(?=[A-Z]{3})|(?<=[A-Z])0(?=[A-Z])")
_TOKEN = re.compile(r"(\d+(?:[-/]\d{2}(?!\d))?)|([A-Za-z][A-Za-z'’.]*)|(\(\w{1,4}\)|\S)")
_NOISE_WORDS = re.compile(r"\bREF(?:ERENCE)?S?\b\s*:?\s*(?:[A-Z]\b(?![.'’]))?|\bREFTEL\b\s*:?")
_EMAIL = re.compile(r"(?i)\be-?mails?\b")
_TELCON = re.compile(r"(?i)\btel(?:e)?cons?\b|\btelephone\b|\bphone (?:call|conversation)\b|\btel con\b")
_REPORT = re.compile(r"(?i)\bTD-\d|\bIIR\b|\breports?\b|\bintsum\b|\bsitrep\b|\bcable\b.*\bsent\b")
_JOINERS = {"AND", "&", ",", "AND/OR"}
_SKIP_BETWEEN = re.compile(r"^(?:\(\w{1,4}\)|:|-|NO\.?|#)$", re.I)
_PAREN_YEAR = re.compile(r"\((\d{2})\)")


_LEAD_BULLET = re.compile(r"^\s*(?:¶\s*)?\(?[A-Z]\)?[.)]\s*$")
_CLOSED_END = re.compile(r"[.)]\s*$")
_TWO_LETTERS = re.compile(r"[A-Za-z]{2}")
_ID_STATION = re.compile(r"^\d{2}([A-Z]+)\d")


def _blank_out(m: re.Match[str]) -> str:
    return " " * (m.end() - m.start())


def _paren_year(m: re.Match[str]) -> str:
    return " " + m[1] + " "


def _stop_in(line: str) -> re.Match[str] | None:
    """_STOP.search(line); an ASCII line without any of the words or characters the
    pattern needs cannot match (the common case: a plain reference line)."""
    if line.isascii():
        low = line.lower()
        if not ("classi" in low or "sensitive" in low or "c o r r" in low or "(" in line or "o." in low):
            return None
    return _STOP.search(line)


def _station_for(words: list[str]) -> tuple[str, int] | None:
    """The station named by the longest tail of ``words``; (station, index of first word)."""
    n = len(words)
    keys = []
    for start in range(max(0, n - 6), n):
        keys.append((start, station_key("".join(words[start:]))))
    for start, key in keys:
        hit = _ALIASES.get(key)
        if hit:
            return hit, start
    for start, key in keys[-3:]:
        if len(key) >= 6:
            hit = _fuzzy(key, 1)
            if hit:
                return hit, start
        if len(key) >= 5:
            hit = _truncated(key)
            if hit:
                return hit, start
    return None


@lru_cache(maxsize=4096)
def _truncated(key: str) -> str | None:
    """The one station whose name starts with key ("KUALALUMP", "PORTA"), else None."""
    starts = {v for k, v in _ALIASES.items() if len(k) > len(key) and k.startswith(key)}
    return starts.pop() if len(starts) == 1 else None


def _split_items(text: str) -> list[tuple[str | None, str]]:
    items: list[tuple[str | None, str]] = []
    current: str | None = None
    expected = "A"
    pos = 0
    pending_text_start = 0
    for m in _BULLET.finditer(text):
        letter = m.group(1) or m.group(2) or m.group(3)
        body_so_far = text[pending_text_start:m.start()]
        at_start = not items and current is None and not text[:m.start()].strip()
        if letter == expected or (current is not None and letter == current) or at_start:
            if letter == current and not body_so_far.strip():
                pending_text_start = m.end()  # "A. A)": the same bullet twice
                continue
            items.append((current, body_so_far))
            current = letter
            expected = chr(ord(letter) + 1) if letter < "Z" else "Z"
            pending_text_start = m.end()
        pos = m.end()
    items.append((current, text[pending_text_start:]))
    return [(b, t) for b, t in items if t.strip()]


def parse_ref_text(text: str, *, year: int | str | None, reference_station: str | None = None
                   ) -> list[Reference]:
    """References in the text of a REF section (label already removed)."""
    if not isinstance(text, str) or not text.strip():
        return []
    t = text
    if "OF" in t:
        t = _SECTION_HDR.sub(" ", t)
    if "PAGE" in t:
        t = _PAGE_HDR.sub(" ", t)
    if "¶" in t:
        t = t.replace("¶", " ")
    default_year = two_digit_year(year) if year is not None else None
    refs: list[Reference] = []
    last_station: str | None = None
    for bullet, item in _split_items(t):
        for sub in item.split(";"):
            found, last_station = _scan(sub, bullet, default_year, last_station, reference_station)
            if found:
                refs.extend(found)
                continue
            value = " ".join(sub.split()).strip(" ,;")
            if not value or not _TWO_LETTERS.search(value):
                continue
            if _EMAIL.search(value):
                kind = "email"
            elif _TELCON.search(value):
                kind = "telcon"
            elif _REPORT.search(value):
                kind = "report"
            else:
                kind = "other"
            refs.append(Reference(bullet=bullet, value=value, kind=kind, id=None))
    return refs


def _scan(sub: str, bullet: str | None, default_year: str | None, last_station: str | None,
          reference_station: str | None) -> tuple[list[Reference], str | None]:
    # Every rewrite keeps lengths, so token positions are positions in ``sub`` too.
    s = sub
    if "REF" in s:
        s = _NOISE_WORDS.sub(_blank_out, s)
    if "(" in s:
        s = _PAREN_YEAR.sub(_paren_year, s)
    if "O" in s:
        s = _OCR_O.sub("0", s)
    if "0" in s:
        s = _OCR_ZERO.sub("O", s)
    tokens = []
    for m in _TOKEN.finditer(s):
        tok, num, word = m.group(0, 1, 2)
        start, end = m.span()
        tokens.append((tok, start, end, num is not None, word is not None))
    out: list[Reference] = []
    used: set[int] = set()
    prev_ref_end: int | None = None  # token index after the last serial
    prev_station: str | None = None
    prev_year: str | None = None
    for j, (tok, start, end, is_num, _w) in enumerate(tokens):
        if not is_num or j in used or _is_year_prefix(tokens, j):
            continue
        serial_txt, _, suffix = tok.replace("/", "-").partition("-")
        # Words right before the number (allowing "(C)" or ":" between station and serial).
        k = j - 1
        while k >= 0 and _SKIP_BETWEEN.match(tokens[k][0]):
            k -= 1
        words: list[str] = []
        w_end = k
        while k >= 0 and len(words) < 6:
            if tokens[k][4]:
                words.insert(0, tokens[k][0])
            elif not (tokens[k][0] == "-" and words and k > 0 and tokens[k - 1][4]):
                break  # a hyphen only joins words: PORT-OF-SPAIN
            k -= 1
        hit = _station_for(words) if words else None
        yy = None
        first_tok = j
        if hit:
            st, wstart = hit
            first_tok = w_end - (len(words) - 1 - wstart)
            yb = first_tok - 1
            while yb >= 0 and tokens[yb][0] == "-":
                yb -= 1
            if yb >= 0 and tokens[yb][3] and yb not in used and len(tokens[yb][0]) in (2, 3, 4) \
                    and "-" not in tokens[yb][0] and "/" not in tokens[yb][0]:
                yy = two_digit_year(tokens[yb][0])
                if yy:
                    used.add(yb)
                    first_tok = yb
        else:
            # "AND 2764" / ", 12155" continue the previous reference's station and year;
            # a bullet holding only a number ("B. 2962") continues the last station.
            between = [tokens[x][0].upper() for x in range(prev_ref_end, j)] if prev_ref_end is not None else None
            if between is not None and between and all(b in _JOINERS for b in between):
                st, yy = prev_station, prev_year
            elif j == 0 and not out and (last_station or reference_station) and len(serial_txt) >= 2:
                st = last_station or reference_station
                if st == "_":
                    continue
            else:
                continue
            if st is None:
                continue
        if suffix and len(suffix) == 2:
            yy = suffix
        year = yy or default_year
        ident = make_id(year, st, serial_txt) if year else None
        if ident is None and (not serial_txt.strip("0")):
            continue
        value = " ".join(sub[tokens[first_tok][1]:end].split())
        out.append(Reference(bullet=bullet, value=value, kind="cable", id=ident))
        used.add(j)
        prev_ref_end, prev_station, prev_year = j + 1, st, yy
        last_station = st
    return out, last_station


def _is_year_prefix(tokens: list[tuple[str, int, int, bool, bool]], j: int) -> bool:
    """Whether the number at j is the year of a reference that follows ("06 TBILISI 2601")."""
    tok = tokens[j][0]
    if len(tok) > 4 or not tok.isdigit():
        return False
    k = j + 1
    while k < len(tokens) and tokens[k][0] == "-":
        k += 1
    words = []
    while k < len(tokens) and len(words) < 6:
        if tokens[k][4]:
            words.append(tokens[k][0])
        elif not (tokens[k][0] == "-" and words and k + 1 < len(tokens) and tokens[k + 1][4]):
            break
        k += 1
    while k < len(tokens) and _SKIP_BETWEEN.match(tokens[k][0]):
        k += 1
    if not words or k >= len(tokens) or not tokens[k][3]:
        return False
    hit = _station_for(words)
    return bool(hit and hit[1] == 0)


def parse_references(text: str, *, year: int | str | None = None, reference_id: str | None = None
                     ) -> list[Reference]:
    """All references in a cable's opening text (or in a REF section on its own)."""
    if not isinstance(text, str):
        return []
    section = find_ref_section(text)
    if section is None:
        return []
    ref_station = None
    if reference_id:
        m = _ID_STATION.match(reference_id.upper())
        if m:
            ref_station = _ALIASES.get(m.group(1))
    return parse_ref_text(section, year=year, reference_station=ref_station)
