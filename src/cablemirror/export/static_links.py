"""Where each page of the site lives in a static export, and links rewritten to it.

The live site's URLs (``urls.py``, ``views/common.py``) become files that a browser
can open from disk, where a folder never stands for its ``index.html``:

=====================================  ======================================
live URL                               file in the export
=====================================  ======================================
``/``                                  ``index.html``
``/browse``, ``/privacy``, ...         ``browse.html``, ``privacy.html``
``/browse/date/2005/08``               ``browse/date/2005/08.html``
``/browse/tag/PGOV?page=3``            ``browse/tag/pgov.p3.html``
``/browse/origin/Embassy%20Almaty``    ``browse/origin/embassy-almaty.html``
``/cable/05ALMATY2985``                ``cable/05ALMATY2985.html``
``/cable/05ALMATY2985.json``           ``cable/05ALMATY2985.json`` (``.raw``, ``.pdf``)
``/cable/ID.raw?version=2``            ``cable/ID.v2.raw``
``/cable/ID/diff?a=1&b=2``             ``cable/ID/diff-1-2.html``
``/search?q=...``                      ``search.html?q=...`` (searched in the browser)
``/search/help``                       ``search/help.html``
``/static/site.css?v=...``             ``static/site.css``
=====================================  ======================================

Every ``href``, ``src`` and ``action`` of a rendered page is rewritten relative to
the page's own file.  A link to something the export does not have (another sort
order of a list, the PDF without ``--pdf``, a feed, the API) is not left dangling:
the link becomes plain text.  Pages carry the canonical URL of their file under
``--base-url``, or none.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from ..search.text import fold
from ..store import derived

__all__ = ["SENTINEL", "SiteMap", "cable_file", "rewrite_html", "slug", "unique_slugs"]

# The base URL pages are rendered with: every absolute URL they hold starts with it.
SENTINEL = "https://cablemirror.invalid"

_SAFE_ID = re.compile(r"[A-Za-z0-9]+")
_WORDS = re.compile(r"[a-z0-9]+")


def slug(value: str, limit: int = 80) -> str:
    """A file-name part for a value: lower-case ASCII words joined by ``-``."""
    s = "-".join(_WORDS.findall(fold(value).lower()))[:limit].strip("-")
    return s or "x"


def _short_hash(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def unique_slugs(values: list[str]) -> dict[str, str]:
    """value -> slug, with a short hash added to every value whose slug another shares
    (file names compare case-insensitively on some systems: slugs are lower case)."""
    by_slug: dict[str, list[str]] = {}
    for v in values:
        by_slug.setdefault(slug(v), []).append(v)
    out: dict[str, str] = {}
    for s, vs in by_slug.items():
        for v in vs:
            out[v] = s if len(vs) == 1 else f"{s}-{_short_hash(v)}"
    return out


def cable_file(cable_id: str) -> str:
    """``cable/<id>`` without extension: ids are letters and digits; anything else
    gets a slug and a hash (no file name can be abused, none collides)."""
    if _SAFE_ID.fullmatch(cable_id) and len(cable_id) <= 100:
        return f"cable/{cable_id}"
    return f"cable/{slug(cable_id, 60)}-{_short_hash(cable_id)}"


@dataclass
class SiteMap:
    """What the export holds, and the file of every live URL it holds."""

    base_url: str = ""
    raw: bool = False
    pdf: bool = False
    static_files: frozenset[str] = frozenset()
    # list key -> (file path without .html, number of pages); keys: ("values", field),
    # ("date", "2005/08"), ("origin", value), ("tag", TAG), ("class", slug), ("date", "")
    lists: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    top_files: dict[str, str] = field(default_factory=dict)  # "/privacy" -> "privacy.html"

    # -- the mapping ------------------------------------------------------------
    def file_for(self, url: str) -> tuple[str, str] | None:
        """(file, query to keep) for a site path with its query, or None when the
        export has no such file."""
        if "?" in url or "#" in url:
            parts = urlsplit(url)
            path, query = parts.path, parts.query
            params = parse_qs(query, keep_blank_values=True)
        else:  # most links: a path alone
            path, query, params = url, "", {}
        if path in self.top_files:
            if path == "/search":
                return self.top_files[path], query
            return (self.top_files[path], "") if not params else None
        if path.startswith("/static/"):
            name = path[len("/static/"):]
            return (f"static/{name}", "") if name in self.static_files else None
        if path.startswith("/cable/"):
            return self._cable(path[len("/cable/"):], params)
        if path.startswith("/browse/"):
            return self._browse(path[len("/browse/"):], params)
        return None

    def _cable(self, rest: str, params: dict[str, list[str]]) -> tuple[str, str] | None:
        if "/" in rest:
            raw_id, _, tail = rest.partition("/")
            cid = unquote(raw_id)
            if tail != "diff":
                return None
            a, b = _int(params, "a"), _int(params, "b")
            if a is None or b is None or abs(a - b) != 1 or set(params) != {"a", "b"}:
                return None
            return f"{cable_file(cid)}/diff-{a}-{b}.html", ""
        for ext, wanted in ((".json", True), (".raw", self.raw), (".pdf", self.pdf)):
            if rest.endswith(ext):
                if not wanted:
                    return None
                cid = unquote(rest[: -len(ext)])
                if ext == ".raw" and "version" in params:
                    n = _int(params, "version")
                    if n is None or set(params) != {"version"}:
                        return None
                    return f"{cable_file(cid)}.v{n}.raw", ""
                return (f"{cable_file(cid)}{ext}", "") if not params else None
        if params:  # ?hl= highlighting needs the server
            return None
        return f"{cable_file(unquote(rest))}.html", ""

    def _browse(self, rest: str, params: dict[str, list[str]]) -> tuple[str, str] | None:
        if set(params) - {"page"}:
            return None  # other sort orders are not exported
        page = _int(params, "page") if "page" in params else 1
        if page is None or page < 1:
            return None
        kind, _, value = rest.partition("/")
        if kind == "date":
            key = ("date", value)
        elif kind in ("origin", "tag", "classification") and not value:
            key = ("values", kind)
        elif kind == "origin":
            key = ("origin", unquote(value))
        elif kind == "tag":
            key = ("tag", derived.keyword(unquote(value)))
        elif kind == "classification":
            key = ("class", unquote(value).lower())
        else:
            return None
        found = self.lists.get(key)
        if found is None or page > found[1]:
            return None
        return list_file(found[0], page), ""

    def page_files(self, key: tuple[str, str]) -> list[str]:
        base, pages = self.lists[key]
        return [list_file(base, n) for n in range(1, pages + 1)]


def list_file(base: str, page: int) -> str:
    return f"{base}.html" if page == 1 else f"{base}.p{page}.html"


def _int(params: dict[str, list[str]], name: str) -> int | None:
    values = params.get(name) or []
    if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 9:
        return None
    return int(values[0])


# ---------------------------------------------------------------------------
# Rewriting a rendered page

_ATTR = re.compile(r'(\s(?:href|src|action|content)=")([^"]*)(")')
_DEAD = "\x00dead\x00"
_DEAD_ITEM = re.compile(r'<li><a\b[^>]*\bhref="' + _DEAD + r'"[^>]*>[^<]*</a></li>\s*')
_DEAD_LINK = re.compile(r'<a\b[^>]*\bhref="' + _DEAD + r'"[^>]*>(.*?)</a>', re.S)
_SORT_P = re.compile(r'<p class="sort">(?:(?!</p>).)*</p>\s*', re.S)
_DIFF_FORM = re.compile(r'<form class="diff-form"[^>]*>.*?</form>', re.S)
_OPTION = re.compile(r'<option value="(\d+)"( selected)?')
_CANONICAL = re.compile(r'<link rel="canonical" href="[^"]*">\n?|<meta property="og:url" content="[^"]*">\n?')


def _meta_policy() -> str:
    """The site's Content-Security-Policy as a ``<meta>`` (``frame-ancestors`` only
    works as a header) and its referrer policy: a host that sends no headers keeps
    the promise of the privacy page, and so does a folder opened from disk."""
    from ..web.security import CSP

    csp = "; ".join(p for p in CSP.split("; ") if not p.startswith("frame-ancestors"))
    return (f'<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=False)}">'
            '\n<meta name="referrer" content="no-referrer">')


_CHARSET = '<meta charset="utf-8">'


@lru_cache(maxsize=4096)
def _folders(page: str) -> tuple[str, ...]:
    return tuple(page.split("/")[:-1])


def relative(target: str, page: str) -> str:
    """``target`` (a file of the export) as a link from the file ``page`` (both plain
    relative paths, as the export writes them: what ``posixpath.relpath`` gives, faster)."""
    here = _folders(page)
    parts = target.split("/")
    i = 0
    while i < len(here) and i < len(parts) - 1 and here[i] == parts[i]:
        i += 1
    return "../" * (len(here) - i) + "/".join(parts[i:])


def rewrite_html(text: str, page: str, site: SiteMap, *, on_cable: Callable[[str], None] | None = None,
                 root: str | None = None) -> str:
    """A rendered page made to work from ``page`` (its file in the export).

    ``on_cable`` hears every cable id the page links to (their pages must exist).
    ``root`` makes links absolute from it instead of relative (a 404 page is shown at
    any depth)."""

    def one(m: re.Match[str]) -> str:
        value = html.unescape(m.group(2))
        attr = m.group(1)
        if attr.strip().startswith("content"):
            if not value.startswith(SENTINEL):
                return m.group(0)
        if value.startswith(SENTINEL):
            mapped = site.file_for(value[len(SENTINEL):] or "/")
            if mapped is None or not site.base_url:
                return m.group(1) + _DEAD + m.group(3)
            return m.group(1) + html.escape(site.base_url + "/" + _with_query(*mapped), quote=True) + m.group(3)
        if not value.startswith("/") or value.startswith("//"):
            return m.group(0)  # in-page anchors, relative and external links stay
        path, sep, fragment = value.partition("#")
        mapped = site.file_for(path)
        if mapped is None:
            return m.group(1) + _DEAD + m.group(3)
        if on_cable is not None and path.startswith("/cable/") and mapped[0].endswith(".html") and "/diff-" not in mapped[0]:
            on_cable(unquote(path.partition("?")[0][len("/cable/"):]))
        target = root + mapped[0] if root is not None else relative(mapped[0], page)
        link = _with_query(target, mapped[1]) + (sep + fragment if sep else "")
        return m.group(1) + html.escape(link, quote=True) + m.group(3)

    text = _DIFF_FORM.sub(lambda m: _diff_links(m.group(0)), text)
    text = _ATTR.sub(one, text)
    if not site.base_url:
        text = _CANONICAL.sub("", text)
    text = _DEAD_ITEM.sub("", text)
    text = _DEAD_LINK.sub(r"<span>\1</span>", text)
    text = _SORT_P.sub(lambda m: m.group(0) if "<a " in m.group(0) else "", text)
    text = text.replace(_CHARSET, _meta_policy(), 1)
    return text.replace(f'="{_DEAD}"', '=""')


def _with_query(path: str, query: str) -> str:
    return path + ("?" + query if query else "")


def _diff_links(form: str) -> str:
    """The version-comparison form needs the server: links to the diffs of
    consecutive versions, which the export has, instead."""
    m = re.search(r'action="([^"]*)/diff"', form)
    if m is None:
        return ""
    base = html.unescape(m.group(1))
    numbers = sorted({int(n) for n, _ in _OPTION.findall(form)})
    if len(numbers) < 2:
        return ""
    links = " · ".join(
        f'<a href="{html.escape(base, quote=True)}/diff?a={a}&amp;b={a + 1}">version {a} with {a + 1}</a>'
        for a in numbers[:-1]
    )
    return f'<p class="diff-form">Compare {links}</p>'
