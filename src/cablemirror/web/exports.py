"""A search taken away: ``/search.pdf`` (the first 100 hits), ``/search.csv`` and
``/search.jsonl`` (the WHOLE result set, streamed).

The query is parsed before anything is sent, so a bad query is a 400 with the
parser's message, never a broken download.  The whole-set exports stream
``Store.iter_records`` chunk by chunk (``export.dump``): memory stays flat whatever the
size of the result.  At most ``EXPORT_SLOTS`` of them run at once; more get 503 with
Retry-After, so a few scripted downloads cannot take every thread from readers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Callable
from datetime import datetime, timezone

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..export.dump import iter_csv, iter_jsonl
from .respond import (
    CORS,
    EXPORT_SORTS,
    SORTS,
    ApiError,
    choice_param,
    endpoint,
    StreamedExport,
    filename,
    query_param,
    site_name,
    store_of,
)
from .urls import cable_path, site_base

PDF_HITS = 100
EXPORT_SLOTS = 4
_slots = threading.BoundedSemaphore(EXPORT_SLOTS)


def _export_slot() -> None:
    if not _slots.acquire(blocking=False):
        raise ApiError(
            503,
            "busy",
            f"{EXPORT_SLOTS} exports are already running; try again in a minute",
        )


@endpoint
def search_pdf(request: Request) -> Response:
    from ..export.pdf import render_results  # fpdf2 is loaded by the first PDF only

    _, query = query_param(request)
    sort = choice_param(request, "sort", "relevance", SORTS)
    page = store_of(request).query(query, sort=sort, limit=PDF_HITS, facets=())
    shown = str(query) or "(every cable)"
    pdf = render_results(
        shown, page.total, page.hits, site_name=site_name(request), generated=datetime.now(timezone.utc)
    )
    return Response(
        pdf.data,
        headers={**CORS, "Content-Disposition": 'inline; filename="search-results.pdf"'},
        media_type="application/pdf",
    )


def stream_whole_set(
    kind: str,
    records: Callable[[], Iterator[Any]],
    as_csv: Callable[[Iterator[Any]], Iterator[bytes]],
    as_jsonl: Callable[[Iterator[Any]], Iterator[bytes]],
    stem: str,
) -> Response:
    """A whole result set streamed as ``kind`` (csv or jsonl), holding one of the export
    slots until the stream ends (or fails to start); ``records`` is called once the slot
    is taken.  Shared by the cables' and the war diary's exports."""
    _export_slot()
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            _slots.release()

    try:
        rows = records()
        if kind == "csv":
            chunks, media = as_csv(rows), "text/csv; charset=utf-8"
        else:
            chunks, media = as_jsonl(rows), "application/x-ndjson"
        headers = {**CORS, "Content-Disposition": f'attachment; filename="{filename(stem, kind)}"'}
        return StreamedExport(chunks, on_close=release, media_type=media, headers=headers)
    except BaseException:
        release()
        raise


def _whole_set(request: Request, kind: str) -> Response:
    _, query = query_param(request)
    sort = choice_param(request, "sort", "id", EXPORT_SORTS)
    store = store_of(request)
    base = site_base(request)
    return stream_whole_set(
        kind,
        lambda: store.iter_records(query, sort=sort),
        lambda rows: iter_csv(rows, url_for=lambda cid: base + cable_path(cid)),
        iter_jsonl,
        "search" if query.is_empty else "search-" + str(query)[:60],
    )


@endpoint
def search_csv(request: Request) -> Response:
    return _whole_set(request, "csv")


@endpoint
def search_jsonl(request: Request) -> Response:
    return _whole_set(request, "jsonl")


routes = [
    Route("/search.pdf", search_pdf, methods=["GET", "HEAD", "OPTIONS"], name="search_pdf"),
    Route("/search.csv", search_csv, methods=["GET", "HEAD", "OPTIONS"], name="search_csv"),
    Route("/search.jsonl", search_jsonl, methods=["GET", "HEAD", "OPTIONS"], name="search_jsonl"),
]
