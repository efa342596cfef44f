"""Storage backends behind one interface (see base.Store).

``open_store(db)`` picks the backend from ``db``: a file path or ``sqlite:///path``
(SQLite), ``postgresql://...`` (PostgreSQL, see ``postgres.py``; needs
``cablemirror[postgres]``).  Without ``db``:
the ``CABLEMIRROR_DB`` environment variable, else ``./cablemirror.db``.

    >>> from cablemirror.store import open_store
    >>> with open_store("mirror.db") as store:          # doctest: +SKIP
    ...     store.search("reykjavik peacekeeping").total
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .base import HIT_MARKS, SearchHit, SearchPage, Store, StoreError, StoreOutcome

__all__ = [
    "DEFAULT_DB",
    "ENV_VAR",
    "HIT_MARKS",
    "SearchHit",
    "SearchPage",
    "Store",
    "StoreError",
    "StoreOutcome",
    "open_store",
    "resolve_db",
]

ENV_VAR = "CABLEMIRROR_DB"
DEFAULT_DB = "cablemirror.db"
_SQLITE_PREFIX = "sqlite:///"
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def _chosen(db: str | os.PathLike[str] | None) -> str:
    if db is None or str(db) == "":
        db = os.environ.get(ENV_VAR) or DEFAULT_DB
    return os.fspath(db)


def resolve_db(db: str | os.PathLike[str] | None = None) -> str:
    """Where ``db`` points, for messages: an absolute file path, or the URL with any
    password hidden."""
    chosen = _chosen(db)
    m = _URL.match(chosen)
    if m is None:
        return str(Path(chosen).expanduser().absolute())
    if chosen.startswith(_SQLITE_PREFIX):
        return str(Path(chosen[len(_SQLITE_PREFIX) :]).expanduser().absolute())
    return _PASSWORD.sub(r"\1***@", chosen)


def open_store(db: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> Store:
    """Open (creating it when writable and new) the store ``db`` points to.

    Raises StoreError with a message for the user when it cannot be opened: not a
    cablemirror database, a newer schema, a missing file when read-only, ...
    """
    chosen = _chosen(db)
    m = _URL.match(chosen)
    if m is not None and not chosen.startswith(_SQLITE_PREFIX):
        scheme = m.group(1).lower()
        if scheme in ("postgresql", "postgres"):
            from .pg_conn import require_psycopg

            require_psycopg()  # StoreError "install cablemirror[postgres]" when missing
            from .postgres import PostgresStore

            return PostgresStore(chosen, readonly=readonly)
        raise StoreError(
            f"unsupported database URL {resolve_db(chosen)!r}: give a SQLite file path, "
            "sqlite:///path or postgresql://..."
        )
    if chosen.startswith(_SQLITE_PREFIX):
        chosen = chosen[len(_SQLITE_PREFIX) :]
    if not chosen or chosen == ":memory:":
        raise StoreError("give the SQLite database a file path (an in-memory database cannot be shared)")

    from .sqlite import SQLiteStore

    return SQLiteStore(Path(chosen).expanduser(), readonly=readonly)
