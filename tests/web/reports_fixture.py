"""A site with the war diary, shared by the report, map and browser tests.

The store is filled through the real pipeline: generated cables (``write_cables_csv``)
and generated war-log files (``write_warlogs``: a clean Afghan file, a hostile copy of
the 34-column variant, an Iraq file) imported with ``import_paths``.  It is built once
per test session (per xdist worker); import the fixtures into a test module with
``from .reports_fixture import report_store, report_client, report_records``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from starlette.testclient import TestClient

from cablemirror.demo import write_cables_csv
from cablemirror.demo.warlogs import write_warlogs
from cablemirror.ingest import import_paths
from cablemirror.store import open_store

from .conftest import make_client

AFG_COUNT, HOSTILE_COUNT, IRAQ_COUNT, CABLE_COUNT = 1500, 1000, 400, 60


def build_report_store(root: Path) -> Path:
    files = [root / "cables.csv", root / "afg.csv", root / "afg34-hostile.csv", root / "iraq.csv"]
    write_cables_csv(files[0], CABLE_COUNT, 7)
    write_warlogs(files[1], AFG_COUNT, 21)
    write_warlogs(files[2], HOSTILE_COUNT, 22, variant="34", hostile=True)
    write_warlogs(files[3], IRAQ_COUNT, 23, variant="iraq")
    db = root / "reports.db"
    with open_store(db) as store:
        import_paths(store, files)
    return db


@pytest.fixture(scope="session")
def report_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report_store(tmp_path_factory.mktemp("web-reports"))


@pytest.fixture(scope="session")
def report_client(report_store: Path) -> Iterator[TestClient]:
    with make_client(report_store) as client:
        yield client


@pytest.fixture(scope="session")
def report_records(report_store: Path) -> list[dict[str, Any]]:
    with open_store(report_store, readonly=True) as store:
        return list(store.iter_reports())
