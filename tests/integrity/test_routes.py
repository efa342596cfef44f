"""The integrity routes: /manifest.txt, /manifest.json, /cable/{id}/proof.json."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.testclient import TestClient

from cablemirror.cli import main
from cablemirror.integrity.merkle import ProofStep, verify_proof
from cablemirror.model import sha256_hex
from cablemirror.store import StoreError, open_store
from cablemirror.web import integrity_routes
from cablemirror.web.integrity_routes import TTL_ENV, ManifestCache, cable_proof, manifest_cache

from .conftest import DEMO_COUNT, DemoStore


@contextmanager
def make_app(db: Path) -> Iterator[tuple[Starlette, TestClient]]:
    """The routes alone over a read-only store, as the site's app will hold them."""
    store = open_store(db, readonly=True)
    app = Starlette(routes=integrity_routes.routes)
    app.state.store = store
    try:
        with TestClient(app, follow_redirects=False) as client:
            yield app, client
    finally:
        store.close()


@pytest.fixture
def client(demo: DemoStore) -> Iterator[TestClient]:
    with make_app(demo.db) as (_, client):
        yield client


def test_manifest_txt_is_the_cli_manifest(client: TestClient, demo: DemoStore) -> None:
    r = client.get("/manifest.txt")
    assert r.status_code == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
    cli = CliRunner().invoke(main, ["manifest", "--db", str(demo.db)])
    assert r.content == cli.stdout_bytes
    root = r.headers["x-manifest-root"]
    assert r.headers["etag"] == f'"{root}"' and f"# root: {root}\n" in r.text
    assert client.get("/manifest.txt", headers={"If-None-Match": f'"{root}"'}).status_code == 304
    assert client.get("/manifest.txt", headers={"If-None-Match": '"other"'}).status_code == 200


def test_manifest_json_says_root_count_and_algorithm(client: TestClient) -> None:
    doc = client.get("/manifest.json").json()
    assert doc["count"] == DEMO_COUNT and len(doc["root"]) == 64
    assert doc["algorithm"].startswith("sha256-merkle") and doc["manifest"] == "/manifest.txt"
    assert doc["fields"] == ["id", "sha256", "format", "source", "offset", "length"]
    assert doc["root"] == client.get("/manifest.txt").headers["x-manifest-root"]


def test_every_cable_proof_checks_out_against_the_published_root(client: TestClient, demo: DemoStore) -> None:
    root = client.get("/manifest.json").json()["root"]
    with open_store(demo.db, readonly=True) as store:
        for cid, _ in store.iter_ids():
            doc = client.get(f"/cable/{cid}/proof.json").json()
            assert doc["id"] == cid and doc["root"] == root and doc["tree_size"] == DEMO_COUNT
            (v,) = doc["versions"]
            assert v["current"] and v["version"] == 1
            proof = v["proof"]
            assert verify_proof(proof["line"], [ProofStep.from_dict(s) for s in proof["path"]], root)
            # The line's hash is the hash of the bytes the mirror serves for the record.
            assert proof["sha256"] == v["sha256"] == sha256_hex(store.get_raw(cid, v["version_id"]))


def test_unknown_and_other_spellings(client: TestClient, demo: DemoStore) -> None:
    r = client.get("/cable/99NOWHERE1/proof.json")
    assert r.status_code == 404 and r.json()["error"] == "not found"
    cid = demo.versions()[0][1]
    r = client.get(f"/cable/{cid.lower()}/proof.json")
    assert r.status_code == 301 and r.headers["location"] == f"/cable/{cid}/proof.json"


def test_versions_newer_than_the_manifest_are_listed_without_proof(
    demo: DemoStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cablemirror.ingest import import_paths

    with make_app(demo.db) as (_, client):
        before = client.get("/manifest.json").json()
        # The same cable id again, from other bytes: a second version, imported later.
        cid = demo.versions()[0][1]
        with open_store(demo.db) as store:
            (v,) = store.get_versions(cid)
        source = demo.csv.read_bytes()[v["offset"] : v["offset"] + v["length"]]
        changed = tmp_path / "second-release.csv"
        changed.write_bytes(source.replace(b"GENERATED DEMO DATA", b"GENERATED DEMO DATA, AGAIN", 1))
        with open_store(demo.db) as store:
            assert import_paths(store, [changed]).updated == 1
        doc = client.get(f"/cable/{cid}/proof.json").json()
        assert doc["root"] == before["root"]  # still the manifest built before
        assert [x["proof"] is None for x in doc["versions"]] == [False, True]
        assert "next one" in doc["versions"][1]["note"]
    # A new app (or the TTL running out) builds a new manifest that has it.
    monkeypatch.setenv(TTL_ENV, "0")
    with make_app(demo.db) as (app, client):
        doc = client.get(f"/cable/{cid}/proof.json").json()
        assert doc["root"] != before["root"] and doc["tree_size"] == DEMO_COUNT + 1
        assert all(x["proof"] for x in doc["versions"])
        assert cable_proof(app, "99NOWHERE1") is None


class GatedStore:
    """A store whose listing waits for a gate: a manifest build that takes its time."""

    def __init__(self, store: Any, gate: threading.Event) -> None:
        self.store, self.gate, self.entered = store, gate, threading.Event()

    def iter_ids(self) -> Iterator[tuple[str, str | None]]:
        self.entered.set()
        assert self.gate.wait(10)
        yield from self.store.iter_ids()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_while_the_first_manifest_is_built_requests_get_503(demo: DemoStore) -> None:
    with make_app(demo.db) as (app, client):
        gate = threading.Event()
        app.state.store = GatedStore(app.state.store, gate)
        cache = manifest_cache(app)
        cache.wait = 0.05
        builder = threading.Thread(target=cache.get)
        builder.start()
        assert app.state.store.entered.wait(5)
        for url in ("/manifest.txt", "/manifest.json", f"/cable/{demo.versions()[0][1]}/proof.json"):
            r = client.get(url)
            assert r.status_code == 503 and r.headers["retry-after"] and r.json()["error"] == "not ready"
        gate.set()
        builder.join(10)
        assert client.get("/manifest.json").json()["count"] == DEMO_COUNT


def test_a_stale_manifest_is_served_while_the_next_one_is_built(demo: DemoStore) -> None:
    store = open_store(demo.db, readonly=True)
    try:
        gate = threading.Event()
        gated = GatedStore(store, gate)
        gate.set()
        cache = ManifestCache(gated, ttl=0.0, wait=0.05)  # type: ignore[arg-type]
        first = cache.get()
        gate.clear()
        gated.entered.clear()
        got: list[Any] = []
        builder = threading.Thread(target=lambda: got.append(cache.get()))
        builder.start()
        assert gated.entered.wait(5)
        assert cache.get() is first  # not blocked by the rebuild
        gate.set()
        builder.join(10)
        assert got[0] is not first and got[0].root == first.root
    finally:
        store.close()


def test_a_store_that_fails_is_a_503_not_a_crash(demo: DemoStore) -> None:
    class Failing(GatedStore):
        def iter_ids(self) -> Iterator[tuple[str, str | None]]:
            raise StoreError("cannot read demo.db: disk I/O error")

    with make_app(demo.db) as (app, client):
        app.state.store = Failing(app.state.store, threading.Event())
        r = client.get("/manifest.json")
        assert r.status_code == 503 and "disk I/O error" in r.json()["detail"]
        r = client.get(f"/cable/{demo.versions()[0][1]}/proof.json")
        assert r.status_code == 503
