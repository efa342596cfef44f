"""Field 6 lists exactly the cable ids of the REF lines; ~40% of cited ids are of cables that
exist nowhere in the collection, the rest point at earlier generated cables."""

from __future__ import annotations

import re

from cablemirror.demo import generate_cables
from cablemirror.demo.lexicon import load_lexicon
from cablemirror.demo.shape import MISSING_REF_SHARE

STATION_BY_DISPLAY = {s.display: s for s in load_lexicon().stations}
_ITEM = re.compile(r"(?:(\d{2}) )?([A-Z][A-Z ]*[A-Z]) 0*([1-9]\d*)(?: \(NOTAL\))?")
_LETTER = re.compile(r"(?:^| )[A-Z]\. ")


def ref_ids(body: str, year: int) -> list[str]:
    """Canonical ids of the cables a body's REF section cites (an independent reading)."""
    m = re.search(r"\nREF: (.*?) \n \n", body, re.S)
    if not m:
        return []
    text = " ".join(x.strip() for x in m.group(1).split("\n"))
    items = [x.strip() for x in _LETTER.split(text) if x.strip()]
    out = []
    for item in items:
        im = _ITEM.fullmatch(item)
        if not im:  # e-mails, telcons: not cables
            assert item.split()[0] in ("EMAIL", "TELCON", "MEMCON"), item
            continue
        yy, display, serial = im.groups()
        station = STATION_BY_DISPLAY[display]
        yy = yy or f"{year % 100:02d}"
        out.append(f"{yy}{station.token}{int(serial)}")
    return out


def test_field_6_matches_the_ref_lines(sample) -> None:
    with_refs = 0
    for c in sample:
        ids = ref_ids(c.body, c.created.year)
        assert sorted(set(ids)) == list(c.references), (c.reference_id, ids, c.references)
        with_refs += bool(ids)
    assert with_refs > len(sample) * 0.4


def test_cited_ids_exist_earlier_or_nowhere(sample) -> None:
    by_id = {c.reference_id: c for c in sample}
    cited = missing = 0
    for c in sample:
        for ref in c.references:
            cited += 1
            if ref in c.cited_missing:
                missing += 1
                assert ref not in by_id, f"{ref} is said to be missing but was generated"
            else:
                target = by_id.get(ref)
                assert target is not None, f"{c.reference_id} cites {ref}, which is neither generated nor missing"
                assert target.created < c.created
    assert cited > 1_000
    assert abs(missing / cited - MISSING_REF_SHARE) < 0.06


def test_missing_ids_stay_missing_in_a_longer_run() -> None:
    """An id cited as missing early on is never generated later."""
    cables = list(generate_cables(4_000, 11))
    generated = {c.reference_id for c in cables}
    missing = {m for c in cables for m in c.cited_missing}
    assert missing and not (missing & generated)
