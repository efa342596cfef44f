"""Every kind of malformed query: a QuerySyntaxError that says what, where, and how to fix it."""

from __future__ import annotations

import pytest

from cablemirror.search import REPORT_FIELDS, QuerySyntaxError, parse_query
from cablemirror.search.query import MAX_DEPTH, MAX_QUERY_LENGTH

# (query, words the message must contain, 0-based position, words the hint must contain)
CASES = [
    ('"civil society', "never closed", 0, "closing"),
    ('iran "civil society', "never closed", 5, "closing"),
    ("(iran OR iraq", "'(' is never closed", 0, "add ')'"),
    ("iran (iraq (syria)", "'(' is never closed", 5, "add ')'"),
    ("iran)", "')' has no matching", 4, "remove it"),
    ("()", "empty parentheses", 0, "put words"),
    ('""', "empty quotes", 0, "between the quotes"),
    ("foo:bar", "unknown field 'foo'", 0, "quotes"),
    ("iran orgin:almaty", "unknown field 'orgin'", 5, "did you mean origin"),
    ("tagg:PGOV", "unknown field 'tagg'", 0, "did you mean tag"),
    ("kia>2", "unknown field 'kia'", 0, "Fields are"),
    ("from:05", "is not a date", 5, "from:2005-08"),
    ("from:2005-13", "no month 13", 5, "from:2005-08"),
    ("to:2009-02-30", "February 2009 has 28 days", 3, "to:2005-08"),
    ("date:yesterday", "is not a date", 5, "date:2005-08"),
    ("from:2007 to:2005", "exclude each other", 10, "from: is before to:"),
    ("iran (from:2007 iraq) to:2005", "exclude each other", 22, "before to:"),
    ("from>2005", "write from: followed by a date", 4, "from:2005-08"),
    ("date:2005*", "dates take no '*'", 9, "whole period"),
    ("OR iran", "OR needs something before it", 0, "add a word before OR"),
    ("(OR iran)", "OR needs something before it", 1, "add a word before OR"),
    ("iran OR", "OR needs something after it", 5, "add a word after OR"),
    ("(iran OR) iraq", "OR needs something after it", 6, "add a word after OR"),
    ("iran OR OR iraq", "OR is followed by OR", 8, "remove one"),
    ("iran OR AND iraq", "OR is followed by AND", 8, "remove one"),
    ("AND iran", "AND needs something before it", 0, "remove AND"),
    ("iran AND", "AND needs something after it", 5, "add a word after AND"),
    ("iran AND OR iraq", "AND needs something after it", 5, "add a word after AND"),
    ("NOT", "NOT needs something after it", 0, "NOT word"),
    ("iran NOT OR iraq", "NOT needs something after it", 5, "NOT word"),
    ("iran - iraq", "lone '-'", 5, "-word"),
    ("iran -", "lone '-'", 5, "-word"),
    ("--iran", "two minus signs", 0, "write one"),
    ("*", "lone '*'", 0, "elect*"),
    ("*elect", "'*' can only end a word", 0, "elect*"),
    ("el*ct", "'*' can only end a word", 2, "elect*"),
    ('"civil society"*x', "'*' can only end a word", 15, "space after the *"),
    ("e*", "too short", 0, "at least 2 letters"),
    ("tag:", "tag: needs a value", 0, "tag:PGOV"),
    ("iran tag: OR x", "tag: needs a value", 5, "tag:PGOV"),
    ("tag>2", "cannot be compared with '>'", 3, "only numbers and dates"),
    ("tag:PG*OV", "'*' can only end a word", 6, "elect*"),
    ('tag:"PGOV PREL"', "not one tag", 5, "tag:PGOV"),
    ("class:topsecret", "not a classification", 6, "class:secret"),
    ("class:secr*", "does not take '*'", 10, "whole value"),
    ("id:05-ALMATY", "not a cable id", 3, "id:05ALMATY2985"),
    ("subject:!!!", "needs words", 8, "subject:"),
    ("the of and", "too common", 0, '"the"'),
    ("  the", "the is too common", 2, "quotes"),
    ("!!! ???", "no letters or digits", 0, "write words"),
    ("(" * (MAX_DEPTH + 2) + "x" + ")" * (MAX_DEPTH + 2), "levels deep", MAX_DEPTH, "remove"),
    ("NOT " * (MAX_DEPTH + 2) + "x", "levels deep", 4 * (MAX_DEPTH + 1), "remove"),
    ("x" * (MAX_QUERY_LENGTH + 1), "too long", MAX_QUERY_LENGTH, "shorten"),
]


@pytest.mark.parametrize("text,message,position,hint", CASES, ids=[c[0][:40] for c in CASES])
def test_error(text, message, position, hint):
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    err = info.value
    assert message in err.message
    assert err.position == position, (err.position, str(err))
    assert err.column == position + 1
    assert err.hint and hint in err.hint
    # The user-facing text names the problem, the column and the fix.
    assert f"(column {position + 1})" in str(err)
    assert err.query == text


@pytest.mark.parametrize(
    "text,message",
    [
        ("kia>two", "needs a whole number"),
        ("kia>-1", "needs a whole number"),
        ("kia>99999999999", "larger than any"),
        ("region:middle", "not a region"),
        ("attack:everyone", "not a target"),
        ("kia>(1 OR 2)", "cannot take a group"),
        ("tag:PGOV", "unknown field 'tag'"),
    ],
)
def test_report_field_errors(text, message):
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text, REPORT_FIELDS)
    assert message in info.value.message


def test_pointer_marks_the_problem():
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("iran orgin:almaty")
    assert info.value.pointer() == "iran orgin:almaty\n     ^^^^^"


def test_error_is_a_value_error_with_a_json_shape():
    with pytest.raises(ValueError) as info:
        parse_query("iran OR")
    d = info.value.to_dict()
    assert d == {
        "error": "query_syntax",
        "message": "OR needs something after it",
        "position": 5,
        "column": 6,
        "hint": "add a word after OR, or remove it",
    }


def test_non_string_is_a_type_error():
    with pytest.raises(TypeError):
        parse_query(None)  # type: ignore[arg-type]
