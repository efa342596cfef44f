#!/usr/bin/env python3
"""PostgreSQL beside SQLite: imports, searches, and the index choices.  Prints numbers;
asserts nothing.

    # storing (synthetic cables shaped like the release, generated before timing)
    python bench/pg_bench.py store --pg postgresql://postgres@127.0.0.1:5432/test [--n 20000] [--defer]

    # the query mix of bench/search_bench.py on two stores holding the same cables
    cablemirror import /tmp/c50k.csv --db /tmp/c50k.db
    cablemirror import /tmp/c50k.csv --db 'postgresql://postgres@127.0.0.1:5432/test?schema=c50k'
    python bench/pg_bench.py search --sqlite /tmp/c50k.db --pg 'postgresql://...?schema=c50k' [--runs 3]

    # GIN against GiST (and GIN without its pending list) on a filled store
    python bench/pg_bench.py index --pg 'postgresql://...?schema=c50k'

    # how rows go in: binary COPY against INSERT ... SELECT FROM unnest(arrays)
    python bench/pg_bench.py insert --pg postgresql://postgres@127.0.0.1:5432/test

Times are wall-clock milliseconds: the work of a PostgreSQL store happens in the
server's processes, so this process's CPU time says little.  On a shared machine,
run it twice and read the lower numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cablemirror.store import open_store  # noqa: E402


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    base = url.split("?")[0]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


# --------------------------------------------------------------------------- store


def bench_store(args: argparse.Namespace) -> None:
    from store_bench import FULL_RELEASE, make_pairs

    t0 = time.perf_counter()
    pairs = make_pairs(args.n)
    raw = sum(len(r.raw) for r, _ in pairs)
    print(f"generated {args.n:,} pairs ({raw / 1e6:.0f} MB raw) in {time.perf_counter() - t0:.1f}s; "
          f"batches of {args.batch}; {'deferred index' if args.defer else 'index kept current'}")
    batches = [pairs[i : i + args.batch] for i in range(0, len(pairs), args.batch)]
    targets: list[tuple[str, str, Callable[[], None]]] = []
    tmp = tempfile.mkdtemp(prefix="pg-bench-")
    if "sqlite" in args.backends:
        path = os.path.join(tmp, "bench.db")
        targets.append(("SQLite", path, lambda: None))
    if "pg" in args.backends:
        schema = "bench_" + uuid.uuid4().hex[:8]
        targets.append(("PostgreSQL", _with_schema(args.pg, schema), lambda: _drop_schema(args.pg, schema)))
    for name, db, cleanup in targets:
        try:
            with open_store(db) as store:
                t = time.perf_counter()
                with store.defer_search_index() if args.defer else contextlib.nullcontext():
                    for b in batches:
                        store.store_batch(b)
                first = time.perf_counter() - t
                t = time.perf_counter()
                for b in batches:
                    store.store_batch(b)
                again = time.perf_counter() - t
                size = store.stats()["db_bytes"]
            rate = args.n / first
            print(f"{name:10}  first import {args.n / first:8,.0f} records/s ({first:6.1f}s; full release "
                  f"~{FULL_RELEASE / rate / 60:4.0f} min)  again (all unchanged) {args.n / again:8,.0f} records/s  "
                  f"size {_mb(size)} ({size / args.n / 1e3:.1f} KB/cable)")
        finally:
            if not args.keep:
                cleanup()
    if not args.keep:
        with contextlib.suppress(OSError):
            for f in Path(tmp).iterdir():
                f.unlink()
            os.rmdir(tmp)


# --------------------------------------------------------------------------- search


def _timed(store: Any, q: str, extra: dict[str, Any], runs: int) -> tuple[list[float], int]:
    times, total = [], 0
    for _ in range(runs):
        store.clear_read_cache()
        t = time.perf_counter()
        page = store.query(q, **extra)
        times.append((time.perf_counter() - t) * 1000)
        total = page.total
    return times, total


def _real_vocabulary(db: Path) -> tuple[int, list[tuple[str, int]]]:
    """(cables, [(word, documents)]) counted on the words of a sample of the records, not
    on an index's stems: the two stores stem differently, so the mix must be made of
    words both can be asked for."""
    import sqlite3
    from collections import Counter

    from cablemirror.search.text import words

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        n = conn.execute("SELECT count(*) FROM facts").fetchone()[0]
        step = max(1, n // 5000)
        df: Counter[str] = Counter()
        for title, subject, tags, body in conn.execute(
            "SELECT title, subject, tags, body FROM cables WHERE key % ? = 0", (step,)
        ):
            df.update(set(words(f"{title} {subject} {tags} {body or ''}")))
    finally:
        conn.close()
    return n, [(w, c * step) for w, c in df.items() if w.isalpha() and len(w) >= 4]


def bench_search(args: argparse.Namespace) -> None:
    import search_bench

    search_bench._vocabulary = _real_vocabulary  # words, not Porter stems (see _real_vocabulary)
    mix = search_bench.query_mix(Path(args.sqlite), args.seed)
    stores = [("SQLite", open_store(args.sqlite, readonly=True)), ("PostgreSQL", open_store(args.pg, readonly=True))]
    if args.rank_limit is not None:
        for _, s in stores:
            s.rank_limit = args.rank_limit  # type: ignore[attr-defined]
    n = stores[0][1].stats()["cables"]
    print(f"{n:,} cables; {len(mix)} queries x {args.runs} runs each, cold (result caches cleared), "
          "facets origin/year/classification/tag with exact counts; wall ms")
    for _, s in stores:  # warm the caches of the file system and of the server once
        for _, q, extra in mix:
            s.query(q, **extra)
    results: dict[str, dict[str, list[float]]] = {name: {} for name, _ in stores}
    totals: dict[str, dict[str, int]] = {name: {} for name, _ in stores}
    for name, s in stores:
        for kind, q, extra in mix:
            times, total = _timed(s, q, extra, args.runs)
            results[name].setdefault(kind, []).extend(times)
            totals[name][f"{q} {extra}"] = total
            if args.show:
                print(f"  {name:10} {statistics.median(times):8.1f} ms {total:8,}  {kind:12} {q} {extra or ''}")
    differ = [k for k in totals["SQLite"] if totals["SQLite"][k] != totals["PostgreSQL"][k]]
    print(f"\n{'kind':12} | {'SQLite med':>10} {'p95':>7} | {'PostgreSQL med':>14} {'p95':>7}")
    for kind in results["SQLite"]:
        a, b = results["SQLite"][kind], results["PostgreSQL"][kind]
        print(f"{kind:12} | {statistics.median(a):10.1f} {_pct(a, 95):7.1f} | {statistics.median(b):14.1f} "
              f"{_pct(b, 95):7.1f}")
    for name in ("SQLite", "PostgreSQL"):
        xs = [x for v in results[name].values() for x in v]
        print(f"{'all, ' + name:22} median {statistics.median(xs):7.1f}  p95 {_pct(xs, 95):7.1f}  "
              f"p99 {_pct(xs, 99):7.1f}")
    if args.json:
        summary = {}
        for name in ("SQLite", "PostgreSQL"):
            xs = [x for v in results[name].values() for x in v]
            summary[name] = {"median": round(statistics.median(xs), 2), "p95": round(_pct(xs, 95), 2),
                             "p99": round(_pct(xs, 99), 2)}
        Path(args.json).write_text(json.dumps({"cables": n, "queries": len(mix), "runs": args.runs,
                                               "totals_differ": len(differ), **summary}, indent=2))
    print(f"\nqueries whose totals differ between the stores (stemmers: Porter / Snowball): {len(differ)}")
    for k in differ[:10]:
        print(f"  {k}: SQLite {totals['SQLite'][k]:,}  PostgreSQL {totals['PostgreSQL'][k]:,}")
    for _, s in stores:
        s.close()


# --------------------------------------------------------------------------- index


def _terms(conn: Any) -> dict[str, list[str]]:
    """Query terms from the store's own documents: rare, common, pairs, phrases, prefixes."""
    stats = conn.execute(
        "SELECT word, ndoc FROM ts_stat('SELECT doc FROM facts TABLESAMPLE SYSTEM (5)') "
        "WHERE word ~ '^[a-z]{4,}$' ORDER BY ndoc DESC"
    ).fetchall()
    common = [w for w, _ in stats[5:15]]
    rare = [w for w, n in stats if n == 2][:10]
    mid = [w for w, _ in stats[len(stats) // 20 : len(stats) // 20 + 10]]
    return {
        "rare word": [f"'{w}'" for w in rare],
        "common word": [f"'{w}'" for w in common[:5]],
        "two words": [f"'{a}' & '{b}'" for a, b in zip(mid, common)],
        "phrase": [f"'{a}' <-> '{b}'" for a, b in zip(common, common[1:])][:5],
        "prefix": [f"'{w[:4]}':*" for w in mid[:5]],
    }


def bench_index(args: argparse.Namespace) -> None:
    import psycopg

    url = args.pg
    from cablemirror.store.pg_conn import parse_url

    target = parse_url(url)
    conn = psycopg.connect(target.conninfo, autocommit=True, **target.connect_kwargs(readonly=False))
    n = conn.execute("SELECT count(*) FROM facts").fetchone()[0]
    terms = _terms(conn)
    conn.execute("SET maintenance_work_mem = '128MB'")
    conn.execute("DROP TABLE IF EXISTS bench_docs")
    conn.execute("CREATE TABLE bench_docs AS SELECT key, doc, false AS extra FROM facts")
    conn.execute("VACUUM ANALYZE bench_docs")
    print(f"{n:,} documents; count(*) of matches, median of 5 runs, ms")
    variants = [
        ("GIN", "CREATE INDEX bench_idx ON bench_docs USING gin (doc)"),
        ("GIN, fastupdate off", "CREATE INDEX bench_idx ON bench_docs USING gin (doc) WITH (fastupdate = off)"),
        ("GiST", "CREATE INDEX bench_idx ON bench_docs USING gist (doc)"),
    ]
    for name, ddl in variants:
        conn.execute("DROP INDEX IF EXISTS bench_idx")
        t = time.perf_counter()
        conn.execute(ddl)
        build = time.perf_counter() - t
        size = conn.execute("SELECT pg_relation_size('bench_idx')").fetchone()[0]
        line = [f"{name:20} build {build:6.1f}s  size {_mb(size):>8}"]
        for kind, qs in terms.items():
            times = []
            for q in qs:
                for _ in range(5):
                    t = time.perf_counter()
                    conn.execute("SELECT count(*) FROM bench_docs WHERE doc @@ to_tsquery('cm_text', %s)", (q,))
                    times.append((time.perf_counter() - t) * 1000)
            line.append(f"{kind} {statistics.median(times):6.1f}")
        # Inserting into a filled index: 2,000 documents again.
        t = time.perf_counter()
        conn.execute("INSERT INTO bench_docs SELECT key, doc, true FROM facts ORDER BY key LIMIT 2000")
        ins = time.perf_counter() - t
        conn.execute("DELETE FROM bench_docs WHERE extra")
        line.append(f"| +2,000 docs {ins:5.2f}s")
        print("  ".join(line))
    conn.execute("DROP TABLE bench_docs")
    conn.close()


# --------------------------------------------------------------------------- insert


def bench_insert(args: argparse.Namespace) -> None:
    """The same 500-row batches of cable-sized rows, by binary COPY and by unnest."""
    import random

    import psycopg

    rng = random.Random(1)
    words = [f"w{i}" for i in range(5000)]
    rows = [(i, f"09TEST{i}", " ".join(rng.choices(words, k=1200)), rng.randbytes(3000)) for i in range(args.n)]
    conn = psycopg.connect(args.pg.split("?")[0], autocommit=True)
    conn.execute("CREATE TEMP TABLE t_copy (k bigint, id text, record text, raw bytea)")
    conn.execute("CREATE TEMP TABLE t_unnest (k bigint, id text, record text, raw bytea)")
    batches = [rows[i : i + 500] for i in range(0, len(rows), 500)]
    t = time.perf_counter()
    for b in batches:
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy("COPY t_copy (k, id, record, raw) FROM STDIN (FORMAT BINARY)") as cp:
                cp.set_types(["bigint", "text", "text", "bytea"])
                for r in b:
                    cp.write_row(r)
    copy_s = time.perf_counter() - t
    t = time.perf_counter()
    for b in batches:
        with conn.transaction():
            cols = [list(c) for c in zip(*b)]
            conn.execute("INSERT INTO t_unnest SELECT * FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::bytea[])",
                         cols)
    unnest_s = time.perf_counter() - t
    print(f"{args.n:,} rows of ~10 KB in batches of 500: binary COPY {args.n / copy_s:,.0f} rows/s, "
          f"unnest(binary arrays) {args.n / unnest_s:,.0f} rows/s")
    conn.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("store", help="store synthetic cables in both backends")
    p.add_argument("--pg", required=True, help="postgresql:// URL (a fresh schema is made and dropped)")
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--defer", action="store_true", help="build the search index once at the end")
    p.add_argument("--backends", default="sqlite,pg")
    p.add_argument("--keep", action="store_true", help="keep the stores")
    p = sub.add_parser("search", help="the search_bench query mix on a SQLite and a PostgreSQL store")
    p.add_argument("--sqlite", required=True)
    p.add_argument("--pg", required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rank-limit", type=int, default=None)
    p.add_argument("--show", action="store_true")
    p.add_argument("--json", default=None, help="also write the summary as JSON here")
    p = sub.add_parser("index", help="GIN against GiST on a filled PostgreSQL store")
    p.add_argument("--pg", required=True)
    p = sub.add_parser("insert", help="binary COPY against unnest")
    p.add_argument("--pg", required=True)
    p.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args(argv)
    {"store": bench_store, "search": bench_search, "index": bench_index, "insert": bench_insert}[args.cmd](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
