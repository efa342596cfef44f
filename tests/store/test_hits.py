"""Placing a search hit in a paragraph."""

from __future__ import annotations

from cablemirror.store.hits import paragraph_of_hit

# As in cables.csv: the body is hard-wrapped, the paragraph texts are rejoined.
BODY = (
    "PREAMBLE LINE\n\n1. (C) FIRST POINT ABOUT \nGRAIN AND BARLEY.\n\nCITY 00000123  002 OF 002\n\n"
    "2. (S) SECOND POINT ABOUT \nOIL.\n\n3. (U) SAME.\n\n4. (U) SAME.\n\nSURNAME\n"
)
PARAS = [
    (None, "PREAMBLE LINE"),
    (1, "FIRST POINT ABOUT GRAIN AND BARLEY."),
    (2, "SECOND POINT ABOUT OIL."),
    (3, "SAME."),
    (4, "SAME."),
]


def at(word: str, nth: int = 0) -> int:
    i = -1
    for _ in range(nth + 1):
        i = BODY.index(word, i + 1)
    return i


def test_hits_in_wrapped_paragraphs() -> None:
    assert paragraph_of_hit(BODY, at("FIRST"), PARAS) == 1
    assert paragraph_of_hit(BODY, at("BARLEY"), PARAS) == 1  # after the line break
    assert paragraph_of_hit(BODY, at("OIL"), PARAS) == 2


def test_same_text_twice_is_told_apart_by_order() -> None:
    assert paragraph_of_hit(BODY, at("SAME", 0), PARAS) == 3
    assert paragraph_of_hit(BODY, at("SAME", 1), PARAS) == 4


def test_hits_outside_numbered_paragraphs() -> None:
    assert paragraph_of_hit(BODY, at("PREAMBLE"), PARAS) is None  # unnumbered text
    assert paragraph_of_hit(BODY, at("CITY"), PARAS) is None  # page header between paragraphs
    assert paragraph_of_hit(BODY, at("SURNAME"), PARAS) is None  # signature
    assert paragraph_of_hit(BODY, -1, PARAS) is None
    assert paragraph_of_hit(BODY, len(BODY), PARAS) is None
    assert paragraph_of_hit(BODY, at("OIL"), []) is None


def test_repaired_text_is_placed_by_the_words_around_the_hit() -> None:
    repaired = [(None, "PREAMBLE LINE"), (1, "FIRST POINT ABOUT GRAIN AND BARLÉY."), (2, "SECOND POINT ABOUT OIL.")]
    assert paragraph_of_hit(BODY, at("GRAIN"), repaired) == 1
    assert paragraph_of_hit(BODY, at("SECOND"), repaired) == 2
    assert paragraph_of_hit(BODY, at("CITY"), repaired) is None
