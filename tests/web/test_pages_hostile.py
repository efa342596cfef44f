"""Hostile cable text, through the real pipeline, is shown as text and never runs.

The records are cables.csv rows (generated here, in the release's format) whose
header, body, origin and subject carry markup, template syntax, quotes, control
characters, direction marks and very long lines; they are imported with
``import_paths`` like any release file and every page that shows them is checked.
"""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pytest
from starlette.testclient import TestClient

from cablemirror.demo import GeneratedCable
from cablemirror.ingest import import_paths
from cablemirror.store import open_store

from .conftest import make_client

PAYLOADS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "</pre></div></main><script src=//evil.example/x.js></script>",
    "{{ config }} {% for x in y %} ${7*7} #{7*7}",
    "javascript:alert(1)",
    "<svg onload=alert(1)><iframe src=https://evil.example>",
    "ctrl\x01\x07\x1b[31mred\x7f",
    "\u202egnp.exe\u202c \u2067rtl\u2069 \u200f",
    "&lt;script&gt; &#60;script&#62;",
    "\ue000fake mark\ue001",
]


def _body(n: int, payload: str) -> str:
    long_line = ("A" * 3000) + payload
    return (
        f"C O N F I D E N T I A L SECTION 01 OF 02 EXAMPLEVILLE 00{n:04d}\n"
        "\n"
        "SIPDIS\n"
        "\n"
        "E.O. 12958: DECL: 01/01/2015\n"
        f"TAGS: PGOV PREL {payload}\n"
        f"SUBJECT: HOSTILE {payload}\n"
        "\n"
        f"REF: A. 05 EXAMPLEVILLE 1 B. {payload}\n"
        "\n"
        "Classified By: Ambassador A. N. Example, reasons 1.4 (b) and (d).\n"
        "\n"
        f"1. (C) Summary: the first paragraph says {payload} and\n"
        f"goes on. XXXXXXXXXXXX said {payload}. End summary.\n"
        "\n"
        f"2. (S) {long_line}\n"
        "\n"
        f"3. (U) The word harassment appears here {payload}.\n"
        "\n"
        "EXAMPLE\n"
    )


def _cables() -> list[GeneratedCable]:
    out = []
    for n, payload in enumerate(PAYLOADS, start=1):
        out.append(
            GeneratedCable(
                sequence=n,
                created=datetime(2005, 8, n, 13, 6),
                reference_id=f"05ALMATY{9000 + n}",
                origin=f"Embassy Almaty {payload}" if n % 2 else "Embassy Almaty",
                classification="CONFIDENTIAL",
                references=("05ALMATY1",),
                header=f"VZCZCXRO1234\nPP RUEHC\nDE RUEHTA #{n:04d} 2301306\nP 181306Z AUG 05\nFM AMEMBASSY ALMATY {payload}\nTO RUEHC/SECSTATE WASHDC PRIORITY 1234\n",
                body=_body(n, payload),
                header_kind="routing",
                cited_missing=("05ALMATY1",),
                topic="politics",
                redacted=True,
            )
        )
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, list[str], Path]]:
    root = tmp_path_factory.mktemp("hostile")
    csv = root / "hostile-cables.csv"
    csv.write_text("".join(c.csv_record() for c in _cables()), "utf-8")
    db = root / "hostile.db"
    with open_store(db) as store:
        summary = import_paths(store, [csv])
        ids = [cid for cid, _ in store.iter_ids()]
    assert summary.new == len(PAYLOADS) and summary.quarantined == 0
    with make_client(Path(db)) as client:
        yield client, ids, db


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _check(html: str) -> None:
    """Parsed as a browser would: no element or attribute a payload tried to create."""
    p = _Tags()
    p.feed(html)
    for tag, attrs in p.tags:
        assert tag not in ("img", "iframe", "object", "embed", "base"), tag
        names = {name for name, _ in attrs}
        assert not any(name.startswith("on") for name in names), (tag, attrs)
        if tag == "script":
            assert attrs[0][0] == "src" and (attrs[0][1] or "").startswith("/static/site.js?v="), attrs
        if tag == "svg":
            assert "onload" not in names
        for name, value in attrs:
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith("javascript:"), value
    # No raw control or direction character reaches the page.
    assert not re.search("[\x01\x07\x1b\x7f\u202e\u2067]", html)


def test_hostile_cable_pages(hostile):
    from markupsafe import escape

    from cablemirror.web.render import escape_text, plain_text

    client, ids, db = hostile
    assert len(ids) == len(PAYLOADS)
    with open_store(db, readonly=True) as store:
        records = {cid: store.get_cable(cid) for cid in ids}
    for n in range(1, len(PAYLOADS) + 1):
        cid = f"05ALMATY{9000 + n}"
        record = records[cid]
        r = client.get(f"/cable/{cid}?hl=harassment+script")
        assert r.status_code == 200, (cid, r.text[:300])
        _check(r.text)
        page = r.text.replace("<mark>", "").replace("</mark>", "")
        # The payload is there as text (as the parser kept it): escaped, controls and
        # direction marks made visible, template syntax not evaluated.
        body = record["body"]
        start = body.index("appears here ") + len("appears here ")
        shown = body[start : body.index("\n", start)]
        assert str(escape_text(shown)) in page, shown
        assert str(escape(plain_text(record["subject"]))) in page
        assert str(escape(plain_text(record["origin"]))) in page
        assert "<mark>harassment</mark>" in r.text


def test_hostile_text_in_lists_search_and_guide(hostile):
    client, ids, _ = hostile
    for url in ("/", "/search?q=harassment", "/search?q=script", "/search", "/browse/date/2005/08",
                "/browse/origin", "/browse/tag", "/how-to-read-a-cable", f"/search?q=ref:{ids[0]}",
                "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", "/search?q=%22%3Cscript%3E"):
        r = client.get(url)
        assert r.status_code in (200, 400), (url, r.status_code)
        _check(r.text)
    r = client.get("/search?q=harassment")
    assert r.text.count("<mark>") >= len(ids)


def test_the_long_line_wraps_inside_the_page(hostile):
    client, ids, _ = hostile
    r = client.get(f"/cable/{ids[0]}")
    assert "A" * 3000 in r.text  # kept whole: the CSS wraps it (overflow-wrap: anywhere)
