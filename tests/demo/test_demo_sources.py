"""The project's own cables.csv reader takes the generated file whole: every record, none
quarantined, the release metadata as generated."""

from __future__ import annotations

import pytest

from cablemirror.demo import generate_cables, write_cables_csv

sources = pytest.importorskip("cablemirror.sources", reason="cablemirror.sources is not written yet")


def test_read_path_reads_every_generated_record(tmp_path) -> None:
    path = tmp_path / "cables.csv"
    write_cables_csv(path, 600, 5)
    expected = list(generate_cables(600, 5))
    items = list(sources.read_path(path))
    quarantined = [q for q in items if not hasattr(q, "metadata")]
    assert not quarantined, quarantined[0].reason
    assert len(items) == len(expected)
    for rec, cable in zip(items, expected):
        md = rec.metadata
        assert md.reference_id == cable.reference_id
        assert md.sequence == cable.sequence
        assert md.classification == cable.classification
        assert md.origin == cable.origin
        assert (md.references or []) == list(cable.references)
        assert md.created == cable.created.isoformat()
        assert rec.partial_notice == (cable.header_kind == "partial")
        assert "GENERATED DEMO DATA" in rec.body
