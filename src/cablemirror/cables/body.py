"""The body of a cable: opening lines, numbered paragraphs, summary, comment, signature.

```
C O N F I D E N T I A L SECTION 01 OF 02 REYKJAVIK 000195   classification, section, station serial
SIPDIS                                                      captions
E.O. 12958: DECL: 09/08/2013                                declassify-on date
TAGS: MOPS KPKO MARR PGOV PREL AF IC
SUBJECT: ICELAND: PEACEKEEPING TAKES ON ...                 (may wrap)
REF: A. 06 REYKJAVIK 431  B. STATE 1234
Classified by: Amb. Carol van Voorst for reasons 1.4 (b) and (d).
1. (U) Summary: ... End Summary.                            numbered paragraphs, portion markings
8. (C) Comment: ... End Comment.
VAN VOORST                                                  signature
```
Every function takes text that already went through ``clean.normalize_text``.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from dataclasses import dataclass, field

from ._fast import find_any, line_bounds

__all__ = [
    "Opening", "read_opening", "split_paragraphs", "find_subject", "find_summary",
    "find_comment", "find_signers", "declassify_on", "text_classification",
]

# --------------------------------------------------------------------------- opening lines

_SPACED = re.compile(r"\b((?:[A-Z] ){3,}[A-Z])\b")
_CLASS_LINE = re.compile(
    r"^[ \t]*(?P<cls>(?:[A-Z] ){3,}[A-Z]|UNCLAS(?:SIFIED)?|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|"
    r"TOP SECRET)\b(?P<rest>[^\n]*)", re.M)
_STATION_SERIAL = re.compile(r"\b([A-Z][A-Z .'\-]{1,40}?)\s+0*(\d{1,7})\s*$")
_CAPTION_WORDS = (
    "SIPDIS", "NOFORN", "NODIS", "EXDIS", "LIMDIS", "NOTAL", "STADIS", "SENSITIVE", "EFTO",
    "ORCON", "PROPIN", "NOCONTRACT", "CHEROKEE", "DECAPTIONED", "TERREP", "WNINTEL", "SPECAT",
    "DISSENT", "ROGER", "FOUO", "CODEL", "NOFORN/ORCON", "REL",
)
_CAPTION_SET = frozenset(_CAPTION_WORDS)
_CAPTION_LINE = re.compile(
    r"[ \t]*(?:(?:" + "|".join(_CAPTION_WORDS) + r"|E F T O|BUT|UNCLASSIFIED|FOR OFFICIAL USE ONLY)"
    r"[ \t,;/.]*)+")
_CAPTION_HINTS = ("SIPDIS", "NOFORN", "NODIS", "EXDIS", "LIMDIS", "NOTAL", "STADIS", "SENSITIVE",
                  "E F T O", "EFTO", "ORCON", "PROPIN", "NOCONTRACT", "CHEROKEE", "DECAPTIONED",
                  "TERREP", "WNINTEL", "SPECAT", "DISSENT", "ROGER", "FOUO", "CODEL")
_CAPTION_TOKEN = re.compile(r"\b(" + "|".join(_CAPTION_WORDS) + r"|E F T O)\b")

_EO = re.compile(r"(?i)\bE\.?\s?O\.?\s*1\d{3,4}\b[^\n]*|\bDECL\s*:[^\n]*")
_DECL_DATE = re.compile(r"(?i)\bDECL\w*\s*:?\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{2,4})\b")


def declassify_on(text: str) -> str | None:
    """The DECL date of an E.O. line as ISO, None when there is none or it is not a date."""
    m = _DECL_DATE.search(text or "")
    if not m:
        return None
    mm, dd, yy = int(m.group(1)), int(m.group(2)), m.group(3)
    year = int(yy)
    if len(yy) == 2:
        year += 2000 if year < 60 else 1900
    elif len(yy) == 3:
        return None
    try:
        return _dt.date(year, mm, dd).isoformat()
    except ValueError:
        return None


_CLASS_SPELLING = {"UNCLAS": "UNCLASSIFIED", "TOPSECRET": "TOP SECRET"}
_CLASS_WORDS = frozenset(("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "LIMITED OFFICIAL USE", "TOP SECRET"))


def text_classification(first_line: str, captions: list[str]) -> str | None:
    """What the classification line says, in the release's spelling."""
    m = _CLASS_LINE.match(first_line or "")
    if not m:
        return None
    word = m["cls"]
    if " " in word and len(word) > 12:
        word = word.replace(" ", "")
    word = _CLASS_SPELLING.get(word, word)
    if word not in _CLASS_WORDS:
        return None
    if word in ("CONFIDENTIAL", "SECRET") and "NOFORN" in captions:
        return word + "//NOFORN"
    if word == "UNCLASSIFIED" and "SENSITIVE" in captions:
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    return word


@dataclass(slots=True)
class Opening:
    classification: str | None = None
    captions: list[str] = field(default_factory=list)
    station: str | None = None  # as written in the classification line, e.g. "REYKJAVIK"
    serial: str | None = None
    declassify_on: str | None = None
    eo_end: int = 0  # offsets (in the body) of the ends of the opening blocks
    first_line_end: int = 0


_SECTION_WORDS = re.compile(r"\b(?:SECTION|SECTON|SECTIN)\s+\d+\s+OF\s+\d+\b")
_CAPTION_BEFORE_STATION = re.compile(r"^(?:E F T O|EFTO|NOFORN|SIPDIS|SENSITIVE)\s+")


def _station_serial(rest: str) -> re.Match[str] | None:
    """_STATION_SERIAL.search(rest), started where a match can start: the pattern ends with
    whitespace, a number and the end, and its name part is at most 41 characters long."""
    t = rest.rstrip()
    j = len(t)
    while j and t[j - 1].isdecimal():
        j -= 1
    if j == len(t) or not j or not t[j - 1].isspace():
        return None  # no number after whitespace at the end: no match is possible
    k = j - 1
    while k and t[k - 1].isspace():
        k -= 1
    return _STATION_SERIAL.search(rest, max(0, k - 42))


def read_opening(body: str, upto: int) -> Opening:
    """Classification line, captions and E.O. line from the opening part of a body."""
    op = Opening()
    head = body[:upto]
    m = _CLASS_LINE.search(head, 0, 600)
    caps: list[str] = []
    if m:
        op.first_line_end = m.end()
        rest = m["rest"]
        if rest:
            for c in _CAPTION_TOKEN.findall(rest):
                caps.append("EFTO" if c == "E F T O" else c)
            if "SECT" in rest:
                rest = _SECTION_WORDS.sub(" ", rest)
            sm = _station_serial(rest)
            if sm:
                name = sm[1].strip()
                if name[:1] in ("E", "N", "S"):
                    name = _CAPTION_BEFORE_STATION.sub("", name)
                op.station, op.serial = name, sm[2]
    # Caption lines come before the E.O./TAGS lines; look only there.
    limit = find_any(head, ("E.O", "EO 1", "TAGS", "E.o", "Tags", "SUBJ", "DECL"))
    cap_zone = head[:limit] if limit > 0 else head[:1500]
    if len(cap_zone) <= 600:
        # Short enough for whole lines (line_bounds' window): the caption lines, then for
        # each caption word the first caption line holding it, as the search below finds.
        cap_lines = [ln for ln in cap_zone.split("\n") if ln and _CAPTION_LINE.fullmatch(ln)]
        for word in _CAPTION_HINTS if cap_lines else ():
            for line in cap_lines:
                if word in line:
                    for c in _CAPTION_TOKEN.findall(line):
                        caps.append("EFTO" if c == "E F T O" else c)
                    break
    else:
        for word in _CAPTION_HINTS:
            pos = cap_zone.find(word)
            while pos >= 0:
                s, e = line_bounds(cap_zone, pos)
                line = cap_zone[s:e]
                if _CAPTION_LINE.fullmatch(line):
                    for c in _CAPTION_TOKEN.findall(line):
                        caps.append("EFTO" if c == "E F T O" else c)
                    break
                pos = cap_zone.find(word, e)
    if caps:
        op.captions = list(dict.fromkeys(caps))
    op.classification = text_classification(m.group(0) if m else "", op.captions)
    eo = find_any(head, ("E.O", "EO 1", "E.o", "e.o", "E. O", "DECL", "Decl", "decl", "E.0"))
    em = _EO.search(head, max(0, eo - 2)) if eo >= 0 else None
    if em:
        op.declassify_on = declassify_on(em.group(0))
        op.eo_end = em.end()
    return op


# --------------------------------------------------------------------------- subject

_SUBJ_LABEL = re.compile(r"(?im)^[ \t]*\W{0,2}[ \t]*(?:SUBJECT|SUBJ|UBJECT)\b[ \t]*[:.\-]?[ \t]*"
                         r"|(?<=[ \t])(?:SUBJECT|Subject|SUBJ)[ \t]*:[ \t]*")
_SUBJ_STOP_LINE = re.compile(
    r"(?i)^[ \t]*(?:REF\b|REFS\b|REFTEL|Ref\(s\)|classi\w*\s+by|¶?\d{1,2}\s*\.(?!\d)|[-=_]{3,}|"
    r"TAGS\b|E\.?\s?O\.?\s*1\d|\(\w{1,4}(?:/\w{1,4})?\)\s+\w|SUMMARY\b|SIPDIS|"
    r"sensitive but unclassified|this (?:is|message|cable)\b|(?:U N C|C O N|S E C))")
_SUBJ_CUT = re.compile(
    r"(?i)\s+(?:REF(?:S|TEL)?\s*:|REFS?\s+(?=\(?[A-Z][.)]|[A-Z]\)|\d)|Ref\(s\)\s*:|"
    r"classi\w*\s+by\b|sensitive but\b|E\.?\s?O\.?\s*1\d{4}).*$|(?<=[A-Za-z])REF:.*$", re.S)
_MARKING_PREFIX = re.compile(r"^\((?:U|C|S|SBU|LOU|TS|C/NF|S/NF|U/FOUO|SBU/NF|NF|FOUO)\)\s*", re.I)


def _lines_from(text: str, pos: int):
    """The lines of text[pos:], lazily (a subject needs its first few lines only)."""
    while True:
        nl = text.find("\n", pos)
        if nl < 0:
            yield text[pos:]
            return
        yield text[pos:nl]
        pos = nl + 1


def find_subject(text: str, *, clean: bool = True) -> tuple[str, int]:
    """The subject line (joined over its lines) and the offset where it ends; ("", 0) if none."""
    if not text:
        return "", 0
    first = find_any(text, ("SUBJ", "Subj", "UBJECT", "subj"))
    if first < 0:
        return "", 0
    m = _SUBJ_LABEL.search(text, max(0, text.rfind("\n", 0, first)))
    if not m:
        return "", 0
    parts: list[str] = []
    consumed = 0
    for i, line in enumerate(_lines_from(text, m.end())):
        s = line.strip()
        if i == 0:
            consumed += len(line) + 1
            if s:
                parts.append(s)
            continue
        if not s:
            if parts:
                break
            consumed += len(line) + 1
            continue
        if _SUBJ_STOP_LINE.match(line) or len(parts) >= 6:
            break
        parts.append(s)
        consumed += len(line) + 1
    subject = " ".join(" ".join(parts).split())
    end = m.end() + consumed
    # The cut needs REF, CLASSI..., SENSITIVE or a "1" (E.O. 1xxxx); in ASCII text a
    # lower-case copy tells (re.I also folds some non-ASCII letters to ASCII ones).
    low = subject.lower()
    cut = _SUBJ_CUT.search(subject) if not subject.isascii() or "ref" in low or "classi" in low \
        or "sensitive" in low or "1" in subject else None
    if cut:
        subject = subject[:cut.start()].rstrip()
    if clean:
        subject = _MARKING_PREFIX.sub("", subject).strip()
        subject = subject.strip(" \t-")
    return subject, min(end, len(text))


# --------------------------------------------------------------------------- paragraphs

# "1. (C) text", "¶2.  text", "10.(SBU) text"; the marking is optional.
# Anchored on the newline before it: a pattern that starts with a literal character is
# scanned much faster than one starting with "^[ \t]*" in multi-line mode.
_PARA = re.compile(
    r"\n[ \t]*(?:¶[ \t]*)?(\d{1,3})[ \t]*\.(?![\d.])[ \t]*(?:Q?\((?P<mark>[A-Z]{1,5}(?:/{1,2}[A-Z]{1,8}){0,3})\))?")
_LEAD_MARK = re.compile(r"^\s*\((?P<mark>[A-Z]{1,5}(?:/{1,2}[A-Z]{1,8}){0,3})\)\s*")
_MARKS = frozenset("U C S TS SBU LOU FOUO NF CUI".split())
_BLANK_RUN = re.compile(r"\n[ \t]*\n\s*")
_LIST_START = re.compile(r"^(?:-{1,2}|\*|o |•|\(?[a-z0-9]{1,2}\)|[A-Z]\.\s|[a-z]\.\s)")


def _valid_mark(mark: str | None) -> bool:
    return bool(mark) and mark.split("/")[0] in _MARKS  # type: ignore[union-attr]


_BLANKS = re.compile(r"\n(?:[ \t]*\n)+[ \t]*")
_LIST_AHEAD = r"(?:-{1,2}[ \t]|\*|•|o[ \t]|\(?[a-z0-9]{1,2}\)|[A-Za-z]\.[ \t])"
_LINE_BREAK = re.compile(r"\n(?!\n)[ \t]*+(?!" + _LIST_AHEAD + r")")
_LIST_LINE = re.compile(r"\n[ \t]*" + _LIST_AHEAD)
_GAP = re.compile(r"\n\n(?!" + _LIST_AHEAD + r")")
_SENTENCE_END_CHARS = frozenset('.!?:;")]”')


_GAP_LINE = re.compile(r"\n[ \t]?\n")  # "\n\n", "\n \n" or "\n\t\n"


def reflow(text: str) -> str:
    """Lines of a paragraph as readable text: wrapped lines joined, list items and real
    breaks (a blank line after a finished sentence) kept, blank lines inside a
    sentence (scraping damage) dropped."""
    t = text.strip()
    if "\n" not in t:
        return t
    gaps = _GAP_LINE.search(t) is not None
    if not gaps and not _LIST_LINE.search(t):
        # plain wrapped prose, the common case: str.replace is far cheaper than any regex
        if " \n" in t:
            t = t.replace(" \n", "\n").replace(" \n", "\n")
        return t.replace("\n", " ")
    if gaps:
        t = _BLANKS.sub("\n\n", t)
        # a blank line after a finished sentence is a real break (kept as \x01 for now);
        # one in the middle of a sentence is scraping damage
        t = _GAP.sub(lambda m: "\x01" if t[m.start() - 1 - (t[m.start() - 1] == " ")] in _SENTENCE_END_CHARS
                     else " ", t)
    t = _LINE_BREAK.sub(" ", t)
    if gaps:
        t = t.replace("\x01", "\n\n")
    return t


@dataclass(slots=True)
class RawParagraph:
    number: int | None
    marking: str | None
    start: int  # offset of the paragraph's first character (number) in the body
    text_start: int  # offset of its text (after number and marking)
    end: int


# The same at the very start of a text (no newline before it).
_PARA_AT_START = re.compile(_PARA.pattern.removeprefix("\\n"))


def split_paragraphs(body: str, start: int = 0) -> list[RawParagraph]:
    """Numbered paragraphs in order; numbers must rise by small steps, so "¶2007." in a
    text extract or a numbered list inside a paragraph does not start a paragraph."""
    found: list[RawParagraph] = []
    last = 0
    n_body = len(body)
    if start == 0 and not body.startswith("\n"):
        # A paragraph on the first line has no newline before it: matched on its own,
        # then the scan goes on where that match ended (as if a newline were prepended).
        m0 = _PARA_AT_START.match(body)
        matches = _PARA.finditer(body, m0.end()) if m0 else _PARA.finditer(body)
        if m0:
            matches = itertools.chain((m0,), matches)
    else:
        matches = _PARA.finditer(body, max(start - 1, 0) if start else 0)
    for m in matches:
        n = int(m[1])
        if last == 0:
            if n > 3:
                continue
        elif not (last < n <= last + 3):
            continue
        mark = m["mark"]
        if mark and mark.partition("/")[0] in _MARKS:
            text_start = m.end()
        else:
            mark = None
            text_start = m.end(1) + 1
            lm = _LEAD_MARK.match(body, text_start)
            if lm and _valid_mark(lm["mark"]):
                mark = lm["mark"]
                text_start = lm.end()
        begin = m.start() if m.re is _PARA_AT_START else m.start() + 1  # after the newline
        if found:
            found[-1].end = begin
        found.append(RawParagraph(n, mark, begin, text_start, n_body))
        last = n
    return found


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# What paragraph_text looks for at the end of a paragraph before trying to cut a heading.
_BLANK_TAIL = re.compile(r"\n(?:\n| \n|  \n|\t\n)")
_RULE_LINE = re.compile(r"[-=_‐–—\s]+")


def _trailing_block(chunk: str) -> int | None:
    """Where the last block after a blank line starts, when it has at most three lines."""
    last = None
    limit = len(chunk.rstrip())  # a block needs a non-blank character before this
    for m in _BLANK_LINE.finditer(chunk, max(0, len(chunk) - 400)):
        if m.end() < limit:
            last = m
    if last is None or chunk[last.end():].strip().count("\n") > 2:
        return None
    return last.start()


def _is_heading(block: str) -> bool:
    """Short lines without a sentence end, mostly capitalised words: a section heading."""
    words: list[str] = []
    for ln in block.split("\n"):
        ln = ln.strip()
        if not ln:
            continue
        if len(ln) > 70:
            return False
        if not _RULE_LINE.fullmatch(ln):
            words.extend(ln.split())
    if not words:
        return False
    last = words[-1]
    if last[-1] in "!?:;," or (last[-1] == "." and "." not in last[:-1]):
        return False
    caps = 0
    for w in words:
        if w[0].isupper() or w[0] in "\"“(":
            caps += 1
    return caps * 2 >= len(words)


_NL_INDENT = re.compile(r"\n[ \t]*")


def _reflow_gaps(t: str) -> str:
    """reflow(t) for a stripped text with blank lines and without list lines: the blocks
    between blank-line runs, each with its line breaks (and the indentation after them) as
    one space, joined by a real break after a finished sentence and by a space elsewhere."""
    blocks = _BLANKS.split(t)
    out = [_NL_INDENT.sub(" ", blocks[0]) if "\n" in blocks[0] else blocks[0]]
    for block in blocks[1:]:
        prev = out[-1]
        # the character before the break, or the one before a single space there
        before = prev[-2] if prev[-1] == " " and len(prev) > 1 else prev[-1]
        out.append("\n\n" if before in _SENTENCE_END_CHARS else " ")
        out.append(_NL_INDENT.sub(" ", block) if "\n" in block else block)
    return "".join(out)


def _paragraph_text(body: str, text_start: int, end: int, last: bool) -> str:
    """paragraph_text for a paragraph given by its offsets, with a fast path for the usual
    paragraph: without a blank line (so no trailing heading, no gap) and without list lines
    it is its lines joined, each line-end's two spaces at most dropped (as reflow does)."""
    chunk = body[text_start:end].rstrip()
    if "\n" not in chunk:
        return chunk.lstrip()
    if _BLANK_LINE.search(chunk) is not None:
        if not last and _BLANK_TAIL.search(chunk, max(0, len(chunk) - 400)):
            for _ in range(3):  # as paragraph_text: trailing headings are not the paragraph's
                cut = _trailing_block(chunk)
                if cut is None or not _is_heading(chunk[cut:]):
                    break
                chunk = chunk[:cut].rstrip()
        t = chunk.lstrip()
        if "\n" not in t:
            return t
        if _LIST_LINE.search(t) is not None:
            return reflow(t)
        if _GAP_LINE.search(t) is not None:
            return _reflow_gaps(t)
    else:
        t = chunk.lstrip()
        if "\n" not in t:
            return t
        if _LIST_LINE.search(t) is not None:
            return reflow(t)
    if " \n" in t:
        t = t.replace(" \n", "\n").replace(" \n", "\n")
    return t.replace("\n", " ")


def paragraph_text(body: str, raw: RawParagraph, *, last: bool = False) -> str:
    chunk = body[raw.text_start:raw.end].rstrip()
    if not last and _BLANK_TAIL.search(chunk, max(0, len(chunk) - 400)):
        for _ in range(3):  # headings of the next section trail a paragraph; they are not its text
            cut = _trailing_block(chunk)
            if cut is None or not _is_heading(chunk[cut:]):
                break
            chunk = chunk[:cut].rstrip()
    return reflow(chunk)


# --------------------------------------------------------------------------- summary, comment

_SUMMARY_START = re.compile(
    r"(?im)(?:^[ \t]*[-=_]*[ \t]*\bSUMMARY(?:\s+AND\s+(?:COMMENT|INTRODUCTION|ACTION REQUEST|"
    r"TABLE OF CONTENTS))?[ \t]*[-=_]*[ \t]*$"
    r"|\b(?<!END )(?<!END\n)SUMMARY(?:\s+AND\s+(?:COMMENT|INTRODUCTION|ACTION REQUEST))?\s*(?:[:.]|-{1,2}(?!-))[ \t]*"
    r"|\bSummary(?:\s+and\s+(?:comment|introduction))?\s*[:.][ \t]*)")
_SUMMARY_END = re.compile(
    r"(?i)END\s+(?:OF\s+)?SUMMARY(?:\s+AND\s+(?:COMMENT|INTRODUCTION|ACTION REQUEST|TABLE OF CONTENTS))?\b\.?")
_COMMENT_START = re.compile(
    r"(?m)(?:^[ \t]*[-=_]*[ \t]*(?:COMMENT|Comment)[ \t]*[-=_]*[ \t]*$"
    r"|(?<![Ee]nd )(?<![Nn]o )(?<!END )\b(?:COMMENT|Comment)\s*[:.\-]{1,2}[ \t]*)")
_COMMENT_END = re.compile(r"(?i)END\s+(?:OF\s+)?COMMENT\b\.?")


_NUMBER_MARK = r"[ \t]*(?:¶[ \t]*)?\d{1,3}[ \t]*\.(?![\d.])[ \t]*(?:\([A-Z]{1,5}(?:/{1,2}[A-Z]{1,8}){0,3}\)[ \t]*)?"
# Line starts found from the newline before them (a literal first character scans fast);
# the first line of a span is matched on its own.
_NUMBER_FIRST = re.compile(_NUMBER_MARK)
_NUMBER_LINE = re.compile(r"\n" + _NUMBER_MARK)
_LEAD_MARKING = re.compile(r"[ \t]*\([A-Z]{1,5}(?:/{1,2}[A-Z]{1,8}){0,3}\)[ \t]*")
_DASH_FIRST = re.compile(r"[ \t]*[-=_‐–—]{3,}[ \t]*(?=\n|\Z)")
_DASH_NEXT = re.compile(r"\n[ \t]*[-=_‐–—]{3,}[ \t]*(?=\n|\Z)")
_DASH_CHARS = "-=_‐–—"


def _strip_numbers(text: str) -> str:
    """Paragraph numbers and markings out of a span of body text."""
    m = _NUMBER_FIRST.match(text)
    out = text[m.end():] if m else text
    if "\n" in out:
        out = _NUMBER_LINE.sub("\n", out)
    m = _LEAD_MARKING.match(out)
    if m:
        out = out[m.end():]
    if any(c in out for c in _DASH_CHARS):
        m = _DASH_FIRST.match(out)
        if m:
            out = out[m.end():]
        out = _DASH_NEXT.sub("\n", out)
    kept = [ln.rstrip() for ln in out.split("\n") if not ln.isspace() and ln]
    text = "\n".join(kept).strip()
    return _LEADING_LABEL.sub("", text)


_LEADING_LABEL = re.compile(r"^(?:Summary|Comment)(?:\s+and\s+\w+)?\s*[:.]\s*", re.I)


_BLANK_THEN_HEADING = re.compile(r"\n[ \t]*\n[ \t]*(?=[A-Z][^\n]{0,58}[^\n.,;:](?:\n|$))")


def _word_hits(body: str, tails: tuple[tuple[str, str], ...], start: int, stop: int) -> list[int]:
    """Sorted offsets in [start, stop) of words given as (tail, first letters): "ummary"
    after "S" or "s" finds "Summary" and "summary" in one scan (scans, not words, cost)."""
    hits: list[int] = []
    for tail, heads in tails:
        pos = body.find(tail, start + 1, stop)
        while pos >= 0:
            if body[pos - 1] in heads:
                hits.append(pos - 1)
            pos = body.find(tail, pos + 1, stop)
    if len(tails) > 1:
        hits.sort()
    return hits


def _first_end(body: str, hits: list[int], pairs: tuple[tuple[str, str], ...], start: int, stop: int) -> int:
    """The smallest offset >= start of an end mark "<prefix><word>" ending by ``stop``, where
    the word is at one of ``hits``; -1 when there is none."""
    best = -1
    for h in hits:
        if best >= 0 and h > best + 8:
            break  # every prefix is at most 7 characters long
        for prefix, word in pairs:
            i = h - len(prefix)
            if i >= start and h + len(word) <= stop and body.startswith(word, h) \
                    and body.startswith(prefix, i) and (best < 0 or i < best):
                best = i
    return best


_SUMMARY_TAILS = (("ummary", "Ss"), ("UMMARY", "S"))
_SUMMARY_WORDS = ("SUMMARY", "Summary", "summary")
_END_SUMMARY_PAIRS = (("END ", "SUMMARY"), ("End ", "Summary"), ("End ", "summary"), ("end ", "summary"),
                      ("END OF ", "SUMMARY"), ("End of ", "Summary"), ("END\n", "SUMMARY"),
                      ("End\n", "Summary"), ("END \n", "SUMMARY"))
_END_BEFORE = re.compile(r"END\s*(?:OF\s*)?$")
_RULE_TAIL = re.compile(r"[-=_\s]*$")
_RULE_ONLY = re.compile(r"[\s\-=_]*")


def _summary_start(body: str, start: int, stop: int, hits: list[int] | None = None) -> re.Match[str] | None:
    if hits is None:
        hits = _word_hits(body, _SUMMARY_TAILS, start, len(body))
    tries = 0
    nxt = start
    for pos in hits:
        if pos < nxt:
            continue
        if pos + 7 > stop or tries >= 40:
            break
        tries += 1
        nxt = pos + 7
        before = body[max(0, pos - 8):pos].upper()
        if not _END_BEFORE.search(before):
            ls = line_bounds(body, pos, 120)[0]
            m = _SUMMARY_START.search(body, ls, min(len(body), pos + 60))
            if m and m.start() <= pos + 1 and m.end() > pos:
                return m
    return None


def find_summary(body: str, start: int = 0) -> str | None:
    """The summary: from a SUMMARY label or heading to END SUMMARY, or to the end of its
    paragraph when there is no end mark; from the first paragraph when only the end mark
    is there."""
    if not body:
        return None
    hits = _word_hits(body, _SUMMARY_TAILS, start, len(body))
    if not hits:
        return None
    end_pos = _first_end(body, hits, _END_SUMMARY_PAIRS, start, len(body))
    end_m = _SUMMARY_END.match(body, end_pos) if end_pos >= 0 else None
    m = _summary_start(body, start, end_pos if end_m else len(body), hits)
    if m:
        begin = m.end()
        if end_m and end_m.start() >= begin:
            stop = end_m.start()
        else:
            nxt = _PARA.search(body, begin - 1)
            heading = _RULE_TAIL.match(body[m.start():m.end()].split("\n")[-1] or "")
            if nxt and (nxt.start() < begin or _RULE_ONLY.fullmatch(body, begin, nxt.start())) \
                    and heading is not None:
                nxt = _PARA.search(body, nxt.end())  # a heading: the summary is the paragraph below
            stop = nxt.start() if nxt else len(body)
            for blank in _BLANK_THEN_HEADING.finditer(body, begin, stop):
                stop = blank.start()  # a heading after a blank line ends the paragraph
                break
        text = _strip_numbers(body[begin:stop])
        return text or None
    if end_m:
        first_para = _PARA.search(body, max(start - 1, 0))
        if first_para and first_para.start() < end_m.start():
            text = _strip_numbers(body[first_para.start():end_m.start()])
            return text or None
    return None


# "COMMENT" and "Comment" start a comment; end marks also spell it "comment".
_COMMENT_TAILS = (("omment", "Cc"), ("OMMENT", "C"))
_COMMENT_WORDS = ("COMMENT", "Comment")
_END_COMMENT_PAIRS = (("END ", "COMMENT"), ("End ", "Comment"), ("End ", "comment"), ("end ", "comment"),
                      ("END OF ", "COMMENT"), ("END\n", "COMMENT"), ("End\n", "Comment"))
_COMMENT_HEADING = re.compile(r"^[ \t]*[-=_]*[ \t]*COMMENT[ \t]*[-=_]*[ \t]*$", re.I)


def find_comment(body: str, start: int = 0, stop: int | None = None) -> str | None:
    """The comment: from a COMMENT label or heading to END COMMENT, or to the end of its
    paragraph (label) or of the cable (heading)."""
    end_limit = len(body) if stop is None else stop
    hits = _word_hits(body, _COMMENT_TAILS, start, end_limit)
    m = None
    tries = 0
    nxt = start
    for pos in hits:
        if pos < nxt or body[pos + 1] == "o" and body[pos] != "C":
            continue  # skipped, or "comment" in lower case
        if tries >= 40:
            break
        tries += 1
        nxt = pos + 7
        ls = line_bounds(body, pos, 120)[0]
        cand = _COMMENT_START.search(body, max(ls, pos - 30), min(end_limit, pos + 40))
        if cand and cand.start() <= pos + 1 and cand.end() > pos:
            m = cand
            break
    if not m:
        return None
    begin = m.end()
    end_pos = _first_end(body, [h for h in hits if h >= begin], _END_COMMENT_PAIRS, begin, end_limit)
    end_m = _COMMENT_END.match(body, end_pos) if end_pos >= 0 else None
    heading = _COMMENT_HEADING.match(m.group(0).strip("\n"))
    if end_m:
        stop_at = end_m.start()
    elif heading:
        stop_at = end_limit
    else:
        nxt_para = _PARA.search(body, begin - 1)
        stop_at = min(nxt_para.start(), end_limit) if nxt_para else end_limit
    text = _strip_numbers(body[begin:stop_at])
    return text or None


# --------------------------------------------------------------------------- signature

_TRAILER = re.compile(
    r"(?i)^[ \t]*(?:NNNN?|BT|#\d+|[>.\"\\]|=+.*|.*CABLE ENDS.*|SELECT \*.*|Declassified/Released\b.*|"
    r"Systematic Review\b.*|Please visit\b.*|http\S*.*|\d{4}[A-Z ]+\d+\s*-\s*(?:Classification:\s*)?[A-Z /]+|"
    r"(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|SENSITIVE)(?://\s*[A-Z ]+)?|"
    r"NOTE BY [A-Z/]+:.*|GP-\d|XGDS-?\d?|DECL:? ?OADR|E\.?O\.? 1\d+.*|ADP\d+.*|SIPDIS|NOFORN|"
    r"END (?:OF )?(?:TEXT|MESSAGE|CABLE)\.?|MINIMIZE CONSIDERED\.?|\(?DRAFTED[^\n]*|"
    r"PAGE \d+[^\n]*\d{6}Z)[ \t]*$")
_SIGNER = re.compile(r"^([A-Z][A-Z'’\-]+(?:[ ]+(?:[A-Z][A-Z'’\-]*|JR\.?|SR\.?|III|II))?(?:[ ]+[A-Z][A-Z'’\-]+)?)"
                     r"[ \t]*(?:\.|##|#)?[ \t]*$")
_SIGNER_MIXED = re.compile(r"^((?:Mc|Mac|De|Di|Le|O')?[A-Z][a-z]+(?:[- ][A-Z][a-z]+)?)[ \t]*\.?[ \t]*$")
_INLINE_SIGNER = re.compile(r"[.!?\"')”*][ \t]{0,3}([A-Z][A-Z'’\-]{2,}(?: [A-Z][A-Z'’\-]{2,})?)[ \t]*$")
_INLINE_MIXED = re.compile(r"[.!?\"')”][ \t]{1,3}((?:Mc|Mac)?[A-Z][a-z]{3,})[ \t]*$")
_NOT_SIGNERS = frozenset(
    "END COMMENT SUMMARY TEXT REGARDS THANKS DRAFT NOTE SIPDIS NOFORN UNCLASSIFIED CONFIDENTIAL "
    "SECRET MESSAGE CABLE NNNN NONE NA ACTION INFO STATE TAGS SUBJECT REF BT FYI PARA ABOVE "
    "BEGIN QUOTE UNQUOTE ENDQUOTE PLEASE ADVISE DONE THANK YOU BEST WISHES SINCERELY CLEARED "
    "APPROVED DRAFTED TEXT END".split())


_SENTENCE_CLOSE = re.compile(r"[.!?\")]$")


def _after_sentence(lines: list[str], i: int) -> bool:
    """Whether the last content line before lines[i] (trailers skipped) is missing or ends a sentence."""
    for k in range(i - 1, -1, -1):
        prev = lines[k].strip()
        if prev and not _TRAILER.match(lines[k]):
            return bool(_SENTENCE_CLOSE.search(prev))
    return True


def _has_lower(text: str) -> bool:
    """Whether any character is lower case (isupper() is one C pass and rules it out)."""
    return not text.isupper() and any(map(str.islower, text))


def find_signers(body: str, *, canonicalize: bool = True) -> tuple[list[str], int]:
    """Signer surnames from the last line(s), and where the signature starts (len(body) if none)."""
    base = max(0, len(body) - 1500)
    base = body.find("\n", base) + 1 if base else 0
    tail = body[base:].rstrip()
    lines = tail.split("\n")
    pos = base + len(tail)
    i = len(lines) - 1
    while i >= 0 and (not lines[i].strip() or _TRAILER.match(lines[i])):
        pos -= len(lines[i]) + 1
        i -= 1
    if i < 0:
        return [], len(body)
    line = lines[i].strip().rstrip("\\").strip()
    cand: str | None = None
    m = _SIGNER.match(line)
    if m and not any(w.strip(".") in _NOT_SIGNERS for w in m.group(1).split()):
        cand = m.group(1)
        if cand.startswith("XXXX"):  # a redacted drafter before the signer
            cand = cand.split(None, 1)[1] if " " in cand else None
    elif _SIGNER_MIXED.match(line) and _after_sentence(lines, i) \
            and line.strip(" .").upper() not in _NOT_SIGNERS and len(line) <= 25 \
            and _has_lower(tail):
        cand = _SIGNER_MIXED.match(line).group(1)  # type: ignore[union-attr]
    else:
        im = _INLINE_SIGNER.search(line)
        if im and im.group(1).split()[0] not in _NOT_SIGNERS and (line.isupper() or "." in line[-len(im.group(0)) - 1:]):
            cand = im.group(1)
        else:
            # "... we should be taking. Chicola": a mixed-case cable signed on its last line
            im = _INLINE_MIXED.search(line)
            if im and im.group(1).upper() not in _NOT_SIGNERS and _has_lower(line[:-len(im.group(0))]):
                cand = im.group(1)
        if cand and im:
            start = pos - len(lines[i]) + lines[i].rfind(im.group(1))
            return [_canon(cand, canonicalize)], max(start, 0)
    if not cand:
        return [], len(body)
    start = pos - len(lines[i])
    return [_canon(cand, canonicalize)], max(start, 0)


def _canon(name: str, canonicalize: bool) -> str:
    name = name.strip().rstrip(".#")
    return name.upper() if canonicalize else name
