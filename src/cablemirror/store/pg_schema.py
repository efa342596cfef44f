"""Creating, recognising and upgrading the PostgreSQL schema of a store.

The schema lives in one PostgreSQL schema (``?schema=`` in the URL, else the first of
the search path, usually ``public``).  ``meta`` says whose it is and which version:
``application = cablemirror``, ``schema_version``.  Creation and every upgrade run in
one transaction each, under the store's advisory lock, so a half-made schema cannot
exist and two processes opening a new database at once create it once.

Upgrades: ``STEPS[n]`` takes a store from version n to n+1 inside that transaction
(DDL is transactional in PostgreSQL: a failed step leaves the store as it was).
Version 1 is the first PostgreSQL schema; there is nothing to upgrade from yet.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from importlib import resources
from typing import Any, Callable

from .base import StoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
APPLICATION = "cablemirror"
# pg_advisory_xact_lock(LOCK_CLASS, hashtext(current_schema())): one writer at a time
# per store; stores in other schemas of the same database do not wait for each other.
LOCK_CLASS = 0x43424D52  # "CBMR"
LOCK_SQL = f"SELECT pg_advisory_xact_lock({LOCK_CLASS}, hashtext(current_schema()))"
TABLES = (
    "meta", "cables", "facts", "totals", "labels", "versions", "refs", "tags", "captions", "paragraphs", "quarantine",
    "imports",
)

Step = Callable[[Any], None]
# from-version -> the step to the next version
STEPS: dict[int, Step] = {}


def statements() -> list[str]:
    """The statements of ``data/schema_postgres.sql`` (separated by lines holding ";")."""
    text = resources.files("cablemirror.store").joinpath("data", "schema_postgres.sql").read_text("utf-8")
    out = []
    for chunk in text.split("\n;\n"):
        sql = "\n".join(line for line in chunk.splitlines() if not line.lstrip().startswith("--")).strip()
        if sql:
            out.append(sql)
    return out


def _utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def state(conn: Any) -> tuple[str | None, dict[str, str], list[str]]:
    """(schema, meta, other tables of ours present) of the connection's current schema,
    read in one statement (one snapshot)."""
    row = conn.execute(
        "SELECT current_schema(), to_regclass('meta') IS NOT NULL, "
        "array(SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = "
        "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r', 'p', 'v') "
        "AND c.relname = ANY(%s))",
        (list(TABLES),),
    ).fetchone()
    schema, has_meta, present = row
    meta: dict[str, str] = {}
    if has_meta:
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except Exception:  # noqa: BLE001 - a table "meta" of another shape: not ours
            meta = {"application": "(unreadable meta table)"}
    return schema, meta, [t for t in present if t != "meta"]


def check(where: str, schema: str | None, meta: dict[str, str], present: list[str], *, readonly: bool) -> str:
    """What to do with the schema found: "create", "upgrade" or "ok"; StoreError when
    it is not a store this version can open."""
    if schema is None:
        if readonly:
            raise StoreError(
                f"no cablemirror database at {where}: its schema does not exist, nothing has been imported there "
                "yet (cablemirror import --db URL FILES...)"
            )
        raise StoreError(
            f"no schema to keep the store in at {where}: the search path names no existing schema "
            "(add ?schema=NAME to the URL, or create the schema)"
        )
    if not meta:
        if present:
            raise StoreError(
                f"not a cablemirror database: {where} (schema {schema!r} has tables named like cablemirror's "
                f"({', '.join(sorted(present)[:4])}) but no cablemirror meta table; choose another database "
                "or ?schema=)"
            )
        if readonly:
            raise StoreError(
                f"no cablemirror database at {where} (schema {schema!r} is empty): nothing has been imported there yet "
                f"(cablemirror import --db URL FILES...)"
            )
        return "create"
    if meta.get("application") != APPLICATION:
        raise StoreError(
            f"not a cablemirror database: {where} (schema {schema!r} has a meta table of another application; "
            "choose another database or ?schema=)"
        )
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise StoreError(f"cannot open {where}: unreadable schema version {meta.get('schema_version')!r}") from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"database is newer than this version of cablemirror: {where} has schema {version}, "
            f"this version knows schema {SCHEMA_VERSION} at most; upgrade cablemirror"
        )
    if version < SCHEMA_VERSION:
        if version not in STEPS:
            raise StoreError(f"cannot open {where}: unknown schema version {version}")
        if readonly:
            raise StoreError(
                f"{where} was written by an older cablemirror (schema {version}; this version uses schema "
                f"{SCHEMA_VERSION}) and is opened read-only: upgrade it once by opening it for writing, e.g. "
                "cablemirror import --db URL with any release file (the upgrade runs first and keeps every record)"
            )
        return "upgrade"
    return "ok"


# Large values PostgreSQL compresses itself (TOAST): lz4 compresses about 3.5 times
# faster than the default pglz for 14 % more space (bench/pg_bench.py), where the
# server has it (PostgreSQL 14+ built with lz4).
LZ4_COLUMNS = (("cables", "record"), ("versions", "record"), ("facts", "doc"))


def create(conn: Any, server_version: str) -> None:
    """Create every object of the schema and its meta rows (inside the caller's transaction)."""
    for sql in statements():
        conn.execute(sql)
    compression = "pglz"
    try:
        with conn.transaction():  # a savepoint: a server without lz4 keeps pglz
            for table, column in LZ4_COLUMNS:
                conn.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")
        compression = "lz4"
    except Exception as exc:  # noqa: BLE001 - any refusal means: no lz4 here
        log.info("lz4 compression is not available (%s): records are compressed with pglz", exc)
    meta = {
        "application": APPLICATION,
        "schema_version": str(SCHEMA_VERSION),
        "created_at": _utcnow(),
        "server_version": server_version,
        "text_config": "cm_text (simple parser, Snowball English stemmer, no stop words)",
        "search_index": "ok",
        "generation": "0",
        "compression": compression,
    }
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO meta(key, value) VALUES (%s, %s)", list(meta.items()))


def upgrade(conn: Any, version: int, target: int | None = None) -> None:
    """Run the steps from ``version`` to ``target`` (default: this version's schema),
    inside the caller's transaction."""
    target = SCHEMA_VERSION if target is None else target
    for v in range(version, target):
        STEPS[v](conn)
    conn.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(target),))
