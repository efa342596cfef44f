"""The home page and the privacy page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .browse import year_rows
from .common import TTLCache, Meta, collections, render, store_of

_cache = TTLCache(60.0)


def home(request: Request) -> Response:
    store = store_of(request)
    key = id(store)
    cols = collections(request)
    latest = _cache.get((key, "latest"), lambda: store.latest_released(10))
    cited = _cache.get((key, "cited"), lambda: store.most_cited(10))
    years = _cache.get((key, "years"), lambda: year_rows(store.histogram()))
    total = sum(c.get("count") or 0 for c in cols)
    generated = any(c.get("generated") and c.get("count") for c in cols)
    return render(
        request,
        "home.html",
        Meta(
            title="Home",
            description=f"A searchable mirror of {total:,} released records: the US diplomatic cables and more. "
            "Read each cable with its parts explained, its references linked and its versions compared.",
            path="/",
        ),
        collections=cols,
        total=total,
        generated=generated,
        latest=latest,
        cited=cited,
        years=years,
    )


def privacy(request: Request) -> Response:
    config = request.app.state.config
    return render(
        request,
        "privacy.html",
        Meta(
            title="Privacy",
            description="What this mirror records about its readers (by default nothing) and how an operator can change that.",
            path="/privacy",
        ),
        access_log=bool(getattr(config, "access_log", False)),
    )
