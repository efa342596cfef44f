"""An in-memory, columnar copy of what queries filter, sort and count on (SQLite store).

Why: exact facet counts need every matching cable's origin, year, classification and
tags.  SQL's ``GROUP BY`` over 100,000 matches costs 100+ ms at full size (a b-tree
lookup per match, a sorter for the tags); the same counts from small integer arrays
are a ``numpy.bincount`` of a few milliseconds.  So each process keeps, per cable key
(the ``facts``/FTS rowid):

- ``year``, ``origin``, ``klass`` (label ids; -1 when unknown);
- tags both ways: per cable (CSR: ``key_start`` offsets into ``entry_tag``) for
  counting, per tag (``tags``) for ``tag:`` filters; captions per caption;
- on first use, the position of every cable in each sort order of ``Store.query``
  (``positions``: date, released, id), read from the indexes that keep those orders.
  Pages in those orders and date ranges (a range of positions, its ends found with
  one index probe each: SQLite compares the dates, so the text rules are its own) are
  then array operations.

About 40 bytes per cable (10 MB at 250,000 cables).  Everything is read with a few
``group_concat`` queries (one string built in C, parsed by numpy), not a Python object
per row.  A snapshot belongs to one store state: ``generation`` is the store's
``meta.generation`` (bumped by every write transaction, whichever process makes it),
read in the same read transaction as the data; the sort positions are loaded later
only through a transaction that reads the same generation (``positions`` checks).
``SQLiteReadAPI`` reloads it when the generation moves (see ``sqlite_read.py`` for the
policy while a writer keeps changing it).
"""

from __future__ import annotations

import bisect
import sqlite3
import threading
import time
from dataclasses import dataclass, field

import numpy as np

NONE = -1  # no year / no label
UNPLACED = np.iinfo(np.int32).max  # the position of a key that is not a stored cable

# Each sort order of Store.query as SQL over one table, the order of one of its indexes.
ORDERS = {
    "date": ("facts", "created, key"),
    "released": ("facts", "released, created, key"),
    "id": ("cables", "id"),
}
_SAMPLES = 64  # positions checked against the database after reading an order


class SnapshotError(Exception):
    """The snapshot does not describe the state a transaction reads."""


def int_list(text: str | None) -> np.ndarray:
    """Comma-separated integers (a ``group_concat``) as an int64 array."""
    if not text:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def generation(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return row[0] if row else "0"


@dataclass(frozen=True, eq=False)
class Keywords:
    """Values of a keyword table (tags, captions) with the keys holding each: value
    ``i`` is ``names[i]`` (in SQLite's binary order) and its keys are
    ``key[start[i]:start[i + 1]]``."""

    names: list[str]
    ids: dict[str, int]
    key: np.ndarray  # int32
    start: np.ndarray  # int64, len(names) + 1

    def run(self, value: str, prefix: bool) -> tuple[int, int]:
        """The ids [lo, hi) of ``value``, or of every value starting with it."""
        if not prefix:
            i = self.ids.get(value)
            return (i, i + 1) if i is not None else (0, 0)
        lo = bisect.bisect_left(self.names, value)  # the values with a prefix are one run
        hi = lo
        while hi < len(self.names) and self.names[hi].startswith(value):
            hi += 1
        return lo, hi

    def keys(self, lo: int, hi: int) -> np.ndarray:
        return self.key[self.start[lo] : self.start[hi]] if hi > lo else self.key[:0]


def _keywords(conn: sqlite3.Connection, table: str, column: str) -> Keywords:
    names: list[str] = []
    parts: list[np.ndarray] = []
    for value, keys_text in conn.execute(
        f"SELECT {column}, group_concat(key) FROM {table} GROUP BY {column} ORDER BY {column}"
    ):
        names.append(value)
        parts.append(int_list(keys_text))
    start = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([a.size for a in parts], out=start[1:])
    key = np.concatenate(parts).astype(np.int32) if parts else np.empty(0, dtype=np.int32)
    return Keywords(names, {v: i for i, v in enumerate(names)}, key, start)


@dataclass(frozen=True, eq=False)
class Columns:
    """One state of the store, as arrays indexed by cable key (see the module docstring)."""

    generation: str
    size: int  # max key + 1: every array below indexed by key has this length
    count: int  # cables
    present: np.ndarray  # bool: a cable has this key
    year: np.ndarray  # int32, NONE when unknown
    origin: np.ndarray  # int32 label id, NONE when unknown
    klass: np.ndarray  # int32 label id, NONE when unknown
    tags: Keywords  # the keys of each tag (tag ids are positions in tags.names)
    entry_tag: np.ndarray  # int32 tag ids grouped by key ...
    key_start: np.ndarray  # ... key k has entry_tag[key_start[k]:key_start[k + 1]]
    labels: dict[int, str]  # label id -> value (origins and classifications)
    captions: "Keywords"
    loaded_in: float = 0.0  # seconds the load took
    _positions: dict[str, np.ndarray] = field(default_factory=dict)
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # derived arrays (facets.py caches here)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def nbytes(self) -> int:
        arrays = [self.present, self.year, self.origin, self.klass, self.tags.key, self.tags.start,
                  self.entry_tag, self.key_start, self.captions.key, self.captions.start, *self._positions.values()]
        return int(sum(a.nbytes for a in arrays))

    def mask(self, keys: np.ndarray) -> np.ndarray:
        """A boolean array over keys, True at ``keys`` that are stored cables (an FTS
        rowid list may name keys the snapshot has not: a stale index)."""
        m = np.zeros(self.size, dtype=bool)
        if keys.size:
            m[keys[(keys >= 0) & (keys < self.size)]] = True
            m &= self.present
        return m

    def positions(self, sort: str, conn: sqlite3.Connection) -> np.ndarray:
        """Each key's position (int32) in the order ``sort`` ("date", "released", "id");
        UNPLACED for keys that are not cables.  Read on first use through ``conn``,
        whose transaction must read this snapshot's generation."""
        found = self._positions.get(sort)
        if found is not None:
            return found
        with self._lock:
            found = self._positions.get(sort)
            if found is None:
                if generation(conn) != self.generation:
                    raise SnapshotError("the store changed since this snapshot was read")
                found = self._positions[sort] = _read_positions(conn, sort, self.size)
        return found


def _read_positions(conn: sqlite3.Connection, sort: str, size: int) -> np.ndarray:
    table, order = ORDERS[sort]
    # LIMIT keeps the subquery's ORDER BY (SQLite may drop the ORDER BY of an unlimited
    # subquery), and group_concat appends rows in the order they come.  A sample of the
    # result is checked against the database all the same; on a mismatch the rows are
    # read one by one.
    keys = int_list(
        conn.execute(f"SELECT group_concat(key) FROM (SELECT key FROM {table} ORDER BY {order} LIMIT -1)").fetchone()[0]
    )
    if not _in_order(conn, table, order, keys):
        keys = np.fromiter((r[0] for r in conn.execute(f"SELECT key FROM {table} ORDER BY {order}")), dtype=np.int64)
    out = np.full(size, UNPLACED, dtype=np.int32)
    keys = keys[(keys >= 0) & (keys < size)]
    out[keys] = np.arange(keys.size, dtype=np.int32)
    return out


def _in_order(conn: sqlite3.Connection, table: str, order: str, keys: np.ndarray) -> bool:
    """Whether sampled consecutive pairs of ``keys`` are in ``order`` in the database."""
    if keys.size < 2:
        return True
    if np.unique(keys).size != keys.size:
        return False
    at = np.unique(np.linspace(0, keys.size - 2, num=min(_SAMPLES, keys.size - 1)).astype(np.int64))
    pairs = [(int(keys[i]), int(keys[i + 1])) for i in at]
    marks = ",".join("(?, ?, ?)" for _ in pairs)
    params = [v for n, (a, b) in enumerate(pairs) for v in (n, a, b)]
    # For each pair: is a before b?  Both rows by key, compared with the ORDER BY's terms.
    columns = [c.strip() for c in order.split(",")]
    before = " OR ".join(
        "(" + " AND ".join([f"ta.{c} IS tb.{c}" for c in columns[:i]] + [_less(f"ta.{columns[i]}", f"tb.{columns[i]}")]) + ")"
        for i in range(len(columns))
    )
    sql = (
        f"WITH p(n, a, b) AS (VALUES {marks}) SELECT count(*) FROM p "
        f"JOIN {table} ta ON ta.key = p.a JOIN {table} tb ON tb.key = p.b WHERE {before}"
    )
    return conn.execute(sql, params).fetchone()[0] == len(pairs)


def _less(a: str, b: str) -> str:
    """``a`` sorts before ``b`` in an ascending ORDER BY (NULL first)."""
    return f"(({a} IS NULL AND {b} IS NOT NULL) OR {a} < {b})"


def load(conn: sqlite3.Connection) -> Columns:
    """Read a snapshot; call inside a read transaction so that it is one state."""
    started = time.perf_counter()
    gen = generation(conn)
    row = conn.execute("SELECT coalesce(max(key), 0), count(*) FROM facts").fetchone()
    size, count = int(row[0]) + 1, int(row[1])

    # Several group_concat in one aggregate see the rows in the same order: aligned.
    concat = conn.execute(
        "SELECT group_concat(key), group_concat(coalesce(year, -1)), group_concat(coalesce(origin, -1)), "
        "group_concat(coalesce(class, -1)) FROM facts"
    ).fetchone()
    keys = int_list(concat[0])
    present = np.zeros(size, dtype=bool)
    present[keys] = True

    def column(text: str | None) -> np.ndarray:
        out = np.full(size, NONE, dtype=np.int32)
        out[keys] = int_list(text)
        return out

    year, origin, klass = column(concat[1]), column(concat[2]), column(concat[3])

    tags = _keywords(conn, "tags", "tag")
    tag_key, tag_start = tags.key, tags.start
    # Per cable: the same rows ordered by key (a consistent store has no tag row
    # without its cable; such a row would be left out of the counts, as a join would).
    entry_tags = np.repeat(np.arange(len(tags.names), dtype=np.int32), np.diff(tag_start))
    inside = (tag_key >= 0) & (tag_key < size)
    inside[inside] = present[tag_key[inside]]
    by_key = np.argsort(tag_key[inside], kind="stable")
    entry_tag = entry_tags[inside][by_key]
    key_start = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(tag_key[inside], minlength=size), out=key_start[1:])

    return Columns(
        generation=gen,
        size=size,
        count=count,
        present=present,
        year=year,
        origin=origin,
        klass=klass,
        tags=tags,
        entry_tag=entry_tag,
        key_start=key_start,
        labels=dict(conn.execute("SELECT label_id, value FROM labels")),
        captions=_keywords(conn, "captions", "caption"),
        loaded_in=time.perf_counter() - started,
    )
