#!/usr/bin/env python3
"""The war diary at full size: import rate, and the map page's latency for all reports.

    python bench/warlog_bench.py [--count 76911] [--seed 0] [--runs 3] [--map-runs 7]
                                 [--workers N] [--dir /tmp/warlog-bench] [--keep] [--json OUT]

1. Writes a generated Afghan War Diary of ``--count`` rows (76,911 by default, the
   published diary's size; ``cablemirror.demo.warlogs``), once.
2. Imports it ``--runs`` times into a fresh SQLite store each time, exactly as
   ``cablemirror import`` does (``ingest.import_paths``, ``--workers`` parser
   processes), and prints the median time and rows/s.
3. Times the map page for ALL reports (``/map``: every report counted in cells, the SVG
   drawn) in-process through the ASGI app, ``--map-runs`` times each:
   - cold: the store's read cache emptied before each request (bins counted again),
   - warm: the store's cache holds the bins; the page is drawn again,
   - cached: the whole page answered from the page cache;
   and the store call alone (``report_bins`` over all reports, cold).
Prints medians; asserts nothing.  The machine's load average comes first: on shared
cores compare runs made under similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    from cablemirror.demo.warlogs import DEFAULT_COUNT, write_warlogs
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from cablemirror.demo.warlogs import DEFAULT_COUNT, write_warlogs

from cablemirror.ingest import default_workers, import_paths
from cablemirror.store import open_store


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms (min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f})"


def bench_import(csv: Path, work: Path, runs: int, workers: int) -> dict[str, float]:
    times = []
    db = work / "import.db"
    for i in range(runs):
        for p in work.glob("import.db*"):
            p.unlink()
        with open_store(db) as store:
            start = time.perf_counter()
            summary = import_paths(store, [csv], workers=workers)
            times.append(time.perf_counter() - start)
            st = store.stats()
        print(f"  run {i + 1}: {summary.reports:,} reports, {summary.quarantined} quarantined in {times[-1]:.1f} s "
              f"({summary.reports / times[-1]:,.0f} rows/s)", flush=True)  # fmt: skip
    med = statistics.median(times)
    return {"seconds": med, "rows_per_s": st["reports"] / med, "reports": st["reports"], "db_bytes": st["db_bytes"]}


def bench_map(db: Path, runs: int) -> dict[str, float]:
    from starlette.testclient import TestClient

    from cablemirror.web.app import create_app
    from cablemirror.web.site import SiteConfig

    app = create_app(str(db), config=SiteConfig())
    store = app.state.store
    out: dict[str, float] = {}
    with TestClient(app) as client:
        assert client.get("/map").status_code == 200  # templates compiled, outlines projected
        cold, warm, cached, calls = [], [], [], []
        for i in range(runs):
            store.clear_read_cache()
            start = time.perf_counter()
            r = client.get(f"/map?run=c{i}")  # a new address: the page cache misses
            cold.append(time.perf_counter() - start)
            assert r.status_code == 200
            start = time.perf_counter()
            client.get(f"/map?run=w{i}")
            warm.append(time.perf_counter() - start)
            start = time.perf_counter()
            client.get(f"/map?run=w{i}")
            cached.append(time.perf_counter() - start)
            store.clear_read_cache()
            from cablemirror.web.svgmap import choose_step, theatre_map

            home = theatre_map("afghanistan").home
            start = time.perf_counter()
            bins = store.report_bins(None, bbox=home, step=choose_step(home))
            calls.append(time.perf_counter() - start)
        size = len(r.content)
    print(f"  map page, cold (bins counted):   {_median_ms(cold)}")
    print(f"  map page, warm (bins cached):    {_median_ms(warm)}")
    print(f"  map page, from the page cache:   {_median_ms(cached)}")
    print(f"  report_bins over all reports:    {_median_ms(calls)}  ({bins.total:,} reports, {len(bins.bins)} cells, "
          f"{bins.outside} outside, {bins.unlocated} without a position)")  # fmt: skip
    print(f"  page size: {size / 1024:.0f} KiB")
    out.update(cold_ms=statistics.median(cold) * 1000, warm_ms=statistics.median(warm) * 1000,
               cached_ms=statistics.median(cached) * 1000, bins_ms=statistics.median(calls) * 1000,
               page_bytes=size, cells=len(bins.bins))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"rows of the diary (default {DEFAULT_COUNT:,})")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3, help="imports to time (median; default 3)")
    ap.add_argument("--map-runs", type=int, default=7, help="map requests of each kind (median; default 7)")
    ap.add_argument("--workers", type=int, default=default_workers(), help="parser processes (default: as the CLI)")
    ap.add_argument("--dir", type=Path, default=None, help="where to write the file and stores (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the file and the store")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON")
    args = ap.parse_args(argv)
    if args.count < 1 or args.runs < 1 or args.map_runs < 1:
        ap.error("--count, --runs and --map-runs must be at least 1")

    work = args.dir or Path(tempfile.mkdtemp(prefix="warlog-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; parser workers {args.workers}")
        csv = work / f"afg-{args.count}-{args.seed}.csv"
        if not csv.exists():
            start = time.perf_counter()
            stats = write_warlogs(csv, args.count, args.seed)
            print(f"wrote {stats.reports:,} rows ({stats.bytes / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
        print(f"import ({args.runs} runs):")
        imp = bench_import(csv, work, args.runs, args.workers)
        print(f"  median {imp['seconds']:.1f} s: {imp['rows_per_s']:,.0f} rows/s; store {imp['db_bytes'] / 1e6:.0f} MB")
        print(f"map of all {imp['reports']:,} reports ({args.map_runs} runs each):")
        mp = bench_map(work / "import.db", args.map_runs)
        if args.json:
            args.json.write_text(json.dumps({"import": imp, "map": mp, "count": args.count}, indent=1) + "\n")
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
