"""Fixtures for the store tests: the same tests on both backends.

``store`` (and ``store_db``, where it lives) is a fresh store of each backend in turn:
SQLite in pytest's tmp_path, and PostgreSQL in a schema of its own (``?schema=t_...``,
dropped after the test) on the server named by ``CABLEMIRROR_TEST_PG`` (scripts/test
sets it when the server at 127.0.0.1:5432 answers).  Without it the PostgreSQL runs
skip, saying why.  ``new_db`` makes more fresh locations of the same backend (for tests
that open several stores), ``module_db`` one that lives for a module.  ``db_path`` is
the SQLite file of tests that are about SQLite itself.  ``dbcheck`` reads either
backend behind the store's back.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from cablemirror.store import open_store
from cablemirror.store.base import Store

PG_ENV = "CABLEMIRROR_TEST_PG"
BACKENDS = ("sqlite", "postgresql")


def _pg_server() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL server to run the store tests against "
                    "(scripts/test sets it when one is up)")
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'cablemirror[postgres]')")
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"the PostgreSQL server of {PG_ENV} does not answer: {exc}")
    return url


def _drop_schemas(url: str, schemas: list[str]) -> None:
    if not schemas:
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for name in schemas:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


class Locations:
    """Fresh store locations of one backend: files in a folder, or PostgreSQL schemas."""

    def __init__(self, backend: str, folder: Callable[[], Path]) -> None:
        self.backend = backend
        self._folder = folder
        self._url = _pg_server() if backend == "postgresql" else ""
        self._schemas: list[str] = []

    def __call__(self, name: str = "store") -> str:
        if self.backend == "sqlite":
            folder = self._folder() / uuid.uuid4().hex[:8]
            folder.mkdir()
            return str(folder / f"{name}.db")
        schema = "t_" + uuid.uuid4().hex[:12]
        self._schemas.append(schema)
        return f"{self._url}{'&' if '?' in self._url else '?'}schema={schema}"

    def cleanup(self) -> None:
        if self.backend == "postgresql":
            _drop_schemas(self._url, self._schemas)


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        _pg_server()
    return request.param


@pytest.fixture
def new_db(backend: str, tmp_path: Path) -> Iterator[Locations]:
    """new_db(name) -> the location of a fresh store of this test's backend."""
    locations = Locations(backend, lambda: tmp_path)
    yield locations
    locations.cleanup()


@pytest.fixture(scope="module")
def module_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Locations]:
    """Like new_db, for stores that live as long as the test module."""
    locations = Locations(backend, lambda: tmp_path_factory.mktemp("store"))
    yield locations
    locations.cleanup()


@pytest.fixture
def store_db(new_db: Locations) -> str:
    """Where this test's store lives: a file path or a postgresql:// URL."""
    return new_db("store")


@pytest.fixture
def store(store_db: str) -> Iterator[Store]:
    s = open_store(store_db)
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The SQLite file of tests about SQLite itself."""
    return tmp_path / "store.db"


def is_postgresql(location: Any) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))
