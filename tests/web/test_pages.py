"""The HTML pages over the demo store: status codes, redirects, errors, facets, pagination."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import pytest

from cablemirror.search import parse_query
from cablemirror.store import open_store

from .conftest import DEMO_COUNT, make_client

PAGES = [
    "/",
    "/browse",
    "/browse/date",
    "/browse/origin",
    "/browse/tag",
    "/browse/classification",
    "/search",
    "/search/help",
    "/how-to-read-a-cable",
    "/privacy",
]


class Page(HTMLParser):
    """What a test needs to know about a page: links, ids, headings, meta tags, forms."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.srcs: list[str] = []
        self.inputs: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.html_lang: str | None = None
        self._heading: int | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "a" and a.get("href") is not None:
            self.links.append(a["href"] or "")
        if tag in ("script", "img", "iframe", "source") and a.get("src"):
            self.srcs.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.srcs.append(a["href"] or "")
            if a.get("rel") == "canonical":
                self.canonical = a["href"]
        if tag == "meta":
            key = a.get("property") or a.get("name")
            if key:
                self.meta[key] = a.get("content") or ""
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.inputs.append(a)
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"] or "")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == f"h{self._heading}":
            self.headings.append((self._heading, " ".join("".join(self._text).split())))
            self._heading = None


def page(client: Any, url: str, status: int = 200) -> tuple[Any, Page]:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    return r, Page(r.text)


@pytest.fixture(scope="module")
def store(demo_store: Path):
    with open_store(str(demo_store), readonly=True) as s:
        yield s


@pytest.fixture(scope="module")
def a_cable(store) -> dict[str, Any]:
    """A stored demo cable with a header, references and paragraphs."""
    for cid, _ in store.iter_ids():
        rec = store.get_cable(cid)
        if rec["header"] and rec["references"] and len(rec["paragraphs"]) >= 3 and not rec["partial"]:
            return rec
    raise AssertionError("the demo collection has no full cable with references")


# ---------------------------------------------------------------------------
# Every page


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_with_metadata(demo_client, url):
    r, p = page(demo_client, url)
    assert r.headers["content-type"].startswith("text/html")
    assert p.html_lang == "en"
    assert p.meta.get("description") and p.meta.get("og:title") and p.meta.get("og:description")
    assert p.meta.get("og:url") == p.canonical and p.canonical.startswith("http://testserver/")
    assert p.meta.get("og:type") in ("website", "article")
    assert [h for h in p.headings if h[0] == 1], "one h1"
    assert "#main" in p.links and "main" in p.ids, "a skip link to the main content"


def test_canonical_uses_the_configured_base_url(demo_store):
    from cablemirror.web.site import SiteConfig

    with make_client(demo_store, SiteConfig(name="Cable Reading Room", base_url="https://cables.example.org")) as c:
        _, p = page(c, "/browse/tag?page=1", 200)
        assert p.canonical == "https://cables.example.org/browse/tag"
        r, p = page(c, "/privacy", 200)
        assert p.meta["og:site_name"] == "Cable Reading Room" and "Cable Reading Room" in r.text


def test_generated_demo_data_is_announced(demo_client, a_cable):
    r, _ = page(demo_client, "/")
    assert "Generated demo data" in r.text
    assert r.text.count("Generated demo data") >= 2  # the site banner and the collection's notice
    r, _ = page(demo_client, f"/cable/{a_cable['id']}")
    assert "This cable was made up by cablemirror" in r.text


def test_home_lists_collections_latest_and_most_cited(demo_client, store):
    r, p = page(demo_client, "/")
    cols = store.collections()
    assert f"{sum(c['count'] for c in cols):,}" in r.text
    for c in store.latest_released(10):
        assert f"/cable/{c['id']}" in p.links
    for c in store.most_cited(10):
        assert f"/cable/{c['id']}" in p.links
    assert {"/browse/date", "/browse/origin", "/browse/tag", "/browse/classification"} <= set(p.links)
    assert 'action="/search"' in r.text


# ---------------------------------------------------------------------------
# Browse


def test_browse_by_date_drills_down(demo_client, store):
    _, p = page(demo_client, "/browse/date")
    years = store.histogram()
    year, count = max(years, key=lambda yc: yc[1])
    assert f"/browse/date/{year}" in p.links
    r, p = page(demo_client, f"/browse/date/{year}")
    assert f"{count:,} cable" in r.text and "<svg" in r.text
    month_period, month_count = max(store.histogram(year=int(year)), key=lambda mc: mc[1])
    month = month_period[5:7]
    assert f"/browse/date/{year}/{month}" in p.links
    r, p = page(demo_client, f"/browse/date/{year}/{month}")
    assert f"{month_count:,} cable" in r.text
    day_period, day_count = store.histogram(year=int(year), month=int(month))[0]
    day = day_period[8:10]
    r, p = page(demo_client, f"/browse/date/{year}/{month}/{day}")
    expected = store.query(f"date:{year}-{month}-{day}", sort="date", limit=50, facets=())
    cables = [link for link in p.links if link.startswith("/cable/")]
    assert [c for c in dict.fromkeys(cables)] == [f"/cable/{h.id}" for h in expected.hits]


@pytest.mark.parametrize("url", ["/browse/date/20x5", "/browse/date/2005/13", "/browse/date/2005/00",
                                 "/browse/date/2005/02/30", "/browse/date/1800", "/browse/date/2005/2"])
def test_impossible_dates_are_404(demo_client, url):
    r, _ = page(demo_client, url, 404)
    assert "No such" in r.text


def test_browse_lists_are_sorted_and_paginated(demo_client, store):
    tag, count = store.counts("tag")[0]
    assert count > 50, "the busiest demo tag fills more than one page"
    r, p = page(demo_client, f"/browse/tag/{tag}")
    first = [link for link in dict.fromkeys(p.links) if link.startswith("/cable/")]
    expected = store.query(parse_query(f"tag:{tag}"), sort="-date", limit=50, facets=())
    assert first == [f"/cable/{h.id}" for h in expected.hits]
    assert f"/browse/tag/{tag}?page=2" in p.links
    _, p2 = page(demo_client, f"/browse/tag/{tag}?page=2")
    second = [link for link in dict.fromkeys(p2.links) if link.startswith("/cable/")]
    assert second and not set(second) & set(first)
    _, p3 = page(demo_client, f"/browse/tag/{tag}?sort=id")
    ids = [link[len("/cable/"):] for link in dict.fromkeys(p3.links) if link.startswith("/cable/")]
    assert ids == sorted(ids)
    pages = -(-count // 50)
    page(demo_client, f"/browse/tag/{tag}?page={pages + 1}", 404)
    for bad in ("0", "-1", "x", "1.5"):
        page(demo_client, f"/browse/tag/{tag}?page={bad}", 400)
    r, _ = page(demo_client, f"/browse/tag/{tag}?sort=nonsense", 400)
    assert "sort must be one of" in r.text


def test_browse_values_with_meanings(demo_client, store):
    r, p = page(demo_client, "/browse/tag")
    tags = store.counts("tag")
    assert all(f"/browse/tag/{t}" in p.links for t, _ in tags[:20])
    assert "Internal politics" in r.text or "External political relations" in r.text  # tag meanings
    r, p = page(demo_client, "/browse/tag?sort=name")
    shown = [unquote(link.rsplit("/", 1)[1]) for link in p.links if link.startswith("/browse/tag/")]
    assert shown == sorted(shown, key=lambda v: (v.casefold(), v))
    r, p = page(demo_client, "/browse/origin")
    origin, n = store.counts("origin")[0]
    link = next(link for link in p.links if link.startswith("/browse/origin/") and unquote(link.split("/")[-1]) == origin)
    r, p = page(demo_client, link)
    assert f"{n:,} cable" in r.text
    r, p = page(demo_client, "/browse/classification")
    for value, n in store.counts("classification"):
        slug = "-".join(re.sub(r"[^a-z0-9]+", " ", value.lower()).split())
        assert f"/browse/classification/{slug}" in p.links
        r2, _ = page(demo_client, f"/browse/classification/{slug}")
        assert f"{n:,} cable" in r2.text
    page(demo_client, "/browse/classification/top-secret", 404)
    page(demo_client, "/browse/origin/Embassy%20Atlantis", 404)
    page(demo_client, "/browse/tag/NOTATAG", 404)
    page(demo_client, "/browse/tag/a%20b%22c", 404)


# ---------------------------------------------------------------------------
# Search


def test_search_total_snippets_and_hit_links(demo_client, store):
    word = "exercise"
    expected = store.query(word, limit=20)
    assert expected.total > 20
    r, p = page(demo_client, f"/search?q={word}")
    assert f"<strong>{expected.total:,} cables</strong>" in r.text
    assert r.text.count("<mark>") >= len(expected.hits)
    hits = [h for h in expected.hits if h.paragraph is not None]
    assert hits
    for h in hits:
        assert f"/cable/{h.id}?hl={word}#par{h.paragraph}" in p.links
        assert f"In paragraph {h.paragraph}" in r.text
    assert f"/search?q={word}&page=2" in p.links


def test_facets_refine_the_query(demo_client, store):
    from cablemirror.web.views.search import Refine

    q = parse_query("exercise")
    r, p = page(demo_client, "/search?q=exercise")
    result = store.query(q, limit=1)
    for name in ("origin", "year", "classification", "tag"):
        for value, count in result.facets[name][:3]:
            narrowed = Refine(q, name, value).narrow()
            link = f"/search?{urlencode({'q': str(narrowed)})}"
            assert link in p.links, (name, link)
            r2, p2 = page(demo_client, link)
            # the count on the facet is the total of the refined search
            assert f"<strong>{count:,} cable" in r2.text, (name, value, str(narrowed))
            # and the active facet links back to the query without it
            assert f"/search?{urlencode({'q': str(q)})}" in p2.links
            assert 'class="active"' in r2.text
    excluded = Refine(q, "tag", result.facets["tag"][0][0]).exclude()
    assert f"/search?{urlencode({'q': str(excluded)})}" in p.links
    r3, _ = page(demo_client, f"/search?{urlencode({'q': str(excluded)})}")
    assert f"<strong>{result.total - result.facets['tag'][0][1]:,} cable" in r3.text


def test_sort_by_date(demo_client, store):
    for sort in ("date", "-date"):
        _, p = page(demo_client, f"/search?q=exercise&sort={sort}")
        expected = store.query("exercise", sort=sort, limit=20)
        ids = [urlsplit(link).path for link in p.links if link.startswith("/cable/")]
        assert list(dict.fromkeys(ids)) == [f"/cable/{h.id}" for h in expected.hits]
    page(demo_client, "/search?q=exercise&sort=rank", 400)


def test_empty_query_lists_everything(demo_client):
    r, _ = page(demo_client, "/search")
    assert f"<strong>{DEMO_COUNT:,} cables</strong>" in r.text


@pytest.mark.parametrize(
    "q, message",
    [
        ('"civil society', "this quote is never closed"),
        ("(iran OR iraq", "this '(' is never closed"),
        ("orgin:almaty", "unknown field 'orgin'"),
        ("from:2005-13", "there is no month 13"),
        ("OR election", "OR needs something before it"),
        ("x" * 2500, "too long"),
    ],
)
def test_malformed_queries_are_400_with_message_column_and_hint(demo_client, q, message):
    r = demo_client.get("/search", params={"q": q})
    assert r.status_code == 400
    text = r.text.replace("&#39;", "'")
    assert message in text.lower() or message in text
    assert "(column " in text
    assert 'class="hint"' in text
    assert 'aria-invalid="true"' in text


def test_search_help_renders_the_query_language_docs(demo_client):
    r, p = page(demo_client, "/search/help")
    assert "<table" in r.text and "origin:almaty" in r.text
    examples = [link for link in p.links if link.startswith("/search?q=")]
    assert len(examples) > 30
    # every example link runs: a result page or a reasoned 400, never a 500
    for link in examples[::3]:
        assert demo_client.get(link).status_code in (200, 400), link
    assert "For developers" not in r.text  # the Python API is not for readers


# ---------------------------------------------------------------------------
# The cable page


def test_cable_page(demo_client, store, a_cable):
    cid = a_cable["id"]
    r, p = page(demo_client, f"/cable/{cid}")
    text = r.text
    assert p.meta["og:type"] == "article" and p.canonical == f"http://testserver/cable/{cid}"
    assert a_cable["title"].replace("'", "&#39;").replace("&", "&amp;") in text or a_cable["title"] in text
    for label in ("Reference id", "Created", "Released", "Origin", "Classification", "Tags", "Source"):
        assert f'<th scope="row">{label}</th>' in text
    assert a_cable["source"]["sha256"] in text
    for tag in a_cable["tags"]:
        assert f"/browse/tag/{tag}" in p.links
    for n in [par["number"] for par in a_cable["paragraphs"] if par["number"]]:
        assert f"par{n}" in p.ids and f"#par{n}" in p.links
    for suffix in (".pdf", ".json", ".raw"):
        assert f"/cable/{cid}{suffix}" in p.links
    assert "/how-to-read-a-cable" in p.links
    assert 'id="header"' in text  # the routing header
    refs = store.references(cid)
    for ref in refs:
        if ref["id"]:
            assert f"/cable/{ref.get('stored_id') or ref['id']}" in p.links
    if any(not ref["stored"] for ref in refs if ref["id"]):
        assert "known but not in this mirror" in text


def test_cited_by_and_known_but_missing(demo_client, store):
    missing = None
    cited = None
    for cid, _ in store.iter_ids():
        for ref in store.references(cid):
            if ref["id"] and not ref["stored"] and missing is None:
                missing = ref["id"]
            if ref["stored"] and cited is None:
                cited = ref.get("stored_id") or ref["id"]
        if missing and cited:
            break
    assert missing and cited
    r, p = page(demo_client, f"/cable/{missing}", 404)
    assert "known but not in this mirror" in r.text and "cited by" in r.text
    for citing in store.cited_by(missing):
        assert f"/cable/{citing}" in p.links
    r, p = page(demo_client, f"/cable/{cited}")
    for citing in store.cited_by(cited):
        assert f"/cable/{citing}" in p.links
    r, _ = page(demo_client, "/cable/99NOWHERE1", 404)
    assert "no cable" in r.text.lower()


def test_other_spellings_redirect_to_the_stored_id(demo_client, a_cable):
    cid = a_cable["id"]
    m = re.fullmatch(r"(\d\d)([A-Z]+)(\d+)", cid)
    assert m
    for other in (cid.lower(), f"{m[1]}{m[2]}{int(m[3]):06d}", f"{m[1]}{m[2].lower()}{m[3]}"):
        r = demo_client.get(f"/cable/{other}?hl=word")
        assert r.status_code == 301, other
        assert r.headers["location"] == f"/cable/{cid}?hl=word"
    r = demo_client.get(f"/cable/{cid.lower()}/diff")
    assert r.status_code == 301 and r.headers["location"] == f"/cable/{cid}/diff"


@pytest.mark.parametrize("raw", ["..%2F..%2Fetc%2Fpasswd", "x" * 5000, "%3Cscript%3E", "%00", "%E2%80%AE05X1"])
def test_hostile_ids_are_404_not_500(demo_client, raw):
    r = demo_client.get(f"/cable/{raw}")
    assert r.status_code == 404
    assert "<script>" not in r.text


def test_highlight_from_a_search_hit(demo_client, store):
    hit = next(h for h in store.query("exercise", limit=20).hits if h.paragraph)
    r, p = page(demo_client, f"/cable/{hit.id}?hl=exercise")
    block = re.search(rf'<div class="par" id="par{hit.paragraph}">(.*?)</div>', r.text, re.S)
    assert block and re.search(r"<mark>exercises?</mark>", block.group(1), re.I)
    assert f"/cable/{hit.id}" in p.links  # "show without highlighting"


def test_glossary_tooltips_are_keyboard_reachable(demo_client, a_cable):
    r, _ = page(demo_client, f"/cable/{a_cable['id']}")
    abbrs = re.findall(r"<abbr [^>]*>", r.text)
    assert len(abbrs) > 5
    assert all('tabindex="0"' in a and 'title="' in a for a in abbrs)
    assert any("k-tag" in a for a in abbrs) and any("marking" in a for a in abbrs)


# ---------------------------------------------------------------------------
# Versions and diff (the demo has one version per cable; see test_pages_corpus for more)


def test_diff_of_a_single_version_is_404(demo_client, a_cable):
    r, _ = page(demo_client, f"/cable/{a_cable['id']}/diff", 404)
    assert "only one stored version" in r.text


# ---------------------------------------------------------------------------
# Privacy, errors, static files


def test_no_cookies_and_no_other_origins(demo_client, a_cable):
    urls = PAGES + [f"/cable/{a_cable['id']}", "/search?q=exercise", "/browse/date/2005", "/nope", "/search?q=%22"]
    for url in urls:
        r = demo_client.get(url)
        assert "set-cookie" not in r.headers, url
        p = Page(r.text)
        for ref in p.srcs:
            assert ref.startswith("/") or ref.startswith("http://testserver/"), (url, ref)
        for link in p.links:
            scheme = urlsplit(link).scheme
            assert scheme in ("", "http") and (not scheme or link.startswith("http://testserver/")), (url, link)
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "<style" not in r.text and " style=" not in r.text  # the CSP forbids inline styles
        assert not re.search(r"<script(?![^>]*\bsrc=)", r.text)  # and inline scripts


def test_privacy_page_is_true_of_the_code():
    from cablemirror import cli

    source = Path(cli.__file__).read_text("utf-8")
    assert "access_log=False" in source  # uvicorn's access log (with addresses) stays off


def test_access_log_without_addresses(demo_store):
    import logging

    from cablemirror.web.site import SiteConfig

    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    log = logging.getLogger("cablemirror.access")
    keep = Keep()
    log.addHandler(keep)
    try:
        with make_client(demo_store, SiteConfig(access_log=True)) as c:
            c.get("/privacy?q=secret-words", headers={"X-Forwarded-For": "203.0.113.9", "User-Agent": "Tracker/1"})
            r = c.get("/privacy")
            assert "operator has turned on an access log without addresses" in r.text
        with make_client(demo_store) as c:  # off by default
            c.get("/privacy?off")
    finally:
        log.removeHandler(keep)
    assert len(lines) == 2 and lines[0].startswith("GET /privacy 200 ")
    assert not any(x in " ".join(lines) for x in ("203.0.113", "testclient", "Tracker", "secret-words", "off"))


def test_error_pages_use_the_layout(demo_client):
    r, p = page(demo_client, "/no/such/page", 404)
    assert "Page not found" in r.text and "/search" in p.links and p.meta["robots"] == "noindex"
    r = demo_client.post("/")
    assert r.status_code == 405 and "Method not allowed" in r.text


def test_server_error_page(demo_store):
    from starlette.testclient import TestClient

    from cablemirror.web.app import create_app

    app = create_app(str(demo_store))

    class Broken:
        def __getattr__(self, name):
            raise RuntimeError("broken on purpose")

    app.state.store = Broken()
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/browse/tag")
    assert r.status_code == 500
    assert "Something went wrong" in r.text and "broken on purpose" not in r.text


def test_static_files_have_cache_headers(demo_client):
    r, p = page(demo_client, "/")
    css = next(s for s in p.srcs if s.startswith("/static/site.css?v="))
    r = demo_client.get(css)
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    assert demo_client.get("/static/site.css").headers["cache-control"] == "public, max-age=3600"
    assert demo_client.get("/static/nope.css").status_code == 404


def test_cable_text_is_rendered_once_per_version(demo_client, a_cable, monkeypatch):
    """The body HTML is cached per (id, sha256, highlight, references): a second
    request for the same cable does no glossary scan."""
    from cablemirror.web.views import cable

    calls = []
    real = cable.render_text
    monkeypatch.setattr(cable, "render_text", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    url = f"/cable/{a_cable['id']}?hl=cached+words"
    demo_client.get(url)
    assert len(calls) == 2  # body and header
    demo_client.get(url)
    assert len(calls) == 2
    demo_client.get(f"/cable/{a_cable['id']}?hl=other")
    assert len(calls) == 4


def test_an_empty_store_degrades_gracefully(tmp_path):
    db = tmp_path / "empty.db"
    open_store(db).close()
    with make_client(db) as c:
        for url in PAGES + ["/browse/date/2005", "/browse/tag/PGOV", "/search?q=anything"]:
            r = c.get(url)
            assert r.status_code == 200, url
        assert "holds no records yet" in c.get("/").text
        assert "No cable in this mirror shows this part yet" in c.get("/how-to-read-a-cable").text
        assert c.get("/cable/05ALMATY2985").status_code == 404
