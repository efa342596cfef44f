"""What every HTML page shares: templates, page metadata, parameters, pagination.

Templates are compiled once per process (``auto_reload`` off) with autoescape on:
every value a page shows is escaped unless it is ``Markup`` made by ``web.render``.
Handlers are plain ``def`` functions, so Starlette runs them (and their blocking
store calls) in its thread pool, never on the event loop.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ...cables import glossary
from ...store.base import Store
from ..render import plain_text

WEB_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

PAGE_SIZE_BROWSE = 50
PAGE_SIZE_SEARCH = 20
MAX_PAGE = 10_000  # deeper pages cost the store a long scan and no reader goes there
CABLE_SORTS = {"date": "oldest first", "-date": "newest first", "id": "by id", "released": "released first",
               "-released": "released last"}
SEARCH_SORTS = {"relevance": "best match", "-date": "newest first", "date": "oldest first"}


class PageError(Exception):
    """A request the page cannot answer: shown as an error page with this status."""

    def __init__(self, status: int, title: str, message: str = "", **extra: Any) -> None:
        super().__init__(message or title)
        self.status = status
        self.title = title
        self.message = message
        self.extra = extra


# ---------------------------------------------------------------------------
# URLs


def _seg(value: str) -> str:
    return quote(str(value), safe="")


def qs(**params: Any) -> str:
    """``?a=1&b=2`` from the parameters that have a value (page 1 is left out)."""
    kept = {k: str(v) for k, v in params.items() if v not in (None, "") and not (k == "page" and v == 1)}
    return "?" + urlencode(kept) if kept else ""


def cable_url(cable_id: str, *, hl: str = "", par: int | None = None) -> str:
    return f"/cable/{_seg(cable_id)}" + qs(hl=hl) + (f"#par{par}" if par is not None else "")


def search_url(q: str = "", *, sort: str = "", page: int = 1) -> str:
    return "/search" + qs(q=q, sort=sort if sort != "relevance" else "", page=page)


def origin_url(origin: str) -> str:
    return f"/browse/origin/{_seg(origin)}"


def tag_url(tag: str) -> str:
    return f"/browse/tag/{_seg(tag)}"


def classification_slug(value: str) -> str:
    """``SECRET//NOFORN`` -> ``secret-noforn`` (a path segment without slashes)."""
    return "-".join("".join(c if c.isalnum() else " " for c in value.lower()).split())


def classification_url(value: str) -> str:
    return f"/browse/classification/{_seg(classification_slug(value))}"


def date_url(year: int | str | None = None, month: int | None = None, day: int | None = None) -> str:
    path = "/browse/date"
    if year is not None:
        path += f"/{int(year):04d}"
        if month is not None:
            path += f"/{int(month):02d}"
            if day is not None:
                path += f"/{int(day):02d}"
    return path


def static_url(name: str) -> str:
    """``/static/name?v=<hash of the file>``: a new file is a new URL, so browsers may
    keep static files for a year (see ``CachedStatic``)."""
    return f"/static/{name}?v={_static_versions().get(name, '0')}"


_static_lock = threading.Lock()
_static_cache: dict[str, str] | None = None


def _static_versions() -> dict[str, str]:
    global _static_cache
    if _static_cache is None:
        with _static_lock:
            if _static_cache is None:
                _static_cache = {
                    p.relative_to(STATIC_DIR).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
                    for p in STATIC_DIR.rglob("*")
                    if p.is_file()
                }
    return _static_cache


def site_base(request: Request) -> str:
    """The public root: ``SiteConfig.base_url`` when the operator set it, else the request's."""
    config = getattr(request.app.state, "config", None)
    base = getattr(config, "base_url", "") or ""
    return base.rstrip("/") if base else str(request.base_url).rstrip("/")


# ---------------------------------------------------------------------------
# Formatting


def fmt_datetime(value: str | None) -> str:
    """``2005-08-18T13:06:00`` -> ``2005-08-18 13:06``; anything else as it is."""
    if not value:
        return ""
    v = str(value)
    if len(v) >= 16 and v[10] == "T":
        return f"{v[:10]} {v[11:16]}"
    return v


def fmt_date(value: str | None) -> str:
    return str(value)[:10] if value else ""


def fmt_int(n: int | None) -> str:
    return f"{n:,}" if isinstance(n, int) else ""


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def month_name(m: int | str) -> str:
    try:
        return MONTHS[int(m) - 1]
    except (ValueError, IndexError):
        return str(m)


def chart_label(kind: str) -> Callable[[str, int, int], str]:
    """What to write under a bar of a chart of years, months or days (not every year:
    they would not fit)."""

    def year(label: str, i: int, n: int) -> str:
        return label if i == 0 or i == n - 1 or (label.isdigit() and int(label) % 5 == 0 and n - 1 - i > 2 and i > 2) or n <= 12 else ""

    def month(label: str, i: int, n: int) -> str:
        return label[:3]

    def day(label: str, i: int, n: int) -> str:
        return label if label in ("1", "5", "10", "15", "20", "25") or i == n - 1 else ""

    return {"year": year, "month": month, "day": day}[kind]


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def tag_meaning(code: str) -> str:
    info = glossary.tag(code)
    return info.meaning if info else ""


# ---------------------------------------------------------------------------
# Page metadata (title, description, canonical link, Open Graph)


@dataclass(slots=True)
class Meta:
    title: str
    description: str = ""
    path: str = ""  # canonical path with its query, e.g. "/browse/tag/PGOV?page=2"
    og_type: str = "website"
    noindex: bool = False  # search results and errors: not for search engines


# ---------------------------------------------------------------------------
# Parameters


def int_param(request: Request, name: str, default: int, *, lo: int = 1, hi: int = MAX_PAGE) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise PageError(400, "Bad request", f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not lo <= value <= hi:
        raise PageError(400, "Bad request", f"{name} must be between {lo:,} and {hi:,} (got {value:,})")
    return value


def choice_param(request: Request, name: str, default: str, choices: dict[str, str] | tuple[str, ...]) -> str:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        allowed = ", ".join(choices)
        raise PageError(400, "Bad request", f"{name} must be one of {allowed} (got {raw[:40]!r})")
    return raw


@dataclass(slots=True)
class Pager:
    """One page of a list: which items, and the links to the others."""

    page: int
    size: int
    total: int
    url: Callable[[int], str] = field(repr=False, default=lambda n: f"?page={n}")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_item(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_item(self) -> int:
        return min(self.total, self.offset + self.size)

    def check(self) -> None:
        """404 for a page past the end (there is always a page 1, even when empty)."""
        if self.page > self.pages:
            raise PageError(404, "No such page", f"There is no page {self.page:,}: the last page is {self.pages:,}.")

    def links(self) -> list[tuple[str, int | None, str]]:
        """(label, page or None for a gap, url) around the current page."""
        if self.pages <= 1:
            return []
        shown = sorted({1, 2, self.page - 2, self.page - 1, self.page, self.page + 1, self.page + 2,
                        self.pages - 1, self.pages})
        out: list[tuple[str, int | None, str]] = []
        last = 0
        for n in shown:
            if not 1 <= n <= self.pages:
                continue
            if n > last + 1:
                out.append(("…", None, ""))
            out.append((f"{n:,}", n, self.url(n)))
            last = n
        return out


# ---------------------------------------------------------------------------
# Templates


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}`` of a template: strings from records may hold control
    characters or direction marks; they are shown, never passed through raw."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return plain_text(value)
    return value


def _env() -> Environment:
    env = Environment(
        finalize=_finalize,
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        cache_size=-1,
    )
    env.globals.update(
        cable_url=cable_url,
        search_url=search_url,
        origin_url=origin_url,
        tag_url=tag_url,
        classification_url=classification_url,
        date_url=date_url,
        static_url=static_url,
        qs=qs,
        month_name=month_name,
        plural=plural,
        chart_label=chart_label,
        tag_meaning=tag_meaning,
        CABLE_SORTS=CABLE_SORTS,
        SEARCH_SORTS=SEARCH_SORTS,
    )
    env.filters.update(dt=fmt_datetime, date=fmt_date, num=fmt_int)
    return env


ENV = _env()


def render(
    request: Request,
    template: str,
    meta: Meta,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    base = site_base(request)
    config = getattr(request.app.state, "config", None)
    ctx = {
        "request": request,
        "meta": meta,
        "site_name": getattr(config, "name", "cablemirror"),
        "canonical": base + (meta.path or request.url.path),
        "site_generated": site_generated(request),
        "search_q": context.pop("search_q", ""),
        **context,
    }
    html = ENV.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status, headers=headers)


# ---------------------------------------------------------------------------
# The store, and a few things about it worth keeping for a minute


def store_of(request: Request) -> Store:
    return request.app.state.store


class TTLCache:
    """A value per key recomputed at most every ``ttl`` seconds (the store may be
    re-imported while the site runs; a minute-old home page is fine)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._data: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        hit = self._data.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        value = compute()
        with self._lock:
            self._data[key] = (now, value)
        return value


_site_cache = TTLCache(60.0)


def collections(request: Request) -> list[dict[str, Any]]:
    store = store_of(request)
    return _site_cache.get((id(store), "collections"), store.collections)


def site_generated(request: Request) -> bool:
    """True when every collection held is generated demo data (a banner on every page)."""
    try:
        cols = collections(request)
    except Exception:  # an error page must render even when the store cannot answer
        return False
    held = [c for c in cols if c.get("count")]
    return bool(held) and all(c.get("generated") for c in held)


def now_year() -> int:
    return datetime.now().year


def safe(html: str) -> Markup:
    return Markup(html)
