#!/usr/bin/env python3
"""Every full-size benchmark in one run, one table of numbers, and bench/RESULTS.md.

    python bench/run_all.py [--work /tmp/cablemirror-bench] [--count 251287]
                            [--only STEP,...] [--skip STEP,...] [--pg URL] [--out bench/RESULTS.md]

Steps, in order (each one's full output goes into the results file, its key numbers into
the table at the top):

  generate     bench/generate_cables.py: the full-size cables.csv (kept in --work, reused)
  import       cablemirror import of it into a fresh SQLite file: wall time, peak memory
               of the whole process tree (sampled from /proc), records/s, database size
  search       bench/search_bench.py on that store: the fixed query mix, facets on every query
  web          bench/web_bench.py: the site served by 2 workers, 50 connections, loopback
  pg_import    the same cables.csv into PostgreSQL (a fresh schema)
  pg_search    bench/pg_bench.py search: the query mix on both stores, side by side
  static       bench/static_bench.py full: the whole site exported as static files
  warlogs      bench/warlog_bench.py: a generated 76,911-row war diary imported, its map page
  parse        bench/parse_bench.py: reader and parser speed on the real HTML pages
  conformance  bench/peer_conformance.py: pass rates against the earlier parser's cases

Nothing is asserted: targets are printed beside the numbers.  The machine is shared:
the load average is printed before and after, and every timing is a median where the
step repeats its measurement.  Run it with nothing else on the machine when you can.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
STEPS = ("generate", "import", "search", "web", "pg_import", "pg_search", "static", "warlogs", "parse",
         "conformance")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "bench_run_all"


# --------------------------------------------------------------------------- processes


def _tree_rss_kib(root: int) -> tuple[int, int]:
    """(sum, largest) resident set in KiB of ``root`` and all its descendants."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields start after the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        parent[int(entry)] = int(fields[1])
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        for child, par in parent.items():
            if par == p and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = largest = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        kib = int(line.split()[1])
                        total += kib
                        largest = max(largest, kib)
                        break
        except OSError:
            continue
    return total, largest


@dataclass
class Run:
    """One command's run: its output, wall time and peak memory."""

    cmd: list[str]
    returncode: int = 0
    seconds: float = 0.0
    peak_tree_mib: float = 0.0
    peak_process_mib: float = 0.0
    stdout: str = ""
    stderr_tail: str = ""


def run(cmd: list[str], *, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd``, sampling the memory of its process tree four times a second."""
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(BENCH), **(env or {})}
    res = Run(cmd)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env,
                            stdin=subprocess.DEVNULL, cwd=ROOT)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            total, largest = _tree_rss_kib(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)

    err_lines: list[str] = []

    def drain_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            sys.stderr.write(line)
            err_lines.append(line)
            del err_lines[:-40]

    threads = [threading.Thread(target=sample, daemon=True), threading.Thread(target=drain_stderr, daemon=True)]
    for t in threads:
        t.start()
    assert proc.stdout is not None
    res.stdout = proc.stdout.read()
    res.returncode = proc.wait()
    res.seconds = time.perf_counter() - started
    done.set()
    for t in threads:
        t.join()
    res.peak_tree_mib, res.peak_process_mib = peak[0] / 1024, peak[1] / 1024
    # progress bars redraw with carriage returns: keep each line's last state
    res.stderr_tail = "".join(line.rsplit("\r", 1)[-1] for line in err_lines[-15:])
    sys.stdout.write(res.stdout)
    if res.returncode:
        print(f"!! exit status {res.returncode}", file=sys.stderr)
    return res


def cablemirror(*args: str) -> list[str]:
    return [sys.executable, "-m", "cablemirror.cli", *args]


def bench(script: str, *args: str) -> list[str]:
    return [sys.executable, str(BENCH / script), *args]


# --------------------------------------------------------------------------- the machine


def _first_line(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def machine(pg_url: str | None) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    facts = {
        "date": _now(),
        "commit": _first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "cpu": f"{cpu}, {os.cpu_count()} cores seen",
        "memory": mem,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "disk": _first_line(["sh", "-c", f"df -h {ROOT} | tail -1"]),
    }
    if pg_url:
        try:
            import psycopg

            with psycopg.connect(pg_url, connect_timeout=3) as conn:
                facts["postgresql"] = str(conn.execute("SHOW server_version").fetchone()[0])
        except Exception as exc:  # noqa: BLE001 - a fact to print, not a failure
            facts["postgresql"] = f"not reachable ({exc.__class__.__name__})"
    return facts


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


# --------------------------------------------------------------------------- steps


@dataclass
class Context:
    """What the steps measured, step by step: {"rows": [(step, what, measured, target)],
    "sections": [(title, text)], "measured": when, "load": load average then, "commit"}.
    Kept in ``--work``/results.json, so that a run of some steps (``--only``) writes a
    results file that still holds the others' last numbers, each dated."""

    args: argparse.Namespace
    work: Path
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    current: str = ""

    @property
    def saved(self) -> Path:
        return self.work / "results.json"

    def load_saved(self) -> None:
        data = _json(self.saved)
        if isinstance(data, dict):
            self.steps = {k: v for k, v in data.items() if k in STEPS}

    def begin(self, step: str) -> None:
        self.current = step
        self.steps[step] = {"rows": [], "sections": [], "measured": _now(), "load": load(),
                            "commit": _first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])}

    def save(self) -> None:
        self.saved.write_text(json.dumps(self.steps, indent=1))

    @property
    def rows(self) -> list[tuple[str, str, str, str]]:
        return [tuple(r) for name in STEPS if name in self.steps for r in self.steps[name]["rows"]]  # type: ignore[misc]

    @property
    def csv(self) -> Path:
        return self.work / f"cables-{self.args.count}.csv"

    @property
    def db(self) -> Path:
        return self.work / f"cables-{self.args.count}.db"

    @property
    def pg(self) -> str:
        sep = "&" if "?" in self.args.pg else "?"
        return f"{self.args.pg}{sep}schema={PG_SCHEMA}"

    def row(self, step: str, what: str, measured: str, target: str = "") -> None:
        self.steps[self.current]["rows"].append((step, what, measured, target))

    def section(self, title: str, r: Run, extra: str = "") -> None:
        text = f"$ {' '.join(_short(c) for c in r.cmd)}\n(exit {r.returncode}, {r.seconds:.0f} s)\n\n"
        text += r.stdout.strip() + "\n"
        if r.stderr_tail.strip():
            text += "\n-- last lines of stderr --\n" + r.stderr_tail.strip() + "\n"
        self.steps[self.current]["sections"].append((title, text + extra))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _short(arg: str) -> str:
    return arg.replace(str(ROOT) + "/", "").replace(sys.executable, "python")


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else (" (met)" if ok else " (NOT met)")


def step_generate(c: Context) -> None:
    if c.csv.exists() and c.csv.stat().st_size > 0 and not c.args.regenerate:
        c.row("generate", f"{c.args.count:,} cables", f"reused {c.csv.name}, {c.csv.stat().st_size / 1e6:,.0f} MB")
        return
    r = run(bench("generate_cables.py", "--count", str(c.args.count), "--seed", "1", "--out", str(c.csv), "--quiet"))
    c.section("Generate the full-size cables.csv", r)
    c.row("generate", f"{c.args.count:,} cables, seed 1",
          f"{r.seconds:.0f} s, {c.csv.stat().st_size / 1e6:,.0f} MB, peak {r.peak_tree_mib:.0f} MiB")


def _stats(db: str) -> dict[str, Any]:
    r = run(cablemirror("stats", "--json", "--db", db))
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {}


def _import(c: Context, step: str, db: str, label: str) -> None:
    r = run(cablemirror("import", str(c.csv), "--db", db))
    stats = _stats(db)
    n = stats.get("cables", 0)
    size = ""
    if not db.startswith("postgresql:") and Path(db).exists():
        size = f", database {Path(db).stat().st_size / 1e6:,.0f} MB"
    c.section(f"Import into {label}", r, f"\nstats: {json.dumps(stats)}\n")
    minutes = r.seconds / 60
    c.row(step, f"import {c.args.count:,} cables into {label} (wall)",
          f"{minutes:.1f} min, {n / r.seconds if r.seconds else 0:,.0f} cables/s{size}; exit {r.returncode}",
          "<= 5 min" + _verdict(minutes <= 5) if label == "SQLite" else "")
    c.row(step, f"import into {label}: peak memory (all processes)",
          f"{r.peak_tree_mib:,.0f} MiB (largest process {r.peak_process_mib:,.0f} MiB)",
          "<= 1 GB" + _verdict(r.peak_tree_mib * 1.048576 <= 1000) if label == "SQLite" else "")
    c.row(step, f"{label}: cables / versions / quarantined",
          f"{n:,} / {stats.get('versions', 0):,} / {stats.get('quarantined', 0):,}")


def step_import(c: Context) -> None:
    for p in (c.db, Path(str(c.db) + "-wal"), Path(str(c.db) + "-shm")):
        p.unlink(missing_ok=True)
    _import(c, "import", str(c.db), "SQLite")


def step_search(c: Context) -> None:
    out = c.work / "search.json"
    r = run(bench("search_bench.py", "--db", str(c.db), "--runs", "3", "--json", str(out)))
    c.section("Search (SQLite)", r)
    d = _json(out)
    if not d:
        c.row("search", "search_bench", f"failed (exit {r.returncode})")
        return
    cold, warm = d["cold_wall"], d["warm_wall"]
    c.row("search", f"query mix, {d['queries']} queries x {d['runs']}, cold, facets + exact counts",
          f"median {cold['median']:.1f} ms, p95 {cold['p95']:.1f} ms, p99 {cold['p99']:.1f} ms",
          "p95 <= 50 ms" + _verdict(cold["p95"] <= 50))
    c.row("search", "same query again (result cache warm)",
          f"median {warm['median']:.1f} ms, p95 {warm['p95']:.1f} ms")
    worst = max(d["per_kind_cold_wall"].items(), key=lambda kv: kv[1]["p95"])
    c.row("search", "slowest kind of query (cold p95)", f"{worst[0]}: {worst[1]['p95']:.1f} ms")


def step_web(c: Context) -> None:
    out = c.work / "web.json"
    r = run(bench("web_bench.py", "--db", str(c.db), "--workers", "2", "--concurrency", "50", "--duration",
                  str(c.args.web_seconds), "--max-requests", "100000", "--endpoints",
                  "cable_page,search_page,api_search,cable_json", "--json", str(out)))
    c.section("Website under load (SQLite)", r)
    results = _json(out) or []
    if not results:
        c.row("web", "web_bench", f"failed (exit {r.returncode})")
    for res in results:
        target = ""
        if res["endpoint"] == "cable_page":
            target = ">= 500 req/s, 0 errors" + _verdict(res["rps"] >= 500 and res["errors"] == 0)
        elif res["endpoint"] in ("search_page", "api_search"):
            target = "p95 <= 50 ms" + _verdict(res["p95_ms"] <= 50)
        c.row("web", f"{res['endpoint']}, {res['workers']} workers, {res['concurrency']} connections",
              f"{res['rps']:,.0f} req/s, p50 {res['p50_ms']:.1f} ms, p95 {res['p95_ms']:.1f} ms, "
              f"{res['errors']} errors, server CPU {res['server_cpu_ms']:.2f} ms/req", target)


def _pg_reachable(c: Context, *, drop_schema: bool = False) -> bool:
    """Whether the server answers; ``drop_schema`` empties the benchmark's schema first."""
    try:
        import psycopg

        with psycopg.connect(c.args.pg, connect_timeout=3, autocommit=True) as conn:
            if drop_schema:
                conn.execute(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE')
        return True
    except Exception as exc:  # noqa: BLE001
        c.row("pg", "PostgreSQL", f"not reachable at {c.args.pg}: {exc.__class__.__name__}")
        return False


def step_pg_import(c: Context) -> None:
    if not _pg_reachable(c, drop_schema=True):
        return
    _import(c, "pg_import", c.pg, "PostgreSQL")


def step_pg_search(c: Context) -> None:
    if not _pg_reachable(c):
        return
    out = c.work / "pg-search.json"
    r = run(bench("pg_bench.py", "search", "--sqlite", str(c.db), "--pg", c.pg, "--runs", "3", "--json", str(out)))
    c.section("Search, SQLite beside PostgreSQL", r)
    d = _json(out)
    if not d:
        c.row("pg_search", "pg_bench search", f"failed (exit {r.returncode})")
        return
    for name in ("SQLite", "PostgreSQL"):
        s = d[name]
        c.row("pg_search", f"query mix on {name} (cold, word mix of pg_bench)",
              f"median {s['median']:.1f} ms, p95 {s['p95']:.1f} ms, p99 {s['p99']:.1f} ms")


def step_static(c: Context) -> None:
    out_dir = c.work / "static"
    out = c.work / "static.json"
    shutil.rmtree(out_dir, ignore_errors=True)
    r = run(bench("static_bench.py", "full", "--db", str(c.db), "--out", str(out_dir), "--workers", "2",
                  "--json", str(out)))
    c.section("Static export", r)
    d = _json(out)
    if not d:
        c.row("static", "static_bench full", f"failed (exit {r.returncode})")
        return
    c.row("static", f"export static of {d['cables']:,} cables (first export)",
          f"{d['seconds'] / 60:.1f} min, {d['files']:,} files, {d['bytes'] / 1e9:.2f} GB "
          f"({d['bytes_on_disk'] / 1e9:.2f} GB on disk), search index {d['index_share'] * 100:.0f}%")
    first = d.get("first_search") or []
    if first:
        worst = max(first, key=lambda q: q["with_page_bytes_gzip"])
        c.row("static", "first search: page + index files downloaded (largest of the probe queries)",
              f"{worst['query']}: {worst['with_page_bytes'] / 1e3:,.0f} kB, "
              f"{worst['with_page_bytes_gzip'] / 1e3:,.0f} kB gzipped, {worst['index_files']} index files")
    r2 = run(bench("static_bench.py", "full", "--db", str(c.db), "--out", str(out_dir), "--workers", "2",
                   "--json", str(out)))
    c.section("Static export again, nothing new", r2)
    d2 = _json(out)
    if d2:
        c.row("static", "re-export with nothing new", f"{d2['seconds'] / 60:.1f} min, {d2['written']:,} files written")
    shutil.rmtree(out_dir, ignore_errors=True)


def step_warlogs(c: Context) -> None:
    out = c.work / "warlogs.json"
    r = run(bench("warlog_bench.py", "--runs", "1", "--map-runs", "5", "--json", str(out)))
    c.section("War diary (76,911 generated rows)", r)
    d = _json(out)
    if not d:
        c.row("warlogs", "warlog_bench", f"failed (exit {r.returncode})")
        return
    imp = d.get("import", {})
    c.row("warlogs", f"import {d.get('count', 0):,} war-diary rows",
          ", ".join(f"{k} {v}" for k, v in imp.items() if not isinstance(v, (list, dict))))
    mp = d.get("map", {})
    c.row("warlogs", "map page of all reports (medians, ms)",
          ", ".join(f"{k} {v}" for k, v in mp.items() if not isinstance(v, (list, dict))))


def step_parse(c: Context) -> None:
    r = run(bench("parse_bench.py"))
    c.section("Reader and parser on the real HTML pages; import of the real corpus", r)
    for line in r.stdout.splitlines():
        if line.strip().startswith("workers="):
            head, _, rest = line.strip().partition(": ")
            c.row("parse", f"import of the whole real corpus folder into SQLite, {head.replace('=', ' ')}", rest)
        if line.replace(" ", "").startswith("reader+parser"):
            rate = line.replace("reader + parser", "reader+parser").split()[1]
            c.row("parse", "reader + parser, real HTML pages, one process (CPU)", f"{rate} pages/s",
                  ">= 3,600 pages/s" + _verdict(float(rate.replace(",", "")) >= 3600))


def step_conformance(c: Context) -> None:
    r = run(bench("peer_conformance.py"))
    c.section("Conformance with the earlier parser's cases", r)
    for line in r.stdout.splitlines():
        cols = line.split()
        if cols[:1] == ["overall"] and len(cols) >= 7:
            passed, failed, wrong, absent, na, rate = cols[1:7]
            c.row("conformance", "earlier parser's cases, offline",
                  f"{rate} ({passed} passed, {failed} failed; {wrong} wrong expectations listed, "
                  f"{absent} cables not in the corpus, {na} not applicable)", ">= 95% overall, >= 90% per field")
        elif line.startswith("offline cases run"):
            c.row("conformance", "the same, counting the wrong expectations as failures", line.rsplit(":", 1)[1].strip())


STEP_FUNCS: dict[str, Callable[[Context], None]] = {
    "generate": step_generate, "import": step_import, "search": step_search, "web": step_web,
    "pg_import": step_pg_import, "pg_search": step_pg_search, "static": step_static, "warlogs": step_warlogs,
    "parse": step_parse, "conformance": step_conformance,
}


# --------------------------------------------------------------------------- report


def table(rows: list[tuple[str, str, str, str]]) -> str:
    lines = ["| step | what | measured | target |", "|---|---|---|---|"]
    lines += [f"| {s} | {w} | {m} | {t} |" for s, w, m, t in rows]
    return "\n".join(lines)


def write_results(path: Path, facts: dict[str, str], c: Context) -> None:
    parts = [
        "# Benchmark results",
        "",
        "Written by `python bench/run_all.py` (the numbers below are its output; nothing is edited by hand).",
        "Medians where a step repeats its measurement. The machine is shared: compare runs made under",
        "similar load, as ratios. Each step says when it was measured, on which commit, and the load",
        "average (1, 5, 15 min) as it began.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in facts.items()],
        "",
        "## Summary",
        "",
        table(c.rows),
        "",
        "| step | measured | commit | load as it began |",
        "|---|---|---|---|",
        *[f"| {name} | {c.steps[name]['measured']} | {c.steps[name]['commit']} | {c.steps[name]['load']} |"
          for name in STEPS if name in c.steps],
        "",
        "## Full output of each step",
        "",
    ]
    for name in STEPS:
        for title, text in c.steps.get(name, {}).get("sections", []):
            parts += [f"### {title}", "", "```", text.rstrip(), "```", ""]
    path.write_text("\n".join(parts))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="steps: " + ", ".join(STEPS))
    ap.add_argument("--work", type=Path, default=Path("/tmp/cablemirror-bench"),
                    help="where the generated files, stores and export go (default /tmp/cablemirror-bench)")
    ap.add_argument("--count", type=int, default=251_287, help="cables to generate (default 251,287)")
    ap.add_argument("--csv", type=Path, default=None, help="use this cables.csv instead of generating one")
    ap.add_argument("--regenerate", action="store_true", help="write the cables.csv again even when it exists")
    ap.add_argument("--only", default="", help="comma-separated steps to run (default: all)")
    ap.add_argument("--skip", default="", help="comma-separated steps to leave out")
    ap.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server for the pg_ steps (default {DEFAULT_PG})")
    ap.add_argument("--web-seconds", type=float, default=10.0, help="seconds of load per endpoint (default 10)")
    ap.add_argument("--fresh", action="store_true", help="forget the numbers of earlier runs kept in --work")
    ap.add_argument("--out", type=Path, default=None,
                    help="results file (default bench/RESULTS.md; '-' for none)")
    args = ap.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()] or list(STEPS)
    skipped = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = [s for s in [*chosen, *skipped] if s not in STEPS]
    if unknown:
        ap.error(f"unknown step(s): {', '.join(unknown)}; steps are {', '.join(STEPS)}")
    args.work.mkdir(parents=True, exist_ok=True)
    c = Context(args, args.work)
    if not args.fresh:
        c.load_saved()
    if args.csv is not None:
        if not args.csv.exists():
            ap.error(f"no such file: {args.csv}")
        link = c.csv
        link.unlink(missing_ok=True)
        link.symlink_to(args.csv.resolve())

    facts = machine(args.pg)
    for name in STEPS:
        if name in chosen and name not in skipped:
            print(f"\n== {name} (load {load()})", file=sys.stderr, flush=True)
            c.begin(name)
            STEP_FUNCS[name](c)
            c.save()

    print("\n" + table(c.rows))
    out = args.out if args.out is not None else BENCH / "RESULTS.md"
    if str(out) != "-":
        write_results(out, facts, c)
        print(f"\nwritten: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
