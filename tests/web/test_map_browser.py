"""The war-diary pages in a real browser (Debian's chromium through Playwright): the map
(click a cell -> its reports), a filter (click a facet -> its count), the report page,
the timeline, phone width and dark mode.  Screenshots go to test-output/screenshots/
(war-*.png).  Skipped, saying why, without /usr/bin/chromium or playwright."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from cablemirror.store import open_store

from .reports_fixture import report_store  # noqa: F401  (fixture)
from tests.conftest import chromium_browser, live_site

from .test_browser import Watch, dom_checks, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(report_store: Path) -> Iterator[str]:
    with live_site(report_store) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[tuple[Any, Watch]]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    watch = Watch(pg, server)
    yield pg, watch
    watch.check()
    ctx.close()


def _total(pg: Any) -> int:
    return int(re.search(r"([\d,]+) reports?", pg.inner_text('p.total[role="status"]')).group(1).replace(",", ""))


def _count(label: str) -> int:
    return int(re.match(r"[\d,]+", label).group().replace(",", ""))


def test_click_a_cell_of_the_map_and_get_its_reports(page, server):
    pg, _ = page
    pg.goto(server + "/map?q=kia%3E0")
    dom_checks(pg)
    svg = pg.locator("svg.warmap")
    box = svg.bounding_box()
    assert box and box["width"] > 600 and box["height"] > 350, "the map is drawn at a readable size"
    assert pg.locator("svg.warmap .provinces").count() == 1 and pg.locator("svg.warmap a.bin").count() > 20
    shot(pg, "war-map")
    # The last circle drawn is the smallest, on top of any neighbour: click its middle.
    cell = pg.locator("svg.warmap a.bin").last
    want = _count(cell.get_attribute("aria-label"))
    cell.locator("circle").click()
    pg.wait_for_url(re.compile(r"/reports\?q="))
    q = parse_qs(urlsplit(pg.url).query)["q"][0]
    assert "kia>0" in q and "box:" in q
    assert _total(pg) == want
    dom_checks(pg)
    shot(pg, "war-map-cell-reports")
    # and with the keyboard: the fullest cell is a link too
    pg.go_back()
    pg.wait_for_url(re.compile(r"/map"))
    fullest = pg.locator("svg.warmap a.bin").first
    want = _count(fullest.get_attribute("aria-label"))
    fullest.focus()
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(r"/reports\?q="))
    assert _total(pg) == want


def test_filter_the_map_and_the_list_with_a_facet(page, server):
    pg, _ = page
    pg.goto(server + "/map")
    before = _total(pg)
    facet = pg.locator('section.facet[aria-labelledby="facet-region"] li').first
    value = facet.locator("a").first.inner_text()
    count = int(facet.locator(".count").inner_text().replace(",", ""))
    facet.locator("a").first.click()
    pg.wait_for_url(re.compile(r"/map\?"))
    assert _total(pg) == count < before
    assert pg.locator("li.active").count() == 1
    shot(pg, "war-map-filtered")
    # on the list: a type facet narrows the reports to its count
    pg.goto(server + "/reports?q=" + "region%3Asouth")
    dom_checks(pg)
    facet = pg.locator('section.facet[aria-labelledby="facet-type"] li').first
    value = facet.locator("a").first.inner_text()
    count = int(facet.locator(".count").inner_text().replace(",", ""))
    facet.locator("a").first.click()
    pg.wait_for_load_state()
    q = parse_qs(urlsplit(pg.url).query)["q"][0]
    assert "type:" in q and "region:" in q and value.lower() in q.lower()
    assert _total(pg) == count
    shot(pg, "war-reports-facet")


def test_the_report_page(page, server, report_store):
    pg, _ = page
    with open_store(str(report_store), readonly=True) as store:
        key = store.query_reports("kia>2 located:yes ied", limit=1).hits[0].key
    pg.goto(f"{server}/report/{key}")
    dom_checks(pg)
    assert pg.locator("svg.warmap.locator .marker .dot").is_visible()
    for _ in range(80):  # Tab to the first explained abbreviation of the summary
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.tagName") == "ABBR":
            break
    else:
        pytest.fail("no abbreviation of the summary is reachable with Tab")
    focused = pg.evaluate_handle("document.activeElement")
    title = focused.get_attribute("title")
    assert title and title in pg.evaluate("el => getComputedStyle(el, '::after').content", focused)
    shot(pg, "war-report", full=True)


def test_the_timeline(page, server):
    pg, _ = page
    pg.goto(server + "/timeline")
    dom_checks(pg)
    assert pg.locator("svg.chart-svg").count() == 3
    width = pg.locator("svg.chart-svg").first.bounding_box()["width"]
    assert width > 600
    shot(pg, "war-timeline", full=True)
    month = pg.locator("svg.chart-svg.stacked a").nth(30)
    month.locator("rect").first.click()
    pg.wait_for_url(re.compile(r"/reports\?q=date"))
    assert _total(pg) > 0


def test_phone_width_and_dark_mode(browser, server, report_store):
    with open_store(str(report_store), readonly=True) as store:
        key = store.query_reports("located:yes", limit=1).hits[0].key
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True)
    pg = ctx.new_page()
    watch = Watch(pg, server)
    try:
        for url, name in (("/map", "war-phone-dark-map"), ("/reports?q=ied", "war-phone-dark-reports"),
                          (f"/report/{key}", "war-phone-dark-report"), ("/timeline", "war-phone-dark-timeline")):  # fmt: skip
            pg.goto(server + url)
            dom_checks(pg)  # includes: no horizontal scrolling
            shot(pg, name)
        watch.check()
    finally:
        ctx.close()
