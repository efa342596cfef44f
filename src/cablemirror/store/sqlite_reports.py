"""The war-diary reports in the SQLite store: a mixin of ``SQLiteStore``.

Tables (created with ``CREATE ... IF NOT EXISTS`` whenever the store is opened for
writing, so a store written before the war logs existed gains them on its next
import; a read-only store without them simply holds no reports):

``reports``
    One row per ReportKey: the current version, the columns queries filter, sort and
    facet on (date, year, month, type/category/unit type as written and normalised,
    region, attack-on, theatre, tracking number, the nine counts and their sums
    kia/wia/civilian, latitude/longitude and their grid cell, generated) and
    ``record``, the current ``Report.to_dict()`` as compact JSON.  ``key`` (rowid)
    is the FTS rowid.
``report_versions``
    One row per distinct raw row (unique by the sha256 of its bytes): provenance,
    completeness, the raw bytes zlib-compressed, and the record of versions that are
    not current (NULL for the current one, whose record is ``reports.record``).
``reports_fts``
    FTS5 over title and summary (external content: the view ``reports_fts_content``
    reads the summary out of the record), kept in sync by every write.  Unlike the
    cables' index it does not stem: an English stemmer makes "i" of IED (so IED
    would find MAZAR-I-SHARIF) and mangles the other abbreviations the summaries are
    made of; ``ied*`` finds IEDS.

The quarantine and the import checkpoints are the cables' tables: a quarantined row
says ``collection = 'warlogs'``, and when its bytes later import as a report its
``resolved_version`` names the ``report_versions`` row.

Reads go through the store's connections and its per-generation cache
(``SQLiteReadAPI._cached``): totals, facets, bins and timelines of a query are
computed once per state of the store.
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from ..model import RawRecord, sha256_hex
from ..warlogs.model import Report
from . import jsonio
from .base import StoreError, StoreOutcome
from .reports import cell_of, completeness, keyword_key, normalize_report_key, unit_words
from .sqlite_reports_query import FTS
from .sqlite_reports_read import COLLECTION, ReportsReadAPI

if TYPE_CHECKING:
    from .sqlite import SQLiteStore

__all__ = ["ReportsMixin", "REPORT_SCHEMA", "COLLECTION"]

REPORTS_SCHEMA_VERSION = "1"  # meta.reports_schema: for a later migration of these tables
ZLIB_LEVEL = 1
_CHUNK = 500  # host parameters per IN (...)

REPORT_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    key             INTEGER PRIMARY KEY,     -- rowid, shared with reports_fts
    report_key      TEXT NOT NULL UNIQUE,    -- the GUID, upper case
    version_id      INTEGER NOT NULL,        -- current version (report_versions.version_id)
    n_versions      INTEGER NOT NULL,
    theatre         TEXT NOT NULL,           -- afghanistan | iraq
    date            TEXT NOT NULL,           -- ISO 8601, as written (no time zone)
    year            INTEGER NOT NULL,
    month           INTEGER NOT NULL,
    type            TEXT NOT NULL,           -- as written ...
    type_k          TEXT NOT NULL,           -- ... and as type: compares it ('' when it cannot)
    category        TEXT NOT NULL,
    category_k      TEXT NOT NULL,
    unit_type       TEXT NOT NULL,
    unit_type_k     TEXT NOT NULL,
    region          TEXT NOT NULL,
    region_k        TEXT NOT NULL,
    attack_on       TEXT NOT NULL,
    attack_k        TEXT NOT NULL,
    tracking        TEXT NOT NULL,           -- tracking number as tracking: compares it
    tracking_number TEXT NOT NULL,           -- as written
    title           TEXT NOT NULL,
    unit_words      TEXT NOT NULL,           -- folded words of ReportingUnit | UnitName (unit:)
    friendly_wia    INTEGER, friendly_kia INTEGER, host_nation_wia INTEGER, host_nation_kia INTEGER,
    civilian_wia    INTEGER, civilian_kia INTEGER, enemy_wia INTEGER, enemy_kia INTEGER,
    enemy_detained  INTEGER,                 -- NULL: the report does not say
    kia             INTEGER NOT NULL,        -- killed, all sides (unknown counts as 0)
    wia             INTEGER NOT NULL,
    civilian        INTEGER NOT NULL,        -- civilians killed + wounded
    lat             REAL,
    lon             REAL,
    cell_y          INTEGER,                 -- floor(lat * 2**CELL_BITS): map bins by shifting
    cell_x          INTEGER,
    mgrs            TEXT NOT NULL,
    n_problems      INTEGER NOT NULL,
    generated       INTEGER NOT NULL,
    record          TEXT NOT NULL            -- Report.to_dict() as JSON
);
CREATE INDEX IF NOT EXISTS reports_date ON reports(date);
CREATE INDEX IF NOT EXISTS reports_type ON reports(type_k, date);
CREATE INDEX IF NOT EXISTS reports_category ON reports(category_k, date);
CREATE INDEX IF NOT EXISTS reports_region ON reports(region_k, date);
CREATE INDEX IF NOT EXISTS reports_kia ON reports(kia, date);
CREATE INDEX IF NOT EXISTS reports_cell ON reports(cell_y, cell_x) WHERE cell_y IS NOT NULL;
CREATE INDEX IF NOT EXISTS reports_lat ON reports(lat, lon) WHERE lat IS NOT NULL;

CREATE TABLE IF NOT EXISTS report_versions (
    version_id   INTEGER PRIMARY KEY,
    report_key   TEXT NOT NULL,
    sha256       TEXT NOT NULL UNIQUE,
    format       TEXT NOT NULL,
    path         TEXT NOT NULL,
    offset       INTEGER NOT NULL,
    length       INTEGER NOT NULL,
    line         INTEGER NOT NULL,
    variant      TEXT,
    imported_at  TEXT NOT NULL,
    completeness INTEGER NOT NULL,
    record_z     BLOB,                       -- zlib(JSON of this version); NULL while current
    raw_z        BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS report_versions_key ON report_versions(report_key);

CREATE VIEW IF NOT EXISTS reports_fts_content AS
    SELECT key, title, json_extract(record, '$.summary') AS summary FROM reports;
CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5(
    title, summary,
    content = 'reports_fts_content',
    content_rowid = 'key',
    tokenize = 'unicode61 remove_diacritics 2'
);
"""

# The columns of ``reports`` in the order ``_row`` gives them (key and version first).
_COLUMNS: tuple[str, ...] = (
    "key", "report_key", "version_id", "n_versions", "theatre", "date", "year", "month", "type", "type_k",
    "category", "category_k", "unit_type", "unit_type_k", "region", "region_k", "attack_on", "attack_k", "tracking",
    "tracking_number",
    "title", "unit_words", "friendly_wia", "friendly_kia", "host_nation_wia", "host_nation_kia", "civilian_wia",
    "civilian_kia", "enemy_wia", "enemy_kia", "enemy_detained", "kia", "wia", "civilian", "lat", "lon", "cell_y",
    "cell_x", "mgrs", "n_problems", "generated", "record",
)  # fmt: skip
_TITLE = _COLUMNS.index("title")


def _utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _text(value: str | None) -> str:
    return jsonio.valid_text(value or "")


def _same(value: str | None) -> str:
    return value or ""


def _compress_all(blobs: list[bytes]) -> list[bytes]:
    return [zlib.compress(b, ZLIB_LEVEL) for b in blobs]


@dataclass(slots=True)
class _New:
    """A version being written."""

    raw: RawRecord
    report: Report
    key: str  # ReportKey
    sha: str
    version_id: int = 0
    score: int = 0
    json_text: str = ""
    valid_text: bool = True  # no lone surrogates anywhere in the report (most rows): no cleaning


@dataclass(slots=True)
class _State:
    """A report's current version while a batch is decided."""

    rowid: int
    version_id: int
    rank: tuple[int, int]
    stored: int  # versions before this batch
    is_new: bool
    added: int = 0
    best: _New | None = None  # the current version, when it comes from this batch


class ReportsMixin(ReportsReadAPI):
    """The report methods of ``base.Store`` for ``SQLiteStore``."""

    # ------------------------------------------------------------------ tables

    def _ensure_report_tables(self, conn: sqlite3.Connection) -> None:
        """Create the report tables when missing (a store opened for writing)."""
        if self._report_tables(conn):
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                fresh = not self._report_tables(conn)  # another process may have made them meanwhile
                if fresh:
                    from .migrate import run_script

                    run_script(conn, REPORT_SCHEMA)
                    conn.execute(f"INSERT INTO {FTS}({FTS}, rank) VALUES ('rank', 'bm25(5.0, 1.0)')")
                    conn.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES ('reports_schema', ?)", (REPORTS_SCHEMA_VERSION,)
                    )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"cannot create the report tables in {self.path}: {exc}") from None  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ writing

    def store_reports(self: "SQLiteStore", items: list[tuple[RawRecord, Report]]) -> list[StoreOutcome]:
        self._writable()
        incoming = [self._incoming_report(i, item) for i, item in enumerate(items)]
        if not incoming:
            return []
        now = _utcnow()
        with self._transaction() as conn:
            if not self._report_tables(conn):
                raise StoreError(f"{self.path} has no report tables: open it for writing once to create them")
            known = self._known_report_versions(conn, [v.sha for v in incoming])
            states = self._report_states(conn, sorted({v.key for v in incoming}))
            next_version = conn.execute("SELECT coalesce(max(version_id), 0) + 1 FROM report_versions").fetchone()[0]
            next_rowid = conn.execute("SELECT coalesce(max(key), 0) + 1 FROM reports").fetchone()[0]
            outcomes: list[StoreOutcome] = []
            fresh: list[_New] = []
            for v in incoming:
                if v.sha in known:
                    vid, stored_key, is_current = known[v.sha]
                    outcomes.append(StoreOutcome("unchanged", stored_key, vid, is_current))
                    continue
                v.version_id = next_version
                next_version += 1
                v.score = completeness(v.report)
                rank = (v.score, v.version_id)
                st = states.get(v.key)
                if st is None:
                    states[v.key] = _State(next_rowid, v.version_id, rank, 0, True, 1, v)
                    next_rowid += 1
                    status = "new"
                else:
                    st.added += 1
                    if rank > st.rank:
                        st.rank, st.version_id, st.best = rank, v.version_id, v
                    status = "updated"
                known[v.sha] = (v.version_id, v.key, False)  # the same bytes later in this batch
                outcomes.append(StoreOutcome(status, v.key, v.version_id))
                fresh.append(v)
            if fresh:
                # Compression runs beside SQLite's work (both release the GIL).
                raws = self._compressor().submit(_compress_all, [bytes(v.raw.raw) for v in fresh])
                try:
                    for v in fresh:
                        try:
                            v.json_text, v.valid_text = jsonio.dumps_checked(v.report.to_dict())
                        except (TypeError, ValueError) as exc:
                            p = v.raw.provenance
                            raise StoreError(f"report {v.key} ({p.path}:{p.line}) cannot be written as JSON: {exc}") from None
                    self._write_current_reports(conn, [s for s in states.values() if s.added])
                finally:
                    raw_z = raws.result()
                self._insert_report_versions(conn, fresh, states, now, raw_z)
                conn.executemany(
                    "UPDATE quarantine SET resolved_version = ?, resolved_at = ? "
                    "WHERE sha256 = ? AND collection = ? AND resolved_version IS NULL",
                    [(v.version_id, now, v.sha, COLLECTION) for v in fresh],
                )
        for o in outcomes:
            st = states.get(o.cable_id)
            if st is not None:
                o.current = st.version_id == o.version_id
        return outcomes

    def _incoming_report(self, i: int, item: Any) -> _New:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise StoreError(f"store_reports item {i}: expected a (RawRecord, Report) pair, got {type(item).__name__}")
        raw, report = item
        if not isinstance(raw, RawRecord) or not isinstance(report, Report):
            raise StoreError(
                f"store_reports item {i}: expected (RawRecord, Report), got ({type(raw).__name__}, {type(report).__name__})"
            )
        key = normalize_report_key(report.report_key)
        p = raw.provenance
        if key is None or key != report.report_key:
            raise StoreError(
                f"cannot store a report without a usable key ({p.path}:{p.line}, byte {p.offset}): quarantine it instead"
            )
        if not isinstance(report.date, datetime):
            raise StoreError(f"report {key} ({p.path}:{p.line}) has no date: quarantine it instead")
        if not isinstance(raw.raw, (bytes, bytearray, memoryview)):
            raise StoreError(f"report {key} ({p.path}:{p.line}): raw bytes are {type(raw.raw).__name__}")
        return _New(raw, report, key, sha256_hex(bytes(raw.raw)))

    def _known_report_versions(self, conn: sqlite3.Connection, shas: list[str]) -> dict[str, tuple[int, str, bool]]:
        known: dict[str, tuple[int, str, bool]] = {}
        for chunk in _chunks(sorted(set(shas))):
            marks = ",".join("?" * len(chunk))
            for sha, vid, key, is_current in conn.execute(
                "SELECT v.sha256, v.version_id, v.report_key, coalesce(r.version_id = v.version_id, 0) "
                f"FROM report_versions v LEFT JOIN reports r ON r.report_key = v.report_key WHERE v.sha256 IN ({marks})",
                chunk,
            ):
                known[sha] = (vid, key, bool(is_current))
        return known

    def _report_states(self, conn: sqlite3.Connection, keys: list[str]) -> dict[str, _State]:
        states: dict[str, _State] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for key, rowid, vid, n, score in conn.execute(
                "SELECT r.report_key, r.key, r.version_id, r.n_versions, v.completeness FROM reports r "
                f"JOIN report_versions v ON v.version_id = r.version_id WHERE r.report_key IN ({marks})",
                chunk,
            ):
                states[key] = _State(rowid, vid, (score, vid), n, False)
        return states

    def _write_current_reports(self, conn: sqlite3.Connection, states: list[_State]) -> None:
        inserts = [s for s in states if s.is_new]
        switches = [s for s in states if not s.is_new and s.best is not None]
        counts = [s for s in states if not s.is_new and s.best is None]
        if switches:
            # External-content FTS: the old row is deleted with the values it was indexed with.
            old = []
            for chunk in _chunks([s.rowid for s in switches]):
                marks = ",".join("?" * len(chunk))
                old += conn.execute(f"SELECT key, title, record, version_id FROM reports WHERE key IN ({marks})", chunk).fetchall()
            conn.executemany(
                f"INSERT INTO {FTS}({FTS}, rowid, title, summary) VALUES ('delete', ?, ?, ?)",
                [(k, t, jsonio.loads(r).get("summary") or "") for k, t, r, _ in old],
            )
            # The version that stops being current keeps its record from now on.
            conn.executemany(
                "UPDATE report_versions SET record_z = ? WHERE version_id = ?",
                [(zlib.compress(r.encode("utf-8"), ZLIB_LEVEL), vid) for _, _, r, vid in old],
            )
            conn.executemany("DELETE FROM reports WHERE key = ?", [(s.rowid,) for s in switches])
        rows = [self._report_row(s) for s in inserts + switches]
        if rows:
            conn.executemany(
                f"INSERT INTO reports({', '.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))})", rows
            )
            conn.executemany(
                f"INSERT INTO {FTS}(rowid, title, summary) VALUES (?, ?, ?)",
                [(r[0], r[_TITLE], _text(s.best.report.summary)) for r, s in zip(rows, inserts + switches)],  # type: ignore[union-attr]
            )
        if counts:
            conn.executemany(
                "UPDATE reports SET n_versions = n_versions + ? WHERE key = ?", [(s.added, s.rowid) for s in counts]
            )

    @staticmethod
    def _report_row(s: _State) -> tuple[Any, ...]:
        v = s.best
        assert v is not None
        r = v.report
        t = _same if v.valid_text else _text
        cell_y, cell_x = cell_of(r.latitude, r.longitude)
        civilian = (r.civilian_kia or 0) + (r.civilian_wia or 0)
        type_, category, unit_type = t(r.type), t(r.category), t(r.type_of_unit)
        region, attack, tracking = t(r.region), t(r.attack_on), t(r.tracking_number)
        return (
            s.rowid, v.key, v.version_id, s.stored + s.added, r.theatre, r.date.isoformat(timespec="seconds"),
            r.date.year, r.date.month, type_, keyword_key(type_), category, keyword_key(category), unit_type,
            keyword_key(unit_type), region, keyword_key(region, "region"), attack, keyword_key(attack, "attack"),
            keyword_key(tracking, "id"), tracking, t(r.title), t(unit_words(r)), r.friendly_wia, r.friendly_kia, r.host_nation_wia,
            r.host_nation_kia, r.civilian_wia, r.civilian_kia, r.enemy_wia, r.enemy_kia, r.enemy_detained,
            r.kia, r.wia, civilian, r.latitude, r.longitude, cell_y, cell_x, t(r.mgrs), len(r.problems),
            int(bool(r.generated)), v.json_text,
        )  # fmt: skip

    def _insert_report_versions(
        self, conn: sqlite3.Connection, fresh: list[_New], states: dict[str, _State], now: str, raw_z: list[bytes]
    ) -> None:
        rows = []
        for v, z in zip(fresh, raw_z):
            p = v.raw.provenance
            is_current = states[v.key].version_id == v.version_id
            rows.append(
                (
                    v.version_id, v.key, v.sha, p.format, _text(p.path), p.offset, p.length, p.line,
                    getattr(v.raw, "variant", None), now, v.score,
                    None if is_current else zlib.compress(v.json_text.encode("utf-8"), ZLIB_LEVEL), z,
                )
            )  # fmt: skip
        conn.executemany("INSERT INTO report_versions VALUES (" + ",".join("?" * 13) + ")", rows)

    def rebuild_report_index(self: "SQLiteStore") -> None:
        """Rebuild the reports' full-text index from the stored records."""
        with self._transaction() as conn:
            if self._report_tables(conn):
                conn.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
