"""Which words of a hit matched, for its snippet and the paragraph of the first hit.

PostgreSQL's ``ts_headline`` marks every word whose lexeme is in the query, phrase or
not ("civil" alone is marked for "civil society"), and it re-parses and re-stems the
whole text for every hit.  Instead, the stored document already says where each
lexeme is: ``facts.doc`` holds positions, and a position of weight A is a word of the
title, B of the subject, C of the tags, D of the body, counted from the start of the
document with one spacer position between parts (``pg_text.DOC_SQL``: one position
per word).  So one query fetches, for the
page's hits, the positions of the lexemes the query can match (with the query words'
own lexemes, stemmed by the same configuration), and the words and phrases are
matched here, position by position, like the index matched them.

Each marked word is checked against its lexeme (a stem starts like its word); if the
positions and the words ever disagree (PostgreSQL's parser dropped a character the
query language keeps, e.g. a lone "²"), that text falls back to ``ts_headline``
marks.  Positions stop at 16,383 in a tsvector: words past that are not marked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

from ..search import Node, Term
from .pg_text import HEADLINE_OPTIONS, Words, marked_words

MAX_POSITION = 16383  # tsvector positions are capped here: such a position says nothing
PARTS = ("title", "subject", "tags", "body")  # in document order, weights A, B, C, D
_WEIGHT_PART = {"A": 0, "B": 1, "C": 2, "D": 3}


@dataclass(slots=True)
class Piece:
    """One word of the query as lexemes: several when PostgreSQL cuts the word in parts."""

    lexemes: tuple[str, ...]
    prefix: bool


def _query_words(terms: Sequence[Node]) -> list[str]:
    out: list[str] = []
    for t in terms:
        out += [t.text] if isinstance(t, Term) else list(t.words)  # type: ignore[union-attr]
    return list(dict.fromkeys(out))


def _pieces(term: Node, stems: dict[str, tuple[str, ...]]) -> list[Piece]:
    """The lexeme sequence a term or phrase needs, its last one a prefix when the term is."""
    ws = [term.text] if isinstance(term, Term) else list(term.words)  # type: ignore[union-attr]
    seq = [lex for w in ws for lex in stems.get(w, ())]
    if not seq:
        return []
    prefix = bool(getattr(term, "prefix", False))
    return [Piece((lex,), prefix and i == len(seq) - 1) for i, lex in enumerate(seq)]


def _fits(word: str, lexeme: str) -> bool:
    """A stem starts like its word (Snowball: "agencies" -> "agenc", "skies" -> "sky")."""
    return word.startswith(lexeme[:-1]) if len(lexeme) > 1 else word.startswith(lexeme)


class PageMarks:
    """Marked word indexes of the four texts of each hit of one page."""

    def __init__(self, conn: Any, keys: list[int], terms: Sequence[Node], texts: dict[int, list[Words]]) -> None:
        self.texts = texts
        self.marks: dict[int, list[list[int]]] = {k: [[], [], [], []] for k in keys}
        words = _query_words(terms)
        if not keys or not words:
            return
        stems: dict[str, list[str]] = defaultdict(list)
        prefixes = sorted({w for t in terms if getattr(t, "prefix", False)
                           for w in ([t.text] if isinstance(t, Term) else [t.words[-1]])})  # type: ignore[union-attr]
        positions: dict[int, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
        # The prefix test only when there is a prefix: it runs for every lexeme of the page.
        prefix_test = " OR EXISTS (SELECT 1 FROM q WHERE q.prefix AND starts_with(d.lexeme, q.lexeme))" if prefixes else ""
        for kind, key, word, lexeme, pos, weights in conn.execute(
            "WITH q AS (SELECT u.w, t.lexeme, u.w = ANY(%s) AS prefix FROM unnest(%s::text[]) u(w), "
            "unnest(to_tsvector('cm_text', u.w)) t) "
            "SELECT 'q', NULL::bigint, w, lexeme, NULL::smallint[], NULL::text[] FROM q "
            "UNION ALL "
            "SELECT 'd', x.key, NULL, d.lexeme, d.positions, d.weights FROM facts x, unnest(x.doc) d "
            f"WHERE x.key = ANY(%s) AND (d.lexeme IN (SELECT lexeme FROM q){prefix_test})",
            (prefixes, words, keys),
        ):
            if kind == "q":
                stems[word].append(lexeme)
            else:
                by_lexeme = positions[key]
                for p, w in zip(pos, weights):
                    by_lexeme[lexeme].append((p, w))
        frozen = {w: tuple(v) for w, v in stems.items()}
        sequences = [s for s in (_pieces(t, frozen) for t in terms) if s]
        for key in keys:
            self._mark(key, sequences, positions.get(key, {}))

    def _mark(self, key: int, sequences: list[list[Piece]], by_lexeme: dict[str, list[tuple[int, str]]]) -> None:
        at: dict[int, str] = {}  # position -> lexeme
        weight_of: dict[int, str] = {}
        for lexeme, entries in by_lexeme.items():
            for p, w in entries:
                if p < MAX_POSITION:
                    at[p] = lexeme
                    weight_of[p] = w
        hit: set[int] = set()
        for seq in sequences:
            for p in at:
                if all(self._matches(at.get(p + i), piece) for i, piece in enumerate(seq)):
                    hit.update(range(p, p + len(seq)))
        texts = self.texts[key]
        counts = [t.count for t in texts[:3]]
        # One spacer position between parts (pg_text.DOC_SQL).
        offsets = [0, counts[0] + 1, counts[0] + counts[1] + 2, counts[0] + counts[1] + counts[2] + 3]
        out: list[list[int]] = [[], [], [], []]
        for p in sorted(hit):
            part = _WEIGHT_PART.get(weight_of[p], 3)
            out[part].append(p - 1 - offsets[part])
        for part, marked in enumerate(out):
            w = texts[part]
            # A word PostgreSQL's parser skipped or split shifts every position after it:
            # the first and the last marked word show whether their stretch is shifted.
            if marked and (marked[0] < 0 or not all(
                _fits(w.word(i), at[i + 1 + offsets[part]]) for i in {marked[0], marked[-1]}
            )):
                out[part] = [-1]  # positions and words disagree: ts_headline decides (see fallback)
        self.marks[key] = out

    @staticmethod
    def _matches(lexeme: str | None, piece: Piece) -> bool:
        if lexeme is None:
            return False
        want = piece.lexemes[0]
        return lexeme.startswith(want) if piece.prefix else lexeme == want

    def fallback(self, conn: Any, highlight: str) -> None:
        """``ts_headline`` marks for the texts whose positions could not be trusted."""
        todo = [(key, part) for key, parts in self.marks.items() for part, m in enumerate(parts) if m == [-1]]
        if not todo:
            return
        rows = conn.execute(
            "SELECT ts_headline('cm_text', t, to_tsquery('cm_text', %s), %s) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i",
            (highlight, HEADLINE_OPTIONS, [self.texts[key][part].indexed for key, part in todo]),
        ).fetchall()
        for (key, part), (headline,) in zip(todo, rows):
            self.marks[key][part] = marked_words(headline)
