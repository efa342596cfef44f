"""The export in a real browser (Debian's chromium through Playwright), opened from
disk (``file://``): searching from the home page and from a cable page, paging,
phrases, errors, a year facet, reading a result; no request leaves the folder, no
error in the console.  Screenshots go to test-output/screenshots/static-*.png.
Skipped, saying why, when /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import chromium_browser

from cablemirror.export.static_links import cable_file
try:  # tests/export is not a package today; keep working if it becomes one
    from .test_static_support import ROOT, demo_export, demo_store, store_ids
except ImportError:
    from test_static_support import ROOT, demo_export, demo_store, store_ids

SHOTS = ROOT / "test-output" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.seen_requests = []
    p.problems = []
    p.on("request", lambda r: p.seen_requests.append(r.url))
    p.on("console", lambda m: p.problems.append(m.text) if m.type in ("error", "warning") else None)
    p.on("pageerror", lambda e: p.problems.append(str(e)))
    yield p
    context.close()


def _site() -> Path:
    return demo_export()[0].resolve()


def _results(page: Any) -> str:
    page.wait_for_function(
        "() => { const t = document.querySelector('#static-search .total, #static-search [role=alert]');"
        " return t && t.textContent.indexOf('Searching') < 0; }", timeout=60_000)
    return page.inner_text("#static-search")


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"static-{name}.png"), full_page=False)


def _only_local(page: Any) -> None:
    site = _site().as_uri()
    assert page.seen_requests and all(u.startswith(site) for u in page.seen_requests), \
        [u for u in page.seen_requests if not u.startswith(site)]
    assert page.problems == []


def test_search_from_the_home_page_opened_from_disk(page: Any) -> None:
    page.goto((_site() / "index.html").as_uri())
    page.fill("#home-q", "election")
    page.press("#home-q", "Enter")
    text = _results(page)
    total = len(store_ids(demo_store(), "election"))
    assert f"{total:,} cables match election" in text
    assert page.url.split("/")[-1] == "search.html?q=election"
    hits = page.query_selector_all("li.hit")
    assert len(hits) == 20
    assert page.input_value("#q") == "election"
    _shot(page, "search")
    first = hits[0].query_selector("a")
    title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.url.endswith(".html") and "/cable/" in page.url
    assert title in page.inner_text("h1")
    _shot(page, "cable")
    _only_local(page)


def test_search_from_a_cable_page_and_paging(page: Any) -> None:
    cid = sorted(store_ids(demo_store(), ""))[0]
    page.goto((_site() / (cable_file(cid) + ".html")).as_uri())
    page.fill("#site-q", '"prime minister"')
    page.press("#site-q", "Enter")
    text = _results(page)
    total = len(store_ids(demo_store(), '"prime minister"'))
    assert total > 20 and f"{total:,} cables match" in text
    page.click("a[rel=next]")
    text = _results(page)
    assert "21 to 40 shown" in text and "page=2" in page.url
    page.select_option("#sort", "date")
    page.click("form.search button")
    _results(page)
    dates = [re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", m.inner_text()).group(0) for m in page.query_selector_all("li.hit p.meta")]
    assert dates == sorted(dates)
    _only_local(page)


def test_fields_a_year_facet_and_errors(page: Any) -> None:
    page.goto((_site() / "search.html").as_uri() + "?q=" + "tag%3APGOV%20-class%3Asecret")
    text = _results(page)
    total = len(store_ids(demo_store(), "tag:PGOV -class:secret"))
    assert f"{total:,} cables match" in text
    year = page.query_selector(".facets a")
    label = year.inner_text()
    year.click()
    text = _results(page)
    narrowed = len(store_ids(demo_store(), f"tag:PGOV -class:secret date:{label}"))
    assert f"{narrowed:,} cable" in text
    _shot(page, "facet")
    page.goto((_site() / "search.html").as_uri() + "?q=" + "orgin%3Aalmaty")
    text = _results(page)
    assert "Unknown field 'orgin'" in text and "Did you mean origin:?" in text
    assert page.get_attribute("#q", "aria-invalid") == "true"
    _shot(page, "error")
    _only_local(page)


def test_browse_pages_and_the_search_help_work_from_disk(page: Any) -> None:
    page.goto((_site() / "browse.html").as_uri())
    page.click("text=By tag")
    page.wait_for_load_state()
    assert page.url.endswith("browse/tag.html")
    page.click("table.values a >> nth=0")
    page.wait_for_load_state()
    assert "/browse/tag/" in page.url
    page.click("text=search within these")
    text = _results(page)
    assert "cables match tag:" in text or "cable match tag:" in text
    page.goto((_site() / "search" / "help.html").as_uri())
    page.click("a.example >> nth=0")
    assert "cable" in _results(page)
    _only_local(page)
