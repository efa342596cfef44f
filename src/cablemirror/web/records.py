"""One cable taken away: ``/cable/{id}.json``, ``/cable/{id}.raw``, ``/cable/{id}.pdf``.

Ids are looked up as written, then in their canonical spellings; a URL with another
spelling (``05almaty002985``) answers 301 with the canonical URL, an unknown id 404
in JSON (saying which stored cables cite it when it is known but missing).

The raw bytes are exactly what the release file held.  An official release page is
HTML with scripts and links: it is always sent as a download (``attachment``), as
plain text, with a sandboxing Content-Security-Policy, so it can never run on this
site's origin.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..model import FORMAT_CSV, FORMAT_HTML, FORMAT_MIRROR, FORMAT_PDF, FORMAT_TEXT
from .respond import (
    CORS,
    RECORD_CACHE,
    ApiError,
    cached_304,
    endpoint,
    etag,
    filename,
    int_param,
    json_response,
    load_cable,
    not_modified,
    redirect,
    resolve_cable,
    site_name,
    store_of,
    wants_pretty,
)
from .urls import absolute, cable_path

# format -> (file extension, media type when the bytes are UTF-8 / otherwise)
RAW_TYPES: dict[str, tuple[str, str]] = {
    FORMAT_HTML: ("html", "text/plain"),  # never text/html: see the module docstring
    FORMAT_CSV: ("csv", "text/csv"),
    FORMAT_TEXT: ("txt", "text/plain"),
    FORMAT_MIRROR: ("txt", "text/plain"),
    FORMAT_PDF: ("pdf", "application/pdf"),
}
RAW_CSP = "sandbox; default-src 'none'"  # even if a browser rendered it: no script, no request


def _version_sha(record: dict[str, Any]) -> str:
    source = record.get("source")
    return str(source.get("sha256", "")) if isinstance(source, dict) else ""


@endpoint
def cable_json(request: Request) -> Response:
    store = store_of(request)
    found, record = load_cable(store, request.path_params["id"])
    if found.redirect:
        return redirect(request, cable_path(found.id, "json"))
    tag = etag("json", _version_sha(record), found.id)
    if not_modified(request, tag):
        return cached_304(tag)
    return json_response(record, headers={"ETag": tag, "Cache-Control": RECORD_CACHE}, pretty=wants_pretty(request))


def raw_media_type(fmt: str, data: bytes) -> tuple[str, str]:
    """(file extension, Content-Type) of a version's raw bytes."""
    ext, media = RAW_TYPES.get(fmt, ("bin", "application/octet-stream"))
    if not media.startswith("text/"):
        return ext, media
    try:
        data.decode("utf-8")
        charset = "utf-8"
    except UnicodeDecodeError:
        charset = "windows-1252"  # text extracts are latin-1; cp1252 is its superset in practice
    return ext, f"{media}; charset={charset}"


@endpoint
def cable_raw(request: Request) -> Response:
    store = store_of(request)
    found = resolve_cable(store, request.path_params["id"])
    if found.redirect:
        return redirect(request, cable_path(found.id, "raw"))
    number = int_param(request, "version", None, lo=1, hi=1_000_000)
    versions = store.get_versions(found.id)
    if number is None:
        chosen = next((v for v in versions if v["current"]), versions[-1] if versions else None)
    elif number <= len(versions):
        chosen = versions[number - 1]
    else:
        raise ApiError(
            404,
            "no_such_version",
            f"{found.id} has {len(versions)} stored version{'s' if len(versions) != 1 else ''}, not {number}",
            id=found.id,
            versions=len(versions),
        )
    if chosen is None:
        raise ApiError(404, "not_found", f"no stored bytes for {found.id}", id=found.id)
    sha = chosen["sha256"]
    tag = '"' + sha + '"'  # the bytes are their own identity
    if not_modified(request, tag):
        return cached_304(tag)
    data = store.get_raw(found.id, chosen["version_id"])
    if data is None:
        raise ApiError(404, "not_found", f"no stored bytes for {found.id}", id=found.id)
    ext, media = raw_media_type(chosen.get("format") or "", data)
    suffix = f"-v{number}" if number is not None else ""
    headers = {
        **CORS,
        "Content-Disposition": f'attachment; filename="{filename(found.id + suffix, ext)}"',
        "X-Content-SHA256": sha,
        "ETag": tag,
        "Cache-Control": RECORD_CACHE,
        "Content-Security-Policy": RAW_CSP,
    }
    return Response(data, headers=headers, media_type=media)


@endpoint
def cable_pdf_route(request: Request) -> Response:
    from ..export.pdf import cable_pdf  # fpdf2 is loaded by the first PDF only

    store = store_of(request)
    found, record = load_cable(store, request.path_params["id"])
    if found.redirect:
        return redirect(request, cable_path(found.id, "pdf"))
    name = site_name(request)
    url = absolute(request, cable_path(found.id))
    tag = etag("pdf", _version_sha(record), found.id, name, url)
    headers = {
        "Content-Disposition": f'inline; filename="{filename(found.id, "pdf")}"',
        "ETag": tag,
        "Cache-Control": RECORD_CACHE,
    }
    if not_modified(request, tag):
        return cached_304(tag, {"Content-Disposition": headers["Content-Disposition"]})
    data = cable_pdf(record, site_name=name, url=url)
    return Response(data, headers={**CORS, **headers}, media_type="application/pdf")


routes = [
    Route("/cable/{id}.json", cable_json, methods=["GET", "HEAD", "OPTIONS"], name="cable_json"),
    Route("/cable/{id}.raw", cable_raw, methods=["GET", "HEAD", "OPTIONS"], name="cable_raw"),
    Route("/cable/{id}.pdf", cable_pdf_route, methods=["GET", "HEAD", "OPTIONS"], name="cable_pdf"),
]
