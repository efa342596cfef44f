"""Fixtures for the PostgreSQL store tests: each test gets a fresh schema of its own.

The server is named by ``CABLEMIRROR_TEST_PG`` (``scripts/test`` sets it to
postgresql://postgres@127.0.0.1:5432/test when the server answers); without it the
tests skip, saying why.  A schema per test (``?schema=t_<random>`` in the store URL)
lets tests run in parallel (pytest-xdist) against one database; it is dropped after
the test.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Iterator

import pytest

from cablemirror.store import open_store
from cablemirror.store.base import Store

ENV = "CABLEMIRROR_TEST_PG"

pytestmark = pytest.mark.postgres


def server_url() -> str:
    url = os.environ.get(ENV)
    if not url:
        pytest.skip(f"{ENV} is not set: no PostgreSQL server to test against (scripts/test sets it when one is up)")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'cablemirror[postgres]')")
    return url


def admin(url: str) -> Any:
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"the PostgreSQL server of {ENV} does not answer: {exc}")


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@pytest.fixture
def pg_admin() -> Iterator[Any]:
    """An autocommit connection to the test database (for checks made behind the store's back)."""
    conn = admin(server_url())
    yield conn
    conn.close()


@pytest.fixture
def pg_schema(pg_admin: Any) -> Iterator[str]:
    """A fresh schema name (not created: the store creates it), dropped after the test."""
    name = "t_" + uuid.uuid4().hex[:12]
    yield name
    pg_admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def pg_url(pg_schema: str) -> str:
    return with_schema(server_url(), pg_schema)


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url)
    yield s
    s.close()


@pytest.fixture
def rows(pg_admin: Any, pg_schema: str):  # type: ignore[no-untyped-def]
    """rows(sql, params) -> list of tuples (none for statements without a result), run
    in the test's schema."""

    def run(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        pg_admin.execute(f'SET search_path = "{pg_schema}"')
        try:
            cur = pg_admin.execute(sql, params)
            return cur.fetchall() if cur.description is not None else []
        finally:
            pg_admin.execute("RESET search_path")

    return run
