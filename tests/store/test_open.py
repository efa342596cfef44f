"""Opening stores: locations, URLs, and every way a --db can be wrong."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from cablemirror.store import DEFAULT_DB, ENV_VAR, StoreError, open_store, resolve_db
from cablemirror.store.sqlite import SCHEMA_VERSION

from .factories import make_pair
from .dbcheck import rows


def test_resolve_default_env_and_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert resolve_db(None) == str(tmp_path / DEFAULT_DB)
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env.db"))
    assert resolve_db(None) == str(tmp_path / "from-env.db")
    assert resolve_db("given.db") == str(tmp_path / "given.db")
    assert resolve_db("sqlite:///rel/x.db") == str(tmp_path / "rel" / "x.db")
    assert resolve_db("sqlite:////abs/x.db") == "/abs/x.db"
    assert resolve_db("postgresql://me:secret@host/db") == "postgresql://me:***@host/db"


def test_env_var_names_the_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.db"))
    with open_store() as s:
        s.store_batch([make_pair("09ENV1")])
    assert (tmp_path / "env.db").exists()
    with open_store(f"sqlite:///{tmp_path / 'env.db'}", readonly=True) as s:
        assert s.get_cable("09ENV1") is not None


def test_default_is_cablemirror_db_in_cwd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    open_store().close()
    assert (tmp_path / DEFAULT_DB).exists()


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgresql_urls_open_the_postgresql_backend(scheme: str) -> None:
    """(The PostgreSQL store itself: tests/store_pg, and every test here with a store.)"""
    pytest.importorskip("psycopg")
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreError, match=f"cannot reach the PostgreSQL server at 127.0.0.1:{port}"):
        open_store(f"{scheme}://someone:secret@127.0.0.1:{port}/db")


def test_unknown_url_scheme() -> None:
    with pytest.raises(StoreError, match="unsupported database URL"):
        open_store("mysql://localhost/db")


def test_memory_refused() -> None:
    with pytest.raises(StoreError, match="file path"):
        open_store(":memory:")


def test_text_file_is_not_a_store(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("This is a text file, not a database.\n" * 200)
    for readonly in (False, True):
        with pytest.raises(StoreError, match=f"not a cablemirror database: {p}"):
            open_store(str(p), readonly=readonly)
    assert p.read_text().startswith("This is a text file")  # untouched


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "other.db"
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.commit()
    conn.close()
    for readonly in (False, True):
        with pytest.raises(StoreError, match="not a cablemirror database: .*another application"):
            open_store(str(p), readonly=readonly)
    assert rows(p, "SELECT name FROM sqlite_master") == [("customers",)]


def test_newer_schema_is_refused(db_path: Path) -> None:
    open_store(str(db_path)).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="database is newer than this version"):
        open_store(str(db_path), readonly=True)


def test_directory_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        open_store(str(tmp_path))
    with pytest.raises(StoreError, match="does not exist"):
        open_store(str(tmp_path / "no" / "such" / "x.db"))


def test_readonly_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no cablemirror database at"):
        open_store(str(tmp_path / "absent.db"), readonly=True)
    assert not (tmp_path / "absent.db").exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(StoreError, match="the file is empty"):
        open_store(str(empty), readonly=True)


def test_empty_file_becomes_a_store(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    with open_store(str(empty)) as s:
        assert s.stats()["cables"] == 0
    assert rows(empty, "SELECT value FROM meta WHERE key = 'application'") == [("cablemirror",)]
    assert rows(empty, "PRAGMA journal_mode") == [("wal",)]


def test_readonly_refuses_writes(db_path: Path) -> None:
    with open_store(str(db_path)) as s:
        s.store_batch([make_pair("09RO1")])
    with open_store(str(db_path), readonly=True) as ro:
        assert ro.get_cable("09RO1")["id"] == "09RO1"
        from cablemirror.model import Quarantined

        raw, _ = make_pair("09RO2")
        for write in (
            lambda: ro.store_batch([make_pair("09RO2")]),
            lambda: ro.quarantine_batch([Quarantined(raw.raw, raw.provenance, "why")]),
            lambda: ro.set_import_checkpoint("/x", "fp", 10),
        ):
            with pytest.raises(StoreError, match="opened read-only: cannot write"):
                write()
    assert rows(db_path, "SELECT id FROM cables") == [("09RO1",)]


def test_reopen_after_close_keeps_everything(db_path: Path) -> None:
    s = open_store(str(db_path))
    s.store_batch([make_pair("09KEEP1"), make_pair("09KEEP2")])
    s.set_import_checkpoint("/data/a.csv", "fp1", 1234)
    s.close()
    s.close()  # closing twice is harmless
    with pytest.raises(StoreError, match="is closed"):
        s.get_cable("09KEEP1")
    with open_store(str(db_path)) as again:
        assert again.stats()["cables"] == 2
        assert again.import_checkpoint("/data/a.csv", "fp1") == 1234
        assert again.store_batch([make_pair("09KEEP1")])[0].status == "unchanged"


def test_read_only_file_system_permissions(db_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    open_store(str(db_path)).close()
    db_path.chmod(0o444)
    try:
        with open_store(str(db_path)) as s, pytest.raises(StoreError, match="cannot write"):
            s.store_batch([make_pair("09PERM1")])
    finally:
        db_path.chmod(0o644)


def test_odd_characters_in_the_path(tmp_path: Path) -> None:
    folder = tmp_path / "my cables #1 ?%20 é"
    folder.mkdir()
    p = folder / "store?.db"
    with open_store(str(p)) as s:
        s.store_batch([make_pair("09ODD1")])
    with open_store(str(p), readonly=True) as s:
        assert s.get_cable("09ODD1") is not None
    assert sorted(x.name for x in folder.iterdir() if x.name.endswith(".db")) == ["store?.db"]
