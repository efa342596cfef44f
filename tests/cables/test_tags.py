"""TAGS lines and tag kinds (lines typed for these tests)."""

from cablemirror.cables import parse_tags, tag_kind
from cablemirror.cables.tags import find_tags_text, split_glued


def tags_of(text, **kw):
    return parse_tags(find_tags_text(text) or "", **kw)


def test_plain_and_comma_lines():
    assert tags_of("TAGS: PREL PGOV ECON IZ\nSUBJECT: X") == ["PREL", "PGOV", "ECON", "IZ"]
    assert tags_of("TAGS: PREL, PGOV,\nECON, IZ") == ["PREL", "PGOV", "ECON", "IZ"]
    assert tags_of("tags: prel, pgov") == ["PREL", "PGOV"]


def test_continuation_only_for_codes_or_trailing_comma():
    assert tags_of("TAGS: PREL\nnot a tag line") == ["PREL"]
    assert tags_of("TAGS: PREL MARR\nKPKO, IC\nSUBJECT: X") == ["PREL", "MARR", "KPKO", "IC"]


def test_misspelt_labels_and_inline_subject():
    assert tags_of("E.O. 12958: N/A\nTAS: ECON, IS\nSUBJECT: X") == ["ECON", "IS"]
    assert tags_of("DECL: 01/01/2015 AGS: PGOV, AR") == ["PGOV", "AR"]
    assert tags_of("Tags: prel, tu Subject: something else") == ["PREL", "TU"]


def test_glued_duplicates_typos_and_free_text():
    assert tags_of("TAGS: PHUMBA, PREL, PREL, MOPPS") == ["PHUM", "BA", "PREL", "MOPS"]
    assert tags_of("TAGS: PHUMBA", canonicalize=False) == ["PHUMBA"]
    assert tags_of("TAGS: PGOV HUMAN RIGHTS IT") == ["PGOV", "HUMAN RIGHTS", "IT"]
    assert tags_of("TAGS: PTER COUNTER TERRORISM") == ["PTER", "COUNTERTERRORISM"]
    assert split_glued("FRANCE") is None  # only two-letter pieces: a word, not glued codes


def test_persons():
    assert tags_of("TAGS: OVIP RICE CONDOLEEZZA PREL") == ["OVIP", "RICE, CONDOLEEZZA", "PREL"]
    assert tags_of("TAGS: OVIP (SMITH, JOHN), PREL") == ["OVIP", "SMITH, JOHN", "PREL"]
    assert tags_of("TAGS: KJUS DOE PEDRO") == ["KJUS", "DOE, PEDRO"]


def test_page_header_inside_the_line():
    line = "TAGS: ECON, IT    UNCLASSIFIED    PAGE 02        ROME  01234  01 OF 02  281501Z ECON, IT"
    assert tags_of(line) == ["ECON", "IT"]


def test_tag_kind():
    assert tag_kind("PHUM") == "subject"
    assert tag_kind("phum") == "subject"
    assert tag_kind("KDEM") == "program"
    assert tag_kind("KQQQ") == "program"  # K + three letters is a program tag by shape
    assert tag_kind("NATO") == "org"
    assert tag_kind("IZ") == "geo"
    assert tag_kind("RICE, CONDOLEEZZA") == "person"
    assert tag_kind("NOT A TAG") == "unknown"
    assert tag_kind("NOT A TAG", default="subject") == "subject"
    assert tag_kind(None) == "unknown"  # type: ignore[arg-type]
