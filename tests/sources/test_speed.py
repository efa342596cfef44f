"""Throughput of the readers on the real files (slow; prints numbers, asserts none).

Benchmarks are never timed assertions: the numbers are for the report.  The HTML
reader's cost is shown beside the two costs it cannot avoid (reading the file, and the
sha256 of all its bytes that provenance requires).  Times are the CPU time of this
process (best of a few runs), so other work on a shared machine inflates them less.
"""

from __future__ import annotations

import hashlib
import time

import pytest
from tests.conftest import shared_path

from cablemirror.model import RawRecord
from cablemirror.sources import cablegate_html, cables_csv


def _best(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


@pytest.mark.slow
@pytest.mark.corpus
def test_html_reader_throughput() -> None:
    files = sorted(shared_path("corpus", "cablegate-html").glob("*.html"))
    datas = [(p, p.read_bytes()) for p in files]
    n = len(files)
    size = sum(len(d) for _, d in datas) / n
    io = _best(lambda: [p.read_bytes() for p in files])
    sha = _best(lambda: [hashlib.sha256(d).hexdigest() for _, d in datas])
    parse = _best(lambda: [cablegate_html.parse_page(d, p) for p, d in datas])
    read = _best(lambda: [list(cablegate_html.read(p)) for p in files])
    us = lambda s: s / n * 1e6  # noqa: E731
    print(
        f"\nHTML, {n} pages of {size / 1024:.0f} KB on average: read() {us(read):.0f} us/page = {n / read:.0f} pages/s"
        f"\n  of which file I/O {us(io):.0f} us, sha256 {us(sha):.0f} us, locating + decoding {us(parse - sha):.0f} us"
    )
    assert all(isinstance(r, RawRecord) for p, d in datas for r in [cablegate_html.parse_page(d, p)])


@pytest.mark.slow
@pytest.mark.corpus
def test_csv_reader_throughput() -> None:
    files = sorted(shared_path("corpus", "cables-csv").glob("*.csv"))
    size = sum(p.stat().st_size for p in files)
    count = 0

    def run() -> None:
        nonlocal count
        count = sum(1 for p in files for _ in cables_csv.read(p))

    secs = _best(run, 3)
    print(f"\ncables.csv, {count} records, {size / 2**20:.1f} MB: {secs:.2f} s = {size / 2**20 / secs:.0f} MB/s, "
          f"{count / secs:.0f} records/s")
    assert count == 2948
