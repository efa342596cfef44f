"""query() over the real release files: every real id is found with id:, every
citation with ref:, and facets add up."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

from cablemirror.search import parse_query
from cablemirror.store import open_store
from cablemirror.store.base import Store
from cablemirror.store.derived import id_key

from ..conftest import shared_path
from .conftest import Locations

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def real(module_db: Locations) -> Iterator[Store]:
    folders = [shared_path("corpus", "cables-csv"), shared_path("corpus", "cablegate-html")]
    from cablemirror.ingest import import_paths

    path = module_db("real")
    with open_store(path) as s:
        import_paths(s, folders, workers=1)
    s = open_store(path, readonly=True)
    yield s
    s.close()


def test_every_real_id_is_found_with_id(real: Store) -> None:
    ids = [i for i, _ in real.iter_ids()]
    assert len(ids) > 2500
    missed = []
    for cid in ids:
        page = real.query(f"id:{cid}", facets=())
        if cid not in {h.id for h in page.hits}:
            missed.append(cid)
    assert missed == []
    # The canonical spelling finds it too.
    for cid in ids[::50]:
        assert cid in {h.id for h in real.query(f"id:{id_key(cid)}", facets=()).hits}


def test_ref_finds_the_citing_cables(real: Store) -> None:
    cited: dict[str, set[str]] = {}
    for cid, _ in real.iter_ids():
        for r in real.references(cid):
            if r["id"]:
                cited.setdefault(r["id"], set()).add(cid)
    assert len(cited) > 500
    tried = sorted(cited.items())[::5]
    unwritable = []
    for target, citing in tried:
        try:
            q = parse_query(f"ref:{target}")
        except ValueError:
            unwritable.append(target)  # an id the query language cannot write
            continue
        got = {h.id for h in real.query(q, limit=1000, facets=()).hits}
        assert citing <= got, target
        assert got == set(real.cited_by(target)), target
    assert len(unwritable) <= len(tried) // 50, unwritable


def test_real_facets_add_up(real: Store) -> None:
    page = real.query("", facet_limit=100_000)
    total = page.total
    assert sum(n for _, n in page.facets["year"]) <= total
    assert sum(n for _, n in page.facets["classification"]) == real.stats()["cables"] - dict(
        real.stats()["by_classification"]).get("(none)", 0)
    by_class = Counter({k: v for k, v in real.stats()["by_classification"].items() if k != "(none)"})
    assert dict(page.facets["classification"]) == dict(by_class)
    # A word query, then narrowed by its top origin: the facet count is the new total.
    word = real.query("embassy", facet_limit=1)
    origin, n = word.facets["origin"][0]
    narrowed = parse_query("embassy").with_filter("origin", origin)
    assert real.query(narrowed).total >= n  # origin words may cover another origin too
    years = real.histogram()
    assert sum(n for _, n in years) == sum(n for _, n in page.facets["year"])
