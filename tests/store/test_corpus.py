"""The store with real release files: pages of the official release (and the eight
versions of one page), read by sources/ and parsed by cables/."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import importlib
import importlib.util

import pytest

from cablemirror import cables
from cablemirror.model import Quarantined
from cablemirror.store import open_store

from .conftest import Locations

pytestmark = pytest.mark.corpus


def _sources():  # type: ignore[no-untyped-def]
    """The source readers; skip while they are not in the tree (a broken one fails)."""
    if importlib.util.find_spec("cablemirror.sources.cablegate_html") is None:
        pytest.skip("the source readers are not in this tree yet")
    return importlib.import_module("cablemirror.sources")


def _pairs(folder: Path) -> list:
    sources = _sources()
    out = []
    for path in sorted(folder.glob("*.html")):
        for item in sources.read_path(path):
            if isinstance(item, Quarantined):
                continue
            cable = cables.parse_record(item)
            if cable.id:
                out.append((item, cable))
    return out


def test_real_pages_stored_searched_and_kept_exactly(corpus: Path, new_db: Locations) -> None:
    pairs = _pairs(corpus / "cablegate-html")
    assert len(pairs) > 300
    with open_store(new_db("real")) as store:
        outcomes = [o for i in range(0, len(pairs), 100) for o in store.store_batch(pairs[i : i + 100])]
        assert Counter(o.status for o in outcomes)["unchanged"] == 0
        ids = {c.id for _, c in pairs}
        st = store.stats()
        assert st["cables"] == len(ids) and st["versions"] == len(pairs)
        assert st["by_format"] == {"cablegate_html": len(pairs)}
        # Storing the same pages again changes nothing.
        again = [o for i in range(0, len(pairs), 100) for o in store.store_batch(pairs[i : i + 100])]
        assert {o.status for o in again} == {"unchanged"}
        assert store.stats()["versions"] == len(pairs)

        for raw, cable in pairs[:50]:
            prov = raw.provenance
            data = Path(prov.path).read_bytes()[prov.offset : prov.offset + prov.length]
            assert store.get_raw(cable.id) == data
            assert store.get_cable(cable.id) == cable.to_dict()

        # A word found once in a cable finds it, marked in the snippet, in its paragraph.
        texts = {c.id: f"{c.title} {c.subject} {' '.join(c.tags)} {c.body}".lower() for _, c in pairs}
        df = Counter(w for t in texts.values() for w in set(t.split()))
        placed = tried = 0
        for _, cable in pairs[:60]:
            text = texts[cable.id]
            for para in (p for p in cable.paragraphs if p.number is not None):
                once = [
                    w for w in para.text.split()
                    if w.isalpha() and len(w) > 6 and df[w.lower()] == 1 and text.count(w.lower()) == 1
                ]
                if once:
                    break
            else:
                continue
            tried += 1
            page = store.search(once[0], limit=100)
            hit = next((h for h in page.hits if h.id == cable.id), None)
            assert hit is not None, (cable.id, once[0])
            assert "«" in hit.snippet and "»" in hit.snippet
            placed += hit.paragraph == para.number
        assert tried >= 20 and placed >= 0.9 * tried, (placed, tried)

        # References to cables that are not in the release are known, not lost.
        missing = {r.id for _, c in pairs for r in c.references if r.id and r.id not in ids}
        if missing:
            target = sorted(missing)[0]
            assert store.get_cable(target) is None
            assert store.cited_by(target)
            assert store.stats()["missing_cables"] == len(missing)


def test_eight_versions_of_one_page(corpus: Path, new_db: Locations) -> None:
    pairs = _pairs(corpus / "cablegate-html-versions")
    assert len(pairs) == 8 and len({c.id for _, c in pairs}) == 1
    cid = pairs[0][1].id
    with open_store(new_db("versions")) as store:
        first = store.store_batch(pairs[:1])
        rest = store.store_batch(pairs[1:])
        assert [o.status for o in first + rest] == ["new"] + ["updated"] * 7
        versions = store.get_versions(cid)
        assert len(versions) == 8 and sum(v["current"] for v in versions) == 1
        [current] = [v for v in versions if v["current"]]
        # Equally complete pages: the newest state of the release wins.
        best = max(versions, key=lambda v: (v["completeness"], v["released"] or "", _seq(v["release_label"])))
        assert current["version_id"] == best["version_id"]
        assert store.get_cable(cid) == current["record"]
        for v, (raw, cable) in zip(versions, pairs):
            assert v["sha256"] == raw.provenance.sha256
            assert store.get_raw(cid, v["version_id"]) == raw.raw
            assert v["record"] == cable.to_dict()


def _seq(label: str | None) -> int:
    from cablemirror.store.completeness import release_seq

    return release_seq(label)


def test_damaged_cables_csv_head(corpus: Path, new_db: Locations) -> None:
    """The real head of cables.csv and its damaged re-saves: records stored, the cut-off
    tail quarantined once with its exact bytes, checkpoints as an import leaves them."""
    sources = _sources()
    with open_store(new_db("head")) as store:
        for name in ("aa.csv", "final2.csv", "nlp.csv"):
            path = corpus / "cables-csv-raw-head" / name
            items = list(sources.read_path(path))
            bad = [i for i in items if isinstance(i, Quarantined)]
            good = [(i, cables.parse_record(i)) for i in items if not isinstance(i, Quarantined)]
            assert bad and good
            store.store_batch([(r, c) for r, c in good if c.id])
            new = store.quarantine_batch(bad)
            assert store.quarantine_batch(bad) == 0  # the same bytes again: nothing new
            assert 0 < new <= len(bad)
            end = max(i.provenance.offset + i.provenance.length for i in items)
            store.set_import_checkpoint(str(path), "fp", end)
            assert store.import_checkpoint(str(path), "fp") == end
        quarantined = list(store.iter_quarantine())
        assert quarantined
        for q in quarantined:
            data = Path(q["path"]).read_bytes()[q["offset"] : q["offset"] + q["length"]]
            assert store.get_quarantined_raw(q["sha256"]) == data
