"""Text hygiene shared by the parsers: line ends, page headers, redactions.

Cables were paginated for teleprinters: each page or section of a long cable
repeats a header line ("REYKJAVIK 00000195  002 OF 002", or on older cables the
classification and "PAGE 02  VATICA 01192 01 OF 02 022245Z").  Those lines are not
content and are removed from paragraphs and body.  Runs of X are the release's
redactions: they stay in the text and are counted.
"""

from __future__ import annotations

import html
import re

from ._fast import line_bounds

__all__ = ["normalize_text", "strip_page_headers", "count_redactions", "clean_content",
           "PAGE_HEADER_INLINE"]

_ENTITY = re.compile(r"&(?:#\d{2,6}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Text is unescaped only when it holds one of these common entities (a lone "&eacute;"
# in cable text is more likely literal than markup).  One scan from each "&".
_ENTITY_HINT = re.compile(r"&(?:#|amp;|quot;|lt;|gt;|apos;|nbsp;)")


def normalize_text(text: str) -> str:
    """One newline convention, HTML entities decoded, NUL and form feeds removed.

    Single-character ``in`` tests (memchr) gate every rewrite: most texts need none."""
    if not isinstance(text, str):
        return ""
    t = text
    if "\r" in t:
        t = t.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in t and _ENTITY_HINT.search(t) and _ENTITY.search(t):
        t = html.unescape(t)
    if "\\" in t and "\\\n" in t:  # a line-end escape left over from cables.csv
        t = t.replace("\\\n", "\n")
    if "\x00" in t or "\x0c" in t or "\x1a" in t or "\x7f" in t:
        t = _CONTROL.sub("", t)
    if "\xa0" in t:
        t = t.replace("\xa0", " ")
    return t


_CLASS_WORDS = r"(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|SENSITIVE)(?://?\s*[A-Z ]+)?"
# "REYKJAVIK 00000195  002 OF 002" / "BLA 0000001 003.2 OF 39" on a line of its own.
_SECTION_LINE = re.compile(
    r"^[ \t]*(?:[A-Z][A-Z .'\-]{0,40}?[ \t]+)?0\d{4,7}[ \t]+\d{3}(?:\.\d+)?[ \t]+OF[ \t]+\d{2,3}[ \t]*\n?",
    re.M)
# "PAGE 02        VATICA  01192  01 OF 02  022245Z", with the classification line above it.
_PAGE_LINE = re.compile(
    r"(?:^[ \t]*" + _CLASS_WORDS + r"[ \t]*\n(?:[ \t]*\n)*)?"
    r"^[ \t]*PAGE[ \t]+\d{1,3}[ \t]+[A-Z][A-Z .]{0,14}?[ \t]+\d+[ \t]+(?:\d+[ \t]+OF[ \t]+\d+[ \t]+)?"
    r"\d{6}Z[ \t]*\n?", re.M)
# The same headers inside a line (a REF list, a TAGS line).
PAGE_HEADER_INLINE = re.compile(
    r"(?:\b[A-Z][A-Z'.\-]*(?:[ \t]+[A-Z][A-Z'.\-]*){0,3}[ \t]+)?\b0\d{7}\s+\d{3}(?:\.\d+)?\s+OF\s+\d{3}\b"
    r"|\bPAGE\s+\d+\s+[A-Z][A-Z ]{0,14}?\s+\d+\s+(?:\d+\s+OF\s+\d+\s+)?\d{6}Z")


# " OF 002" at a line end, found from its "OF" (the space before it is checked apart): the
# regex engine scans fast for a literal start, and "O" is far rarer than a space.
_OF_HINT = re.compile(r"OF +\d{2,3}[ \t]*(?=\n|$)")
_SECTION_LINE_FULL = re.compile(
    r"[ \t]*(?:[A-Z][A-Z .'\-]{0,40}?[ \t]+)?0\d{4,7}[ \t]+\d{3}(?:\.\d+)?[ \t]+OF[ \t]+\d{2,3}[ \t]*")
_PAGE_LINE_FULL = re.compile(
    r"[ \t]*PAGE[ \t]+\d{1,3}[ \t]+[A-Z][A-Z .]{0,14}?[ \t]+\d+[ \t]+(?:\d+[ \t]+OF[ \t]+\d+[ \t]+)?\d{6}Z[ \t]*")
_CLASS_LINE_FULL = re.compile(r"[ \t]*" + _CLASS_WORDS + r"[ \t]*")


def strip_page_headers(text: str) -> str:
    """The text without page and section header lines (found by their literal words
    first: a full regex scan of every body would cost more than the rest of parsing)."""
    cuts: list[tuple[int, int]] = []
    if "OF" in text:  # the scan below starts with the literal " OF ": no separate test
        for m in _OF_HINT.finditer(text):
            if m.start() == 0 or text[m.start() - 1] != " ":
                continue
            s, e = line_bounds(text, m.start() - 1)  # from the space, as the hint starts there
            if _SECTION_LINE_FULL.fullmatch(text, s, e):
                cuts.append((s, min(e + 1, len(text))))
    pos = text.find("PAGE")
    if pos >= 0:
        while pos >= 0:
            s, e = line_bounds(text, pos)
            if _PAGE_LINE_FULL.fullmatch(text, s, e):
                # the classification line printed above the page line goes too
                ps = s
                k = s - 1
                while k > 0:
                    ls, le = line_bounds(text, k - 1 if text[k - 1] == "\n" else k)
                    line = text[ls:le]
                    if not line.strip():
                        k = ls - 1
                        continue
                    if _CLASS_LINE_FULL.fullmatch(line):
                        ps = ls
                    break
                cuts.append((ps, min(e + 1, len(text))))
            pos = text.find("PAGE", e)
    if not cuts:
        return text
    cuts.sort()
    out: list[str] = []
    last = 0
    for s, e in cuts:
        if s < last:
            s = last
        out.append(text[last:s])
        last = max(last, e)
    out.append(text[last:])
    return "".join(out)


_REDACTION = re.compile(r"XXXX+")


def count_redactions(text: str) -> int:
    """Runs of XXXX (the release's redaction mark), not inside a longer word."""
    if "XXXX" not in text:
        return 0
    n = 0
    for m in _REDACTION.finditer(text):
        s, e = m.start(), m.end()
        if (s and text[s - 1].isalpha()) or (e < len(text) and text[e].isalpha() and text[e] != "X"):
            continue
        n += 1
    return n


_PARA_START = re.compile(r"^[ \t]*(?:¶[ \t]*)?\d{1,3}\.(?!\d)[ \t]*(?:\([A-Z][A-Za-z/ ]{0,14}\)[ \t]*)?", re.M)
_LEADING_LABEL = re.compile(
    r"^(?:Summary|Comment)(?:\s+and\s+(?:Comment|Summary|Introduction))?\s*[:.]\s*", re.I | re.M)
_END_LABEL = re.compile(r"End (?:Summary|Comment|Note)(?: and (?:Comment|Summary|Introduction))?\.?[ ]?", re.I)
_DASHES = re.compile(r"^[ \t]*[-=_]{3,}[ \t]*$", re.M)
_SIPDIS = re.compile(r"\n[ \t]*\n[ \t]*SIPDIS[ \t]*(?=\n|$)|^[ \t]*SIPDIS[ \t]*\n", re.M)
_SECTION_LINE_BLANK = re.compile(
    r"^[ \t]*(?:[A-Z][A-Z .'\-]{0,40}?[ \t]+)?0\d{4,7}[ \t]+\d{3}(?:\.\d+)?[ \t]+OF[ \t]+\d{2,3}[ \t]*\n"
    r"(?:[ \t]*\n)?", re.M)


def clean_content(text: str) -> str:
    """Cable content as plain prose: without paragraph numbers and portion markings,
    Summary/Comment labels, page headers, underlines and SIPDIS lines."""
    if not isinstance(text, str):
        return ""
    t = normalize_text(text)
    t = _SECTION_LINE_BLANK.sub("", t)
    t = _PAGE_LINE.sub("", t)
    t = _SIPDIS.sub("", t)
    t = _PARA_START.sub("", t)
    t = _LEADING_LABEL.sub("", t)
    t = _END_LABEL.sub("", t)
    t = _DASHES.sub("", t)
    return t
