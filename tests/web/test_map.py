"""The map page and the SVG maps: counts that add up, bins that link to exactly their
reports, zooming by links, the bundled outlines and their attribution."""

from __future__ import annotations

import math
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from cablemirror.store import open_store
from cablemirror.store.reports import MIN_STEP, ReportBin, ReportBins
from cablemirror.web.svgmap import (
    ATTRIBUTION_TEXT,
    _simplify,
    choose_step,
    clamp_view,
    locator_svg,
    map_svg,
    pan,
    theatre_map,
    zoom,
)

from .reports_fixture import report_client, report_records, report_store  # noqa: F401  (fixtures)


def _numbers(html: str) -> dict[str, int]:
    """The map's status line: total, on the map, outside it, without a position."""
    doc = HTMLParser(html)
    status = doc.css_first('p.total[role="status"]')
    text = status.text()
    total = int(re.search(r"([\d,]+) reports?", text).group(1).replace(",", ""))
    binned = int(re.search(r"([\d,]+) on this map", text).group(1).replace(",", ""))
    outside = status.css_first("a.outside")
    unlocated = status.css_first("a.unlocated")
    return {
        "total": total,
        "binned": binned,
        "outside": int(re.match(r"[\d,]+", outside.text()).group().replace(",", "")) if outside else 0,
        "unlocated": int(re.match(r"[\d,]+", unlocated.text()).group().replace(",", "")) if unlocated else 0,
    }


def _total(html: str) -> int:
    return int(re.search(r"<strong>([\d,]+) reports?</strong>", html).group(1).replace(",", ""))


@pytest.fixture(scope="module")
def store(report_store: Path):  # type: ignore[no-untyped-def]
    with open_store(report_store, readonly=True) as s:
        yield s


@pytest.mark.parametrize("q", ["", "kia>0", 'type:"enemy action" from:2008', "region:east civilian>0"])
def test_the_numbers_add_up_to_the_query_total(report_client, store, q):
    r = report_client.get("/map", params={"q": q})
    assert r.status_code == 200
    n = _numbers(r.text)
    assert n["binned"] + n["outside"] + n["unlocated"] == n["total"]
    assert n["total"] == store.query_reports(q, limit=0, facets=()).total
    doc = HTMLParser(r.text)
    circles = doc.css("svg.warmap g.bins a.bin circle")
    counts = [int(re.match(r"[\d,]+", a.attributes["aria-label"]).group().replace(",", ""))
              for a in doc.css("svg.warmap g.bins a.bin")]  # fmt: skip
    assert len(circles) == len(counts) and sum(counts) == n["binned"]


def test_the_whole_map_shows_every_located_afghan_report(report_client, report_records):
    n = _numbers(report_client.get("/map").text)
    afghan = [r for r in report_records if r["theatre"] == "afghanistan"]
    assert n["unlocated"] == sum(1 for r in report_records if r["latitude"] is None)
    # Iraq's reports, and the few Afghan ones placed far away by damaged rows, are outside
    far = [r for r in afghan if any(p["kind"] == "outside-theatre" for p in r["problems"])]
    iraq_located = sum(1 for r in report_records if r["theatre"] == "iraq" and r["latitude"] is not None)
    assert n["outside"] == iraq_located + len(far)


def test_each_bin_links_to_exactly_its_reports(report_client):
    doc = HTMLParser(report_client.get("/map", params={"q": "kia>0"}).text)
    bins = doc.css("svg.warmap g.bins a.bin")
    for a in bins[:8] + bins[-4:]:
        want = int(re.match(r"[\d,]+", a.attributes["aria-label"]).group().replace(",", ""))
        href = a.attributes["href"]
        q = parse_qs(urlsplit(href).query)["q"][0]
        assert "kia>0" in q and "box:" in q
        assert _total(report_client.get(href).text) == want, href


def test_outside_and_unlocated_links(report_client):
    page = report_client.get("/map").text
    doc = HTMLParser(page)
    n = _numbers(page)
    assert _total(report_client.get(doc.css_first("a.outside").attributes["href"]).text) == n["outside"]
    assert _total(report_client.get(doc.css_first("a.unlocated").attributes["href"]).text) == n["unlocated"]


def test_the_fullest_cells_table(report_client):
    doc = HTMLParser(report_client.get("/map").text)
    rows = doc.css("table.cells tbody tr")
    counts = [int(tr.css_first("td a").text().replace(",", "")) for tr in rows]
    assert counts and counts == sorted(counts, reverse=True)
    link = rows[0].css_first("td a").attributes["href"]
    assert _total(report_client.get(link).text) == counts[0]
    zoomed = report_client.get(rows[0].css("a")[-1].attributes["href"])
    assert zoomed.status_code == 200 and _numbers(zoomed.text)["binned"] >= counts[0]


def test_zooming_and_panning_are_links(report_client):
    doc = HTMLParser(report_client.get("/map").text)
    controls = {a.text().strip(): a.attributes["href"] for a in doc.css("nav.map-controls a")}
    assert "Zoom out" not in controls  # the whole country is as far out as the map goes
    for label in ("Zoom in", "↑ North", "↓ South", "← West", "→ East"):
        r = report_client.get(controls[label])
        assert r.status_code == 200, label
        n = _numbers(r.text)
        assert n["binned"] + n["outside"] + n["unlocated"] == n["total"]
    inner = report_client.get(controls["Zoom in"]).text
    assert re.search(r"cells of 0\.125°", inner)
    assert "Whole country" in inner and "Zoom out" in inner
    iraq = next(url for label, url in controls.items() if label.startswith("Map of Iraq"))
    assert "Map of Iraq" in report_client.get(iraq).text


def test_the_iraq_map(report_client, report_records):
    r = report_client.get("/map", params={"theatre": "iraq", "q": "theatre:iraq"})
    assert r.status_code == 200 and "Map of Iraq" in r.text
    n = _numbers(r.text)
    assert n["binned"] == sum(1 for x in report_records if x["theatre"] == "iraq" and x["latitude"] is not None)
    assert 'id="provinces-iraq"' in r.text
    # the query's theatre chooses the map when the parameter is absent
    assert "Map of Iraq" in report_client.get("/map", params={"q": "theatre:iraq kia>0"}).text


def test_a_box_query_is_shown_around_its_box(report_client, store):
    r = report_client.get("/map", params={"q": "box:31,64.5,32,66"})
    n = _numbers(r.text)
    assert n["binned"] == store.query_reports("box:31,64.5,32,66", limit=0).total == n["total"]
    view = HTMLParser(r.text).css_first("svg.warmap").attributes["viewBox"]
    assert view  # a window smaller than the whole country
    home = HTMLParser(report_client.get("/map").text).css_first("svg.warmap").attributes["viewBox"]
    assert float(view.split()[2]) < float(home.split()[2]) / 4


def test_bad_parameters(report_client):
    for url in ("/map?bbox=1,2", "/map?bbox=a,b,c,d", "/map?bbox=40,60,30,70", "/map?bbox=nan,1,2,3",
                "/map?theatre=mars", "/map?q=%22"):  # fmt: skip
        assert report_client.get(url).status_code == 400, url


def test_attribution_and_no_foreign_assets(report_client, report_records):
    for url in ("/map", f"/report/{next(r['report_key'] for r in report_records if r['latitude'] is not None)}"):
        doc = HTMLParser(report_client.get(url).text)
        credit = doc.css_first("p.map-credit")
        assert ATTRIBUTION_TEXT in credit.text() and credit.css_first("a").attributes["href"] == "https://www.amcharts.com/"
        for el in doc.css("[src], link[rel=stylesheet], link[rel=icon], use, image"):
            ref = el.attributes.get("src") or el.attributes.get("href") or ""
            assert not re.match(r"(https?:)?//", ref), ref


# --------------------------------------------------------------------------- svgmap itself


def test_the_bundled_outlines():
    afg, iraq = theatre_map("afghanistan"), theatre_map("iraq")
    assert len(afg.provinces) == 34 and len(iraq.provinces) == 19
    assert {p.name for p in afg.provinces} >= {"Kandahar", "Helmand", "Kabul", "Badakhshan"}
    s, w, n, e = afg.bounds
    assert 29 < s < 30 and 60 < w < 61 and 38 < n < 39 and 74 < e < 75.5
    assert all(p.path.startswith("M") and p.path.endswith("Z") for p in afg.provinces)
    with pytest.raises(KeyError):
        theatre_map("mars")


def test_steps_are_powers_of_two_about_48_across():
    for width in (14.4, 7.2, 1.0, 0.05, 300):
        step = choose_step((30, 60, 31, 60 + width))
        assert math.log2(step) == int(math.log2(step)) and MIN_STEP <= step <= 16
        if 0.5 <= width <= 100:
            assert 24 <= width / step <= 96
    assert choose_step(theatre_map("afghanistan").home) == 0.25


def test_views_stay_near_the_theatre():
    tm = theatre_map("afghanistan")
    home = clamp_view(tm.home, tm)
    assert clamp_view(zoom(home, 1e6), tm)[2] - clamp_view(zoom(home, 1e6), tm)[0] == pytest.approx(0.05)
    far = clamp_view(pan(home, 50, 50), tm)
    assert tm.home[0] <= (far[0] + far[2]) / 2 <= tm.home[2]
    wide = clamp_view(zoom(home, 0.01), tm)
    assert wide[2] - wide[0] <= 2 * (tm.home[2] - tm.home[0]) + 1e-6


def test_simplify_keeps_the_ends_and_the_corners():
    line = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (2.0, 5.0), (0.0, 5.0), (0.0, 0.0)]
    out = _simplify(line, 0.1)
    assert out[0] == line[0] and out[-1] == line[-1] and (2.0, 5.0) in out and (1.0, 0.01) not in out


def test_map_svg_escapes_and_sizes_circles():
    tm = theatre_map("afghanistan")
    bins = ReportBins(30, 0.25, (29, 60, 39, 75), [ReportBin(130, 260, 27, 32.6, 65.1), ReportBin(137, 276, 3, 34.4, 69.1)])
    svg = str(map_svg(tm, tm.home, bins, lambda b: f'/reports?q=box:"{b.row}"&x=<y>', title='a "map" <of> reports'))
    assert "<y>" not in svg and "&lt;y&gt;" in svg and "&amp;x=" in svg
    radii = [float(r) for r in re.findall(r' r="([\d.]+)"', svg)]
    assert radii[0] > radii[1]  # the fuller cell has the bigger circle
    assert svg.count("<circle") == 2 and 'aria-label="a &#34;map&#34; &lt;of&gt; reports"' in svg
    loc = str(locator_svg(tm, 31.6, 65.7))
    assert "marker" in loc and "provinces-afghanistan" in loc
