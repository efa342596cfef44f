"""The text layer of the release's per-cable PDFs, read straight from the content streams.

The release's PDFs are typewriter pages: each line is one ``BT ... ET`` block that sets a
monospaced Type0 font (``/Identity-H``, with a ``/ToUnicode`` map), puts the text matrix
at the line (``1 0 0 -1 0 0 Tm``, ``x y Td``) and then shows one glyph per operator
(``dx 0 Td <0041> Tj``).  pypdf's general text extractor runs its Python state machine
for each of those operators (~25,000 for a 2-page cable: seconds per PDF); here a few
regular expressions read the same operators, and lines are rebuilt from the positions.

Only pages made of exactly these operators are read here (``page_text`` says None for
anything else and the caller falls back to pypdf).  Where this differs from pypdf's
output it follows the page: pieces printed on one line (a TAGS line, the pilcrow before
a paragraph number) stay on one line, where pypdf broke them onto lines of their own.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["page_text", "to_unicode_map"]

_BT_BLOCK = re.compile(rb"\bBT\b(.*?)\bET\b", re.S)
# The operators a line block may hold; anything else in it means "not this kind of page".
_BLOCK_OPS = re.compile(
    rb"\s*(?:/(?P<font>[^\s/<>\[\]()]+)\s+[-\d.]+\s+Tf"
    rb"|(?P<tm>[-\d.]+\s+[-\d.]+\s+[-\d.]+\s+[-\d.]+\s+[-\d.]+\s+[-\d.]+)\s+Tm"
    rb"|(?P<dx>-?[\d.]+)\s+(?P<dy>-?[\d.]+)\s+Td"
    rb"|<(?P<hex>[0-9A-Fa-f]*)>\s*Tj)")
_FLIPPED = (1.0, 0.0, 0.0, -1.0, 0.0, 0.0)
# The usual line block, whole: font, flipped text matrix, start, then glyph after glyph.
_LINE_BLOCK = re.compile(
    rb"\s*/(?P<font>[^\s/<>\[\]()]+)\s+[\d.]+\s+Tf\s+1\s+0\s+0\s+-1\s+0\s+0\s+Tm"
    rb"\s+(?P<x>-?[\d.]+)\s+(?P<y>-?[\d.]+)\s+Td\s*<(?P<hex>[0-9A-Fa-f]{4})>\s*Tj"
    rb"(?P<rest>(?:\s+[\d.]+\s+0\s+Td\s*<[0-9A-Fa-f]{4}>\s*Tj)*)\s*")
_STEP = re.compile(rb"([\d.]+)\s+0\s+Td\s*<([0-9A-Fa-f]{4})>")
_BF_CHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BF_RANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)")
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _utf16(hexdigits: bytes) -> str:
    return bytes.fromhex(hexdigits.decode("ascii")).decode("utf-16-be", errors="replace")


def to_unicode_map(cmap: bytes) -> dict[str, str]:
    """A ToUnicode CMap as {four hex digits of a 2-byte code (upper case): text}."""
    out: dict[str, str] = {}
    for section in _BF_CHAR.findall(cmap):
        for code, text in _PAIR.findall(section):
            out[code.decode("ascii").upper().zfill(4)] = _utf16(text)
    for section in _BF_RANGE.findall(cmap):
        for lo_hex, hi_hex, dest in _RANGE.findall(section):
            lo, hi = int(lo_hex, 16), int(hi_hex, 16)
            if hi - lo > 0xFFFF:
                continue
            if dest.startswith(b"["):
                for i, text in enumerate(_HEX.findall(dest)):
                    out[f"{lo + i:04X}"] = _utf16(text)
            else:
                first = int(dest[1:-1], 16)
                for i in range(hi - lo + 1):
                    out[f"{lo + i:04X}"] = chr(first + i) if first + i < 0x110000 else "\ufffd"
    return out


def _fonts(page: Any) -> dict[bytes, dict[str, str]] | None:
    """The page's fonts as code maps, or None when one is not a 2-byte font with a ToUnicode map."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    if resources is None:
        return None
    xobjects = resources.get("/XObject")
    if xobjects is not None and len(xobjects.get_object()):
        return None  # text could hide in a form XObject
    fonts = resources.get("/Font")
    if fonts is None:
        return None
    out: dict[bytes, dict[str, str]] = {}
    for name, ref in fonts.get_object().items():
        font = ref.get_object()
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H" \
                or "/ToUnicode" not in font:
            return None
        out[name[1:].encode("latin-1")] = to_unicode_map(font["/ToUnicode"].get_object().get_data())
    return out


def _block_runs(block: bytes, fonts: dict[bytes, dict[str, str]]) -> tuple[float, list[tuple[float, str]], float | None] | None:
    """(y, [(x, text) of contiguous glyph runs], the advance between glyphs) of one line
    block; None when the block holds anything but the operators read here."""
    m = _LINE_BLOCK.fullmatch(block)
    if m is not None:  # the usual line: one font, one start, same advance for every glyph
        font = fonts.get(m["font"])
        pairs = _STEP.findall(m["rest"])
        steps = {dx for dx, _ in pairs}
        if font is not None and len(steps) <= 1:
            get = font.get
            text = get(m["hex"].decode("ascii").upper(), "")
            if pairs:
                text += "".join([get(h.decode("ascii").upper(), "") for _, h in pairs])
            advance = float(steps.pop()) if steps else None
            return float(m["y"]), [(float(m["x"]), text)], advance
    font: dict[str, str] | None = None
    x = y = None
    advance = None
    runs: list[tuple[float, str]] = []
    pos = 0
    for m in _BLOCK_OPS.finditer(block):
        if m.start() != pos:
            return None  # an operator not read here
        pos = m.end()
        if m["font"] is not None:
            font = fonts.get(m["font"])
            if font is None:
                return None
        elif m["tm"] is not None:
            if tuple(float(v) for v in m["tm"].split()) != _FLIPPED or x is not None:
                return None
        elif m["dx"] is not None:
            dx, dy = float(m["dx"]), float(m["dy"])
            if x is None:
                x, y = dx, dy
            elif dy != 0.0:
                return None  # a line break inside a block
            else:
                if advance is None and runs:
                    advance = dx
                x += dx
        else:
            code = m["hex"].decode("ascii").upper()
            if font is None or x is None or len(code) % 4:
                return None
            runs.append((x, "".join(font.get(code[i:i + 4], "") for i in range(0, len(code), 4))))
    if block[pos:].strip() or y is None:
        return None if block[pos:].strip() else (0.0, [], None)
    return y, runs, advance


def page_text(page: Any) -> str | None:
    """The text of a typewriter page (see the module), or None for any other page."""
    fonts = _fonts(page)
    if fonts is None:
        return None
    contents = page.get_contents()
    if contents is None:
        return ""
    data = contents.get_data()
    if b"BT" not in data:
        return ""
    if b"Do" in data and re.search(rb"\bDo\b", data):
        return None
    lines: list[str] = []
    line: list[str] = []
    width = 0  # characters in ``line``
    line_y: float | None = None
    margin: float | None = None
    advance: float | None = None
    for block in _BT_BLOCK.findall(data):
        read = _block_runs(block, fonts)
        if read is None:
            return None
        y, runs, step = read
        if not runs:
            continue
        if advance is None:
            advance = step
        elif step is not None and step != advance:
            return None  # not one monospaced font size: columns would be guesses
        if line_y is not None and y != line_y:
            if y > line_y:  # lines go down the page in stream order; anything else: pypdf
                return None
            lines.append("".join(line))
            line = []
            width = 0
        line_y = y
        if margin is None:
            margin = runs[0][0]  # the left edge: where the page's first line starts
        elif runs[0][0] < margin - 0.5:
            return None
        for gx, text in runs:
            if advance and gx > margin:
                column = round((gx - margin) / advance)
                if column > width:  # a gap before this run: the blanks of a typed line
                    line.append(" " * (column - width))
                    width = column
            line.append(text)
            width += len(text)
    if line_y is not None:
        lines.append("".join(line))
    return "\n".join(lines)
