"""Read a store's database directly: what was written, not what the store says.

``location`` is a SQLite file path or a postgresql:// store URL (``?schema=``); the
SQL must be valid on the backend it is sent to (plain SELECTs are on both; booleans
come back as 0/1 from SQLite and False/True from PostgreSQL, which compare equal).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

# The tables both backends have, by the same names (their columns differ a little).
COMMON_TABLES = ("cables", "facts", "labels", "versions", "refs", "tags", "captions", "paragraphs", "quarantine",
                 "imports")


def _is_pg(location: Any) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))


def _pg(location: Any) -> Any:
    from cablemirror.store.pg_conn import parse_url

    import psycopg

    target = parse_url(str(location))
    return psycopg.connect(target.conninfo, autocommit=True, **target.connect_kwargs(readonly=False))


def rows(location: Path | str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if _is_pg(location):
        with _pg(location) as conn:
            cur = conn.execute(sql.replace("?", "%s"), params)
            return cur.fetchall() if cur.description is not None else []
    conn = sqlite3.connect(f"file:{location}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def snapshot(location: Path | str) -> dict[str, list[Any]]:
    """Every row of every table (the FTS shadow tables included in SQLite; meta aside in
    PostgreSQL, where its generation counts writes), to compare states."""
    if _is_pg(location):
        with _pg(location) as conn:
            names = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'meta'")]
            return {n: sorted(r[0] for r in conn.execute(f"SELECT t::text FROM {n} t")) for n in names}
    conn = sqlite3.connect(f"file:{location}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            if r[0] != "cables_fts"
        ]
        return {n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}
    finally:
        conn.close()


def check_search_index(location: Path | str) -> None:
    """The full-text index agrees with the stored records (raises AssertionError or a
    database error otherwise): FTS5's integrity check in SQLite; in PostgreSQL, every
    cable's document equals the one its record gives, and the GIN index is there."""
    if not _is_pg(location):
        conn = sqlite3.connect(location)
        try:
            conn.execute("INSERT INTO cables_fts(cables_fts, rank) VALUES ('integrity-check', 1)")
        finally:
            conn.close()
        return
    from cablemirror.store.pg_text import DOC_SQL, document

    with _pg(location) as conn:
        docs = conn.execute("SELECT c.key, c.title, c.subject, c.tags, c.record::json ->> 'body' FROM cables c "
                            "ORDER BY c.key").fetchall()
        parts = [document(t, s, g.split(), b or "") for _, t, s, g, b in docs]
        wrong = conn.execute(
            f"SELECT u.k FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) AS u(k, a, b, t, d) "
            f"LEFT JOIN facts f ON f.key = u.k WHERE f.doc IS DISTINCT FROM {DOC_SQL.format('u.a', 'u.b', 'u.t', 'u.d')}",
            ([k for k, *_ in docs], *([p[i] for p in parts] for i in range(4))),
        ).fetchall()
        assert wrong == [], f"documents out of step with their records: {wrong[:5]}"
        n_facts, n_cables, index = conn.execute(
            "SELECT (SELECT count(*) FROM facts), (SELECT count(*) FROM cables), to_regclass('facts_doc') IS NOT NULL"
        ).fetchone()
        assert n_facts == n_cables and index, (n_facts, n_cables, index)
