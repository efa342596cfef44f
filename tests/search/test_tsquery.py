"""PostgreSQL tsquery: the text form, and (when the server is up) its meaning."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cablemirror.search import Field, TextMatch, matches, parse_query, plan_tsquery, to_tsquery_text
from cablemirror.search.tsquery import quote

from .strategies import VOCAB, trees, vocab_phrase, vocab_term

EXAMPLES = [
    ("iran", "'iran'"),
    ("elect*", "'elect':*"),
    ('"civil society"', "('civil' <-> 'society')"),
    ('"civil soc"*', "('civil' <-> 'soc':*)"),
    ("iran iraq", "('iran' & 'iraq')"),
    ("iran OR iraq", "('iran' | 'iraq')"),
    ("-iran", "!'iran'"),
    ("iran -(iraq OR syria)", "('iran' & !('iraq' | 'syria'))"),
    ('"the" iran', "('the' & 'iran')"),
]


@pytest.mark.parametrize("text,expected", EXAMPLES)
def test_to_tsquery_text(text, expected):
    assert to_tsquery_text(parse_query(text)) == expected


def test_quoting_and_weights():
    assert quote("it's") == "'it''s'"
    assert quote("a\\b") == "'a\\\\b'"
    assert to_tsquery_text(None) is None
    q = parse_query('iran subject:"civil soc"*')
    with pytest.raises(ValueError, match="plan_tsquery"):
        to_tsquery_text(q)
    assert to_tsquery_text(q, {"subject": "A"}) == "('iran' & ('civil':A <-> 'soc':*A))"
    with pytest.raises(ValueError, match="weights"):
        to_tsquery_text(q, {"subject": "Z"})


def test_plan_tsquery_keeps_negations_in_the_match():
    p = plan_tsquery(parse_query("-iran -iraq tag:PGOV (vote OR tag:KDEM)"))
    assert (p.match, p.exclude) == ("(!'iran' & !'iraq')", None)
    assert [str(f) for f in p.filters] == ["tag:PGOV"]
    assert p.mixed[0].children == (TextMatch("'vote'"), Field("tag", "KDEM"))


# ---------------------------------------------------------------------------
# Meaning, checked by PostgreSQL itself (skipped without a server).


@pytest.fixture(scope="module")
def pg():
    dsn = os.environ.get("CABLEMIRROR_TEST_PG")
    if not dsn:
        pytest.skip("CABLEMIRROR_TEST_PG is not set (scripts/test sets it when PostgreSQL is up)")
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(dsn, connect_timeout=5, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {dsn} does not answer: {exc}")
    yield conn
    conn.close()


def _pg_matches(conn, docs, tsquery):
    rows = conn.execute(
        "SELECT i FROM unnest(%s::text[]) WITH ORDINALITY AS t(doc, i)"
        " WHERE to_tsvector('simple', doc) @@ to_tsquery('simple', %s)",
        (docs, tsquery),
    ).fetchall()
    return {r[0] for r in rows}


docs_strategy = st.lists(
    st.lists(st.sampled_from(VOCAB), max_size=8).map(" ".join), min_size=1, max_size=15
)


@pytest.mark.postgres
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs_strategy, trees(st.one_of(vocab_term, vocab_term, vocab_phrase), max_leaves=8))
def test_tsquery_means_what_the_evaluator_says(pg, docs, tree):
    expected = {i for i, d in enumerate(docs, 1) if matches(tree, {"text": d})}
    assert _pg_matches(pg, docs, to_tsquery_text(tree)) == expected, str(tree)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "text", ["iran -election", "-iran", "iran OR -vote", "-(iran OR vote)", '"civil society" OR elect*', '"civil soc"*']
)
def test_tsquery_examples_on_postgres(pg, text):
    docs = ["iran election", "civil society vote", "electoral iran", "vote", "society civil"]
    root = parse_query(text).root
    expected = {i for i, d in enumerate(docs, 1) if matches(root, {"text": d})}
    assert _pg_matches(pg, docs, to_tsquery_text(root)) == expected
