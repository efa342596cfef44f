"""Official release pages: every real page and version, generated malformed pages."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from tests.conftest import shared_path

from cablemirror.model import FORMAT_HTML, Quarantined, RawRecord, sha256_hex
from cablemirror.sources import cablegate_html

from .gen import release_page

# Read in the test, independently of the reader (a looser, slower route).
CELL = re.compile(r"<a href='/(cable|date|reldate|classification|origin)/[^']*'(?: title='([^']*)')?>([^<]*)</a>")
BLOCK = re.compile(r"<code><pre>(.*?)</pre></code>", re.S)


def pages() -> list[Path]:
    html_dir = shared_path("corpus", "cablegate-html")
    return sorted(html_dir.glob("*.html")) + sorted(shared_path("corpus", "cablegate-html-versions").glob("*.html"))


def expected(path: Path) -> dict:
    text = path.read_text("utf-8")
    table = text[text.index("<table class='cable'>") : text.index("</table>", text.index("<table class='cable'>"))]
    cells = {kind: (title, value) for kind, title, value in CELL.findall(table)}
    blocks = BLOCK.findall(text)
    label = re.search(r"Currently released so far\.\.\. (\d+ / [\d,]+)", text)
    tags = re.findall(r"<a href='/tag/[^']*'>([^<]*)</a>", blocks[0] + blocks[1])
    return {"cells": cells, "blocks": blocks, "label": label and label.group(1), "tags": list(dict.fromkeys(tags))}


def block_text(block: str) -> str:
    block = re.sub(r"<a id='par[^']*' href='#par[^']*'>\u00b6</a>", "", block.replace("&#x000A;", "\n"))
    return html.unescape(re.sub(r"</?a[^>]*>", "", block))


@pytest.mark.corpus
def test_every_page_is_one_record_with_the_pages_values() -> None:
    files = pages()
    assert len(files) == 424
    partial = titled_wrong = 0
    for path in files:
        items = list(cablegate_html.read(path))
        assert len(items) == 1, path.name
        rec = items[0]
        assert isinstance(rec, RawRecord), f"{path.name}: {getattr(rec, 'reason', '')}"
        data = path.read_bytes()
        assert rec.raw == data
        assert rec.provenance.format == FORMAT_HTML and rec.provenance.offset == 0 and rec.provenance.line == 1
        assert rec.provenance.length == len(data) and rec.provenance.sha256 == sha256_hex(data)

        exp = expected(path)
        cells = exp["cells"]
        md = rec.metadata
        assert md.reference_id == cells["cable"][1]
        assert md.created == cells["date"][1].replace(" ", "T") + ":00"
        assert md.released == cells["reldate"][1].replace(" ", "T") + ":00"
        assert md.classification == cells["classification"][1]  # the link text
        titled_wrong += cells["classification"][0].upper() != cells["classification"][1]
        assert md.origin == cells["origin"][1]
        assert md.release_label == exp["label"]
        assert md.tags == (exp["tags"] or None)

        header_block, body_block = exp["blocks"]
        assert rec.body == block_text(body_block)
        if header_block.startswith("This record is a partial extract"):
            partial += 1
            assert rec.partial_notice
            rest = block_text(header_block).split("\n", 1)
            assert rec.header == (rest[1] if len(rest) > 1 and rest[1].strip() else None)
        else:
            assert not rec.partial_notice and rec.header == block_text(header_block)
        for text in (rec.header or "", rec.body):
            assert "&#x000A;" not in text and "<a " not in text and "</a>" not in text
        assert "\u00b6" not in rec.body  # the anchors held the only pilcrows
    assert 0 < partial < len(files)
    assert titled_wrong > len(files) // 2  # why the title attribute is not used


@pytest.mark.corpus
def test_paragraph_anchor_dropped_number_kept() -> None:
    rec = next(cablegate_html.read(shared_path("corpus", "cablegate-html", "02ROME1725.html")))
    raw = rec.raw.decode()
    assert "<a id='par1' href='#par1'>\u00b6</a>1. (C)" in raw
    assert "\n 1. (C) AMBASSADOR" in rec.body and "\n2. (C) MAKING" in rec.body
    assert " B. ROME" in rec.body  # a lettered reference anchor ('parB') dropped the same way


@pytest.mark.corpus
def test_versions_of_one_page() -> None:
    recs = [next(cablegate_html.read(p)) for p in sorted(shared_path("corpus", "cablegate-html-versions").glob("*.html"))]
    assert len(recs) == 8
    assert {r.metadata.reference_id for r in recs} == {"09ASTANA95"}
    labels = {r.metadata.release_label for r in recs}
    assert len(labels) >= 7 and all(label.endswith("/ 251,287") for label in labels)


@pytest.mark.corpus
def test_created_minutes_kept_as_the_page_says() -> None:
    rec = next(cablegate_html.read(shared_path("corpus", "cablegate-html", "04BRASILIA2513.html")))
    assert rec.metadata.created == "2004-10-06T17:05:00"  # not corrected here: the parser does
    assert any("quirk" in n for n in rec.metadata.notes)


@pytest.mark.corpus
@pytest.mark.parametrize(
    "cut, reason",
    [
        (lambda d: d[: d.index(b"<table class='cable'>") + 200], "never closed"),
        (lambda d: d[: d.rindex(b"<code><pre>") + 500], "body block is never closed"),
        (lambda d: d[: d.index(b"<code><pre>") + 30], "header block is never closed"),
        (lambda d: d[: d.index(b"<code><pre>")], "no <code><pre> block"),
        (lambda d: d.replace(b"<code><pre>", b"<code><xre>", 1), "only one <code><pre> block"),
        (lambda d: d.replace(b"</body>", b"<code><pre>x</pre></code></body>"), "3 <code><pre> blocks"),
        (lambda d: d.replace(b"<table class='cable'>", b"<table class='other'>"), "no <table class='cable'>"),
        (lambda d: d.decode("utf-8").encode("utf-16"), "UTF-16"),
        (lambda d: d.replace("\u00b6".encode(), b"\xb6"), "not valid UTF-8"),
    ],
)
def test_real_page_damaged(cut, reason: str) -> None:
    path = shared_path("corpus", "cablegate-html", "02ROME1725.html")
    data = cut(path.read_bytes())
    item = cablegate_html.parse_page(data, path)
    assert isinstance(item, Quarantined) and reason in item.reason, getattr(item, "reason", item)
    assert item.raw == data and item.provenance.sha256 == sha256_hex(data)


# --------------------------------------------------------------------------- generated


def test_generated_page() -> None:
    page = release_page()
    rec = cablegate_html.parse_page(page, "gen.html")
    assert isinstance(rec, RawRecord)
    md = rec.metadata
    assert (md.reference_id, md.created, md.released, md.classification, md.origin) == (
        "09TESTVILLE12", "2009-03-04T05:05:00", "2011-01-02T03:04:00", "CONFIDENTIAL", "Embassy Testville")
    assert md.tags == ["PREL", "XX"] and md.release_label == "1234 / 251,287"
    assert rec.header == "R 040500Z MAR 09\nFM AMEMBASSY TESTVILLE\nTO SECSTATE WASHDC 0001"
    assert "TAGS: PREL XX\nSUBJECT: A GENERATED CABLE & ITS TEST\n" in rec.body
    assert "\n1. (C) FIRST PARAGRAPH." in rec.body
    assert "A BARE < SIGN AND AT&T." in rec.body  # a bare "<" does not eat the text
    assert not rec.partial_notice


def test_generated_page_with_other_quoting() -> None:
    page = release_page().replace(b"<table class='cable'>", b'<table class="cable">')
    page = page.replace(b"<a href='/origin/9_0.html'>", b'<a href="/origin/9_0.html">')
    rec = cablegate_html.parse_page(page, "gen.html")
    assert isinstance(rec, RawRecord) and rec.metadata.origin == "Embassy Testville"


def test_generated_partial_page() -> None:
    rec = cablegate_html.parse_page(release_page(header=None), "gen.html")
    assert rec.partial_notice and rec.header is None


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        ({"created": "2009-13-04 05:05"}, "not a valid date-time"),
        ({"created": "yesterday"}, "Created 'yesterday'"),
        ({"ref_id": ""}, "lacks Reference ID"),
        ({"origin": ""}, "lacks Origin"),
        ({"ref_id": "09 TESTVILLE12"}, "contains spaces"),
    ],
)
def test_generated_bad_table(kwargs: dict, reason: str) -> None:
    item = cablegate_html.parse_page(release_page(**kwargs), "gen.html")
    assert isinstance(item, Quarantined) and reason in item.reason, getattr(item, "reason", item)


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02" * 100, b"<html><body>no cable</body></html>", b"\xff" * 5000])
def test_junk(data: bytes) -> None:
    item = cablegate_html.parse_page(data, "junk.html")
    assert isinstance(item, Quarantined) and item.reason and item.raw == data


def test_start_offset_and_unreadable(tmp_path: Path) -> None:
    p = tmp_path / "page.html"
    p.write_bytes(release_page())
    assert len(list(cablegate_html.read(p))) == 1
    assert list(cablegate_html.read(p, start_offset=1)) == []
    (missing,) = cablegate_html.read(tmp_path / "nope.html")
    assert isinstance(missing, Quarantined) and missing.reason.startswith("cannot read file")
