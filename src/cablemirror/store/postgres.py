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
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator

from ..model import Cable, Quarantined, RawRecord, sha256_hex
from . import derived, jsonio, pg_schema
from .base import HIT_MARKS, SearchPage, Store, StoreError, StoreOutcome
from .completeness import completeness, release_of, release_seq, version_rank
from .pg_conn import Target, connection_error, first_line, parse_url, require_psycopg
from .pg_read import PgReadAPI
from .pg_text import DOC_SQL, document

log = logging.getLogger(__name__)

ZLIB_LEVEL = 1  # as the SQLite store: 3/4 of level 6's gain at under half the CPU
POOL_TIMEOUT = 30.0  # seconds to wait for a pooled connection
GIN_INDEX = "CREATE INDEX IF NOT EXISTS facts_doc ON facts USING gin (doc)"

_CABLE_COLUMNS = (
    "key", "id", "canon", "version_id", "n_versions", "format", "created", "released", "year", "month", "day",
    "origin", "classification", "subject", "title", "tags", "partial", "has_header", "n_paragraphs",
    "n_references", "redactions", "body_length", "generated", "record",
)
_CABLE_TYPES = (
    "bigint", "text", "text", "bigint", "integer", "text", "text", "text", "integer", "integer", "integer",
    "text", "text", "text", "text", "text", "boolean", "boolean", "integer", "integer", "integer", "integer",
    "boolean", "text",
)


def _utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def pg_text(text: str | None) -> str | None:
    """Text PostgreSQL can store: lone surrogates and NUL (which SQLite keeps, PostgreSQL
    refuses) become U+FFFD, as in the record JSON."""
    if text is None:
        return None
    text = jsonio.valid_text(text)
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def _deflate(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), ZLIB_LEVEL)


def _date_parts(value: str | None) -> tuple[int | None, int | None, int | None]:
    v = value or ""
    if len(v) >= 10 and v[4] == "-" and v[7] == "-" and v[:4].isdigit() and v[5:7].isdigit() and v[8:10].isdigit():
        return int(v[:4]), int(v[5:7]), int(v[8:10])
    return None, None, None


@dataclass(slots=True)
class _Version:
    """One new version being written."""

    raw: RawRecord
    cable: Cable
    cable_id: str
    sha: str
    version_id: int = 0
    score: int = 0
    released: str | None = None
    label: str | None = None
    seq: int = 0
    json_text: str = ""


@dataclass(slots=True)
class _Current:
    """A cable's current version while a batch is being decided."""

    key: int
    version_id: int
    added: int  # versions added by this batch
    rank: tuple[int, str, int, int]
    is_new: bool  # no row in ``cables`` before this batch
    best: _Version | None = None  # set when the current version comes from this batch
    stored: int = 0  # versions stored before this batch


class PostgresStore(PgReadAPI, Store):
    """See the module docstring.  Open with ``cablemirror.store.open_store``."""

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.psycopg = require_psycopg()
        self.target: Target = parse_url(url)
        self.readonly = readonly
        self._closed = False
        self._lock = threading.Lock()
        self._deferring = False
        self._labels: dict[str, dict[str, int]] = {}  # kind -> value -> label_id (committed ones)
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
                self._labels.clear()  # label ids handed out in the transaction are void
                raise self._write_error(exc) from None
            except BaseException:
                self._labels.clear()
                raise

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

    # ------------------------------------------------------------------ writing helpers

    @staticmethod
    def _copy(conn: Any, table: str, columns: tuple[str, ...], types: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(list(types))
                for row in rows:
                    copy.write_row(row)

    # ------------------------------------------------------------------ store_batch

    def store_batch(self, items: list[tuple[RawRecord, Cable]]) -> list[StoreOutcome]:
        self._writable()
        versions = [self._incoming(i, item) for i, item in enumerate(items)]
        if not versions:
            return []
        now = _utcnow()
        with self._transaction() as conn:
            known = self._known_versions(conn, [v.sha for v in versions])
            current = self._current_versions(conn, sorted({v.cable_id for v in versions}))
            next_version, next_key = conn.execute(
                "SELECT (SELECT coalesce(max(version_id), 0) + 1 FROM versions), "
                "(SELECT coalesce(max(key), 0) + 1 FROM cables)"
            ).fetchone()

            outcomes: list[StoreOutcome] = []
            fresh: list[_Version] = []
            for v in versions:
                if v.sha in known:
                    vid, stored_id, is_current = known[v.sha]
                    outcomes.append(StoreOutcome("unchanged", stored_id, vid, is_current))
                    continue
                v.version_id = next_version
                next_version += 1
                v.score = completeness(v.cable)
                v.released, v.label = release_of(v.raw, v.cable)
                v.seq = release_seq(v.label)
                rank = version_rank(v.score, v.released, v.seq, v.version_id)
                cur = current.get(v.cable_id)
                if cur is None:
                    current[v.cable_id] = _Current(next_key, v.version_id, 1, rank, True, v)
                    next_key += 1
                    status = "new"
                else:
                    cur.added += 1
                    if rank > cur.rank:
                        cur.rank, cur.version_id, cur.best = rank, v.version_id, v
                    status = "updated"
                known[v.sha] = (v.version_id, v.cable_id, False)  # same bytes later in the batch
                outcomes.append(StoreOutcome(status, v.cable_id, v.version_id))
                fresh.append(v)

            if fresh:
                for v in fresh:
                    v.json_text = self._record_json(v)
                self._write_current(conn, [c for c in current.values() if c.added])
                self._insert_versions(conn, fresh, current, now)
                conn.execute(
                    "UPDATE quarantine q SET resolved_version = v.vid, resolved_at = %s "
                    "FROM unnest(%s::text[], %s::bigint[]) AS v(sha, vid) "
                    "WHERE q.sha256 = v.sha AND q.resolved_version IS NULL",
                    (now, [v.sha for v in fresh], [v.version_id for v in fresh]),
                )
        for o in outcomes:  # the current version as this batch left it
            cur = current.get(o.cable_id)
            if cur is not None:
                o.current = cur.version_id == o.version_id
        return outcomes

    def _incoming(self, i: int, item: Any) -> _Version:
        """Validate one (RawRecord, Cable) pair before anything is written."""
        if not (isinstance(item, tuple) and len(item) == 2):
            raise StoreError(f"store_batch item {i}: expected a (RawRecord, Cable) pair, got {type(item).__name__}")
        raw, cable = item
        if not isinstance(raw, RawRecord) or not isinstance(cable, Cable):
            raise StoreError(
                f"store_batch item {i}: expected (RawRecord, Cable), got ({type(raw).__name__}, {type(cable).__name__})"
            )
        prov = raw.provenance
        if not isinstance(cable.id, str) or not cable.id.strip():
            raise StoreError(
                f"cannot store a record without a reference id ({prov.path}:{prov.line}, byte {prov.offset}): "
                "quarantine it instead"
            )
        if pg_text(cable.id) != cable.id:
            raise StoreError(f"cannot store {cable.id!r} ({prov.path}:{prov.line}): the id is not valid text")
        if not isinstance(raw.raw, (bytes, bytearray, memoryview)):
            raise StoreError(f"record {cable.id} ({prov.path}:{prov.line}): raw bytes are {type(raw.raw).__name__}")
        return _Version(raw, cable, cable.id, sha256_hex(bytes(raw.raw)))

    @staticmethod
    def _record_json(v: _Version) -> str:
        try:
            text, _ = jsonio.dumps_checked(v.cable.to_dict())
        except (TypeError, ValueError) as exc:
            prov = v.raw.provenance
            raise StoreError(f"record {v.cable_id} ({prov.path}:{prov.line}) cannot be written as JSON: {exc}") from None
        return text

    @staticmethod
    def _known_versions(conn: Any, shas: list[str]) -> dict[str, tuple[int, str, bool]]:
        rows = conn.execute(
            "SELECT v.sha256, v.version_id, v.cable_id, coalesce(c.version_id = v.version_id, false) "
            "FROM versions v LEFT JOIN cables c ON c.id = v.cable_id WHERE v.sha256 = ANY(%s)",
            (sorted(set(shas)),),
        ).fetchall()
        return {sha: (vid, cid, bool(cur)) for sha, vid, cid, cur in rows}

    @staticmethod
    def _current_versions(conn: Any, ids: list[str]) -> dict[str, _Current]:
        current: dict[str, _Current] = {}
        for cid, key, vid, n, score, released, seq in conn.execute(
            "SELECT c.id, c.key, c.version_id, c.n_versions, v.completeness, v.released, v.release_seq "
            "FROM cables c JOIN versions v ON v.version_id = c.version_id WHERE c.id = ANY(%s)",
            (ids,),
        ):
            current[cid] = _Current(key, vid, 0, version_rank(score, released, seq, vid), False, stored=n)
        return current

    def _insert_versions(self, conn: Any, fresh: list[_Version], current: dict[str, _Current], now: str) -> None:
        cols: list[list[Any]] = [[] for _ in range(15)]
        for v in fresh:
            prov = v.raw.provenance
            # The current version's record lives in cables.record only; others keep their own.
            is_current = current[v.cable_id].version_id == v.version_id
            row = (
                v.version_id, v.cable_id, v.sha, pg_text(v.raw.collection) or "", pg_text(prov.format) or "",
                pg_text(prov.path) or "", prov.offset, prov.length, prov.line, pg_text(v.released),
                pg_text(v.label), v.seq, v.score, None if is_current else _deflate(v.json_text),
                zlib.compress(bytes(v.raw.raw), ZLIB_LEVEL),
            )
            for col, value in zip(cols, row):
                col.append(value)
        inserted = conn.execute(
            "INSERT INTO versions (version_id, cable_id, sha256, collection, format, path, byte_offset, length, line, "
            "imported_at, released, release_label, release_seq, completeness, record_z, raw_z) "
            "SELECT v, c, s, col, f, p, o, l, ln, %s, r, rl, rs, sc, rz, z FROM unnest("
            "%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bigint[], %s::bigint[], "
            "%s::bigint[], %s::text[], %s::text[], %s::bigint[], %s::bigint[], %s::bytea[], %s::bytea[]) "
            "AS t(v, c, s, col, f, p, o, l, ln, r, rl, rs, sc, rz, z) "
            "ON CONFLICT (sha256) DO NOTHING",
            (now, *cols),
        ).rowcount
        if inserted != len(fresh):
            # Only a writer that did not take the store's lock can get here.
            raise StoreError(
                f"another process stored some of these records at the same moment in {self.where} "
                "without the writer lock; nothing of this batch was written: import again"
            )

    def _write_current(self, conn: Any, states: list[_Current]) -> None:
        """Insert new cables, switch changed ones to their new current version, count versions."""
        inserts = [s for s in states if s.is_new]
        switches = [s for s in states if not s.is_new and s.best is not None]
        counts = [s for s in states if not s.is_new and s.best is None]

        if switches:
            keys = [s.key for s in switches]
            # The version that stops being current keeps its record in versions from now on.
            old = conn.execute("SELECT version_id, record FROM cables WHERE key = ANY(%s)", (keys,)).fetchall()
            conn.execute(
                "UPDATE versions v SET record_z = t.z FROM unnest(%s::bigint[], %s::bytea[]) AS t(vid, z) "
                "WHERE v.version_id = t.vid",
                ([vid for vid, _ in old], [_deflate(r) for _, r in old]),
            )
            ids = [s.best.cable_id for s in switches]  # type: ignore[union-attr]
            conn.execute("DELETE FROM refs WHERE src = ANY(%s)", (ids,))
            conn.execute("DELETE FROM paragraphs WHERE cable = ANY(%s)", (ids,))
            for table in ("tags", "captions", "facts", "cables"):
                conn.execute(f"DELETE FROM {table} WHERE key = ANY(%s)", (keys,))

        changed = inserts + switches
        if changed:
            rows = [self._cable_row(s) for s in changed]
            self._copy(conn, "cables", _CABLE_COLUMNS, _CABLE_TYPES, rows)
            self._write_parts(conn, changed, rows)
        if counts:
            conn.execute(
                "UPDATE cables c SET n_versions = c.n_versions + t.n FROM unnest(%s::bigint[], %s::int[]) AS t(k, n) "
                "WHERE c.key = t.k",
                ([s.key for s in counts], [s.added for s in counts]),
            )

    @staticmethod
    def _cable_row(s: _Current) -> tuple[Any, ...]:
        v = s.best
        assert v is not None
        c = v.cable
        year, month, day = _date_parts(c.created)
        return (
            s.key,
            v.cable_id,
            derived.id_key(v.cable_id),
            v.version_id,
            s.stored + s.added,
            pg_text(v.raw.provenance.format),
            pg_text(c.created),
            pg_text(c.released),
            year,
            month,
            day,
            pg_text(c.origin),
            pg_text(c.classification),
            pg_text(c.subject or ""),
            pg_text(c.title or ""),
            pg_text(" ".join(c.tags)),
            bool(c.partial),
            bool(c.header and c.header.strip()),
            len(c.paragraphs),
            len(c.references),
            int(c.redactions or 0),
            len(c.body or ""),
            derived.is_generated(c.body),
            v.json_text,
        )

    def _write_parts(self, conn: Any, states: list[_Current], rows: list[tuple[Any, ...]]) -> None:
        """The rows derived from the new current records: refs, tags, captions,
        paragraphs, facts with the full-text document (``rows``: their ``cables`` rows)."""
        refs: list[tuple[Any, ...]] = []
        tags: list[tuple[Any, ...]] = []
        captions: list[tuple[Any, ...]] = []
        paras: list[tuple[Any, ...]] = []
        docs: list[tuple[str, str, str, str]] = []
        for s in states:
            v = s.best
            assert v is not None
            cid, c = v.cable_id, v.cable
            for i, r in enumerate(c.references):
                dst = pg_text(r.id)
                refs.append((cid, i, pg_text(r.bullet), pg_text(r.value) or "", pg_text(r.kind) or "other", dst,
                             derived.id_key(dst)))
            tags += [(s.key, t, i) for i, t in enumerate(derived.keywords(pg_text(t) for t in c.tags))]
            captions += [(s.key, k) for k in derived.keywords(pg_text(t) for t in c.captions)]
            paras += [
                (cid, i, p.number, pg_text(p.marking), bool(p.cut_short), len(p.text or ""))
                for i, p in enumerate(c.paragraphs)
            ]
            docs.append(document(c.title, c.subject, c.tags, c.body))
        self._copy(conn, "refs", ("src", "position", "bullet", "value", "kind", "dst", "dst_key"),
                   ("text", "integer", "text", "text", "text", "text", "text"), refs)
        self._copy(conn, "tags", ("key", "tag", "position"), ("bigint", "text", "integer"), tags)
        self._copy(conn, "captions", ("key", "caption"), ("bigint", "text"), captions)
        self._copy(conn, "paragraphs", ("cable", "position", "number", "marking", "cut_short", "length"),
                   ("text", "integer", "integer", "text", "boolean", "integer"), paras)
        origins = self._label_ids(conn, "origin", {r[11] for r in rows if r[11] is not None})
        classes = self._label_ids(conn, "class", {r[12] for r in rows if r[12] is not None})
        conn.execute(
            "INSERT INTO facts (key, created, released, year, origin, class, generated, doc) "
            f"SELECT k, c, r, y, o, cl, g, {DOC_SQL.format('a', 'b', 't', 'd')} FROM unnest("
            "%s::bigint[], %s::text[], %s::text[], %s::int[], %s::int[], %s::int[], %s::boolean[], "
            "%s::text[], %s::text[], %s::text[], %s::text[]) AS u(k, c, r, y, o, cl, g, a, b, t, d)",
            (
                [r[0] for r in rows],
                [r[6] for r in rows],
                [r[7] for r in rows],
                [r[8] for r in rows],
                [origins.get(r[11]) for r in rows],
                [classes.get(r[12]) for r in rows],
                [r[22] for r in rows],
                *([d[i] for d in docs] for i in range(4)),
            ),
        )

    def _label_ids(self, conn: Any, kind: str, values: set[str]) -> dict[str, int]:
        """Label ids of ``values`` (origins or classifications), creating the new ones.
        Labels are never deleted, so committed ids are cached for the life of the store."""
        cache = self._labels.setdefault(kind, {})
        missing = sorted(v for v in values if v not in cache)
        if missing:
            found = dict(
                conn.execute(
                    "SELECT value, label_id FROM labels WHERE kind = %s AND value = ANY(%s)", (kind, missing)
                ).fetchall()
            )
            new = [v for v in missing if v not in found]
            if new:
                norm = derived.origin_words if kind == "origin" else derived.class_key
                start = conn.execute("SELECT coalesce(max(label_id), 0) + 1 FROM labels").fetchone()[0]
                ids = list(range(start, start + len(new)))
                conn.execute(
                    "INSERT INTO labels (label_id, kind, value, norm) "
                    "SELECT i, %s, v, n FROM unnest(%s::int[], %s::text[], %s::text[]) AS t(i, v, n)",
                    (kind, ids, new, [norm(v) for v in new]),
                )
                found.update(zip(new, ids))
            cache.update(found)
        return {v: cache[v] for v in values}

    # ------------------------------------------------------------------ search index

    @contextmanager
    def defer_search_index(self) -> Iterator[None]:
        self._writable()
        if self._deferring:  # nested: the outer one rebuilds
            yield
            return
        dropped = self._drop_index_if_empty()
        self._deferring = True
        try:
            yield
        except Exception:
            self._deferring = False
            self._rebuild_if_stale()  # what was stored before the error is searchable fast
            raise
        finally:
            self._deferring = False  # KeyboardInterrupt and the like: the mark stays
        if dropped or self._search_index_state() != "ok":
            self.rebuild_search_index()

    def _drop_index_if_empty(self) -> bool:
        """Drop the GIN index when the store holds no cable (a first import: building the
        index once at the end is cheaper, and no search can miss anything).  Marked stale
        in the same transaction."""
        with self._transaction() as conn:
            if conn.execute("SELECT EXISTS (SELECT 1 FROM facts)").fetchone()[0]:
                return False
            conn.execute("DROP INDEX IF EXISTS facts_doc")
            conn.execute("UPDATE meta SET value = 'stale' WHERE key = 'search_index'")
        return True

    def _search_index_state(self) -> str:
        with self._reading(snapshot=False) as conn:
            return self._index_state(conn)

    @staticmethod
    def _index_state(conn: Any) -> str:
        row = conn.execute(
            "SELECT (SELECT value FROM meta WHERE key = 'search_index'), to_regclass('facts_doc') IS NOT NULL"
        ).fetchone()
        state, exists = row
        return "ok" if (state or "ok") == "ok" and exists else "stale"

    def _rebuild_if_stale(self) -> None:
        if self._search_index_state() != "ok":
            self.rebuild_search_index()

    def rebuild_search_index(self) -> None:
        """Recompute every document from the stored records, and (re)build the GIN index."""
        with self._transaction() as conn:
            conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            conn.execute("DROP INDEX IF EXISTS facts_doc")
            with conn.cursor(name="cm_rebuild") as cur:
                cur.itersize = 500
                cur.execute("SELECT key, title, subject, record FROM cables ORDER BY key")
                while True:
                    batch = cur.fetchmany(500)
                    if not batch:
                        break
                    keys, parts = [], []
                    for key, title, subject, record in batch:
                        data = jsonio.loads(record)
                        keys.append(key)
                        parts.append(document(title, subject, data.get("tags") or [], data.get("body") or ""))
                    conn.execute(
                        f"UPDATE facts f SET doc = {DOC_SQL.format('u.a', 'u.b', 'u.t', 'u.d')} "
                        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) "
                        "AS u(k, a, b, t, d) WHERE f.key = u.k",
                        (keys, *([p[i] for p in parts] for i in range(4))),
                    )
            conn.execute(GIN_INDEX)
            conn.execute("UPDATE meta SET value = 'ok' WHERE key = 'search_index'")

    # ------------------------------------------------------------------ quarantine

    def quarantine_batch(self, items: list[Quarantined]) -> int:
        self._writable()
        for i, q in enumerate(items):
            if not isinstance(q, Quarantined):
                raise StoreError(f"quarantine_batch item {i}: expected Quarantined, got {type(q).__name__}")
        if not items:
            return 0
        now = _utcnow()
        entries = [(sha256_hex(bytes(q.raw)), q) for q in items]
        shas = sorted({sha for sha, _ in entries})
        with self._transaction() as conn:
            present = {r[0] for r in conn.execute("SELECT sha256 FROM quarantine WHERE sha256 = ANY(%s)", (shas,))}
            stored = dict(conn.execute("SELECT sha256, version_id FROM versions WHERE sha256 = ANY(%s)", (shas,)).fetchall())
            next_qid = conn.execute("SELECT coalesce(max(qid), 0) + 1 FROM quarantine").fetchone()[0]
            new_rows, seen_again = [], []
            for sha, q in entries:
                prov = q.provenance
                if sha in present:
                    seen_again.append((now, pg_text(q.reason) or "", sha))
                    continue
                present.add(sha)
                resolved = stored.get(sha)
                new_rows.append(
                    (
                        next_qid, sha, pg_text(q.collection) or "", pg_text(prov.format) or "", pg_text(prov.path) or "",
                        prov.offset, prov.length, prov.line, pg_text(q.reason) or "", now, now, resolved,
                        now if resolved is not None else None, zlib.compress(bytes(q.raw), ZLIB_LEVEL),
                    )
                )
                next_qid += 1
            if new_rows:
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO quarantine (qid, sha256, collection, format, path, byte_offset, length, line, "
                        "reason, first_seen, last_seen, resolved_version, resolved_at, raw_z) VALUES ("
                        + ", ".join(["%s"] * 14) + ") ON CONFLICT (sha256) DO NOTHING",
                        new_rows,
                    )
            if seen_again:
                with conn.cursor() as cur:
                    cur.executemany("UPDATE quarantine SET last_seen = %s, reason = %s WHERE sha256 = %s", seen_again)
        return len(new_rows)

    # ------------------------------------------------------------------ imports

    def import_checkpoint(self, path: str, fingerprint: str) -> int | None:
        with self._reading(snapshot=False) as conn:
            row = conn.execute("SELECT fingerprint, byte_offset FROM imports WHERE path = %s", (pg_text(str(path)),)).fetchone()
        if row is None or row[0] != fingerprint:
            return None
        return int(row[1])

    def set_import_checkpoint(self, path: str, fingerprint: str, offset: int) -> None:
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < -1:
            raise StoreError(f"invalid import checkpoint for {path}: offset {offset!r}")
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO imports (path, fingerprint, byte_offset, updated_at) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (path) DO UPDATE SET fingerprint = excluded.fingerprint, "
                "byte_offset = excluded.byte_offset, updated_at = excluded.updated_at",
                (pg_text(str(path)), pg_text(fingerprint), offset, _utcnow()),
            )

    # ------------------------------------------------------------------ reading

    def get_cable(self, cable_id: str) -> dict[str, Any] | None:
        with self._reading(snapshot=False) as conn:
            row = conn.execute("SELECT record, generated FROM cables WHERE id = %s", (pg_text(cable_id),)).fetchone()
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
                "coalesce(c.version_id = v.version_id, false), v.record_z, "
                "CASE WHEN c.version_id = v.version_id THEN c.record END "
                "FROM versions v LEFT JOIN cables c ON c.id = v.cable_id "
                "WHERE v.cable_id = %s ORDER BY v.version_id",
                (pg_text(cable_id),),
            ).fetchall()
        out = []
        for (vid, sha, coll, fmt, path, off, length, line, imported, released, label, score, cur, rec_z, rec) in rows:
            if rec is None and rec_z is not None:
                rec = self._inflate(rec_z, f"record of {cable_id} version {vid}").decode("utf-8")
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
                    (pg_text(cable_id),),
                ).fetchone()
            else:
                if not isinstance(version_id, int) or isinstance(version_id, bool) or abs(version_id) >= 2**63:
                    return None
                row = conn.execute(
                    "SELECT version_id, raw_z FROM versions WHERE version_id = %s AND cable_id = %s",
                    (version_id, pg_text(cable_id)),
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
                    "SELECT DISTINCT src FROM refs WHERE dst_key = %s ORDER BY src", (derived.id_key(pg_text(cable_id)),)
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
            row = conn.execute("SELECT raw_z FROM quarantine WHERE sha256 = %s", (pg_text(sha256),)).fetchone()
        return self._inflate(row[0], f"quarantined bytes {sha256}") if row else None
