"""Which version is more complete."""

from __future__ import annotations

from cablemirror.model import Cable, Paragraph, RawRecord, ReleaseMetadata, Provenance
from cablemirror.store.completeness import completeness, release_of, release_seq, version_rank


def cable(**kw: object) -> Cable:
    base: dict[str, object] = dict(
        id="09X1", created="2009-01-01T00:00:00", origin="Embassy X", classification="SECRET", subject="S",
        tags=["PREL"], header="VZCZC", paragraphs=[Paragraph(1, "C", "TEXT")], body="1. (C) TEXT",
        signed_by=["NAME"],
    )
    base.update(kw)
    return Cable(**base)  # type: ignore[arg-type]


def test_order_of_criteria() -> None:
    full = completeness(cable())
    # Each criterion outweighs everything below it.
    big_partial = cable(partial=True, paragraphs=[Paragraph(i, "C", "T") for i in range(50)], body="X" * 10**6)
    assert completeness(big_partial) < full
    assert completeness(cable(header="", body="X" * 10**6)) < full
    assert completeness(cable(subject="", tags=[], body="X" * 10**6)) < full
    assert completeness(cable(paragraphs=[], body="X" * 10**6)) < full
    assert completeness(cable(redactions=3, body="X" * 10**6)) < completeness(cable(redactions=0))
    assert completeness(cable(body="1. (C) TEXT MORE")) > full
    assert completeness(cable(header="   \n")) == completeness(cable(header=""))


def test_score_fits_sqlite_integer() -> None:
    huge = cable(paragraphs=[Paragraph(i, "C", "T") for i in range(10_000)], body="X" * (1 << 30), redactions=-5,
                 references=["r"], captions=["SIPDIS"])
    assert 0 < completeness(huge) < 2**63


def test_release_label_and_ranking() -> None:
    assert release_seq("6693 / 251,287") == 6693
    assert release_seq("251,287 / 251,287") == 251287
    assert release_seq(None) == 0 and release_seq("no number") == 0
    raw = RawRecord(b"", Provenance("cablegate_html", "p", 0, 0, 1, ""), ReleaseMetadata(released="2011-01-01T00:00:00",
                                                                                             release_label="1 / 2"))
    assert release_of(raw, cable(released=None)) == ("2011-01-01T00:00:00", "1 / 2")
    assert release_of(raw, cable(released="2010-12-01T00:00:00")) == ("2010-12-01T00:00:00", "1 / 2")
    assert version_rank(5, None, 0, 9) < version_rank(5, "2010", 0, 1) < version_rank(5, "2011", 0, 1)
    assert version_rank(5, "2011", 3, 1) > version_rank(5, "2011", 2, 7) > version_rank(5, "2011", 2, 6)
