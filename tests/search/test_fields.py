"""Field tables, value normalisers and partial dates."""

from __future__ import annotations

from datetime import date

import pytest

from cablemirror.search import CABLE_FIELDS, REPORT_FIELDS, FieldSpec, FieldTable
from cablemirror.search.dates import DateValueError, as_period, compact_end, compact_start, period
from cablemirror.search.fields import (
    CLASSIFICATIONS,
    ValueProblem,
    expand_classification,
    normalize_cable_id,
    normalize_classification,
    normalize_region,
)


@pytest.mark.parametrize(
    "raw,canonical,covers",
    [
        ("secret", "SECRET", ("SECRET", "SECRET//NOFORN")),
        ("Secret // NoForn", "SECRET//NOFORN", ("SECRET//NOFORN",)),
        ("confidential/noforn", "CONFIDENTIAL//NOFORN", ("CONFIDENTIAL//NOFORN",)),
        ("noforn", "NOFORN", ("CONFIDENTIAL//NOFORN", "SECRET//NOFORN")),
        ("nf", "NOFORN", ("CONFIDENTIAL//NOFORN", "SECRET//NOFORN")),
        ("unclassified", "UNCLASSIFIED", ("UNCLASSIFIED", "UNCLASSIFIED//FOR OFFICIAL USE ONLY")),
        ("fouo", "UNCLASSIFIED//FOR OFFICIAL USE ONLY", ("UNCLASSIFIED//FOR OFFICIAL USE ONLY",)),
        ("limited_official_use", "LIMITED OFFICIAL USE", ("LIMITED OFFICIAL USE",)),
        ("LOU", "LIMITED OFFICIAL USE", ("LIMITED OFFICIAL USE",)),
    ],
)
def test_classification(raw, canonical, covers):
    assert normalize_classification(raw) == canonical
    assert expand_classification(canonical) == covers


def test_every_release_classification_is_accepted_as_itself():
    for c in CLASSIFICATIONS:
        assert normalize_classification(c) == c
        assert c in expand_classification(c)


@pytest.mark.parametrize("raw", ["top secret", "cosmic", "", "secret//rel"])
def test_bad_classification(raw):
    with pytest.raises(ValueProblem):
        normalize_classification(raw)


@pytest.mark.parametrize(
    "raw,canonical",
    [("05ALMATY2985", "05ALMATY2985"), ("05almaty002985", "05ALMATY2985"), ("05 ALMATY 002985", "05ALMATY2985"),
     ("08SCTION02OF02SAOPAULO335", "08SCTION02OF02SAOPAULO335"), ("7575LIBREVILLE1895", "7575LIBREVILLE1895")],
)
def test_cable_id(raw, canonical):
    assert normalize_cable_id(raw) == canonical


def test_region():
    assert normalize_region("east") == "RC EAST"
    assert normalize_region("RC-Capital") == "RC CAPITAL"
    assert normalize_region("unknown") == "UNKNOWN"
    with pytest.raises(ValueProblem):
        normalize_region("rc")


def test_table_lookup():
    assert CABLE_FIELDS["Classification"].name == "class"
    assert "TAGS" in CABLE_FIELDS and "colour" not in CABLE_FIELDS
    assert CABLE_FIELDS.suggest("orign") == "origin"
    assert CABLE_FIELDS.suggest("zzzz") is None
    assert "from" in CABLE_FIELDS.field_names() and "to" in CABLE_FIELDS.field_names()
    assert REPORT_FIELDS["subject"].name == "title"
    with pytest.raises(ValueError, match="used twice"):
        FieldTable("x", [FieldSpec("a", "text", "", ""), FieldSpec("b", "text", "", "", aliases=("a",))])
    with pytest.raises(ValueError, match="must be a date"):
        FieldTable("x", [FieldSpec("date", "text", "", "")])
    with pytest.raises(ValueError, match="kind"):
        FieldSpec("a", "colour", "", "")
    no_dates = FieldTable("x", [FieldSpec("a", "text", "", "")])
    assert not no_dates.has_bounds and "from" not in no_dates.field_names()


@pytest.mark.parametrize(
    "text,first,last",
    [
        ("2005", date(2005, 1, 1), date(2005, 12, 31)),
        ("2008-02", date(2008, 2, 1), date(2008, 2, 29)),
        ("2005-8", date(2005, 8, 1), date(2005, 8, 31)),
        ("2005/08/18", date(2005, 8, 18), date(2005, 8, 18)),
        ("2005.08.18", date(2005, 8, 18), date(2005, 8, 18)),
    ],
)
def test_period(text, first, last):
    assert period(text) == (first, last)
    assert as_period(first, last) is not None
    assert period(compact_start(first))[0] == first
    assert period(compact_end(last))[1] == last


@pytest.mark.parametrize("text", ["05", "2005-00", "2005-13", "2005-02-30", "0999", "2005-08-18T10:00", "2005--08"])
def test_bad_period(text):
    with pytest.raises(DateValueError):
        period(text)


def test_as_period_is_none_for_ranges_that_are_not_one_period():
    assert as_period(date(2005, 1, 1), date(2006, 12, 31)) is None
    assert as_period(date(2005, 1, 2), date(2005, 1, 31)) is None
    assert as_period(date(2005, 1, 1), date(2005, 1, 31)) == "2005-01"
