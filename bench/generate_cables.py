#!/usr/bin/env python3
"""Write a synthetic cables.csv (the full-size benchmark corpus by default) and print how fast.

    python bench/generate_cables.py --count 251287 --seed 0 --out /tmp/cables.csv

The text is generated (see ``cablemirror.demo``): every body says GENERATED DEMO DATA.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    from cablemirror.demo import DEFAULT_COUNT, write_cables_csv
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from cablemirror.demo import DEFAULT_COUNT, write_cables_csv


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"records to write (default {DEFAULT_COUNT:,})")
    ap.add_argument("--seed", type=int, default=0, help="same seed and count, same bytes (default 0)")
    ap.add_argument("--out", required=True, type=Path, help="the cables.csv to write (replaced if it exists)")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)
    if args.count < 0:
        ap.error("--count must be >= 0")
    if not args.out.parent.is_dir():
        ap.error(f"--out: directory {args.out.parent} does not exist")

    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=args.count, unit="rec", unit_scale=True, desc="generating")
    last = 0

    def progress(done: int) -> None:
        nonlocal last
        if bar is not None:
            bar.update(done - last)
        last = done

    try:
        stats = write_cables_csv(args.out, args.count, args.seed, progress=progress)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    secs = max(stats.seconds, 1e-9)
    print(
        f"{stats.records:,} records, {stats.bytes / 1e6:,.1f} MB in {stats.seconds:.1f} s: "
        f"{stats.records / secs:,.0f} records/s, {stats.bytes / 1e6 / secs:,.1f} MB/s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
