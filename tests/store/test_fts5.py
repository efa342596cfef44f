"""The user-words -> FTS5 query translation, checked against SQLite itself."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings, strategies as st

from cablemirror.store.fts5 import fts5_query


@pytest.mark.parametrize(
    "user, expected",
    [
        ("reykjavik", '"reykjavik"'),
        ("iceland peacekeeping", '"iceland" "peacekeeping"'),
        ('"whaling quotas" iceland', '"whaling quotas" "iceland"'),
        ('"unclosed phrase', '"unclosed phrase"'),
        ("terror*", '"terror"*'),
        ("u.s.*", '"u.s."'),
        ("AND OR NOT", '"AND" "OR" "NOT"'),
        ("NEAR(a b)", '"NEAR(a" "b)"'),
        ("title:iceland", '"title:iceland"'),
        ("", None),
        ("  * ** -- ()", None),
        ('""', None),
        ("a\x00b", '"a" "b"'),
    ],
)
def test_translation(user: str, expected: str | None) -> None:
    assert fts5_query(user) == expected


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'porter unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('the and or not near café words')")
    return conn


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_every_translation_is_valid_fts5(fts: sqlite3.Connection, user: str) -> None:
    q = fts5_query(user)
    if q is not None:
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (q,)).fetchone()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(['"', "(", ")", "*", "^", ":", "-", "+", "AND", "OR", "NOT", "NEAR", "a", "é", " ", ","]), max_size=20))
def test_operator_soup_is_valid_fts5(fts: sqlite3.Connection, parts: list[str]) -> None:
    q = fts5_query("".join(parts))
    if q is not None:
        fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (q,)).fetchone()
