"""Accessibility basics, checked on the HTML and on the style sheet: contrast of the
palette (light and dark), one h1 and ordered headings, labelled inputs, tables with
headers, tooltips reachable by keyboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cablemirror.web.views.common import STATIC_DIR

from .test_pages import PAGES, Page

CSS = (STATIC_DIR / "site.css").read_text("utf-8")


def _block(selector_re: str) -> dict[str, str]:
    m = re.search(selector_re + r"\s*\{(.*?)\}", CSS, re.S)
    assert m, selector_re
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", m.group(1)))


LIGHT = _block(r":root")
DARK = {**LIGHT, **_block(r"@media \(prefers-color-scheme: dark\) \{\s*:root")}
PAIRS = [tuple(p.split("/")) for p in " ".join(re.findall(r"PAIRS:(.*?)\*/", CSS, re.S)[0].split()).split()]


def _luminance(hex_color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_palette_contrast_is_at_least_4_5(scheme):
    palette = LIGHT if scheme == "light" else DARK
    assert len(PAIRS) >= 15
    for fg, bg in PAIRS:
        ratio = contrast(palette[fg], palette[bg])
        assert ratio >= 4.5, f"{scheme}: {fg} on {bg} is {ratio:.2f}:1"
    # links and focus rings against both page backgrounds
    for fg in ("link", "link-visited", "focus"):
        for bg in ("bg", "bg-alt"):
            assert contrast(palette[fg], palette[bg]) >= 3.0, (scheme, fg, bg)
    assert contrast(palette["link-visited"], palette["bg"]) >= 4.5


def test_the_dark_palette_overrides_every_colour():
    dark_only = _block(r"@media \(prefers-color-scheme: dark\) \{\s*:root")
    assert set(LIGHT) == set(dark_only)


def _pages(client, a_cable_id: str) -> list[str]:
    return PAGES + [
        f"/cable/{a_cable_id}",
        "/search?q=exercise",
        "/search?q=%22broken",
        "/browse/date/2005",
        "/browse/tag/PGOV",
        "/no/such/page",
    ]


@pytest.fixture(scope="module")
def a_cable_id(demo_store: Path) -> str:
    from cablemirror.store import open_store

    with open_store(str(demo_store), readonly=True) as store:
        return next(cid for cid, _ in store.iter_ids() if store.get_cable(cid)["header"])


def test_headings_inputs_and_tables(demo_client, a_cable_id):
    for url in _pages(demo_client, a_cable_id):
        r = demo_client.get(url)
        p = Page(r.text)
        levels = [level for level, _ in p.headings]
        assert levels.count(1) == 1, (url, p.headings)
        assert levels[0] == 1, (url, p.headings)
        for prev, nxt in zip(levels, levels[1:]):
            assert nxt <= prev + 1, f"{url}: h{prev} then h{nxt}"
        assert all(text for _, text in p.headings), url
        for inp in p.inputs:
            assert inp.get("id") in p.label_for or inp.get("aria-label"), (url, inp)
        for table in re.findall(r"<table.*?</table>", r.text, re.S):
            assert "<th" in table, url
        assert 'lang="en"' in r.text


def test_tooltips_and_permalinks_are_for_keyboards_too(demo_client, a_cable_id):
    r = demo_client.get(f"/cable/{a_cable_id}")
    assert re.search(r"abbr\[title\]:focus::after", CSS), "the tooltip shows on keyboard focus"
    assert ":focus-visible" in CSS and "outline" in CSS
    for abbr in re.findall(r"<abbr [^>]*>", r.text):
        assert 'tabindex="0"' in abbr
    for a in re.findall(r'<a class="pilcrow"[^>]*>', r.text):
        assert "aria-label=" in a
    assert 'href="#after-text"' in r.text  # a way past the many focusable terms
