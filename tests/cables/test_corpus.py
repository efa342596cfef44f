"""Every real record of the corpus parses, agrees with its release metadata and passes
sanity checks; the coverage of each field is printed and guarded against regressions."""

from __future__ import annotations

import collections
import datetime as dt
import json

import pytest

from cablemirror.cables import canonical_id, parse_record, release_id
from cablemirror.model import FORMAT_HTML, RawRecord

pytestmark = pytest.mark.corpus

# Fewest records with each field, per corpus folder: the numbers measured when this
# test was written, rounded down (a regression guard, not a target).
MINIMUM = {
    "cablegate-html": {"n": 416, "subject": 400, "tags": 410, "references": 250, "summary": 240,
                       "signed_by": 350, "classified_by": 270, "declassify_on": 255, "paragraphs": 416,
                       "transmission_id": 350, "recipients": 380, "comment": 195},
    "cables-csv": {"n": 2900, "subject": 2900, "tags": 2900, "references": 1550, "summary": 1400,
                   "signed_by": 2750, "classified_by": 1000, "paragraphs": 2900},
    "cable-text": {"n": 12, "subject": 12, "tags": 12, "paragraphs": 12, "transmission_id": 12},
    "cable-pdf": {"n": 14, "subject": 12, "tags": 12, "paragraphs": 12},
}
FIELDS = ("subject", "tags", "references", "summary", "signed_by", "classified_by", "declassify_on",
          "paragraphs", "transmission_id", "recipients", "comment", "captions")


def _records(folder):
    from tests.conftest import shared_path

    sources = pytest.importorskip("cablemirror.sources", reason="needs the source readers")
    return [r for r in sources.iter_records([shared_path("corpus", folder)]) if isinstance(r, RawRecord)]


def _check(record, cable, problems):
    rid = record.metadata.reference_id
    where = f"{rid} ({record.provenance.path})"
    if "error" in cable.from_text:
        problems.append(f"{where}: {cable.from_text['error']}")
    json.dumps(cable.to_dict())
    meta = record.metadata
    if rid and cable.id != release_id(rid):
        problems.append(f"{where}: id {cable.id}")
    if meta.classification and cable.classification != meta.classification:
        problems.append(f"{where}: classification {cable.classification}")
    if meta.origin and cable.origin != meta.origin:
        problems.append(f"{where}: origin {cable.origin}")
    if meta.created and cable.created != meta.created:
        fixed = [r for r in cable.repairs if r.kind == "created-minutes"]
        if not (fixed and record.provenance.format == FORMAT_HTML and fixed[0].before == meta.created
                and cable.created[:13] == meta.created[:13]):
            problems.append(f"{where}: created {cable.created} vs {meta.created}")
    numbers = [p.number for p in cable.paragraphs if p.number is not None]
    if numbers != sorted(set(numbers)):
        problems.append(f"{where}: paragraph numbers {numbers}")
    if any(p.number is None for p in cable.paragraphs[len(cable.paragraphs) - len(numbers):]):
        problems.append(f"{where}: unnumbered paragraph after numbered ones")
    if any(t != t.upper() for t in cable.tags):
        problems.append(f"{where}: tags {cable.tags}")
    for ref in cable.references:
        if ref.id is not None and ref.id != canonical_id(ref.id):
            problems.append(f"{where}: reference id {ref.id}")
    if cable.declassify_on:
        dt.date.fromisoformat(cable.declassify_on)


@pytest.mark.parametrize("folder", ["cablegate-html", "cablegate-html-versions", "cables-csv",
                                    "cables-csv-raw-head", "cable-text", "cable-pdf"])
def test_corpus_folder(folder, capsys):
    records = _records(folder)
    assert records, f"no records read from {folder}"
    problems: list[str] = []
    counts: collections.Counter[str] = collections.Counter()
    for record in records:
        cable = parse_record(record)
        _check(record, cable, problems)
        counts["n"] += 1
        for name in FIELDS:
            if getattr(cable, name):
                counts[name] += 1
        counts["repairs"] += bool(cable.repairs)
        counts["cut_short"] += any(p.cut_short for p in cable.paragraphs)
    with capsys.disabled():
        print(f"\n{folder}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    assert not problems, "\n".join(problems[:30])
    for name, least in MINIMUM.get(folder, {}).items():
        assert counts[name] >= least, f"{folder}: {name} in {counts[name]} records, expected >= {least}"


def test_created_minutes_corrected_on_html_pages():
    records = _records("cablegate-html")
    fixed = 0
    for record in records:
        cable = parse_record(record)
        for r in cable.repairs:
            if r.kind == "created-minutes":
                fixed += 1
                assert r.before == record.metadata.created and r.after[:13] == r.before[:13]
    assert fixed >= 300  # most pages with a header have wrong minutes
