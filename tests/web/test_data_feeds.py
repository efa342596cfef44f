"""/feed.atom, /sitemap.xml, /sitemap-cables-N.xml, /robots.txt."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cablemirror.store import open_store
from cablemirror.web import feeds

from .conftest import data_app

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _check_atom(root: ET.Element) -> list[ET.Element]:
    """The parts RFC 4287 requires of a feed and of each entry."""
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None and root.find(f"{ATOM}{name}").text, name
    assert RFC3339.match(root.find(f"{ATOM}updated").text)
    assert root.find(f"{ATOM}author/{ATOM}name").text
    selfs = [ln for ln in root.findall(f"{ATOM}link") if ln.get("rel") == "self"]
    assert len(selfs) == 1 and selfs[0].get("href").startswith("http")
    entries = root.findall(f"{ATOM}entry")
    ids = set()
    for e in entries:
        for name in ("id", "title", "updated"):
            assert e.find(f"{ATOM}{name}") is not None and e.find(f"{ATOM}{name}").text, name
        assert RFC3339.match(e.find(f"{ATOM}updated").text)
        alt = [ln for ln in e.findall(f"{ATOM}link") if ln.get("rel") == "alternate" and ln.get("type") == "text/html"]
        assert len(alt) == 1
        ids.add(e.find(f"{ATOM}id").text)
    assert len(ids) == len(entries)  # entry ids are unique
    return entries


def _released_order(demo_store: Path, q: str, limit: int) -> list[str]:
    with open_store(str(demo_store), readonly=True) as store:
        return [h.id for h in store.query(q, sort="-released", limit=limit, facets=()).hits]


def test_atom_feed_of_everything(demo_client, demo_store):
    r = demo_client.get("/feed.atom")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    entries = _check_atom(ET.fromstring(r.content))
    assert len(entries) == feeds.FEED_ENTRIES
    expected = _released_order(demo_store, "", feeds.FEED_ENTRIES)
    assert [e.find(f"{ATOM}id").text for e in entries] == [f"http://testserver/cable/{cid}" for cid in expected]
    stamps = [e.find(f"{ATOM}updated").text for e in entries]
    assert stamps == sorted(stamps, reverse=True)  # newest first (released, else created)


def test_atom_feed_of_a_query(demo_client, demo_store):
    with open_store(str(demo_store), readonly=True) as store:
        origin, n = store.counts("origin")[0]
    q = f'origin:"{origin}"'
    r = demo_client.get("/feed.atom", params={"q": q})
    root = ET.fromstring(r.content)
    entries = _check_atom(root)
    assert len(entries) == min(n, feeds.FEED_ENTRIES)
    assert [e.find(f"{ATOM}id").text.rsplit("/", 1)[1] for e in entries] == _released_order(demo_store, q, 50)
    assert origin in root.find(f"{ATOM}title").text
    assert "feed.atom?q=" in root.find(f"{ATOM}id").text
    alt = [ln for ln in root.findall(f"{ATOM}link") if ln.get("rel") == "alternate"][0]
    assert alt.get("href").startswith("http://testserver/search?q=")
    for e in entries:
        assert origin in e.find(f"{ATOM}summary").text


def test_empty_feed_is_still_valid(demo_client):
    r = demo_client.get("/feed.atom", params={"q": "zzzqqqxxyy"})
    assert r.status_code == 200
    assert _check_atom(ET.fromstring(r.content)) == []


def test_feed_of_a_bad_query_is_400(demo_client):
    r = demo_client.get("/feed.atom", params={"q": "orgin:almaty"})
    assert r.status_code == 400
    assert "origin" in r.json()["hint"]


def test_feed_uses_the_configured_base_url(demo_store):
    from starlette.testclient import TestClient

    from cablemirror.web.site import SiteConfig

    app = data_app(demo_store, SiteConfig(name="Mirror", base_url="https://cables.example.org"))
    with TestClient(app) as client:
        root = ET.fromstring(client.get("/feed.atom", headers={"host": "evil.example"}).content)
    links = [ln.get("href") for ln in root.iter(f"{ATOM}link")]
    assert links and all(h.startswith("https://cables.example.org/") for h in links)


def test_xml_text_drops_what_xml_forbids():
    assert feeds.xml_text("a\x0cb\x00c<&>\ufffe\U0001F600") == "abc&lt;&amp;&gt;\U0001F600"
    assert feeds.rfc3339("2011-08-30T01:44:00") == "2011-08-30T01:44:00Z"
    assert feeds.rfc3339("2011-08-30") == "2011-08-30T00:00:00Z"
    assert feeds.rfc3339(None) is None and feeds.rfc3339("soon") is None


@pytest.mark.corpus
def test_feed_of_real_cables_parses(corpus_client):
    r = corpus_client.get("/feed.atom")
    entries = _check_atom(ET.fromstring(r.content))
    assert len(entries) == 50
    # The official pages carry release dates: entries are dated by them.
    assert all(e.find(f"{ATOM}updated").text >= "2010-11-28" for e in entries)


def _sitemap_ids(client, monkeypatch=None) -> tuple[list[str], list[str]]:
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert index.tag == f"{SM}sitemapindex"
    locs = [s.find(f"{SM}loc").text for s in index.findall(f"{SM}sitemap")]
    ids: list[str] = []
    for loc in locs:
        r = client.get(loc.replace("http://testserver", ""))
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/xml; charset=utf-8"
        urlset = ET.fromstring(r.content)
        assert urlset.tag == f"{SM}urlset"
        for url in urlset.findall(f"{SM}url"):
            loc_url = url.find(f"{SM}loc").text
            assert loc_url.startswith("http://testserver/cable/")
            ids.append(loc_url.rsplit("/", 1)[1])
            lastmod = url.find(f"{SM}lastmod")
            if lastmod is not None:
                assert re.match(r"^\d{4}-\d{2}-\d{2}$", lastmod.text)
    return locs, ids


def test_sitemap_lists_every_cable_once(demo_client, demo_store):
    locs, ids = _sitemap_ids(demo_client)
    assert locs == ["http://testserver/sitemap-cables-1.xml"]
    with open_store(str(demo_store), readonly=True) as store:
        stored = [cid for cid, _ in store.iter_ids()]
    assert ids == stored and len(ids) == 300


def test_sitemap_chunks(demo_client, demo_store, monkeypatch):
    monkeypatch.setattr(feeds, "SITEMAP_URLS", 120)
    locs, ids = _sitemap_ids(demo_client)
    assert locs == [f"http://testserver/sitemap-cables-{n}.xml" for n in (1, 2, 3)]
    with open_store(str(demo_store), readonly=True) as store:
        assert ids == [cid for cid, _ in store.iter_ids()]
    for bad in ("4", "0", "01x", "99999999999"):
        assert demo_client.get(f"/sitemap-cables-{bad}.xml").status_code == 404


@pytest.mark.corpus
def test_sitemap_of_the_real_pages(corpus_client, corpus_store):
    _, ids = _sitemap_ids(corpus_client)
    with open_store(str(corpus_store), readonly=True) as store:
        assert ids == [cid for cid, _ in store.iter_ids()]


def test_robots(demo_client):
    r = demo_client.get("/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
    lines = r.text.splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert not any(line.strip() == "Disallow: /" for line in lines)
