"""/cable/{id}.json, .raw and .pdf: status, types, headers, redirects, hostile ids."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from cablemirror.store import open_store

from tests.conftest import shared_path

from .conftest import data_app

HOSTILE_IDS = [
    "..%2F..%2Fetc%2Fpasswd",
    "%2E%2E",
    "..",
    "x" * 5000,
    "05ALMATY" + "9" * 200,
    "%C3%A9t%C3%A9",  # été
    "%E2%80%AE05ALMATY2985",  # right-to-left override
    "%F0%9F%92%A5",  # an emoji
    "%00",
    "%0D%0ASet-Cookie:%20x=1",
    "'%20OR%201=1--",
    "%25",
    "%5C..%5Cwindows",
]


@pytest.fixture(scope="module")
def demo_ids(demo_store: Path) -> list[str]:
    with open_store(str(demo_store), readonly=True) as store:
        return [cid for cid, _ in store.iter_ids()]


def test_json_record(demo_client, demo_store, demo_ids):
    cid = demo_ids[7]
    r = demo_client.get(f"/cable/{cid}.json")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["x-content-type-options"] == "nosniff"
    with open_store(str(demo_store), readonly=True) as store:
        assert r.json() == store.get_cable(cid)
    assert r.headers["etag"].startswith('"')
    again = demo_client.get(f"/cable/{cid}.json", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = demo_client.get(f"/cable/{demo_ids[8]}.json")
    assert other.headers["etag"] != r.headers["etag"]
    pretty = demo_client.get(f"/cable/{cid}.json?pretty=1")
    assert pretty.json() == r.json() and b"\n  " in pretty.content


@pytest.mark.parametrize("kind", ["json", "raw", "pdf"])
def test_other_spellings_redirect_to_the_canonical_url(demo_client, demo_ids, kind):
    cid = next(i for i in demo_ids if any(c.isalpha() for c in i[2:]))
    year, rest = cid[:2], cid[2:]
    station = rest.rstrip("0123456789")
    serial = rest[len(station):]
    spellings = [cid.lower(), f"{year}{station}{serial.zfill(6)}", f"{year}{station.lower()}{serial.zfill(6)}"]
    for spelling in spellings:
        r = demo_client.get(f"/cable/{spelling}.{kind}?version=1", follow_redirects=False)
        assert r.status_code == 301, spelling
        assert r.headers["location"] == f"/cable/{cid}.{kind}?version=1"
    assert demo_client.get(f"/cable/{cid}.{kind}").status_code == 200


@pytest.mark.parametrize("kind", ["json", "raw", "pdf"])
def test_unknown_ids_are_json_404(demo_client, kind):
    r = demo_client.get(f"/cable/99NOWHERE1.{kind}")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "not_found" and "99NOWHERE1" in body["detail"]


@pytest.mark.parametrize("raw", HOSTILE_IDS)
@pytest.mark.parametrize("kind", ["json", "raw", "pdf"])
def test_hostile_ids_never_500(demo_client, raw, kind):
    r = demo_client.get(f"/cable/{raw}.{kind}", follow_redirects=False)
    assert r.status_code in (400, 404), (raw, r.status_code, r.text[:200])
    assert "set-cookie" not in r.headers
    if r.headers.get("content-type", "").startswith("application/json"):
        assert r.json()["error"]
        assert len(r.content) < 1000  # a 5,000-character id is not echoed back whole
    assert "x" * 500 not in r.text and "9" * 150 not in r.text


def test_known_but_missing_cable_lists_who_cites_it(demo_client, demo_store):
    with open_store(str(demo_store), readonly=True) as store:
        stored = {cid for cid, _ in store.iter_ids()}
        missing = None
        for cid in sorted(stored):
            for ref in store.get_cable(cid)["references"]:
                if ref["id"] and ref["id"] not in stored:
                    missing = ref["id"]
                    break
            if missing:
                break
        assert missing, "the demo collection cites cables it does not hold"
        citing = store.cited_by(missing)
    for kind in ("json", "pdf", "raw"):
        r = demo_client.get(f"/cable/{missing}.{kind}")
        assert r.status_code == 404
        body = r.json()
        assert body["error"] == "not_in_mirror"
        assert body["id"] == missing
        assert body["cited_by"] == citing and citing
        assert str(len(citing)) in body["detail"]


def test_raw_is_a_download_of_the_exact_bytes(demo_client, demo_store, demo_ids):
    cid = demo_ids[3]
    r = demo_client.get(f"/cable/{cid}.raw")
    assert r.status_code == 200
    with open_store(str(demo_store), readonly=True) as store:
        assert r.content == store.get_raw(cid)
    assert r.headers["content-type"] == "text/csv; charset=utf-8"  # a cables.csv record
    assert r.headers["content-disposition"] == f'attachment; filename="{cid}.csv"'
    assert r.headers["x-content-sha256"] == hashlib.sha256(r.content).hexdigest()
    assert r.headers["etag"] == f'"{r.headers["x-content-sha256"]}"'
    assert demo_client.get(f"/cable/{cid}.raw", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


@pytest.mark.corpus
def test_raw_release_page_is_the_file_and_never_html(corpus_client, corpus_store):
    pages = sorted(shared_path("corpus", "cablegate-html").glob("*.html"))
    assert len(pages) > 400
    with open_store(str(corpus_store), readonly=True) as store:
        by_sha = {v["sha256"]: cid for cid, _ in store.iter_ids() for v in store.get_versions(cid) if v["current"]}
    checked = 0
    for page in pages[::10]:
        data = page.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        cid = by_sha.get(digest)
        assert cid, f"{page.name} is not the current version of any stored cable"
        checked += 1
        r = corpus_client.get(f"/cable/{cid}.raw")
        assert r.status_code == 200
        assert r.content == data, page.name
        ctype = r.headers["content-type"]
        assert not ctype.startswith("text/html") and ctype.startswith("text/plain")
        assert r.headers["content-disposition"] == f'attachment; filename="{cid}.html"'
        assert r.headers["x-content-sha256"] == digest
        assert "sandbox" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
    assert checked >= 40


@pytest.mark.corpus
def test_raw_versions(corpus_client, corpus_store):
    with open_store(str(corpus_store), readonly=True) as store:
        versions = store.get_versions("09ASTANA95")
        assert len(versions) == 8
        for n, v in enumerate(versions, 1):
            r = corpus_client.get(f"/cable/09ASTANA95.raw?version={n}")
            assert r.status_code == 200
            assert r.content == store.get_raw("09ASTANA95", v["version_id"])
            assert r.headers["x-content-sha256"] == v["sha256"]
            assert r.headers["content-disposition"] == f'attachment; filename="09ASTANA95-v{n}.html"'
        current = next(v for v in versions if v["current"])
    assert corpus_client.get("/cable/09ASTANA95.raw").headers["x-content-sha256"] == current["sha256"]
    r = corpus_client.get("/cable/09ASTANA95.raw?version=9")
    assert r.status_code == 404 and r.json()["versions"] == 8
    for bad in ("0", "-1", "abc", "1e3", "99999999999"):
        r = corpus_client.get(f"/cable/09ASTANA95.raw?version={bad}")
        assert r.status_code == 422, bad
        assert r.json()["parameter"] == "version"


def test_pdf_of_a_cable(demo_client, demo_ids):
    cid = demo_ids[11]
    r = demo_client.get(f"/cable/{cid}.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert r.headers["content-disposition"] == f'inline; filename="{cid}.pdf"'
    assert r.headers["cache-control"].startswith("public")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert cid in text
    assert "http://testserver/cable/" + cid in text.replace("\n", "")
    tag = r.headers["etag"]
    assert demo_client.get(f"/cable/{cid}.pdf", headers={"If-None-Match": tag}).status_code == 304
    assert demo_client.get(f"/cable/{cid}.pdf", headers={"If-None-Match": f'"x", {tag}'}).status_code == 304


def test_pdf_names_the_configured_site(demo_store, demo_ids):
    from starlette.testclient import TestClient

    from cablemirror.web.site import SiteConfig

    app = data_app(demo_store, SiteConfig(name="Cable Archive", base_url="https://cables.example.org"))
    with TestClient(app) as client:
        r = client.get(f"/cable/{demo_ids[0]}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).replace("\n", "")
    assert "Cable Archive" in text
    assert f"https://cables.example.org/cable/{demo_ids[0]}" in text


@pytest.mark.corpus
def test_pdf_and_json_of_real_pages(corpus_client, corpus_store):
    with open_store(str(corpus_store), readonly=True) as store:
        ids = [cid for cid, _ in store.iter_ids()][::40]
    for cid in ids:
        r = corpus_client.get(f"/cable/{cid}.pdf")
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
        assert cid in text
        record = corpus_client.get(f"/cable/{cid}.json").json()
        assert record["id"] == cid
        json.dumps(record)
