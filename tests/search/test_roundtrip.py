"""Properties: canonical text round-trips, and no input makes the parser crash."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings, strategies as st

from cablemirror.search import CABLE_FIELDS, REPORT_FIELDS, Query, QuerySyntaxError, format_node, parse_query

from .strategies import trees

# Query-like text: the language's own punctuation and words, plus anything at all.
SYNTAX = ['"', "(", ")", "-", "*", ":", " ", " OR ", " AND ", "NOT ", "tag:", "from:", "to:", "class:", "subject:",
          "kia>", "2005", "-08", "“", "”", "the ", "PGOV", "é", "x", "el", "12:30", "id:05ALMATY*", ">=", "="]
query_text = st.one_of(
    st.lists(st.sampled_from(SYNTAX), max_size=12).map("".join),
    st.text(max_size=40),
    st.text(alphabet=st.characters(exclude_categories=[]), max_size=20),  # controls, surrogates too
)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_generated_trees_round_trip(tree):
    text = format_node(tree)
    assert parse_query(text).root == tree, text


@settings(max_examples=1500)
@given(query_text)
@example("")
@example("((((((((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))))))))")
@example("NOT " * 60 + "x")
@example("-(" * 50)
@example('"' * 3)
@example("iran\x00 tag:a\x00b \ud800 \"x\x00y\" tag:\"p\ud800\"")
@example('tag:"a\x00b"')
@example("a" * 3000)
def test_any_text_parses_or_raises_query_syntax_error(text):
    for table in (CABLE_FIELDS, REPORT_FIELDS):
        try:
            q = parse_query(text, table)
        except QuerySyntaxError as exc:
            assert 0 <= exc.position <= len(text)
            assert exc.message and str(exc)
            continue
        assert isinstance(q, Query)
        # The canonical form is a fixed point.
        again = parse_query(str(q), table)
        assert again == q, (text, str(q), str(again))
        assert str(again) == str(q)
        assert q.is_empty == (not text.strip())
