"""Snippets of ``prefix*`` searches: the prefix is replaced, for the page's hits, by the
words of those hits it stands for (``sqlite_query.highlight_expression``).  The words
marked must be exactly the ones FTS5 marks for the prefix itself."""

from __future__ import annotations

import sqlite3

import pytest

from cablemirror.search import parse_query
from cablemirror.search.fields import CABLE_FIELDS
from cablemirror.store.sqlite_query import MAX_PREFIX_WORDS, compile_query, highlight_expression

TEXTS = [
    "The election commission met; elections are due. Electoral reform stalled.",
    "ELECTRICITY prices rose after the Élection of the new council (elected in May).",
    "Nothing here starts with the prefix: selection, reelection, select.",
    "Happy voters, happiness, happily ever after; the happiest day.",
    "Ministers and the ministry; a minister's office; two ministries.",
]


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)", enumerate(TEXTS, 1))
    return conn


def _marked(conn: sqlite3.Connection, expression: str) -> dict[int, str]:
    # The store's expressions name its columns; this table has one.
    expression = expression.replace("{title subject body tags}", "{body}").replace("{subject}", "{body}")
    return dict(conn.execute("SELECT rowid, highlight(t, 0, '[', ']') FROM t WHERE t MATCH ?", (expression,)))


@pytest.mark.parametrize("query", ["elect*", "happ*", "happy*", "minist*", "ministries*", "elect* OR happ*", "elect* -reform", "council elect*"])
def test_the_words_marked_are_the_ones_fts5_marks_for_the_prefix(fts: sqlite3.Connection, query: str) -> None:
    c = compile_query(parse_query(query, CABLE_FIELDS))
    assert c.highlight is not None
    expanded = highlight_expression(c.marked, TEXTS)
    assert expanded is not None and "*" not in expanded
    original = _marked(fts, c.highlight)
    again = _marked(fts, expanded)
    assert original  # the prefix does mark something here
    assert again == original


def test_a_prefix_no_hit_holds_marks_nothing() -> None:
    c = compile_query(parse_query("zzq*", CABLE_FIELDS))
    assert highlight_expression(c.marked, TEXTS) is None
    both = compile_query(parse_query("zzq* OR council", CABLE_FIELDS))
    assert highlight_expression(both.marked, TEXTS) == highlight_expression(
        compile_query(parse_query("council", CABLE_FIELDS)).marked)


def test_a_prefix_of_too_many_words_is_left_to_fts5() -> None:
    many = [" ".join(f"ab{i:03d}x" for i in range(MAX_PREFIX_WORDS + 1))]
    c = compile_query(parse_query("ab*", CABLE_FIELDS))
    assert highlight_expression(c.marked, many) == c.highlight
    few = [" ".join(f"ab{i:03d}x" for i in range(3))]
    assert highlight_expression(c.marked, few).count(" OR ") == 2


def test_without_texts_the_expression_is_the_query_s_own() -> None:
    c = compile_query(parse_query('"human rights" OR elect* -tag:PGOV', CABLE_FIELDS))
    assert highlight_expression(c.marked) == c.highlight
    assert "*" in c.highlight
