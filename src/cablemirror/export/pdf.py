"""PDF of one cable, and of a list of search results (fpdf2, core fonts only).

Why core fonts: they need no font file, PDF readers always have them, and a page is
written in well under a millisecond; embedding a Unicode TTF would cost fontTools
subsetting on every request (tens of milliseconds).  Courier makes the body look
like a cable.  Text is encoded as WinAnsi (cp1252), which keeps é, ¶, curly quotes,
dashes, €, … exactly; any other character is approximated (ő as o, a thin space as
a space) or shown as "?", and the document itself says how many were, so nothing is
changed silently.

The document is built in two passes: a pure layout pass flows wrapped lines into
pages of drawing operations, then a render pass draws them with fpdf2.  The page
count is therefore known when the footers ("page X of Y") are drawn, and another
record type (the war-diary report) only has to write its own content function on
top of ``_Layout`` and ``_Frame``.

The output is deterministic: the same record gives the same bytes (the PDF creation
date comes from the record, never from the clock).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from itertools import accumulate
from typing import Any, Iterable, Mapping, Sequence

from fpdf import FPDF

__all__ = ["RenderedPdf", "cable_pdf", "render_cable", "render_report", "render_results", "report_pdf", "results_pdf"]

AUTHOR = "cablemirror"
NO_DATE = datetime(1970, 1, 1, tzinfo=timezone.utc)  # creation date when a document has none

# ---------------------------------------------------------------------------
# Text: anything -> what the WinAnsi core fonts can show, counting every change

_CP1252_EXTRAS = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")  # curly quotes, dashes, €, …
# Everything a core font can draw, plus the newline the layout splits on.
_NOT_DRAWABLE = re.compile("[^\n\x20-\x7e\xa0-\xff" + re.escape(_CP1252_EXTRAS) + "]")
_DRAWABLE = frozenset(chr(c) for c in range(0x20, 0x7F)) | frozenset(
    chr(c) for c in range(0xA0, 0x100)
) | frozenset(_CP1252_EXTRAS)
_LINE_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # treated as newlines, like \n

# Close stand-ins that NFKD does not provide.
_APPROX: dict[str, str] = {
    **dict.fromkeys("\u2010\u2011\u2012\u2015\u2043\u2212\ufe63\uff0d", "-"),
    **dict.fromkeys("\u201b\u2032\u02b9\u02bc\u02bb", "'"),
    **dict.fromkeys("\u201f\u2033\u02ba", '"'),
    **dict.fromkeys("\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\u1680", " "),
    **dict.fromkeys("\u2044\u2215", "/"),
    "\u2190": "<-", "\u2192": "->", "\u2194": "<->", "\u21d2": "=>",
    "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2248": "~",
    "\u0142": "l", "\u0141": "L", "\u0111": "d", "\u0110": "D", "\u0127": "h", "\u0126": "H",
    "\u0131": "i", "\u0138": "k", "\u0259": "e", "\u018f": "E",
}


@lru_cache(maxsize=4096)
def _stand_in(ch: str) -> tuple[str, bool]:
    """What to draw for a character the fonts lack, and whether it is a close stand-in
    (True) or the replacement "?" (False)."""
    if ch in _APPROX:
        return _APPROX[ch], True
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return "?", False  # controls, invisible format characters, broken bytes: visible
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and len(base) <= 4 and all(c in _DRAWABLE for c in base):
        return base, True
    return "?", False


@dataclass(slots=True)
class TextStats:
    """Characters of a document that could not be drawn as written."""

    approximated: int = 0  # drawn as a close stand-in (ő as o, a minus sign as -)
    replaced: int = 0  # drawn as "?"

    @property
    def changed(self) -> int:
        return self.approximated + self.replaced


class _Sanitiser:
    """Turns any value into text the core fonts can draw; counts what it changes."""

    def __init__(self) -> None:
        self.stats = TextStats()

    def __call__(self, value: object) -> str:
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\t" in text:
            text = text.expandtabs(8)
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)  # e + combining acute -> é, nothing lost
        if _NOT_DRAWABLE.search(text) is None:
            return text
        return _NOT_DRAWABLE.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        ch = match.group()
        if ch in _LINE_BREAKS:
            return "\n"
        shown, close = _stand_in(ch)
        if close:
            self.stats.approximated += 1
        else:
            self.stats.replaced += 1
        return shown


def _meta_text(value: object, limit: int = 400) -> str:
    """Text for the PDF's document information (Unicode allowed, no controls, bounded)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # lone surrogates
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# ---------------------------------------------------------------------------
# Fonts and line wrapping

_PT = 72 / 25.4  # points per millimetre


def _char_widths(key: str) -> dict[str, int]:
    """Glyph widths (1/1000 em) of a core font, keyed by the character as drawn."""
    from fpdf.fonts import CORE_FONTS_CHARWIDTHS  # the metrics fpdf2 itself lays out with

    table = CORE_FONTS_CHARWIDTHS[key]
    return {bytes([b]).decode("cp1252"): table[chr(b)] for b in range(256) if _decodable(b)}


def _decodable(b: int) -> bool:
    try:
        bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


_WIDTHS: dict[str, dict[str, int]] = {}
_NARROWEST = 150  # 1/1000 em: narrower than any glyph of the core fonts used here


@dataclass(frozen=True, slots=True)
class _Font:
    family: str  # "Courier" | "Helvetica"
    style: str = ""  # "" | "B" | "I"
    size: float = 9.0  # points

    @property
    def mono(self) -> bool:
        return self.family == "Courier"

    @property
    def char_w(self) -> float:
        """Width of one Courier character in mm."""
        return 0.6 * self.size / _PT

    @property
    def line_h(self) -> float:
        return 1.22 * self.size / _PT

    def width(self, text: str) -> float:
        if self.mono:
            return len(text) * self.char_w
        return sum(map(self._table().__getitem__, text)) * self.size / 1000 / _PT

    def fit(self, text: str, max_w: float) -> int:
        """How many leading characters of ``text`` fit in ``max_w`` (at least 1)."""
        if self.mono:
            return max(1, int(max_w / self.char_w + 1e-9))
        limit = max_w * _PT * 1000 / self.size
        table = self._table()
        head = text[: int(limit / _NARROWEST) + 1]  # no more than this many can fit
        return max(1, bisect_right(list(accumulate(map(table.__getitem__, head))), limit))

    def _table(self) -> dict[str, int]:
        key = self.family.lower() + self.style
        table = _WIDTHS.get(key)
        if table is None:
            table = _WIDTHS[key] = _char_widths(key)
        return table


def _wrap(text: str, font: _Font, max_w: float, first_w: float | None = None) -> list[str]:
    """Break one line of text to ``max_w`` (the first line to ``first_w``): at spaces,
    or inside a token that is longer than a line (redactions, URLs), never dropping a
    character other than the space a break replaces."""
    out: list[str] = []
    rest, width = text, max_w if first_w is None else first_w
    while True:
        n = font.fit(rest, width)
        if n >= len(rest):
            break
        cut = rest.rfind(" ", 0, n + 1)
        if cut > 0 and rest[:cut].strip():
            out.append(rest[:cut].rstrip(" "))
            rest = rest[cut + 1 :].lstrip(" ")
        else:
            out.append(rest[:n])
            rest = rest[n:]
        width = max_w
    out.append(rest)
    return out


# ---------------------------------------------------------------------------
# Layout: wrapped lines flowed into pages of drawing operations (no fpdf here)


@dataclass(frozen=True, slots=True)
class _Geometry:
    """A4 in millimetres."""

    width: float = 210.0
    height: float = 297.0
    left: float = 18.0
    right: float = 18.0
    top: float = 19.0  # first line of content
    head_y: float = 11.0  # baseline of the running head
    foot_y: float = 288.0  # baseline of the last footer line

    @property
    def text_w(self) -> float:
        return self.width - self.left - self.right


@dataclass(slots=True)
class _Draw:
    """One drawing operation: text at a baseline, a filled box, or a link area."""

    kind: str  # "text" | "box" | "link"
    x: float
    y: float
    font: _Font | None = None
    text: str = ""
    w: float = 0.0
    h: float = 0.0
    gray: int = 0


Run = tuple[float, _Font, str]  # x offset from the line's left edge, font, text


class _Layout:
    """Flows lines down pages; knows nothing of fpdf, so the page count is known early."""

    def __init__(self, geometry: _Geometry, bottom: float) -> None:
        self.g = geometry
        self.bottom = bottom  # lowest y a line may reach
        self.pages: list[list[_Draw]] = [[]]
        self.y = geometry.top

    @property
    def at_top(self) -> bool:
        return self.y <= self.g.top

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.g.top

    def ensure(self, h: float) -> None:
        """Start a new page unless ``h`` more millimetres fit on this one."""
        if self.y + h > self.bottom and not self.at_top:
            self.new_page()

    def gap(self, h: float) -> None:
        if not self.at_top:
            self.y += h

    def line(self, runs: Sequence[Run], height: float, x: float = 0.0) -> None:
        self.ensure(height)
        baseline = self.y + 0.78 * height
        for dx, font, text in runs:
            if text:
                self.pages[-1].append(_Draw("text", self.g.left + x + dx, baseline, font, text))
        self.y += height

    def box(self, h: float, gray: int) -> None:
        """A filled band behind the next ``h`` millimetres (the caller ensured they fit)."""
        self.pages[-1].append(_Draw("box", self.g.left - 2, self.y - 1, w=self.g.text_w + 4, h=h + 2, gray=gray))

    def link(self, x: float, w: float, h: float, url: str) -> None:
        """A link over the line just placed."""
        self.pages[-1].append(_Draw("link", self.g.left + x, self.y - h, text=url, w=w, h=h))

    def text(
        self,
        text: str,
        font: _Font,
        *,
        x: float = 0.0,
        prefix: Sequence[Run] = (),
    ) -> None:
        """Wrapped text at ``x``; ``prefix`` runs start its first line (e.g. "¶3. (C) ")."""
        if not self.prefix_fits(prefix, x):
            for _, run_font, run_text in prefix:
                self.text(run_text, run_font, x=x)
            prefix = ()
        self.lines(self.wrap(text, font, x=x, prefix=prefix), font, x=x, prefix=prefix)

    def prefix_fits(self, prefix: Sequence[Run], x: float = 0.0) -> bool:
        """Whether ``prefix`` leaves at least half the line for the text (a hostile
        marking or id must not push text off the page)."""
        return sum(f.width(t) for _, f, t in prefix) <= (self.g.text_w - x) / 2

    def lines(self, lines: Sequence[str], font: _Font, *, x: float = 0.0, prefix: Sequence[Run] = ()) -> None:
        """Lines already wrapped by ``wrap`` (with the same ``x`` and ``prefix``)."""
        h = font.line_h
        self.ensure(min(2, len(lines)) * h)  # no first line alone at the foot of a page
        for i, line in enumerate(lines):
            if i == 0 and prefix:
                pre_w = sum(f.width(t) for _, f, t in prefix)
                self.line([*prefix, (pre_w, font, line)], h, x)
            else:
                self.line([(0.0, font, line)], h, x)

    def wrap(self, text: str, font: _Font, *, x: float = 0.0, prefix: Sequence[Run] = ()) -> list[str]:
        avail = self.g.text_w - x
        pre_w = sum(f.width(t) for _, f, t in prefix)
        lines: list[str] = []
        for source_line in text.split("\n"):
            first = avail - pre_w if not lines else None
            lines.extend(_wrap(source_line.rstrip(" "), font, avail, first))
        return lines


@dataclass(slots=True)
class _Frame:
    """What every page of a document carries, and the document's metadata."""

    head_left: str
    head_right: str
    footer: list[str]  # footer lines (already wrapped), top to bottom
    title: str
    subject: str
    keywords: str
    creator: str
    created: datetime


_HEAD = _Font("Helvetica", "", 7.5)
_FOOT = _Font("Helvetica", "", 7.0)
_FOOT_LINES = 6  # at most, so that a page always keeps room for content
_FOOT_GAP = 5.0  # mm between the last line of content and the first footer line


def _page_label(page: int, total: int) -> str:
    return f"Page {page} of {total}"


def _footer_lines(parts: Sequence[str], g: _Geometry) -> list[str]:
    """Footer parts joined on one line while they fit beside the page number, else one
    part a line (each wrapped if it must be) -- a hash is never split unless it alone is
    wider than the page."""
    room = g.text_w - _FOOT.width(_page_label(9999, 9999)) - 4
    joined = " \xb7 ".join(p for p in parts if p)
    if _FOOT.width(joined) <= room:
        return [joined]
    lines: list[str] = []
    for part in parts:
        if part:
            lines.extend(_wrap(part, _FOOT, room))
    return lines[:_FOOT_LINES]  # parts are shortened beforehand; this only guards the page


def _new_layout(g: _Geometry, footer: list[str]) -> _Layout:
    footer_top = g.foot_y - (len(footer) - 1) * _FOOT.line_h - _FOOT.size / _PT
    return _Layout(g, bottom=footer_top - _FOOT_GAP)


# ---------------------------------------------------------------------------
# Rendering with fpdf2


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    """A generated PDF and what its generation had to change in the text."""

    data: bytes
    pages: int
    approximated: int  # characters drawn as a close stand-in
    replaced: int  # characters drawn as "?"


def _fit(text: str, font: _Font, width: float) -> str:
    """One line of ``text`` no wider than ``width``, shortened with an ellipsis."""
    text = text.replace("\n", " ")
    if font.width(text) <= width:
        return text
    return text[: max(0, font.fit(text, width - font.width("\u2026")))] + "\u2026"


def _render(layout: _Layout, frame: _Frame, stats: TextStats) -> RenderedPdf:
    g = layout.g
    pdf = FPDF(unit="mm", format=(g.width, g.height))
    pdf.core_fonts_encoding = "cp1252"
    pdf.set_auto_page_break(False)
    pdf.set_margins(g.left, g.top, g.right)
    pdf.set_title(_meta_text(frame.title))
    pdf.set_subject(_meta_text(frame.subject))
    pdf.set_author(AUTHOR)
    pdf.set_creator(_meta_text(frame.creator, 100))
    if frame.keywords:
        pdf.set_keywords(_meta_text(frame.keywords))
    pdf.set_creation_date(frame.created)

    current: list[Any] = [None, None]  # font, gray level: only emit changes

    def draw_text(x: float, y: float, font: _Font, text: str, gray: int = 0) -> None:
        if current[0] != font:
            pdf.set_font(font.family, font.style, font.size)
            current[0] = font
        if current[1] != gray:
            pdf.set_text_color(gray)
            current[1] = gray
        pdf.text(x, y, text)

    # The running head repeats what page 1 shows whole: shortened to its place.
    head_left = _fit(frame.head_left, _HEAD, g.text_w * 0.62)
    head_right = _fit(frame.head_right, _HEAD, g.text_w * 0.34)
    total = len(layout.pages)
    for number, ops in enumerate(layout.pages, 1):
        pdf.add_page()
        current[0] = current[1] = None  # fpdf2 resets the font per page
        draw_text(g.left, g.head_y, _HEAD, head_left, 90)
        if head_right:
            draw_text(g.width - g.right - _HEAD.width(head_right), g.head_y, _HEAD, head_right, 90)
        pdf.set_draw_color(170)
        pdf.set_line_width(0.2)
        pdf.line(g.left, g.head_y + 2, g.width - g.right, g.head_y + 2)
        for op in ops:
            if op.kind == "text":
                assert op.font is not None
                draw_text(op.x, op.y, op.font, op.text)
            elif op.kind == "box":
                pdf.set_fill_color(op.gray)
                pdf.rect(op.x, op.y, op.w, op.h, style="F")
            elif op.kind == "link":
                pdf.link(op.x, op.y, op.w, op.h, op.text)
        foot_top = g.foot_y - (len(frame.footer) - 1) * _FOOT.line_h
        pdf.line(g.left, foot_top - _FOOT.line_h, g.width - g.right, foot_top - _FOOT.line_h)
        for i, text in enumerate(frame.footer):
            draw_text(g.left, foot_top + i * _FOOT.line_h, _FOOT, text, 60)
        label = _page_label(number, total)
        draw_text(g.width - g.right - _FOOT.width(label), foot_top, _FOOT, label, 60)
    return RenderedPdf(bytes(pdf.output()), total, stats.approximated, stats.replaced)


# ---------------------------------------------------------------------------
# Shared content pieces

_TITLE = _Font("Helvetica", "B", 14)
_H2 = _Font("Helvetica", "B", 10)
_LABEL = _Font("Helvetica", "B", 8.5)
_VALUE = _Font("Helvetica", "", 8.5)
_NOTE = _Font("Helvetica", "I", 8.5)
_BODY = _Font("Courier", "", 9)
_BODY_B = _Font("Courier", "B", 9)
_HEADER_BLOCK = _Font("Courier", "", 8)
_LABEL_W = 30.0  # mm: label column of the field table
_NONE = "\u2014"  # an em dash for "not stated"


def _fields(layout: _Layout, rows: Iterable[tuple[str, str]]) -> None:
    """A two-column table: label, wrapped value."""
    for label, value in rows:
        lines = layout.wrap(value or _NONE, _VALUE, x=_LABEL_W)
        for i, line in enumerate(lines):
            runs: list[Run] = [(_LABEL_W, _VALUE, line)]
            if i == 0:
                runs.insert(0, (0.0, _LABEL, label))
            layout.line(runs, _VALUE.line_h)


def _heading(layout: _Layout, text: str) -> None:
    layout.gap(3.0)
    layout.ensure(_H2.line_h + 3 * _BODY.line_h)  # never a heading alone at a page's end
    layout.text(text, _H2)
    layout.gap(1.0)


def _notice(layout: _Layout, text: str, font: _Font = _NOTE, gray: int = 232) -> None:
    """Text on a shaded band, kept on one page when it fits."""
    lines = layout.wrap(text, font, x=2.0)
    h = len(lines) * font.line_h
    layout.gap(2.0)
    layout.ensure(h + 2)
    layout.box(min(h, layout.bottom - layout.y), gray)
    for line in lines:
        layout.line([(0.0, font, line)], font.line_h, x=2.0)
    layout.gap(2.0)


def _stats_note(layout: _Layout, stats: TextStats, what: str = "record") -> None:
    """Say in the document itself how many characters could not be drawn as written."""
    if not stats.changed:
        return
    parts = []
    if stats.approximated:
        parts.append(f"{stats.approximated} shown as a close stand-in (e.g. a letter without its accent)")
    if stats.replaced:
        parts.append(f'{stats.replaced} shown as "?"')
    total = stats.changed
    noun = "character" if total == 1 else "characters"
    text = (
        f"{total} {noun} of this {what} cannot be drawn with this PDF's fonts: "
        + "; ".join(parts)
        + f". The HTML and JSON views of the {what} show the exact text."
    )
    _notice(layout, text)


def _str(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _strs(value: object) -> list[str]:
    """A list field as strings, tolerating a bare string or None."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Iterable):
        return [_str(v) for v in value if v is not None and _str(v) != ""]
    return [_str(value)]


def _when(value: object) -> str:
    """An ISO date-time as readers expect it: 2005-08-18 13:06:00."""
    text = _str(value)
    return text.replace("T", " ", 1) if re.match(r"\d{4}-\d\d-\d\dT", text) else text


def _date(*values: object) -> datetime:
    """The first value that is an ISO date(-time), as an aware datetime (UTC when naive)."""
    for value in values:
        if isinstance(value, datetime):
            when = value
        else:
            try:
                when = datetime.fromisoformat(_str(value).strip())
            except ValueError:
                continue
        if not 1900 <= when.year <= 2999:
            continue  # not a date a record can have; PDF dates want four digits
        return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return NO_DATE


def _file_name(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1] if path else ""


# ---------------------------------------------------------------------------
# A cable

_PARA_LEAD = re.compile(r"\s*\xb6?\s*(\d+)\s*[.)]\s*")
_MARK_LEAD = re.compile(r"\(([^()\n]{1,16})\)\s*")
_SAFE_URL = re.compile(r"https?://[\x21-\x7e]+")


_FOOT_PART = 110  # characters of a footer part; a longer value is shortened there, given whole on page 1


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _source_parts(source: object, clean: _Sanitiser) -> tuple[list[str], str]:
    """The footer's source parts, and the whole source description when the footer
    had to shorten it (a hostile or absurdly long path must not eat the page)."""
    if not isinstance(source, Mapping) or not source:
        return ["Source: not recorded", "sha256 not recorded"], ""
    fmt = clean(_str(source.get("format")) or "unknown-format").replace("\n", " ")
    name = clean(_file_name(_str(source.get("path")))).replace("\n", " ") or "(no file name)"
    offset = source.get("offset")
    where = f" at byte {offset}" if isinstance(offset, int) and offset > 0 else ""
    sha = clean(_str(source.get("sha256"))).replace("\n", " ") or "not recorded"
    parts = [f"Source: {fmt} {name}{where}", f"sha256 {sha}"]
    short = [_shorten(p, _FOOT_PART) for p in parts]
    return short, (" \xb7 ".join(parts)[len("Source: ") :] if short != parts else "")


def _paragraph_prefix(number: object, marking: str) -> tuple[str, str]:
    num = f"\xb6{number}. " if number is not None and _str(number) != "" else ""
    mark = f"({marking}) " if marking else ""
    return num, mark


def _strip_lead(text: str, number: object, marking: str) -> str:
    """Drop a number/marking the paragraph text repeats, since the prefix shows them."""
    m = _PARA_LEAD.match(text)
    if m and _str(number) == m.group(1):
        rest = text[m.end() :]
        mm = _MARK_LEAD.match(rest)
        if mm and marking and mm.group(1).strip() == marking:
            rest = rest[mm.end() :]
        return rest
    return text


def _body_paragraphs(layout: _Layout, paragraphs: Sequence[object], clean: _Sanitiser) -> str:
    """Typeset the parsed paragraphs; returns the last text line (to place the signature)."""
    last = ""
    for p in paragraphs:
        if not isinstance(p, Mapping):
            p = {"number": None, "marking": None, "text": _str(p)}
        number = p.get("number")
        marking = clean(_str(p.get("marking"))).replace("\n", " ").strip()
        text = clean(_str(p.get("text"))).strip("\n")
        text = _strip_lead(text, number, marking)
        num, mark = _paragraph_prefix(clean(_str(number)) if number is not None else None, marking)
        prefix: list[Run] = []
        if num or mark:
            prefix = [(0.0, _BODY_B, num + mark)]
        layout.text(text, _BODY, prefix=prefix)
        if p.get("cut_short"):
            layout.text("[the paragraph ends here, cut short in the source]", _NOTE)
        layout.gap(_BODY.line_h * 0.6)
        last = text.rstrip().rsplit("\n", 1)[-1] if text.strip() else last
    return last


def _cable_layout(
    record: Mapping[str, Any], site_name: str, url: str | None, g: _Geometry
) -> tuple[_Layout, _Frame, TextStats]:
    clean = _Sanitiser()
    rid = clean(_str(record.get("id"))).replace("\n", " ")
    classification = clean(_str(record.get("classification"))).replace("\n", " ")
    source_parts, source_whole = _source_parts(record.get("source"), clean)
    footer = _footer_lines(source_parts, g)
    layout = _new_layout(g, footer)
    site = clean(site_name).replace("\n", " ")

    title = _str(record.get("title")) or _str(record.get("subject")) or (f"Cable {rid}" if rid else "Untitled cable")
    layout.text(clean(title), _TITLE)
    if record.get("title_derived"):
        layout.text("Title derived from the cable's text: the cable has no subject line.", _NOTE)
    layout.gap(2.5)

    refs = record.get("references") or []
    reasons = ", ".join(_strs(record.get("classification_reasons")))
    classified_by = "; ".join(_strs(record.get("classified_by")))
    redactions = record.get("redactions")
    rows: list[tuple[str, str]] = [
        ("Reference ID", rid),
        ("Created", _when(record.get("created"))),
        ("Released", _when(record.get("released"))),
        ("Origin", _str(record.get("origin"))),
        ("Classification", classification),
    ]
    optional = [
        ("Subject", _str(record.get("subject"))),
        ("Tags", " ".join(_strs(record.get("tags")))),
        ("Captions", " ".join(_strs(record.get("captions")))),
        ("Classified by", classified_by + (f" for reasons {reasons}" if reasons and classified_by else "")),
        ("Reasons", reasons if reasons and not classified_by else ""),
        ("Declassify on", _str(record.get("declassify_on"))),
        ("Redactions", _redactions(redactions)),
        ("Source", source_whole),
        ("Online", _str(url)),  # last: the link below covers this row
    ]
    rows.extend((k, v) for k, v in optional if v)
    _fields(layout, [(k, clean(v)) for k, v in rows])
    if url and _SAFE_URL.fullmatch(url):
        url_lines = layout.wrap(clean(url), _VALUE, x=_LABEL_W)
        width = max(_VALUE.width(line) for line in url_lines)
        layout.link(_LABEL_W, width, len(url_lines) * _VALUE.line_h, url)

    if isinstance(refs, Sequence) and not isinstance(refs, str) and refs:
        _heading(layout, "References")
        for ref in refs:
            layout.text(clean(_reference_text(ref)), _VALUE, x=4.0)

    if record.get("partial"):
        _notice(
            layout,
            "Partial extract: the release holds only part of this cable (its routing header and "
            "possibly some text are missing). The full original text is not available.",
            _Font("Helvetica", "B", 8.5),
            gray=225,
        )

    header = clean(_str(record.get("header"))).strip("\n")
    if header.strip():
        _heading(layout, "Header")
        layout.text(header, _HEADER_BLOCK)

    _heading(layout, "Text")
    paragraphs = record.get("paragraphs")
    if isinstance(paragraphs, Sequence) and not isinstance(paragraphs, str) and paragraphs:
        last = _body_paragraphs(layout, paragraphs, clean)
    else:
        body = clean(_str(record.get("body"))).strip("\n")
        if body.strip():
            layout.text(body, _BODY)
            last = body.rstrip().rsplit("\n", 1)[-1]
        else:
            layout.text("(The record has no body text.)", _NOTE)
            last = ""
    signed = [clean(s) for s in _strs(record.get("signed_by"))]
    if signed and last.strip().upper() != " ".join(signed).upper():
        layout.gap(_BODY.line_h * 0.4)
        layout.text(" ".join(signed), _BODY)

    _repairs(layout, record.get("repairs"), clean)
    _stats_note(layout, clean.stats)

    frame = _Frame(
        head_left=f"{site} \xb7 {rid}" if rid else site,
        head_right=classification,
        footer=footer,
        title=f"{_str(record.get('id'))}: {title}" if rid else title,
        subject=", ".join(
            x
            for x in (
                "US diplomatic cable",
                _str(record.get("id")),
                _str(record.get("classification")),
                _str(record.get("origin")),
                _when(record.get("created")),
            )
            if x
        ),
        keywords=" ".join(_strs(record.get("tags"))),
        creator=site_name,
        created=_date(record.get("created"), record.get("released")),
    )
    return layout, frame, clean.stats


def _redactions(count: object) -> str:
    if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
        return ""
    return f"{count} run{'s' if count != 1 else ''} of X in the text (redacted in the release)"


def _reference_text(ref: object) -> str:
    if not isinstance(ref, Mapping):
        return _str(ref)
    bullet = _str(ref.get("bullet"))
    value = _str(ref.get("value"))
    kind = _str(ref.get("kind"))
    rid = _str(ref.get("id"))
    text = f"{bullet}. {value}" if bullet else value
    if rid:
        text += f"   \u2014 id {rid}"
    if kind and kind != "cable":
        text += f"   ({kind})"
    return text or _NONE


def _repairs(layout: _Layout, repairs: object, clean: _Sanitiser) -> None:
    if not isinstance(repairs, Sequence) or isinstance(repairs, str) or not repairs:
        return
    _heading(layout, "Corrections made by cablemirror")
    layout.text("What the release wrote, and what this record shows instead:", _NOTE)
    for r in repairs:
        if isinstance(r, Mapping):
            where, kind = _str(r.get("where")), _str(r.get("kind"))
            line = f"{where} ({kind}): \u201c{_str(r.get('before'))}\u201d -> \u201c{_str(r.get('after'))}\u201d"
        else:
            line = _str(r)
        layout.text(clean(line), _VALUE, x=4.0)


def render_cable(
    record: Mapping[str, Any], *, site_name: str = "cablemirror", url: str | None = None
) -> RenderedPdf:
    """A PDF of one cable from its JSON record (``Cable.to_dict()``), with counts of
    the characters its fonts could not draw as written."""
    if not isinstance(record, Mapping):
        raise TypeError(f"a cable PDF needs the record as a dict (Cable.to_dict()), not {type(record).__name__}")
    g = _Geometry()
    layout, frame, stats = _cable_layout(record, site_name, url, g)
    return _render(layout, frame, stats)


def cable_pdf(record: dict, *, site_name: str = "cablemirror", url: str | None = None) -> bytes:
    """A PDF of one cable from its JSON record (the dict of ``Cable.to_dict()``)."""
    return render_cable(record, site_name=site_name, url=url).data


# ---------------------------------------------------------------------------
# A list of search results

_HIT_ID = _Font("Helvetica", "B", 9)
_HIT_META = _Font("Helvetica", "", 8)
_HIT_TITLE = _Font("Helvetica", "B", 9.5)
_HIT_SNIPPET = _Font("Helvetica", "", 8.5)


def _field_of(hit: object, key: str) -> object:
    if isinstance(hit, Mapping):
        return hit.get(key)
    return getattr(hit, key, None)  # a SearchHit from the store works too


def render_results(
    query: str,
    total: int,
    hits: Sequence[Mapping[str, Any]],
    *,
    site_name: str = "cablemirror",
    generated: datetime | None = None,
) -> RenderedPdf:
    """A PDF listing search results; ``generated`` (printed, and the PDF's date) defaults
    to none, so the same list gives the same bytes."""
    return _render(*_results_layout(query, total, hits, site_name, generated, _Geometry()))


def _results_layout(
    query: str,
    total: int,
    hits: Sequence[Mapping[str, Any]],
    site_name: str,
    generated: datetime | None,
    g: _Geometry,
) -> tuple[_Layout, _Frame, TextStats]:
    clean = _Sanitiser()
    site = clean(site_name).replace("\n", " ")
    q = clean(query).replace("\n", " ")
    # The first page shows the query whole; the footer repeats it shortened.
    footer = _footer_lines([_shorten(f"{site} \xb7 search results for: {q}", _FOOT_PART)], g)
    layout = _new_layout(g, footer)

    layout.text("Search results", _TITLE)
    layout.gap(2.0)
    hits = list(hits or [])
    n = len(hits)
    count = total if isinstance(total, int) else n
    if n == count:
        shown = f"all {n} listed" if n else "none listed"
    elif n < count:
        shown = f"the first {n} listed"
    else:
        shown = f"{n} listed"
    rows = [("Query", q), ("Matches", f"{count} cable{'s' if count != 1 else ''}; {shown}")]
    if generated is not None:
        rows.append(("Generated", _date(generated).strftime("%Y-%m-%d %H:%M UTC")))
    _fields(layout, rows)
    layout.gap(4.0)

    for i, hit in enumerate(hits, 1):
        rid = clean(_str(_field_of(hit, "id"))) or _NONE
        meta = [
            _when(_field_of(hit, "created") or _field_of(hit, "date")),
            _str(_field_of(hit, "origin")),
            _str(_field_of(hit, "classification")),
        ]
        para = _field_of(hit, "paragraph")
        if para is not None:
            meta.append(f"\xb6{para}")
        meta_text = clean("  \xb7  ".join(m for m in meta if m))
        title = clean(_str(_field_of(hit, "title"))) or "(untitled)"
        snippet = clean(_str(_field_of(hit, "snippet"))).replace("\n", " ")
        head = f"{i}. {rid}".replace("\n", " ")
        head_runs: list[Run] = [(0.0, _HIT_ID, head + "   ")]
        parts: list[tuple[list[str], _Font, float, list[Run]]] = []
        if not layout.prefix_fits(head_runs):
            parts.append((layout.wrap(head, _HIT_ID), _HIT_ID, 0.0, []))
            head_runs = []
        parts.append((layout.wrap(meta_text, _HIT_META, prefix=head_runs), _HIT_META, 0.0, head_runs))
        parts.append((layout.wrap(title, _HIT_TITLE, x=6.0), _HIT_TITLE, 6.0, []))
        if snippet:
            parts.append((layout.wrap(snippet, _HIT_SNIPPET, x=6.0), _HIT_SNIPPET, 6.0, []))
        height = sum(len(lines) * font.line_h for lines, font, _, _ in parts)
        layout.ensure(min(height, layout.bottom - g.top))  # a hit stays on one page
        for lines, font, x, prefix in parts:
            layout.lines(lines, font, x=x, prefix=prefix)
        layout.gap(2.5)
    if not hits:
        layout.text("No cable matches this query.", _NOTE)

    _stats_note(layout, clean.stats, "list")
    frame = _Frame(
        head_left=f"{site} \xb7 search results",
        head_right="",
        footer=footer,
        title=f"Search results: {query}",
        subject=f"{count} cables matching {query}",
        keywords="",
        creator=site_name,
        created=_date(generated) if generated is not None else NO_DATE,
    )
    return layout, frame, clean.stats


def results_pdf(query: str, total: int, hits: list[dict], *, site_name: str = "cablemirror") -> bytes:
    """A PDF listing search results (id, date, origin, classification, title, snippet)."""
    return render_results(query, total, hits, site_name=site_name).data



# ---------------------------------------------------------------------------
# A war-diary report: its content function lives in report_pdf.py, on the helpers above


def render_report(record: Mapping[str, Any], *, site_name: str = "cablemirror", url: str | None = None) -> RenderedPdf:
    """A PDF of one war-diary report from its JSON record (``Report.to_dict()``)."""
    from .report_pdf import render_report as render

    return render(record, site_name=site_name, url=url)


def report_pdf(record: dict, *, site_name: str = "cablemirror", url: str | None = None) -> bytes:
    """A PDF of one war-diary report from its JSON record (the dict of ``Report.to_dict()``)."""
    return render_report(record, site_name=site_name, url=url).data
