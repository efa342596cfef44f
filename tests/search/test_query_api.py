"""The Query object: highlighting terms, facet refinement, equality."""

from __future__ import annotations

import dataclasses

import pytest

from cablemirror.search import (
    REPORT_FIELDS,
    DateRange,
    Field,
    Phrase,
    QuerySyntaxError,
    Term,
    parse_query,
)


def test_text_terms_are_the_positive_words_and_phrases():
    q = parse_query('iran "civil society" elect* -nuclear -(vote -ballot) tag:PGOV subject:x OR iraq iran')
    assert q.text_terms() == (
        Term("iran"),
        Phrase(("civil", "society")),
        Term("elect", prefix=True),
        Term("ballot"),  # excluded twice: wanted
        Term("iraq"),
    )
    assert parse_query("").text_terms() == ()


def test_filters_are_the_top_level_field_conditions():
    q = parse_query("iran tag:PGOV -tag:PREL from:2005 (tag:KDEM OR vote)")
    assert q.filters() == (Field("tag", "PGOV"), DateRange("2005-01-01", None))


def test_with_filter_refines_and_normalises():
    q = parse_query("iran OR iraq")
    r = q.with_filter("tag", "pgov")
    assert str(r) == "iran OR iraq tag:PGOV"
    assert parse_query(str(r)) == r
    assert r.with_filter("tag", "PGOV") == r  # already there
    assert str(r.with_filter("classification", "Secret//NoForn")) == "iran OR iraq tag:PGOV class:SECRET//NOFORN"
    assert str(r.with_filter("origin", "Embassy Almaty")) == 'iran OR iraq tag:PGOV origin:"embassy almaty"'
    assert str(r.with_filter("tag", "PREL", exclude=True)) == "iran OR iraq tag:PGOV -tag:PREL"
    assert str(parse_query("").with_filter("tag", "PGOV")) == "tag:PGOV"
    assert q.fields is r.fields


def test_with_filter_dates_intersect():
    q = parse_query("iran from:2005")
    assert str(q.with_filter("to", "2006-06")) == "iran from:2005 to:2006-06"
    assert str(q.with_filter("date", "2005-08")) == "iran date:2005-08"
    with pytest.raises(QuerySyntaxError, match="exclude each other"):
        q.with_filter("to", "2004")


def test_with_filter_rejects_bad_values():
    q = parse_query("iran")
    with pytest.raises(QuerySyntaxError, match="unknown field"):
        q.with_filter("colour", "red")
    with pytest.raises(QuerySyntaxError, match="not a classification"):
        q.with_filter("class", "cosmic")
    with pytest.raises(QuerySyntaxError, match="not a date"):
        q.with_filter("from", "soon")


def test_build_filter_prefix():
    from cablemirror.search import CABLE_FIELDS, build_filter

    assert build_filter(CABLE_FIELDS, "id", "05almaty", prefix=True) == Field("id", "05ALMATY", prefix=True)
    with pytest.raises(QuerySyntaxError, match="does not take"):
        build_filter(CABLE_FIELDS, "class", "sec", prefix=True)


def test_with_filter_numbers():
    q = parse_query("ambush", REPORT_FIELDS)
    assert str(q.with_filter("kia", 2, ">")) == "ambush kia>2"
    assert str(q.with_filter("region", "east")) == 'ambush region:"RC EAST"'


def test_without_filter():
    q = parse_query("iran tag:PGOV tag:PREL -tag:KDEM from:2005 to:2006 class:secret")
    assert str(q.without_filter("tag", "PGOV")) == "iran tag:PREL -tag:KDEM from:2005 to:2006 class:SECRET"
    assert str(q.without_filter("tags")) == "iran -tag:KDEM from:2005 to:2006 class:SECRET"
    assert str(q.without_filter("from")) == "iran tag:PGOV tag:PREL -tag:KDEM to:2006 class:SECRET"
    assert str(q.without_filter("to")) == "iran tag:PGOV tag:PREL -tag:KDEM from:2005 class:SECRET"
    assert str(q.without_filter("date")) == "iran tag:PGOV tag:PREL -tag:KDEM class:SECRET"
    assert str(q.without_filter("class", "Secret")) == "iran tag:PGOV tag:PREL -tag:KDEM from:2005 to:2006"
    assert q.without_filter("tag", "XXXX") == q
    assert parse_query("tag:PGOV").without_filter("tag").is_empty


def test_has_filter():
    q = parse_query("iran tag:PGOV -tag:PREL date:2005")
    assert q.has_filter("tag", "pgov")
    assert not q.has_filter("tag", "PREL")  # excluded, not active
    assert q.has_filter("date", "2005")
    assert not q.has_filter("class", "cosmic")  # invalid values are never active


def test_queries_are_values():
    a, b = parse_query("iran  tag:pgov"), parse_query("iran tag:PGOV")
    assert a == b and hash(a) == hash(b)
    assert {a.root, b.root} == {a.root}
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.root = None  # type: ignore[misc]
    assert parse_query("the iran") == parse_query("iran")  # ignored words are not part of the meaning


def test_nodes_validate_themselves():
    with pytest.raises(ValueError):
        Term("Iran")  # not folded
    with pytest.raises(ValueError):
        Term("two words")
    with pytest.raises(ValueError):
        Phrase(("one",))
    with pytest.raises(ValueError):
        Field("tag", 'a"b')
    with pytest.raises(ValueError):
        Field("tag", "x", op="~")
    with pytest.raises(ValueError):
        DateRange("2006-01-01", "2005-01-01")
    with pytest.raises(ValueError):
        DateRange(None, None)
    with pytest.raises(ValueError):
        DateRange("2005-1-1", None)
