"""Generated war-log files shared by the tests (no real war-diary row exists: see CABLES.md).

Each file is written once per session by ``cablemirror.demo.warlogs`` and kept with the
rows that generated it, so tests can compare what the reader and parser give with what
each row must give.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cablemirror.demo.warlogs import VARIANTS, GeneratedRow, generate_rows, write_warlogs

COUNT = 5_000
SEED = 11


@dataclass(frozen=True)
class GenFile:
    path: Path
    variant: str
    hostile: bool
    rows: list[GeneratedRow]
    data: bytes


def make_file(directory: Path, variant: str, hostile: bool, count: int = COUNT, seed: int = SEED) -> GenFile:
    path = directory / f"warlog-{variant}-{'hostile' if hostile else 'clean'}-{count}-{seed}.csv"
    write_warlogs(path, count, seed, variant=variant, hostile=hostile)
    rows = list(generate_rows(count, seed, variant=variant, hostile=hostile))
    return GenFile(path, variant, hostile, rows, path.read_bytes())


@pytest.fixture(scope="session")
def gen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("warlogs")


@pytest.fixture(scope="session", params=VARIANTS)
def clean_file(request: pytest.FixtureRequest, gen_dir: Path) -> GenFile:
    return make_file(gen_dir, request.param, False)


@pytest.fixture(scope="session", params=VARIANTS)
def hostile_file(request: pytest.FixtureRequest, gen_dir: Path) -> GenFile:
    return make_file(gen_dir, request.param, True)
