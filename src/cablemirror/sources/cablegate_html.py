"""Pages of the official release ("Cable Viewer"): one cable per HTML page.

Every layout of the release (2010-12, 2011-04, the final 2011-09 one with linked TAGS,
the early pages beside media articles) puts the same things in the same order:

* ``<table class='cable'>`` with one link per cell: Reference ID, Created, Released,
  Classification, Origin.  Cells are told apart by the link target (``/cable/``,
  ``/date/``, ...), not by position.  The classification is the link *text*: the
  ``title`` attribute is wrong on most pages.
* exactly two ``<code><pre>`` blocks, header then body, each on one physical line with
  line breaks written as ``&#x000A;``.  A partial cable's header block is the release's
  "partial extract" notice.

Speed matters (the full release is 251,287 pages), so nothing here builds a DOM: the
page stays bytes, ``bytes.find`` and a few compiled regexes locate the parts, and only
the two blocks and the table cells are decoded.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from typing import Iterator

from ..model import FORMAT_HTML, Quarantined, RawRecord, ReleaseMetadata
from ._base import provenance, quarantined, read_file, split_partial_notice

_TABLE_OPEN = b"<table class='cable'>"
_TABLE_OPEN_RE = re.compile(rb"<table\s+class\s*=\s*[\"']cable[\"']\s*>", re.I)
_TABLE_CLOSE = b"</table>"
_PRE_OPEN = b"<code><pre>"
_PRE_CLOSE = b"</pre></code>"
# One table cell: a link whose target names the column.
_CELL = re.compile(rb"<a href='/(cable|date|reldate|classification|origin)/[^']*'(?: title='[^']*')?>([^<]*)</a>")
_CELL_LOOSE = re.compile(rb"<a\s+href\s*=\s*[\"']/(cable|date|reldate|classification|origin)/[^\"']*[\"'][^>]*>([^<]*)</a>")
_RELEASE_LABEL = re.compile(rb"Currently released so far\.*\s*([0-9,]+\s*/\s*[0-9,]+)")
_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?")
_TAG_LINK = re.compile(rb"<a href='/tag/[^']*'>([^<]*)</a>|<a\s+href=\"/tag/[^\"]*\"\s*>([^<]*)</a>")
# Markup inside the blocks, removed in one pass: paragraph anchors whole (they hold only
# the pilcrow; the paragraph's own number follows them), and the inline tags the
# release uses, unwrapped (their text stays).  Only these tags: a bare "<" in cable
# text must not swallow what follows it.
_MARKUP = re.compile(
    rb"<a id='par[^']*' href='#par[^']*'>\xc2\xb6</a>"
    rb"|<a\s+id=[\"']par[^\"']*[\"']\s+href=[\"']#par[^\"']*[\"']\s*>(?:\xc2\xb6|&para;|&#182;|&#[xX]0*[bB]6;)?</a>"
    rb"|</?(?:a|b|i|u|em|strong|span|font)(?:\s[^<>]*)?/?>",
    re.I,
)
# The markup the release itself writes (paragraph anchors, tag links, closing tags), case
# sensitive: a faster pattern than _MARKUP.  When removing these leaves no "<", the result
# is what _MARKUP gives (every "<" was one of these, and _MARKUP matches each the same
# way); otherwise _MARKUP runs on the block as it was.
_ANCHOR = re.compile(rb"<(?:a id='par[^']*' href='#par[^']*'>\xc2\xb6</a>|a href='/tag/[^'<>]*'>|/a>)")
# Well-formed entities only: "AT&T" or "&GT" without a semicolon stay as written.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

_SPACES = re.compile(r"\s+")

_COLUMNS = {
    b"cable": "Reference ID",
    b"date": "Created",
    b"reldate": "Released",
    b"classification": "Classification",
    b"origin": "Origin",
}


class _Malformed(Exception):
    """A page that cannot be read as a cable; the message is the quarantine reason."""


def read(path: str | Path, *, start_offset: int = 0) -> Iterator[RawRecord | Quarantined]:
    """Yield the page's one cable (or one Quarantined).  A page is one record at offset 0,
    so any ``start_offset`` > 0 means it was already read."""
    if start_offset > 0:
        return
    p = Path(path)
    data = read_file(p, FORMAT_HTML)
    if isinstance(data, Quarantined):
        yield data
        return
    yield parse_page(data, p)


def parse_page(data: bytes, path: str | Path) -> RawRecord | Quarantined:
    """The record of one page's bytes; never raises for bad content."""
    try:
        return _parse(data, path)
    except _Malformed as exc:
        return quarantined(FORMAT_HTML, path, data, str(exc))
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 4]
        return quarantined(
            FORMAT_HTML,
            path,
            data,
            f"wrong encoding: the page is not valid UTF-8 (bytes {bad!r} in the cable's part); "
            "re-save it as UTF-8 or import the text with --format cable_text",
        )


def _parse(data: bytes, path: str | Path) -> RawRecord:
    # Locate the parts from the end: the body block is near the end of the page, the
    # header block and the table right before it, so only the cable's own bytes are
    # scanned (a forward search would first cross ~40 KB of navigation).
    e1 = data.rfind(_PRE_CLOSE)
    p1 = data.rfind(_PRE_OPEN, 0, e1) if e1 >= 0 else -1
    e0 = data.rfind(_PRE_CLOSE, 0, p1) if p1 >= 0 else -1
    p0 = data.rfind(_PRE_OPEN, 0, e0) if e0 >= 0 else -1
    t1 = data.rfind(_TABLE_CLOSE, 0, p0) if p0 >= 0 else -1
    t0 = data.rfind(_TABLE_OPEN, 0, t1) if t1 >= 0 else -1
    if t0 < 0 <= t1:  # not the release's own spelling (e.g. re-saved with other quotes)
        tables = list(_TABLE_OPEN_RE.finditer(data, 0, t1))
        t0 = tables[-1].start() if tables else -1
    if (
        t0 < 0
        or data.find(_PRE_OPEN, e1) >= 0  # a block opened after the last close: cut, or a third block
        or data.find(b"<pre", t1, p0) >= 0  # a block between the table and the header block
        or data[e0 + len(_PRE_CLOSE) : p1].strip()  # anything between header and body
    ):
        raise _Malformed(_diagnose(data))

    found = _CELL.findall(data, t0, t1)
    if len(found) < 5:  # not the release's own spelling: the tolerant pattern
        found = _CELL_LOOSE.findall(data, t0, t1)
    cells: dict[bytes, str] = {}
    for kind, text in found:
        if kind not in cells:
            cells[kind] = _cell_text(text)
    missing = [label for kind, label in _COLUMNS.items() if not cells.get(kind)]
    if missing:
        raise _Malformed(f"the cable table lacks {', '.join(missing)}")
    ref_id = cells[b"cable"]
    if " " in ref_id:  # _cell_text left single spaces where there was any whitespace
        raise _Malformed(f"Reference ID {ref_id!r} contains spaces")
    header_block = data[p0 + len(_PRE_OPEN) : e0]
    body_block = data[p1 + len(_PRE_OPEN) : e1]

    notes: list[str] = []
    created = _iso(cells[b"date"], "Created")
    released = _iso(cells[b"reldate"], "Released")
    if int(created[14:16]) == (int(created[11:13]) % 12 or 12):
        # A known quirk of these pages (the minutes repeat the hour on a 12-hour clock);
        # the parser corrects it from the date-time group.  Said here, not changed.
        notes.append(f"Created minutes {created[11:16]} may be the page's hour-as-minutes quirk")

    tags: list[str] = []
    for block in (header_block, body_block):
        at = block.find(b"/tag/")
        if at < 0:
            continue
        # A tag link holds "/tag/" a few bytes after its "<a" (only space and href= between).
        for single, double in _TAG_LINK.findall(block, max(0, block.rfind(b"<a", 0, at))):
            tag = _cell_text(single or double)
            if tag and tag not in tags:
                tags.append(tag)

    # A partial cable's header block is the notice (rarely followed by a date-time
    # group, which is kept).
    header, partial = split_partial_notice(_block_text(header_block))
    body = _block_text(body_block)

    label = _RELEASE_LABEL.search(data, 0, t0)
    if not data[-256:].rstrip().endswith(b"</html>"):
        notes.append("the page ends before </html> (cut after the cable's blocks)")

    metadata = ReleaseMetadata(
        reference_id=ref_id,
        created=created,
        released=released,
        classification=cells[b"classification"],
        origin=cells[b"origin"],
        tags=tags or None,
        release_label=_SPACES.sub(" ", label.group(1).decode("ascii")) if label else None,
        notes=notes,
    )
    return RawRecord(
        raw=data,
        provenance=provenance(FORMAT_HTML, path, 0, data, 1),
        metadata=metadata,
        header=header if header.strip() else None,
        body=body,
        partial_notice=partial,
    )


def _diagnose(data: bytes) -> str:
    """Why the fast path found no table + two blocks: the slow, precise answer."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "wrong encoding: the page is UTF-16; the release's pages are UTF-8"
    if not data.strip():
        return "empty page"
    m = _TABLE_OPEN_RE.search(data)
    if m is None:
        return "no <table class='cable'>: not a cable page of the release"
    t1 = data.find(_TABLE_CLOSE, m.end())
    if t1 < 0:
        return "the cable table is never closed: page truncated"
    opens = data.count(_PRE_OPEN, t1)
    closes = data.count(_PRE_CLOSE, t1)
    if opens == 0:
        return "no <code><pre> block after the cable table (expected two: header, body)"
    if opens > closes:
        which = "header" if opens == 1 else "body" if opens == 2 else f"block {opens}"
        return f"the {which} block is never closed: page truncated"
    if opens == 1:
        return "only one <code><pre> block after the cable table (expected two: header, body)"
    if opens > 2:
        return f"{opens} <code><pre> blocks after the cable table (expected exactly two: header, body)"
    return "unexpected markup between the cable table and its two <code><pre> blocks"


def _cell_text(raw: bytes) -> str:
    if raw.isalnum():  # ASCII letters and digits only (a tag, an id): nothing to normalise
        return raw.decode("ascii")
    text = raw.decode("utf-8")
    if "&" in text:
        text = _ENTITY.sub(_unescape, text)
    return " ".join(text.split())


def _iso(value: str, label: str) -> str:
    m = _STAMP.fullmatch(value)
    if m is not None:
        try:
            return datetime.fromisoformat(value.replace(" ", "T")).isoformat()
        except ValueError as exc:
            raise _Malformed(f"{label} {value!r} is not a valid date-time: {exc}") from None
    raise _Malformed(f"{label} {value!r} is not a date-time YYYY-MM-DD HH:MM")


def _block_text(block: bytes) -> str:
    """A block's text: line breaks restored, anchors dropped, other tags unwrapped,
    entities decoded."""
    block = block.replace(b"&#x000A;", b"\n")
    if b"<" in block:
        bare = _ANCHOR.sub(b"", block)
        block = bare if b"<" not in bare else _MARKUP.sub(b"", block)
    text = block.decode("utf-8")
    if "&" in text:
        text = _ENTITY.sub(_unescape, text)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def _unescape(m: re.Match[str]) -> str:
    return html.unescape(m.group(0))
