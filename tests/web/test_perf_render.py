"""The cheaper paths of ``web.render`` give what the plain ones gave.

``_find_loose`` no longer compiles a regex per reference and ``_Dense`` no longer
walks the words in Python: each is checked here against the straightforward
implementation it replaced, on arbitrary text with every kind of whitespace.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from hypothesis import given, settings
from hypothesis import strategies as st

from cablemirror.web.render import _Dense, _escape_plain, _find_loose, escape_text, render_text

# Whitespace of every kind str.split() and \s know (tab, line ends, the file
# separators, NBSP, line separator), a few letters, a hyphen, and the X of redactions.
ALPHABET = " \t\n\r\x0b\x0c\x1c\x1d\x85\xa0\u2028\u3000abAB-X.1()"
texts = st.text(alphabet=ALPHABET, max_size=120)


def find_loose_reference(text: str, value: str, start: int, end: int) -> tuple[int, int] | None:
    words = value.split()
    if not words:
        return None
    m = re.compile(r"\s+".join(re.escape(w) for w in words)).search(text, start, end)
    return (m.start(), m.end()) if m else None


def dense_reference(text: str) -> tuple[str, list[int], list[int]]:
    starts, before, parts, n = [], [], [], 0
    for m in re.finditer(r"\S+", text):
        starts.append(m.start())
        before.append(n)
        parts.append(m.group())
        n += len(m.group())
    return "".join(parts), starts, before


@settings(max_examples=400, deadline=None)
@given(texts, st.text(alphabet=ALPHABET, max_size=12), st.integers(0, 130), st.integers(0, 130))
def test_find_loose_matches_the_regex_it_replaced(text: str, value: str, start: int, end: int) -> None:
    assert _find_loose(text, value, start, end) == find_loose_reference(text, value, start, end)


@settings(max_examples=400, deadline=None)
@given(texts, st.lists(st.integers(0, 200), max_size=6))
def test_dense_offsets_match_a_walk_over_the_words(text: str, asked: list[int]) -> None:
    dense = _Dense(text)
    ref_text, starts, before = dense_reference(text)
    assert dense.text == ref_text
    # In order (as paragraph_starts asks) and then out of order: both must be exact.
    for d in sorted(x for x in asked if x < len(ref_text)) + [x for x in asked if x < len(ref_text)]:
        i = bisect_right(before, d) - 1
        assert dense.to_text(d) == starts[i] + (d - before[i])


@given(st.text(max_size=60))
def test_plain_escape_is_markupsafe_escape(text: str) -> None:
    if not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", text):
        assert _escape_plain(text) == str(escape_text(text))


def test_special_characters_still_shown_inside_rendered_pieces() -> None:
    html = str(render_text("1. (C) A\u202eB <X> & XXXXXX \x07 end", paragraphs=[(1, "A\u202eB <X> & XXXXXX \x07 end")]))
    assert "[RLO]" in html and "\u202e" not in html
    assert "&lt;X&gt; &amp;" in html
    assert "\u2407" in html  # BEL shown as its control picture
