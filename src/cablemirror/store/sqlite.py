"""The SQLite store: one file, WAL, FTS5; one writer and many readers.

Schema (version 4, ``data/schema_sqlite.sql``; ``PRAGMA application_id`` marks the file
as cablemirror's, ``PRAGMA user_version`` is the schema version; a file of an older
version is upgraded in place when opened for writing, see ``migrate.py``):

``cables``
    One row per canonical id: the current version, the columns pages filter, sort
    and facet on (created, released, year/month/day, origin, classification,
    subject, title, tags, partial, has_header, n_paragraphs, n_references,
    redactions, body_length, n_versions, format) and the current ``Cable.to_dict()``
    as ``body`` (plain text) and ``record_z`` (the rest of its JSON, compressed; see
    ``records.py``).  ``key`` (rowid) is the FTS rowid.
``versions``
    One row per distinct raw record, unique by sha256 of the bytes: cable id,
    provenance (format, path, offset, length, line), imported_at, released,
    release_label, completeness (``completeness.py``) and the raw bytes
    zlib-compressed (``raw_z``; ``get_raw`` returns them exactly).  ``record_z`` is
    that version's record JSON, zlib-compressed, for versions that are not current
    (NULL for the current one, whose record is in ``cables``: most cables have one
    version, and the record is not stored twice).
``facts`` / ``labels`` / ``totals``
    What queries filter, sort and facet on, one narrow row per cable (created,
    released, year, origin and classification as label ids, generated); the distinct
    origins and classifications with what queries compare (origin words, canonical
    classification); the facet counts of the whole collection, kept by every write.
    ``cables.canon`` and ``refs.dst_key`` are canonical ids, so citations find a
    cable whatever the spelling.  The read API is ``sqlite_read.py`` (queries
    compiled by ``sqlite_query.py``).
``refs`` / ``tags`` / ``captions`` / ``paragraphs``
    Rows of the *current* record of each cable, rewritten when the current version
    changes (tags and captions upper-cased, each once, by cable key).  ``paragraphs`` holds number, marking, cut_short and length, not a
    third copy of the text (the record has it twice already: body and paragraphs);
    a search hit's paragraph is worked out from the record at query time
    (``hits.py``).  ``refs.dst`` may name a cable that is not stored
    (known-but-missing): ``cited_by`` works for it too.
``quarantine``
    Unique by sha256: provenance, reason, raw bytes (zlib), first/last seen.  When
    quarantined bytes are later stored as a version, the row is kept and marked
    resolved (``resolved_version``, ``resolved_at``) rather than deleted, so the
    history of what failed stays visible; ``iter_quarantine`` hides resolved rows
    unless asked.
``imports``
    One row per file path: fingerprint and the byte offset fully stored (-1: complete).
``cables_fts``
    FTS5 (porter, unicode61, remove_diacritics 2) over title, subject, body, tags,
    with external content (the view ``cables_fts_content``, so the body is stored
    once, in ``cables.body``).  Kept in sync by ``store_batch`` whenever a cable's
    current version changes, except inside ``defer_search_index()`` (bulk imports),
    which marks it stale (``meta.search_index``) in the same transaction and has it
    built once: during a first import by a thread beside the writer, in a scratch
    file whose index then replaces the empty one (``fts_build.py``), else in one
    ``rebuild`` pass at the end.  Ranking: bm25 weighted title 10,
    subject 5, body 1, tags 3.  ``search()`` takes plain words (``fts5.py``);
    ``query()`` the query language (``cablemirror.search``).

Writing: ``store_batch`` runs in one ``BEGIN IMMEDIATE`` transaction, looks up the
whole batch with a few ``IN (...)`` queries, assigns ids itself and writes with
``executemany``.  Bytes already stored are "unchanged" and nothing is written; JSON
and compression are only computed for new versions (compression of the raw bytes
and of the records in a helper thread, beside the writer's Python and SQLite work:
zlib releases the GIL).  Text that is not valid Unicode (lone surrogates) is stored
with U+FFFD in its place (``jsonio.py``); the raw bytes keep the original.

Concurrency: WAL with ``synchronous=NORMAL``, a busy timeout, one connection per
thread (the website serves from a thread pool); ``readonly=True`` opens the file with
``mode=ro`` and every write method refuses with a StoreError.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
import urllib.parse
import zlib
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..model import Cable, Quarantined, RawRecord, sha256_hex
from . import derived, jsonio, migrate, records
from .base import HIT_MARKS, SearchHit, SearchPage, Store, StoreError, StoreOutcome
from .completeness import completeness, release_of, release_seq, version_rank
from .fts5 import fts5_query
from .fts_build import BuildFailed, IndexBuilder
from .hits import paragraph_of_hit
from .sqlite_query import Compiled
from .sqlite_read import SQLiteReadAPI
from .sqlite_reports import ReportsMixin

log = logging.getLogger(__name__)

APPLICATION_ID = 0x43424D52  # "CBMR"
SCHEMA_VERSION = 4
BUSY_SECONDS = 30.0
ZLIB_LEVEL = 1  # 3/4 of level 6's gain at under half the CPU: imports are CPU-bound
_CHUNK = 500  # host parameters per IN (...) query
ANALYSIS_LIMIT = 1000  # rows ANALYZE samples per index
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_HL_START, _HL_END = "\x02", "\x03"  # highlight() marks used to find the hit's offset


def _analyze(conn: sqlite3.Connection) -> None:
    """Refresh the query planner's statistics (sampled: ``analysis_limit``).  Without
    them SQLite may scan a whole table for a filter an index answers in a millisecond."""
    conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
    conn.execute("ANALYZE")


def _utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _clean(text: str | None) -> str | None:
    """Text SQLite can store: lone surrogates become U+FFFD, as in the record JSON."""
    return None if text is None else jsonio.valid_text(text)


def _same(text: str | None) -> str | None:
    return text


def _compress_all(blobs: list[bytes]) -> list[bytes]:
    return [zlib.compress(b, ZLIB_LEVEL) for b in blobs]


def _set_records(fresh: list["_Version"], records: "Future[list[bytes]]") -> None:
    if fresh and fresh[-1].record_z is None:
        for v, z in zip(fresh, records.result()):
            v.record_z = z


@dataclass(slots=True)
class _IndexRows:
    """What a write transaction changed in the full text, for the scratch index
    (``fts_build.py``) once it has committed: (key, title, subject, body, tags)."""

    inserted: list[tuple[Any, ...]] = field(default_factory=list)
    deleted: list[tuple[Any, ...]] = field(default_factory=list)
    current: list[tuple[int, int]] = field(default_factory=list)  # (key, version_id) of ``inserted``


def _encode(v: "_Version", record: dict[str, Any]) -> tuple[str, bool]:
    try:
        return jsonio.dumps_checked(record)
    except (TypeError, ValueError) as exc:
        prov = v.raw.provenance
        raise StoreError(f"record {v.cable_id} ({prov.path}:{prov.line}) cannot be written as JSON: {exc}") from None


def _record_json(v: "_Version") -> None:
    """Set the record's JSON without its body (``records.py``), its body as stored,
    and whether every string was valid text (so the derived columns need no cleaning)."""
    record = v.cable.to_dict()
    body = record.get("body") or ""
    record["body"] = ""
    v.json_text, valid = _encode(v, record)
    v.body = jsonio.valid_text(body)
    v.valid_text = valid and v.body == body


def _full_record(v: "_Version") -> bytes:
    """The whole record, compressed: a version that is not current keeps its own."""
    return records.deflate(_encode(v, v.cable.to_dict())[0])


def _date_parts(value: str | None) -> tuple[int | None, int | None, int | None]:
    m = _DATE.match(value or "")
    if not m:
        return None, None, None
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


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
    json_text: str = ""  # the record's JSON without its body
    body: str = ""  # as stored (lone surrogates replaced)
    valid_text: bool = True  # no lone surrogates anywhere in the record
    record_z: bytes | None = None  # zlib(json_text)


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


# The columns of ``cables`` in the order ``_cable_row`` gives them.
_CABLE_COLUMNS = (
    "key, id, version_id, n_versions, format, created, released, year, month, day, origin, classification, "
    "subject, title, tags, partial, has_header, n_paragraphs, n_references, redactions, body_length, record_z, "
    "canon, generated, body"
)


_RECORD = 21  # the position of record_z in those rows


def _schema_sql() -> str:
    return resources.files("cablemirror.store").joinpath("data", "schema_sqlite.sql").read_text("utf-8")


class SQLiteStore(ReportsMixin, SQLiteReadAPI, Store):
    """See the module docstring.  Open with ``cablemirror.store.open_store``."""

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._pool: ThreadPoolExecutor | None = None
        self._deferring = False  # inside defer_search_index()
        self._builder: IndexBuilder | None = None  # the scratch index of a first import (fts_build.py)
        self._labels: dict[str, dict[str, int]] = {}  # kind -> value -> labels.label_id
        self._init_read_api()
        self._check_path()
        conn = self._new_connection()
        try:
            self._prepare_database(conn)
            if not readonly:
                self._ensure_report_tables(conn)  # the war diary's tables (sqlite_reports.py)
        except BaseException:
            conn.close()
            raise
        self._register(conn)

    # ------------------------------------------------------------------ opening

    def _check_path(self) -> None:
        p = self.path
        if p.is_dir():
            raise StoreError(f"cannot open {p}: it is a directory, not a database file")
        if self.readonly:
            if not p.exists():
                raise StoreError(
                    f"no cablemirror database at {p}: nothing has been imported there yet "
                    f"(cablemirror import --db {p} FILES...)"
                )
        elif not p.parent.is_dir():
            raise StoreError(f"cannot create {p}: the folder {p.parent} does not exist")

    def _new_connection(self) -> sqlite3.Connection:
        try:
            if self.readonly:
                uri = "file:" + urllib.parse.quote(str(self.path.resolve())) + "?mode=ro"
                conn = sqlite3.connect(
                    uri, uri=True, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
                )
            else:
                conn = sqlite3.connect(
                    str(self.path), timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
                )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from None
        try:
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: FTS merges and b-tree inserts
            if self.readonly:
                # Readers (the website) read pages through a shared mapping; a writer does
                # not map: its reads are cache hits, and mapped pages would count against
                # an import's memory.
                conn.execute("PRAGMA mmap_size = 268435456")
            else:
                conn.execute("PRAGMA synchronous = NORMAL")
                # Planner statistics from a sample: ANALYZE and PRAGMA optimize stay fast at any size.
                conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._not_ours(exc) from None
        return conn

    def _not_ours(self, exc: Exception) -> StoreError:
        detail = str(exc)
        if "not a database" in detail or "malformed" in detail or "encrypted" in detail:
            return StoreError(f"not a cablemirror database: {self.path} (not an SQLite database file: {detail})")
        return StoreError(f"cannot open {self.path}: {detail}")

    def _prepare_database(self, conn: sqlite3.Connection) -> None:
        """Check that the file is a cablemirror store we can read; create it when new."""
        try:
            # One statement, so one snapshot: another process may be creating the store.
            app_id, version, n_objects = conn.execute(
                "SELECT (SELECT application_id FROM pragma_application_id), "
                "(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._not_ours(exc) from None
        if app_id == 0 and n_objects == 0:
            if self.readonly:
                raise StoreError(
                    f"no cablemirror database at {self.path}: the file is empty "
                    f"(cablemirror import --db {self.path} FILES...)"
                )
            self._create_schema(conn)
            return
        if app_id != APPLICATION_ID:
            raise StoreError(
                f"not a cablemirror database: {self.path} (an SQLite database of another application; "
                "choose another --db)"
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database is newer than this version of cablemirror: {self.path} has schema {version}, "
                f"this version knows schema {SCHEMA_VERSION} at most; upgrade cablemirror"
            )
        if version < SCHEMA_VERSION:
            self._upgrade(conn, version)
        if not self.readonly:
            try:
                mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                no_stats = conn.execute(
                    "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1') "
                    "AND EXISTS (SELECT 1 FROM cables)"
                ).fetchone()[0]
                if no_stats:
                    _analyze(conn)
            except sqlite3.Error as exc:
                raise self._write_error(exc) from None

    def _upgrade(self, conn: sqlite3.Connection, version: int) -> None:
        """Bring a store of an older schema to this one, in place, in one transaction."""
        if version not in migrate.STEPS:
            raise StoreError(f"cannot open {self.path}: unknown schema version {version}")
        if self.readonly:
            raise StoreError(
                f"{self.path} was written by an older cablemirror (schema {version}; this version uses "
                f"schema {SCHEMA_VERSION}) and is opened read-only: upgrade it once with "
                f"`cablemirror upgrade --db {self.path}` (it keeps every record)"
            )
        log.warning(
            "upgrading %s from schema %d to %d: this runs once and takes about a minute per 100,000 cables",
            self.path, version, SCHEMA_VERSION,
        )
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._write_error(exc) from None
        try:
            # Another process may have upgraded it while we waited for the lock.
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current < SCHEMA_VERSION:
                migrate.upgrade(conn, current, SCHEMA_VERSION)
                _analyze(conn)
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"cannot upgrade {self.path} to schema {SCHEMA_VERSION}: {exc} (the file is unchanged)") from None
            raise
        log.warning("upgraded %s to schema %d", self.path, SCHEMA_VERSION)

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            meta = {
                "application": "cablemirror",
                "schema_version": str(SCHEMA_VERSION),
                "created_at": _utcnow(),
                "sqlite_version": sqlite3.sqlite_version,
                "search_index": "ok",
                "generation": "0",
            }
            values = ",".join("('{}', '{}')".format(k, v.replace("'", "''")) for k, v in meta.items())
            # One transaction: a half-created store cannot exist.
            conn.executescript(
                "BEGIN IMMEDIATE;\n"
                + _schema_sql()
                + f"\nINSERT INTO meta(key, value) VALUES {values};"
                + f"\nPRAGMA application_id = {APPLICATION_ID};\nPRAGMA user_version = {SCHEMA_VERSION};\n"
                + "COMMIT;"
            )
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if "already exists" in str(exc):  # another process created it meanwhile
                self._prepare_database(conn)
                return
            if "fts5" in str(exc).lower():
                raise StoreError(
                    f"cannot create {self.path}: this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5"
                ) from None
            raise self._write_error(exc) from None

    def _register(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            self._conns.append(conn)
        self._local.conn = conn

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the store {self.path} is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._new_connection()
            self._register(conn)
        return conn

    def _compressor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cablemirror-zlib")
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            conns, self._conns = self._conns, []
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        for conn in conns:
            try:
                if not self.readonly and not conn.in_transaction:
                    conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass  # best effort: closing must not fail
            conn.close()

    # ------------------------------------------------------------------ errors

    def _write_error(self, exc: sqlite3.Error) -> StoreError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreError(
                f"the database {self.path} is busy: another process is writing to it (one import at a time)"
            )
        if "readonly" in text or "read-only" in text:
            return StoreError(f"cannot write to {self.path}: the file or its folder is read-only")
        if "full" in text:
            return StoreError(f"cannot write to {self.path}: the disk is full")
        return StoreError(f"cannot write to {self.path}: {text}")

    def _writable(self) -> sqlite3.Connection:
        if self.readonly:
            raise StoreError(f"the store {self.path} was opened read-only: cannot write to it")
        return self._conn()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._writable()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._write_error(exc) from None
        changes = conn.total_changes
        try:
            yield conn
            if conn.total_changes != changes:
                # Read caches (facets of the empty query, most cited) key on this.
                conn.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
                )
        except sqlite3.Error as exc:
            self._rolled_back(conn)
            raise self._write_error(exc) from None
        except BaseException:
            self._rolled_back(conn)
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rolled_back(conn)
            raise self._write_error(exc) from None

    def _rolled_back(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        self._labels.clear()  # label ids handed out in the transaction are void

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            yield conn
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read {self.path}: {exc}") from None

    # ------------------------------------------------------------------ writing

    def store_batch(self, items: list[tuple[RawRecord, Cable]]) -> list[StoreOutcome]:
        self._writable()
        versions = [self._incoming(i, item) for i, item in enumerate(items)]
        if not versions:
            return []
        now = _utcnow()
        fts_rows = _IndexRows()
        with self._transaction() as conn:
            known = self._known_versions(conn, [v.sha for v in versions])
            current = self._current_versions(conn, sorted({v.cable_id for v in versions}))
            next_version = conn.execute("SELECT coalesce(max(version_id), 0) + 1 FROM versions").fetchone()[0]
            next_key = conn.execute("SELECT coalesce(max(key), 0) + 1 FROM cables").fetchone()[0]

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
                # Compression runs beside SQLite's and Python's work (zlib releases the GIL).
                pool = self._compressor()
                raws = pool.submit(_compress_all, [bytes(v.raw.raw) for v in fresh])
                records = None
                try:
                    for v in fresh:
                        _record_json(v)
                    records = pool.submit(_compress_all, [v.json_text.encode("utf-8") for v in fresh])
                    self._write_current(
                        conn, [c for c in current.values() if c.added], lambda: _set_records(fresh, records), fts_rows
                    )
                finally:
                    raw_z = raws.result()
                    if records is not None:
                        _set_records(fresh, records)
                self._insert_versions(conn, fresh, current, now, raw_z)
                conn.executemany(
                    "UPDATE quarantine SET resolved_version = ?, resolved_at = ? "
                    "WHERE sha256 = ? AND resolved_version IS NULL",
                    [(v.version_id, now, v.sha) for v in fresh],
                )
        if self._builder is not None:  # committed: the scratch index may take it now
            self._builder.remove(fts_rows.deleted)
            self._builder.add(fts_rows.inserted, fts_rows.current)
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
        if _clean(cable.id) != cable.id:
            raise StoreError(f"cannot store {cable.id!r} ({prov.path}:{prov.line}): the id is not valid text")
        if not isinstance(raw.raw, (bytes, bytearray, memoryview)):
            raise StoreError(f"record {cable.id} ({prov.path}:{prov.line}): raw bytes are {type(raw.raw).__name__}")
        # The version's identity is the hash of the bytes we keep, computed here.
        return _Version(raw, cable, cable.id, sha256_hex(bytes(raw.raw)))

    def _known_versions(self, conn: sqlite3.Connection, shas: list[str]) -> dict[str, tuple[int, str, bool]]:
        known: dict[str, tuple[int, str, bool]] = {}
        for chunk in _chunks(sorted(set(shas))):
            marks = ",".join("?" * len(chunk))
            for sha, vid, cid, is_current in conn.execute(
                "SELECT v.sha256, v.version_id, v.cable_id, coalesce(c.version_id = v.version_id, 0) "
                f"FROM versions v LEFT JOIN cables c ON c.id = v.cable_id WHERE v.sha256 IN ({marks})",
                chunk,
            ):
                known[sha] = (vid, cid, bool(is_current))
        return known

    def _current_versions(self, conn: sqlite3.Connection, ids: list[str]) -> dict[str, _Current]:
        current: dict[str, _Current] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for cid, key, vid, n, score, released, seq in conn.execute(
                "SELECT c.id, c.key, c.version_id, c.n_versions, v.completeness, v.released, v.release_seq "
                f"FROM cables c JOIN versions v ON v.version_id = c.version_id WHERE c.id IN ({marks})",
                chunk,
            ):
                rank = version_rank(score, released, seq, vid)
                current[cid] = _Current(key, vid, 0, rank, False, stored=n)
        return current

    def _insert_versions(
        self, conn: sqlite3.Connection, fresh: list[_Version], current: dict[str, _Current], now: str, raw_z: list[bytes]
    ) -> None:
        rows = []
        for v, z in zip(fresh, raw_z):
            prov = v.raw.provenance
            # The current version's record lives in cables.record only; others keep their own.
            is_current = current[v.cable_id].version_id == v.version_id
            rows.append(
                (
                    v.version_id,
                    v.cable_id,
                    v.sha,
                    v.raw.collection,
                    prov.format,
                    _clean(prov.path),
                    prov.offset,
                    prov.length,
                    prov.line,
                    now,
                    _clean(v.released),
                    _clean(v.label),
                    v.seq,
                    v.score,
                    None if is_current else _full_record(v),
                    z,
                )
            )
        conn.executemany("INSERT INTO versions VALUES (" + ",".join("?" * 16) + ")", rows)

    def _write_current(
        self, conn: sqlite3.Connection, states: list[_Current], compressed: Callable[[], None], fts_rows: _IndexRows
    ) -> None:
        """Insert new cables, switch changed ones to their new current version, count
        versions.  ``compressed()`` waits until every new version has its ``record_z``;
        ``fts_rows`` collects the index changes for the scratch index (deferred index)."""
        inserts = [s for s in states if s.is_new]
        switches = [s for s in states if not s.is_new and s.best is not None]
        counts = [s for s in states if not s.is_new and s.best is None]

        totals: Counter[tuple[str, str]] = Counter()  # (facet, value) -> change of its count
        if switches:
            # External-content FTS: the old row must be deleted with the values it was indexed with.
            old = []
            for chunk in _chunks([s.key for s in switches]):
                marks = ",".join("?" * len(chunk))
                old += conn.execute(
                    f"SELECT key, title, subject, body, tags, version_id, record_z FROM cables WHERE key IN ({marks})",
                    chunk,
                ).fetchall()
            if not self._deferring or self._builder is not None:
                indexed = [row[:5] for row in old]
                if self._deferring:
                    fts_rows.deleted += indexed
                else:
                    conn.executemany(
                        "INSERT INTO cables_fts(cables_fts, rowid, title, subject, body, tags) "
                        "VALUES ('delete', ?, ?, ?, ?, ?)",
                        indexed,
                    )
            # The version that stops being current keeps its whole record in versions from now on.
            conn.executemany(
                "UPDATE versions SET record_z = ? WHERE version_id = ?",
                [(records.deflate(jsonio.dumps(self._record(z, body, f"cable {k}"))), vid) for k, _, _, body, _, vid, z in old],
            )
            # What the old versions counted (subtract: Counter's -= would drop the negatives).
            totals.subtract(self._counted(conn, [s.key for s in switches]))
            ids = [(s.best.cable_id,) for s in switches]  # type: ignore[union-attr]
            keys = [(s.key,) for s in switches]
            for table, column in (("refs", "src"), ("paragraphs", "cable")):
                conn.executemany(f"DELETE FROM {table} WHERE {column} = ?", ids)
            for table in ("tags", "captions", "facts", "cables"):
                conn.executemany(f"DELETE FROM {table} WHERE key = ?", keys)

        changed = inserts + switches
        rows = [self._cable_row(s) for s in changed]
        if rows:
            # The derived rows first: the records are being compressed meanwhile.
            self._write_parts(conn, changed, rows)
            compressed()
            conn.executemany(
                f"INSERT INTO cables({_CABLE_COLUMNS}) VALUES (" + ",".join("?" * 25) + ")",
                [r[:_RECORD] + (s.best.record_z,) + r[_RECORD + 1 :] for r, s in zip(rows, changed)],  # type: ignore[union-attr]
            )
            indexed = [(r[0], r[13], r[12], r[24], r[14]) for r in rows]
            if self._deferring:
                # Marked in the same transaction: a crash cannot leave an unmarked gap.
                conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('search_index', 'stale')")
                if self._builder is not None:
                    fts_rows.inserted += indexed
                    fts_rows.current += [(r[0], r[2]) for r in rows]
            else:
                conn.executemany("INSERT INTO cables_fts(rowid, title, subject, body, tags) VALUES (?, ?, ?, ?, ?)", indexed)
            totals.update(self._counted(conn, [s.key for s in inserts + switches]))
            self._add_totals(conn, totals)
        if counts:
            conn.executemany(
                "UPDATE cables SET n_versions = n_versions + ? WHERE key = ?", [(s.added, s.key) for s in counts]
            )

    def _cable_row(self, s: _Current) -> tuple[Any, ...]:
        v = s.best
        assert v is not None
        c = v.cable
        cl = _same if v.valid_text else _clean
        year, month, day = _date_parts(c.created)
        return (
            s.key,
            v.cable_id,
            v.version_id,
            s.stored + s.added,
            v.raw.provenance.format,
            cl(c.created),
            cl(c.released),
            year,
            month,
            day,
            cl(c.origin),
            cl(c.classification),
            cl(c.subject or ""),
            cl(c.title or ""),
            cl(" ".join(c.tags)),
            int(bool(c.partial)),
            int(bool(c.header and c.header.strip())),
            len(c.paragraphs),
            len(c.references),
            int(c.redactions or 0),
            len(c.body or ""),
            None,  # record_z, once compressed (_RECORD)
            derived.id_key(v.cable_id),
            int(derived.is_generated(c.body)),
            v.body,
        )

    def _write_parts(self, conn: sqlite3.Connection, states: list[_Current], rows: list[tuple[Any, ...]]) -> None:
        """The rows derived from the new current records: refs, tags, captions,
        paragraphs, facts (``rows`` are their ``cables`` rows, in the same order)."""
        refs: list[tuple[Any, ...]] = []
        tags: list[tuple[Any, ...]] = []
        captions: list[tuple[Any, ...]] = []
        paras: list[tuple[Any, ...]] = []
        for s in states:
            v = s.best
            assert v is not None
            cid, c = v.cable_id, v.cable
            cl = _same if v.valid_text else _clean
            for i, r in enumerate(c.references):
                dst = cl(r.id)
                refs.append((cid, i, cl(r.bullet), cl(r.value) or "", cl(r.kind) or "other", dst, derived.id_key(dst)))
            # Normalised like queries compare them, each once (the first position wins).
            tags += [(s.key, t, i) for i, t in enumerate(derived.keywords(cl(t) for t in c.tags))]
            captions += [(s.key, k) for k in derived.keywords(cl(t) for t in c.captions)]
            paras += [
                (cid, i, p.number, cl(p.marking), int(bool(p.cut_short)), len(p.text or ""))
                for i, p in enumerate(c.paragraphs)
            ]
        conn.executemany("INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?, ?)", refs)
        conn.executemany("INSERT INTO tags(key, tag, position) VALUES (?, ?, ?)", tags)
        conn.executemany("INSERT INTO captions(key, caption) VALUES (?, ?)", captions)
        conn.executemany("INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?, ?)", paras)
        origins = self._label_ids(conn, "origin", {r[10] for r in rows if r[10] is not None})
        classes = self._label_ids(conn, "class", {r[11] for r in rows if r[11] is not None})
        conn.executemany(
            "INSERT INTO facts(key, created, released, year, origin, class, generated) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(r[0], r[5], r[6], r[7], origins.get(r[10]), classes.get(r[11]), r[23]) for r in rows],
        )

    @staticmethod
    def _counted(conn: sqlite3.Connection, keys: list[int]) -> "Counter[tuple[str, str]]":
        """What the cables ``keys`` add to the collection's facet counts (``totals``)."""
        out: Counter[tuple[str, str]] = Counter()
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for year, origin, cls in conn.execute(
                "SELECT f.year, lo.value, lc.value FROM facts f LEFT JOIN labels lo ON lo.label_id = f.origin "
                f"LEFT JOIN labels lc ON lc.label_id = f.class WHERE f.key IN ({marks})",
                chunk,
            ):
                out["cables", ""] += 1
                if year is not None:
                    out["year", str(year)] += 1
                if origin is not None:
                    out["origin", origin] += 1
                if cls is not None:
                    out["classification", cls] += 1
            for (tag,) in conn.execute(f"SELECT tag FROM tags WHERE key IN ({marks})", chunk):
                out["tag", tag] += 1
        return out

    @staticmethod
    def _add_totals(conn: sqlite3.Connection, delta: "Counter[tuple[str, str]]") -> None:
        changes = [(facet, value, n) for (facet, value), n in delta.items() if n]
        if not changes:
            return
        conn.executemany(
            "INSERT INTO totals(facet, value, n) VALUES (?, ?, ?) "
            "ON CONFLICT(facet, value) DO UPDATE SET n = n + excluded.n",
            changes,
        )
        conn.execute("DELETE FROM totals WHERE n = 0")

    def _label_ids(self, conn: sqlite3.Connection, kind: str, values: set[str]) -> dict[str, int]:
        """Label ids of ``values`` (origins or classifications), creating the new ones.
        Labels are never deleted, so the ids are cached for the life of the store."""
        cache = self._labels.setdefault(kind, {})
        missing = sorted(v for v in values if v not in cache)
        if missing:
            norm = derived.origin_words if kind == "origin" else derived.class_key
            conn.executemany(
                "INSERT OR IGNORE INTO labels(kind, value, norm) VALUES (?, ?, ?)",
                [(kind, v, norm(v)) for v in missing],
            )
            for chunk in _chunks(missing):
                marks = ",".join("?" * len(chunk))
                cache.update(
                    conn.execute(f"SELECT value, label_id FROM labels WHERE kind = ? AND value IN ({marks})", (kind, *chunk))
                )
        return {v: cache[v] for v in values}

    @contextmanager
    def defer_search_index(self) -> Iterator[None]:
        self._writable()
        if self._deferring:  # nested: the outer one rebuilds
            yield
            return
        self._deferring = True
        self._builder = self._start_builder()
        try:
            yield
        except Exception:
            self._deferring = False
            self._drop_builder()
            self._rebuild_if_stale()  # what was stored before the error is searchable
            raise
        except BaseException:
            # KeyboardInterrupt and the like: no long rebuild now; the mark stays.
            self._deferring = False
            self._drop_builder()
            raise
        self._deferring = False
        builder, self._builder = self._builder, None
        if builder is not None:
            try:
                builder.install(self._new_connection)
                with self._transaction() as conn:
                    _analyze(conn)  # after a bulk import the planner's statistics are stale
            except BuildFailed as exc:
                log.warning("the search index built during the import cannot be used (%s): rebuilding it", exc)
        self._rebuild_if_stale()

    def _start_builder(self) -> IndexBuilder | None:
        """A scratch index for this import when the store's index is empty (first import)."""
        try:
            with self._reading() as conn:
                return IndexBuilder.for_store(conn, self.path)
        except (StoreError, sqlite3.Error, OSError) as exc:
            log.warning("indexing at the end of the import instead of during it: %s", exc)
            return None

    def _drop_builder(self) -> None:
        builder, self._builder = self._builder, None
        if builder is not None:
            builder.discard()

    def _search_index_state(self, conn: sqlite3.Connection) -> str:
        row = conn.execute("SELECT value FROM meta WHERE key = 'search_index'").fetchone()
        return row[0] if row else "ok"

    def _rebuild_if_stale(self) -> None:
        with self._reading() as conn:
            stale = self._search_index_state(conn) != "ok"
        if stale:
            self.rebuild_search_index()

    def rebuild_search_index(self) -> None:
        with self._transaction() as conn:
            # The external content (cables) is the truth: 'rebuild' re-reads all of it.
            conn.execute("INSERT INTO cables_fts(cables_fts) VALUES ('rebuild')")
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('search_index', 'ok')")
            _analyze(conn)  # after a bulk import the planner's statistics are stale

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
            present: set[str] = set()
            stored: dict[str, int] = {}
            for chunk in _chunks(shas):
                marks = ",".join("?" * len(chunk))
                present.update(r[0] for r in conn.execute(f"SELECT sha256 FROM quarantine WHERE sha256 IN ({marks})", chunk))
                stored.update(conn.execute(f"SELECT sha256, version_id FROM versions WHERE sha256 IN ({marks})", chunk))
            new_rows, seen_again = [], []
            for sha, q in entries:
                prov = q.provenance
                if sha in present:
                    seen_again.append((now, _clean(q.reason) or "", sha))
                    continue
                present.add(sha)
                resolved = stored.get(sha)
                new_rows.append(
                    (
                        sha,
                        q.collection,
                        prov.format,
                        _clean(prov.path),
                        prov.offset,
                        prov.length,
                        prov.line,
                        _clean(q.reason) or "",
                        now,
                        now,
                        resolved,
                        now if resolved is not None else None,
                        zlib.compress(bytes(q.raw), ZLIB_LEVEL),
                    )
                )
            conn.executemany(
                "INSERT INTO quarantine(sha256, collection, format, path, offset, length, line, reason, "
                "first_seen, last_seen, resolved_version, resolved_at, raw_z) VALUES (" + ",".join("?" * 13) + ")",
                new_rows,
            )
            conn.executemany("UPDATE quarantine SET last_seen = ?, reason = ? WHERE sha256 = ?", seen_again)
        return len(new_rows)

    # ------------------------------------------------------------------ imports

    def import_checkpoint(self, path: str, fingerprint: str) -> int | None:
        with self._reading() as conn:
            row = conn.execute("SELECT fingerprint, offset FROM imports WHERE path = ?", (str(path),)).fetchone()
        if row is None or row[0] != fingerprint:
            return None
        return int(row[1])

    def set_import_checkpoint(self, path: str, fingerprint: str, offset: int) -> None:
        if not isinstance(offset, int) or offset < -1:
            raise StoreError(f"invalid import checkpoint for {path}: offset {offset!r}")
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO imports(path, fingerprint, offset, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET fingerprint = excluded.fingerprint, "
                "offset = excluded.offset, updated_at = excluded.updated_at",
                (_clean(str(path)), fingerprint, offset, _utcnow()),
            )

    # ------------------------------------------------------------------ reading

    def get_cable(self, cable_id: str) -> dict[str, Any] | None:
        with self._reading() as conn:
            row = conn.execute("SELECT record_z, body, generated FROM cables WHERE id = ?", (cable_id,)).fetchone()
        if row is None:
            return None
        record = self._record(row[0], row[1], cable_id)
        if row[2]:
            record["generated"] = True  # demo data: said only when true, the record shape is unchanged
        return record

    def get_versions(self, cable_id: str) -> list[dict[str, Any]]:
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT v.version_id, v.sha256, v.collection, v.format, v.path, v.offset, v.length, v.line, "
                "v.imported_at, v.released, v.release_label, v.completeness, "
                "coalesce(c.version_id = v.version_id, 0), coalesce(v.record_z, c.record_z), "
                "CASE WHEN v.record_z IS NULL THEN c.body END "
                "FROM versions v LEFT JOIN cables c ON c.id = v.cable_id "
                "WHERE v.cable_id = ? ORDER BY v.version_id",
                (cable_id,),
            ).fetchall()
        out = []
        for (vid, sha, coll, fmt, path, off, length, line, imported, released, label, score, cur, rec, body) in rows:
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
                    "record": self._version_record(rec, body, f"{cable_id} version {vid}"),
                }
            )
        return out

    def _version_record(self, stored: bytes | None, body: str | None, what: str) -> dict[str, Any] | None:
        if stored is None:
            return None
        if body is not None:  # the current version: the record is kept without its body
            return self._record(stored, body, what)
        return jsonio.loads(self._inflate(stored, f"record of {what}"))

    def _record(self, record_z: bytes, body: str, what: str) -> dict[str, Any]:
        """A current record from ``cables`` (``records.py``)."""
        try:
            return records.joined(record_z, body)
        except (zlib.error, ValueError, TypeError) as exc:
            raise StoreError(f"the stored record of {what} in {self.path} is damaged: {exc}") from None

    def _inflate(self, blob: bytes, what: str) -> bytes:
        try:
            return zlib.decompress(blob)
        except (zlib.error, TypeError) as exc:
            raise StoreError(f"the stored {what} in {self.path} is damaged: {exc}") from None

    def get_raw(self, cable_id: str, version_id: int | None = None) -> bytes | None:
        with self._reading() as conn:
            if version_id is None:
                row = conn.execute(
                    "SELECT v.version_id, v.raw_z FROM cables c JOIN versions v ON v.version_id = c.version_id "
                    "WHERE c.id = ?",
                    (cable_id,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT version_id, raw_z FROM versions WHERE version_id = ? AND cable_id = ?",
                    (version_id, cable_id),
                ).fetchone()
        if row is None:
            return None
        return self._inflate(row[1], f"bytes of {cable_id} version {row[0]}")

    def cited_by(self, cable_id: str) -> list[str]:
        with self._reading() as conn:
            return [
                r[0]
                # Canonical ids on both sides: a citation may spell the id differently.
                for r in conn.execute(
                    "SELECT DISTINCT src FROM refs WHERE dst_key = ? ORDER BY src", (derived.id_key(cable_id),)
                )
            ]

    def search(
        self, query: str, *, limit: int = 20, offset: int = 0, marks: tuple[str, str] = HIT_MARKS
    ) -> SearchPage:
        if not isinstance(limit, int) or not isinstance(offset, int) or limit < 0 or offset < 0:
            raise StoreError(f"search: limit and offset must be whole numbers >= 0 (got {limit!r}, {offset!r})")
        match = fts5_query(query if isinstance(query, str) else "")
        if match is None:
            return SearchPage(total=0)
        # Plain words, ranked by bm25 over every hit; the hits are shown like query()'s.
        words = Compiled(match=match, highlight=match)
        try:
            with self._snapshot() as conn:
                total = conn.execute("SELECT count(*) FROM cables_fts WHERE cables_fts MATCH ?", (match,)).fetchone()[0]
                page = self._rows(conn, words, "relevance", limit, offset) if total and limit else []
                hits = self._hits(conn, words, page, marks) if page else []
        except StoreError as exc:
            raise StoreError(f"cannot search for {query!r}: {exc}") from None
        return SearchPage(total=total, hits=hits)

    def _hit_paragraph(self, stored: tuple[bytes, str], body_hl: str | None) -> int | None:
        at = body_hl.find(_HL_START) if body_hl else -1
        if at < 0:
            return None  # the words matched in title, subject or tags only
        record = self._record(stored[0], stored[1], "a search hit")
        paragraphs = [(p.get("number"), p.get("text") or "") for p in record.get("paragraphs") or []]
        return paragraph_of_hit(record.get("body") or "", at, paragraphs)

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
                        "SELECT classification, count(*) FROM cables GROUP BY classification ORDER BY 2 DESC, 1"
                    )
                },
                "first_created": first,
                "last_created": last,
                "files_imported": one("SELECT count(*) FROM imports WHERE offset = -1"),
                "search_index": self._search_index_state(conn),
            }
        st.update(self.report_stats())
        st["db_path"] = str(self.path.resolve())
        st["db_bytes"] = sum(
            os.path.getsize(p) for p in (self.path, Path(f"{self.path}-wal")) if os.path.exists(p)
        )
        return st

    def iter_quarantine(self, *, include_resolved: bool = False) -> Iterator[dict[str, Any]]:
        # Pages by qid so no read transaction stays open while the caller works.
        where = "" if include_resolved else "AND resolved_version IS NULL"
        last = 0
        while True:
            with self._reading() as conn:
                rows = conn.execute(
                    "SELECT qid, sha256, collection, format, path, offset, length, line, reason, first_seen, "
                    f"last_seen, resolved_version, resolved_at FROM quarantine WHERE qid > ? {where} "
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
        with self._reading() as conn:
            row = conn.execute("SELECT raw_z FROM quarantine WHERE sha256 = ?", (sha256,)).fetchone()
        return self._inflate(row[0], f"quarantined bytes {sha256}") if row else None
