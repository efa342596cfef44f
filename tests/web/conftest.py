"""Fixtures of the website tests, shared by the page tests and the data-route tests.

Stores are filled through the real pipeline: generated demo cables written as a
cables.csv (``cablemirror.demo.write_cables_csv``) and imported with
``cablemirror.ingest.import_paths``; the corpus store imports the real release pages
from ../shared/corpus and skips when they are absent.  Each store is built once per
test session (per xdist worker) and opened read-only by the apps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from cablemirror.demo import write_cables_csv
from cablemirror.ingest import import_paths
from cablemirror.store import open_store
from cablemirror.web.app import create_app
from cablemirror.web.site import SiteConfig

from ..conftest import CORPUS, SKIP_REASON

DEMO_COUNT = 300
DEMO_SEED = 2010
# The official release pages and the eight versions of 09ASTANA95's page: every page
# stays the current version of its cable (no cables.csv record competes with it).
CORPUS_PARTS = ("cablegate-html", "cablegate-html-versions")


def build_store(db: Path, paths: list[Path]) -> Path:
    with open_store(db) as store:
        import_paths(store, paths)
    return db


def data_app(db: Path, config: SiteConfig | None = None) -> Starlette:
    """The whole site over the store at ``db`` (a fresh app: tests may patch its state)."""
    return create_app(str(db), config=config or SiteConfig())


def make_client(db: Path, config: SiteConfig | None = None) -> TestClient:
    return TestClient(data_app(db, config), follow_redirects=False)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of a store of DEMO_COUNT generated cables (the same ones every run)."""
    root = tmp_path_factory.mktemp("web-demo")
    csv = root / "demo-cables.csv"
    write_cables_csv(csv, DEMO_COUNT, DEMO_SEED)
    return build_store(root / "demo.db", [csv])


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The path of a store of the real release pages (CORPUS_PARTS); skips without ../shared."""
    if not CORPUS.exists():
        pytest.skip(SKIP_REASON)
    root = tmp_path_factory.mktemp("web-corpus")
    return build_store(root / "corpus.db", [CORPUS / p for p in CORPUS_PARTS])


@pytest.fixture(scope="session")
def demo_client(demo_store: Path) -> Iterator[TestClient]:
    with make_client(demo_store) as client:
        yield client


@pytest.fixture(scope="session")
def corpus_client(corpus_store: Path) -> Iterator[TestClient]:
    with make_client(corpus_store) as client:
        yield client
