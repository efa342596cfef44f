"""Following and finding the site: ``/feed.atom?q=`` (Atom 1.0 feed of any search, newest
released first), ``/sitemap.xml`` (a sitemap index) with ``/sitemap-cables-N.xml``
(50,000 URLs each, streamed from ``Store.iter_ids``) and ``/robots.txt``.

Every URL in them is absolute (``urls.site_base``: set ``CABLEMIRROR_BASE_URL`` in
production so they do not depend on the Host header).  XML is written by hand with
escaping and with the characters XML 1.0 forbids removed (cable text holds form feeds
and other controls), so a feed reader never chokes on a cable.
"""

from __future__ import annotations

import math
import re
from itertools import islice
from typing import Any, Iterator
from xml.sax.saxutils import escape, quoteattr

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import __version__
from .respond import CORS, ApiError, StreamedExport, endpoint, query_param, site_name, store_of
from .urls import cable_path, feed_path, search_path, site_base

FEED_ENTRIES = 50
SITEMAP_URLS = 50_000  # the sitemaps protocol's limit per file
EPOCH = "1970-01-01T00:00:00Z"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2}))?)?")


def xml_text(value: object) -> str:
    """Escaped XML character data with every character XML 1.0 forbids removed."""
    return escape(_NOT_XML.sub("", "" if value is None else str(value)))


def xml_attr(value: object) -> str:
    return quoteattr(_NOT_XML.sub("", "" if value is None else str(value)))


def rfc3339(value: object) -> str | None:
    """An RFC 3339 timestamp (UTC) from the store's ISO dates ("2011-08-30T01:44:00",
    "2011-08-30"), or None when there is none."""
    m = _ISO.match(value) if isinstance(value, str) else None
    if m is None:
        return None
    return f"{m.group(1)}T{m.group(2) or '00:00'}:{m.group(3) or '00'}Z"


def _day(value: object) -> str | None:
    m = _ISO.match(value) if isinstance(value, str) else None
    return m.group(1) if m else None


# ---------------------------------------------------------------------------
# Atom


def _entry(base: str, hit: Any, summary: dict[str, Any]) -> tuple[str, str]:
    """(updated, the <entry> element) of one hit."""
    cid = hit.id
    updated = rfc3339(summary.get("released")) or rfc3339(summary.get("created") or hit.created) or EPOCH
    url = base + cable_path(cid)
    title = summary.get("title") or hit.title or cid
    meta = " · ".join(
        str(v)
        for v in (cid, (summary.get("created") or hit.created or "")[:10], hit.origin, hit.classification)
        if v
    )
    text = meta
    subject = summary.get("subject")
    if subject and subject != title:
        text += "\n" + subject
    if hit.snippet:
        text += "\n" + hit.snippet
    cats = "".join(f"<category term={xml_attr(t)}/>" for t in summary.get("tags") or [] if t)
    published = rfc3339(summary.get("created") or hit.created)
    parts = [
        "<entry>",
        f"<id>{xml_text(url)}</id>",
        f"<title>{xml_text(title)}</title>",
        f"<updated>{updated}</updated>",
        f"<published>{published}</published>" if published else "",
        f'<link rel="alternate" type="text/html" href={xml_attr(url)}/>',
        f'<link rel="alternate" type="application/json" href={xml_attr(base + cable_path(cid, "json"))}/>',
        f"<summary>{xml_text(text)}</summary>",
        cats,
        "</entry>",
    ]
    return updated, "".join(parts)


@endpoint
def feed_atom(request: Request) -> Response:
    text, query = query_param(request)
    store = store_of(request)
    page = store.query(query, sort="-released", limit=FEED_ENTRIES, facets=())
    summaries = store.summaries([h.id for h in page.hits]) if page.hits else {}
    base = site_base(request)
    canonical = str(query)
    entries = [_entry(base, h, summaries.get(h.id, {})) for h in page.hits]
    updated = max((u for u, _ in entries), default=None)
    if updated is None:  # an empty feed is still valid Atom: date it by the collection
        latest = store.latest_released(1)
        updated = (rfc3339(latest[0].get("released") or latest[0].get("created")) if latest else None) or EPOCH
    name = site_name(request)
    shown = " ".join(text.split())  # as the reader wrote it; the canonical form names the feed
    title = f"{name}: {shown}" if shown else f"{name}: latest released cables"
    feed_id = base + feed_path(canonical or None)
    self_url = base + feed_path(text or None)
    xml = "".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>\n',
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            f"<id>{xml_text(feed_id)}</id>",
            f"<title>{xml_text(title)}</title>",
            f"<subtitle>{xml_text(f'{page.total} matching cables, newest released first')}</subtitle>",
            f"<updated>{updated}</updated>",
            f'<link rel="self" type="application/atom+xml" href={xml_attr(self_url)}/>',
            f'<link rel="alternate" type="text/html" href={xml_attr(base + search_path(text or None))}/>',
            f"<author><name>{xml_text(name)}</name></author>",
            f'<generator version="{__version__}">cablemirror</generator>',
            *(e for _, e in entries),
            "</feed>\n",
        ]
    )
    return Response(xml.encode("utf-8"), headers=CORS, media_type="application/atom+xml; charset=utf-8")


# ---------------------------------------------------------------------------
# Sitemaps and robots.txt


def _cable_count(request: Request) -> int:
    return sum(int(c.get("count") or 0) for c in store_of(request).collections() if c.get("name") == "cables")


@endpoint
def sitemap_index(request: Request) -> Response:
    base = site_base(request)
    chunks = max(1, math.ceil(_cable_count(request) / SITEMAP_URLS))
    items = "".join(
        f"<sitemap><loc>{xml_text(f'{base}/sitemap-cables-{n}.xml')}</loc></sitemap>" for n in range(1, chunks + 1)
    )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + items + "</sitemapindex>\n"
    )
    return Response(xml.encode("utf-8"), media_type="application/xml; charset=utf-8")


def _sitemap_chunks(ids: Iterator[tuple[str, str | None]], base: str, start: int) -> Iterator[bytes]:
    yield b'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    lines: list[str] = []
    for cid, when in islice(ids, start, start + SITEMAP_URLS):
        day = _day(when)
        lastmod = f"<lastmod>{day}</lastmod>" if day else ""
        lines.append(f"<url><loc>{xml_text(base + cable_path(cid))}</loc>{lastmod}</url>")
        if len(lines) >= 2000:
            yield "".join(lines).encode("utf-8")
            lines.clear()
    lines.append("</urlset>\n")
    yield "".join(lines).encode("utf-8")


@endpoint
def sitemap_cables(request: Request) -> Response:
    raw = request.path_params["n"]
    n = int(raw) if raw.isdigit() and len(raw) < 7 else 0
    chunks = math.ceil(_cable_count(request) / SITEMAP_URLS)
    if not 1 <= n <= max(1, chunks):
        raise ApiError(404, "not_found", f"there is no sitemap {raw[:20]!r} (there are {max(1, chunks)})")
    body = _sitemap_chunks(store_of(request).iter_ids(), site_base(request), (n - 1) * SITEMAP_URLS)
    return StreamedExport(body, on_close=lambda: None, media_type="application/xml; charset=utf-8")


@endpoint
def robots_txt(request: Request) -> Response:
    # Everything may be crawled and indexed; only the downloads of whole result sets
    # are kept from crawlers (each one reads every matching cable).
    text = (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /search.csv\n"
        "Disallow: /search.jsonl\n"
        "Disallow: /search.pdf\n"
        "\n"
        f"Sitemap: {site_base(request)}/sitemap.xml\n"
    )
    return Response(text, media_type="text/plain; charset=utf-8")


routes = [
    Route("/feed.atom", feed_atom, methods=["GET", "HEAD", "OPTIONS"], name="feed_atom"),
    Route("/sitemap.xml", sitemap_index, methods=["GET", "HEAD"], name="sitemap"),
    Route("/sitemap-cables-{n}.xml", sitemap_cables, methods=["GET", "HEAD"], name="sitemap_cables"),
    Route("/robots.txt", robots_txt, methods=["GET", "HEAD"], name="robots"),
]
