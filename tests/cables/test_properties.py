"""parse_cable and the public helpers never raise, on any text (hypothesis)."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablemirror.cables import canonical_id, clean_content, parse_cable, tag_kind, titlefy

# Text that looks a little like cables: their words and punctuation, mixed with anything.
PIECES = st.sampled_from([
    "\n", "\n\n", " ", "1. ", "2. (C) ", "(SBU)", "SUBJECT: ", "TAGS: ", "REF: A. ", "B) ", "STATE 1234",
    "Classified By: ", "reasons 1.4 (b) and (d)", "E.O. 12958: DECL: 01/02/2015", "END SUMMARY.",
    "Summary:", "Comment:", "End Comment.", "SIPDIS", "C O N F I D E N T I A L", "VZCZCXRO1234",
    "FM AMEMBASSY X", "TO RUEHC/SECSTATE WASHDC PRIORITY 1", "INFO ", "XMT ", "PAGE 02 X 0001 01 OF 02 011200Z",
    "REYKJAVIK 00000195  002 OF 002", "XXXXXXXXXXXX", "charg", "elec\ntion", "¶", "&#8217;", "\\\n", "\r\n",
    "P 091700Z SEP 08", "This record is a partial extract of the original cable.",
])
CABLEISH = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=3000), CABLEISH))
def test_parse_cable_never_raises_and_serialises(text):
    cable = parse_cable(text)
    assert "error" not in cable.from_text, cable.from_text
    json.dumps(cable.to_dict())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.one_of(st.none(), st.integers(min_value=0, max_value=3000)))
def test_parse_cable_with_any_reference_and_year(text, year):
    json.dumps(parse_cable(text, reference_id=text[:30], year=year).to_dict())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_helpers_never_raise(text):
    assert isinstance(canonical_id(text), str)
    assert isinstance(titlefy(text), str)
    assert isinstance(tag_kind(text), str)
    assert isinstance(clean_content(text), str)


# Inputs that made regexes backtrack quadratically before (each once took minutes): long
# runs of one character, and one label repeated thousands of times.
PATHOLOGICAL = [
    "A" * 200_000, "1. " * 50_000, "\x00\x01\x02" * 10_000, "REF: " + "A. STATE 1 " * 5000,
    "Classified By: " + "x " * 50_000, "TAGS: " + "PREL " * 20_000, "\n" * 100_000, " \n" * 50_000,
    " " * 200_000, "SUMMARY " * 20_000, "Comment: " * 20_000, "Classified By: " * 20_000,
    "REF:\n" + "A.\n" * 30_000, "1. (C) x\n" * 30_000, "PAGE 02 X 0001 01 OF 02 011200Z\n" * 20_000,
    "X 00000195  002 OF 002\n" * 20_000, "charg " * 30_000, "elec\ntion " * 30_000, "(" * 100_000,
]


def test_huge_and_pathological_inputs():
    for text in PATHOLOGICAL:
        json.dumps(parse_cable(text).to_dict())
        clean_content(text)
