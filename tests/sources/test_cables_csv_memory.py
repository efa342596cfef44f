"""Streaming: a ~200 MB generated cables.csv is read with flat memory (slow)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import cablemirror

from .gen import random_row

TARGET_BYTES = 200 * 1024 * 1024

# Run in a fresh interpreter so the peak RSS is the reader's, not pytest's.
PROBE = r"""
import json, resource, sys, time
from cablemirror.model import RawRecord
from cablemirror.sources import read_path
mode = sys.argv[2]
t = time.perf_counter()
records = quarantined = 0
if mode == "read":
    for item in read_path(sys.argv[1]):
        if isinstance(item, RawRecord):
            records += 1
        else:
            quarantined += 1
def peak_mb():
    # VmHWM is this process image's own peak; ru_maxrss may carry the forking parent's.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"records": records, "quarantined": quarantined, "seconds": time.perf_counter() - t,
                  "peak_rss_mb": peak_mb()}))
"""


def _probe(path: Path, mode: str) -> dict:
    env = dict(os.environ)
    src = str(Path(cablemirror.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", PROBE, str(path), mode], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.slow
def test_large_file_streams_with_flat_memory(tmp_path: Path) -> None:
    rng = random.Random(11)
    samples = [random_row(rng, 0, rng.randint(50, 2000)) for _ in range(300)]
    path = tmp_path / "large.csv"
    written = rows = 0
    with path.open("wb") as f:
        while written < TARGET_BYTES:
            row = samples[rows % len(samples)]
            row.seq = rows + 1
            chunk = b"\n" + row.encode()
            f.write(chunk)
            written += len(chunk)
            rows += 1
    baseline = _probe(path, "import")
    result = _probe(path, "read")
    print(
        f"\n{written / 2**20:.0f} MB, {rows} records: {result['seconds']:.1f} s "
        f"({written / 2**20 / result['seconds']:.0f} MB/s), peak RSS {result['peak_rss_mb']:.0f} MB "
        f"(interpreter + imports alone: {baseline['peak_rss_mb']:.0f} MB)"
    )
    assert result["records"] == rows and result["quarantined"] == 0
    # Chunks are 4 MiB; a buffer of two chunks plus a record is what may be held.
    assert result["peak_rss_mb"] - baseline["peak_rss_mb"] < 64
