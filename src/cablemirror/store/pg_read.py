"""The website's read API of the PostgreSQL store (``Store.query`` and the browse helpers).

A mixin of ``PostgresStore``; it uses the store's connections (``_reading``).  How a
query runs (``pg_query.py`` compiles it), all in one REPEATABLE READ snapshot:

1. total and the facets origin / year / classification in one pass: one
   ``GROUP BY year, origin, class`` over the matching ``facts`` rows;
2. the tag facet (a cable has several tags): the matching keys joined to ``tags``;
3. the page: keys only, in the requested order, ``LIMIT``/``OFFSET``; relevance is
   ``ts_rank`` with the weights of ``pg_query.RANK`` and, past ``rank_limit`` hits,
   tiered (the hits with the words in the title or subject first) like the SQLite
   store, because ranking means reading every hit's document;
4. for the page's hits only: the cable rows and records, ``ts_headline`` over the
   words of their texts (``pg_text``), snippets and the paragraph of the first hit.

Totals, facets, tiers and most-cited are cached per query text and store generation
(``meta.generation``, bumped by every write transaction), which every app server
sharing the database reads, so caches stay right across servers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..search import CABLE_FIELDS, Query, parse_query
from . import derived, jsonio
from .base import HIT_MARKS, SearchHit, SearchPage, StoreError
from .hits import paragraph_of_hit
from .pg_highlight import PageMarks
from .pg_query import HEAD_RANK, RANK, TSQ, Compiled, compile_plain, compile_query
from .pg_text import Words, snippet
from .pg_write import storable
from .sqlite_read import COLLECTION_TITLE, FACETS, SORTS

if TYPE_CHECKING:
    from .postgres import PostgresStore

_ORDER = {
    "date": "x.created NULLS FIRST, x.key",
    "-date": "x.created DESC NULLS LAST, x.key DESC",
    "released": "x.released NULLS FIRST, x.created NULLS FIRST, x.key",
    "-released": "x.released DESC NULLS LAST, x.created DESC NULLS LAST, x.key DESC",
}
_RECORD_BATCH = 200  # records fetched at once by iter_records
_IDS_BATCH = 5000
_CACHE_SIZE = 256
_TEXTS = ("body", "title", "subject", "tags")  # where a snippet may come from, preferred first

Facets = dict[str, list[tuple[str, int]]]


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    """By count descending, then value."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _whole(value: Any, name: str, *, none: bool = False) -> None:
    if value is None and none:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise StoreError(f"{name} must be a whole number >= 0 (got {value!r})")


class PgReadAPI:
    """Mixed into ``PostgresStore``; see the module docstring and ``base.Store``."""

    # Relevance ranks at most this many hits by their whole documents (ts_rank reads each
    # one: ~45 us a hit); past it, see _tiered_page.
    rank_limit: int = 1_000
    _cache: "OrderedDict[tuple[Any, ...], Any]"
    _cache_lock: threading.Lock
    _label_names: dict[int, str]

    def _init_read_api(self) -> None:
        self._cache = OrderedDict()
        self._cache_lock = threading.Lock()
        self._label_names = {}

    # ------------------------------------------------------------------ plumbing

    def _cached(self, conn: Any, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        full = (generation[0] if generation else "0", *key)
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

    def clear_read_cache(self) -> None:
        """Forget cached totals and facets (benchmarks use it to time cold queries)."""
        with self._cache_lock:
            self._cache.clear()

    def _label(self, conn: Any, label_id: int) -> str | None:
        name = self._label_names.get(label_id)
        if name is None:  # labels only grow: reload when one is new to us
            self._label_names = dict(conn.execute("SELECT label_id, value FROM labels").fetchall())
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

    @staticmethod
    def _plan_for(conn: Any, c: Compiled) -> None:
        """No sequential scans in a transaction that matches documents: the planner does
        not know that reading a document row by row costs ~25 us (it is out of line), and
        for a common word it would scan every row and read every document (seconds)
        instead of asking the GIN index (milliseconds)."""
        if c.reads_documents:
            conn.execute("SET LOCAL enable_seqscan = off")

    def _compile(self, q: "Query | str | None") -> tuple[Compiled, str]:
        """The compiled query and its canonical text (the cache key)."""
        query = self._parse(q)
        return compile_query(query), (str(query) if query is not None else "")

    # ------------------------------------------------------------------ counting

    def _facet_counts(self, conn: Any, c: Compiled, names: tuple[str, ...]) -> tuple[int, Facets]:
        """Total and every value of each facet in ``names``, ranked: one scan of the
        matching rows, counted twice (origin/year/class groups, and the tags arrays)."""
        if c.is_everything:
            return self._collection_counts(conn, names)
        src, params = c.source()
        counters: dict[str, dict[Any, int]] = {n: {} for n in FACETS}
        total = 0
        rows = conn.execute(
            f"WITH m AS MATERIALIZED (SELECT x.year, x.origin, x.class, x.tags {src}) "
            "SELECT false, year, origin, class, NULL, count(*) FROM m GROUP BY year, origin, class "
            + ("UNION ALL SELECT true, NULL, NULL, NULL, t, count(*) FROM m, unnest(m.tags) AS t GROUP BY t"
               if "tag" in names else ""),
            params,
        ).fetchall()
        for is_tag, year, origin, cls, tag, n in rows:
            if is_tag:
                counters["tag"][tag] = n
                continue
            total += n
            for name, value in (("year", year), ("origin", origin), ("classification", cls)):
                if value is not None:
                    counters[name][value] = counters[name].get(value, 0) + n
        return total, self._named(conn, counters, names)

    def _collection_counts(self, conn: Any, names: tuple[str, ...]) -> tuple[int, Facets]:
        """The empty query's counts: the totals every write keeps (no counting)."""
        counters: dict[str, dict[Any, int]] = {n: {} for n in FACETS}
        total = 0
        facet_of = {"year": "year", "origin": "origin", "class": "classification", "tag": "tag"}
        for facet, value, n in conn.execute("SELECT facet, value, n FROM totals WHERE n > 0"):
            if facet == "all":
                total = n
            elif facet in facet_of:
                counters[facet_of[facet]][value if facet == "tag" else int(value)] = n
        return total, self._named(conn, counters, names)

    def _named(self, conn: Any, counters: dict[str, dict[Any, int]], names: tuple[str, ...]) -> Facets:
        """Facet values as shown (label ids to their names), ranked."""
        out: Facets = {}
        for name in names:
            if name == "year":
                out[name] = _ranked({str(k): v for k, v in counters[name].items()})
            elif name == "tag":
                out[name] = _ranked(counters[name])
            else:
                named: dict[str, int] = {}
                for label_id, n in counters[name].items():
                    value = self._label(conn, label_id)
                    if value is not None:
                        named[value] = named.get(value, 0) + n
                out[name] = _ranked(named)
        return out

    def _totals(self, conn: Any, c: Compiled, text: str, names: tuple[str, ...]) -> tuple[int, Facets]:
        return self._cached(conn, ("facets", text, names), lambda: self._facet_counts(conn, c, names))

    # ------------------------------------------------------------------ query

    def query(
        self: "PostgresStore",
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
        c, text = self._compile(q)
        with self._reading() as conn:
            self._plan_for(conn, c)
            total, counted = self._totals(conn, c, text, tuple(sorted(names)))
            page = self._page_keys(conn, c, text, sort, limit, offset, total) if limit and offset < total else []
            hits = self._hits(conn, c, page, marks) if page else []
        shown = {n: counted[n][:facet_limit] if facet_limit is not None else counted[n] for n in names}
        return SearchPage(total=total, hits=hits, facets=shown)

    def _plain_search(self: "PostgresStore", user: str, limit: int, offset: int, marks: tuple[str, str]) -> SearchPage:
        """``Store.search``: plain words, phrases and prefixes, best first."""
        c = compile_plain(user)
        if c is None:
            return SearchPage(total=0)
        with self._reading() as conn:
            self._plan_for(conn, c)
            total = conn.execute(f"SELECT count(*) FROM facts x WHERE x.doc @@ {TSQ}", (c.match,)).fetchone()[0]
            if total == 0 or limit == 0 or offset >= total:
                return SearchPage(total=total)
            page = self._rows(conn, c, "relevance", limit, offset)
            return SearchPage(total=total, hits=self._hits(conn, c, page, marks))

    def _order(self, c: Compiled, sort: str) -> tuple[str, str, str, list[Any]]:
        """(extra join, ORDER BY, rank column, its parameters) for ``sort``."""
        if sort == "relevance" and c.match is None:
            sort = "date"  # no words: nothing to rank by
        if sort == "relevance":
            return "", "r DESC, x.key", RANK, [c.match]
        if sort == "id":
            return "JOIN cables cb ON cb.key = x.key", "cb.id", "NULL::real", []
        return "", _ORDER[sort], "NULL::real", []

    def _page_keys(
        self, conn: Any, c: Compiled, text: str, sort: str, limit: int, offset: int, total: int
    ) -> list[tuple[int, float | None]]:
        if sort == "relevance" and c.match is not None and c.highlight is not None and total > self.rank_limit:
            return self._tiered_page(conn, c, text, limit, offset)
        return self._rows(conn, c, sort, limit, offset)

    def _rows(self, conn: Any, c: Compiled, sort: str, limit: int, offset: int) -> list[tuple[int, float | None]]:
        join, order, rank, rank_params = self._order(c, sort)
        src, params = c.source(join)
        return conn.execute(
            f"SELECT x.key, {rank} AS r {src} ORDER BY {order} LIMIT %s OFFSET %s",
            (*rank_params, *params, limit, offset),
        ).fetchall()

    def _tiered_page(
        self, conn: Any, c: Compiled, text: str, limit: int, offset: int
    ) -> list[tuple[int, float | None]]:
        """Relevance over more than ``rank_limit`` hits, where ranking every hit would
        read every hit's document: first the hits with the words in the title or
        subject, ranked by those (``x.head``, small and in the row), then the others,
        newest first."""
        assert c.highlight is not None
        first = c.also(f"x.head @@ {TSQ}", c.highlight)

        def count() -> int:
            src, params = first.source()
            return conn.execute(f"SELECT count(*) {src}", params).fetchone()[0]

        n_first = self._cached(conn, ("tier", text), count)
        page: list[tuple[int, float | None]] = []
        if offset < n_first:
            src, params = first.source()
            page += conn.execute(
                f"SELECT x.key, {HEAD_RANK} AS r {src} ORDER BY r DESC, x.key LIMIT %s OFFSET %s",
                (c.highlight, *params, limit, offset),
            ).fetchall()
        if len(page) < limit:
            rest = c.also(f"NOT (x.head @@ {TSQ})", c.highlight)
            page += self._rows(conn, rest, "-date", limit - len(page), max(0, offset - n_first))
        return page

    def _hits(self, conn: Any, c: Compiled, page: list[tuple[int, float | None]], marks: tuple[str, str]) -> list[SearchHit]:
        keys = [k for k, _ in page]
        if not c.terms:
            rows = conn.execute(
                "SELECT key, id, title, created, origin, classification, NULL, NULL, NULL, 0.0::real "
                "FROM cables WHERE key = ANY(%s)",
                (keys,),
            ).fetchall()
        else:
            rows = conn.execute(
                "SELECT c.key, c.id, c.title, c.created, c.origin, c.classification, c.subject, c.tags, c.record, "
                f"{RANK} FROM cables c JOIN facts x ON x.key = c.key WHERE c.key = ANY(%s)",
                (c.match if c.match is not None else c.highlight, keys),
            ).fetchall()
        found = {r[0]: r for r in rows}
        shown = self._highlights(conn, c, [found[k] for k in keys if k in found], marks) if c.terms else {}
        hits = []
        for key, rank in page:
            row = found.get(key)
            if row is None:
                continue
            _, cid, title, created, origin, cls, _subject, _tags, _record, score = row
            snip, paragraph = shown.get(key, ("", None))
            hits.append(
                SearchHit(
                    id=cid,
                    title=title,
                    created=created,
                    origin=origin,
                    classification=cls,
                    snippet=snip,
                    paragraph=paragraph,
                    score=float(rank) if rank is not None else float(score or 0.0),
                )
            )
        return hits

    def _highlights(
        self, conn: Any, c: Compiled, rows: list[tuple[Any, ...]], marks: tuple[str, str]
    ) -> dict[int, tuple[str, int | None]]:
        """key -> (snippet, paragraph of the first hit in the body) for the page's rows."""
        texts: dict[int, list[Words]] = {}
        records: dict[int, dict[str, Any]] = {}
        for key, _cid, title, _created, _origin, _cls, subject, tags, record, _score in rows:
            data = jsonio.loads(record)
            records[key] = data
            # In document order (pg_highlight.PARTS): title, subject, tags, body.
            texts[key] = [Words(title or ""), Words(subject or ""), Words(tags or ""), Words(data.get("body") or "")]
        found = PageMarks(conn, list(texts), c.terms, texts)
        if c.highlight is not None:
            found.fallback(conn, c.highlight)
        out: dict[int, tuple[str, int | None]] = {}
        for key, parts in texts.items():
            marked = found.marks[key]
            # The text with the most hits, the body first among equals, then title, subject, tags.
            best = max((3, 0, 1, 2), key=lambda i: (len(set(marked[i])), i == 3))
            snip = snippet(parts[best], marked[best], marks) if marked[best] else ""
            paragraph = None
            if marked[3]:
                body = parts[3]
                paragraphs = [(p.get("number"), p.get("text") or "") for p in records[key].get("paragraphs") or []]
                paragraph = paragraph_of_hit(body.text, body.span(marked[3][0])[0], paragraphs)
            out[key] = (snip, paragraph)
        return out

    # ------------------------------------------------------------------ browse

    def counts(self: "PostgresStore", field: str, q: "Query | str | None" = None) -> list[tuple[str, int]]:
        if field not in FACETS:
            raise StoreError(f"cannot count by {field!r}: use one of {', '.join(FACETS)}")
        c, text = self._compile(q)
        with self._reading() as conn:
            self._plan_for(conn, c)
            return list(self._totals(conn, c, text, (field,))[1][field])

    def histogram(
        self: "PostgresStore", q: "Query | str | None" = None, *, year: int | None = None, month: int | None = None
    ) -> list[tuple[str, int]]:
        if month is not None and year is None:
            raise StoreError("histogram: a month needs its year")
        if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1 <= year <= 9999):
            raise StoreError(f"histogram: {year!r} is not a year")
        if month is not None and (not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12):
            raise StoreError(f"histogram: {month!r} is not a month (1 to 12)")
        c, text = self._compile(q)
        if year is None:
            period, extra, bounds = "x.year", "x.year IS NOT NULL", []
        elif month is None:
            period, extra, bounds = "substr(x.created, 1, 7)", "x.created >= %s AND x.created < %s", [
                f"{year:04d}-01-01", f"{year + 1:04d}-01-01"]
        else:
            nxt = (year + 1, 1) if month == 12 else (year, month + 1)
            period, extra, bounds = "substr(x.created, 1, 10)", "x.created >= %s AND x.created < %s", [
                f"{year:04d}-{month:02d}-01", f"{nxt[0]:04d}-{nxt[1]:02d}-01"]

        def compute() -> list[tuple[str, int]]:
            if c.is_everything and year is None:  # the totals every write keeps
                sql = "SELECT value::int, n FROM totals WHERE facet = 'year' AND n > 0 ORDER BY 1"
                return [(str(p), n) for p, n in conn.execute(sql)]
            src, params = c.source()
            sql = f"SELECT {period}, count(*) {src} AND {extra} GROUP BY 1 ORDER BY 1"
            return [(str(p), n) for p, n in conn.execute(sql, (*params, *bounds))]

        with self._reading() as conn:
            self._plan_for(conn, c)
            return list(self._cached(conn, ("histogram", text, year, month), compute))

    def summaries(self: "PostgresStore", ids: list[str]) -> dict[str, dict[str, Any]]:
        wanted = [i for i in dict.fromkeys(ids) if isinstance(i, str) and i]
        if not wanted:
            return {}
        with self._reading() as conn:
            stored = [storable(i) for i in wanted]
            keys_by_id = dict(conn.execute("SELECT id, key FROM cables WHERE id = ANY(%s)", (stored,)).fetchall())
            canon = sorted({k for k in (derived.id_key(i) for i in stored) if k})
            keys_by_canon: dict[str, int] = {}
            for k, key in conn.execute("SELECT canon, key FROM cables WHERE canon = ANY(%s) ORDER BY id", (canon,)):
                keys_by_canon.setdefault(k, key)
            chosen = {}
            for i, s in zip(wanted, stored):  # the id as stored first, then another spelling of it
                key = keys_by_id.get(s) or keys_by_canon.get(derived.id_key(s) or "")
                if key is not None:
                    chosen[i] = key
            by_key = self._summaries_by_key(conn, sorted(set(chosen.values())))
        return {i: dict(by_key[key]) for i, key in chosen.items() if key in by_key}

    @staticmethod
    def _summaries_by_key(conn: Any, keys: list[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        if not keys:
            return out
        for key, cid, title, subject, created, released, origin, cls, partial, generated in conn.execute(
            "SELECT key, id, title, subject, created, released, origin, classification, partial, generated "
            "FROM cables WHERE key = ANY(%s)",
            (keys,),
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
        for key, tag in conn.execute("SELECT key, tag FROM tags WHERE key = ANY(%s) ORDER BY key, position", (keys,)):
            out[key]["tags"].append(tag)
        return out

    def references(self: "PostgresStore", cable_id: str) -> list[dict[str, Any]]:
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT r.bullet, r.value, r.kind, r.dst, r.dst_key, "
                # The cited cable as stored: the same spelling first, else another one.
                "(SELECT c.id FROM cables c WHERE c.canon = r.dst_key ORDER BY c.id <> r.dst, c.id LIMIT 1), "
                "(SELECT count(DISTINCT r2.src) FROM refs r2 WHERE r2.dst_key = r.dst_key) "
                "FROM refs r WHERE r.src = %s ORDER BY r.position",
                (storable(cable_id),),
            ).fetchall()
            stored_ids = sorted({r[5] for r in rows if r[5] is not None})
            titles = dict(conn.execute("SELECT id, title FROM cables WHERE id = ANY(%s)", (stored_ids,)).fetchall())
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

    def latest_released(self: "PostgresStore", limit: int = 10) -> list[dict[str, Any]]:
        _whole(limit, "limit")
        with self._reading() as conn:
            keys = [
                r[0]
                for r in conn.execute(f"SELECT x.key FROM facts x ORDER BY {_ORDER['-released']} LIMIT %s", (limit,))
            ]
            by_key = self._summaries_by_key(conn, keys)
        return [by_key[k] for k in keys if k in by_key]

    def most_cited(self: "PostgresStore", limit: int = 10) -> list[dict[str, Any]]:
        _whole(limit, "limit")

        def compute() -> list[dict[str, Any]]:
            rows = conn.execute(
                "SELECT dst_key, count(DISTINCT src) AS n FROM refs WHERE dst_key IS NOT NULL "
                "GROUP BY dst_key ORDER BY n DESC, dst_key LIMIT %s",
                (limit,),
            ).fetchall()
            stored: dict[str, tuple[str, str]] = {}
            for canon, cid, title in conn.execute(
                "SELECT canon, id, title FROM cables WHERE canon = ANY(%s) ORDER BY id", ([k for k, _ in rows],)
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

        with self._reading() as conn:
            return [dict(d) for d in self._cached(conn, ("most_cited", limit), compute)]

    def collections(self: "PostgresStore") -> list[dict[str, Any]]:
        def compute() -> dict[str, Any]:
            count, first, last, generated = conn.execute(
                "SELECT (SELECT coalesce(max(n), 0) FROM totals WHERE facet = 'all'), min(created), max(created), "
                "EXISTS (SELECT 1 FROM facts WHERE generated) FROM facts"
            ).fetchone()
            return {
                "name": "cables",
                "title": COLLECTION_TITLE,
                "count": count,
                "first": first,
                "last": last,
                "generated": bool(generated),
            }

        with self._reading() as conn:
            return [dict(self._cached(conn, ("collections",), compute))]

    # ------------------------------------------------------------------ streams

    def iter_records(self: "PostgresStore", q: "Query | str | None" = None, *, sort: str = "id") -> Iterator[dict[str, Any]]:
        if sort not in SORTS:
            raise StoreError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
        c, _ = self._compile(q)  # a bad query fails here, before the first record
        if self._closed:
            raise StoreError(f"the store {self.where} is closed")
        return self._records(c, sort)

    def _records(self: "PostgresStore", c: Compiled, sort: str) -> Iterator[dict[str, Any]]:
        # A connection of its own: one snapshot for the whole stream, whatever thread
        # consumes it, and the pool's connections stay free meanwhile.  The keys come
        # through a server-side cursor, the records in batches of them.
        conn = self.connect()
        try:
            conn.isolation_level = self.psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.transaction():
                self._plan_for(conn, c)
                join, order, rank, rank_params = self._order(c, sort)
                src, params = c.source(join)
                with conn.cursor(name="cm_records") as keys, conn.cursor() as cur:
                    keys.itersize = 2000
                    keys.execute(f"SELECT x.key, {rank} AS r {src} ORDER BY {order}", (*rank_params, *params))
                    while True:
                        batch = [r[0] for r in keys.fetchmany(_RECORD_BATCH)]
                        if not batch:
                            break
                        found = {
                            key: (record, generated)
                            for key, record, generated in cur.execute(
                                "SELECT key, record, generated FROM cables WHERE key = ANY(%s)", (batch,)
                            )
                        }
                        for key in batch:
                            if key in found:
                                record, generated = found[key]
                                data = jsonio.loads(record)
                                if generated:
                                    data["generated"] = True
                                yield data
        except self.psycopg.Error as exc:
            raise StoreError(f"cannot read {self.where}: {exc}") from None
        finally:
            conn.close()

    def iter_ids(self: "PostgresStore") -> Iterator[tuple[str, str | None]]:
        # Pages by id, so no transaction stays open while the caller works.
        last = ""
        while True:
            with self._reading(snapshot=False) as conn:
                rows = conn.execute(
                    "SELECT c.id, coalesce(x.released, x.created) FROM cables c JOIN facts x ON x.key = c.key "
                    "WHERE c.id > %s ORDER BY c.id LIMIT %s",
                    (last, _IDS_BATCH),
                ).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]
