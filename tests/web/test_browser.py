"""The site in a real browser (Debian's chromium through Playwright) over a real server.

uvicorn serves the demo store on a free loopback port in a thread; each scenario
drives the pages as a reader would and saves a screenshot under
test-output/screenshots/.  Skipped, saying why, when /usr/bin/chromium or the
playwright package is missing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import chromium_browser, live_site

from cablemirror.store import open_store

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_store: Path) -> Iterator[str]:
    with live_site(demo_store) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


class Watch:
    """Everything the page asked for and complained about."""

    def __init__(self, page: Any, base: str) -> None:
        self.base = base
        self.requests: list[str] = []
        self.problems: list[str] = []
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("console", lambda msg: msg.type in ("error", "warning") and self.problems.append(msg.text))
        page.on("pageerror", lambda err: self.problems.append(str(err)))

    def check(self) -> None:
        foreign = [u for u in self.requests if not u.startswith(self.base) and not u.startswith("data:")]
        assert not foreign, f"requests to other origins: {foreign}"
        csp = [p for p in self.problems if "Content Security Policy" in p or "Refused" in p]
        assert not csp, csp


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[tuple[Any, Watch]]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    watch = Watch(pg, server)
    yield pg, watch
    watch.check()
    ctx.close()


def shot(pg: Any, name: str, *, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def dom_checks(pg: Any) -> None:
    """A few accessibility assertions on the live DOM."""
    problems = pg.evaluate(
        """() => {
        const out = [];
        if (document.documentElement.lang !== 'en') out.push('no lang');
        const h1 = document.querySelectorAll('h1');
        if (h1.length !== 1) out.push(h1.length + ' h1');
        for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
          if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) out.push('unlabelled ' + (el.id || el.name));
        }
        for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) out.push('img without alt');
        for (const a of document.querySelectorAll('a')) {
          if (!a.textContent.trim() && !a.getAttribute('aria-label') && !a.closest('svg')) out.push('empty link ' + a.href);
        }
        let last = 0;
        for (const h of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) {
          const n = +h.tagName[1];
          if (last && n > last + 1) out.push('heading jump h' + last + ' -> h' + n);
          last = n;
        }
        if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push('horizontal scroll');
        return out;
    }"""
    )
    assert not problems, problems


@pytest.fixture(scope="module")
def linked(demo_store: Path) -> tuple[str, str]:
    """A demo cable whose REF line cites a cable stored here: (citing id, cited id)."""
    with open_store(str(demo_store), readonly=True) as store:
        for cid, _ in store.iter_ids():
            for ref in store.references(cid):
                if ref["stored"] and ref["id"]:
                    return cid, ref.get("stored_id") or ref["id"]
    pytest.fail("no demo cable cites a stored cable")


def test_search_facet_and_open_a_hit(page, server):
    pg, _ = page
    pg.goto(server + "/")
    dom_checks(pg)
    shot(pg, "home")
    pg.fill("#home-q", "exercise")
    pg.press("#home-q", "Enter")
    pg.wait_for_url(re.compile(r"/search\?q=exercise"))
    total = int(re.search(r"([\d,]+) cables?", pg.inner_text("p.total")).group(1).replace(",", ""))
    assert total > 20
    assert pg.locator("ol.hits mark").count() > 0
    dom_checks(pg)
    shot(pg, "search")

    # a facet narrows the search to the count it showed
    facet = pg.locator("section.facet").filter(has=pg.locator("h3", has_text="Tag")).locator("li").first
    value = facet.locator("a").first.inner_text()
    count = int(facet.locator(".count").inner_text().replace(",", ""))
    facet.locator("a").first.click()
    pg.wait_for_load_state()
    q = parse_qs(urlsplit(pg.url).query)["q"][0]
    assert f"tag:{value}" in q
    assert pg.inner_text("p.total").startswith(f"{count:,} cable")
    assert pg.locator("li.active").count() == 1
    shot(pg, "search-facet")

    # open a hit at its paragraph: the paragraph is the target, in view, highlighted
    hit = pg.locator("ol.hits a[href*='#par']").first
    href = hit.get_attribute("href")
    hit.click()
    pg.wait_for_load_state()
    anchor = urlsplit(href).fragment
    assert urlsplit(pg.url).fragment == anchor
    target = pg.locator(f"#{anchor}")
    assert target.evaluate("el => el.matches(':target')")
    assert target.locator("mark").count() > 0
    box = target.bounding_box()
    assert box and 0 <= box["y"] < 900, "the paragraph is scrolled into view"
    assert target.locator("mark").first.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    dom_checks(pg)
    shot(pg, "cable-at-hit")


def test_follow_a_reference(page, server, linked):
    pg, _ = page
    citing, cited = linked
    pg.goto(f"{server}/cable/{citing}")
    ref = pg.locator(f".cable-text a.ref[href='/cable/{cited}']")
    assert ref.count() >= 1
    ref.first.scroll_into_view_if_needed()
    shot(pg, "reference-link")
    ref.first.click()
    pg.wait_for_url(f"{server}/cable/{cited}")
    assert cited in pg.inner_text(".cable-head .kicker")
    # and the cited cable lists the citing one under "Cited by"
    assert pg.locator(f"#cited-h ~ ul a[href='/cable/{citing}']").count() == 1
    dom_checks(pg)


def test_download_the_pdf(page, server, linked):
    pg, _ = page
    pg.goto(f"{server}/cable/{linked[0]}")
    href = pg.locator("ul.actions a", has_text="PDF").get_attribute("href")
    assert href == f"/cable/{linked[0]}.pdf"
    response = pg.context.request.get(server + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_keyboard_focus_shows_a_glossary_tooltip(page, server, linked):
    pg, _ = page
    pg.goto(f"{server}/cable/{linked[0]}")
    for _ in range(120):  # Tab through the page as a keyboard user does
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.tagName") == "ABBR":
            break
    else:
        pytest.fail("no glossary term is reachable with Tab")
    focused = pg.evaluate_handle("document.activeElement")
    title = focused.get_attribute("title")
    tip = pg.evaluate("el => getComputedStyle(el, '::after').content", focused)
    assert title and title in tip
    assert pg.evaluate("el => getComputedStyle(el, '::after').display", focused) != "none"
    outline = pg.evaluate("el => getComputedStyle(el).outlineStyle", focused)
    assert outline not in ("none", ""), "focus is visible"
    shot(pg, "tooltip-focus")
    pg.keyboard.press("Escape")
    assert pg.evaluate("el => getComputedStyle(el, '::after').display", focused) == "none"
    assert pg.evaluate("document.activeElement.tagName") == "ABBR"  # Escape hides, focus stays


def test_phone_width_and_dark_mode(browser, server, linked):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True)
    pg = ctx.new_page()
    watch = Watch(pg, server)
    try:
        for url, name in ((f"/cable/{linked[0]}", "phone-dark-cable"), ("/search?q=exercise", "phone-dark-search"),
                          ("/browse/date/2005", "phone-dark-browse")):
            pg.goto(server + url)
            dom_checks(pg)  # includes: no horizontal scrolling
            shot(pg, name)
        bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
        assert bg == "rgb(21, 23, 26)", "the dark palette applies"
        watch.check()
    finally:
        ctx.close()


def test_every_page_passes_the_dom_checks(page, server, linked):
    pg, _ = page
    for url in ("/browse", "/browse/date", "/browse/origin", "/browse/tag", "/browse/classification",
                "/search/help", "/how-to-read-a-cable", "/privacy", "/search?q=%22broken", "/nope",
                f"/cable/{linked[1]}", f"/search?q=ref:{linked[1]}"):
        pg.goto(server + url)
        dom_checks(pg)
    pg.goto(server + "/how-to-read-a-cable")
    shot(pg, "guide")
    pg.goto(server + "/search?q=%22broken")
    assert "never closed" in pg.inner_text(".query-error")
    shot(pg, "query-error")


def test_a_link_into_the_folded_header_opens_it(page, server, demo_store):
    pg, _ = page
    with open_store(str(demo_store), readonly=True) as store:
        cid = next(cid for cid, _ in store.iter_ids() if "Z " in (store.get_cable(cid)["header"] or ""))
    pg.goto(f"{server}/cable/{cid}")
    assert not pg.locator("details#header").evaluate("el => el.open")
    if pg.locator("#h-part-dtg").count() == 0:
        pytest.skip("this header has no date-time group the glossary recognises")
    pg.goto(f"{server}/cable/{cid}#h-part-dtg")
    assert pg.locator("details#header").evaluate("el => el.open")
    assert pg.locator("#h-part-dtg").is_visible()
    shot(pg, "header-dtg")
