"""The seed page (another mirror's page of 05ALMATY2985) must come out exactly so."""

import pytest

from cablemirror.cables import parse_cable, parse_record

NOTICE = "This record is a partial extract of the original cable."


def _cable(seed_page):
    try:
        from cablemirror.sources import mirror_page
    except ImportError:  # the reader is another layer's; without it, parse the text directly
        text = seed_page.read_text(encoding="utf-8")
        cable = parse_cable(text[text.index(NOTICE):], reference_id=None, year=2005)
        cable.created, cable.origin = "2005-08-18T13:06:00", "US Office Almaty"
        return cable
    (record,) = list(mirror_page.read(seed_page))
    return parse_record(record)


@pytest.fixture(scope="module")
def seed(request):
    from tests.conftest import shared_path

    return _cable(shared_path("seed", "05ALMATY2985-mirror-page.txt"))


def test_metadata(seed):
    assert seed.id == "05ALMATY2985"
    assert seed.created == "2005-08-18T13:06:00"
    assert seed.origin == "US Office Almaty"
    assert seed.classification == "CONFIDENTIAL"
    assert seed.partial is True
    assert seed.declassify_on == "2015-08-18"


def test_classified_by_and_references(seed):
    assert seed.classified_by == ["Mark L. Asquino"]
    assert seed.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert [(r.bullet, r.value) for r in seed.references] == [("B", "WHITE HOUSE 7221805")]


def test_paragraphs_and_summary(seed):
    assert [p.number for p in seed.paragraphs] == list(range(1, 16))
    assert (seed.paragraphs[0].marking, seed.paragraphs[1].marking) == ("C", "SBU")
    assert seed.summary.startswith("Kazakhstani authorities are carrying out")
    # blank lines inside paragraphs 4, 6 and 13 (scraping damage) do not split them
    assert "the management of venues" in seed.paragraphs[3].text


def test_repairs(seed):
    repairs = [(r.kind, r.where, r.before, r.after) for r in seed.repairs]
    assert ("accent", "paragraph 6", "charg", "chargé") in repairs
    assert ("accent", "paragraph 10", "charg", "chargé") in repairs
    assert ("rejoined-word", "paragraph 14", "elec / tion", "election") in repairs
    assert "told the chargé that" in seed.paragraphs[5].text
    assert "nomination or election of any candidate" in seed.paragraphs[13].text


def test_paragraph_9_flagged_cut_short(seed):
    p9 = seed.paragraphs[8]
    assert p9.number == 9 and p9.cut_short and p9.text.endswith("to push for fair")
    assert [p.number for p in seed.paragraphs if p.cut_short] == [9]
    assert any(r.kind == "cut-short" and r.where == "paragraph 9" for r in seed.repairs)
