"""Upgrading an SQLite store written by an older cablemirror, in place.

Each step takes the file from schema N to N+1 inside the caller's write transaction
(a failed upgrade leaves the file as it was).  The values it fills come from the
same functions the write path uses (``derived.py``), registered as SQL functions, so
an upgraded store holds what a fresh import of the same records would.

Schema 2 (this version's query engine) adds:

- ``cables.canon`` (canonical id) and ``cables.generated`` (demo data mark);
- ``refs.dst_key`` (canonical id of a cited cable), indexed with the citing id;
- ``tags`` keyed by cable key with query-normalised tags, and ``captions``;
- ``facts`` (the narrow per-cable row queries filter, sort and facet on) and
  ``labels`` (distinct origins and classifications with what queries compare);
- ``meta.generation``; the indexes of the wide ``cables`` rows that ``facts`` replaces
  are dropped.

Schema 3 adds ``totals``: the facet counts of the whole collection, kept by writes.

Schema 4 keeps the current record as ``records.py`` describes: ``cables.body`` (plain
text, what the full-text index reads) and ``cables.record_z`` (the rest, compressed;
``record`` is renamed).  The file keeps its size until a ``VACUUM``; the records take
about 40% less room.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

from . import derived, records

# Statements shared with the fresh schema, for the tables schema 2 creates.
_V2_TABLES = """
CREATE TABLE facts (
    key       INTEGER PRIMARY KEY,
    created   TEXT,
    released  TEXT,
    year      INTEGER,
    origin    INTEGER,
    class     INTEGER,
    generated INTEGER NOT NULL
);
CREATE TABLE labels (
    label_id INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    norm     TEXT NOT NULL,
    UNIQUE (kind, value)
);
CREATE TABLE captions (
    key      INTEGER NOT NULL,
    caption  TEXT NOT NULL,
    PRIMARY KEY (key, caption)
) WITHOUT ROWID;
"""

_V2_INDEXES = """
CREATE INDEX cables_canon ON cables(canon);
CREATE INDEX facts_created ON facts(created);
CREATE INDEX facts_released ON facts(released, created);
CREATE INDEX facts_origin ON facts(origin, created);
CREATE INDEX facts_class ON facts(class, created);
CREATE INDEX facts_groups ON facts(year, origin, class);
CREATE INDEX facts_generated ON facts(key) WHERE generated;
CREATE INDEX refs_dst_key ON refs(dst_key, src) WHERE dst_key IS NOT NULL;
CREATE INDEX tags_tag ON tags(tag);
CREATE INDEX captions_caption ON captions(caption);
"""


def register_functions(conn: sqlite3.Connection) -> None:
    """The derived values as SQL functions (``cm_*``), for migrations."""
    conn.create_function("cm_id_key", 1, derived.id_key, deterministic=True)
    conn.create_function("cm_keyword", 1, derived.keyword, deterministic=True)
    conn.create_function("cm_origin_words", 1, derived.origin_words, deterministic=True)
    conn.create_function("cm_class_key", 1, derived.class_key, deterministic=True)
    conn.create_function("cm_is_generated", 1, lambda b: int(derived.is_generated(b)), deterministic=True)
    conn.create_function("cm_deflate", 1, records.deflate, deterministic=True)


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run the statements of ``script`` one by one inside the current transaction
    (``executescript`` would commit it first)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in script: {pending.strip()[:80]!r}")


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    run_script(conn, 
        """
        ALTER TABLE cables ADD COLUMN canon TEXT NOT NULL DEFAULT '';
        ALTER TABLE cables ADD COLUMN generated INTEGER NOT NULL DEFAULT 0;
        UPDATE cables SET canon = cm_id_key(id);
        -- instr() first: only bodies that hold the mark at all are parsed out of the JSON.
        UPDATE cables SET generated = 1
            WHERE instr(record, 'GENERATED DEMO DATA') > 0
              AND cm_is_generated(json_extract(record, '$.body'));
        DROP INDEX IF EXISTS cables_created;
        DROP INDEX IF EXISTS cables_year;
        DROP INDEX IF EXISTS cables_origin;
        DROP INDEX IF EXISTS cables_classification;

        ALTER TABLE refs ADD COLUMN dst_key TEXT;
        UPDATE refs SET dst_key = cm_id_key(dst) WHERE dst IS NOT NULL;
        DROP INDEX IF EXISTS refs_dst;

        ALTER TABLE tags RENAME TO tags_v1;
        DROP INDEX IF EXISTS tags_tag;
        CREATE TABLE tags (
            key      INTEGER NOT NULL,
            tag      TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (key, tag)
        ) WITHOUT ROWID;
        -- OR IGNORE keeps the first of tags that normalise alike, as the write path does.
        INSERT OR IGNORE INTO tags(key, tag, position)
            SELECT c.key, cm_keyword(t.tag), t.position FROM tags_v1 t JOIN cables c ON c.id = t.cable
            WHERE cm_keyword(t.tag) != '' ORDER BY c.key, t.position;
        DROP TABLE tags_v1;
        """
    )
    run_script(conn, _V2_TABLES)
    run_script(
        conn,
        """
        INSERT OR IGNORE INTO captions(key, caption)
            SELECT c.key, cm_keyword(j.value) FROM cables c, json_each(c.record, '$.captions') j
            WHERE j.type = 'text' AND cm_keyword(j.value) != '';
        INSERT INTO labels(kind, value, norm)
            SELECT DISTINCT 'origin', origin, cm_origin_words(origin) FROM cables WHERE origin IS NOT NULL;
        INSERT INTO labels(kind, value, norm)
            SELECT DISTINCT 'class', classification, cm_class_key(classification) FROM cables
            WHERE classification IS NOT NULL;
        INSERT INTO facts(key, created, released, year, origin, class, generated)
            SELECT c.key, c.created, c.released, c.year, lo.label_id, lc.label_id, c.generated
            FROM cables c
            LEFT JOIN labels lo ON lo.kind = 'origin' AND lo.value = c.origin
            LEFT JOIN labels lc ON lc.kind = 'class' AND lc.value = c.classification;
        INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', '0');
        """
    )
    run_script(conn, _V2_INDEXES)


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE totals (
            facet TEXT NOT NULL,
            value TEXT NOT NULL,
            n     INTEGER NOT NULL,
            PRIMARY KEY (facet, value)
        ) WITHOUT ROWID;
        INSERT INTO totals SELECT 'cables', '', count(*) FROM facts HAVING count(*) > 0;
        INSERT INTO totals SELECT 'year', CAST(year AS TEXT), count(*) FROM facts WHERE year IS NOT NULL GROUP BY year;
        INSERT INTO totals SELECT 'origin', l.value, count(*) FROM facts f JOIN labels l ON l.label_id = f.origin
            GROUP BY l.value;
        INSERT INTO totals SELECT 'classification', l.value, count(*) FROM facts f JOIN labels l ON l.label_id = f.class
            GROUP BY l.value;
        INSERT INTO totals SELECT 'tag', tag, count(*) FROM tags GROUP BY tag;
        """,
    )


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        DROP VIEW cables_fts_content;
        ALTER TABLE cables ADD COLUMN body TEXT NOT NULL DEFAULT '';
        -- json_set replaces the value in place: the keys keep their order.
        UPDATE cables SET body = coalesce(json_extract(record, '$.body'), ''),
                          record = cm_deflate(json_set(record, '$.body', ''));
        ALTER TABLE cables RENAME COLUMN record TO record_z;
        CREATE VIEW cables_fts_content AS SELECT key, title, subject, body, tags FROM cables;
        """,
    )


# from-version -> the step to the next version
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def upgrade(conn: sqlite3.Connection, version: int, target: int) -> None:
    """Run the steps from ``version`` to ``target`` on ``conn`` (inside a transaction the
    caller opened and commits), and set ``user_version`` and ``meta.schema_version``."""
    register_functions(conn)
    for v in range(version, target):
        STEPS[v](conn)
    conn.execute(f"PRAGMA user_version = {int(target)}")
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(target),))
