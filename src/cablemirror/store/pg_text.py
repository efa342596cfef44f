"""Text for PostgreSQL full-text search: documents, plain queries, highlights and snippets.

PostgreSQL's own parser cuts text differently from the query language (``U.S.`` is a
host name to it, ``state.gov`` one token, ``12:30`` something else again), so the
store never lets it cut raw text.  Documents are sent as the query language's words
(``search.text.words``: folded, one space between words), and the text search
configuration ``cm_text`` only stems them; queries are made of the same words.  A
word is therefore found in PostgreSQL exactly when the SQLite index would find it,
up to the stemmer (Snowball English here, Porter in SQLite).

Highlighting works the same way: ``ts_headline`` runs on the words of a text, marks
the ones the query matches, and ``Words`` maps those back to the original text, which
gives the snippet with its real case and punctuation, and the offset of the first hit
in the body (for the paragraph of the hit).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import Sequence

from ..search import Field, Node, Not, Phrase, Term, conj, disj, to_tsquery_text
from ..search.nodes import And, Or
from ..search.text import words

# Where a document is cut: past this many words of the body, words are not indexed.
# tsvector keeps positions up to 16,383 only and refuses documents over 1 MB; 100,000
# words stays well below that (the longest real cables have about 30,000 words).
MAX_BODY_WORDS = 100_000
MAX_FIELD_WORDS = 2_000
SNIPPET_WORDS = 24
ELLIPSIS = "…"
HL_START, HL_END = "\x02", "\x03"  # ts_headline marks; never inside a text made of words
HEADLINE_OPTIONS = f"HighlightAll=true, StartSel={HL_START}, StopSel={HL_END}"

# The runs words() looks at: ASCII letters and digits, and anything non-ASCII.
_RUN = re.compile(r"[A-Za-z0-9\u0080-\U0010ffff]+")
_ASCII_RUN = re.compile(r"[A-Za-z0-9]+")
_WORD, _MARK, _SEPARATOR = 0, 1, 2


_ASCII_WORD = re.compile(r"[a-z0-9]+")


def index_text(text: str | None, limit: int = MAX_FIELD_WORDS) -> str:
    """The words of ``text`` as the index takes them: folded, space separated."""
    if not text:
        return ""
    # ASCII text (nearly every cable): words() is runs of letters and digits, lower-cased;
    # this does the same five times faster.
    ws = _ASCII_WORD.findall(text.lower()) if text.isascii() else words(text)
    return " ".join(ws[:limit] if len(ws) > limit else ws)


def document(title: str | None, subject: str | None, tags: Sequence[str], body: str | None) -> tuple[str, str, str, str]:
    """The four weighted parts of a cable's document (A title, B subject, C tags, D body)."""
    return (
        index_text(title),
        index_text(subject),
        index_text(" ".join(tags)),
        index_text(body, MAX_BODY_WORDS),
    )


# The SQL expression building ``facts.doc`` from the four parts of ``document()``.  A
# spacer lexeme (a blank, which no query word can be) between parts takes one position,
# so that a phrase never runs from the end of one part into the next (FTS5 columns do
# not either).  Position of word j (0-based) of part k: j + 1 + k + words before part k.
SPACER = "''' '':1'::tsvector"
HEAD_SQL = "setweight(to_tsvector('cm_text', {0}), 'A') || " + SPACER + " || setweight(to_tsvector('cm_text', {1}), 'B')"
DOC_SQL = HEAD_SQL + " || " + SPACER + " || setweight(to_tsvector('cm_text', {2}), 'C') || " + SPACER + (
    " || to_tsvector('cm_text', {3})"
)


# --------------------------------------------------------------------------- word spans


@lru_cache(maxsize=8192)
def _kind(ch: str) -> int:
    """How words() treats a non-ASCII character: part of a word, a mark joined into the
    word around it, or a separator (asked of words() itself, so the rules stay its own)."""
    if words(ch):
        return _WORD
    return _MARK if words("a" + ch + "b") == ["ab"] else _SEPARATOR


@lru_cache(maxsize=2048)
def _skipper(n: int) -> "re.Pattern[str]":
    """A pattern that steps over ``n`` ASCII words in one C-level match."""
    return re.compile(r"(?:[^A-Za-z0-9]*[A-Za-z0-9]+){%d}" % n)


class Words:
    """The words of a text and where each one is in it, in order.

    ASCII text (nearly every cable) is read lazily: a page of hits needs the place of a
    few words of each body (the first hit, the snippet's window), not of all of them,
    and stepping over n words is one regular-expression match.  Other text is cut
    character by character once, by the rules of ``words()``.
    """

    __slots__ = ("text", "_ascii", "_spans", "_count")

    def __init__(self, text: str) -> None:
        self.text = text
        self._ascii = text.isascii()
        self._spans: list[tuple[int, int]] | None = None
        self._count: int | None = None
        if not self._ascii:
            spans: list[tuple[int, int]] = []
            for m in _RUN.finditer(text):
                run = m.group()
                if run.isascii():
                    spans.append(m.span())
                else:
                    _split(run, m.start(), spans)
            self._spans = spans if len(spans) == len(words(text)) else []  # never show a wrong mark

    @property
    def count(self) -> int:
        """How many words."""
        if self._count is None:
            self._count = len(_ASCII_RUN.findall(self.text)) if self._spans is None else len(self._spans)
        return self._count

    def spans_from(self, i: int, n: int) -> list[tuple[int, int]]:
        """(start, end) of words i .. i+n-1 (fewer at the end of the text)."""
        if self._spans is not None:
            return self._spans[i : i + n]
        pos = _skipper(i).match(self.text).end() if i > 0 else 0  # type: ignore[union-attr]
        out = []
        for m in _ASCII_RUN.finditer(self.text, pos):
            out.append(m.span())
            if len(out) >= n:
                break
        return out

    def span(self, i: int) -> tuple[int, int]:
        return self.spans_from(i, 1)[0]

    def word(self, i: int) -> str:
        """Word i as the index folds it ("" past the end)."""
        found = self.spans_from(i, 1) if i >= 0 else []
        if not found:
            return ""
        s, e = found[0]
        ws = words(self.text[s:e])
        return ws[0] if ws else ""

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Every word's (start, end)."""
        if self._spans is None:
            self._spans = [m.span() for m in _ASCII_RUN.finditer(self.text)]
        return self._spans

    @property
    def indexed(self) -> str:
        """What ts_headline is given: the words, one space apart (word i is the i-th)."""
        return index_text(self.text, len(self.text)) if self.count else ""


def _split(run: str, base: int, spans: list[tuple[int, int]]) -> None:
    start = end = -1
    for i, ch in enumerate(run):
        kind = _WORD if ch.isascii() else _kind(ch)
        if kind == _WORD:
            if start < 0:
                start = i
            end = i + 1
        elif kind == _MARK:
            if start >= 0:
                end = i + 1
        elif start >= 0:
            spans.append((base + start, base + end))
            start = -1
    if start >= 0:
        spans.append((base + start, base + end))


def marked_words(headline: str | None) -> list[int]:
    """Indexes of the words ts_headline marked in a text of space-separated words."""
    if not headline or HL_START not in headline:
        return []
    out: list[int] = []
    index = 0
    inside = False
    for part in re.split(f"([ {HL_START}{HL_END}])", headline):
        if part == " ":
            index += 1
        elif part == HL_START:
            inside = True
        elif part == HL_END:
            inside = False
        elif part and inside and (not out or out[-1] != index):
            out.append(index)
    return out


def snippet(w: Words, marked: Sequence[int], marks: tuple[str, str], size: int = SNIPPET_WORDS) -> str:
    """About ``size`` words of the text around the most marked words, marks in place,
    on one line (the release wraps its text), with … where it was cut."""
    if not marked:
        return ""
    hit = set(marked)
    # The window holding the most marked words, the earliest of equals: one starts at a
    # marked word, so only those starts are tried.
    ordered = sorted(hit)
    best_first, best_count = ordered[0], 0
    for i, first in enumerate(ordered):
        count = bisect_left(ordered, first + size, i) - i
        if count > best_count:
            best_first, best_count = first, count
    inside = ordered[bisect_left(ordered, best_first) : bisect_left(ordered, best_first + size)]
    # A few words of context before the first hit, as long as the last one stays in.
    start = max(min(inside) - 3, max(inside) - size + 1, 0)
    window = w.spans_from(start, size + 1)  # one more: is there text after the window?
    if len(window) < size and start > 0:  # near the end: the window moves back to fill up
        start = max(0, start - (size - len(window)))
        window = w.spans_from(start, size + 1)
    more = len(window) > size
    window = window[:size]
    if not window:
        return ""
    text = w.text
    pieces = []
    cursor = window[0][0]
    for i, (s, e) in enumerate(window, start):
        if i in hit:
            pieces.append(text[cursor:s] + marks[0] + text[s:e] + marks[1])
        else:
            pieces.append(text[cursor:e])
        cursor = e
    line = " ".join("".join(pieces).split())
    return (ELLIPSIS if start > 0 else "") + line + (ELLIPSIS if more else "")


# --------------------------------------------------------------------------- queries


_PIECE = re.compile(r'"([^"]*)"?|([^\s"]+)')


def _node(ws: list[str], prefix: bool) -> Node:
    return Term(ws[0], prefix) if len(ws) == 1 else Phrase(tuple(ws), prefix)


def plain_terms(user: str) -> list[Node]:
    """``Store.search``'s plain queries as terms that must all match: quoted words are a
    phrase, a trailing ``*`` makes a prefix, anything else is text (the rules of the
    SQLite store's ``fts5_query``)."""
    terms: list[Node] = []
    for m in _PIECE.finditer(user or ""):
        phrase, word = m.group(1), m.group(2)
        if phrase is not None:
            ws = words(phrase)
            if ws:
                terms.append(_node(ws, False))
            continue
        core = word.rstrip("*")
        ws = words(core)
        if ws:
            terms.append(_node(ws, word.endswith("*") and core[-1].isalnum()))
    return list(dict.fromkeys(terms))


def plain_tsquery(user: str) -> str | None:
    """The tsquery of ``plain_terms`` (None when there is no word at all)."""
    terms = plain_terms(user)
    return to_tsquery_text(conj(*terms)) if terms else None


def shown_terms(root: Node | None) -> list[Node]:
    """The words, phrases and subject words a hit shows (not the excluded ones), as
    Term/Phrase nodes, each once."""
    out: list[Node] = []
    stack: list[tuple[Node, bool]] = [(root, True)] if root is not None else []
    while stack:
        node, positive = stack.pop()
        if isinstance(node, Not):
            stack.append((node.child, not positive))
        elif isinstance(node, (And, Or)):
            stack.extend((c, positive) for c in reversed(node.children))
        elif not positive:
            continue
        elif isinstance(node, (Term, Phrase)):
            out.append(node)
        elif isinstance(node, Field) and node.name == "subject":
            ws = tuple(node.value.split(" "))
            out.append(Term(ws[0], node.prefix) if len(ws) == 1 else Phrase(ws, node.prefix))
    return list(dict.fromkeys(out))


def highlight_tsquery(terms: Sequence[Node]) -> str | None:
    """One tsquery OR-ing what a hit shows (``shown_terms``), whichever branch of the
    query matched."""
    return to_tsquery_text(disj(*terms)) if terms else None
