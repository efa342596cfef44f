"""Cable text -> safe HTML for the cable page.

The text is shown as released (line breaks kept, monospace), cut into blocks: what
comes before paragraph 1, then one block per numbered paragraph with a ¶ permalink
(``id="par3"``).  Inside the text:

- known acronyms, TAGS, captions, markings, header words are ``<abbr>`` elements that
  explain themselves on hover and on keyboard focus (``glossary.find_terms``);
- portion markings ``(C)`` are set apart (class ``marking``);
- runs of X (the release's redactions) are a redaction block with an accessible label;
- REF lines link to the cited cables (known-but-missing ones are marked so);
- the words of a search are wrapped in ``<mark>``.

Every piece of text goes through ``escape_text``: HTML-escaped, control characters
and invisible direction marks shown as visible symbols (they could reorder or hide
text), lone surrogates replaced.  Nothing in a cable can become markup.

Spans never overlap: redactions win over references, references over glossary
terms; ``<mark>`` is innermost and is closed and reopened around the other tags, so
the output is always well nested.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any, Callable, Mapping, Sequence

from markupsafe import Markup, escape

from ..cables import glossary
from ..search.text import fold

__all__ = [
    "MARK_OPEN",
    "MARK_CLOSE",
    "Highlighter",
    "Rendered",
    "escape_text",
    "plain_text",
    "marked_snippet",
    "paragraph_starts",
    "redaction_spans",
    "render_text",
    "diff_html",
]

# Marks the store puts around hits in snippets: private-use characters, which no
# cable is expected to hold and which survive HTML escaping unchanged.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"

# C0/C1 controls except tab and line ends, DEL, lone surrogates, and the invisible
# characters that change the direction of text (they could make a line read otherwise).
_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BIDI_NAMES = {
    "\u061c": "ALM", "\u200e": "LRM", "\u200f": "RLM", "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF",
    "\u202d": "LRO", "\u202e": "RLO", "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI",
}


def _special(m: re.Match[str]) -> str:
    ch = m.group()
    cp = ord(ch)
    if 0xD800 <= cp <= 0xDFFF:
        return "\ufffd"
    if ch in _BIDI_NAMES:
        return f'<span class="ctl" title="invisible direction mark U+{cp:04X}">[{_BIDI_NAMES[ch]}]</span>'
    shown = chr(0x2400 + cp) if cp < 0x20 else ("\u2421" if cp == 0x7F else "\ufffd")
    return f'<span class="ctl" title="control character U+{cp:04X}">{shown}</span>'


def _special_plain(m: re.Match[str]) -> str:
    ch = m.group()
    cp = ord(ch)
    if 0xD800 <= cp <= 0xDFFF:
        return "\ufffd"
    if ch in _BIDI_NAMES:
        return f"[{_BIDI_NAMES[ch]}]"
    return chr(0x2400 + cp) if cp < 0x20 else ("\u2421" if cp == 0x7F else "\ufffd")


def plain_text(text: str) -> str:
    """``text`` with controls and direction marks made visible, as plain text (for
    titles and attributes, where no markup can go); the caller escapes it."""
    return _SPECIAL.sub(_special_plain, text) if _SPECIAL.search(text) else text


def escape_text(text: str) -> Markup:
    """``text`` as HTML: escaped, with controls and direction marks made visible."""
    out = str(escape(text))
    if _SPECIAL.search(out):
        out = _SPECIAL.sub(_special, out)
    return Markup(out)


def _escape_plain(text: str) -> str:
    """``escape_text`` for text known to hold no special character, as a plain str:
    the render loop calls it per piece, where building ``Markup`` objects cost more
    than the escaping.  The same entities as markupsafe."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "'" in text:
        text = text.replace("'", "&#39;")
    if '"' in text:
        text = text.replace('"', "&#34;")
    return text


def _escape_any(text: str) -> str:
    return str(escape_text(text))


def marked_snippet(snippet: str, marks: tuple[str, str] = (MARK_OPEN, MARK_CLOSE)) -> Markup:
    """A store snippet with hit marks -> escaped HTML with balanced ``<mark>`` elements.

    Stray marks (a cable that itself holds the private-use characters) are dropped
    rather than producing unbalanced tags.
    """
    opened = False
    out: list[str] = []
    for piece in re.split(f"({re.escape(marks[0])}|{re.escape(marks[1])})", snippet or ""):
        if piece == marks[0]:
            if not opened:
                out.append("<mark>")
                opened = True
        elif piece == marks[1]:
            if opened:
                out.append("</mark>")
                opened = False
        elif piece:
            out.append(escape_text(piece))
    if opened:
        out.append("</mark>")
    return Markup("".join(out))


# ---------------------------------------------------------------------------
# Search words to highlight


_WORD = re.compile(r"[^\W_]+")
# Endings the index's English stemmer (porter) removes, roughly: enough that a search
# for "election" highlights "elections" and "elected" as the index found them.
_SUFFIXES = tuple(
    sorted(
        "ational ations ation ments ment ness ings ing ions ion ies ied ers er ed es ly al s y".split(),
        key=len,
        reverse=True,
    )
)


def _stem(word: str) -> str:
    if len(word) < 4:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


@dataclass(frozen=True, slots=True)
class Highlighter:
    """The words of a search, folded like the index folds them; ``*`` marks a prefix."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    @classmethod
    def from_param(cls, value: str | None, *, limit: int = 32) -> "Highlighter":
        """From ``?hl=word word*`` (as the search page writes it); junk is ignored."""
        if not value:
            return _NO_HIGHLIGHT
        words: set[str] = set()
        prefixes: list[str] = []
        for token in (value or "")[:1000].split()[:limit]:
            prefix = token.endswith("*")
            parts = _WORD.findall(fold(token))
            for i, part in enumerate(parts):
                if prefix and i == len(parts) - 1:
                    if len(part) >= 2:
                        prefixes.append(part)
                else:
                    words.add(part)
        return cls(frozenset(_stem(w) for w in words), tuple(dict.fromkeys(prefixes)))

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes)

    def _candidates(self) -> re.Pattern[str]:
        """Words that start like one of ours (stems keep 3 letters) or with a letter
        that folding may change: only those are folded and stemmed."""
        heads = sorted({w[:3] for w in self.words} | {p[:2] for p in self.prefixes}, key=len, reverse=True)
        alternatives = "|".join(re.escape(h) for h in heads)
        return _candidate_regex(f"(?<![^\\W_])(?:{alternatives}|[^\\x00-\\x7f])[^\\W_]*")

    def param(self) -> str:
        return " ".join(sorted(self.words) + [p + "*" for p in self.prefixes])

    def spans(self, text: str) -> list[tuple[int, int]]:
        if not self:
            return []
        out = []
        for m in self._candidates().finditer(text):
            w, stem = _folded(m.group())
            if stem in self.words or (self.prefixes and w.startswith(self.prefixes)):
                out.append((m.start(), m.end()))
        return out


_NO_HIGHLIGHT = Highlighter()


@lru_cache(maxsize=256)
def _candidate_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@lru_cache(maxsize=65536)
def _folded(word: str) -> tuple[str, str]:
    w = fold(word)
    return w, _stem(w)


# ---------------------------------------------------------------------------
# Where things are in the text


_REDACTION = re.compile(r"XXXX+")


def redaction_spans(text: str) -> list[tuple[int, int]]:
    """Runs of XXXX not inside a longer word (the rule the parser counts by)."""
    if "XXXX" not in text:
        return []
    out = []
    for m in _REDACTION.finditer(text):
        s, e = m.start(), m.end()
        if (s and text[s - 1].isalpha()) or (e < len(text) and text[e].isalpha()):
            continue
        out.append((s, e))
    return out


_SPACES = re.compile(r"\s*")


class _Dense:
    """The text without whitespace, and the way back to offsets in the text.

    Only C loops (``str.split``, ``join``): a long cable has thousands of words, and
    a Python step per word cost more than the rest of the paragraph placement.  Going
    back to the text walks forward from the last offset asked for (callers ask in
    order): a chunk as long as the characters still missing is read, its whitespace
    is what is still missing next time, so a few chunks reach any offset."""

    def __init__(self, text: str) -> None:
        self._source = text
        self.text = "".join(text.split())
        self._at = (0, 0)  # (text offset, dense offset): text[:t] holds d non-space characters

    def to_text(self, dense_offset: int) -> int:
        src = self._source
        t, d = self._at if self._at[1] <= dense_offset else (0, 0)
        while d < dense_offset:
            chunk = src[t : t + dense_offset - d]
            if not chunk:
                break
            t += len(chunk)
            d += len("".join(chunk.split()))
        t = _SPACES.match(src, t).end()  # onto the character itself
        self._at = (t, d)
        return t


def paragraph_starts(text: str, paragraphs: Sequence[tuple[int | None, str]]) -> list[tuple[int, int]]:
    """(number, offset) where each numbered paragraph begins in ``text``, in order.

    Paragraph texts are the body's text rejoined (as the store places search hits):
    they are found with whitespace ignored.  The block starts at the paragraph's
    number ("3. (C) ...") when it stands just before the text.  Paragraphs that
    cannot be found (a repair changed their text) get no block of their own.
    """
    dense = _Dense(text)
    out: list[tuple[int, int]] = []
    cursor = 0
    last = 0
    for number, ptext in paragraphs:
        d = "".join(ptext.split())
        if not d:
            continue
        at = dense.text.find(d[:200], cursor)
        if at < 0:
            continue
        cursor = at + len(d)
        if number is None:
            continue
        start = dense.to_text(at)
        line_start = text.rfind("\n", 0, start) + 1
        before = text[max(line_start, last) : start]
        m = re.search(r"(?:¶\s*)?" + str(int(number)) + r"\s*[.)]?\s*(?:\(\s*[A-Za-z/ ]{1,15}\)\s*)?$", before)
        if m:
            start = max(line_start, last) + m.start()
        if start <= last and out:
            continue
        out.append((int(number), start))
        last = start
    return out


def _find_loose(text: str, value: str, start: int, end: int) -> tuple[int, int] | None:
    """``value`` in text[start:end] with any run of whitespace matching any other.

    The leftmost match, as ``re.search`` of the words joined by ``\\s+`` finds it,
    without compiling a pattern per reference (each cable has its own REF lines)."""
    words = value.split()
    if not words:
        return None
    first, rest = words[0], words[1:]
    end = min(end, len(text))
    pos = start
    while True:
        at = text.find(first, pos, end)
        if at < 0:
            return None
        i = at + len(first)
        for w in rest:
            j = i
            while j < end and text[j].isspace():
                j += 1
            if j == i or not text.startswith(w, j, end):
                break
            i = j + len(w)
        else:
            return at, i
        pos = at + 1


# ---------------------------------------------------------------------------
# Rendering


@dataclass(slots=True)
class Rendered:
    html: Markup
    parts: dict[str, str] = field(default_factory=dict)  # guide part -> anchor id on the page
    anchors: tuple[int, ...] = ()  # paragraph numbers that have an anchor


# The parts of a cable the guide links to, and how a glossary term shows one.
def _part_of(term: glossary.Term) -> str | None:
    k = term.kind
    if k == "classification":
        return "classification"
    if k == "caption":
        return "captions"
    if k == "marking":
        return "marking"
    if k == "reason":
        return "reasons"
    if k == "declassification":
        if term.term.startswith("E.O"):
            return "eo"
        if term.term.lower().startswith("classified"):
            return "classified-by"
        return None
    if k == "part" and term.term in ("TAGS", "SUBJECT", "REF"):
        return term.term.lower()
    if k == "routing" and term.meaning.startswith("Date-time group"):
        return "dtg"
    return None


def _tip(term: glossary.Term) -> str:
    text = term.meaning
    if term.note:
        text += " — " + term.note
    return text


@lru_cache(maxsize=16384)
def _abbr(term: glossary.Term) -> tuple[str, str, str | None]:
    """(opening tag before its id, after it, guide part) of a glossary term: the same
    few hundred terms recur on every page, their escaped tips are made once."""
    kind = "marking" if term.kind == "marking" else "term"
    tip = escape(_tip(term))
    return f'<abbr class="{kind} k-{term.kind}"', f' tabindex="0" title="{tip}" data-tip="{tip}">', _part_of(term)


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    open: str
    close: str


def render_text(
    text: str,
    *,
    country: str | None = None,
    paragraphs: Sequence[tuple[int | None, str]] = (),
    references: Sequence[Mapping[str, Any]] = (),
    highlight: Highlighter | None = None,
    signed_by: Sequence[str] = (),
    link: Callable[[str], str] = lambda cid: "/cable/" + cid,
    id_prefix: str = "",
) -> Rendered:
    """The cable text (body or header) as safe HTML blocks; see the module docstring.

    ``references`` are the store's ``references()`` dicts (value, id, stored, title);
    ``link`` makes a cable's URL; ``id_prefix`` keeps element ids unique when two
    texts are rendered on one page.
    """
    text = text or ""
    n = len(text)
    taken = bytearray(n)
    spans: list[_Span] = []
    parts: dict[str, str] = {}

    def take(s: int, e: int) -> bool:
        if s < 0 or e > n or s >= e or taken.find(1, s, e) >= 0:
            return False
        taken[s:e] = b"\x01" * (e - s)
        return True

    # Blocks: the preamble, then one per numbered paragraph.
    starts = paragraph_starts(text, paragraphs) if paragraphs else []
    block_at = [0] + [s for _, s in starts if s > 0]
    numbers: list[int | None] = [None] + [num for num, s in starts if s > 0]
    if starts and starts[0][1] == 0:  # the text starts with paragraph 1
        numbers[0] = starts[0][0]

    def block_of(pos: int) -> int:
        return bisect_right(block_at, pos) - 1

    def within_block(s: int, e: int) -> bool:
        return block_of(s) == block_of(max(s, e - 1))

    for s, e in redaction_spans(text):
        if take(s, e):
            count = e - s
            spans.append(
                _Span(s, e, f'<span class="redacted" role="img" aria-label="redacted ({count} characters)" '
                      'title="Redacted in the release">', "</span>")
            )

    # REF lines: the references are written before paragraph 1, in order.
    pre_end = block_at[1] if len(block_at) > 1 else n
    cursor = 0
    for ref in references:
        value, cid = ref.get("value") or "", ref.get("stored_id") or ref.get("id")
        if not cid or not value:
            continue
        found = _find_loose(text, value, cursor, pre_end)
        if found is None or not take(*found):
            continue
        cursor = found[1]
        href = escape(link(cid))
        if ref.get("stored"):
            title = f"{cid}: {ref.get('title') or 'in this mirror'}"
            spans.append(_Span(*found, f'<a class="ref" href="{href}" title="{escape(title)}">', "</a>"))
        else:
            title = f"{cid}: known but not in this mirror"
            spans.append(_Span(*found, f'<a class="ref missing" href="{href}" title="{escape(title)}">', "</a>"))

    # The signature: the signer's name on one of the last lines.
    for name in signed_by[-1:]:
        tail = max(0, n - 400)
        at = text.rfind(name, tail) if name else -1
        if at >= 0 and take(at, at + len(name)):
            spans.append(_Span(at, at + len(name), f'<span class="signature" id="{id_prefix}part-signature">', "</span>"))
            parts["signature"] = f"{id_prefix}part-signature"

    for s, e, term in glossary.find_terms(text, country=country) if text else []:
        if not within_block(s, e) or not take(s, e):
            continue
        head, tail, part = _abbr(term)
        anchor = ""
        if part and part not in parts:
            parts[part] = f"{id_prefix}part-{part}"
            anchor = f' id="{parts[part]}"'
        spans.append(_Span(s, e, head + anchor + tail, "</abbr>"))

    spans.sort(key=lambda sp: sp.start)
    marks = highlight.spans(text) if highlight else []

    # Walk the text from boundary to boundary, closing and opening tags so that
    # block > span > mark always nest.
    cuts = {0, n, *block_at}
    for sp in spans:
        cuts.update((sp.start, sp.end))
    for s, e in marks:
        cuts.update((s, e))
    points = sorted(c for c in cuts if 0 <= c <= n)
    # Points, blocks, spans and marks are all sorted and spans / marks do not
    # overlap: one cursor each, moved forward only.
    esc = _escape_any if _SPECIAL.search(text) else _escape_plain
    n_blocks, n_spans, n_marks = len(block_at), len(spans), len(marks)
    bi = si = mi = 0

    used_ids: set[str] = set(parts.values())
    anchors: list[int] = []
    out: list[str] = []
    cur_block, cur_span, cur_mark = -1, -1, False
    for i in range(len(points) - 1):
        pos, nxt = points[i], points[i + 1]
        while bi + 1 < n_blocks and block_at[bi + 1] <= pos:
            bi += 1
        while si < n_spans and spans[si].end <= pos:
            si += 1
        while mi < n_marks and marks[mi][1] <= pos:
            mi += 1
        blk = bi
        sp = si if si < n_spans and spans[si].start <= pos else -1
        mk = mi < n_marks and marks[mi][0] <= pos
        if cur_mark and (not mk or sp != cur_span or blk != cur_block):
            out.append("</mark>")
            cur_mark = False
        if cur_span >= 0 and (sp != cur_span or blk != cur_block):
            out.append(spans[cur_span].close)
            cur_span = -1
        if blk != cur_block:
            if cur_block >= 0:
                out.append("</div>")
            num = numbers[blk]
            anchor = f"{id_prefix}par{num}" if num is not None else ""
            if anchor and anchor not in used_ids:
                used_ids.add(anchor)
                anchors.append(num)
                out.append(
                    f'<div class="par" id="{anchor}"><a class="pilcrow" href="#{anchor}" '
                    f'aria-label="Link to paragraph {num}">¶</a>'
                )
            else:
                out.append('<div class="block">')
            cur_block = blk
        if sp >= 0 and sp != cur_span:
            out.append(spans[sp].open)
            cur_span = sp
        if mk and not cur_mark:
            out.append("<mark>")
            cur_mark = True
        out.append(esc(text[pos:nxt]))
    if cur_mark:
        out.append("</mark>")
    if cur_span >= 0:
        out.append(spans[cur_span].close)
    if cur_block >= 0:
        out.append("</div>")
    return Rendered(Markup("".join(out)), parts, tuple(anchors))


# ---------------------------------------------------------------------------
# Differences between two versions


def diff_html(ops: Sequence[Mapping[str, str]]) -> Markup:
    """The operations of ``worddiff.word_diff`` as HTML: ``<del>`` what only the older
    text has, ``<ins>`` what only the newer one has, the rest as the newer lays it out."""
    out: list[str] = []
    for op in ops:
        kind, text = op.get("op"), op.get("text") or ""
        if kind == "delete":
            out.append(f'<del title="only in the older version">{escape_text(text)}</del>')
        elif kind == "insert":
            out.append(f'<ins title="only in the newer version">{escape_text(text)}</ins>')
        else:
            out.append(escape_text(text))
    return Markup("".join(out))
