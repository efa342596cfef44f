"""Scraped mirror pages: the seed, and generated pages of other cables."""

from __future__ import annotations

from pathlib import Path

import pytest

from cablemirror.model import FORMAT_MIRROR, Quarantined, RawRecord, sha256_hex
from cablemirror.sources import mirror_page

from .gen import mirror_page as gen_page


@pytest.mark.corpus
def test_seed_page(seed_page: Path) -> None:
    (rec,) = mirror_page.read(seed_page)
    assert isinstance(rec, RawRecord)
    data = seed_page.read_bytes()
    assert rec.raw == data and rec.provenance.format == FORMAT_MIRROR and rec.provenance.sha256 == sha256_hex(data)
    lines = data.decode().split("\n")
    # Values read here from the page itself: line 2 the date-time, line 3 the origin.
    assert rec.metadata.created == lines[1].strip().replace(" ", "T")
    assert rec.metadata.origin == lines[2].strip()
    assert rec.metadata.reference_id is None and rec.header is None
    assert rec.partial_notice
    notice = next(i for i, line in enumerate(lines) if line.startswith("This record is a partial extract"))
    assert rec.body == "\n".join(lines[notice + 1 :])  # exactly as on the page, damage and all
    assert "Cable title" not in rec.body and "how-to" not in rec.body


def _read(tmp_path: Path, data: bytes):
    p = tmp_path / "page.txt"
    p.write_bytes(data)
    (item,) = mirror_page.read(p)
    return item


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"title": "KAZAKHSTAN: A GENERATED TITLE", "partial": True},
        {"links": "", "created": "1999-12-31 23:59"},
        {"nav": "Some Other Mirror | Search | About", "origin": "Secretary of State"},
    ],
)
def test_generated_pages(tmp_path: Path, kwargs: dict) -> None:
    rec = _read(tmp_path, gen_page(**kwargs))
    assert isinstance(rec, RawRecord)
    created = kwargs.get("created", "2007-02-03 04:05:06")
    assert rec.metadata.created == created.replace(" ", "T") + (":00" if len(created) == 16 else "")
    assert rec.metadata.origin == kwargs.get("origin", "Embassy Testville")
    assert rec.partial_notice is kwargs.get("partial", False)
    assert rec.body.startswith("\tU N C L A S TESTVILLE 000099")
    if kwargs.get("title"):
        assert any(kwargs["title"] in n for n in rec.metadata.notes)


def test_crlf_page(tmp_path: Path) -> None:
    rec = _read(tmp_path, gen_page().replace(b"\n", b"\r\n"))
    assert isinstance(rec, RawRecord) and "\r" not in rec.body


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"just some text\nwithout structure\n", "no date-time line"),
        (gen_page(created="2007-02-30 04:05:06"), "not a valid date-time"),
        (gen_page().replace(b"Cable title:", b"Heading:"), "no 'title:' line"),
        (gen_page(body=""), "without cable text"),
        (b"", "empty file"),
        (b"\x00\x01" * 40, "NUL bytes"),
    ],
)
def test_not_mirror_pages(tmp_path: Path, data: bytes, reason: str) -> None:
    item = _read(tmp_path, data)
    assert isinstance(item, Quarantined) and reason in item.reason, getattr(item, "reason", item)
    assert item.raw == data
