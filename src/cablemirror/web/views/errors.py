"""Error pages in the site's layout: 400, 404, 405, 500 (JSON under /api/).

An error page must never fail itself: it renders without touching the store when
the store is what failed, and falls back to plain text if even that goes wrong.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from ...search import QuerySyntaxError
from ...store.base import StoreError
from .common import Meta, PageError, render

log = logging.getLogger("cablemirror.web")

TITLES = {
    400: "Bad request",
    404: "Page not found",
    405: "Method not allowed",
    500: "Something went wrong",
    503: "The store cannot answer",
}


def error_page(request: Request, status: int, title: str, message: str, **extra: Any) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": title, "detail": message}, status_code=status)
    try:
        return render(
            request,
            "error.html",
            Meta(title=title, description=message or title, noindex=True),
            status=status,
            status_code=status,
            title=title,
            message=message,
            **extra,
        )
    except Exception:  # pragma: no cover - the last resort must not raise
        log.exception("the error page itself failed")
        return PlainTextResponse(f"{status} {title}\n{message}\n", status_code=status)


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    title = TITLES.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else ""
    if exc.status_code == 404 and not detail:
        detail = "There is no page at this address. The search and the browse pages may find what you were looking for."
    response = error_page(request, exc.status_code, title, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return error_page(request, exc.status, exc.title, exc.message, **exc.extra)


def _server_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, StoreError):
        log.error("store error on %s: %s", request.url.path, exc)
        return error_page(request, 503, TITLES[503], "The site cannot read its store right now. Please try again later.")
    log.error("error on %s", request.url.path, exc_info=exc)
    return error_page(request, 500, TITLES[500], "The page could not be made. The problem is on our side, not yours.")


def _query_error(request: Request, exc: Exception) -> Response:  # a QuerySyntaxError outside the search page
    assert isinstance(exc, QuerySyntaxError)
    return error_page(request, 400, "The query cannot be read", str(exc))


exception_handlers: dict[Any, Any] = {
    HTTPException: _http,
    PageError: _page_error,
    QuerySyntaxError: _query_error,
    StoreError: _server_error,
    500: _server_error,
}
