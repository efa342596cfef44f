"""Opening PostgreSQL stores: URLs, schemas, versions, and every way a --db can be wrong."""

from __future__ import annotations

import builtins
import socket
import threading
from typing import Any

import pytest

from cablemirror.store import StoreError, open_store, resolve_db
from cablemirror.store import pg_schema as schema_mod
from cablemirror.store.pg_conn import parse_url

from ..store.factories import make_pair
from .conftest import server_url, with_schema

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ URLs (no server needed)


def test_url_parameters_of_cablemirror_are_not_given_to_libpq() -> None:
    pytest.importorskip("psycopg")
    t = parse_url("postgresql://me:s3cret@db.example.org:6543/cables?schema=mirror&pool_size=4&sslmode=require")
    assert (t.schema, t.pool_size) == ("mirror", 4)
    assert t.params == {
        "user": "me", "password": "s3cret", "host": "db.example.org", "port": "6543", "dbname": "cables",
        "sslmode": "require",
    }
    assert "schema" not in t.conninfo and "pool_size" not in t.conninfo
    assert t.shown == "postgresql://me:***@db.example.org:6543/cables?schema=mirror&pool_size=4&sslmode=require"
    assert t.connect_kwargs(readonly=True)["options"] == (
        "-c jit=off -c search_path=mirror -c default_transaction_read_only=on")
    assert parse_url("postgresql:///cables").connect_kwargs(readonly=False)["options"] == "-c jit=off"
    # libpq's own options survive, spaces and all.
    t = parse_url("postgresql://h/db?options=-c%20work_mem%3D8MB&schema=s")
    assert t.params["options"] == "-c work_mem=8MB"
    assert t.connect_kwargs(readonly=False)["options"] == "-c work_mem=8MB -c jit=off -c search_path=s"


@pytest.mark.parametrize(
    "url, message",
    [
        ("postgresql://h/db?schema=bad-name", "bad schema name"),
        ("postgresql://h/db?schema=1abc", "bad schema name"),
        ("postgresql://h/db?pool_size=0", "bad pool_size"),
        ("postgresql://h/db?pool_size=many", "bad pool_size"),
        ("postgresql://h/db?no_such_libpq_option=1", "cannot read the database URL"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError, match=message):
        open_store(url)


def test_password_is_hidden_in_messages() -> None:
    pytest.importorskip("psycopg")
    url = f"postgresql://someone:topsecret@127.0.0.1:{_free_port()}/db?connect_timeout=2"
    with pytest.raises(StoreError) as err:
        open_store(url)
    assert "topsecret" not in str(err.value) and "someone:***@" in str(err.value)
    assert resolve_db(url) == url.replace("topsecret", "***")


def test_without_psycopg_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_psycopg(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in ("psycopg", "psycopg_pool"):
            raise ImportError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    with pytest.raises(StoreError, match=r"install cablemirror\[postgres\]"):
        open_store("postgresql://localhost/db")


# ------------------------------------------------------------------ the server says no


def test_connection_refused_names_the_server_and_what_to_do() -> None:
    pytest.importorskip("psycopg")
    port = _free_port()
    with pytest.raises(StoreError, match=rf"cannot reach the PostgreSQL server at 127.0.0.1:{port}.*pg_isready"):
        open_store(f"postgresql://postgres@127.0.0.1:{port}/test")


def test_missing_database_says_how_to_create_it() -> None:
    base = server_url().split("?")[0].rsplit("/", 1)[0]
    with pytest.raises(StoreError, match="the database 'cablemirror_no_such_db' does not exist.*createdb"):
        open_store(f"{base}/cablemirror_no_such_db")


def test_unknown_role_is_a_login_error() -> None:
    url = server_url()
    head, _, tail = url.partition("://")
    rest = tail.split("@", 1)[-1]
    with pytest.raises(StoreError, match="refused the login"):
        open_store(f"{head}://cablemirror_no_such_role@{rest}")


# ------------------------------------------------------------------ schemas


def test_new_schema_is_created_with_meta(pg_url: str, rows: Any) -> None:
    with open_store(pg_url) as s:
        assert s.stats()["cables"] == 0
    meta = dict(rows("SELECT key, value FROM meta"))
    assert meta["application"] == "cablemirror"
    assert meta["schema_version"] == str(schema_mod.SCHEMA_VERSION)
    assert meta["search_index"] == "ok" and meta["generation"] == "0"
    tables = {r[0] for r in rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    assert set(schema_mod.TABLES) <= tables


def test_reopen_keeps_everything(pg_url: str) -> None:
    s = open_store(pg_url)
    s.store_batch([make_pair("09KEEP1"), make_pair("09KEEP2")])
    s.set_import_checkpoint("/data/a.csv", "fp1", 1234)
    s.close()
    s.close()  # closing twice is harmless
    with pytest.raises(StoreError, match="is closed"):
        s.get_cable("09KEEP1")
    with open_store(pg_url) as again:
        assert again.stats()["cables"] == 2
        assert again.import_checkpoint("/data/a.csv", "fp1") == 1234
        assert again.import_checkpoint("/data/a.csv", "other") is None
        assert again.store_batch([make_pair("09KEEP1")])[0].status == "unchanged"


def test_readonly_needs_an_existing_store(pg_url: str, pg_admin: Any, pg_schema: str) -> None:
    with pytest.raises(StoreError, match="no cablemirror database at"):
        open_store(pg_url, readonly=True)
    assert pg_admin.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (pg_schema,)).fetchone() is None
    pg_admin.execute(f'CREATE SCHEMA "{pg_schema}"')
    with pytest.raises(StoreError, match="is empty.*cablemirror import"):
        open_store(pg_url, readonly=True)


def test_readonly_refuses_writes_and_its_sessions_are_read_only(pg_url: str) -> None:
    with open_store(pg_url) as s:
        s.store_batch([make_pair("09RO1")])
    with open_store(pg_url, readonly=True) as ro:
        assert ro.get_cable("09RO1")["id"] == "09RO1"
        from cablemirror.model import Quarantined

        raw, _ = make_pair("09RO2")
        for write in (
            lambda: ro.store_batch([make_pair("09RO2")]),
            lambda: ro.quarantine_batch([Quarantined(raw.raw, raw.provenance, "why")]),
            lambda: ro.set_import_checkpoint("/x", "fp", 10),
            lambda: ro.rebuild_search_index(),
        ):
            with pytest.raises(StoreError, match="opened read-only: cannot write"):
                write()
        # Even code that skipped the check could not write: the session itself is read-only.
        conn = ro.connect()  # type: ignore[attr-defined]
        try:
            import psycopg

            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute("DELETE FROM cables")
        finally:
            conn.close()
    with open_store(pg_url, readonly=True) as ro:
        assert ro.stats()["cables"] == 1


def test_tables_of_another_application_are_refused(pg_url: str, pg_admin: Any, pg_schema: str) -> None:
    pg_admin.execute(f'CREATE SCHEMA "{pg_schema}"')
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".cables (name text)')
    for readonly in (False, True):
        with pytest.raises(StoreError, match="not a cablemirror database.*cables"):
            open_store(pg_url, readonly=readonly)
    pg_admin.execute(f'DROP TABLE "{pg_schema}".cables')
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".meta (key text, value text)')
    pg_admin.execute(f"INSERT INTO \"{pg_schema}\".meta VALUES ('application', 'someone else')")
    with pytest.raises(StoreError, match="meta table of another application"):
        open_store(pg_url)
    # Untouched.
    assert pg_admin.execute(f'SELECT count(*) FROM "{pg_schema}".meta').fetchone() == (1,)


def test_unrelated_tables_beside_the_store_are_fine(pg_url: str, pg_admin: Any, pg_schema: str) -> None:
    pg_admin.execute(f'CREATE SCHEMA "{pg_schema}"')
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".customers (name text)')
    with open_store(pg_url) as s:
        s.store_batch([make_pair("09SIDE1")])
        assert s.stats()["cables"] == 1


def test_newer_schema_is_refused(pg_url: str, rows: Any) -> None:
    open_store(pg_url).close()
    rows("UPDATE meta SET value = %s WHERE key = 'schema_version' RETURNING 1", (str(schema_mod.SCHEMA_VERSION + 1),))
    for readonly in (False, True):
        with pytest.raises(StoreError, match="database is newer than this version"):
            open_store(pg_url, readonly=readonly)


def test_older_schema_is_upgraded_in_place_once(pg_url: str, rows: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The upgrade machinery, with a made-up step from the current version to the next."""
    with open_store(pg_url) as s:
        s.store_batch([make_pair("09UP1")])
    calls: list[int] = []

    def step(conn: Any) -> None:
        calls.append(1)
        conn.execute("ALTER TABLE cables ADD COLUMN upgraded boolean NOT NULL DEFAULT true")

    current = schema_mod.SCHEMA_VERSION
    monkeypatch.setattr(schema_mod, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(schema_mod.STEPS, current, step)
    with pytest.raises(StoreError, match="older cablemirror.*read-only"):
        open_store(pg_url, readonly=True)
    with open_store(pg_url) as s:
        assert s.get_cable("09UP1") is not None
    with open_store(pg_url) as s:  # upgraded once only
        assert s.stats()["cables"] == 1
    assert calls == [1]
    assert rows("SELECT value FROM meta WHERE key = 'schema_version'") == [(str(current + 1),)]
    assert rows("SELECT upgraded FROM cables") == [(True,)]


def test_failed_upgrade_leaves_the_store_as_it_was(pg_url: str, rows: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(pg_url) as s:
        s.store_batch([make_pair("09UPF1")])

    def broken(conn: Any) -> None:
        conn.execute("ALTER TABLE cables ADD COLUMN half_done integer")
        conn.execute("SELECT no_such_function()")

    current = schema_mod.SCHEMA_VERSION
    monkeypatch.setattr(schema_mod, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(schema_mod.STEPS, current, broken)
    with pytest.raises(StoreError, match="cannot open"):
        open_store(pg_url)
    assert rows("SELECT value FROM meta WHERE key = 'schema_version'") == [(str(current),)]
    assert rows("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND column_name = 'half_done'") == [(0,)]


def test_stores_created_at_the_same_time(pg_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def create(n: int) -> None:
        try:
            barrier.wait()
            with open_store(pg_url) as s:
                s.store_batch([make_pair(f"09RACE{n}")])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with open_store(pg_url, readonly=True) as s:
        assert s.stats()["cables"] == 4


def test_two_stores_in_two_schemas_of_one_database_are_apart(pg_url: str, pg_admin: Any) -> None:
    other = pg_url.rsplit("=", 1)[0] + "=" + pg_url.rsplit("=", 1)[1] + "_b"
    try:
        with open_store(pg_url) as a, open_store(other) as b:
            a.store_batch([make_pair("09APART1")])
            b.store_batch([make_pair("09APART2"), make_pair("09APART3")])
            assert a.stats()["cables"] == 1 and b.stats()["cables"] == 2
            assert a.get_cable("09APART2") is None
            assert a.search("fisheries").total == 1 and b.search("fisheries").total == 2
    finally:
        pg_admin.execute(f'DROP SCHEMA IF EXISTS "{other.rsplit("=", 1)[1]}" CASCADE')


def test_stats_say_where_and_how_big(pg_store: Any, pg_schema: str) -> None:
    pg_store.store_batch([make_pair("09ST1")])
    st = pg_store.stats()
    assert st["db_path"].startswith("postgresql://") and f"schema={pg_schema}" in st["db_path"]
    assert st["db_schema"] == pg_schema
    assert st["db_bytes"] > 0 and st["search_index"] == "ok"


def test_default_schema_is_the_search_path(pg_admin: Any, pg_schema: str) -> None:
    """Without ?schema= the store lives in the first schema of the search path."""
    pg_admin.execute(f'CREATE SCHEMA "{pg_schema}"')
    url = with_schema(server_url(), "x").rsplit("?schema=", 1)[0].rsplit("&schema=", 1)[0]
    sep = "&" if "?" in url else "?"
    with open_store(f"{url}{sep}options=-csearch_path%3D{pg_schema}") as s:
        s.store_batch([make_pair("09PATH1")])
        assert s.stats()["db_schema"] == pg_schema
