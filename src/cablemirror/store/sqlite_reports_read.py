"""The read side of the war-diary reports in the SQLite store (``ReportsMixin``'s
base; the tables are described in ``sqlite_reports.py``).

Every read runs in one snapshot (one read transaction), and what a query counts
(total, facets, bins, timeline) is cached per store generation, so paging through
a result or redrawing the map does not count again until the store changes.  A
store without the report tables (written before the war logs, opened read-only)
answers as an empty collection.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, Iterator

from ..search import REPORT_FIELDS, Query, parse_query
from . import jsonio
from .base import HIT_MARKS, StoreError
from .reports import (
    CASUALTY_GROUPS,
    REPORT_FACETS,
    REPORT_SORTS,
    MonthRow,
    ReportBin,
    ReportBins,
    ReportHit,
    ReportPage,
    ReportTimeline,
    check_bbox,
    check_step,
    normalize_report_key,
)
from .sqlite_reports_query import BM25, FTS, ReportSQL, compile_reports

if TYPE_CHECKING:
    from .sqlite import SQLiteStore

__all__ = ["ReportsReadAPI", "COLLECTION"]

COLLECTION = "warlogs"
_RECORD_BATCH = 200
_SNIPPET_TOKENS = 24
_HIT_COLUMNS = (
    "key", "report_key", "date", "title", "type", "category", "region", "attack_on", "theatre", "kia", "wia",
    "civilian", "friendly_kia", "host_nation_kia", "civilian_kia", "enemy_kia", "enemy_detained", "lat", "lon",
    "mgrs", "tracking_number", "generated",
)  # fmt: skip
ORDER = {
    "date": "r.date, r.key",
    "-date": "r.date DESC, r.key DESC",
    "-kia": "r.kia DESC, r.date, r.key",
    "-wia": "r.wia DESC, r.date, r.key",
    "-civilian": "r.civilian DESC, r.date, r.key",
}
# Facet -> (SQL value to group by, SQL value to show).  Keyword facets group by what
# queries compare and show the first spelling, so a facet's count is exactly what a
# click on it finds.
_FACET_SQL = {
    "type": ("r.type_k", "min(r.type)"),
    "category": ("r.category_k", "min(r.category)"),
    "unittype": ("r.unit_type_k", "min(r.unit_type)"),
    "region": ("r.region_k", "min(r.region)"),
    "attack": ("r.attack_k", "min(r.attack_on)"),
    "theatre": ("r.theatre", "r.theatre"),
    "year": ("r.year", "r.year"),
}
_THEATRE_TITLES = {"afghanistan": "Afghan War Diary", "iraq": "Iraq War Logs"}


def report_tables(conn: sqlite3.Connection) -> bool:
    """Whether the store holds the report tables."""
    return conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN ('reports', 'report_versions', 'reports_fts')"
    ).fetchone()[0] == 3


class ReportsReadAPI:
    """The report read methods of ``base.Store`` for ``SQLiteStore``."""

    _report_tables = staticmethod(report_tables)

    # ------------------------------------------------------------------ one report

    def get_report(self: "SQLiteStore", key: str) -> dict[str, Any] | None:
        norm = normalize_report_key(key)
        if norm is None:
            return None
        with self._reading() as conn:
            if not self._report_tables(conn):
                return None
            row = conn.execute("SELECT record FROM reports WHERE report_key = ?", (norm,)).fetchone()
        return jsonio.loads(row[0]) if row else None

    def get_report_versions(self: "SQLiteStore", key: str) -> list[dict[str, Any]]:
        norm = normalize_report_key(key)
        if norm is None:
            return []
        with self._reading() as conn:
            if not self._report_tables(conn):
                return []
            rows = conn.execute(
                "SELECT v.version_id, v.sha256, v.format, v.path, v.offset, v.length, v.line, v.variant, "
                "v.imported_at, v.completeness, coalesce(r.version_id = v.version_id, 0), "
                "coalesce(v.record_z, r.record) "
                "FROM report_versions v LEFT JOIN reports r ON r.report_key = v.report_key "
                "WHERE v.report_key = ? ORDER BY v.version_id",
                (norm,),
            ).fetchall()
        out = []
        for vid, sha, fmt, path, off, length, line, variant, imported, score, cur, rec in rows:
            if isinstance(rec, bytes):
                rec = self._inflate(rec, f"record of report {norm} version {vid}").decode("utf-8")
            out.append(
                {
                    "version_id": vid, "sha256": sha, "collection": COLLECTION, "format": fmt, "path": path,
                    "offset": off, "length": length, "line": line, "variant": variant, "imported_at": imported,
                    "completeness": score, "current": bool(cur), "record": jsonio.loads(rec) if rec else None,
                }
            )  # fmt: skip
        return out

    def get_report_raw(self: "SQLiteStore", key: str, version_id: int | None = None) -> bytes | None:
        norm = normalize_report_key(key)
        if norm is None:
            return None
        with self._reading() as conn:
            if not self._report_tables(conn):
                return None
            if version_id is None:
                row = conn.execute(
                    "SELECT v.version_id, v.raw_z FROM reports r JOIN report_versions v ON v.version_id = r.version_id "
                    "WHERE r.report_key = ?",
                    (norm,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT version_id, raw_z FROM report_versions WHERE version_id = ? AND report_key = ?",
                    (version_id, norm),
                ).fetchone()
        return self._inflate(row[1], f"bytes of report {norm} version {row[0]}") if row else None

    # ------------------------------------------------------------------ queries

    @staticmethod
    def _report_query(q: "Query | str | None") -> Query | None:
        if q is None:
            return None
        if isinstance(q, Query):
            if q.fields is not REPORT_FIELDS:
                raise StoreError("a report query must be parsed with REPORT_FIELDS")
            return None if q.is_empty else q
        if isinstance(q, str):
            parsed = parse_query(q, REPORT_FIELDS)  # QuerySyntaxError for the caller to show
            return None if parsed.is_empty else parsed
        raise StoreError(f"a query is a str or a parsed Query, not {type(q).__name__}")

    def _report_read(self: "SQLiteStore", what: str, compute: Any, key: tuple[Any, ...], default: Any) -> Any:
        """Run ``compute(conn)`` in one snapshot, cached per store generation under ``key``;
        ``default`` when the store has no report tables."""
        try:
            with self._snapshot() as conn:
                if not self._report_tables(conn):
                    return default
                return self._cached(conn, ("reports", what, *key), lambda: compute(conn))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the reports of {self.path}: {exc}") from None

    def query_reports(
        self: "SQLiteStore",
        q: "Query | str | None" = None,
        *,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
        facets: tuple[str, ...] = tuple(REPORT_FACETS),
        facet_limit: int | None = 15,
        marks: tuple[str, str] = HIT_MARKS,
    ) -> ReportPage:
        if sort not in REPORT_SORTS:
            raise StoreError(f"unknown sort {sort!r}: use one of {', '.join(REPORT_SORTS)}")
        if not isinstance(limit, int) or not isinstance(offset, int) or limit < 0 or offset < 0:
            raise StoreError(f"limit and offset must be whole numbers >= 0 (got {limit!r}, {offset!r})")
        bad = [f for f in facets if f not in REPORT_FACETS]
        if bad:
            raise StoreError(f"unknown report facet {bad[0]!r}: use {', '.join(REPORT_FACETS)}")
        if facet_limit is not None and (not isinstance(facet_limit, int) or facet_limit < 0):
            raise StoreError(f"facet_limit must be a whole number >= 0 or None, not {facet_limit!r}")
        query = self._report_query(q)
        c = compile_reports(query)
        text = str(query) if query is not None else ""

        def counts(conn: sqlite3.Connection) -> tuple[int, dict[str, list[tuple[str, int]]]]:
            src, params = c.source()
            total = conn.execute(f"SELECT count(*) {src}", params).fetchone()[0]
            found = {}
            for name in facets:
                group, shown = _FACET_SQL[name]
                rows = conn.execute(f"SELECT {group}, {shown}, count(*) {src} GROUP BY {group}", params).fetchall()
                values = [(str(s), n) for g, s, n in rows if g not in ("", None)]
                values.sort(key=lambda t: (-t[1], t[0]))
                found[name] = values if facet_limit is None else values[:facet_limit]
            return total, found

        def page(conn: sqlite3.Connection) -> ReportPage:
            total, found = self._cached(conn, ("reports", "counts", text, facets, facet_limit), lambda: counts(conn))
            hits: list[ReportHit] = []
            if total and limit:
                ranked = sort == "relevance" and c.match is not None
                order = f"{BM25}, r.key" if ranked else ORDER["date" if sort == "relevance" else sort]
                score = f", -{BM25}" if ranked else ", 0.0"
                src, params = c.source()
                keys = conn.execute(
                    f"SELECT r.key{score} {src} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
                ).fetchall()
                hits = self._report_hits(conn, keys, c, marks)
            return ReportPage(total, hits, found)

        try:
            with self._snapshot() as conn:
                if not self._report_tables(conn):
                    return ReportPage(0, [], {name: [] for name in facets})
                return page(conn)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot search the reports of {self.path}: {exc}") from None

    def _report_hits(
        self, conn: sqlite3.Connection, keys: list[tuple[int, float]], c: ReportSQL, marks: tuple[str, str]
    ) -> list[ReportHit]:
        rowids = [k for k, _ in keys]
        marks_sql = ",".join("?" * len(rowids))
        rows = {
            r[0]: r
            for r in conn.execute(f"SELECT {', '.join(_HIT_COLUMNS)} FROM reports WHERE key IN ({marks_sql})", rowids)
        }
        snippets: dict[int, str] = {}
        if c.highlight is not None:
            snippets = dict(
                conn.execute(
                    f"SELECT rowid, snippet({FTS}, -1, ?, ?, '…', {_SNIPPET_TOKENS}) FROM {FTS} "
                    f"WHERE {FTS} MATCH ? AND rowid IN ({marks_sql})",
                    [marks[0], marks[1], c.highlight, *rowids],
                )
            )
        hits = []
        for rowid, score in keys:
            row = rows.get(rowid)
            if row is None:
                continue
            (_, key, date, title, type_, category, region, attack, theatre, kia, wia, civilian, fk, hk, ck, ek,
             det, lat, lon, mgrs, tracking, generated) = row  # fmt: skip
            hits.append(
                ReportHit(key, date, title, type_, category, region, attack, theatre, kia, wia, civilian, fk, hk, ck,
                          ek, det, lat, lon, mgrs, tracking, bool(generated), snippets.get(rowid, ""), float(score or 0))
            )  # fmt: skip
        return hits

    def report_counts(self: "SQLiteStore", facet: str, q: "Query | str | None" = None) -> list[tuple[str, int]]:
        """Every value of a facet with its number of matching reports, by count."""
        if facet not in REPORT_FACETS:
            raise StoreError(f"unknown report facet {facet!r}: use {', '.join(REPORT_FACETS)}")
        return self.query_reports(q, limit=0, facets=(facet,), facet_limit=None).facets[facet]

    def report_histogram(self: "SQLiteStore", q: "Query | str | None" = None, *, year: int | None = None) -> list[tuple[str, int]]:
        """Reports per year ("2008"), or per month of ``year`` ("2008-07"), in order."""
        if year is not None and (not isinstance(year, int) or not 1 <= year <= 9999):
            raise StoreError(f"year must be a whole number 1..9999, not {year!r}")
        query = self._report_query(q)
        c = compile_reports(query)

        def compute(conn: sqlite3.Connection) -> list[tuple[str, int]]:
            if year is None:
                src, params = c.source()
                sql = f"SELECT printf('%04d', r.year), count(*) {src} GROUP BY r.year ORDER BY r.year"
            else:
                src, params = c.source("r.year = ?", (year,))
                sql = f"SELECT printf('%04d-%02d', r.year, r.month), count(*) {src} GROUP BY r.month ORDER BY r.month"
            return [(p, n) for p, n in conn.execute(sql, params)]

        return self._report_read("histogram", compute, (str(query or ""), year), [])

    def report_timeline(self: "SQLiteStore", q: "Query | str | None" = None) -> ReportTimeline:
        """Reports per month by type, and the casualties per month by group."""
        query = self._report_query(q)
        c = compile_reports(query)
        sums = ", ".join(f"sum(coalesce(r.{col}, 0))" for pair in CASUALTY_GROUPS.values() for col in pair)

        def compute(conn: sqlite3.Connection) -> ReportTimeline:
            src, params = c.source()
            rows = conn.execute(
                f"SELECT substr(r.date, 1, 7), r.type_k, min(r.type), count(*), {sums}, "
                f"sum(coalesce(r.enemy_detained, 0)) {src} GROUP BY 1, 2 ORDER BY 1",
                params,
            ).fetchall()
            shown: dict[str, str] = {}
            type_totals: dict[str, int] = {}
            months: dict[str, MonthRow] = {}
            for month, type_k, type_, n, *rest in rows:
                name = shown.setdefault(type_k, type_ or "(no type)")
                type_totals[name] = type_totals.get(name, 0) + n
                m = months.get(month)
                if m is None:
                    m = months[month] = MonthRow(month, 0, {}, {g: 0 for g in CASUALTY_GROUPS}, {g: 0 for g in CASUALTY_GROUPS})
                m.reports += n
                m.by_type[name] = m.by_type.get(name, 0) + n
                for i, group in enumerate(CASUALTY_GROUPS):
                    m.killed[group] += rest[2 * i]
                    m.wounded[group] += rest[2 * i + 1]
                m.detained += rest[-1]
            ordered = sorted(type_totals.items(), key=lambda t: (-t[1], t[0]))
            return ReportTimeline(sum(m.reports for m in months.values()), list(months.values()), ordered)

        return self._report_read("timeline", compute, (str(query or ""),), ReportTimeline(0))

    def report_bins(
        self: "SQLiteStore",
        q: "Query | str | None" = None,
        *,
        bbox: tuple[float, float, float, float],
        step: float,
    ) -> ReportBins:
        """The reports matching ``q`` counted on a grid of ``step``-degree cells over the
        cells that ``bbox`` (south, west, north, east) touches; see ``ReportBins``."""
        try:
            shift = check_step(step)
            s, w, n, e = check_bbox(bbox)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        query = self._report_query(q)
        c = compile_reports(query)
        # Whole cells: the rows and columns of cells the box touches.
        row0, row1 = int(s // step), int(-(-n // step)) - 1
        col0, col1 = int(w // step), int(-(-e // step)) - 1
        covered = (row0 * step, col0 * step, (row1 + 1) * step, (col1 + 1) * step)
        cells = ((row0 << shift), ((row1 + 1) << shift) - 1, (col0 << shift), ((col1 + 1) << shift) - 1)

        def compute(conn: sqlite3.Connection) -> ReportBins:
            src, params = c.source()
            total, located = conn.execute(f"SELECT count(*), count(r.lat) {src}", params).fetchone()
            src, params = c.source("r.cell_y BETWEEN ? AND ? AND r.cell_x BETWEEN ? AND ?", cells)
            bins = [
                ReportBin(gy, gx, cnt, lat, lon)
                for gy, gx, cnt, lat, lon in conn.execute(
                    f"SELECT r.cell_y >> {shift}, r.cell_x >> {shift}, count(*), avg(r.lat), avg(r.lon) {src} "
                    "GROUP BY 1, 2 ORDER BY 1, 2",
                    params,
                )
            ]
            out = ReportBins(total, step, covered, bins)
            out.unlocated = total - located
            out.outside = located - out.binned
            return out

        return self._report_read("bins", compute, (str(query or ""), step, covered), ReportBins(0, step, covered))

    def iter_reports(self: "SQLiteStore", q: "Query | str | None" = None, *, sort: str = "date") -> Iterator[dict[str, Any]]:
        """Every matching report's current JSON record, streamed (exports)."""
        if sort not in ORDER:
            raise StoreError(f"unknown sort {sort!r} for an export: use one of {', '.join(ORDER)}")
        query = self._report_query(q)
        return self._report_records(compile_reports(query), sort)

    def _report_records(self: "SQLiteStore", c: ReportSQL, sort: str) -> Iterator[dict[str, Any]]:
        conn = self._new_connection()  # one snapshot for the whole stream, on a connection of its own
        try:
            conn.execute("BEGIN")
            if not self._report_tables(conn):
                return
            src, params = c.source()
            keys = conn.execute(f"SELECT r.key {src} ORDER BY {ORDER[sort]}", params)
            while True:
                batch = [r[0] for r in keys.fetchmany(_RECORD_BATCH)]
                if not batch:
                    break
                found = dict(
                    conn.execute(f"SELECT key, record FROM reports WHERE key IN ({','.join('?' * len(batch))})", batch)
                )
                for key in batch:
                    if key in found:
                        yield jsonio.loads(found[key])
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read {self.path}: {exc}") from None
        finally:
            conn.close()

    def iter_report_keys(self: "SQLiteStore") -> Iterator[tuple[str, str]]:
        """(ReportKey, date) of every stored report, by key (sitemaps)."""
        last = ""
        while True:
            with self._reading() as conn:
                if not self._report_tables(conn):
                    return
                rows = conn.execute(
                    "SELECT report_key, date FROM reports WHERE report_key > ? ORDER BY report_key LIMIT 5000", (last,)
                ).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    # ------------------------------------------------------------------ the collection

    def report_stats(self: "SQLiteStore") -> dict[str, Any]:
        """What ``stats()`` says about the reports (all zero without report tables)."""
        st: dict[str, Any] = {
            "reports": 0,
            "report_versions": 0,
            "reports_located": 0,
            "reports_generated": 0,
            "reports_quarantined": 0,
            "first_report": None,
            "last_report": None,
            "reports_by_theatre": {},
        }
        with self._reading() as conn:
            st["reports_quarantined"] = conn.execute(
                "SELECT count(*) FROM quarantine WHERE collection = ? AND resolved_version IS NULL", (COLLECTION,)
            ).fetchone()[0]
            if not self._report_tables(conn):
                return st
            n, located, generated, first, last = conn.execute(
                "SELECT count(*), count(lat), coalesce(sum(generated), 0), min(date), max(date) FROM reports"
            ).fetchone()
            st.update(reports=n, reports_located=located, reports_generated=generated, first_report=first, last_report=last)
            st["report_versions"] = conn.execute("SELECT count(*) FROM report_versions").fetchone()[0]
            st["reports_by_theatre"] = dict(
                conn.execute("SELECT theatre, count(*) FROM reports GROUP BY theatre ORDER BY theatre").fetchall()
            )
        return st

    def collections(self: "SQLiteStore") -> list[dict[str, Any]]:
        held = super().collections()  # type: ignore[misc]

        def compute(conn: sqlite3.Connection) -> dict[str, Any] | None:
            n, first, last, generated = conn.execute(
                "SELECT count(*), min(date), max(date), coalesce(max(generated), 0) FROM reports"
            ).fetchone()
            if not n:
                return None
            theatres = [t for (t,) in conn.execute("SELECT DISTINCT theatre FROM reports ORDER BY theatre")]
            title = " and ".join(_THEATRE_TITLES.get(t, t) for t in theatres)
            return {"name": COLLECTION, "title": title, "count": n, "first": first, "last": last,
                    "generated": bool(generated), "theatres": theatres}  # fmt: skip

        entry = self._report_read("collection", compute, (), None)
        return held + ([dict(entry)] if entry else [])

    def report_theatres(self: "SQLiteStore") -> list[tuple[str, int]]:
        """The theatres held with their number of reports, most first."""
        return self.report_counts("theatre")
