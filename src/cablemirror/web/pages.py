"""HTML pages (being written: see the website issue)."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route

routes: list[Route] = []
exception_handlers: dict[Any, Any] = {}


def setup(app: Starlette) -> None:
    """Attach templates and anything else the pages need to the app."""
