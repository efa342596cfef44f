"""Whole cables and RawRecords (cables typed for these tests)."""

import json

from cablemirror.cables import parse_cable, parse_record
from cablemirror.model import FORMAT_CSV, FORMAT_HTML, Provenance, RawRecord, ReleaseMetadata

HEADER = """VZCZCXRO0001
PP RUEHAA
DE RUEHXX #0123/01 0421700
ZNY CCCCC ZZH
P 111700Z FEB 07
FM AMEMBASSY SOMEWHERE
TO RUEHC/SECSTATE WASHDC PRIORITY 0001
INFO RUEHAA/AMEMBASSY ELSEWHERE 0002
"""

BODY = """C O N F I D E N T I A L SECTION 01 OF 02 SOMEWHERE 000123

SIPDIS

E.O. 12958: DECL: 02/11/2017
TAGS: PREL PGOVIZ
SUBJECT: SOMEWHERE: TALKS WITH THE GOL ON U.S. AID

REF: A. STATE 1234 B. 06 BERN 56

Classified By: CDA Sam Smith for reasons 1.4 (b) and (d).

1. (C) Summary: The talks went well. End Summary.

2. (C) The minister said the talks would go on and
that the charg of the other embassy agreed to push for

3. (U) Details follow XXXXXXXXXXXX said so.

SOMEWHERE 00000123  002 OF 002

4. (C) Comment: We will see. End Comment.

SMITH
"""


def test_whole_cable():
    c = parse_cable(HEADER + BODY)
    assert c.transmission_id == "VZCZCXRO0001"
    assert c.created == "2007-02-11T17:00:00"
    assert c.id is None  # SOMEWHERE is no known station: no id is made up
    assert c.classification == "CONFIDENTIAL"
    assert c.captions == ["SIPDIS"]
    assert c.tags == ["PREL", "PGOV", "IZ"]
    assert c.subject == "SOMEWHERE: TALKS WITH THE GOL ON U.S. AID"
    assert c.title == "Somewhere: Talks With the GOL on U.S. Aid"
    assert not c.title_derived
    assert [(r.bullet, r.id) for r in c.references] == [("A", "07STATE1234"), ("B", "06BERN56")]
    assert c.classified_by == ["Sam Smith"]
    assert c.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert c.declassify_on == "2017-02-11"
    assert [r.name for r in c.recipients] == ["SECSTATE WASHDC"]
    assert [r.name for r in c.info_recipients] == ["AMEMBASSY ELSEWHERE"]
    assert c.summary == "The talks went well."
    assert c.comment == "We will see."
    assert c.signed_by == ["SMITH"]
    assert not c.partial
    assert [(p.number, p.marking) for p in c.paragraphs] == [(1, "C"), (2, "C"), (3, "U"), (4, "C")]
    assert c.paragraphs[1].cut_short and not c.paragraphs[2].cut_short
    assert "00000123" not in c.body and "002 OF 002" not in c.paragraphs[2].text
    assert c.redactions == 1
    kinds = {(r.kind, r.where) for r in c.repairs}
    assert ("cut-short", "paragraph 2") in kinds and ("accent", "paragraph 2") in kinds
    assert c.from_text["sender"] == "AMEMBASSY SOMEWHERE"
    json.dumps(c.to_dict())


def test_id_from_text_and_year():
    c = parse_cable(BODY.replace("SOMEWHERE 000123", "REYKJAVIK 000123"), year=2007)
    assert c.id == "07REYKJAVIK123"
    assert c.partial  # no header


def test_fragments():
    assert parse_cable("").to_dict()["paragraphs"] == []
    assert parse_cable(HEADER).transmission_id == "VZCZCXRO0001"
    c = parse_cable("SUBJECT: ONLY A SUBJECT")
    assert c.subject == "ONLY A SUBJECT" and c.title == "Only a Subject"
    c = parse_cable("1. (U) Just one paragraph. It has two sentences.")
    assert c.title == "Just one paragraph." and c.title_derived


def _record(fmt, header, body, **meta):
    raw = (header + body).encode()
    prov = Provenance(format=fmt, path="x", offset=0, length=len(raw), line=1, sha256="0" * 64)
    return RawRecord(raw=raw, provenance=prov, metadata=ReleaseMetadata(**meta), header=header, body=body)


def test_release_metadata_wins_and_text_is_kept():
    rec = _record(FORMAT_CSV, HEADER, BODY, reference_id="07REYKJAVIK123", created="2007-02-11T17:00:00",
                  classification="SECRET", origin="Embassy Reykjavik", references=["07STATE1234", "07ROME9"])
    c = parse_record(rec)
    assert c.id == "07REYKJAVIK123"
    assert c.classification == "SECRET" and c.from_text["classification"] == "CONFIDENTIAL"
    assert c.origin == "Embassy Reykjavik"
    assert [r.id for r in c.references] == ["07STATE1234", "06BERN56", "07ROME9"]
    assert c.source == {"format": FORMAT_CSV, "path": "x", "offset": 0, "sha256": "0" * 64,
                        "line": 1, "length": len(rec.raw)}
    assert c.release["classification"] == "SECRET"
    assert not any(r.kind == "created-minutes" for r in c.repairs)  # csv minutes are right


def test_html_created_minutes_corrected_visibly():
    rec = _record(FORMAT_HTML, HEADER, BODY, reference_id="07REYKJAVIK123", created="2007-02-11T17:05:00")
    c = parse_record(rec)
    assert c.created == "2007-02-11T17:00:00"
    assert [(r.kind, r.where, r.before, r.after) for r in c.repairs if r.kind == "created-minutes"] == [
        ("created-minutes", "created", "2007-02-11T17:05:00", "2007-02-11T17:00:00")]


def test_partial_notice_in_header_block():
    rec = _record(FORMAT_HTML, "This record is a partial extract of the original cable. The full text "
                  "of the original cable is not available.", BODY, reference_id="07REYKJAVIK123")
    c = parse_record(rec)
    assert c.partial and c.header == "" and c.transmission_id is None
