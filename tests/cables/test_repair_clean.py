"""Repairs of scraped text, page headers, redactions, clean_content (typed for these tests)."""

from cablemirror.cables import clean_content
from cablemirror.cables.clean import count_redactions, normalize_text, strip_page_headers
from cablemirror.cables.repair import repair_text


def test_accent_repairs_are_listed():
    text, reps = repair_text("The charg said so. Charg's view.\ncharg again; discharge stays.")
    assert text == "The chargé said so. Chargé's view.\nchargé again; discharge stays."
    assert [(r.kind, r.before, r.after) for r in reps] == [
        ("accent", "charg", "chargé"), ("accent", "Charg", "Chargé"), ("accent", "charg", "chargé")]
    assert [text[r.offset:r.offset + 6].lower() for r in reps] == ["chargé"] * 3


def test_split_words_rejoined_only_with_evidence():
    text, reps = repair_text("the elec\ntion was held; elections matter")
    assert text == "the election was held; elections matter"
    assert [(r.kind, r.before, r.after) for r in reps] == [("rejoined-word", "elec / tion", "election")]
    # no other occurrence of the joined word: nothing is joined
    text, reps = repair_text("the foo\ntion stays")
    assert text == "the foo\ntion stays" and reps == []


def test_page_headers_and_redactions():
    text = ("first line\nSOMEWHERE 00000195  002 OF 002\nsecond\n         CONFIDENTIAL\n\n"
            "PAGE 02        SOMEWH  00195  01 OF 02  022245Z\nthird XXXXXXXXXXXX and XXXXXX\n")
    assert strip_page_headers(text) == "first line\nsecond\nthird XXXXXXXXXXXX and XXXXXX\n"
    assert count_redactions(text) == 2
    assert count_redactions("EXXXXON is a word") == 0


def test_normalize_text():
    assert normalize_text("a\r\nb\rc &#8217; &amp; d\x00") == "a\nb\nc \u2019 & d"
    assert normalize_text(None) == ""  # type: ignore[arg-type]


def test_clean_content():
    assert clean_content("1. (C) One\n2. (SBU) Two\n") == "One\nTwo\n"
    assert clean_content("3. (C) Comment: A thing.  End Comment. \nB\n") == "A thing.  \nB\n"
    assert clean_content("1. (C) A\n\nSOMEWHERE 0000001 003.2 OF 39\n\n2. (U) B\n") == "A\n\nB\n"
    assert clean_content("1. (C) A\n\nSIPDIS\nB") == "A\nB"


def test_repair_gate_never_hides_a_repair(monkeypatch):
    """With the optional RE2 gate and without it the repairs are the same: the gate only
    skips texts where no split word or accent fragment can be."""
    import random

    from cablemirror.cables import repair

    pieces = ["charg", "Charg", "Chargé", "charge", "communiqu", "communiqué", "caf", "café", "Nacin",
              "Mller", "\n", "\n\n", "\n  ", " ", ", ", ".", "elec", "tion", "tions", "ing", "election",
              "the", "THE", "é", "\u00b6", "x"]
    rnd = random.Random(7)
    texts = ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 40))) for _ in range(3000)]
    texts += ["charg", " Charg,", "the elec\ntion; elections", "cafe\ncaf", "Chargé only", "x" * 50]
    gated = [repair.repair_text(t) for t in texts]
    monkeypatch.setattr(repair, "_MAY_REPAIR", None)
    assert [repair.repair_text(t) for t in texts] == gated
    assert any(reps for _, reps in gated)  # the sample holds repairs, and texts without
