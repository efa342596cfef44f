"""How fast does the website answer?  Prints numbers; asserts nothing.

    python bench/web_bench.py [--db PATH] [--demo-count 20000] [--workers 1,2]
                              [--concurrency 1,10,50] [--duration 5] [--max-requests 20000]
                              [--endpoints cable_page,search_page,api_search,cable_json]
                              [--client auto|wrk|httpx] [--cold] [--hot N] [--python EXE]
                              [--profile ENDPOINT] [--json OUT]

1. Builds a store of the whole real corpus (``../shared/corpus``: official pages and
   their versions, cables.csv records, text extracts, PDFs) plus the generated demo
   collection, or reuses ``--db`` when it already holds cables.
2. Starts the site with ``cablemirror serve`` itself (uvicorn, one shared listening
   socket with TCP_NODELAY, access log off) on 127.0.0.1 on a free port, with 1 and
   then 2 worker processes; ``--python`` runs it with another interpreter (an A/B of
   environments, e.g. one with httptools and uvloop installed).
3. Drives load ONLY against that loopback server, for each endpoint and concurrency,
   bounded both by ``--duration`` seconds and by ``--max-requests`` requests: with
   ``wrk`` when it is installed (C, cheap on the shared cores; a Lua script picks a
   random path per request), else with an asyncio + httpx client.
4. Prints requests/s, median, p95, p99 latency and errors per endpoint, and the CPU
   time the server processes spent per request (read from /proc: on cores shared
   with other work, the one number that load elsewhere barely changes).  Before the
   runs it prints the load average and a calibration (``sum(range(1000))``, ~10 us on
   a desktop) so that runs on a busy machine can be compared.

Endpoints: ``cable_page`` (``/cable/{random id}``), ``search_page`` (``/search?q=``, a
fixed mix of queries), ``api_search`` (``/api/v1/search?q=``, the same mix) and
``cable_json`` (``/cable/{random id}.json``); ``floor`` (``/robots.txt``, not in the
default list) measures the server stack alone.

Sampling: every request of ``cable_page`` and ``cable_json`` picks an id uniformly at
random among ALL the cables of the store (the Lua script of wrk, or the httpx client,
draws from the full id list), so the per-worker page caches see mostly first visits,
as a crawler would make them; ``--hot N`` draws from N ids only instead (a popular
set, to measure the cache).  The store caches totals and facets per query, so after
the first round the fixed mix of searches measures warm searches; ``--cold`` appends
a unique word to every query to defeat that cache.

``--profile ENDPOINT`` profiles that request path in-process with cProfile (no server)
and prints where the time goes.

Targets (for a later issue): >= 500 cable pages/s at 50 connections with 0 errors, and
search p95 <= 50 ms, on 2 cores.  The load generator shares those cores with the
server, so the numbers are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from cablemirror.store import open_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CORPUS_PARTS = ("cablegate-html", "cablegate-html-versions", "cables-csv", "cable-text", "cable-pdf")
QUERIES = [
    "election",
    "nuclear iran",
    "tag:PGOV",
    "origin:embassy",
    '"human rights"',
    "class:secret -class:noforn",
    "from:2005 to:2006-06 minister",
    "elect*",
    "corruption OR bribery",
    "",
]
ENDPOINTS = ("cable_page", "search_page", "api_search", "cable_json")
EXTRA_ENDPOINTS = ("floor",)  # /robots.txt: what the server stack costs around any page
HOST = "127.0.0.1"  # loopback only: this tool never loads another machine

WRK_SCRIPT = r"""
local paths = {}
local max_requests = 0
local done_requests = 0

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  max_requests = tonumber(args[2])
  math.randomseed(tonumber(args[3]))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  done_requests = done_requests + 1
  if max_requests > 0 and done_requests >= max_requests then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


# ---------------------------------------------------------------------------
# The store


def build_store(db: Path, demo_count: int, seed: int) -> None:
    from cablemirror.demo import write_cables_csv
    from cablemirror.ingest import default_workers, import_paths

    parts = [CORPUS / p for p in CORPUS_PARTS if (CORPUS / p).exists()]
    if not parts:
        print(f"note: no real corpus at {CORPUS}; the store holds generated cables only", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="web-bench-") as tmp:
        paths = list(parts)
        if demo_count:
            demo = Path(tmp) / "demo-cables.csv"
            t = time.perf_counter()
            write_cables_csv(demo, demo_count, seed)
            print(f"generated {demo_count:,} demo cables in {time.perf_counter() - t:.1f} s", file=sys.stderr)
            paths.append(demo)
        t = time.perf_counter()
        with open_store(str(db)) as store:
            summary = import_paths(store, paths, workers=default_workers())
        print(
            f"imported {summary.new:,} new, {summary.updated:,} updated cables "
            f"({summary.quarantined} quarantined) in {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )


def store_facts(db: Path) -> tuple[int, list[str]]:
    with open_store(str(db), readonly=True) as store:
        ids = [cid for cid, _ in store.iter_ids()]
    return len(ids), ids


def endpoint_paths(endpoint: str, ids: list[str], rng: random.Random, cold: bool, hot: int = 0, n: int = 5000) -> list[str]:
    """The paths the client draws from, uniformly, one per request: every stored id
    (or ``hot`` of them) for the cable endpoints."""
    sample = (rng.sample(ids, min(hot, len(ids))) if hot else list(ids)) if ids else ["00NONE1"]

    def q(text: str, i: int) -> str:
        if cold:  # a word no cable has: a new query (and cache key) every time
            text = f"{text} -zzcold{i}".strip()
        return quote(text, safe="")

    if endpoint == "floor":
        return ["/robots.txt"]
    if endpoint == "cable_page":
        return [f"/cable/{cid}" for cid in sample]
    if endpoint == "cable_json":
        return [f"/cable/{cid}.json" for cid in sample]
    mix = [QUERIES[i % len(QUERIES)] for i in range(n if cold else len(QUERIES))]
    if endpoint == "search_page":
        return [f"/search?q={q(t, i)}" for i, t in enumerate(mix)]
    if endpoint == "api_search":
        return [f"/api/v1/search?q={q(t, i)}" for i, t in enumerate(mix)]
    raise SystemExit(f"unknown endpoint {endpoint!r}: choose from {', '.join(ENDPOINTS + EXTRA_ENDPOINTS)}")


# ---------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(db: Path, workers: int, python: str = sys.executable) -> Iterator[tuple[str, int]]:
    """``cablemirror serve`` on a free loopback port: (base URL, process group id)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [
        python, "-c", "from cablemirror.cli import main; main()", "serve", "--db", str(db),
        "--host", HOST, "--port", str(port), "--workers", str(workers),
    ]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
    base = f"http://{HOST}:{port}"
    try:
        _wait_ready(base, proc)
        yield base, proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the group this script started, by its id
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def group_usage(pgid: int) -> tuple[float, list[int]]:
    """(CPU seconds used so far, anonymous memory in KiB of each process) of a process
    group (Linux /proc).  Anonymous memory is what a worker holds of its own (Python
    objects, caches, SQLite's page cache); the resident size would also count the
    store's file pages that every worker maps and shares."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu, rss = 0.0, []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) "
            if int(fields[2]) != pgid:
                continue
            cpu += (int(fields[11]) + int(fields[12])) / tick
            status = (entry / "smaps_rollup").read_text()
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        rss += [int(line.split()[1]) for line in status.splitlines() if line.startswith("Anonymous:")]
    return cpu, rss


def settle(pgid: int, limit: float = 60.0) -> float:
    """Wait until the server is idle (under 5% of a core for half a second): requests
    the client gave up on may still be running in its threads, and their CPU must not
    count for the next endpoint.  Returns the seconds waited."""
    started = time.perf_counter()
    last, _ = group_usage(pgid)
    while time.perf_counter() - started < limit:
        time.sleep(0.5)
        now, _ = group_usage(pgid)
        if now - last < 0.025:
            break
        last = now
    return time.perf_counter() - started


def calibration() -> str:
    import timeit

    best = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000
    load = os.getloadavg()
    return f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; sum(range(1000)) {best * 1e6:.1f} us"


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/robots.txt", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server at {base} did not answer within {timeout:.0f} s")


# ---------------------------------------------------------------------------
# Load


@dataclass
class Result:
    workers: int
    concurrency: int
    endpoint: str
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    server_cpu_ms: float = 0.0  # server CPU time per request
    server_anon_mib: float = 0.0  # largest anonymous memory of a server process after the run

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(base: str, paths: list[str], conc: int, duration: float, max_requests: int, res: Result) -> None:
    with tempfile.TemporaryDirectory(prefix="web-bench-wrk-") as tmp:
        script = Path(tmp) / "paths.lua"
        script.write_text(WRK_SCRIPT)
        plist = Path(tmp) / "paths.txt"
        plist.write_text("\n".join(paths) + "\n")
        cmd = [
            "wrk", "-t1", f"-c{conc}", f"-d{max(1, round(duration))}s", "--timeout", "10s",
            "-s", str(script), base, "--", str(plist), str(max_requests), "1",
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    d = json.loads(line[len("WRKJSON "):])
    res.requests = d["requests"]
    res.seconds = d["duration_us"] / 1e6
    res.p50_ms, res.p95_ms, res.p99_ms, res.max_ms = (d[k] / 1000 for k in ("p50", "p95", "p99", "max"))
    res.error_kinds = {k: d[k] for k in ("connect", "read", "write", "status", "timeout") if d[k]}
    res.errors = sum(res.error_kinds.values())


def run_httpx(base: str, paths: list[str], conc: int, duration: float, max_requests: int, res: Result) -> None:
    import httpx

    async def main() -> tuple[list[float], dict[str, int], float]:
        latencies: list[float] = []
        errors: dict[str, int] = {}
        budget = [max_requests]
        rng = random.Random(1)
        limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10.0) as client:
            start = time.perf_counter()
            deadline = start + duration

            async def worker() -> None:
                while time.perf_counter() < deadline and budget[0] > 0:
                    budget[0] -= 1
                    t = time.perf_counter()
                    try:
                        r = await client.get(rng.choice(paths))
                        await r.aread()
                        if r.status_code >= 400:
                            errors[f"status {r.status_code}"] = errors.get(f"status {r.status_code}", 0) + 1
                    except httpx.HTTPError as exc:
                        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    latencies.append(time.perf_counter() - t)

            await asyncio.gather(*(worker() for _ in range(conc)))
            return latencies, errors, time.perf_counter() - start

    lat, errors, seconds = asyncio.run(main())
    lat.sort()

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000 if lat else 0.0

    res.requests, res.seconds = len(lat), seconds
    res.p50_ms = statistics.median(lat) * 1000 if lat else 0.0
    res.p95_ms, res.p99_ms, res.max_ms = pct(95), pct(99), (lat[-1] * 1000 if lat else 0.0)
    res.error_kinds, res.errors = errors, sum(errors.values())


# ---------------------------------------------------------------------------
# Profile one request path in-process


def profile(db: Path, endpoint: str, ids: list[str], n: int = 300) -> None:
    """cProfile sees one thread only: the app is driven from this thread's event loop
    and the thread-pool hop of sync handlers is made inline, so every call is seen."""
    import anyio.to_thread
    import httpx

    from cablemirror.web.app import create_app

    async def inline(func, *args, **_kw):  # type: ignore[no-untyped-def]
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    paths = endpoint_paths(endpoint, ids, random.Random(3), cold=False)
    app = create_app(str(db))

    async def drive(count: int) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for i in range(count):
                r = await client.get(paths[i % len(paths)])
                if r.status_code >= 500:
                    raise SystemExit(f"{paths[i % len(paths)]}: {r.status_code}")

    asyncio.run(drive(20))  # warm: imports, templates, caches
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    asyncio.run(drive(n))
    prof.disable()
    took = time.perf_counter() - t
    print(f"\nprofile of {endpoint}: {n} requests in-process, {took / n * 1000:.2f} ms each (client included)")
    for order in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(order).print_stats(int(os.environ.get("PROFILE_LINES", "30")))
        print(buf.getvalue())


# ---------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    head = (f"{'workers':>7} {'conc':>4}  {'endpoint':<12} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8} {'cpu ms':>7} {'mem MiB':>7} {'errors':>7}")
    print(head)
    print("-" * len(head))
    for r in results:
        err = f"{r.errors}" + (f" {r.error_kinds}" if r.errors else "")
        print(
            f"{r.workers:>7} {r.concurrency:>4}  {r.endpoint:<12} {r.requests:>8} {r.rps:>8.0f} "
            f"{r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.p99_ms:>8.1f} {r.server_cpu_ms:>7.2f} {r.server_anon_mib:>7.0f} {err:>7}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="store to use (built there when it holds no cable yet)")
    ap.add_argument("--demo-count", type=int, default=20_000, help="generated cables added to the real corpus")
    ap.add_argument("--seed", type=int, default=2010)
    ap.add_argument("--workers", default="1,2", help="server processes, comma-separated")
    ap.add_argument("--concurrency", default="1,10,50", help="open connections, comma-separated")
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per endpoint and concurrency")
    ap.add_argument("--max-requests", type=int, default=20_000, help="requests per endpoint and concurrency")
    ap.add_argument("--endpoints", default=",".join(ENDPOINTS))
    ap.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    ap.add_argument("--cold", action="store_true", help="a unique query every time (defeats the query cache)")
    ap.add_argument("--profile", metavar="ENDPOINT", help="profile one endpoint in-process instead of loading a server")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--hot", type=int, default=0, metavar="N", help="draw cable ids from N random ids, not from all")
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs the server")
    args = ap.parse_args()

    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    workers = [int(w) for w in args.workers.split(",")]
    concs = [int(c) for c in args.concurrency.split(",")]
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "httpx"
    if client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --client httpx")

    tmp_dir = None
    db = args.db
    if db is None:
        tmp_dir = tempfile.TemporaryDirectory(prefix="web-bench-db-")
        db = Path(tmp_dir.name) / "bench.db"
    try:
        has_cables = False
        if db.exists():
            # Read-only: a benchmark never rewrites a store it was given (an older schema
            # is refused with the advice to run ``cablemirror upgrade``).
            with open_store(str(db), readonly=True) as store:
                has_cables = store.stats()["cables"] > 0
        if not has_cables:
            build_store(db, args.demo_count, args.seed)
        n, ids = store_facts(db)
        print(f"store {db}: {n:,} cables; client: {client}; cores: {os.cpu_count()}; {calibration()}", file=sys.stderr)

        if args.profile:
            profile(db, args.profile, ids)
            return

        rng = random.Random(args.seed)
        paths = {e: endpoint_paths(e, ids, rng, args.cold, args.hot) for e in endpoints}
        runner = run_wrk if client == "wrk" else run_httpx
        results: list[Result] = []
        for w in workers:
            with server(db, w, args.python) as (base, pgid):
                for e in endpoints:  # warm every worker: imports, templates, first queries
                    runner(base, paths[e], max(2, w * 2), 3.0, 400, Result(w, 0, e))
                for c in concs:
                    for e in endpoints:
                        res = Result(w, c, e)
                        waited = settle(pgid)
                        if waited > 1.5:
                            print(f"  (waited {waited:.0f} s for the server to finish earlier requests)", file=sys.stderr)
                        cpu0, _ = group_usage(pgid)
                        runner(base, paths[e], c, args.duration, args.max_requests, res)
                        cpu1, rss = group_usage(pgid)
                        res.server_cpu_ms = (cpu1 - cpu0) * 1000 / res.requests if res.requests else 0.0
                        res.server_anon_mib = max(rss, default=0) / 1024
                        results.append(res)
                        print(
                            f"  workers={w} conc={c:<3} {e:<12} {res.rps:7.0f} req/s  p95 {res.p95_ms:6.1f} ms"
                            f"  cpu {res.server_cpu_ms:5.2f} ms/req  errors {res.errors}",
                            file=sys.stderr,
                        )
        print()
        print(calibration())
        print_table(results)
        if args.json:
            args.json.write_text(json.dumps([{**asdict(r), "rps": r.rps} for r in results], indent=2))
    finally:
        if tmp_dir is not None:
            tmp_dir.cleanup()


if __name__ == "__main__":
    main()
