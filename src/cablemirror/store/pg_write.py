"""The write path of the PostgreSQL store: ``store_batch``, the quarantine, import
checkpoints and the full-text index (a mixin of ``PostgresStore``).

Every method writes in one transaction from ``PostgresStore._transaction``, which
holds the store's writer lock (see ``postgres.py``), so a batch decides
new/updated/unchanged against everything committed before it, by any process.
Version ids, cable keys, label ids and quarantine ids are handed out under that lock
(max + 1, like the SQLite store: no gaps after a failed batch).

A batch costs a fixed handful of round trips, however big: the lock, one pipeline of
look-ups, and one pipeline of writes in which each table gets one ``INSERT ... SELECT
FROM unnest(arrays)`` (binary arrays, one statement per table; the server computes the
tsvector of ``facts.doc`` and the label ids there, and versions say ``ON CONFLICT
(sha256) DO NOTHING``).  Binary COPY moves big rows about 10 % faster on its own
(``bench/pg_bench.py insert``) but cannot run inside a pipeline, and what dominates a
batch is the server's ``to_tsvector`` (about 1.5-2.5 ms per cable-sized document).
"""

from __future__ import annotations

import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator

from ..model import Cable, Quarantined, RawRecord, sha256_hex
from . import derived, jsonio
from .base import StoreError, StoreOutcome
from .completeness import completeness, release_of, release_seq, version_rank
from .pg_text import DOC_SQL, HEAD_SQL, document

if TYPE_CHECKING:
    from .postgres import PostgresStore

ZLIB_LEVEL = 1  # as the SQLite store: 3/4 of level 6's gain at under half the CPU
GIN_INDEX = "CREATE INDEX IF NOT EXISTS facts_doc ON facts USING gin (doc)"
INDEX_BUILD_MEMORY = "128MB"  # maintenance_work_mem for building the GIN index
REBUILD_BATCH = 1000
# Adds (sign "+") or takes away ("-") the facts rows of the CTE "changed" to or from the
# collection's totals (see schema_postgres.sql, table totals).
TOTALS_FROM_CHANGED = (
    "INSERT INTO totals (facet, value, n) SELECT f, v, {sign}count(*) FROM ("
    "SELECT 'all' AS f, '' AS v FROM changed "
    "UNION ALL SELECT 'year', year::text FROM changed WHERE year IS NOT NULL "
    "UNION ALL SELECT 'origin', origin::text FROM changed WHERE origin IS NOT NULL "
    "UNION ALL SELECT 'class', class::text FROM changed WHERE class IS NOT NULL "
    "UNION ALL SELECT 'tag', t FROM changed, unnest(changed.tags) AS t) AS d GROUP BY f, v "
    "ON CONFLICT (facet, value) DO UPDATE SET n = totals.n + excluded.n"
)
RECOUNT_TOTALS = "WITH changed AS (SELECT year, origin, class, tags FROM facts) " + TOTALS_FROM_CHANGED.format(sign="+")

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


def storable(text: str | None) -> str | None:
    """Text PostgreSQL can store: lone surrogates and NUL (which SQLite keeps, PostgreSQL
    refuses) become U+FFFD, as in the record JSON."""
    if text is None:
        return None
    text = jsonio.valid_text(text)
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


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


def _columns(rows: list[tuple[Any, ...]], n: int) -> list[list[Any]]:
    """Rows as ``n`` column lists: the arrays ``unnest`` turns back into rows."""
    return [list(col) for col in zip(*rows)] if rows else [[] for _ in range(n)]


class PgWriteAPI:
    """Mixed into ``PostgresStore``; see the module docstring and ``base.Store``."""

    _deferring: bool

    # ------------------------------------------------------------------ store_batch

    def store_batch(self: "PostgresStore", items: list[tuple[RawRecord, Cable]]) -> list[StoreOutcome]:
        self._writable()
        versions = [self._incoming(i, item) for i, item in enumerate(items)]
        if not versions:
            return []
        now = _utcnow()
        with self._transaction() as conn:
            known, current, (next_version, next_key) = self._lookup(
                conn, sorted({v.sha for v in versions}), sorted({v.cable_id for v in versions})
            )
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
                # Every write of the batch in one pipeline: one round trip, however many statements.
                with conn.pipeline():
                    self._write_current(conn, [c for c in current.values() if c.added])
                    inserted = self._insert_versions(conn, fresh, current, now)
                    conn.execute(
                        "UPDATE quarantine q SET resolved_version = v.vid, resolved_at = %s "
                        "FROM unnest(%b::text[], %b::bigint[]) AS v(sha, vid) "
                        "WHERE q.sha256 = v.sha AND q.resolved_version IS NULL",
                        (now, [v.sha for v in fresh], [v.version_id for v in fresh]),
                    )
                if inserted.rowcount != len(fresh):
                    # Only a writer that did not take the store's lock can get here.
                    raise StoreError(
                        f"another process stored some of these records at the same moment in {self.where} "
                        "without the writer lock; nothing of this batch was written: import again"
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
        if storable(cable.id) != cable.id:
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
    def _lookup(
        conn: Any, shas: list[str], ids: list[str]
    ) -> tuple[dict[str, tuple[int, str, bool]], dict[str, _Current], tuple[int, int]]:
        """What the store holds of a batch (one round trip): the versions with these
        bytes, the current versions of these cables, the next version id and key."""
        with conn.pipeline():
            known_cur = conn.execute(
                "SELECT v.sha256, v.version_id, v.cable_id, coalesce(c.version_id = v.version_id, false) "
                "FROM versions v LEFT JOIN cables c ON c.id = v.cable_id WHERE v.sha256 = ANY(%s)",
                (shas,),
            )
            current_cur = conn.cursor().execute(
                "SELECT c.id, c.key, c.version_id, c.n_versions, v.completeness, v.released, v.release_seq "
                "FROM cables c JOIN versions v ON v.version_id = c.version_id WHERE c.id = ANY(%s)",
                (ids,),
            )
            next_cur = conn.cursor().execute(
                "SELECT (SELECT coalesce(max(version_id), 0) + 1 FROM versions), "
                "(SELECT coalesce(max(key), 0) + 1 FROM cables)"
            )
        known = {sha: (vid, cid, bool(cur)) for sha, vid, cid, cur in known_cur.fetchall()}
        current = {
            cid: _Current(key, vid, 0, version_rank(score, released, seq, vid), False, stored=n)
            for cid, key, vid, n, score, released, seq in current_cur.fetchall()
        }
        next_version, next_key = next_cur.fetchone()
        return known, current, (next_version, next_key)

    @staticmethod
    def _insert_versions(conn: Any, fresh: list[_Version], current: dict[str, _Current], now: str) -> Any:
        """Insert the new versions; returns the cursor (its rowcount says how many went in)."""
        rows = []
        for v in fresh:
            prov = v.raw.provenance
            # The current version's record lives in cables.record only; others keep their own.
            is_current = current[v.cable_id].version_id == v.version_id
            rows.append((
                v.version_id, v.cable_id, v.sha, storable(v.raw.collection) or "", storable(prov.format) or "",
                storable(prov.path) or "", prov.offset, prov.length, prov.line, storable(v.released),
                storable(v.label), v.seq, v.score, None if is_current else v.json_text,
                zlib.compress(bytes(v.raw.raw), ZLIB_LEVEL),
            ))
        return conn.cursor().execute(
            "INSERT INTO versions (version_id, cable_id, sha256, collection, format, path, byte_offset, length, line, "
            "imported_at, released, release_label, release_seq, completeness, record, raw_z) "
            "SELECT v, c, s, col, f, p, o, l, ln, %s, r, rl, rs, sc, rec, z FROM unnest("
            "%b::bigint[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::bigint[], %b::bigint[], "
            "%b::bigint[], %b::text[], %b::text[], %b::bigint[], %b::bigint[], %b::text[], %b::bytea[]) "
            "AS t(v, c, s, col, f, p, o, l, ln, r, rl, rs, sc, rec, z) "
            "ON CONFLICT (sha256) DO NOTHING",
            (now, *_columns(rows, 15)),
        )

    def _write_current(self, conn: Any, states: list[_Current]) -> None:
        """Insert new cables, switch changed ones to their new current version, count versions."""
        inserts = [s for s in states if s.is_new]
        switches = [s for s in states if not s.is_new and s.best is not None]
        counts = [s for s in states if not s.is_new and s.best is None]

        if switches:
            keys = [s.key for s in switches]
            # The version that stops being current keeps its record in versions from now on.
            conn.execute(
                "UPDATE versions v SET record = c.record FROM cables c "
                "WHERE c.key = ANY(%s) AND v.version_id = c.version_id",
                (keys,),
            )
            ids = [s.best.cable_id for s in switches]  # type: ignore[union-attr]
            conn.execute("DELETE FROM refs WHERE src = ANY(%s)", (ids,))
            conn.execute("DELETE FROM paragraphs WHERE cable = ANY(%s)", (ids,))
            for table in ("tags", "captions", "cables"):
                conn.execute(f"DELETE FROM {table} WHERE key = ANY(%s)", (keys,))
            # The old facts leave the collection's totals.
            conn.execute(
                "WITH changed AS (DELETE FROM facts WHERE key = ANY(%s) RETURNING year, origin, class, tags) "
                + TOTALS_FROM_CHANGED.format(sign="-"),
                (keys,),
            )

        changed = inserts + switches
        if changed:
            rows = [self._cable_row(s) for s in changed]
            conn.execute(
                f"INSERT INTO cables ({', '.join(_CABLE_COLUMNS)}) SELECT * FROM unnest("
                + ", ".join(f"%b::{t}[]" for t in _CABLE_TYPES) + ")",
                _columns(rows, len(_CABLE_COLUMNS)),
            )
            self._write_parts(conn, changed, rows)
        if counts:
            conn.execute(
                "UPDATE cables c SET n_versions = c.n_versions + t.n FROM unnest(%b::bigint[], %b::int[]) AS t(k, n) "
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
            storable(v.raw.provenance.format),
            storable(c.created),
            storable(c.released),
            year,
            month,
            day,
            storable(c.origin),
            storable(c.classification),
            storable(c.subject or ""),
            storable(c.title or ""),
            storable(" ".join(c.tags)),
            bool(c.partial),
            bool(c.header and c.header.strip()),
            len(c.paragraphs),
            len(c.references),
            int(c.redactions or 0),
            len(c.body or ""),
            derived.is_generated(c.body),
            v.json_text,
        )

    @staticmethod
    def _write_parts(conn: Any, states: list[_Current], rows: list[tuple[Any, ...]]) -> None:
        """The rows derived from the new current records: refs, tags, captions,
        paragraphs, labels, facts with the full-text document (``rows``: their
        ``cables`` rows, in the same order)."""
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
                dst = storable(r.id)
                refs.append((cid, i, storable(r.bullet), storable(r.value) or "", storable(r.kind) or "other", dst,
                             derived.id_key(dst)))
            tags += [(s.key, t, i) for i, t in enumerate(derived.keywords(storable(t) for t in c.tags))]
            captions += [(s.key, k) for k in derived.keywords(storable(t) for t in c.captions)]
            paras += [
                (cid, i, p.number, storable(p.marking), bool(p.cut_short), len(p.text or ""))
                for i, p in enumerate(c.paragraphs)
            ]
            docs.append(document(c.title, c.subject, c.tags, c.body))
        for table, columns, types, values in (
            ("refs", "src, position, bullet, value, kind, dst, dst_key", "text int text text text text text", refs),
            ("tags", "key, tag, position", "bigint text int", tags),
            ("captions", "key, caption", "bigint text", captions),
            ("paragraphs", "cable, position, number, marking, cut_short, length", "text int bigint text bool int", paras),
        ):
            if values:
                conn.execute(
                    f"INSERT INTO {table} ({columns}) SELECT * FROM unnest("
                    + ", ".join(f"%b::{t}[]" for t in types.split()) + ")",
                    _columns(values, len(types.split())),
                )
        # Labels: the new origins and classifications get the next ids (under the writer lock).
        labels = sorted({("origin", r[11]) for r in rows if r[11] is not None}
                        | {("class", r[12]) for r in rows if r[12] is not None})
        if labels:
            conn.execute(
                "INSERT INTO labels (label_id, kind, value, norm) "
                "SELECT (SELECT coalesce(max(label_id), 0) FROM labels) + row_number() OVER (ORDER BY t.i), t.k, t.v, t.n "
                "FROM unnest(%b::text[], %b::text[], %b::text[]) WITH ORDINALITY AS t(k, v, n, i) "
                "WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.kind = t.k AND l.value = t.v)",
                (
                    [k for k, _ in labels],
                    [v for _, v in labels],
                    [derived.origin_words(v) if k == "origin" else derived.class_key(v) for k, v in labels],
                ),
            )
        conn.execute(
            "WITH changed AS (INSERT INTO facts (key, created, released, year, origin, class, generated, tags, "
            "captions, head, doc) "
            "SELECT u.k, u.c, u.r, u.y, lo.label_id, lc.label_id, u.g, "
            "ARRAY(SELECT t.tag FROM tags t WHERE t.key = u.k ORDER BY t.position), "
            "ARRAY(SELECT p.caption FROM captions p WHERE p.key = u.k ORDER BY p.caption), "
            f"{HEAD_SQL.format('u.a', 'u.b')}, {DOC_SQL.format('u.a', 'u.b', 'u.t', 'u.d')} FROM unnest("
            "%b::bigint[], %b::text[], %b::text[], %b::int[], %b::text[], %b::text[], %b::boolean[], "
            "%b::text[], %b::text[], %b::text[], %b::text[]) AS u(k, c, r, y, o, cl, g, a, b, t, d) "
            "LEFT JOIN labels lo ON lo.kind = 'origin' AND lo.value = u.o "
            "LEFT JOIN labels lc ON lc.kind = 'class' AND lc.value = u.cl "
            "RETURNING year, origin, class, tags) "
            + TOTALS_FROM_CHANGED.format(sign="+"),
            (
                [r[0] for r in rows],
                [r[6] for r in rows],
                [r[7] for r in rows],
                [r[8] for r in rows],
                [r[11] for r in rows],
                [r[12] for r in rows],
                [r[22] for r in rows],
                *([d[i] for d in docs] for i in range(4)),
            ),
        )

    # ------------------------------------------------------------------ search index

    @contextmanager
    def defer_search_index(self: "PostgresStore") -> Iterator[None]:
        """Bulk imports.  Into an empty store, the GIN index is dropped and built once at
        the end (about half the cost of keeping it current; nothing is searchable yet
        anyway).  Into a store that holds cables, the index is kept current batch by
        batch: readers of a shared database must not lose their index meanwhile.
        Documents are always written with their rows, so searches never miss a cable;
        only their speed depends on the index."""
        self._writable()
        if self._deferring:  # nested: the outer one builds
            yield
            return
        dropped = self._drop_index_if_empty()
        self._deferring = True
        try:
            yield
        except Exception:
            self._deferring = False
            self._build_index_if_stale()  # what was stored before the error is searchable fast
            raise
        finally:
            self._deferring = False  # KeyboardInterrupt and the like: the mark stays
        if dropped:
            self._build_index()
        else:
            self._build_index_if_stale()

    def _drop_index_if_empty(self: "PostgresStore") -> bool:
        """Drop the GIN index when the store holds no cable; marked stale in the same
        transaction (an interrupted import leaves the mark until the index is built)."""
        with self._transaction() as conn:
            if conn.execute("SELECT EXISTS (SELECT 1 FROM facts)").fetchone()[0]:
                return False
            conn.execute("DROP INDEX IF EXISTS facts_doc")
            conn.execute("UPDATE meta SET value = 'stale' WHERE key = 'search_index'")
        return True

    def _search_index_state(self: "PostgresStore") -> str:
        with self._reading(snapshot=False) as conn:
            return self._index_state(conn)

    @staticmethod
    def _index_state(conn: Any) -> str:
        """"ok" when the GIN index exists and no import left it marked stale."""
        state, exists = conn.execute(
            "SELECT (SELECT value FROM meta WHERE key = 'search_index'), to_regclass('facts_doc') IS NOT NULL"
        ).fetchone()
        return "ok" if (state or "ok") == "ok" and exists else "stale"

    def _build_index_if_stale(self: "PostgresStore") -> None:
        if self._search_index_state() != "ok":
            self._build_index()

    def _build_index(self: "PostgresStore") -> None:
        """Build the GIN index (CREATE INDEX blocks writers, not readers), mark it ok, and
        refresh the planner's statistics: after a bulk import they describe an empty
        store, and plans made from them (hash joins over everything) cost seconds."""
        with self._transaction() as conn:
            conn.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
            conn.execute(GIN_INDEX)
            conn.execute("UPDATE meta SET value = 'ok' WHERE key = 'search_index'")
            conn.execute("ANALYZE facts, cables, tags, captions, refs, labels, totals")

    def rebuild_search_index(self: "PostgresStore") -> None:
        """Recompute every cable's document from its stored record (in batches, each its
        own transaction: readers and other writers go on), then make sure the index is
        there.  Documents that come out the same are not rewritten."""
        self._writable()
        last = 0
        while True:
            with self._transaction() as conn:
                rows = conn.execute(
                    "SELECT key, title, subject, tags, record::json ->> 'body' FROM cables WHERE key > %s "
                    "ORDER BY key LIMIT %s",
                    (last, REBUILD_BATCH),
                ).fetchall()
                if not rows:
                    break
                parts = [document(title, subject, tags.split(), body or "") for _, title, subject, tags, body in rows]
                conn.execute(
                    "UPDATE facts f SET head = n.head, doc = n.doc, "
                    "tags = ARRAY(SELECT t.tag FROM tags t WHERE t.key = f.key ORDER BY t.position), "
                    "captions = ARRAY(SELECT p.caption FROM captions p WHERE p.key = f.key ORDER BY p.caption) "
                    f"FROM (SELECT u.k, {HEAD_SQL.format('u.a', 'u.b')} AS head, "
                    f"{DOC_SQL.format('u.a', 'u.b', 'u.t', 'u.d')} AS doc "
                    "FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::text[], %b::text[]) AS u(k, a, b, t, d)) n "
                    "WHERE f.key = n.k AND (f.doc IS DISTINCT FROM n.doc OR f.head IS DISTINCT FROM n.head "
                    "OR f.tags IS DISTINCT FROM ARRAY(SELECT t.tag FROM tags t WHERE t.key = f.key ORDER BY t.position))",
                    ([r[0] for r in rows], *([p[i] for p in parts] for i in range(4))),
                )
                last = rows[-1][0]
        with self._transaction() as conn:  # the collection's totals, counted afresh
            conn.execute("DELETE FROM totals")
            conn.execute(RECOUNT_TOTALS)
        self._build_index()

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
                    seen_again.append((now, storable(q.reason) or "", sha))
                    continue
                present.add(sha)
                resolved = stored.get(sha)
                new_rows.append(
                    (
                        next_qid, sha, storable(q.collection) or "", storable(prov.format) or "", storable(prov.path) or "",
                        prov.offset, prov.length, prov.line, storable(q.reason) or "", now, now, resolved,
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
            row = conn.execute("SELECT fingerprint, byte_offset FROM imports WHERE path = %s", (storable(str(path)),)).fetchone()
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
                (storable(str(path)), storable(fingerprint), offset, _utcnow()),
            )

