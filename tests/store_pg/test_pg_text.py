"""Text for PostgreSQL full text: word spans, snippets, plain queries (no server needed),
and the highlighting of real stems and of texts PostgreSQL cuts differently (server)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

from cablemirror.search import Phrase, Term, parse_query, to_tsquery_text
from cablemirror.search.text import words
from cablemirror.store.base import Store
from cablemirror.store.pg_text import (
    MAX_BODY_WORDS,
    Words,
    document,
    highlight_tsquery,
    index_text,
    marked_words,
    plain_terms,
    plain_tsquery,
    shown_terms,
    snippet,
)

from ..store.factories import make_pair


@given(st.text(max_size=200))
def test_word_spans_are_the_query_languages_words(text: str) -> None:
    w = Words(text)
    assert [words(text[s:e]) for s, e in w.spans] == [[x] for x in words(text)]
    assert w.indexed == " ".join(words(text))


@pytest.mark.parametrize(
    "text, spans",
    [
        ("THE U.S. DELEGATION", [(0, 3), (4, 5), (6, 7), (9, 19)]),
        ("CHARGÉ d'affaires", [(0, 6), (7, 8), (9, 17)]),
        ("e\u0301lection", [(0, 9)]),  # a combining accent stays inside its word
        ("Москва-2 日本", [(0, 6), (7, 8), (9, 11)]),
        ("", []),
        ("... --- ...", []),
    ],
)
def test_word_spans(text: str, spans: list[tuple[int, int]]) -> None:
    assert Words(text).spans == spans


def test_index_text_and_documents() -> None:
    assert index_text("ICELAND: PEACE-KEEPING, U.S.") == "iceland peace keeping u s"
    assert index_text(None) == "" and index_text("") == ""
    assert document("Title", "SUBJECT: X", ["PGOV", "KZ"], "Body é") == ("title", "subject x", "pgov kz", "body e")
    long = "word " * (MAX_BODY_WORDS + 10)
    assert len(document("", "", [], long)[3].split()) == MAX_BODY_WORDS


def test_marked_words() -> None:
    assert marked_words("the \x02charge\x03 met the \x02u\x03 \x02s\x03 x") == [1, 4, 5]
    assert marked_words("\x02a b\x03 c") == [0, 1]
    assert marked_words("no marks") == [] and marked_words(None) == []


def test_snippet_window_marks_and_ellipses() -> None:
    text = " ".join(f"W{i}" for i in range(100))
    w = Words(text)
    s = snippet(w, [50, 52], ("[", "]"), size=10)
    assert s.startswith("…W47 W48 W49 [W50] W51 [W52]") and s.endswith("…")
    assert len(s.strip("…").split()) == 10
    assert snippet(w, [0], ("[", "]"), size=5) == "[W0] W1 W2 W3 W4…"
    assert snippet(w, [99], ("[", "]"), size=5) == "…W95 W96 W97 W98 [W99]"
    # The window holding the most marks wins.
    assert "[W80] [W81] [W82]" in snippet(w, [10, 80, 81, 82], ("[", "]"), size=6)
    assert snippet(w, [], ("[", "]")) == ""
    # One line, punctuation and case of the original text kept.
    w2 = Words("1. (C) THE\n  MINISTER   DISCUSSED\nWHALING.")
    assert snippet(w2, [4], ("«", "»")) == "1. (C) THE MINISTER «DISCUSSED» WHALING"


def test_plain_queries() -> None:
    assert plain_terms('u.s.* "civil society" elect* AND \'x') == [
        Phrase(("u", "s")), Phrase(("civil", "society")), Term("elect", prefix=True), Term("and"), Term("x")]
    assert plain_tsquery("whaling quotas") == "('whaling' & 'quotas')"
    assert plain_tsquery('"" * ** --') is None and plain_tsquery("") is None
    assert plain_terms("fisher*") == [Term("fisher", prefix=True)]
    assert plain_terms("iran iran") == [Term("iran")]


def test_shown_terms_and_heading() -> None:
    q = parse_query('subject:"civil soc"* iran -nuclear elect* "u.s." OR tag:PGOV')
    assert shown_terms(q.root) == [Phrase(("civil", "soc"), prefix=True), Term("iran"), Term("elect", prefix=True),
                                   Phrase(("u", "s"))]
    assert shown_terms(parse_query("-iran tag:PGOV").root) == []
    assert shown_terms(parse_query("-(-iran)").root) == [Term("iran")]
    assert highlight_tsquery([Term("iran"), Phrase(("u", "s"))]) == "('iran' | ('u' <-> 's'))"
    assert highlight_tsquery([]) is None
    assert to_tsquery_text(Term("x")) == "'x'"


# ---------------------------------------------------------------- with the server


@pytest.mark.postgres
def test_stemmed_words_and_prefixes_are_marked(pg_store: Store) -> None:
    pg_store.store_batch([make_pair("09HL1", paragraphs=[
        (1, "C", "THE AGENCIES HELD ELECTIONS."), (2, "C", "AN AGENCY ELECTED NOBODY; THE ELECTORATE WAITED.")])])
    [hit] = pg_store.search("agency").hits
    assert "«AGENCIES»" in hit.snippet and "«AGENCY»" in hit.snippet and hit.paragraph == 1
    [hit] = pg_store.search("elect*", marks=("[", "]")).hits
    assert {"[ELECTIONS]", "[ELECTED]", "[ELECTORATE]"} <= set(hit.snippet.replace(".", " ").replace(";", " ").split())
    [hit] = pg_store.query('"agency elected"').hits
    assert "«AGENCY» «ELECTED»" in hit.snippet and "«AGENCIES»" not in hit.snippet and hit.paragraph == 2


@pytest.mark.postgres
def test_texts_postgresql_cuts_differently_fall_back_to_ts_headline(pg_store: Store, rows: Any) -> None:
    # "½" is a word to the query language and a blank to PostgreSQL's parser here: the
    # positions after it are one short, which the stem check sees.
    pair = make_pair("09HL2", paragraphs=[(1, "C", "MIX ½ ½ ½ CUP OF FLOUR."), (2, "C", "THEN ADD THE PLATYPUS.")])
    pg_store.store_batch([pair])
    [hit] = pg_store.search("platypus").hits
    assert "«PLATYPUS»" in hit.snippet and hit.paragraph == 2
    [hit] = pg_store.search("flour").hits
    assert "«FLOUR»" in hit.snippet and hit.paragraph == 1


@pytest.mark.postgres
def test_words_past_the_position_limit_are_found_not_marked(pg_store: Store) -> None:
    """A known limit of tsvector (docs/deployment.md): positions stop at 16,383."""
    body = ("FILLER WORDS " * 9000) + "AARDWOLF AT THE END"
    pg_store.store_batch([make_pair("09HL3", paragraphs=[(1, "C", body)])])
    [hit] = pg_store.search("aardwolf").hits  # found: the document holds the word
    assert hit.snippet == "" and hit.paragraph is None  # but where it is, is lost
    assert pg_store.query('"aardwolf at the end"').total == 0  # and phrases there are not found
