#!/usr/bin/env python3
"""Write a synthetic war-log CSV (the Afghan War Diary's size by default) and print how fast.

    python bench/generate_warlogs.py --count 76911 --seed 0 --out /tmp/afg.csv
    python bench/generate_warlogs.py --out /tmp/afg-hostile.csv --hostile --variant 34 --read-back

Every report is generated (its title ends with [GENERATED]).  --hostile damages a share of
the rows and writes <out>.hostile.json, naming each hostile row and what must become of it.
--read-back then reads and parses the file and prints rows/s and what was quarantined.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

try:
    from cablemirror.demo.warlogs import DEFAULT_COUNT, VARIANTS, write_warlogs
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from cablemirror.demo.warlogs import DEFAULT_COUNT, VARIANTS, write_warlogs


def read_back(path: Path) -> str:
    """Read and parse the whole file; a line of numbers."""
    from cablemirror.model import Quarantined
    from cablemirror.sources.warlog_csv import read
    from cablemirror.warlogs.parse import parse_or_quarantine

    start = time.perf_counter()
    reports = 0
    reasons: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    for item in read(path):
        result = item if isinstance(item, Quarantined) else parse_or_quarantine(item)
        if isinstance(result, Quarantined):
            reasons[re.split(r"[:'\"(]", result.reason, maxsplit=1)[0].strip()] += 1  # the kind, not the value
        else:
            reports += 1
            problems.update(result.problem_kinds())
    secs = max(time.perf_counter() - start, 1e-9)
    rows = reports + sum(reasons.values())
    out = f"read+parse: {rows:,} rows in {secs:.1f} s: {rows / secs:,.0f} rows/s; {reports:,} reports"
    if reasons:
        out += f", {sum(reasons.values()):,} quarantined ({', '.join(f'{k}: {n}' for k, n in reasons.most_common())})"
    if problems:
        out += f"; problems noted: {sum(problems.values()):,}"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"reports to write (default {DEFAULT_COUNT:,})")
    ap.add_argument("--seed", type=int, default=0, help="same seed and options, same bytes (default 0)")
    ap.add_argument("--out", required=True, type=Path, help="the CSV to write (replaced if it exists)")
    ap.add_argument("--variant", choices=VARIANTS, default="32",
                    help="32: headerless afg-war-diary.csv; 34: header row and <null value>; iraq: Iraq War Logs")
    ap.add_argument("--hostile", action="store_true", help="damage a share of the rows; write <out>.hostile.json")
    ap.add_argument("--read-back", action="store_true", help="then read and parse the file, and print rows/s")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)
    if args.count < 0:
        ap.error("--count must be >= 0")
    if not args.out.parent.is_dir():
        ap.error(f"--out: directory {args.out.parent} does not exist")

    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=args.count, unit="rep", unit_scale=True, desc="generating")
    last = 0

    def progress(done: int) -> None:
        nonlocal last
        if bar is not None:
            bar.update(done - last)
        last = done

    try:
        stats = write_warlogs(args.out, args.count, args.seed, variant=args.variant, hostile=args.hostile,
                              progress=progress)  # fmt: skip
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    secs = max(stats.seconds, 1e-9)
    print(
        f"{stats.reports:,} reports ({stats.rows:,} rows), {stats.bytes / 1e6:,.1f} MB in {stats.seconds:.1f} s: "
        f"{stats.reports / secs:,.0f} reports/s, {stats.bytes / 1e6 / secs:,.1f} MB/s -> {args.out}"
    )
    if stats.sidecar is not None:
        print(f"{stats.hostile_rows:,} hostile rows ({len(stats.kinds)} kinds) listed in {stats.sidecar}")
    if args.read_back:
        print(read_back(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
