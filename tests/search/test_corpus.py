"""The language on the real release: every real metadata value can be searched, and
searches over real cable text mean the same in SQLite FTS5 and in the evaluator.

Reads the official Cable Viewer pages in ../shared/corpus/cablegate-html by path.
The metadata table and the two <pre> blocks are read with a few lines of
selectolax here: the project's real reader lives in sources/, which this layer
must not depend on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import shared_path

from cablemirror.search import Record, build_filter, parse_query, plan_fts5
from cablemirror.search.fields import CABLE_FIELDS
from cablemirror.search.text import STOPWORDS, words

from . import sqlite_reference as ref

pytestmark = pytest.mark.corpus

_SUBJECT = re.compile(r"^SUBJECT:\s*(.+)$", re.M)
_TAGS = re.compile(r"^TAGS:\s*(.+)$", re.M)


def _read_page(path: Path) -> dict:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(path.read_text(encoding="utf-8", errors="replace"))
    cells = [td.text(strip=True) for td in tree.css("table.cable td")]
    pres = [p.text() for p in tree.css("code pre")]
    body = pres[-1] if pres else ""
    subject = _SUBJECT.search(body)
    tags = _TAGS.search(body)
    return {
        "id": cells[0],
        "date": cells[1].replace(" ", "T"),
        "released": cells[2].replace(" ", "T"),
        "class": cells[3],
        "origin": cells[4],
        "subject": subject.group(1).strip() if subject else None,
        "tag": re.findall(r"[A-Z0-9]{2,}", tags.group(1)) if tags else [],
        "text": [body, subject.group(1) if subject else "", cells[4]],
    }


@pytest.fixture(scope="module")
def cables():
    pages = sorted(shared_path("corpus", "cablegate-html").glob("*.html"))
    assert len(pages) > 300, "the corpus should hold a few hundred official pages"
    return [_read_page(p) for p in pages]


@pytest.fixture(scope="module")
def db(cables):
    conn = ref.connect()
    for i, c in enumerate(cables, 1):
        ref.insert(conn, i, c)
    return conn


def test_every_real_metadata_value_is_searchable(cables):
    for c in cables:
        rec = Record(c)
        for name, value in (("id", c["id"]), ("class", c["class"]), ("origin", c["origin"])):
            node = build_filter(CABLE_FIELDS, name, value)
            assert rec.matches(node), (c["id"], name, value)
            q = parse_query(str(node))  # the canonical text of a facet link parses back
            assert q.root == node
        assert rec.matches(parse_query(f"date:{c['date'][:10]} released:{c['released'][:7]}").root)
        assert rec.matches(parse_query(f"origin:{words(c['origin'])[-1]}").root)
        for tag in c["tag"]:
            assert rec.matches(parse_query(f"tag:{tag}").root), (c["id"], tag)


def _sample_queries(cables):
    """Queries built from words of real cables (every 16th), with field conditions."""
    out = []
    for c in cables[::16]:
        ws = [w for w in words(c["text"][0]) if len(w) > 3 and w not in STOPWORDS and not w.isdigit()]
        if len(ws) < 40:
            continue
        a, b, d = ws[10], ws[25], ws[39]
        i = words(c["text"][0]).index(a)
        following = words(c["text"][0])[i + 1]
        out += [
            (c, f"{a} {b}"),
            (c, f'"{a} {following}"'),
            (c, f"{a[:4]}* -{d}"),
            (c, f"{a} OR {b} -class:secret"),
            (c, f'({a} OR tag:{c["tag"][0] if c["tag"] else "PGOV"}) from:{c["date"][:4]}'),
            (c, f'-{a} origin:"{c["origin"]}"'),
            (c, f"subject:{words(c['subject'] or 'none')[0]} OR -{b}"),
        ]
    return out


def test_real_text_searches_agree_with_the_evaluator(cables, db):
    records = [Record(c) for c in cables]
    queries = _sample_queries(cables)
    assert len(queries) > 100
    found_self = 0
    for source, text in queries:
        root = parse_query(text).root
        expected = {i for i, r in enumerate(records, 1) if r.matches(root)}
        for columns in (None, {"subject": "subject", "origin": "origin"}):
            assert ref.search(db, root, columns) == expected, text
        found_self += (cables.index(source) + 1) in expected
    # Queries made of a cable's own words find that cable (most of them have no exclusion).
    assert found_self >= len(queries) // 2


def test_phrases_of_real_text_find_their_cable(cables, db):
    for i, c in enumerate(cables[::7], 0):
        ws = words(c["text"][0])
        if len(ws) < 60:
            continue
        phrase = " ".join(ws[50:54])
        plan = plan_fts5(parse_query(f'"{phrase}"'))
        hits = {r[0] for r in db.execute("SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?", (plan.match,))}
        assert cables.index(c) + 1 in hits, phrase
