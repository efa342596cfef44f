"""The pages over the real release pages (../shared/corpus): versions, diffs, repairs,
redactions, and every page renders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cablemirror.store import open_store
from cablemirror.web.render import escape_text

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def store(corpus_store: Path):
    with open_store(str(corpus_store), readonly=True) as s:
        yield s


def test_every_release_page_renders(corpus_client, store):
    """A quarter of the real pages (every layout is among them): 200, one h1, the
    paragraph anchors the parser found, the sha256 of the source."""
    ids = [cid for cid, _ in store.iter_ids()]
    assert len(ids) > 400
    for cid in ids[::4]:
        r = corpus_client.get(f"/cable/{cid}")
        assert r.status_code == 200, cid
        assert r.text.count("<h1") == 1
        record = store.get_cable(cid)
        assert record["source"]["sha256"] in r.text
        numbers = [p["number"] for p in record["paragraphs"] if p["number"] is not None]
        anchors = [int(n) for n in re.findall(r'<div class="par" id="par(\d+)">', r.text)]
        # every anchor is a paragraph of the record, in order; almost all paragraphs have one
        assert anchors == sorted(set(anchors), key=anchors.index)
        assert set(anchors) <= set(numbers), cid
        assert len(anchors) >= len(set(numbers)) - 2, (cid, numbers, anchors)


def test_versions_and_word_diff_of_09ASTANA95(corpus_client, store):
    versions = store.get_versions("09ASTANA95")
    assert len(versions) == 8
    r = corpus_client.get("/cable/09ASTANA95")
    assert r.status_code == 200
    assert "imported from 8 sources" in r.text
    for n in range(1, 9):
        assert f"/cable/09ASTANA95.raw?version={n}" in r.text
    for v in versions:
        assert v["sha256"][:12] in r.text
    assert 'action="/cable/09ASTANA95/diff"' in r.text

    bodies = [v["record"]["body"] for v in versions]
    labels = [v["release_label"] for v in versions]
    pair = next(((i, j) for i in range(8) for j in range(8) if i != j and labels[i] != labels[j]), None)
    assert pair
    a, b = pair[0] + 1, pair[1] + 1
    r = corpus_client.get(f"/cable/09ASTANA95/diff?a={a}&b={b}")
    assert r.status_code == 200
    assert f"version {a} against version {b}" in r.text
    assert '<tr class="changed"><th scope="row">Release' in r.text
    if bodies[a - 1].split() == bodies[b - 1].split():
        assert "<del" not in r.text.split('class="cable-text diff"')[-1]
    for bad in ("a=0", "a=9", "b=x", "a=1&b=-1"):
        assert corpus_client.get(f"/cable/09ASTANA95/diff?{bad}").status_code == 400, bad


def test_word_diff_shows_changed_words(corpus_client, store, monkeypatch):
    """Two versions whose texts differ: the changed words are marked (the real
    versions of 09ASTANA95 differ in layout only, so one body is altered here)."""
    versions = store.get_versions("09ASTANA95")
    altered = [dict(v, record=dict(v["record"])) for v in versions]
    altered[1]["record"]["body"] = altered[1]["record"]["body"].replace("Petraeus", "Mattis <b>", 1)
    app_store = corpus_client.app.state.store
    monkeypatch.setattr(app_store, "get_versions", lambda cid: altered)
    r = corpus_client.get("/cable/09ASTANA95/diff?a=1&b=2")
    assert r.status_code == 200
    assert '<del title="only in the older version">Petraeus' in r.text
    assert '<ins title="only in the newer version">Mattis &lt;b&gt;' in r.text


def test_created_minutes_correction_is_visible(corpus_client, store):
    fixed = []
    for cid, _ in store.iter_ids():
        record = store.get_cable(cid)
        repairs = [r for r in record["repairs"] if r["kind"] == "created-minutes"]
        if repairs:
            fixed.append((cid, record, repairs[0]))
        if len(fixed) >= 3:
            break
    assert fixed, "the release pages have the minutes quirk"
    for cid, record, repair in fixed:
        r = corpus_client.get(f"/cable/{cid}")
        assert 'id="created-fix"' in r.text
        before, after = repair["before"], repair["after"]
        assert f"the release says {before[:10]} {before[11:16]}" in r.text
        assert f"{after[:10]} {after[11:16]} is the time the cable itself" in r.text
        assert "Corrected the minutes of the Created time" in r.text


def test_redactions_are_shown_as_redactions(corpus_client, store):
    for cid, _ in store.iter_ids():
        record = store.get_cable(cid)
        if record["redactions"] >= 2:
            break
    else:
        pytest.fail("no redacted page in the corpus")
    r = corpus_client.get(f"/cable/{cid}")
    blocks = re.findall(r'<span class="redacted" role="img" aria-label="redacted \((\d+) characters\)"', r.text)
    assert len(blocks) >= record["redactions"] > 0


def test_partial_extract_notice(corpus_client, store):
    for cid, _ in store.iter_ids():
        if store.get_cable(cid)["partial"]:
            break
    else:
        pytest.skip("no partial page in this corpus")
    r = corpus_client.get(f"/cable/{cid}")
    assert "This record is a partial extract of the original cable" in r.text


def test_search_hit_opens_the_cable_at_its_paragraph(corpus_client, store):
    page = store.query("taliban", limit=20, marks=("\ue000", "\ue001"))
    hits = [h for h in page.hits if h.paragraph is not None]
    assert hits, "Taliban is in the paragraphs of real cables"
    r = corpus_client.get("/search?q=taliban")
    for hit in hits[:5]:
        assert f"/cable/{hit.id}?hl=taliban#par{hit.paragraph}" in r.text
        page_html = corpus_client.get(f"/cable/{hit.id}?hl=taliban").text
        block = re.search(rf'<div class="par" id="par{hit.paragraph}">(.*?)</div>', page_html, re.S)
        assert block and re.search(r"<mark>taliban</mark>", block.group(1), re.I), hit.id


def test_guide_links_to_live_examples(corpus_client):
    r = corpus_client.get("/how-to-read-a-cable")
    assert r.status_code == 200
    links = re.findall(r'<p class="live"><a href="(/cable/[^"#]+)#([^"]+)"', r.text)
    assert len(links) >= 12, "almost every part has a live example in the real pages"
    for path, anchor in links:
        page = corpus_client.get(path)
        assert page.status_code == 200
        assert f'id="{anchor}"' in page.text, (path, anchor)


def test_glossary_text_is_escaped_too(corpus_client):
    r = corpus_client.get("/cable/09ASTANA95")
    for tip in re.findall(r'<abbr [^>]*title="([^"]*)"', r.text):
        assert "<" not in tip and ">" not in tip
    assert str(escape_text("S E C R E T")) in r.text
