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


S, E = "\x02", "\x03"


def test_excerpt_around_the_densest_hits() -> None:
    from cablemirror.store.hits import excerpt

    text = " ".join(f"W{i}" for i in range(100)) + f" {S}ONE{E} x {S}TWO{E} " + " ".join(f"V{i}" for i in range(100))
    got = excerpt(text, S, E, ("[", "]"))
    assert got.startswith("…W97 W98 W99 [ONE] x [TWO] V0") and got.endswith("…")
    assert len(got.strip("…").split()) == 24
    assert excerpt(f"{S}HIT{E} short", S, E, ("<", ">")) == "<HIT> short"
    assert excerpt("no hit here", S, E, ("<", ">")) == ""
    # A lone hit far in counts less than two close together.
    two = f"{S}A{E} " + "z " * 200 + f"{S}B{E} {S}C{E}"
    assert "[B] [C]" in excerpt(two, S, E, ("[", "]"))


def test_excerpt_keeps_phrase_marks_balanced() -> None:
    from cablemirror.store.hits import excerpt

    long_phrase = f"{S}" + " ".join(f"P{i}" for i in range(40)) + f"{E} tail"
    got = excerpt(long_phrase, S, E, ("[", "]"))
    assert got.count("[") == got.count("]") == 1 and got.endswith("]…")
    words_cut = "x" * 30 + " " + "y" * 500 + f" {S}HIT{E}"
    assert excerpt(words_cut, S, E, ("[", "]")).startswith("…")
