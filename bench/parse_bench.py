"""Parse speed on the real official HTML pages, and import rate into SQLite.

    python bench/parse_bench.py [--corpus ../shared/corpus] [--rounds 5] [--no-import] [--cold]

Prints, for the pages of ``corpus/cablegate-html`` (one process, all fields):
reader alone, parser alone, and reader + parser in pages/s and MB/s (median of
``--rounds`` rounds of CPU time), then the rate of ``cablemirror import`` of the whole
corpus folder into a fresh SQLite file (wall time, records/s, one and two parser
processes).  Numbers only: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cablemirror.cables import parse_record  # noqa: E402
from cablemirror.sources import cablegate_html  # noqa: E402


def _clear_caches() -> None:
    """Empty the parser's word-level caches (station names, title words...), so a round
    costs what a first pass over new cables costs."""
    import cablemirror.cables as pkg

    for name in dir(pkg):
        module = getattr(pkg, name)
        for value in vars(module).values() if hasattr(module, "__dict__") else ():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _rounds(files: list[Path], rounds: int, cold: bool = False) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"reader": [], "parser": [], "both": []}
    for _ in range(rounds):
        if cold:
            _clear_caches()
        t0 = time.process_time()
        records = [r for f in files for r in cablegate_html.read(f)]
        t1 = time.process_time()
        for r in records:
            parse_record(r)
        t2 = time.process_time()
        out["reader"].append(t1 - t0)
        out["parser"].append(t2 - t1)
        out["both"].append(t2 - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-import", action="store_true", help="skip the SQLite import measurement")
    ap.add_argument("--cold", action="store_true", help="empty the parser's word caches before each round")
    args = ap.parse_args()

    pages_dir = args.corpus / "cablegate-html"
    files = sorted(pages_dir.glob("*.html"))
    if not files:
        print(f"no HTML pages under {pages_dir}: pass --corpus", file=sys.stderr)
        return 2
    n = len(files)
    mb = sum(f.stat().st_size for f in files) / 1e6
    # Warm up: imports, regex compilation, file cache.
    for f in files:
        for r in cablegate_html.read(f):
            parse_record(r)

    times = _rounds(files, args.rounds, args.cold)
    print(f"{n} official HTML pages, {mb:.1f} MB; median of {args.rounds} rounds, CPU time, one process"
          + (", word caches emptied before each round" if args.cold else ""))
    print(f"{'stage':<16}{'pages/s':>10}{'MB/s':>9}{'µs/page':>10}")
    for stage, label in (("reader", "reader"), ("parser", "parser"), ("both", "reader+parser")):
        t = statistics.median(times[stage])
        print(f"{label:<16}{n / t:>10,.0f}{mb / t:>9.1f}{t / n * 1e6:>10.0f}")
    from cablemirror.cables._gates import HAVE_RE2

    print("RE2 gate for text repairs: " + ("on (google-re2 installed)" if HAVE_RE2 else
                                           "off (google-re2 not installed: every text is scanned with re)"))

    if not args.no_import:
        from cablemirror.ingest import import_paths
        from cablemirror.store import open_store

        print(f"\nimport of {args.corpus} into a fresh SQLite file (wall time)")
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as tmp:
                with open_store(str(Path(tmp) / "bench.db")) as store:
                    t0 = time.perf_counter()
                    s = import_paths(store, [args.corpus], workers=workers)
                    dt = time.perf_counter() - t0
                print(
                    f"  workers={workers}: {s.records:,} records + {s.quarantined} quarantined from "
                    f"{len(s.files)} files in {dt:.1f} s = {s.records / dt:,.0f} records/s, "
                    f"{s.bytes_read / 1e6 / dt:.1f} MB/s"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
