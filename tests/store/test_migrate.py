"""Upgrading a store of schema 1 (as the previous cablemirror wrote it) in place.

The schema-1 file is built from the frozen schema-1 DDL (``data/schema_v1.sql``) and
the rows a schema-1 store held, copied from a fresh store of the same records; the
upgraded file must then hold what the fresh store holds and answer queries alike.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from cablemirror.store import StoreError, open_store
from cablemirror.store.sqlite import APPLICATION_ID, SCHEMA_VERSION

from . import querydata

SCHEMA_V1 = Path(__file__).parent / "data" / "schema_v1.sql"
CORPUS = querydata.build(n=120, seed=3)


def _fresh(path: Path) -> Path:
    with open_store(str(path)) as s:
        for i in range(0, len(CORPUS.pairs), 30):
            s.store_batch(CORPUS.pairs[i : i + 30])
    return path


def _make_v1(fresh: Path, path: Path) -> Path:
    """A schema-1 store holding what the old code stored for the same records."""
    db = sqlite3.connect(path, isolation_level=None)
    # Schema 1 held the record as JSON text; the fresh store holds it compressed, body apart.
    db.create_function("inflate", 1, lambda z: zlib.decompress(z).decode("utf-8"), deterministic=True)
    try:
        db.executescript(SCHEMA_V1.read_text("utf-8"))
        db.execute(f"ATTACH DATABASE '{fresh}' AS new")
        db.executescript(
            """
            BEGIN;
            INSERT INTO meta SELECT key, value FROM new.meta WHERE key != 'generation';
            UPDATE meta SET value = '1' WHERE key = 'schema_version';
            INSERT INTO cables SELECT key, id, version_id, n_versions, format, created, released, year, month, day,
                origin, classification, subject, title, tags, partial, has_header, n_paragraphs, n_references,
                redactions, body_length, json_set(inflate(record_z), '$.body', body) FROM new.cables;
            INSERT INTO versions SELECT * FROM new.versions;
            INSERT INTO refs SELECT src, position, bullet, value, kind, dst FROM new.refs;
            INSERT INTO tags SELECT c.id, j.key, j.value FROM new.cables c, json_each(inflate(c.record_z), '$.tags') j;
            INSERT INTO paragraphs SELECT * FROM new.paragraphs;
            COMMIT;
            """
        )
        db.execute("DETACH DATABASE new")
        db.execute("INSERT INTO cables_fts(cables_fts) VALUES ('rebuild')")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 1")
    finally:
        db.close()
    return path


def _dump(path: Path) -> dict[str, object]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        objects = sorted(db.execute(
            "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall())
        columns = {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")]
                   for (kind, t, _) in objects if kind == "table"}
        q = lambda sql: sorted(db.execute(sql).fetchall(), key=repr)  # noqa: E731
        return {
            "objects": objects,
            "columns": columns,
            "version": db.execute("PRAGMA user_version").fetchone()[0],
            "meta": q("SELECT key, value FROM meta WHERE key IN ('schema_version', 'generation', 'search_index')"),
            "cables": q("SELECT id, canon, generated FROM cables"),
            "facts": q("SELECT f.key, f.created, f.released, f.year, lo.value, lc.value, f.generated FROM facts f "
                       "LEFT JOIN labels lo ON lo.label_id = f.origin LEFT JOIN labels lc ON lc.label_id = f.class"),
            "labels": q("SELECT kind, value, norm FROM labels"),
            "tags": q("SELECT key, tag, position FROM tags"),
            "captions": q("SELECT key, caption FROM captions"),
            "refs": q("SELECT * FROM refs"),
            "totals": q("SELECT * FROM totals"),
            "fts": q("SELECT rowid FROM cables_fts WHERE cables_fts MATCH 'pgov OR " + CORPUS.words[0] + "'"),
        }
    finally:
        db.close()


def test_a_schema_1_store_is_upgraded_in_place(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fresh = _fresh(tmp_path / "fresh.db")
    old = _make_v1(fresh, tmp_path / "old.db")
    assert sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == 1
    with caplog.at_level(logging.WARNING, logger="cablemirror.store.sqlite"):
        with open_store(str(old)) as s:
            assert s.stats()["cables"] == len(CORPUS.pairs)
    assert f"from schema 1 to {SCHEMA_VERSION}" in caplog.text and "upgraded" in caplog.text
    got, want = _dump(old), _dump(fresh)
    got["meta"] = [m for m in got["meta"] if m[0] != "generation"]  # type: ignore[union-attr]
    want["meta"] = [m for m in want["meta"] if m[0] != "generation"]  # type: ignore[union-attr]
    assert got == want
    assert want["version"] == SCHEMA_VERSION

    # The upgraded store answers like the fresh one, and keeps taking records.
    with open_store(str(old), readonly=True) as a, open_store(str(fresh), readonly=True) as b:
        for q in ("", "tag:PGOV", "origin:almaty", CORPUS.words[0], "ref:02ALMATY999", "class:secret", "id:0*"):
            pa, pb = a.query(q, limit=500), b.query(q, limit=500)
            assert (pa.total, pa.hits, pa.facets) == (pb.total, pb.hits, pb.facets), q
        assert a.references("05ALMATY9001") == b.references("05ALMATY9001")
        assert a.get_cable("06STATE7777") == b.get_cable("06STATE7777")
    from .factories import make_pair

    with open_store(str(old)) as s:
        s.store_batch([make_pair("09ALMATY424242", origin="Embassy Newplace")])
        assert s.counts("origin")[-1] == ("Embassy Newplace", 1)


def _as_schema_3(path: Path) -> None:
    """Turn a fresh store into what schema 3 held: the whole record as JSON text."""
    db = sqlite3.connect(path, isolation_level=None)
    db.create_function("inflate", 1, lambda z: zlib.decompress(z).decode("utf-8"), deterministic=True)
    try:
        db.executescript(
            """
            BEGIN;
            DROP VIEW cables_fts_content;
            ALTER TABLE cables RENAME COLUMN record_z TO record;
            UPDATE cables SET record = json_set(inflate(record), '$.body', body);
            ALTER TABLE cables DROP COLUMN body;
            CREATE VIEW cables_fts_content AS
                SELECT key, title, subject, json_extract(record, '$.body') AS body, tags FROM cables;
            PRAGMA user_version = 3;
            COMMIT;
            """
        )
    finally:
        db.close()


def test_a_schema_3_store_keeps_its_records_apart_from_their_bodies(tmp_path: Path) -> None:
    fresh = _fresh(tmp_path / "fresh.db")
    old = tmp_path / "v3.db"
    shutil.copy(fresh, old)
    _as_schema_3(old)
    assert sqlite3.connect(old).execute("SELECT typeof(record) FROM cables LIMIT 1").fetchone() == ("text",)
    with open_store(str(old)) as s, open_store(str(fresh), readonly=True) as f:
        for _, cable in CORPUS.pairs[:40]:
            got = s.get_cable(cable.id)
            assert got == f.get_cable(cable.id) and list(got) == list(cable.to_dict())  # same keys, same order
            assert s.get_versions(cable.id) == f.get_versions(cable.id)
        word = CORPUS.words[0]
        assert [h.snippet for h in s.query(word, limit=50).hits] == [h.snippet for h in f.query(word, limit=50).hits]
    got, want = _dump(old), _dump(fresh)
    assert {k: v for k, v in got.items() if k != "meta"} == {k: v for k, v in want.items() if k != "meta"}
    bodies = "SELECT key, body, length(record_z) > 0 FROM cables ORDER BY key"
    assert sqlite3.connect(old).execute(bodies).fetchall() == sqlite3.connect(fresh).execute(bodies).fetchall()
    _check_index(old)


def _check_index(path: Path) -> None:
    db = sqlite3.connect(path)  # a plain connection: the index's content is plain SQL
    try:
        db.execute("INSERT INTO cables_fts(cables_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        db.close()


def test_a_schema_2_store_gets_its_totals(tmp_path: Path) -> None:
    fresh = _fresh(tmp_path / "fresh.db")
    old = tmp_path / "v2.db"
    shutil.copy(fresh, old)
    _as_schema_3(old)
    db = sqlite3.connect(old)
    db.execute("DROP TABLE totals")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with open_store(str(old)):
        pass
    assert _dump(old)["totals"] == _dump(fresh)["totals"]
    assert len(_dump(old)["totals"]) > 20  # type: ignore[arg-type]


def test_opening_twice_upgrades_once(tmp_path: Path) -> None:
    old = _make_v1(_fresh(tmp_path / "fresh.db"), tmp_path / "old.db")
    with open_store(str(old)):
        pass
    before = _dump(old)
    with open_store(str(old)):
        pass
    assert _dump(old) == before


def test_a_read_only_open_of_an_old_store_says_how_to_upgrade(tmp_path: Path) -> None:
    old = _make_v1(_fresh(tmp_path / "fresh.db"), tmp_path / "old.db")
    copy = tmp_path / "copy.db"
    shutil.copy(old, copy)
    with pytest.raises(StoreError, match="older cablemirror.*schema 1.*cablemirror upgrade --db"):
        open_store(str(copy), readonly=True)
    assert sqlite3.connect(copy).execute("PRAGMA user_version").fetchone()[0] == 1  # untouched


def test_a_failed_upgrade_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cablemirror.store import migrate

    old = _make_v1(_fresh(tmp_path / "fresh.db"), tmp_path / "old.db")
    before = sqlite3.connect(old).execute("SELECT count(*), sum(length(record)) FROM cables").fetchone()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE cables ADD COLUMN canon TEXT")
        conn.execute("SELECT no_such_function()")

    monkeypatch.setitem(migrate.STEPS, 1, broken)
    with pytest.raises(StoreError, match="cannot upgrade.*unchanged"):
        open_store(str(old))
    db = sqlite3.connect(old)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "canon" not in [r[1] for r in db.execute("PRAGMA table_info(cables)")]
    assert db.execute("SELECT count(*), sum(length(record)) FROM cables").fetchone() == before
