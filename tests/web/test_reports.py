"""The war-diary pages and data routes: /reports, /report/{key}, its JSON, raw row and
PDF, the CSV and JSON Lines exports, the API, the timeline and the home page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from cablemirror.export.reports_dump import REPORT_CSV_COLUMNS
from cablemirror.search import REPORT_FIELDS, parse_query
from cablemirror.store import StoreError, open_store
from cablemirror.store.base import REPORTS_UNSUPPORTED
from cablemirror.warlogs.model import COLUMNS

from .conftest import data_app
from .reports_fixture import report_client, report_records, report_store  # noqa: F401  (fixtures)

QUERIES = ['type:"enemy action"', 'category:"ied explosion"', "region:south", "kia>2", "civilian:0", "civilian>0",
           "ied region:east -kia>0", "theatre:iraq", "located:no"]  # fmt: skip


def _total(html: str) -> int:
    m = re.search(r"<strong>([\d,]+) reports?</strong>", html)
    assert m, html[:300]
    return int(m.group(1).replace(",", ""))


def _q(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("q", [""])[0]


@pytest.fixture(scope="module")
def store(report_store: Path):  # type: ignore[no-untyped-def]
    with open_store(report_store, readonly=True) as s:
        yield s


# --------------------------------------------------------------------------- the list


def test_the_list_shows_every_report_marked_generated(report_client, report_records):
    r = report_client.get("/reports")
    assert r.status_code == 200
    assert _total(r.text) == len(report_records)
    doc = HTMLParser(r.text)
    assert "Generated demo data" in doc.css_first(".notice.generated").text()
    hits = doc.css("ol.hits li.hit")
    assert len(hits) == 20 and all(h.css_first(".tagline.gen") for h in hits)
    assert all(h.css_first("h2 a").attributes["href"].startswith("/report/") for h in hits)
    assert {f.attributes["id"] for f in doc.css("section.facet h3")} >= {"facet-type", "facet-category", "facet-region",
                                                                       "facet-attack", "facet-year", "facet-theatre"}  # fmt: skip
    assert doc.css_first("svg.chart-svg") is not None  # reports per year
    assert doc.css_first('a[aria-current="page"]').text().strip() == "War diary"


@pytest.mark.parametrize("text", QUERIES)
def test_query_fields_count_as_the_store_does(report_client, store, text):
    r = report_client.get("/reports", params={"q": text})
    assert r.status_code == 200
    assert _total(r.text) == store.query_reports(text, limit=0, facets=()).total


def test_facet_links_narrow_to_their_count_and_back(report_client):
    doc = HTMLParser(report_client.get("/reports", params={"q": "kia>0"}).text)
    for name in ("type", "region", "year", "theatre"):
        li = doc.css_first(f'section.facet[aria-labelledby="facet-{name}"] li')
        link = li.css_first("a").attributes["href"]
        count = int(li.css_first(".count").text().replace(",", ""))
        narrowed = report_client.get(link)
        assert _total(narrowed.text) == count, (name, link)
        active = HTMLParser(narrowed.text).css_first("li.active a")
        assert active is not None
        back = report_client.get(active.attributes["href"])
        assert _q(active.attributes["href"]) == "kia>0" and back.status_code == 200
        excluded = report_client.get(li.css_first("a.exclude").attributes["href"])
        assert _total(excluded.text) == _total(report_client.get("/reports?q=kia%3E0").text) - count


def test_sorts_pages_and_errors(report_client, store):
    r = report_client.get("/reports", params={"q": "kia>0", "sort": "-kia"})
    first = HTMLParser(r.text).css_first("ol.hits li.hit h2 a").attributes["href"]
    top = store.query_reports("kia>0", sort="-kia", limit=1).hits[0]
    assert first == f"/report/{top.key}"
    assert report_client.get("/reports?sort=colour").status_code == 400
    assert report_client.get("/reports?page=9999").status_code == 404
    bad = report_client.get("/reports", params={"q": "kia>lots"})
    assert bad.status_code == 400 and "needs a whole number" in bad.text and 'aria-invalid="true"' in bad.text
    unknown = report_client.get("/reports", params={"q": "tag:PGOV"})
    assert unknown.status_code == 400 and "unknown field" in unknown.text


def test_snippets_mark_the_words(report_client):
    doc = HTMLParser(report_client.get("/reports", params={"q": '"ied strike"'}).text)
    assert doc.css("p.snippet mark")
    assert all("?hl=" in a.attributes["href"] for a in doc.css("ol.hits h2 a"))


# --------------------------------------------------------------------------- one report


def _with(records: list[dict[str, Any]], test: Any) -> dict[str, Any]:
    return next(r for r in records if test(r))


def test_the_report_page_shows_every_field(report_client, report_records):
    rec = _with(report_records, lambda r: (r["friendly_kia"] or 0) + (r["enemy_kia"] or 0) + (r["civilian_kia"] or 0) > 1
                and r["latitude"] is not None and not r["problems"])  # fmt: skip
    r = report_client.get(f"/report/{rec['report_key']}")
    assert r.status_code == 200
    doc = HTMLParser(r.text)
    assert doc.css_first("h1").text().strip() == rec["title"]
    facts = {tr.css_first("th").text(): tr.css_first("td").text().strip() for tr in doc.css("table.fields tr")}
    text = " ".join(facts)
    for column in COLUMNS:
        if column in ("Title", "Summary") or column.endswith(("WIA", "KIA", "Detained")):
            continue
        assert column in text or column.lower() in text.lower().replace(" ", ""), column
    assert rec["report_key"] in r.text and rec["mgrs"] in r.text
    # the casualty table: four groups by wounded / killed / detained
    rows = {tr.css_first("th").text().strip(): [td.text().strip() for td in tr.css("td")] for tr in doc.css("table.casualties tbody tr")}
    assert rows["Friendly forces"][:2] == [str(rec["friendly_wia"]), str(rec["friendly_kia"])]
    assert rows["Enemy"] == [str(rec["enemy_wia"]), str(rec["enemy_kia"]), str(rec["enemy_detained"])]
    # the place: a small map with a marker, and the numbers
    assert doc.css_first("svg.warmap.locator .marker") is not None
    assert f"{rec['latitude']:.5f}" in r.text
    assert "amCharts geodata" in doc.css_first("figure.locator").text()
    # abbreviations explained
    abbrs = doc.css(".report-summary abbr[title]")
    assert abbrs and all(a.attributes["title"] for a in abbrs)
    assert doc.css_first(".notice.generated") is not None
    actions = {a.text(): a.attributes["href"] for a in doc.css("ul.actions a")}
    assert actions["PDF"] == f"/report/{rec['report_key']}.pdf" and actions["JSON record"].endswith(".json")
    assert report_client.get(actions["Reports nearby"]).status_code == 200


def test_counts_the_report_does_not_give_are_dashes(report_client, report_records):
    rec = _with(report_records, lambda r: r["friendly_kia"] is None or r["enemy_kia"] is None)
    doc = HTMLParser(report_client.get(f"/report/{rec['report_key']}").text)
    assert doc.css('table.casualties span[title="The report does not give this count"]')
    assert doc.css_first("section.repairs") is not None  # what the parser noticed


def test_markup_in_a_summary_stays_text(report_client, report_records):
    rec = _with(report_records, lambda r: "<script" in r["title"] and "<img" in r["summary"])
    r = report_client.get(f"/report/{rec['report_key']}")
    doc = HTMLParser(r.text)
    assert not doc.css("main script, main img, main b[onmouseover]")
    assert doc.css_first("h1").text().startswith('<script>alert("x")</script>')
    assert "<img src=x onerror=alert(1)>" in doc.css_first(".report-summary").text()
    listing = HTMLParser(report_client.get("/reports", params={"q": f"id:{rec['report_key']}"}).text)
    assert not listing.css("main script") and listing.css_first("ol.hits h2 a").text().startswith("<script>")


def test_positions_that_cannot_be_drawn(report_client, report_records):
    none = _with(report_records, lambda r: r["latitude"] is None)
    assert "no usable position" in report_client.get(f"/report/{none['report_key']}").text
    far = _with(report_records, lambda r: "outside-theatre" in [p["kind"] for p in r["problems"]])
    page = report_client.get(f"/report/{far['report_key']}").text
    assert "far outside" in page and "warmap" not in page


def test_report_keys_in_other_spellings_and_unknown_ones(report_client, report_records):
    key = report_records[0]["report_key"]
    r = report_client.get(f"/report/{key.lower()}")
    assert r.status_code == 301 and r.headers["location"] == f"/report/{key}"
    assert report_client.get("/report/0A1B2C3D-1111-2222-3333-444455556666").status_code == 404
    assert report_client.get("/report/not%20a%20key!").status_code == 404
    assert report_client.get(f"/report/{{{key}}}.json").status_code == 301


def test_versions_of_a_duplicated_report(report_client, store):
    key = next(k for k, _ in store.iter_report_keys() if len(store.get_report_versions(k)) > 1)
    doc = HTMLParser(report_client.get(f"/report/{key}").text)
    rows = doc.css("table.versions tbody tr")
    assert len(rows) == len(store.get_report_versions(key)) and len(doc.css("tr.current")) == 1
    raw2 = report_client.get(f"/report/{key}.raw?version=2")
    assert raw2.status_code == 200 and raw2.content == store.get_report_raw(key, store.get_report_versions(key)[1]["version_id"])
    assert report_client.get(f"/report/{key}.raw?version=9").status_code == 404


def test_json_raw_and_pdf(report_client, store, report_records):
    rec = report_records[5]
    key = rec["report_key"]
    j = report_client.get(f"/report/{key}.json")
    assert j.status_code == 200 and j.json() == store.get_report(key)
    assert report_client.get(f"/report/{key}.json", headers={"If-None-Match": j.headers["etag"]}).status_code == 304
    raw = report_client.get(f"/report/{key}.raw")
    assert raw.content == store.get_report_raw(key) and raw.headers["x-content-sha256"] == rec["source"]["sha256"]
    assert raw.headers["content-disposition"].startswith("attachment") and "sandbox" in raw.headers["content-security-policy"]
    pdf = report_client.get(f"/report/{key}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    assert report_client.get(f"/report/{key}.pdf").content == pdf.content  # the same bytes every time


# --------------------------------------------------------------------------- exports and API


def test_csv_export_is_the_whole_result_set(report_client, store):
    q = "kia>0 region:south"
    r = report_client.get("/reports.csv", params={"q": q})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    assert tuple(rows[0]) == REPORT_CSV_COLUMNS
    records = list(store.iter_reports(q))
    assert len(rows) - 1 == len(records) == store.query_reports(q, limit=0, facets=()).total
    first, rec = dict(zip(rows[0], rows[1])), records[0]
    assert first["ReportKey"] == rec["report_key"] and first["Summary"] == rec["summary"]
    assert first["DateOccurred"] == rec["date"].replace("T", " ") and first["EnemyKIA"] == (
        "" if rec["enemy_kia"] is None else str(rec["enemy_kia"]))
    assert first["URL"].endswith(f"/report/{rec['report_key']}") and first["Generated"] == "TRUE"


def test_jsonl_export(report_client, store):
    r = report_client.get("/reports.jsonl", params={"q": "theatre:iraq", "sort": "-date"})
    lines = [json.loads(line) for line in r.content.splitlines()]
    assert lines == list(store.iter_reports("theatre:iraq", sort="-date"))
    assert report_client.get("/reports.jsonl?sort=relevance").status_code == 422
    assert report_client.get("/reports.csv?q=%22").status_code == 400


def test_api_search(report_client, store):
    r = report_client.get("/api/v1/reports", params={"q": "ied", "per_page": 5, "sort": "-date"})
    body = r.json()
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert body["total"] == store.query_reports("ied", limit=0, facets=()).total
    assert len(body["hits"]) == 5 and body["links"]["next"] and body["hits"][0]["url"].endswith(body["hits"][0]["key"])
    assert set(body["facets"]) == {"type", "category", "region", "attack", "unittype", "year", "theatre"}
    assert report_client.get("/api/v1/reports?facets=type").json()["facets"].keys() == {"type"}
    assert report_client.get("/api/v1/reports?sort=colour").status_code == 422
    assert report_client.get("/api/v1/reports?q=kia%3Elots").status_code == 400


def test_api_report_map_and_timeline(report_client, store, report_records):
    key = report_records[3]["report_key"]
    one = report_client.get(f"/api/v1/reports/{key}").json()
    assert one["record"] == store.get_report(key) and one["versions"][0]["number"] == 1
    assert report_client.get(f"/api/v1/reports/{key.lower()}").status_code == 301
    m = report_client.get("/api/v1/reports/map", params={"q": "kia>0"}).json()
    assert m["binned"] + m["outside"] + m["unlocated"] == m["total"] == store.query_reports("kia>0", limit=0).total
    assert sum(c["count"] for c in m["cells"]) == m["binned"]
    cell = max(m["cells"], key=lambda c: c["count"])
    assert store.query_reports(_q(cell["url"]), limit=0).total == cell["count"]
    assert report_client.get("/api/v1/reports/map?step=0.3").status_code == 422
    assert report_client.get("/api/v1/reports/map?bbox=1,2,3").status_code == 422
    t = report_client.get("/api/v1/reports/timeline", params={"q": "region:east"}).json()
    assert sum(m["reports"] for m in t["months"]) == t["total"] == store.query_reports("region:east", limit=0).total


def test_openapi_describes_the_report_routes_and_answers_match(report_client, report_records):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    doc = report_client.get("/api/v1/openapi.json").json()
    key = report_records[0]["report_key"]
    cases = [
        ("/api/v1/reports", "/api/v1/reports?q=ied", "200"),
        ("/api/v1/reports", "/api/v1/reports?q=(", "400"),
        ("/api/v1/reports", "/api/v1/reports?per_page=1000", "422"),
        ("/api/v1/reports/{key}", f"/api/v1/reports/{key}", "200"),
        ("/api/v1/reports/{key}", "/api/v1/reports/0A1B2C3D-1111-2222-3333-444455556666", "404"),
        ("/api/v1/reports/map", "/api/v1/reports/map?q=kia>0&theatre=iraq", "200"),
        ("/api/v1/reports/timeline", "/api/v1/reports/timeline?q=kia>0", "200"),
    ]
    for path, url, status in cases:
        r = report_client.get(url)
        assert str(r.status_code) == status, (url, r.text[:200])
        schema = doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
        text = json.dumps({**schema, "$defs": doc["components"]["schemas"]}).replace("#/components/schemas/", "#/$defs/")
        jsonschema.Draft202012Validator(json.loads(text)).validate(r.json())


# --------------------------------------------------------------------------- timeline and home


def test_timeline_months_add_up(report_client, store):
    q = "kia>0"
    r = report_client.get("/timeline", params={"q": q})
    assert r.status_code == 200
    doc = HTMLParser(r.text)
    assert len(doc.css("svg.chart-svg")) == 3 and doc.css("svg.chart-svg a rect")
    body = [[td.text().replace(",", "") for td in tr.css("td")] for tr in doc.css("table.months tbody tr")]
    foot = [td.text().replace(",", "") for td in doc.css_first("table.months tfoot tr").css("td")]
    assert [sum(int(row[i]) for row in body) for i in range(len(foot))] == [int(v) for v in foot]
    t = store.report_timeline(q)
    assert int(foot[0]) == t.total == store.query_reports(q, limit=0).total == _total(r.text)
    month = doc.css_first("table.months tbody tr th a")
    assert _total(report_client.get(month.attributes["href"]).text) == int(body[0][0])
    assert report_client.get("/timeline?q=%22").status_code == 400


def test_home_lists_the_war_diary(report_client, report_records):
    doc = HTMLParser(report_client.get("/").text)
    links = {a.text().strip(): a.attributes["href"] for a in doc.css(".collection h3 a")}
    assert links["Afghan War Diary and Iraq War Logs"] == "/reports"
    assert f"{len(report_records):,}" in doc.css_first(".home-collections").text()


def test_a_store_without_reports_says_so(report_store):
    from starlette.testclient import TestClient

    app = data_app(report_store)

    def unsupported(*args: Any, **kwargs: Any) -> Any:
        raise StoreError(REPORTS_UNSUPPORTED)

    with TestClient(app, follow_redirects=False) as client:
        for name in ("query_reports", "get_report", "report_bins", "report_timeline", "iter_reports", "report_histogram",
                     "report_counts"):  # fmt: skip
            setattr(app.state.store, name, unsupported)
        page = client.get("/reports")
        assert page.status_code == 501 and "cannot hold the war diary" in page.text
        assert client.get("/map").status_code == 501 and client.get("/timeline").status_code == 501
        api = client.get("/api/v1/reports")
        assert api.status_code == 501 and api.json()["error"] == "reports_unsupported"
        assert client.get("/reports.csv").status_code == 501
        assert client.get("/search").status_code == 200  # the cables are unaffected


def test_facet_counts_match_python(report_client, report_records):
    body = report_client.get("/api/v1/reports?facets=theatre,year&q=kia>0").json()
    assert parse_query("kia>0", REPORT_FIELDS)
    mine = [r for r in report_records if sum((r[k] or 0) for k in ("friendly_kia", "host_nation_kia", "civilian_kia", "enemy_kia")) > 0]
    assert {v["value"]: v["count"] for v in body["facets"]["theatre"]} == dict(Counter(r["theatre"] for r in mine))
    assert {v["value"]: v["count"] for v in body["facets"]["year"]} == dict(Counter(r["date"][:4] for r in mine))
