"""The website: an ASGI application (Starlette) over a read-only store.

``create_app(db)`` assembles the routes of three modules, each with one job:

- ``data``  — a record taken away: ``/cable/{id}.json|.raw|.pdf``, ``/api/v1/...`` with
  its OpenAPI document, CSV / JSON Lines exports, Atom feeds, sitemap.xml, robots.txt;
- ``integrity_routes`` — the manifest of every stored record version and per-record proofs;
- ``pages`` — the HTML pages a reader sees (home, browse, search, cable, guide, privacy);
- static files under ``/static``.

The data routes come first: ``/cable/{id}.pdf`` must not be taken for a cable id.
Privacy: no access log with addresses, no cookies, no third-party requests (the
Content-Security-Policy set by ``security.SecurityHeaders`` says so to the browser).
"""

from __future__ import annotations

import os
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.routing import Mount

from ..store import Store, open_store
from . import data, integrity_routes, pages
from .security import SecurityHeaders
from .site import SiteConfig

STATIC_DIR = Path(__file__).parent / "static"


def _closing(store: Store) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """A lifespan that closes the store when the server stops (Starlette 1.x has no on_shutdown)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    return lifespan


def create_app(db: str | None = None, *, config: SiteConfig | None = None) -> Starlette:
    """The website over the store at ``db`` (see ``cablemirror.store.resolve_db``)."""
    config = config or SiteConfig.from_env()
    store = open_store(db, readonly=True)
    app = Starlette(
        routes=[*integrity_routes.routes, *data.routes, *pages.routes, Mount("/static", pages.static_app(), name="static")],
        exception_handlers=pages.exception_handlers,
        lifespan=_closing(store),
    )
    app.add_middleware(SecurityHeaders)
    app.state.store = store
    app.state.config = config
    pages.setup(app)
    return app


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory`` (several workers): the database comes from
    ``CABLEMIRROR_DB`` like everywhere else."""
    return create_app(os.environ.get("CABLEMIRROR_DB"))
