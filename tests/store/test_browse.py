"""The browse helpers of the read API, against Python counts over what was stored."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

import pytest

from cablemirror.model import Cable
from cablemirror.search import QuerySyntaxError, matches, parse_query
from cablemirror.store import StoreError, open_store
from cablemirror.store.base import Store
from cablemirror.store.derived import id_key, keywords

from . import querydata
from .conftest import Locations
from .querydata import facet_values, record_of

CORPUS = querydata.build(n=180, seed=11)
CABLES = CORPUS.cables
BY_ID = {c.id: c for c in CABLES}


@pytest.fixture(scope="module")
def store(module_db: Locations) -> Iterator[Store]:
    s = open_store(module_db("browse"))
    for i in range(0, len(CORPUS.pairs), 40):
        s.store_batch(CORPUS.pairs[i : i + 40])
    yield s
    s.close()


def _matching(q: str) -> list[Cable]:
    root = parse_query(q).root
    return [c for c in CABLES if matches(root, record_of(c))]


def _key(c: Cable) -> int:
    return CABLES.index(c)


@pytest.mark.parametrize("field", ["origin", "year", "classification", "tag"])
@pytest.mark.parametrize("q", [None, "", "tag:PGOV", f"{CORPUS.words[0]} -class:secret"])
def test_counts(store: Store, field: str, q: str | None) -> None:
    cnt: Counter[str] = Counter()
    for c in _matching(q or ""):
        cnt.update(facet_values(c)[field])
    assert store.counts(field, q) == sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0]))


def test_counts_of_an_unknown_field(store: Store) -> None:
    with pytest.raises(StoreError, match="cannot count"):
        store.counts("colour")


@pytest.mark.parametrize("q", [None, "tag:PREL", CORPUS.words[1]])
def test_histogram(store: Store, q: str | None) -> None:
    dated = [c for c in _matching(q or "") if c.created]
    per_year = Counter(c.created[:4] for c in dated)  # type: ignore[index]
    assert store.histogram(q) == sorted(per_year.items())
    year = int(per_year.most_common(1)[0][0])
    per_month = Counter(c.created[:7] for c in dated if c.created.startswith(str(year)))  # type: ignore[union-attr]
    assert store.histogram(q, year=year) == sorted(per_month.items())
    month = int(per_month.most_common(1)[0][0][5:7])
    prefix = f"{year}-{month:02d}"
    per_day = Counter(c.created[:10] for c in dated if c.created.startswith(prefix))  # type: ignore[union-attr]
    assert store.histogram(q, year=year, month=month) == sorted(per_day.items())


def test_histogram_arguments(store: Store) -> None:
    assert store.histogram(year=1901) == []
    for kwargs in ({"month": 3}, {"year": 2005, "month": 13}, {"year": 0}, {"year": "2005"}):
        with pytest.raises(StoreError):
            store.histogram(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(QuerySyntaxError):
        store.histogram("date:2005-13")


def test_summaries(store: Store) -> None:
    some = [CABLES[3], CABLES[40], CABLES[-2]]
    got = store.summaries([c.id for c in some] + ["99NOWHERE1", ""])
    assert set(got) == {c.id for c in some}
    for c in some:
        assert got[c.id] == {
            "id": c.id, "title": c.title, "subject": c.subject, "created": c.created, "released": c.released,
            "origin": c.origin, "classification": c.classification, "partial": c.partial,
            "tags": keywords(c.tags),
        }
    # Another spelling of a stored id finds it (references are written so).
    assert store.summaries(["04AITTAIPEI55"])["04AITTAIPEI55"]["id"] == "04TAIPEI55"
    assert store.summaries(["04TAIPEI55"])["04TAIPEI55"]["tags"] == ["TW", "PGOV"]
    assert store.summaries([]) == {}


def test_references(store: Store) -> None:
    citing: dict[str, set[str]] = {}
    for c in CABLES:
        for r in c.references:
            if r.id:
                citing.setdefault(id_key(r.id), set()).add(c.id)  # type: ignore[arg-type]
    canon = {id_key(c.id): c for c in CABLES}
    checked = 0
    for c in CABLES:
        refs = store.references(c.id)
        assert [(r["bullet"], r["value"], r["kind"], r["id"]) for r in refs] == [
            (r.bullet, r.value, r.kind, r.id) for r in c.references
        ]
        for got, ref in zip(refs, c.references):
            target = canon.get(id_key(ref.id)) if ref.id else None
            assert got["stored"] is (target is not None)
            assert got["title"] == (target.title if target else None)
            assert got["cited_by_count"] == (len(citing[id_key(ref.id)]) if ref.id else 0)  # type: ignore[index]
            checked += 1
    assert checked > 100
    [taipei] = store.references("05ALMATY9001")
    assert (taipei["id"], taipei["stored"], taipei["stored_id"], taipei["title"]) == (
        "04AITTAIPEI55", True, "04TAIPEI55", "Taiwan")
    assert store.references("99NOWHERE1") == []


def test_latest_released(store: Store) -> None:
    def key(c: Cable) -> tuple:
        return (c.released is not None, c.released or "", c.created is not None, c.created or "", _key(c))

    want = [c.id for c in sorted(CABLES, key=key, reverse=True)[:7]]
    got = store.latest_released(7)
    assert [s["id"] for s in got] == want
    assert got[0]["title"] == BY_ID[want[0]].title
    assert store.latest_released(0) == []


def test_most_cited(store: Store) -> None:
    cited: Counter[str] = Counter()
    for c in CABLES:
        for k in {id_key(r.id) for r in c.references if r.id}:
            cited[k] += 1  # type: ignore[index]
    want = sorted(cited.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
    canon = {id_key(c.id): c for c in CABLES}
    got = store.most_cited(6)
    assert [(d["count"]) for d in got] == [n for _, n in want]
    for d, (k, n) in zip(got, want):
        stored = canon.get(k)
        assert d == {"id": stored.id if stored else k, "count": n, "stored": stored is not None,
                     "title": stored.title if stored else None}
    assert any(not d["stored"] for d in store.most_cited(50))  # known-but-missing cables are cited too


def test_iter_records(store: Store) -> None:
    records = list(store.iter_records())
    assert [r["id"] for r in records] == sorted(BY_ID)
    assert all(r == (BY_ID[r["id"]].to_dict() | ({"generated": True} if r["id"] == "06STATE7777" else {}))
               for r in records)
    q = "tag:PGOV -class:secret"
    want = sorted(_matching(q), key=lambda c: ((c.created is not None, c.created or ""), _key(c)), reverse=True)
    assert [r["id"] for r in store.iter_records(q, sort="-date")] == [c.id for c in want]
    with pytest.raises(QuerySyntaxError):
        store.iter_records("tag:")
    with pytest.raises(StoreError):
        store.iter_records(sort="colour")


def test_iter_records_streams_and_survives_a_write_meanwhile(store: Store, new_db: Locations) -> None:
    from .factories import make_pair

    with open_store(new_db("s")) as s:
        s.store_batch([make_pair(f"09ALMATY{i}") for i in range(1, 600)])
        it = s.iter_records()
        first = next(it)
        s.store_batch([make_pair("09ALMATY9999")])  # a writer while the stream is open
        rest = list(it)
        assert len(rest) + 1 == 599  # the stream reads the state it started with
        assert first["id"] == "09ALMATY1" and s.query("").total == 600


def test_iter_ids(store: Store) -> None:
    want = sorted((c.id, c.released or c.created) for c in CABLES)
    assert list(store.iter_ids()) == want


def test_collections(store: Store, new_db: Locations) -> None:
    created = sorted(c.created for c in CABLES if c.created)
    assert store.collections() == [{
        "name": "cables", "title": "US diplomatic cables", "count": len(CABLES),
        "first": created[0], "last": created[-1], "generated": True,
    }]
    from .factories import make_pair

    with open_store(new_db("c")) as s:
        assert s.collections()[0]["count"] == 0
        s.store_batch([make_pair("09ALMATY1")])
        [c] = s.collections()
        assert (c["count"], c["first"], c["generated"]) == (1, "2009-01-26T07:15:00", False)
