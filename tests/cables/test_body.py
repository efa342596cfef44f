"""Opening lines, paragraphs, summary, comment and signature (typed for these tests)."""

from cablemirror.cables.body import (
    declassify_on, find_comment, find_signers, find_subject, find_summary, read_opening, reflow,
    split_paragraphs,
)

BODY = """C O N F I D E N T I A L SECTION 01 OF 02 SOMEWHERE 000123

SIPDIS
NOFORN

E.O. 12958: DECL: 02/11/2017
TAGS: PREL PGOV XX
SUBJECT: A SUBJECT THAT WRAPS
ONTO A SECOND LINE

Classified By: Ambassador Jane Public, reasons 1.4 (b) and (d).

1. (C) Summary: First point of the summary
goes on here. End Summary.

2. (SBU) A list follows:
-- item one
-- item two

-----------
Heading Text
-----------

3. (S/NF) Comment: this is what we think
about it. End Comment.

4. (U) Last words.

PUBLIC
"""


def test_opening():
    op = read_opening(BODY, BODY.index("1. (C)"))
    assert op.classification == "CONFIDENTIAL//NOFORN"
    assert op.captions == ["SIPDIS", "NOFORN"]
    assert (op.station, op.serial) == ("SOMEWHERE", "123")
    assert op.declassify_on == "2017-02-11"


def test_declassify_on_variants():
    assert declassify_on("E.O. 12958: DECL: 06/30/08") == "2008-06-30"
    assert declassify_on("EO 12958 decl: 12/31/2034") == "2034-12-31"
    assert declassify_on("E.O. 12958: N/A") is None
    assert declassify_on("E.O. 12958: DECL: 13/45/2010") is None  # not a date


def test_subject():
    assert find_subject(BODY)[0] == "A SUBJECT THAT WRAPS ONTO A SECOND LINE"
    assert find_subject("SUBJECT: (C) MARKED REF: A. X 1")[0] == "MARKED"
    assert find_subject("SUBJECT: (C) MARKED", clean=False)[0] == "(C) MARKED"
    assert find_subject("SUBJECT:\n\nOn the next line\n1. (U) text")[0] == "On the next line"
    assert find_subject("no subject") == ("", 0)


def test_paragraphs_numbers_markings_and_headings():
    paras = split_paragraphs(BODY)
    assert [(p.number, p.marking) for p in paras] == [(1, "C"), (2, "SBU"), (3, "S/NF"), (4, "U")]
    # a numbered line that does not follow the sequence does not start a paragraph
    assert [p.number for p in split_paragraphs("1. a\n2. b\n\u00b62007. year\n1. list item\n3. c")] == [1, 2, 3]


def test_reflow_keeps_lists_and_joins_scraped_gaps():
    assert reflow("a wrapped\nline") == "a wrapped line"
    assert reflow("intro:\n-- one\n-- two") == "intro:\n-- one\n-- two"
    assert reflow("in the\n\nmiddle of it.") == "in the middle of it."
    assert reflow("First.\n\nSecond.") == "First.\n\nSecond."


def test_summary_comment_signature():
    assert find_summary(BODY) == "First point of the summary\ngoes on here."
    assert find_comment(BODY) == "this is what we think\nabout it."
    assert find_signers(BODY)[0] == ["PUBLIC"]
    assert find_signers("Text ends here.\nSMITH\n\nNNNN\n")[0] == ["SMITH"]
    assert find_signers("WE WILL REPORT.  JONES")[0] == ["JONES"]
    assert find_signers("no signature here, it ends mid sentence")[0] == []
    assert find_summary("no summary at all") is None
