"""Fixtures for the store tests: a fresh SQLite store in pytest's tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from cablemirror.store import open_store
from cablemirror.store.base import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = open_store(str(db_path))
    yield s
    s.close()
