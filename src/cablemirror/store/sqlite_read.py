"""The website's read API of the SQLite store (``Store.query`` and the browse helpers).

A mixin of ``SQLiteStore``: it uses the store's connections (``_reading``), nothing
else.  How a query runs (``sqlite_query.py`` compiles it):

1. total and the facets origin / year / classification in one pass: one
   ``GROUP BY year, origin, class`` over the matching rows of the narrow ``facts``
   table, whose per-group counts add up to the total and to each facet;
2. the tag facet in a second pass (a cable has several tags);
3. the page: keys only, in the requested order, ``LIMIT``/``OFFSET``;
4. for the page's hits only: id, title, ..., snippet and the paragraph of the
   first hit in the body.

All of it reads one snapshot (one read transaction), so the total, the facets and
the hits agree.  Totals and facets are cached per query text and store generation
(``meta.generation``, bumped by every write), so paging through a result and the
browse pages (the empty query) do not count again until the store changes.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from ..search import CABLE_FIELDS, Field, Query, Term, parse_query
from . import derived, jsonio
from .base import HIT_MARKS, SearchHit, SearchPage, StoreError
from .hits import excerpt
from .sqlite_query import BM25, FTS, Compiled, compile_query, condition, highlight_expression, label_condition

try:  # the column snapshot needs numpy; without it every query is answered in SQL
    import numpy as np

    from . import columns as column_snapshot
    from .facets import count_facets
    from .keyset import evaluate, ordered_page
except ImportError:  # pragma: no cover - numpy is a dependency; this keeps a broken install usable
    np = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from .columns import Columns
    from .sqlite import SQLiteStore

FACETS = ("origin", "year", "classification", "tag")
SORTS = ("relevance", "date", "-date", "released", "-released", "id")
_GROUPED = ("year", "origin", "classification")  # the order of the facts_groups index
_GROUP_COLUMN = {"year": "x.year", "origin": "x.origin", "classification": "x.class"}
_ORDER = {
    "date": "x.created, x.key",
    "-date": "x.created DESC, x.key DESC",
    "released": "x.released, x.created, x.key",
    "-released": "x.released DESC, x.created DESC, x.key DESC",
}
_CHUNK = 500  # host parameters per IN (...)
_RECORD_BATCH = 200  # records fetched at once by iter_records
_IDS_BATCH = 5000
_CACHE_SIZE = 256
_KEYSET_BYTES = 64 * 1024 * 1024  # matching keys kept for the next pages of recent queries
# While writes keep changing the store, the snapshot is reloaded at most this often
# (seconds; at least this many times its own load time): queries in between are
# answered in SQL, exact but slower, instead of spending the CPU on reloads.
_RELOAD_SECONDS = 2.0
_RELOAD_FACTOR = 5.0
_HL_START, _HL_END = "\x02", "\x03"
COLLECTION_TITLE = "US diplomatic cables"

Facets = dict[str, list[tuple[str, int]]]


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    """By count descending, then value."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


_PROBE_SHARE = 0.3  # above this share of the collection matching, tags are counted in tag order
_SINGLE_WORD = re.compile(r'"[^"\s]+"')  # one FTS5 term, no phrase, no prefix


def _costly(c: Compiled) -> bool:
    """Whether finding the matches costs more than reading them twice."""
    return (c.match is not None and not _SINGLE_WORD.fullmatch(c.match)) or " MATCH " in c.where


def _whole(value: Any, name: str, *, none: bool = False) -> None:
    if value is None and none:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise StoreError(f"{name} must be a whole number >= 0 (got {value!r})")


class SQLiteReadAPI:
    """Mixed into ``SQLiteStore``; see the module docstring and ``base.Store``."""

    # Relevance ranks at most this many hits with bm25 (about 3 us each); see _tiered_page.
    rank_limit: int = 10_000
    _cache: "OrderedDict[tuple[Any, ...], Any]"
    _cache_lock: threading.Lock
    _label_names: dict[int, str]

    # Whether queries may use the column snapshot (tests and benchmarks turn it off to
    # compare with the SQL path); and the least seconds between two reloads (None: see
    # _RELOAD_SECONDS).
    use_columns: bool = True
    columns_reload_interval: float | None = None

    def _init_read_api(self) -> None:
        self._cache = OrderedDict()
        self._cache_lock = threading.Lock()
        self._label_names = {}
        self._columns: "Columns | None" = None
        self._columns_lock = threading.Lock()
        self._columns_at = 0.0
        self._keysets: "OrderedDict[tuple[str, str], Any]" = OrderedDict()

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _snapshot(self: "SQLiteStore") -> Iterator[sqlite3.Connection]:
        """One read transaction: every statement inside sees the same state."""
        with self._reading() as conn:
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _generation(self, conn: sqlite3.Connection) -> str:
        row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return row[0] if row else "0"

    def _cached(self, conn: sqlite3.Connection, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        full = (self._generation(conn), *key)
        with self._cache_lock:
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]
        value = compute()
        with self._cache_lock:
            self._cache[full] = value
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    def clear_read_cache(self, *, columns: bool = False) -> None:
        """Forget cached totals, facets and matching keys (benchmarks use it to time
        cold queries); ``columns`` forgets the column snapshot too."""
        with self._cache_lock:
            self._cache.clear()
            self._keysets.clear()
        if columns:
            self._columns = None

    # ------------------------------------------------------------------ column snapshot

    def _columns_for(self, conn: sqlite3.Connection) -> "Columns | None":
        """The column snapshot of the state ``conn``'s transaction reads, loading it
        when the store changed; None when queries must use SQL (no numpy, turned off,
        another thread is loading it, or it was reloaded too recently: a writer is busy)."""
        if np is None or not self.use_columns:
            return None
        gen = self._generation(conn)
        cols = self._columns
        if cols is not None and cols.generation == gen:
            return cols
        if cols is not None:
            interval = self.columns_reload_interval
            if interval is None:
                interval = max(_RELOAD_SECONDS, _RELOAD_FACTOR * cols.loaded_in)
            if time.monotonic() - self._columns_at < interval:
                return None
        if not self._columns_lock.acquire(blocking=False):
            return None
        try:
            cols = column_snapshot.load(conn)  # in the caller's read transaction: that state
            self._columns, self._columns_at = cols, time.monotonic()
        finally:
            self._columns_lock.release()
        with self._cache_lock:
            self._keysets.clear()
        return cols

    def _keys(self, conn: sqlite3.Connection, cols: "Columns", c: Compiled, text: str) -> Any:
        """The sorted keys of the cables matching ``c`` (an int64 array), kept for a
        while: the next pages of a result need them again."""
        key = (cols.generation, text)
        with self._cache_lock:
            found = self._keysets.get(key)
            if found is not None:
                self._keysets.move_to_end(key)
                return found
        keys = evaluate(cols, c.plan, _Source(self, conn, cols)) if c.plan is not None else np.flatnonzero(cols.present)
        with self._cache_lock:
            self._keysets[key] = keys
            held = sum(k.nbytes for k in self._keysets.values())
            while held > _KEYSET_BYTES and len(self._keysets) > 1:
                held -= self._keysets.popitem(last=False)[1].nbytes
        return keys

    def _label(self, conn: sqlite3.Connection, label_id: int) -> str | None:
        name = self._label_names.get(label_id)
        if name is None:  # labels only grow: reload when one is new to us
            self._label_names = dict(conn.execute("SELECT label_id, value FROM labels"))
            name = self._label_names.get(label_id)
        return name

    @staticmethod
    def _parse(q: "Query | str | None") -> Query | None:
        if q is None:
            return None
        if isinstance(q, str):
            return parse_query(q, CABLE_FIELDS)  # QuerySyntaxError goes to the caller as is
        if isinstance(q, Query):
            if q.fields.collection != CABLE_FIELDS.collection:
                raise StoreError(f"a query on {q.fields.collection} cannot search cables")
            return q
        raise StoreError(f"a query is a string or a parsed Query, not {type(q).__name__}")

    def _query(self, q: "Query | str | None") -> tuple[Query | None, str]:
        """The parsed query and its canonical text (the cache key)."""
        query = self._parse(q)
        return query, (str(query) if query is not None else "")

    def _compiled(self, conn: sqlite3.Connection, query: Query | None) -> Compiled:
        def labels(kind: str, n: Field) -> list[int]:
            cond, values = label_condition(kind, n)
            return [r[0] for r in conn.execute(f"SELECT label_id FROM labels WHERE {cond} ORDER BY label_id", values)]

        return compile_query(query, labels)

    # ------------------------------------------------------------------ counting

    def _facet_counts(
        self, conn: sqlite3.Connection, c: Compiled, names: tuple[str, ...], text: str = ""
    ) -> tuple[int, Facets]:
        """Total and every value of each facet in ``names``, ranked."""
        if c.is_everything:
            return self._collection_counts(conn, names)
        cols = self._columns_for(conn)
        if cols is not None and c.plan is not None:
            return count_facets(cols, self._keys(conn, cols, c, text), names)
        return self._sql_facet_counts(conn, c, names)

    def _sql_facet_counts(self, conn: sqlite3.Connection, c: Compiled, names: tuple[str, ...]) -> tuple[int, Facets]:
        """``_facet_counts`` in SQL: one GROUP BY over the matching ``facts`` rows, and
        one over their tags."""
        grouped = [n for n in _GROUPED if n in names]
        columns = ", ".join(_GROUP_COLUMN[n] for n in grouped)
        counters: dict[str, dict[Any, int]] = {n: {} for n in grouped}
        tags: dict[str, int] = {}
        total = 0
        for row in self._facet_rows(conn, c, columns, "tag" in names):
            kind, n = row[0], row[-1]
            if kind == 1:
                tags[row[1]] = n
                continue
            total += n
            for i, name in enumerate(grouped, start=1):
                if row[i] is not None:
                    counter = counters[name]
                    counter[row[i]] = counter.get(row[i], 0) + n
        out: Facets = {}
        for name in grouped:
            if name == "year":
                out[name] = _ranked({str(k): v for k, v in counters[name].items()})
            else:
                named: dict[str, int] = {}
                for label_id, n in counters[name].items():
                    value = self._label(conn, label_id)
                    if value is not None:
                        named[value] = named.get(value, 0) + n
                out[name] = _ranked(named)
        if "tag" in names:
            out["tag"] = _ranked(tags)
        return total, out

    def _facet_rows(
        self, conn: sqlite3.Connection, c: Compiled, columns: str, with_tags: bool
    ) -> Iterator[tuple[Any, ...]]:
        """(0, *group columns, count) rows whose counts add up to the total, then
        (1, tag, count) rows when ``with_tags``.

        One pass over the matches when finding them is costly (phrases, several words,
        prefixes, text under OR/NOT): they are materialized once and both counts read
        them.  A single word or plain filters are cheaper to find twice than to copy.
        """
        if not _costly(c):
            src, params = c.source()
            rows = conn.execute(
                f"SELECT 0, {columns + ', ' if columns else ''}count(*) {src}{' GROUP BY ' + columns if columns else ''}",
                params,
            ).fetchall()
            yield from rows
            if with_tags:
                total = sum(r[-1] for r in rows)
                cables = conn.execute("SELECT coalesce(sum(n), 0) FROM totals WHERE facet = 'cables'").fetchone()[0]
                if total > _PROBE_SHARE * cables:
                    # Most cables match: reading the tags in tag order and keeping those of
                    # matching cables beats sorting the matches' tags (no sorter).
                    sql = f"SELECT 1, t.tag, count(*) FROM tags t INDEXED BY tags_tag WHERE t.key IN (SELECT x.key {src}) GROUP BY t.tag"
                else:
                    # CROSS JOIN: the matching cables drive, each looks up its few tags.
                    src, params = c.source("CROSS JOIN tags t ON t.key = x.key")
                    sql = f"SELECT 1, t.tag, count(*) {src} GROUP BY t.tag"
                yield from conn.execute(sql, params)
            return
        src, params = c.source()
        picked = ", ".join(f"{col} AS g{i}" for i, col in enumerate(columns.split(", ")) if col)
        names = ", ".join(f"g{i}" for i in range(len(columns.split(", ")) if columns else 0))
        sql = f"WITH m AS MATERIALIZED (SELECT x.key AS key{', ' + picked if picked else ''} {src}) "
        # Both parts of the UNION have the same width: (kind, one or more values, count).
        sql += f"SELECT 0, {names or 'NULL'}, count(*) FROM m{' GROUP BY ' + names if names else ''}"
        if with_tags:
            pad = ", NULL" * (len(names.split(", ")) - 1) if names else ""
            sql += f" UNION ALL SELECT 1, t.tag{pad}, count(*) FROM m CROSS JOIN tags t ON t.key = m.key GROUP BY t.tag"
        yield from conn.execute(sql, params)

    @staticmethod
    def _collection_counts(conn: sqlite3.Connection, names: tuple[str, ...]) -> tuple[int, Facets]:
        """The empty query's counts: the ``totals`` the writes keep."""
        row = conn.execute("SELECT n FROM totals WHERE facet = 'cables' AND value = ''").fetchone()
        out: Facets = {}
        for name in names:
            out[name] = [
                (v, n) for v, n in conn.execute("SELECT value, n FROM totals WHERE facet = ? ORDER BY n DESC, value", (name,))
            ]
        return (row[0] if row else 0), out

    def _totals(self, conn: sqlite3.Connection, c: Compiled, text: str, names: tuple[str, ...]) -> tuple[int, Facets]:
        return self._cached(conn, ("facets", text, names), lambda: self._facet_counts(conn, c, names, text))

    # ------------------------------------------------------------------ query

    def query(
        self: "SQLiteStore",
        q: "Query | str | None" = None,
        *,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
        facets: tuple[str, ...] = FACETS,
        facet_limit: int = 15,
        marks: tuple[str, str] = HIT_MARKS,
    ) -> SearchPage:
        _whole(limit, "limit")
        _whole(offset, "offset")
        _whole(facet_limit, "facet_limit", none=True)
        if sort not in SORTS:
            raise StoreError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
        names = tuple(dict.fromkeys(facets or ()))
        unknown = [n for n in names if n not in FACETS]
        if unknown:
            raise StoreError(f"unknown facet {unknown[0]!r}: facets are {', '.join(FACETS)}")
        query, text = self._query(q)
        with self._snapshot() as conn:
            c = self._compiled(conn, query)
            total, counted = self._totals(conn, c, text, tuple(sorted(names)))
            page: list[tuple[int, float | None]] = []
            if limit and offset < total:
                if sort == "relevance" and c.match is not None:
                    # A ranked page costs bm25 over its candidates (100 ms and more for a
                    # phrase or a prefix over the full release): kept like the totals.
                    page = self._cached(conn, ("page", text, limit, offset),
                                        lambda: self._page_keys(conn, c, text, sort, limit, offset, total))
                else:
                    page = self._page_keys(conn, c, text, sort, limit, offset, total)
            hits = self._hits(conn, c, page, marks) if page else []
        shown = {n: counted[n][:facet_limit] if facet_limit is not None else counted[n] for n in names}
        return SearchPage(total=total, hits=hits, facets=shown)

    def _order(self, c: Compiled, sort: str) -> tuple[str, str, str]:
        """(extra join, ORDER BY, rank column) for ``sort``."""
        if sort == "relevance" and c.match is None:
            sort = "date"  # no words: nothing to rank by
        if sort == "relevance":
            return "", f"{BM25}, x.key", BM25
        if sort == "id":
            return "JOIN cables cb ON cb.key = x.key", "cb.id", "NULL"
        return "", _ORDER[sort], "NULL"

    def _page_keys(
        self, conn: sqlite3.Connection, c: Compiled, text: str, sort: str, limit: int, offset: int, total: int
    ) -> list[tuple[int, float | None]]:
        ranked = sort == "relevance" and c.match is not None
        tiered = ranked and c.highlight is not None and total > self.rank_limit
        # The empty query's pages are index scans in SQL; a ranked page needs bm25 (FTS5).
        cols = None if c.is_everything or c.plan is None or (ranked and not tiered) else self._columns_for(conn)
        if cols is None:
            if tiered:
                return self._tiered_page(conn, c, text, limit, offset)
            return self._rows(conn, c, sort, limit, offset)
        keys = self._keys(conn, cols, c, text)
        if tiered:
            return self._tiered_columns(conn, cols, c, keys, limit, offset)
        order = "date" if sort == "relevance" else sort
        placed = cols.positions(order.lstrip("-"), conn)
        return [(k, None) for k in ordered_page(placed, keys, order, limit, offset).tolist()]

    def _tiered_columns(
        self, conn: sqlite3.Connection, cols: "Columns", c: Compiled, keys: Any, limit: int, offset: int
    ) -> list[tuple[int, float | None]]:
        """``_tiered_page`` with the snapshot: the hits with the words in their title or
        subject are the matches that are also in the index's answer for those columns."""
        top = f"{{title subject}} : {c.highlight}"
        in_top = cols.mask(_Source(self, conn, cols).fts(top))[keys]
        first, rest = keys[in_top], keys[~in_top]
        n_first = int(first.size)
        placed = cols.positions("date", conn)
        page: list[tuple[int, float | None]] = []
        if offset < n_first:
            if n_first <= self.rank_limit:
                page += self._rows(conn, c.narrowed(top), "relevance", limit, offset)
            else:
                page += [(k, None) for k in ordered_page(placed, first, "-date", limit, offset).tolist()]
        if len(page) < limit:
            more = ordered_page(placed, rest, "-date", limit - len(page), max(0, offset - n_first))
            page += [(k, None) for k in more.tolist()]
        return page

    def _rows(
        self, conn: sqlite3.Connection, c: Compiled, sort: str, limit: int, offset: int
    ) -> list[tuple[int, float | None]]:
        join, order, rank = self._order(c, sort)
        src, params = c.source(join)
        return conn.execute(f"SELECT x.key, {rank} {src} ORDER BY {order} LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()

    def _tiered_page(
        self, conn: sqlite3.Connection, c: Compiled, text: str, limit: int, offset: int
    ) -> list[tuple[int, float | None]]:
        """Relevance over more than ``rank_limit`` hits, where bm25 on every hit would
        cost seconds: first the hits with the words in the title or subject (by bm25
        when they are at most ``rank_limit``, else newest first), then the others,
        newest first."""
        top = f"{{title subject}} : {c.highlight}"
        first = c.narrowed(top)

        def count() -> int:
            src, params = first.source()
            return conn.execute(f"SELECT count(*) {src}", params).fetchone()[0]

        n_first = self._cached(conn, ("tier", text), count)
        page: list[tuple[int, float | None]] = []
        if offset < n_first:
            order = "relevance" if n_first <= self.rank_limit else "-date"
            page += self._rows(conn, first, order, limit, offset)
        if len(page) < limit:
            page += self._rows(conn, c.excluding(top), "-date", limit - len(page), max(0, offset - n_first))
        return page

    def _hits(
        self: "SQLiteStore", conn: sqlite3.Connection, c: Compiled, page: list[tuple[int, float | None]],
        marks: tuple[str, str],
    ) -> list[SearchHit]:
        keys = [k for k, _ in page]
        marks_ = ",".join("?" * len(keys))
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                f"SELECT key, id, title, created, origin, classification FROM cables WHERE key IN ({marks_})", keys
            )
        }
        shown: dict[int, tuple[str, str | None]] = {}  # key -> snippet, highlighted body
        highlight = c.highlight
        if highlight is not None and any(isinstance(n, Term) and n.prefix for n in c.marked):
            texts = [t for row in conn.execute(
                f"SELECT title, subject, body, tags FROM cables WHERE key IN ({marks_})", keys) for t in row]
            highlight = highlight_expression(c.marked, texts)
        if highlight is not None:
            # No bm25() here: its first call counts every row holding each phrase, over
            # the whole index (100 ms for a phrase of common words); the page has the rank.
            for key, title_hl, subject_hl, body_hl, tags_hl in conn.execute(
                f"SELECT rowid, highlight({FTS}, 0, ?1, ?2), highlight({FTS}, 1, ?1, ?2), highlight({FTS}, 2, ?1, ?2), "
                f"highlight({FTS}, 3, ?1, ?2) FROM {FTS} WHERE {FTS} MATCH ?3 AND rowid IN ({marks_})",
                (_HL_START, _HL_END, highlight, *keys),
            ):
                # The body's hit first (it has the paragraph), else where the words are.
                snip = next(
                    (e for e in (excerpt(t or "", _HL_START, _HL_END, marks) for t in (body_hl, subject_hl, title_hl, tags_hl)) if e),
                    "",
                )
                shown[key] = (snip, body_hl)
        in_body = [k for k, (_, body_hl) in shown.items() if body_hl and _HL_START in body_hl]
        records: dict[int, tuple[bytes, str]] = {}
        for chunk in _chunks(in_body):
            records.update(
                (key, (z, body))
                for key, z, body in conn.execute(
                    f"SELECT key, record_z, body FROM cables WHERE key IN ({','.join('?' * len(chunk))})", chunk
                )
            )
        hits = []
        for key, rank in page:
            row = rows.get(key)
            if row is None:
                continue
            cid, title, created, origin, cls = row
            snip, body_hl = shown.get(key, ("", None))
            paragraph = self._hit_paragraph(records[key], body_hl) if key in records else None
            hits.append(
                SearchHit(
                    id=cid,
                    title=title,
                    created=created,
                    origin=origin,
                    classification=cls,
                    snippet=snip,
                    paragraph=paragraph,
                    score=-float(rank) if rank is not None else 0.0,  # ranked pages only
                )
            )
        return hits

    # ------------------------------------------------------------------ browse

    def counts(self: "SQLiteStore", field: str, q: "Query | str | None" = None) -> list[tuple[str, int]]:
        if field not in FACETS:
            raise StoreError(f"cannot count by {field!r}: use one of {', '.join(FACETS)}")
        query, text = self._query(q)
        with self._snapshot() as conn:
            return list(self._totals(conn, self._compiled(conn, query), text, (field,))[1][field])

    def histogram(
        self: "SQLiteStore", q: "Query | str | None" = None, *, year: int | None = None, month: int | None = None
    ) -> list[tuple[str, int]]:
        if month is not None and year is None:
            raise StoreError("histogram: a month needs its year")
        if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1 <= year <= 9999):
            raise StoreError(f"histogram: {year!r} is not a year")
        if month is not None and (not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12):
            raise StoreError(f"histogram: {month!r} is not a month (1 to 12)")
        query, text = self._query(q)
        if year is None:
            period, extra, bounds = "x.year", "x.year IS NOT NULL", []
        elif month is None:
            period, extra, bounds = "substr(x.created, 1, 7)", "x.created >= ? AND x.created < ?", [
                f"{year:04d}-01-01", f"{year + 1:04d}-01-01"]
        else:
            nxt = (year + 1, 1) if month == 12 else (year, month + 1)
            period, extra, bounds = "substr(x.created, 1, 10)", "x.created >= ? AND x.created < ?", [
                f"{year:04d}-{month:02d}-01", f"{nxt[0]:04d}-{nxt[1]:02d}-01"]

        def compute() -> list[tuple[str, int]]:
            c = self._compiled(conn, query)
            if c.is_everything and year is None:
                return sorted(self._collection_counts(conn, ("year",))[1]["year"])
            src, params = c.source()
            sql = f"SELECT {period}, count(*) {src} AND {extra} GROUP BY 1 ORDER BY 1"
            return [(str(p), n) for p, n in conn.execute(sql, (*params, *bounds))]

        with self._snapshot() as conn:
            return list(self._cached(conn, ("histogram", text, year, month), compute))

    def summaries(self: "SQLiteStore", ids: list[str]) -> dict[str, dict[str, Any]]:
        wanted = [i for i in dict.fromkeys(ids) if isinstance(i, str) and i]
        if not wanted:
            return {}
        keys_by_id: dict[str, int] = {}
        keys_by_canon: dict[str, int] = {}
        with self._snapshot() as conn:
            canon = [k for k in {derived.id_key(i) for i in wanted} if k]
            for chunk in _chunks(wanted):
                keys_by_id.update(
                    conn.execute(f"SELECT id, key FROM cables WHERE id IN ({','.join('?' * len(chunk))})", chunk)
                )
            for chunk in _chunks(canon):
                for k, key in conn.execute(
                    f"SELECT canon, key FROM cables WHERE canon IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk
                ):
                    keys_by_canon.setdefault(k, key)
            chosen = {}
            for i in wanted:  # the id as stored first, then another spelling of it
                key = keys_by_id.get(i) or keys_by_canon.get(derived.id_key(i) or "")
                if key is not None:
                    chosen[i] = key
            by_key = self._summaries_by_key(conn, list(set(chosen.values())))
        return {i: dict(by_key[key]) for i, key in chosen.items() if key in by_key}

    def _summaries_by_key(self, conn: sqlite3.Connection, keys: list[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for key, cid, title, subject, created, released, origin, cls, partial, generated in conn.execute(
                "SELECT key, id, title, subject, created, released, origin, classification, partial, generated "
                f"FROM cables WHERE key IN ({marks})",
                chunk,
            ):
                summary: dict[str, Any] = {
                    "id": cid,
                    "title": title,
                    "subject": subject,
                    "created": created,
                    "released": released,
                    "origin": origin,
                    "classification": cls,
                    "partial": bool(partial),
                    "tags": [],
                }
                if generated:
                    summary["generated"] = True
                out[key] = summary
            for key, tag in conn.execute(
                f"SELECT key, tag FROM tags WHERE key IN ({marks}) ORDER BY key, position", chunk
            ):
                out[key]["tags"].append(tag)
        return out

    def references(self: "SQLiteStore", cable_id: str) -> list[dict[str, Any]]:
        with self._snapshot() as conn:
            rows = conn.execute(
                "SELECT r.bullet, r.value, r.kind, r.dst, r.dst_key, "
                # The cited cable as stored: the same spelling first, else another one.
                "coalesce((SELECT c.id FROM cables c WHERE c.id = r.dst), "
                "(SELECT min(c.id) FROM cables c WHERE c.canon = r.dst_key)), "
                "(SELECT count(DISTINCT r2.src) FROM refs r2 WHERE r2.dst_key = r.dst_key) "
                "FROM refs r WHERE r.src = ? ORDER BY r.position",
                (cable_id,),
            ).fetchall()
            stored_ids = sorted({r[5] for r in rows if r[5] is not None})
            titles: dict[str, str] = {}
            for chunk in _chunks(stored_ids):
                titles.update(conn.execute(f"SELECT id, title FROM cables WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        out = []
        for bullet, value, kind, dst, _key, stored_id, cited in rows:
            item: dict[str, Any] = {
                "bullet": bullet,
                "value": value,
                "kind": kind,
                "id": dst,
                "stored": stored_id is not None,
                "title": titles.get(stored_id) if stored_id is not None else None,
                "cited_by_count": int(cited or 0) if dst is not None else 0,
            }
            if stored_id is not None and stored_id != dst:
                item["stored_id"] = stored_id  # the release spells the cited id differently
            out.append(item)
        return out

    def latest_released(self: "SQLiteStore", limit: int = 10) -> list[dict[str, Any]]:
        _whole(limit, "limit")
        with self._snapshot() as conn:
            keys = [
                r[0]
                for r in conn.execute(
                    f"SELECT x.key FROM facts x ORDER BY {_ORDER['-released']} LIMIT ?", (limit,)
                )
            ]
            by_key = self._summaries_by_key(conn, keys)
        return [by_key[k] for k in keys if k in by_key]

    def most_cited(self: "SQLiteStore", limit: int = 10) -> list[dict[str, Any]]:
        _whole(limit, "limit")

        def compute() -> list[dict[str, Any]]:
            rows = conn.execute(
                "SELECT dst_key, count(DISTINCT src) AS n FROM refs WHERE dst_key IS NOT NULL "
                "GROUP BY dst_key ORDER BY n DESC, dst_key LIMIT ?",
                (limit,),
            ).fetchall()
            stored: dict[str, tuple[str, str]] = {}
            for chunk in _chunks([k for k, _ in rows]):
                for canon, cid, title in conn.execute(
                    f"SELECT canon, id, title FROM cables WHERE canon IN ({','.join('?' * len(chunk))}) ORDER BY id",
                    chunk,
                ):
                    stored.setdefault(canon, (cid, title))
            return [
                {
                    "id": stored[k][0] if k in stored else k,
                    "count": n,
                    "stored": k in stored,
                    "title": stored[k][1] if k in stored else None,
                }
                for k, n in rows
            ]

        with self._snapshot() as conn:
            return [dict(d) for d in self._cached(conn, ("most_cited", limit), compute)]

    def collections(self: "SQLiteStore") -> list[dict[str, Any]]:
        def compute() -> dict[str, Any]:
            one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
            return {
                "name": "cables",
                "title": COLLECTION_TITLE,
                "count": one("SELECT coalesce(sum(n), 0) FROM totals WHERE facet = 'cables'"),
                "first": one("SELECT min(created) FROM facts"),
                "last": one("SELECT max(created) FROM facts"),
                "generated": bool(one("SELECT EXISTS (SELECT 1 FROM facts WHERE generated)")),
            }

        with self._snapshot() as conn:
            return [dict(self._cached(conn, ("collections",), compute))]

    # ------------------------------------------------------------------ streams

    def iter_records(self: "SQLiteStore", q: "Query | str | None" = None, *, sort: str = "id") -> Iterator[dict[str, Any]]:
        if sort not in SORTS:
            raise StoreError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
        query, _ = self._query(q)  # a bad query fails here, before the first record
        return self._records(query, sort)

    def _records(self: "SQLiteStore", query: Query | None, sort: str) -> Iterator[dict[str, Any]]:
        # A connection of its own: one snapshot for the whole stream, whatever thread
        # consumes it, and the store's per-thread connections stay free meanwhile.
        conn = self._new_connection()
        try:
            conn.execute("BEGIN")
            c = self._compiled(conn, query)
            join, order, _ = self._order(c, sort)
            src, params = c.source(join)
            keys = conn.execute(f"SELECT x.key {src} ORDER BY {order}", params)  # keys only: sorting stays small
            while True:
                batch = [r[0] for r in keys.fetchmany(_RECORD_BATCH)]
                if not batch:
                    break
                found = {
                    key: (record, body, generated)
                    for key, record, body, generated in conn.execute(
                        f"SELECT key, record_z, body, generated FROM cables WHERE key IN ({','.join('?' * len(batch))})",
                        batch,
                    )
                }
                for key in batch:
                    if key in found:
                        record, body, generated = found[key]
                        data = self._record(record, body, f"cable {key}")
                        if generated:
                            data["generated"] = True
                        yield data
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read {self.path}: {exc}") from None
        finally:
            conn.close()

    def iter_ids(self: "SQLiteStore") -> Iterator[tuple[str, str | None]]:
        # Pages by id, so no read transaction stays open while the caller works.
        last = ""
        while True:
            with self._reading() as conn:
                rows = conn.execute(
                    "SELECT c.id, coalesce(x.released, x.created) FROM cables c JOIN facts x ON x.key = c.key "
                    "WHERE c.id > ? ORDER BY c.id LIMIT ?",
                    (last, _IDS_BATCH),
                ).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]


class _Source:
    """What ``keyset.evaluate`` asks the database, in the caller's read transaction."""

    def __init__(self, store: SQLiteReadAPI, conn: sqlite3.Connection, cols: "Columns") -> None:
        self.store = store
        self.conn = conn
        self.cols = cols

    def fts(self, expression: str) -> Any:
        # One string built in C instead of a Python int per row: 3-4x faster at 100,000 rows.
        row = self.conn.execute(f"SELECT group_concat(rowid) FROM {FTS} WHERE {FTS} MATCH ?", (expression,)).fetchone()
        return column_snapshot.int_list(row[0])

    def where(self, node: Any) -> Any:
        sql, params = condition(node, self.labels)
        row = self.conn.execute(f"SELECT group_concat(x.key) FROM facts x WHERE {sql}", params).fetchone()
        return column_snapshot.int_list(row[0])

    def labels(self, kind: str, node: Field) -> list[int]:
        cond, values = label_condition(kind, node)
        return [r[0] for r in self.conn.execute(f"SELECT label_id FROM labels WHERE {cond} ORDER BY label_id", values)]

    def positions(self, sort: str) -> Any:
        return self.cols.positions(sort, self.conn)

    def first_position(self, sort: str, at_least: str | None) -> int:
        table, order = column_snapshot.ORDERS[sort]
        column = order.split(",")[0]
        cond, params = (f"{column} >= ?", [at_least]) if at_least is not None else (f"{column} IS NOT NULL", [])
        row = self.conn.execute(f"SELECT key FROM {table} WHERE {cond} ORDER BY {order} LIMIT 1", params).fetchone()
        return self.cols.count if row is None else int(self.positions(sort)[row[0]])
