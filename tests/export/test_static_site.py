"""The static export as a reader gets it: every file there, every link resolving,
the same pages, records and manifest as the live site, nothing foreign."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cablemirror.export.static_links import SENTINEL, SiteMap, cable_file, relative, rewrite_html, slug, unique_slugs
from cablemirror.export.static_pages import ListedStore
from cablemirror.export.static_site import _Lists
from cablemirror.integrity.manifest import Manifest
from cablemirror.search import parse_query
from cablemirror.store import open_store
from cablemirror.web.app import create_app
from cablemirror.web.site import SiteConfig
try:  # tests/export is not a package today; keep working if it becomes one
    from .test_static_support import BASE_URL, corpus_export, corpus_store, crawl, demo_export, demo_store, visible_main
except ImportError:
    from test_static_support import BASE_URL, corpus_export, corpus_store, crawl, demo_export, demo_store, visible_main


@pytest.fixture(scope="module")
def demo() -> tuple[Path, object]:
    return demo_export()


@pytest.fixture(scope="module")
def live() -> TestClient:
    with TestClient(create_app(str(demo_store()), config=SiteConfig(name="cablemirror")), follow_redirects=False) as c:
        yield c


def _ids(db: Path) -> list[str]:
    with open_store(db, readonly=True) as store:
        return [cid for cid, _ in store.iter_ids()]


# ---------------------------------------------------------------------------
# What is there


def test_every_page_and_record_is_there(demo) -> None:
    out, report = demo
    for name in ("index.html", "browse.html", "search.html", "search/help.html", "privacy.html",
                 "how-to-read-a-cable.html", "404.html", "browse/date.html", "browse/origin.html", "browse/tag.html",
                 "browse/classification.html", "manifest.txt", "manifest.json", "robots.txt", "static/site.css",
                 "static/site.js", "static/search-static.js", "search-index/meta.js", "search-index/dates.js"):
        assert (out / name).is_file(), name
    ids = _ids(demo_store())
    assert report.cables == len(ids) == 300
    for cid in ids:
        base = out / cable_file(cid)
        for ext in (".html", ".json", ".raw", ".v1.raw"):
            assert Path(str(base) + ext).is_file(), cid + ext
    assert not (out / "sitemap.xml").exists()  # only with --base-url
    assert report.written == len(report.written_paths) == report.files
    assert report.missing_pages > 0  # generated cables cite cables that exist nowhere


def test_every_internal_link_resolves_and_nothing_is_foreign(demo) -> None:
    out, _ = demo
    pages, dead, external = crawl(out)
    assert pages > 300
    assert dead == {}
    assert external == set()  # no --base-url: not even canonical links


def test_pages_are_safe_for_the_sites_csp(demo) -> None:
    out, _ = demo
    for page in out.rglob("*.html"):
        text = page.read_text("utf-8")
        assert '<meta http-equiv="Content-Security-Policy" content="default-src \'self\';' in text, page
        assert '<meta name="referrer" content="no-referrer">' in text, page
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), page
        assert not re.search(r"\sstyle=|\son[a-z]+=", text), page
        assert "cablemirror.invalid" not in text, page
        assert "\x00" not in text, page


def test_cable_pages_say_what_the_live_pages_say(demo, live) -> None:
    out, _ = demo
    for cid in _ids(demo_store())[::37]:
        static = (out / (cable_file(cid) + ".html")).read_text("utf-8")
        page = live.get(f"/cable/{cid}")
        assert page.status_code == 200
        assert visible_main(static) == visible_main(page.text), cid
        actions = re.search(r'<ul class="actions".*?</ul>', static, re.S).group(0)
        assert re.findall(r">([^<]+)</a>", actions) == ["JSON record", "Source bytes", "How to read a cable"]


def test_list_pages_say_what_the_live_pages_say(demo, live) -> None:
    out, _ = demo
    checked = 0
    for file, url in (("browse/date.html", "/browse/date"), ("browse/tag.html", "/browse/tag"),
                      ("browse/origin.html", "/browse/origin"), ("browse/classification.html", "/browse/classification"),
                      ("index.html", "/"), ("how-to-read-a-cable.html", "/how-to-read-a-cable")):
        assert visible_main((out / file).read_text("utf-8")) == visible_main(live.get(url).text), url
    # The biggest lists, on their second and last pages: the order of the store.
    for path in sorted(out.glob("browse/tag/*.p2.html"))[:3] + sorted(out.glob("browse/date/*.p2.html"))[:2]:
        base = path.name.split(".p2.html")[0]
        last = max(int(p.name.rsplit(".p", 1)[1][:-5]) for p in path.parent.glob(base + ".p*.html"))
        for n in (2, last):
            static = (path.parent / f"{base}.p{n}.html").read_text("utf-8")
            m = re.search(r'<link rel="canonical"|<h1>', static)
            assert m
            live_path = _live_path(path.parent.relative_to(out), base, static)
            assert visible_main(static) == visible_main(live.get(live_path, params={"page": n}).text), (path, n)
            checked += 1
    assert checked >= 4


def _live_path(folder: Path, base: str, static: str) -> str:
    if folder.as_posix().startswith("browse/date"):
        return "/" + (folder / base).as_posix()
    # tag pages: the tag is in the heading
    m = re.search(r"<h1>Tag ([^<]+)</h1>", static)
    assert m
    return f"/browse/tag/{m.group(1)}"


def test_json_records_are_the_api_records(demo, live) -> None:
    out, _ = demo
    for cid in _ids(demo_store())[::50]:
        static = (out / (cable_file(cid) + ".json")).read_bytes()
        assert static == live.get(f"/cable/{cid}.json").content
        record = json.loads(static)
        assert record["id"] == cid and record.get("generated") is True


def test_raw_bytes_and_manifest_are_the_stores(demo) -> None:
    out, _ = demo
    with open_store(demo_store(), readonly=True) as store:
        for cid in _ids(demo_store())[::60]:
            assert (out / (cable_file(cid) + ".raw")).read_bytes() == store.get_raw(cid)
        manifest = Manifest.from_store(store)
    assert (out / "manifest.txt").read_text("utf-8") == manifest.text()
    summary = json.loads((out / "manifest.json").read_text("utf-8"))
    assert summary["root"] == manifest.root.hex() and summary["count"] == manifest.count == 300


def test_the_search_page_and_404(demo) -> None:
    out, _ = demo
    search = (out / "search.html").read_text("utf-8")
    assert 'src="static/search-static.js"' in search and 'id="static-search"' in search
    assert 'action="search.html"' in search
    assert '<a href="search/help.html">How to search</a>' in search
    cable = (out / (cable_file(_ids(demo_store())[0]) + ".html")).read_text("utf-8")
    assert 'action="../search.html"' in cable  # the quick search of every page
    notfound = (out / "404.html").read_text("utf-8")
    assert 'href="/index.html"' in notfound and 'href="/static/site.css"' in notfound and "Page not found" in notfound


def test_missing_cables_have_their_known_but_missing_page(demo) -> None:
    out, report = demo
    stored = set(_ids(demo_store()))
    missing = [p for p in (out / "cable").glob("*.html") if p.stem not in stored]
    assert len(missing) == report.missing_pages
    text = missing[0].read_text("utf-8")
    assert "known but not in this mirror" in text and "Cited by" in text


# ---------------------------------------------------------------------------
# The browse lists answered from the export's own pass


def test_listed_store_answers_every_list_like_the_store() -> None:
    with open_store(demo_store(), readonly=True) as store:
        lists = _Lists(store)
        ids = []
        for pos, record in enumerate(store.iter_records(sort="date")):
            lists.add(pos, record)
            ids.append(record["id"])
        listed = ListedStore(store, lists.lists, ids)
        assert listed.check_lists(lists.lists, sample=len(lists.lists))
        compared = 0
        for text, members in lists.lists.items():
            q = parse_query(text)
            for sort in ("date", "-date"):
                for offset in (0, 50, max(0, len(members) - 7)):
                    mine = listed.query(q, sort=sort, limit=50, offset=offset, facets=())
                    theirs = store.query(q, sort=sort, limit=50, offset=offset, facets=())
                    assert mine.total == theirs.total, text
                    assert [h.id for h in mine.hits] == [h.id for h in theirs.hits], (text, sort, offset)
                    compared += 1
        assert compared > 300
        # Anything else goes to the store.
        assert listed.query("election", limit=3).total == store.query("election", limit=3).total


# ---------------------------------------------------------------------------
# URLs and links


def _site() -> SiteMap:
    site = SiteMap(raw=True, static_files=frozenset({"site.css"}))
    site.top_files = {"/": "index.html", "/search": "search.html", "/privacy": "privacy.html"}
    site.lists = {
        ("values", "tag"): ("browse/tag", 2),
        ("tag", "PGOV"): ("browse/tag/pgov", 3),
        ("origin", "Embassy Almaty"): ("browse/origin/embassy-almaty", 1),
        ("date", "2005/08"): ("browse/date/2005/08", 1),
        ("class", "secret-noforn"): ("browse/classification/secret-noforn", 1),
    }
    return site


@pytest.mark.parametrize("url, expected", [
    ("/", ("index.html", "")),
    ("/privacy", ("privacy.html", "")),
    ("/privacy?x=1", None),
    ("/search?q=tag%3APGOV&sort=date", ("search.html", "q=tag%3APGOV&sort=date")),
    ("/static/site.css?v=abc", ("static/site.css", "")),
    ("/static/nothing.css", None),
    ("/cable/05ALMATY2985", ("cable/05ALMATY2985.html", "")),
    ("/cable/05ALMATY2985?hl=word", None),
    ("/cable/05ALMATY2985.json", ("cable/05ALMATY2985.json", "")),
    ("/cable/05ALMATY2985.raw", ("cable/05ALMATY2985.raw", "")),
    ("/cable/05ALMATY2985.raw?version=3", ("cable/05ALMATY2985.v3.raw", "")),
    ("/cable/05ALMATY2985.pdf", None),
    ("/cable/05ALMATY2985/diff?a=1&b=2", ("cable/05ALMATY2985/diff-1-2.html", "")),
    ("/cable/05ALMATY2985/diff?a=1&b=3", None),
    ("/cable/05ALMATY2985/diff", None),
    ("/cable/a%2F..%2Fb", (f"{cable_file('a/../b')}.html", "")),
    ("/browse/tag", ("browse/tag.html", "")),
    ("/browse/tag?page=2", ("browse/tag.p2.html", "")),
    ("/browse/tag?page=3", None),
    ("/browse/tag?sort=name", None),
    ("/browse/tag/PGOV?page=3", ("browse/tag/pgov.p3.html", "")),
    ("/browse/tag/pgov", ("browse/tag/pgov.html", "")),
    ("/browse/tag/PGOV?sort=date", None),
    ("/browse/origin/Embassy%20Almaty", ("browse/origin/embassy-almaty.html", "")),
    ("/browse/date/2005/08", ("browse/date/2005/08.html", "")),
    ("/browse/classification/secret-noforn", ("browse/classification/secret-noforn.html", "")),
    ("/feed.atom?q=x", None),
    ("/api/v1/cables", None),
])
def test_live_urls_map_to_files(url: str, expected: tuple[str, str] | None) -> None:
    assert _site().file_for(url) == expected


def test_a_malicious_id_cannot_leave_the_cable_folder() -> None:
    for cid in ("../../etc/passwd", "a/b", "CON", "x" * 300, "é", ""):
        f = cable_file(cid)
        assert f.startswith("cable/") and "/" not in f[len("cable/"):] and ".." not in f
    assert cable_file("05ALMATY2985") == "cable/05ALMATY2985"


def test_links_are_rewritten_relative_to_the_page() -> None:
    site = _site()
    page = (
        f'<link rel="canonical" href="{SENTINEL}/browse/tag/PGOV?page=2">\n'
        f'<meta property="og:url" content="{SENTINEL}/browse/tag/PGOV?page=2">\n'
        '<meta name="description" content="a / b">'
        '<a href="/">Home</a> <a href="/search?q=a&amp;b=1#x">s</a> <a href="#par1">¶</a>'
        '<a href="/cable/05ALMATY2985#par3">c</a> <a href="https://example.com/">e</a>'
        '<ul class="actions"><li><a href="/cable/X.pdf">PDF</a></li><li><a href="/privacy">P</a></li></ul>'
        '<p class="sort">Sort: <strong>newest</strong> · <a href="/browse/tag/PGOV?sort=date">oldest</a></p>'
        '<a class="missing" href="/feed.atom">feed <b>x</b></a>'
        '<form class="diff-form" action="/cable/X/diff" method="get"><select><option value="1">1</option>'
        '<option value="2" selected>2</option><option value="3">3</option></select></form>'
    )
    linked: list[str] = []
    out = rewrite_html(page, "browse/tag/pgov.p2.html", site, on_cable=linked.append)
    assert 'href="../../index.html"' in out
    assert 'href="../../search.html?q=a&amp;b=1#x"' in out
    assert 'href="#par1"' in out and 'href="https://example.com/"' in out
    assert 'href="../../cable/05ALMATY2985.html#par3"' in out
    assert "PDF" not in out and 'href="../../privacy.html"' in out  # a dead action is dropped
    assert '<p class="sort">' not in out  # no other sort order is exported
    assert "<span>feed <b>x</b></span>" in out
    assert "canonical" not in out and "og:url" not in out  # no --base-url
    assert 'content="a / b"' in out
    assert 'href="../../cable/X/diff-1-2.html"' in out and 'href="../../cable/X/diff-2-3.html"' in out
    assert "<form" not in out
    assert linked == ["05ALMATY2985"]
    site.base_url = BASE_URL
    out = rewrite_html(page, "browse/tag/pgov.p2.html", site)
    assert f'<link rel="canonical" href="{BASE_URL}/browse/tag/pgov.p2.html">' in out
    assert f'content="{BASE_URL}/browse/tag/pgov.p2.html"' in out


def test_relative_links_are_relpaths() -> None:
    pages = ["index.html", "cable/X.html", "cable/X/diff-1-2.html", "browse/tag/pgov.p2.html",
             "browse/date/2005/08/18.html", "search/help.html"]
    targets = pages + ["static/site.css", "browse/tag/kdem.html", "browse/date/2005/09/01.html", "search-index/meta.js"]
    for page in pages:
        for target in targets:
            assert relative(target, page) == posixpath.relpath(target, posixpath.dirname(page) or ".")


def test_slugs_are_file_names_and_unique() -> None:
    assert slug("Embassy Almaty") == "embassy-almaty"
    assert slug("Consulate São Paulo") == "consulate-sao-paulo"
    assert slug("///") == "x"
    got = unique_slugs(["Mission Geneva", "MISSION GENEVA", "US Mission Geneva"])
    assert len(set(got.values())) == 3
    assert got["US Mission Geneva"] == "us-mission-geneva"
    assert got["Mission Geneva"].startswith("mission-geneva-")


# ---------------------------------------------------------------------------
# The real release pages


@pytest.mark.corpus
def test_corpus_export_links_versions_and_base_url() -> None:
    out, report = corpus_export()
    pages, dead, external = crawl(out)
    assert dead == {}
    assert external and all(u.startswith(BASE_URL + "/") for u in external)  # canonical links only
    with open_store(corpus_store(), readonly=True) as store:
        ids = [cid for cid, _ in store.iter_ids()]
        versions = store.get_versions("09ASTANA95")
    assert report.cables == len(ids) and pages >= len(ids)
    # The eight versions of 09ASTANA95: raw bytes of each, and the diffs of consecutive ones, linked.
    assert len(versions) == 8
    page = (out / "cable/09ASTANA95.html").read_text("utf-8")
    for n in range(1, 8):
        assert (out / f"cable/09ASTANA95/diff-{n}-{n + 1}.html").is_file()
        assert f'href="09ASTANA95/diff-{n}-{n + 1}.html"' in page
        assert (out / f"cable/09ASTANA95.v{n}.raw").is_file()
    diff = (out / "cable/09ASTANA95/diff-1-2.html").read_text("utf-8")
    assert 'href="../09ASTANA95.html"' in diff and "version 1 against version 2" in diff
    assert (out / "sitemap.xml").is_file() and f"{BASE_URL}/cable/09ASTANA95.html" in (out / "sitemap-cables-1.xml").read_text()
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in (out / "robots.txt").read_text()
    assert f'<link rel="canonical" href="{BASE_URL}/cable/09ASTANA95.html">' in page
