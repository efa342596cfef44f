"""Benchmarks of ``cablemirror export static``; prints numbers, asserts nothing.

    python bench/static_bench.py full --db /tmp/c251k.db --out /tmp/static251k [--workers 2]
        a whole export: time, memory, files, size on disk and the search index's share,
        then what a first search downloads (bytes of every file it loads, raw and
        gzipped as a web server would send them) for a few one-word queries, a phrase
        and a field query, run in Node over the exported index;
        run it again on the same folder to time a re-export with nothing new.

    python bench/static_bench.py incremental [--count 1000]
        a COUNT-cable collection exported without one of its cables, then exported again
        after importing that cable: how many files were rewritten, and which kinds.

The full corpus comes from ``python bench/generate_cables.py --count 251287 --seed 1
--out /tmp/c251k.csv`` and ``cablemirror import /tmp/c251k.csv --db /tmp/c251k.db``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cablemirror.export.static_index import INDEX_DIR  # noqa: E402
from cablemirror.export.static_site import StaticOptions, export_static  # noqa: E402

JS = ROOT / "src" / "cablemirror" / "web" / "static" / "search-static.js"
QUERIES = ["election", "minister", "kazakhstan", "xylophone", '"prime minister"', "tag:PGOV", "origin:almaty",
           "elect*"]

HARNESS = r"""
const fs = require("fs"), vm = require("vm"), path = require("path");
const [js, root] = process.argv.slice(2);
vm.runInThisContext(fs.readFileSync(js, "utf8"));
const load = (p) => { vm.runInThisContext(fs.readFileSync(path.join(root, p), "utf8")); return Promise.resolve(); };
(async () => {
  const out = [];
  for (const q of JSON.parse(fs.readFileSync(0, "utf8"))) {
    const engine = new globalThis.CMSearch.Engine(load);
    const t = Date.now();
    const r = await engine.search(q, {});
    out.push({ q, total: r.total, ms: Date.now() - t, files: engine.index.loaded });
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def du(path: Path) -> tuple[int, int]:
    """(bytes of the files, bytes on disk) under ``path``."""
    size = disk = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            size += st.st_size
            disk += st.st_blocks * 512
    return size, disk


def first_search(out: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        print("node is not installed: no measure of what a search downloads")
        return []
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as f:
        f.write(HARNESS)
    proc = subprocess.run([node, f.name, str(JS), str(out / INDEX_DIR)], input=json.dumps(QUERIES),
                          capture_output=True, text=True, check=True)
    os.unlink(f.name)
    rows = []
    page = [out / "search.html", out / "static" / "site.css", out / "static" / "site.js",
            out / "static" / "search-static.js"]
    page_raw = sum(p.stat().st_size for p in page)
    page_gz = sum(len(gzip.compress(p.read_bytes(), 6)) for p in page)
    for r in json.loads(proc.stdout):
        paths = [out / INDEX_DIR / p for p in r["files"]]
        raw = sum(p.stat().st_size for p in paths)
        gz = sum(len(gzip.compress(p.read_bytes(), 6)) for p in paths)
        kinds = Counter(p.split("/")[0] for p in r["files"])
        rows.append({"query": r["q"], "total": r["total"], "node_ms": r["ms"], "index_files": len(paths),
                     "kinds": dict(kinds), "index_bytes": raw, "index_bytes_gzip": gz,
                     "with_page_bytes": raw + page_raw, "with_page_bytes_gzip": gz + page_gz})
    return rows


def full(args: argparse.Namespace) -> None:
    out = Path(args.out)
    last = [time.perf_counter()]

    def progress(what: str, done: int, total: int) -> None:
        if done % 10_000 == 0 or done == total:
            now = time.perf_counter()
            print(f"  {what}: {done:,}/{total:,} ({now - last[0]:.0f}s since the last line)", flush=True)
            last[0] = now

    started = time.perf_counter()
    cpu0 = time.process_time()
    report = export_static(args.db, out, StaticOptions(workers=args.workers, raw=args.raw, pdf=args.pdf,
                                                       base_url=args.base_url), on_progress=progress)
    wall = time.perf_counter() - started
    cpu_self = time.process_time() - cpu0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    size, disk = du(out)
    isize, idisk = du(out / INDEX_DIR)
    csize, cdisk = du(out / "cable")
    files = sum(len(names) for _, _, names in os.walk(out))
    result = {
        "cables": report.cables,
        "cables_rendered": report.cables_rendered,
        "list_pages": report.list_pages,
        "missing_pages": report.missing_pages,
        "seconds": round(wall, 1),
        "cpu_seconds_main": round(cpu_self, 1),
        "cpu_seconds_workers": round(children.ru_utime + children.ru_stime, 1),
        "max_rss_main_mb": round(me.ru_maxrss / 1024),
        "max_rss_worker_mb": round(children.ru_maxrss / 1024),
        "files": files,
        "written": report.written,
        "unchanged": report.unchanged,
        "removed": report.removed,
        "bytes": size,
        "bytes_on_disk": disk,
        "cable_folder_bytes": csize,
        "index_bytes": isize,
        "index_bytes_on_disk": idisk,
        "index_share": round(isize / size, 4) if size else 0,
        "index": report.index,
        "first_search": first_search(out),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    print(subprocess.run(["du", "-sh", str(out)], capture_output=True, text=True).stdout.strip())
    print(subprocess.run(["du", "-sh", str(out / INDEX_DIR)], capture_output=True, text=True).stdout.strip())


def incremental(args: argparse.Namespace) -> None:
    from cablemirror.demo import generate_cables
    from cablemirror.ingest import import_paths
    from cablemirror.store import open_store

    root = Path(tempfile.mkdtemp(prefix="static-bench-"))
    try:
        cables = list(generate_cables(args.count, args.seed))
        ids = {c.reference_id for c in cables}
        cited = Counter(r for c in cables for r in c.references)
        new = next(c for c in reversed(cables) if any(r in ids for r in c.references) and cited[c.reference_id])
        before = root / "before.csv"
        before.write_text("".join(c.csv_record() for c in cables if c is not new), "utf-8")
        one = root / "one.csv"
        one.write_text(new.csv_record(), "utf-8")
        db = root / "store.db"
        with open_store(db) as store:
            import_paths(store, [before])
        out = root / "site"
        t = time.perf_counter()
        first = export_static(str(db), out, StaticOptions(workers=args.workers, keep_written=True))
        t1 = time.perf_counter() - t
        with open_store(db) as store:
            import_paths(store, [one])
        t = time.perf_counter()
        second = export_static(str(db), out, StaticOptions(workers=args.workers, keep_written=True))
        t2 = time.perf_counter() - t
        t = time.perf_counter()
        third = export_static(str(db), out, StaticOptions(workers=args.workers, keep_written=True))
        t3 = time.perf_counter() - t
        kinds = Counter(_kind(p) for p in second.written_paths)
        print(json.dumps({
            "collection": args.count,
            "new_cable": new.reference_id,
            "cites": list(new.references),
            "cited_by": cited[new.reference_id],
            "first_export": {"files": first.files, "seconds": round(t1, 1)},
            "after_one_import": {"files": second.files, "written": second.written, "removed": second.removed,
                                 "cables_rendered": second.cables_rendered, "seconds": round(t2, 1),
                                 "written_by_kind": dict(sorted(kinds.items()))},
            "nothing_new": {"written": third.written, "seconds": round(t3, 1)},
        }, indent=2))
        if args.list:
            print("\n".join(sorted(second.written_paths)))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _kind(path: str) -> str:
    if path.startswith(INDEX_DIR + "/"):
        rest = path[len(INDEX_DIR) + 1:]
        return "index " + (rest.split("/")[0] if "/" in rest else rest)
    if path.startswith("cable/"):
        return "cable " + path.rsplit(".", 1)[-1]
    if path.startswith("browse/"):
        return "browse " + path.split("/")[1].split(".")[0]
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("full")
    f.add_argument("--db", required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--workers", type=int, default=2)
    f.add_argument("--raw", action="store_true")
    f.add_argument("--pdf", action="store_true")
    f.add_argument("--base-url", default="")
    f.add_argument("--json", default=None, help="also write the numbers as JSON here")
    i = sub.add_parser("incremental")
    i.add_argument("--count", type=int, default=1000)
    i.add_argument("--seed", type=int, default=1)
    i.add_argument("--workers", type=int, default=1)
    i.add_argument("--list", action="store_true", help="print the paths rewritten")
    args = parser.parse_args()
    full(args) if args.cmd == "full" else incremental(args)


if __name__ == "__main__":
    main()
