"""Data out: JSON/raw/PDF per record, the JSON API, exports, feeds (being written)."""

from __future__ import annotations

from starlette.routing import Route

routes: list[Route] = []
