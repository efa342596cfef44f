"""Conformance with the earlier cable parser ("cablemap"): pass rate per field and overall.

    python bench/peer_conformance.py [--verbose] [--cases PATH] [--corpus PATH]

Reads the cases from ../shared/peer/cablemap-cases.jsonl and the corpus from
../shared/corpus (beside the project root) unless told otherwise.  Rates count the
cases that ran offline and whose expectation stands; wrong expectations, cases whose
cable is not in the corpus, and fields our record does not carry are listed apart.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cablemirror.cables.conformance import NOT_APPLICABLE, Report, load_cases, run_cases  # noqa: E402

SHARED = ROOT.parent / "shared"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=str(SHARED / "peer" / "cablemap-cases.jsonl"))
    ap.add_argument("--corpus", default=str(SHARED / "corpus"))
    ap.add_argument("--verbose", "-v", action="store_true", help="list failures and wrong expectations")
    args = ap.parse_args(argv)
    if not Path(args.cases).exists():
        print(f"no cases at {args.cases}", file=sys.stderr)
        return 2
    corpus = args.corpus if Path(args.corpus).exists() else None
    report = run_cases(load_cases(args.cases), corpus)
    print(f"{'field':24s} {'pass':>5s} {'fail':>5s} {'wrong':>6s} {'skip':>5s} {'n/a':>4s}  rate")
    for fld, c in sorted(report.by_field().items()):
        rate = Report.rate(c)
        print(f"{fld:24s} {c['pass']:5d} {c['fail']:5d} {c['wrong-expectation']:6d} {c['skip']:5d} "
              f"{c['n/a']:4d}  {'-' if rate is None else f'{rate:6.1%}'}")
    total = report.overall()
    rate = Report.rate(total)
    print(f"{'overall':24s} {total['pass']:5d} {total['fail']:5d} {total['wrong-expectation']:6d} "
          f"{total['skip']:5d} {total['n/a']:4d}  {rate:6.1%}")
    ran = total["pass"] + total["fail"] + total["wrong-expectation"]
    print(f"offline cases run: {ran}; with wrong expectations counted as failures: "
          f"{total['pass'] / ran:.1%}" if ran else "no case ran")
    for fld, why in NOT_APPLICABLE.items():
        print(f"not applicable: {fld}: {why}")
    if args.verbose:
        for r in report.results:
            if r.status in ("fail", "wrong-expectation"):
                print(f"\n{r.status.upper()} {r.case_id}\n  got:      {r.got!r}\n  expected: {r.expected!r}")
                if r.note:
                    print(f"  note: {r.note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
