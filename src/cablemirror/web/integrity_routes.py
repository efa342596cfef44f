"""Integrity on the website: the manifest, its root, and a proof per cable.

- ``/manifest.txt``  the manifest (``cablemirror manifest`` gives the same bytes for
  the same store), streamed, with the root as its ETag;
- ``/manifest.json`` format, algorithm, fields, count and root (no records: those are
  in the text form);
- ``/cable/{id}/proof.json`` every stored version of the cable with its manifest line,
  leaf hash and audit path to the root (see docs/integrity.md for checking it).

The manifest is built from what the store recorded (its sha256 per version), not by
re-hashing every record on a request; ``cablemirror verify`` checks the bytes.  It is
built on demand (``ManifestCache``) and served for ``CABLEMIRROR_MANIFEST_TTL``
seconds (default 300), then rebuilt while the old one is still served, so that the
manifest and the proofs served at any moment agree with each other; a version
imported after it was built is listed in its proof document without a proof.

Wire with ``routes`` (before any catch-all ``/cable/{id}`` page route).  Pages that
show a record's hash and proof call ``cable_proof(app, id)`` (blocking: from a
thread, e.g. ``run_in_threadpool``).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ..integrity.manifest import Manifest, ManifestEntry, source_name
from ..store import Store, StoreError

TTL_ENV = "CABLEMIRROR_MANIFEST_TTL"
DEFAULT_TTL = 300.0
DEFAULT_WAIT = 10.0  # seconds a request waits for the first manifest before a 503
RETRY_AFTER = "30"
HOW_TO_VERIFY = (
    "h = SHA-256(0x00 || UTF-8 bytes of line); for each step of path: h = SHA-256(0x01 || step.hash || h) "
    "when step.side is 'left', else SHA-256(0x01 || h || step.hash); h must equal root. "
    "The sha256 in the line must equal SHA-256 of the record's bytes (/cable/ID.raw)."
)
_CACHE_ATTR = "integrity_manifest"
_create_lock = threading.Lock()


def _ttl() -> float:
    try:
        return max(0.0, float(os.environ.get(TTL_ENV, DEFAULT_TTL)))
    except ValueError:
        return DEFAULT_TTL


class ManifestNotReady(Exception):
    """The first manifest of this app is still being built."""


class ManifestCache:
    """One manifest per app.

    The request that finds no manifest, or one older than ``ttl`` seconds, builds it
    in its own worker thread (so a server shutting down waits for the build like for
    any request, and the store is never closed under it); requests arriving meanwhile
    get the previous manifest at once, or, when there is none yet, wait up to ``wait``
    seconds for the first one (a big store takes longer: then ManifestNotReady, and
    the routes answer 503 with Retry-After).  One build at a time.
    """

    def __init__(self, store: Store, ttl: float, wait: float = DEFAULT_WAIT) -> None:
        self.store = store
        self.ttl = ttl
        self.wait = wait
        self._lock = threading.Lock()
        self._manifest: Manifest | None = None
        self._built = 0.0
        self._building = False
        self._done = threading.Event()
        self._error: Exception | None = None

    def get(self, wait: float | None = None) -> Manifest:
        with self._lock:
            manifest = self._manifest
            stale = manifest is None or time.monotonic() - self._built > self.ttl
            build = stale and not self._building
            if build:
                self._building, self._error, self._done = True, None, threading.Event()
            done = self._done
        if build:
            self._build(done)
        elif manifest is not None:
            return manifest
        else:
            done.wait(self.wait if wait is None else wait)
        with self._lock:
            if self._manifest is not None:
                return self._manifest
            if self._error is not None:
                raise self._error
        raise ManifestNotReady("the manifest of this mirror is being built")

    def _build(self, done: threading.Event) -> None:
        try:
            manifest = Manifest.from_store(self.store)
            with self._lock:
                self._manifest, self._built = manifest, time.monotonic()
        except Exception as exc:  # the requests waiting see it too; the next one retries
            with self._lock:
                self._error = exc
        finally:
            with self._lock:
                self._building = False
            done.set()


def manifest_cache(app: Starlette) -> ManifestCache:
    cache = getattr(app.state, _CACHE_ATTR, None)
    if cache is None:
        with _create_lock:
            cache = getattr(app.state, _CACHE_ATTR, None)
            if cache is None:
                cache = ManifestCache(app.state.store, _ttl())
                setattr(app.state, _CACHE_ATTR, cache)
    return cache


def _proof_path(cable_id: str) -> str:
    return f"/cable/{quote(cable_id, safe='')}/proof.json"


def cable_proof(app: Starlette, cable_id: str) -> dict[str, Any] | None:
    """The proof document of a stored cable (as served at /cable/ID/proof.json), or None
    when the store has no version of it.  Blocking; raises ManifestNotReady while the
    app's first manifest is being built."""
    manifest = manifest_cache(app).get()
    store: Store = app.state.store
    versions = store.get_versions(cable_id)
    if not versions and not manifest.indices_of(cable_id):
        return None
    by_sha = {}
    for i in manifest.indices_of(cable_id):
        by_sha[ManifestEntry.from_line(manifest.lines[i]).sha256] = i
    out = []
    for n, v in enumerate(versions, 1):
        item: dict[str, Any] = {
            "version": n,
            "version_id": v["version_id"],
            "current": bool(v.get("current")),
            "sha256": v["sha256"],
            "format": v["format"],
            "source": source_name(str(v["path"])),
        }
        index = by_sha.pop(v["sha256"], None)
        if index is None:
            item["proof"] = None
            item["note"] = "stored after the manifest was built: it will be in the next one"
        else:
            item["proof"] = manifest.proof(index)
        out.append(item)
    for sha, index in sorted(by_sha.items(), key=lambda t: t[1]):  # in the manifest, gone from the store since
        out.append({"version": None, "version_id": None, "current": False, "sha256": sha,
                    "note": "in the manifest but no longer stored", "proof": manifest.proof(index)})
    return {
        "id": cable_id,
        "algorithm": manifest.summary()["algorithm"],
        "root": manifest.root.hex(),
        "tree_size": manifest.count,
        "manifest": "/manifest.txt",
        "how_to_verify": HOW_TO_VERIFY,
        "versions": out,
    }


def _error(status: int, error: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


def _not_modified(request: Request, etag: str) -> bool:
    given = request.headers.get("if-none-match", "")
    return etag in [t.strip() for t in given.split(",")] or given.strip() == "*"


def _not_ready() -> JSONResponse:
    response = _error(503, "not ready", "the manifest of this mirror is being built: retry in a little while")
    response.headers["Retry-After"] = RETRY_AFTER
    return response


async def _manifest(request: Request) -> Manifest | JSONResponse:
    try:
        return await run_in_threadpool(manifest_cache(request.app).get)
    except ManifestNotReady:
        return _not_ready()
    except StoreError as exc:
        return _error(503, "store unavailable", str(exc))


async def manifest_txt(request: Request) -> Response:
    manifest = await _manifest(request)
    if isinstance(manifest, Response):
        return manifest
    etag = f'"{manifest.root.hex()}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Manifest-Root": manifest.root.hex()}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return StreamingResponse(
        (chunk.encode("utf-8") for chunk in manifest.iter_text()),
        media_type="text/plain; charset=utf-8",
        headers=headers,
    )


async def manifest_json(request: Request) -> Response:
    manifest = await _manifest(request)
    if isinstance(manifest, Response):
        return manifest
    etag = f'"{manifest.root.hex()}-json"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    body = {**manifest.summary(), "manifest": "/manifest.txt", "proof": "/cable/{id}/proof.json"}
    return JSONResponse(body, headers=headers)


async def proof_json(request: Request) -> Response:
    from ..cables import canonical_id

    given = request.path_params["id"]
    try:
        doc = await run_in_threadpool(cable_proof, request.app, given)
        if doc is None:
            canonical = canonical_id(given)
            if canonical and canonical != given:
                if await run_in_threadpool(cable_proof, request.app, canonical) is not None:
                    return RedirectResponse(_proof_path(canonical), status_code=301)
            return _error(404, "not found", f"no cable {given!r} is stored in this mirror")
    except ManifestNotReady:
        return _not_ready()
    except StoreError as exc:
        return _error(503, "store unavailable", str(exc))
    return JSONResponse(doc, headers={"Cache-Control": "no-cache"})


routes: list[Route] = [
    Route("/manifest.txt", manifest_txt, methods=["GET", "HEAD"], name="manifest_txt"),
    Route("/manifest.json", manifest_json, methods=["GET", "HEAD"], name="manifest_json"),
    Route("/cable/{id}/proof.json", proof_json, methods=["GET", "HEAD"], name="cable_proof"),
]
