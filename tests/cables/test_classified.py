"""Classified-by lines (typed for these tests)."""

import pytest

from cablemirror.cables.classified import classification_reasons, normalize_name, parse_classified_by


@pytest.mark.parametrize("text, names", [
    ("Classified By: Ambassador Jane Q. Public for reasons 1.4 (b) and (d).", ["Jane Q. Public"]),
    ("CLASSIFIED BY: Doe John, Ambassador; REASON: 1.4(B)", ["Doe John"]),
    ("Classified By: Acting Pol/Econ Counselor:Sam Smith, reasons 1.4 (b,d)", ["Sam Smith"]),
    ("Classified By: Kirkuk PRT Team Leader Ann Lee for reason 1.4 (b)", ["Ann Lee"]),
    ("Classified By: Ambassaor Joe Bloggs for reasons 1.4 (b)", ["Joe Bloggs"]),  # typo in the title
    ("Classified By: Charge d'Affaires a.i. Mary Roe, reason 1.4 (b) and (d)", ["Mary Roe"]),
    ("Classified By: Ambassador Tom Thumb, Jr. for reasons 1.4 (b)", ["Tom Thumb, Jr."]),
    ("CLASSIFIED BY AF ANN ONE, ACTING AND S/CT DAS BOB TWO; REASON: 1.4 (B)", ["ANN ONE", "BOB TWO"]),
    ("Classified By: Deputy Chief of Mission Hoyt Y \nee for reasons 1.4 (b)", ["Hoyt Yee"]),
    ("Classified By: Classified by DCM Pat Doe for reasons 1.4 (d)", ["Pat Doe"]),
    ("- - CORRECTED COPY - - CLASSIFIED BY LINE ADDED\n\nCLASSIFIED BY DCM PSMITH PER 1.5 (B)", ["PSMITH"]),
])
def test_names(text, names):
    assert parse_classified_by(text)[0] == names


@pytest.mark.parametrize("text, reasons", [
    ("reasons 1.4 (B) and (D)", ["1.4(b)", "1.4(d)"]),
    ("1.4(b/d)", ["1.4(b)", "1.4(d)"]),
    ("1.4 b and d", ["1.4(b)", "1.4(d)"]),
    ("REASON: 1.5 (B), (C) AND (D).", ["1.5(b)", "1.5(c)", "1.5(d)"]),
    ("reasons 1. \n4 ( \nb) and (d)", ["1.4(b)", "1.4(d)"]),
    ("no reason given", []),
])
def test_reasons(text, reasons):
    assert classification_reasons(text) == reasons


def test_reasons_come_with_names():
    assert parse_classified_by("Classified By: CDA Sam Smith, reasons 1.4 (B) and (D),") == (
        ["Sam Smith"], ["1.4(b)", "1.4(d)"])
    assert parse_classified_by("nothing to see") == ([], [])
    assert parse_classified_by(None) == ([], [])  # type: ignore[arg-type]


def test_normalize_name():
    assert normalize_name("LEE 0. DOE") == "Lee O. Doe"
    assert normalize_name("RICAHRD E. ROE") == "Richard E. Roe"
    assert normalize_name("ED MCSMITH") == "Ed McSmith"
    assert normalize_name("Sam LeBlanc") == "Sam LeBlanc"
    assert normalize_name("Tom Thumb, III.") == "Tom Thumb, III"
