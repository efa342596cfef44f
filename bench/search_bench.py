#!/usr/bin/env python3
"""How fast does the store answer queries?  Prints numbers; asserts nothing.

    python bench/generate_cables.py --count 50000 --seed 1 --out /tmp/c50k.csv
    cablemirror import /tmp/c50k.csv --db /tmp/c50k.db
    python bench/search_bench.py --db /tmp/c50k.db [--runs 3] [--seed 1] [--rank-limit N]

A fixed mix of queries, drawn (with ``--seed``) from the store's own vocabulary and
values so that it works on any store: rare, mid and common words, two words, phrases,
prefixes, field filters, mixed queries, browsing (the empty query) and deep pages.
Every query asks for the default facets (origin, year, classification, tag) with
exact counts.  Each is timed cold (the store's result cache cleared first: totals,
facets, matching keys; the column snapshot stays, as in a running server) and warm
(the same query again); ``--breakdown`` adds timings with facets off
(``facets=()``) and with no page (``limit=0``), which shows whether counting facets
or the page dominates; ``--sql`` answers without the column snapshot.  The first
query's time (it reads the snapshot) is printed apart.  Prints median, p95 and p99
per kind of query and overall, in milliseconds of wall time and of this process's
CPU time (the second is what a query costs; the first also counts waiting for a core
when other programs run).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from cablemirror.store import open_store  # noqa: E402
from cablemirror.store.sqlite import SQLiteStore  # noqa: E402


def _vocabulary(db: Path) -> tuple[int, list[tuple[str, int]]]:
    """(number of cables, [(term, documents)]) from the full-text index: the terms a
    query finds as typed (the index holds porter stems: "rais" would be searched as
    "rai" and find nothing, so only terms that are their own stem are kept)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        n = conn.execute("SELECT count(*) FROM facts").fetchone()[0]
        conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, cables_fts, 'row')")
        terms = [(t, d) for t, d in conn.execute("SELECT term, doc FROM temp.vocab") if t.isalpha() and len(t) >= 4]
        conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5(w, tokenize = 'porter unicode61 remove_diacritics 2')")
        conn.executemany("INSERT INTO temp.words(rowid, w) VALUES (?, ?)", [(i, t) for i, (t, _) in enumerate(terms)])
        conn.execute("CREATE VIRTUAL TABLE temp.stems USING fts5vocab(temp, words, 'instance')")
        stable = {t for t, doc in conn.execute("SELECT term, doc FROM temp.stems") if terms[doc][0] == t}
        return n, [(t, d) for t, d in terms if t in stable]
    finally:
        conn.close()


def _values(db: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        one = lambda sql: [r[0] for r in conn.execute(sql)]  # noqa: E731
        return {
            "tags": one("SELECT tag FROM tags GROUP BY tag ORDER BY count(*) DESC"),
            "origins": one("SELECT norm FROM labels WHERE kind = 'origin' ORDER BY label_id"),
            "subjects": one("SELECT subject FROM cables WHERE key % 97 = 0"),
            "cited": one("SELECT dst_key FROM refs WHERE dst_key IS NOT NULL GROUP BY dst_key "
                         "ORDER BY count(*) DESC LIMIT 20"),
            "ids": one("SELECT id FROM cables WHERE key % 101 = 0"),
        }
    finally:
        conn.close()


def query_mix(db: Path, seed: int) -> list[tuple[str, str, dict]]:
    """[(kind, query, extra arguments)]: the same mix for the same store and seed."""
    rng = random.Random(seed)
    n, terms = _vocabulary(db)
    values = _values(db)

    def pick(lo: float, hi: float, k: int) -> list[str]:
        pool = sorted(t for t, d in terms if lo <= d <= hi)
        return rng.sample(pool, min(k, len(pool)))

    rare = pick(3, 50, 6)
    if len(rare) < 6:  # a generated collection has a small vocabulary: its rarest words then
        rarest = sorted((d, t) for t, d in terms if d >= 3)[:40]
        rare = rng.sample([t for _, t in rarest], min(6, len(rarest)))
    mid = pick(n * 0.005, n * 0.05, 6)
    common = pick(n * 0.3, n, 4)
    phrases = []
    for subject in rng.sample(values["subjects"], min(40, len(values["subjects"]))):
        ws = [w for w in subject.split() if w.isalpha() and len(w) >= 4]
        if len(ws) >= 2:
            i = rng.randrange(len(ws) - 1)
            phrases.append(f'"{ws[i].lower()} {ws[i + 1].lower()}"')
    tags = values["tags"]
    origin_words = [o.split()[-1] for o in values["origins"]]
    mix: list[tuple[str, str, dict]] = []
    mix += [("rare word", w, {}) for w in rare]
    mix += [("mid word", w, {}) for w in mid]
    mix += [("common word", w, {}) for w in common]
    mix += [("two words", f"{a} {b}", {}) for a, b in zip(mid, common)]
    mix += [("two words", f"{a} {b}", {}) for a, b in zip(mid, reversed(mid))][:3]
    mix += [("phrase", p, {}) for p in phrases[:6]]
    mix += [("prefix", w[:4] + "*", {}) for w in mid[:3]]
    mix += [("field", q, {}) for q in (
        f"tag:{tags[0]}", f"tag:{tags[len(tags) // 2]}", f"origin:{rng.choice(origin_words)}",
        f"origin:{rng.choice(origin_words)}", "class:secret", "from:2006 to:2007-06", "-class:unclassified",
        f"id:{values['ids'][0][:6]}*", f"ref:{values['cited'][0]}", f"caption:sipdis",
    )]
    mix += [("mixed", q, {}) for q in (
        f"{mid[0]} tag:{tags[1]} from:2005", f"{mid[1]} OR tag:{tags[2]}", f"-{common[0]} class:confidential",
        f"{rare[0]} OR {rare[1]} OR {mid[2]}", f"({mid[3]} OR {mid[4]}) -tag:{tags[0]}",
        f"subject:{mid[5]} origin:{rng.choice(origin_words)}",
    )]
    mix += [("browse", "", {}), ("browse", "", {"sort": "-date"}), ("browse", f"tag:{tags[3]}", {"sort": "-date"})]
    mix += [("deep page", common[0], {"offset": 2000}), ("deep page", mid[0], {"offset": 200, "sort": "date"}),
            ("deep page", "", {"offset": min(10_000, n - 20), "sort": "-date"}),
            ("deep page", f"tag:{tags[0]}", {"offset": 1000})]
    return mix


def _time(store: SQLiteStore, q: str, extra: dict, *, cold: bool = True, **over: object) -> tuple[float, float, int]:
    """(wall ms, CPU ms of this process, total) of one query; ``cold``: the store's
    result cache (totals, facets, matching keys) cleared first."""
    if cold:
        store.clear_read_cache()
    t, c = time.perf_counter(), time.process_time()
    page = store.query(q, **{**extra, **over})  # type: ignore[arg-type]
    return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000, page.total


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def _summary(by_kind: dict[str, list[float]]) -> dict[str, float]:
    xs = [x for v in by_kind.values() for x in v]
    return {"median": round(statistics.median(xs), 2), "p95": round(_pct(xs, 95), 2), "p99": round(_pct(xs, 99), 2)}


def _stats(xs: list[float]) -> str:
    return f"{statistics.median(xs):7.1f} {_pct(xs, 95):7.1f} {_pct(xs, 99):7.1f}"


def _table(title: str, wall: dict[str, list[float]], cpu: dict[str, list[float]], totals: dict[str, list[int]],
           extra: dict[str, tuple[str, dict[str, list[float]]]]) -> None:
    print(f"\n{title}")
    heads = "".join(f" | {name:>14}" for name in extra)
    print(f"{'kind':12} {'hits':>7} | {'wall: med':>9} {'p95':>7} {'p99':>7} | {'cpu: med':>8} {'p95':>7} {'p99':>7}{heads}")
    for kind in wall:
        cols = "".join(f" | {statistics.median(d[kind]):14.1f}" for _, d in extra.values())
        print(f"{kind:12} {int(statistics.median(totals[kind])):7,} | {_stats(wall[kind]):>25} | "
              f"{_stats(cpu[kind]):>24}{cols}")
    all_wall = [x for xs in wall.values() for x in xs]
    all_cpu = [x for xs in cpu.values() for x in xs]
    print(f"{'all queries':12} {'':>7} | {_stats(all_wall):>25} | {_stats(all_cpu):>24}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, type=Path, help="the store to query (opened read-only)")
    ap.add_argument("--runs", type=int, default=3, help="times each query is run (default 3)")
    ap.add_argument("--seed", type=int, default=1, help="which queries the mix draws (default 1)")
    ap.add_argument("--rank-limit", type=int, default=None, help="override the store's rank_limit")
    ap.add_argument("--sql", action="store_true", help="answer in SQL only (no column snapshot), for comparison")
    ap.add_argument("--breakdown", action="store_true", help="also time each query without facets and without a page")
    ap.add_argument("--show", action="store_true", help="print every query with its time and total")
    ap.add_argument("--json", type=Path, default=None, help="also write the summary numbers as JSON here")
    args = ap.parse_args(argv)
    if not args.db.exists():
        ap.error(f"no store at {args.db}")

    mix = query_mix(args.db, args.seed)
    store = open_store(str(args.db), readonly=True)
    assert isinstance(store, SQLiteStore)
    if args.rank_limit is not None:
        store.rank_limit = args.rank_limit
    if args.sql:
        store.use_columns = False  # type: ignore[attr-defined]
    n = store.stats()["cables"]
    print(f"{args.db}: {n:,} cables; {len(mix)} queries x {args.runs} runs; all four facets on every query; "
          f"{'SQL only' if args.sql else 'column snapshot when the store has one'}")

    # The first query of a process (or after a write) reads the column snapshot.
    t, c = time.perf_counter(), time.process_time()
    store.query("tag:X", limit=1)
    first = ((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000)
    cols = getattr(store, "_columns", None)
    if cols is not None:
        print(f"column snapshot: read in {first[0]:.0f} ms wall, {first[1]:.0f} ms CPU (first query), "
              f"{cols.nbytes() / 1e6:.1f} MB")
    for _, q, extra in mix:  # the page cache warm once, and sort positions read: a running server
        store.query(q, **extra)

    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    warm_wall: dict[str, list[float]] = {}
    warm_cpu: dict[str, list[float]] = {}
    no_facets: dict[str, list[float]] = {}
    no_page: dict[str, list[float]] = {}
    totals: dict[str, list[int]] = {}
    for _ in range(args.runs):
        for kind, q, extra in mix:
            ms, cpu_ms, total = _time(store, q, extra)
            wall.setdefault(kind, []).append(ms)
            cpu.setdefault(kind, []).append(cpu_ms)
            totals.setdefault(kind, []).append(total)
            ms2, cpu2, _ = _time(store, q, extra, cold=False)
            warm_wall.setdefault(kind, []).append(ms2)
            warm_cpu.setdefault(kind, []).append(cpu2)
            if args.breakdown:
                no_facets.setdefault(kind, []).append(_time(store, q, extra, facets=())[1])
                no_page.setdefault(kind, []).append(_time(store, q, extra, limit=0)[1])
            if args.show:
                print(f"  {ms:8.1f} ms  cpu {cpu_ms:8.1f} ms  warm {ms2:7.1f} ms  {total:8,}  {kind:12} {q} {extra or ''}")

    next_wall, next_cpu = [], []
    for _, q, extra in mix:
        store.query(q, **extra)
        t, c = time.perf_counter(), time.process_time()
        store.query(q, **{**extra, "offset": extra.get("offset", 0) + 20})
        next_wall.append((time.perf_counter() - t) * 1000)
        next_cpu.append((time.process_time() - c) * 1000)

    print("\nmilliseconds; 'cpu' is this process's CPU time (what the query costs when the machine is busy)")
    breakdown = {"cpu, no facets": ("", no_facets), "cpu, no page": ("", no_page)} if args.breakdown else {}
    _table("cold: each query the first time (result cache cleared)", wall, cpu, totals, breakdown)
    _table("warm: the same query again (total, facets and matches cached)", warm_wall, warm_cpu, totals, {})
    print(f"{'next page':12} {'':>7} | {_stats(next_wall):>25} | {_stats(next_cpu):>24}")
    store.close()
    if args.json:
        args.json.write_text(json.dumps({
            "cables": n, "queries": len(mix), "runs": args.runs,
            "cold_wall": _summary(wall), "cold_cpu": _summary(cpu),
            "warm_wall": _summary(warm_wall), "next_page_wall": _summary({"": next_wall}),
            "per_kind_cold_wall": {k: _summary({k: v}) for k, v in wall.items()},
        }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
