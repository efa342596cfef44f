"""The PostgreSQL store: the same interface as the SQLite store, for several app servers
and importers sharing one database.

Open it with ``open_store("postgresql://user@host/db")`` (``pg_conn.py`` describes the
URL, including ``?schema=`` and ``?pool_size=``).  Needs ``cablemirror[postgres]``
(psycopg 3 and psycopg-pool).

Tables (``data/schema_postgres.sql``) are those of the SQLite store: ``cables`` (the
current record as JSON text and the columns pages show), ``facts`` (the narrow row
queries filter, sort and facet on, with the full-text document ``doc``, a weighted
``tsvector`` under a GIN index), ``versions`` (raw bytes and non-current records
zlib-compressed in ``bytea``), ``refs``, ``tags``, ``captions``, ``paragraphs``,
``labels``, ``quarantine``, ``imports`` and ``meta`` (schema version, generation).
Full text: documents and queries are the query language's folded words, stemmed by
the configuration ``cm_text`` (Snowball English, no stop words); see ``pg_text.py``.

Concurrency.  Connections come from a ``psycopg_pool.ConnectionPool`` (thread-safe:
the website serves from a thread pool).  Every write transaction first takes a
transaction-scoped advisory lock per store schema (``pg_schema.LOCK_SQL``), so
writers, in this process or any other, take turns batch by batch and each batch
decides new/updated/unchanged against everything committed before it; the sha256 of
a version is also UNIQUE, and inserts say ``ON CONFLICT DO NOTHING`` and check that
every row went in, so even a writer that skipped the lock cannot store bytes twice.
Readers never wait: each read API call runs in one REPEATABLE READ READ ONLY
transaction (one snapshot: total, facets and hits agree).  A store opened with
``readonly=True`` also sets ``default_transaction_read_only`` on its sessions.

Writing: one transaction per batch; the batch is looked up with a few ``= ANY(array)``
queries, rows go in with binary ``COPY`` (cables, refs, tags, captions, paragraphs)
or one ``INSERT ... SELECT FROM unnest(arrays)`` where an expression (the tsvector) or
``ON CONFLICT`` is needed.  ``defer_search_index`` drops the GIN index for a bulk
import into a store that holds nothing yet (no reader loses anything: there is
nothing to search) and builds it once at the end; otherwise the index is kept
current batch by batch (GIN's pending list batches the work), see docs/deployment.md
for the measurements.
"""

from __future__ import annotations

import logging
import threading
import zlib
from contextlib import contextmanager
from typing import Any, Iterator

from . import derived, jsonio, pg_schema
from .base import HIT_MARKS, SearchPage, Store, StoreError
from .pg_conn import Target, connection_error, first_line, parse_url, require_psycopg
from .pg_read import PgReadAPI
from .pg_write import PgWriteAPI, storable

log = logging.getLogger(__name__)

POOL_TIMEOUT = 30.0  # seconds to wait for a pooled connection


class PostgresStore(PgWriteAPI, PgReadAPI, Store):
    """See the module docstring.  Open with ``cablemirror.store.open_store``."""

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.psycopg = require_psycopg()
        self.target: Target = parse_url(url)
        self.readonly = readonly
        self._closed = False
        self._lock = threading.Lock()
        self._deferring = False
        self._init_read_api()
        self._kwargs = self.target.connect_kwargs(readonly=readonly)
        self._prepare()
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(
            self.target.conninfo,
            kwargs={**self._kwargs, "autocommit": True},
            min_size=1,
            max_size=self.target.pool_size,
            open=True,
            timeout=POOL_TIMEOUT,
            check=ConnectionPool.check_connection,  # a server restart costs one retry, not an error
            name=f"cablemirror {self.target.shown}",
        )

    # ------------------------------------------------------------------ opening

    @property
    def where(self) -> str:
        """The store's URL for messages (password hidden)."""
        return self.target.shown

    def connect(self) -> Any:
        """A new connection of its own (not pooled), autocommit, with the store's settings."""
        try:
            return self.psycopg.connect(self.target.conninfo, autocommit=True, **self._kwargs)
        except self.psycopg.OperationalError as exc:
            raise connection_error(self.target, exc) from None

    def _prepare(self) -> None:
        """Check that the schema is a cablemirror store we can read; create or upgrade it."""
        schema = self.target.schema
        conn = self.connect()
        try:
            if schema is not None and not self.readonly:
                exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
                if not exists:
                    try:
                        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                    except self.psycopg.errors.UniqueViolation:
                        pass  # created by another process at the same moment
                    except self.psycopg.Error as exc:
                        raise StoreError(f"cannot create the schema {schema!r} in {self.where}: {first_line(exc)}") from None
            found, meta, present = pg_schema.state(conn)
            action = pg_schema.check(self.where, found, meta, present, readonly=self.readonly)
            if action != "ok":
                self._create_or_upgrade(conn)
        except self.psycopg.Error as exc:
            raise StoreError(f"cannot open {self.where}: {first_line(exc)}") from None
        finally:
            conn.close()

    def _create_or_upgrade(self, conn: Any) -> None:
        try:
            with conn.transaction():
                conn.execute(pg_schema.LOCK_SQL)
                # Another process may have created or upgraded it while we waited.
                found, meta, present = pg_schema.state(conn)
                action = pg_schema.check(self.where, found, meta, present, readonly=self.readonly)
                if action == "create":
                    pg_schema.create(conn, str(conn.info.server_version))
                elif action == "upgrade":
                    version = int(meta["schema_version"])
                    log.warning("upgrading %s from schema %d to %d", self.where, version, pg_schema.SCHEMA_VERSION)
                    pg_schema.upgrade(conn, version)
        except self.psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(
                f"cannot create the store's tables in {self.where}: {first_line(exc)} (the user needs CREATE on the "
                "schema: GRANT CREATE ON SCHEMA ... TO ...; or choose a schema it owns with ?schema=)"
            ) from None

    # ------------------------------------------------------------------ connections

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._pool.close()

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        if self._closed:
            raise StoreError(f"the store {self.where} is closed")
        from psycopg_pool import PoolTimeout

        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolTimeout:
            # Every connection busy, or the server unreachable: say which.
            try:
                self.connect().close()
            except StoreError as exc:
                raise exc from None
            raise StoreError(
                f"no free connection to {self.where} after {POOL_TIMEOUT:.0f}s: every one of the "
                f"{self.target.pool_size} pooled connections is busy (raise ?pool_size= in the URL)"
            ) from None

    @contextmanager
    def _reading(self, *, snapshot: bool = True) -> Iterator[Any]:
        """A read transaction (REPEATABLE READ READ ONLY when ``snapshot``: one state for
        every statement inside)."""
        IsolationLevel = self.psycopg.IsolationLevel
        with self._connection() as conn:
            conn.isolation_level = IsolationLevel.REPEATABLE_READ if snapshot else IsolationLevel.READ_COMMITTED
            conn.read_only = True
            try:
                with conn.transaction():
                    yield conn
            except self.psycopg.Error as exc:
                raise StoreError(f"cannot read {self.where}: {first_line(exc)}") from None

    _snapshot = _reading

    def _writable(self) -> None:
        if self.readonly:
            raise StoreError(f"the store {self.where} was opened read-only: cannot write to it")
        if self._closed:
            raise StoreError(f"the store {self.where} is closed")

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A write transaction holding the store's writer lock; the generation is bumped
        when it wrote anything (read caches of every app server key on it)."""
        self._writable()
        with self._connection() as conn:
            # READ COMMITTED: each statement after the lock sees what the previous writer committed.
            conn.isolation_level = self.psycopg.IsolationLevel.READ_COMMITTED
            conn.read_only = None  # the session's default: READ ONLY sessions stay so
            try:
                with conn.transaction():
                    conn.execute(pg_schema.LOCK_SQL)
                    yield conn
                    conn.execute(
                        "UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation' "
                        "AND txid_current_if_assigned() IS NOT NULL"
                    )
            except self.psycopg.Error as exc:
                raise self._write_error(exc) from None

    def _write_error(self, exc: Exception) -> StoreError:
        errors = self.psycopg.errors
        if isinstance(exc, errors.ReadOnlySqlTransaction):
            return StoreError(f"cannot write to {self.where}: the session is read-only")
        if isinstance(exc, errors.InsufficientPrivilege):
            return StoreError(f"cannot write to {self.where}: {first_line(exc)} (grant the user INSERT/UPDATE/DELETE)")
        if isinstance(exc, (errors.DiskFull, errors.OutOfMemory)):
            return StoreError(f"cannot write to {self.where}: the server is out of space ({first_line(exc)})")
        if isinstance(exc, errors.ProgramLimitExceeded):
            return StoreError(f"cannot write to {self.where}: a record exceeds a PostgreSQL limit ({first_line(exc)})")
        return StoreError(f"cannot write to {self.where}: {first_line(exc)}")

    # ------------------------------------------------------------------ reading

    def get_cable(self, cable_id: str) -> dict[str, Any] | None:
        with self._reading(snapshot=False) as conn:
            row = conn.execute("SELECT record, generated FROM cables WHERE id = %s", (storable(cable_id),)).fetchone()
        if row is None:
            return None
        record = jsonio.loads(row[0])
        if row[1]:
            record["generated"] = True  # demo data: said only when true, the record shape is unchanged
        return record

    def get_versions(self, cable_id: str) -> list[dict[str, Any]]:
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT v.version_id, v.sha256, v.collection, v.format, v.path, v.byte_offset, v.length, v.line, "
                "v.imported_at, v.released, v.release_label, v.completeness, "
                "coalesce(c.version_id = v.version_id, false), "
                "CASE WHEN c.version_id = v.version_id THEN c.record ELSE v.record END "
                "FROM versions v LEFT JOIN cables c ON c.id = v.cable_id "
                "WHERE v.cable_id = %s ORDER BY v.version_id",
                (storable(cable_id),),
            ).fetchall()
        out = []
        for (vid, sha, coll, fmt, path, off, length, line, imported, released, label, score, cur, rec) in rows:
            out.append(
                {
                    "version_id": vid,
                    "sha256": sha,
                    "collection": coll,
                    "format": fmt,
                    "path": path,
                    "offset": off,
                    "length": length,
                    "line": line,
                    "imported_at": imported,
                    "released": released,
                    "release_label": label,
                    "completeness": score,
                    "current": bool(cur),
                    "record": jsonio.loads(rec) if rec is not None else None,
                }
            )
        return out

    def _inflate(self, blob: bytes, what: str) -> bytes:
        try:
            return zlib.decompress(blob)
        except (zlib.error, TypeError) as exc:
            raise StoreError(f"the stored {what} in {self.where} is damaged: {exc}") from None

    def get_raw(self, cable_id: str, version_id: int | None = None) -> bytes | None:
        with self._reading(snapshot=False) as conn:
            if version_id is None:
                row = conn.execute(
                    "SELECT v.version_id, v.raw_z FROM cables c JOIN versions v ON v.version_id = c.version_id "
                    "WHERE c.id = %s",
                    (storable(cable_id),),
                ).fetchone()
            else:
                if not isinstance(version_id, int) or isinstance(version_id, bool) or abs(version_id) >= 2**63:
                    return None
                row = conn.execute(
                    "SELECT version_id, raw_z FROM versions WHERE version_id = %s AND cable_id = %s",
                    (version_id, storable(cable_id)),
                ).fetchone()
        if row is None:
            return None
        return self._inflate(row[1], f"bytes of {cable_id} version {row[0]}")

    def cited_by(self, cable_id: str) -> list[str]:
        with self._reading(snapshot=False) as conn:
            return [
                r[0]
                # Canonical ids on both sides: a citation may spell the id differently.
                for r in conn.execute(
                    "SELECT DISTINCT src FROM refs WHERE dst_key = %s ORDER BY src", (derived.id_key(storable(cable_id)),)
                )
            ]

    def search(
        self, query: str, *, limit: int = 20, offset: int = 0, marks: tuple[str, str] = HIT_MARKS
    ) -> SearchPage:
        if not isinstance(limit, int) or not isinstance(offset, int) or limit < 0 or offset < 0:
            raise StoreError(f"search: limit and offset must be whole numbers >= 0 (got {limit!r}, {offset!r})")
        return self._plain_search(query if isinstance(query, str) else "", limit, offset, marks)

    def stats(self) -> dict[str, Any]:
        with self._reading() as conn:
            one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
            first, last = conn.execute("SELECT min(created), max(created) FROM cables").fetchone()
            st: dict[str, Any] = {
                "cables": one("SELECT count(*) FROM cables"),
                "versions": one("SELECT count(*) FROM versions"),
                "partial": one("SELECT count(*) FROM cables WHERE partial"),
                "quarantined": one("SELECT count(*) FROM quarantine WHERE resolved_version IS NULL"),
                "quarantine_resolved": one("SELECT count(*) FROM quarantine WHERE resolved_version IS NOT NULL"),
                "references": one("SELECT count(*) FROM refs"),
                "cable_references": one("SELECT count(*) FROM refs WHERE dst IS NOT NULL"),
                "missing_references": one(
                    "SELECT count(*) FROM refs r WHERE r.dst_key IS NOT NULL "
                    "AND NOT EXISTS (SELECT 1 FROM cables c WHERE c.canon = r.dst_key)"
                ),
                "missing_cables": one(
                    "SELECT count(DISTINCT r.dst_key) FROM refs r WHERE r.dst_key IS NOT NULL "
                    "AND NOT EXISTS (SELECT 1 FROM cables c WHERE c.canon = r.dst_key)"
                ),
                "by_format": dict(
                    conn.execute("SELECT format, count(*) FROM versions GROUP BY format ORDER BY format").fetchall()
                ),
                "by_classification": {
                    (k if k is not None else "(none)"): n
                    for k, n in conn.execute(
                        "SELECT classification, count(*) FROM cables GROUP BY classification "
                        "ORDER BY 2 DESC, classification COLLATE \"C\""
                    )
                },
                "first_created": first,
                "last_created": last,
                "files_imported": one("SELECT count(*) FROM imports WHERE byte_offset = -1"),
                "search_index": self._index_state(conn),
                "db_bytes": one(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
                    "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
                    "AND c.relkind = 'r'"
                ),
                "db_schema": one("SELECT current_schema()"),
                "server_version": conn.info.server_version,
            }
        st["db_path"] = self.where
        return st

    def iter_quarantine(self, *, include_resolved: bool = False) -> Iterator[dict[str, Any]]:
        # Pages by qid so no transaction stays open while the caller works.
        where = "" if include_resolved else "AND resolved_version IS NULL"
        last = 0
        while True:
            with self._reading(snapshot=False) as conn:
                rows = conn.execute(
                    "SELECT qid, sha256, collection, format, path, byte_offset, length, line, reason, first_seen, "
                    f"last_seen, resolved_version, resolved_at FROM quarantine WHERE qid > %s {where} "
                    "ORDER BY qid LIMIT 500",
                    (last,),
                ).fetchall()
            if not rows:
                return
            for qid, sha, coll, fmt, path, off, length, line, reason, first, lastseen, rv, rat in rows:
                yield {
                    "sha256": sha,
                    "collection": coll,
                    "format": fmt,
                    "path": path,
                    "offset": off,
                    "length": length,
                    "line": line,
                    "reason": reason,
                    "first_seen": first,
                    "last_seen": lastseen,
                    "resolved_version": rv,
                    "resolved_at": rat,
                }
            last = rows[-1][0]

    def get_quarantined_raw(self, sha256: str) -> bytes | None:
        with self._reading(snapshot=False) as conn:
            row = conn.execute("SELECT raw_z FROM quarantine WHERE sha256 = %s", (storable(sha256),)).fetchone()
        return self._inflate(row[0], f"quarantined bytes {sha256}") if row else None
