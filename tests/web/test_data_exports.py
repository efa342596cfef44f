"""/search.csv, /search.jsonl (whole result sets, streamed) and /search.pdf."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from pypdf import PdfReader

from cablemirror.export.dump import CSV_COLUMNS
from cablemirror.search import parse_query
from cablemirror.store import open_store
from cablemirror.web import exports

from .conftest import data_app


def _ids_of(store_path: Path, q: str, sort: str = "id") -> list[str]:
    with open_store(str(store_path), readonly=True) as store:
        return [r["id"] for r in store.iter_records(parse_query(q), sort=sort)]


def _busiest_tag(demo_store: Path) -> str:
    with open_store(str(demo_store), readonly=True) as store:
        return store.counts("tag")[0][0]


def test_csv_export_of_every_cable(demo_client, demo_store):
    r = demo_client.get("/search.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="search.csv"'
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = rows[1:]
    with open_store(str(demo_store), readonly=True) as store:
        records = {rec["id"]: rec for rec in store.iter_records()}
    assert len(body) == len(records) == 300  # bigger than any page (and than one chunk)
    assert [row[0] for row in body] == sorted(records)  # default sort: id
    for row in body:
        rec = records[row[0]]
        values = dict(zip(CSV_COLUMNS, row))
        assert values["subject"] == rec["subject"]
        assert values["title"] == rec["title"]
        assert values["created"] == (rec["created"] or "")
        assert (values["tags"].split("|") if values["tags"] else []) == rec["tags"]
        assert values["partial"] == ("true" if rec["partial"] else "false")
        cited = list(dict.fromkeys(x["id"] for x in rec["references"] if x["id"]))
        assert (values["references"].split("|") if values["references"] else []) == cited
        assert values["url"] == f"http://testserver/cable/{rec['id']}"


def test_jsonl_export_of_a_query(demo_client, demo_store):
    tag = _busiest_tag(demo_store)
    r = demo_client.get(f"/search.jsonl?q=tag:{tag}&sort=-date")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/x-ndjson"
    assert r.headers["content-disposition"].startswith('attachment; filename="search-tag_')
    lines = r.content.decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [rec["id"] for rec in records] == _ids_of(demo_store, f"tag:{tag}", "-date")
    assert all(tag in rec["tags"] for rec in records)
    with open_store(str(demo_store), readonly=True) as store:
        assert len(records) == store.query(f"tag:{tag}").total > 20
        assert records[0] == store.get_cable(records[0]["id"])


def test_exports_refuse_bad_queries_before_sending_anything(demo_client):
    for path in ("/search.csv", "/search.jsonl", "/search.pdf"):
        r = demo_client.get(path, params={"q": '"never closed'})
        assert r.status_code == 400
        body = r.json()
        assert body["error"] == "query_syntax" and body["column"] == 1 and body["detail"]
        r = demo_client.get(path, params={"sort": "sideways"})
        assert r.status_code == 422 and r.json()["parameter"] == "sort"
        r = demo_client.get(path, params={"q": "x" * 5000})
        assert r.status_code == 400


def test_empty_result_exports(demo_client):
    r = demo_client.get("/search.csv", params={"q": "zzzqqqxxyy"})
    assert r.status_code == 200
    assert list(csv.reader(io.StringIO(r.text))) == [list(CSV_COLUMNS)]
    r = demo_client.get("/search.jsonl", params={"q": "zzzqqqxxyy"})
    assert r.status_code == 200 and r.content == b""


class _CountingStore:
    """The real store, counting the records its exports have pulled."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.pulled = 0
        self.closed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def iter_records(self, q: Any = None, *, sort: str = "id") -> Iterator[dict]:
        try:
            for rec in self._store.iter_records(q, sort=sort):
                self.pulled += 1
                yield rec
        finally:
            self.closed = True


def _call(app: Any, path: str, query: str = "", on_body: Any = None, disconnect_after: int | None = None) -> dict:
    """Drive the ASGI app directly (the test client buffers whole bodies), noting what
    the store had been asked for when each chunk left."""
    out: dict[str, Any] = {"chunks": [], "pulled_at_chunk": [], "status": None}
    sent = asyncio.Event()

    async def receive() -> dict:
        if disconnect_after is not None:
            await sent.wait()
            return {"type": "http.disconnect"}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body" and message.get("body"):
            out["chunks"].append(message["body"])
            if on_body:
                out["pulled_at_chunk"].append(on_body())
            if disconnect_after is not None and len(out["chunks"]) >= disconnect_after:
                sent.set()
                raise OSError("client went away")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }

    async def run() -> None:
        try:
            await app(scope, receive, send)
        except Exception:  # the disconnect surfaces as an error of the response
            if disconnect_after is None:
                raise

    asyncio.run(run())
    return out


@pytest.mark.parametrize("path", ["/search.jsonl", "/search.csv"])
def test_exports_stream_instead_of_loading_everything(demo_store, path):
    app = data_app(demo_store)
    counting = _CountingStore(app.state.store)
    app.state.store = counting
    out = _call(app, path, on_body=lambda: counting.pulled)
    assert out["status"] == 200
    assert len(out["chunks"]) >= 2
    # The first chunk left when only its own records had been read, not all 300.
    assert out["pulled_at_chunk"][0] < 300
    assert counting.pulled == 300 and counting.closed
    if path.endswith("jsonl"):
        assert sum(chunk.count(b"\n") for chunk in out["chunks"]) == 300


def test_a_client_that_goes_away_ends_the_read_and_frees_the_slot(demo_store):
    app = data_app(demo_store)
    counting = _CountingStore(app.state.store)
    app.state.store = counting
    for _ in range(exports.EXPORT_SLOTS + 2):  # slots would run out if they leaked
        counting.pulled, counting.closed = 0, False
        out = _call(app, "/search.jsonl", on_body=lambda: counting.pulled, disconnect_after=1)
        assert out["status"] == 200
        assert counting.closed and counting.pulled < 300


def test_too_many_exports_at_once_is_503(demo_client, monkeypatch):
    monkeypatch.setattr(exports, "_slots", __import__("threading").BoundedSemaphore(1))
    assert exports._slots.acquire(blocking=False)  # someone else's export is running
    try:
        r = demo_client.get("/search.csv")
        assert r.status_code == 503 and r.json()["error"] == "busy"
    finally:
        exports._slots.release()
    assert demo_client.get("/search.csv").status_code == 200


def test_results_pdf(demo_client, demo_store):
    tag = _busiest_tag(demo_store)
    r = demo_client.get(f"/search.pdf?q=tag:{tag.lower()}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline")
    assert r.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    with open_store(str(demo_store), readonly=True) as store:
        page = store.query(f"tag:{tag}", limit=100, facets=())
    assert f"tag:{tag}" in text  # the canonical query
    assert f"{page.total} cables" in text
    for hit in page.hits[:5]:
        assert hit.id in text


def test_results_pdf_lists_at_most_100(demo_client):
    r = demo_client.get("/search.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "300 cables; the first 100 listed" in text.replace("\n", " ")


def test_streamed_export_cleans_up_when_the_first_send_fails():
    """The client is gone before the first byte: the reader is closed and the slot freed."""
    from cablemirror.web.respond import StreamedExport

    class Chunks:
        closed = 0

        def __iter__(self):
            return self

        def __next__(self) -> bytes:
            return b"x"

        def close(self) -> None:
            Chunks.closed += 1

    freed = []
    response = StreamedExport(Chunks(), on_close=lambda: freed.append(1), media_type="text/plain")

    async def receive() -> dict:
        await asyncio.sleep(3600)
        return {}

    async def send(message: dict) -> None:
        raise OSError("gone")

    async def run() -> None:
        with pytest.raises(Exception):
            await response({"type": "http", "asgi": {"spec_version": "2.4"}}, receive, send)

    asyncio.run(run())
    assert Chunks.closed >= 1 and freed == [1]
