"""Searching, counting, binning and charting the stored reports, checked against Python.

The store holds generated files of every variant (Afghanistan clean, a hostile copy
with a header and damaged rows, Iraq), imported through the real pipeline.  Every
query's result set is compared with ``search.evaluate`` over the current records;
facets, histograms, timelines and map bins with counts made in Python.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cablemirror.search import REPORT_FIELDS, QuerySyntaxError, parse_query
from cablemirror.search.fields import normalize_keyword, parse_box
from cablemirror.store import StoreError, open_store
from cablemirror.store.reports import CASUALTY_GROUPS, REPORT_FACETS, keyword_key

from .reportdata import build, current_records, evaluator_record, expected_keys, write

QUERIES = [
    "",
    'type:"enemy action"',
    'category:"ied explosion"',
    "region:east",
    "region:south -region:east",
    "region:mnd-n",
    "kia>2",
    "kia>=1 wia:0",
    "civilian:0",
    "civilian>0",
    "-civilian:0",
    "friendly_kia>0",
    "-friendly_kia>0",
    "friendly_kia>=0",
    "detained>=1",
    "host_kia>0 OR host_wia>0",
    "attack:friend",
    "unittype:ansf",
    'unittype:"coalition forces"',
    "theatre:iraq",
    "theatre:afghanistan located:no",
    "located:yes",
    "ied",
    "ied*",
    '"ied strike"',
    '"cordon" -kia>0',
    '(type:"enemy action" OR category:"ied explosion") kia>0',
    "ied OR kia>3",
    "-ied region:west",
    "-(ied OR ambush)",
    "title:ied",
    "title:(found cleared)",
    "unit:tf",
    'unit:"tf north"',
    "unit:kan*",
    "tracking:2008*",
    "date:2008-07",
    "from:2009-06 to:2009-08",
    "to:2004",
    "medevac wia>0 date:2007",
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report-query")
    files = [
        write(root, "afg.csv", 3000, 5),
        write(root, "afg34-hostile.csv", 1500, 6, variant="34", hostile=True),
        write(root, "iraq.csv", 800, 7, variant="iraq"),
    ]
    return build(root / "reports.db", files)


@pytest.fixture(scope="module")
def records(db: Path) -> list[dict[str, Any]]:
    return current_records(db)


@pytest.fixture(scope="module")
def store(db: Path):  # type: ignore[no-untyped-def]
    with open_store(db, readonly=True) as s:
        yield s


def test_the_fixture_has_every_kind_of_report(records):
    theatres = Counter(r["theatre"] for r in records)
    assert theatres["afghanistan"] > 4000 and theatres["iraq"] == 800
    assert any(r["latitude"] is None for r in records)  # positions the hostile rows broke
    assert any(r["friendly_kia"] is None for r in records)  # unreadable counts
    assert any(r["region"] == "RC SOUTHWEST" for r in records)  # a region the language cannot name


@pytest.mark.parametrize("text", QUERIES)
def test_result_sets_match_the_reference(store, records, text):
    want = expected_keys(records, text)
    page = store.query_reports(text, limit=0, facets=())
    assert page.total == len(want), text
    got = {r["report_key"] for r in store.iter_reports(text)}
    assert got == want, (text, sorted(got ^ want)[:5])


def _facet_reference(records: list[dict[str, Any]], keys: set[str]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {name: Counter() for name in REPORT_FACETS}
    for r in records:
        if r["report_key"] not in keys:
            continue
        out["type"][keyword_key(r["type"])] += 1
        out["category"][keyword_key(r["category"])] += 1
        out["unittype"][keyword_key(r["type_of_unit"])] += 1
        out["region"][keyword_key(r["region"], "region")] += 1
        out["attack"][keyword_key(r["attack_on"], "attack")] += 1
        out["theatre"][r["theatre"]] += 1
        out["year"][r["date"][:4]] += 1
    for c in out.values():
        c.pop("", None)  # no value, or one the language cannot name: not a facet value
    return out


_FACET_NORM = {"type": normalize_keyword, "category": normalize_keyword, "unittype": normalize_keyword,
               "region": lambda v: keyword_key(v, "region"), "attack": lambda v: keyword_key(v, "attack"),
               "theatre": str, "year": str}  # fmt: skip


@pytest.mark.parametrize("text", ["", "kia>0", "region:south ied", "theatre:iraq", "-civilian:0"])
def test_facets_match_python_counts(store, records, text):
    page = store.query_reports(text, limit=0, facet_limit=None)
    ref = _facet_reference(records, expected_keys(records, text))
    for name in REPORT_FACETS:
        got = {_FACET_NORM[name](v): n for v, n in page.facets[name]}
        assert got == dict(ref[name]), (text, name)
        counts = [n for _, n in page.facets[name]]
        assert counts == sorted(counts, reverse=True)


def test_a_facet_value_selects_exactly_its_count(store):
    page = store.query_reports("kia>0", limit=0)
    q = parse_query("kia>0", REPORT_FIELDS)
    for name, values in page.facets.items():
        for value, n in values[:3]:
            narrowed = q.with_filter(REPORT_FACETS[name], value)
            assert store.query_reports(narrowed, limit=0, facets=()).total == n, (name, value)


def test_facet_limit_and_bad_arguments(store):
    page = store.query_reports("", limit=0, facets=("category",), facet_limit=3)
    assert list(page.facets) == ["category"] and len(page.facets["category"]) == 3
    for kwargs in ({"sort": "colour"}, {"limit": -1}, {"facets": ("origin",)}, {"facet_limit": -2}):
        with pytest.raises(StoreError):
            store.query_reports("", **kwargs)
    with pytest.raises(QuerySyntaxError):
        store.query_reports("kia>lots")
    with pytest.raises(QuerySyntaxError):
        store.query_reports("tag:PGOV")  # a cable field


@pytest.mark.parametrize("sort", ["date", "-date", "-kia", "-wia", "-civilian", "relevance"])
def test_sorted_pages_never_repeat_or_skip(store, sort):
    text = "ied OR kia>0"
    total = store.query_reports(text, limit=0, facets=()).total
    seen: list[Any] = []
    for offset in range(0, total, 250):
        seen += store.query_reports(text, sort=sort, limit=250, offset=offset, facets=()).hits
    assert len(seen) == total == len({h.key for h in seen})
    key = {"date": lambda h: h.date, "-date": lambda h: h.date, "-kia": lambda h: -h.kia, "-wia": lambda h: -h.wia,
           "-civilian": lambda h: -h.civilian, "relevance": lambda h: -h.score}[sort]  # fmt: skip
    values = [key(h) for h in seen]
    assert values == sorted(values, reverse=sort == "-date")


def test_hits_carry_snippets_with_marks_and_the_list_columns(store, records):
    page = store.query_reports('"ied strike"', limit=5, marks=("[", "]"))
    assert page.hits and all("[" in h.snippet for h in page.hits)
    by_key = {r["report_key"]: r for r in records}
    for h in page.hits:
        r = by_key[h.key]
        assert (h.title, h.type, h.region, h.latitude, h.mgrs) == (r["title"], r["type"], r["region"], r["latitude"], r["mgrs"])
        assert h.generated and h.score > 0
    assert all(h.snippet == "" for h in store.query_reports("kia>3", limit=5).hits)


def test_histograms_add_up(store, records):
    years = store.report_histogram()
    assert sum(n for _, n in years) == len(records)
    assert dict(years) == dict(Counter(r["date"][:4] for r in records))
    months = store.report_histogram("ied", year=2008)
    keys = expected_keys(records, "ied date:2008")
    assert sum(n for _, n in months) == len(keys)
    assert all(p.startswith("2008-") for p, _ in months)


@pytest.mark.parametrize("text", ["", "region:east", "kia>0 -type:\"enemy action\""])
def test_timeline_sums_equal_the_totals(store, records, text):
    keys = expected_keys(records, text)
    mine = [r for r in records if r["report_key"] in keys]
    t = store.report_timeline(text)
    assert t.total == len(mine) == sum(m.reports for m in t.months)
    assert [m.month for m in t.months] == sorted({r["date"][:7] for r in mine})
    for m in t.months:
        assert sum(m.by_type.values()) == m.reports
    for group, (kia, wia) in CASUALTY_GROUPS.items():
        assert sum(m.killed[group] for m in t.months) == sum(r[kia] or 0 for r in mine)
        assert sum(m.wounded[group] for m in t.months) == sum(r[wia] or 0 for r in mine)
    assert sum(m.detained for m in t.months) == sum(r["enemy_detained"] or 0 for r in mine)
    types = Counter(normalize_keyword(r["type"]) for r in mine if keyword_key(r["type"]))
    assert {normalize_keyword(k): n for k, n in t.types} == dict(types)


AFGHANISTAN = (29.3, 60.4, 38.6, 75.0)


@pytest.mark.parametrize("step", [2.0, 0.5, 0.25, 0.125, 2.0**-8])
@pytest.mark.parametrize("text", ["", "kia>0", "theatre:iraq"])
def test_map_bins_add_up_to_the_total(store, records, step, text):
    keys = expected_keys(records, text)
    mine = [r for r in records if r["report_key"] in keys]
    b = store.report_bins(text, bbox=AFGHANISTAN, step=step)
    assert b.total == len(mine)
    assert b.unlocated == sum(1 for r in mine if r["latitude"] is None)
    assert b.binned + b.outside + b.unlocated == b.total
    s, w, n, e = b.bbox
    inside = [r for r in mine if r["latitude"] is not None and s <= r["latitude"] < n and w <= r["longitude"] < e]
    assert b.binned == len(inside)
    assert s <= AFGHANISTAN[0] and n >= AFGHANISTAN[2] and w <= AFGHANISTAN[1] and e >= AFGHANISTAN[3]
    for one in b.bins:
        bs, bw, bn, be = one.box(step)
        assert bs <= one.lat < bn and bw <= one.lon < be  # the mean of points inside the cell
    if text == "theatre:iraq":
        assert b.binned == 0 and b.outside == len(mine) - b.unlocated


def test_each_bin_is_exactly_its_box_query(store):
    b = store.report_bins("", bbox=AFGHANISTAN, step=0.25)
    assert len(b.bins) > 50
    for one in sorted(b.bins, key=lambda x: -x.count)[:12] + b.bins[:4]:
        box = ",".join(repr(v) for v in one.box(b.step))
        q = parse_query(f"box:{box}", REPORT_FIELDS)
        assert parse_box(q.root.value) == one.box(b.step)  # type: ignore[union-attr]
        assert store.query_reports(q, limit=0, facets=()).total == one.count


def test_box_queries_match_python(store, records):
    for box in ("31,64.5,32,66", "34.5,69,34.625,69.25", "-90,-180,90,180", "29,60,29.5,61"):
        s, w, n, e = (float(v) for v in box.split(","))
        want = {r["report_key"] for r in records
                if r["latitude"] is not None and s <= r["latitude"] < n and w <= r["longitude"] < e}  # fmt: skip
        got = {r["report_key"] for r in store.iter_reports(f"box:{box}")}
        assert got == want, box
        outside = {r["report_key"] for r in store.iter_reports(f"-box:{box}")}
        assert outside == {r["report_key"] for r in records} - want  # a missing position is outside every box


def test_bins_reject_bad_grids(store):
    for step in (0.3, 0, 100.0, 2.0**-9):
        with pytest.raises(StoreError):
            store.report_bins("", bbox=AFGHANISTAN, step=step)
    for bbox in ((40, 60, 30, 70), (0, 0, 0), ("a", 1, 2, 3)):
        with pytest.raises(StoreError):
            store.report_bins("", bbox=bbox, step=0.5)


def test_iter_reports_streams_whole_records_in_order(store, records):
    got = list(store.iter_reports("kia>0", sort="-kia"))
    assert [r["report_key"] for r in got] and all(set(r) == set(records[0]) for r in got)
    kias = [evaluator_record(r)["kia"] for r in got]
    assert kias == sorted(kias, reverse=True)
    with pytest.raises(StoreError):
        store.iter_reports("", sort="relevance")


def test_collections_and_stats(store, records):
    cols = {c["name"]: c for c in store.collections()}
    w = cols["warlogs"]
    assert w["count"] == len(records) and w["generated"] and w["theatres"] == ["afghanistan", "iraq"]
    assert w["title"] == "Afghan War Diary and Iraq War Logs"
    assert w["first"] == min(r["date"] for r in records) and w["last"] == max(r["date"] for r in records)
    st = store.stats()
    assert st["reports"] == len(records) and st["reports_located"] == sum(1 for r in records if r["latitude"] is not None)
    assert st["reports_by_theatre"] == dict(Counter(r["theatre"] for r in records))
    assert st["report_versions"] >= st["reports"] and st["reports_quarantined"] > 0
    assert store.report_counts("theatre") == sorted(Counter(r["theatre"] for r in records).items(), key=lambda t: -t[1])
