"""Format detection on every real file and on junk; read_path, iter_files, READERS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.conftest import shared_path

from cablemirror.model import (
    CABLE_FORMATS,
    FORMAT_WARLOG,
    FORMAT_CSV,
    FORMAT_HTML,
    FORMAT_MIRROR,
    FORMAT_PDF,
    FORMAT_TEXT,
    Quarantined,
    RawRecord,
)
from cablemirror.sources import FORMAT_UNKNOWN, READERS, detect_format, iter_files, iter_records, read_path

from .gen import CsvRow, csv_file, mirror_page, release_page

EXPECTED = {
    "cablegate-html": FORMAT_HTML,
    "cablegate-html-versions": FORMAT_HTML,
    "cables-csv": FORMAT_CSV,
    "cables-csv-raw-head": FORMAT_CSV,
    "cable-text": FORMAT_TEXT,
    "cable-pdf": FORMAT_PDF,
}


def test_readers_cover_the_cable_formats_and_the_war_logs() -> None:
    assert set(READERS) == set(CABLE_FORMATS) | {FORMAT_WARLOG}


@pytest.mark.corpus
def test_every_real_file_is_detected(seed_page: Path) -> None:
    corpus = shared_path("corpus")
    counts: dict[str, int] = {}
    for path in iter_files([corpus]):
        if path.parent == corpus:  # SOURCES.tsv: not a cable file
            assert detect_format(path) is None
            continue
        assert detect_format(path) == EXPECTED[path.parent.name], path
        counts[path.parent.name] = counts.get(path.parent.name, 0) + 1
    assert counts == {"cablegate-html": 416, "cablegate-html-versions": 8, "cables-csv": 30,
                      "cables-csv-raw-head": 3, "cable-text": 12, "cable-pdf": 14}
    assert detect_format(seed_page) == FORMAT_MIRROR


@pytest.mark.corpus
def test_read_path_on_the_whole_corpus_counts() -> None:
    """One record per one-record file; cables.csv files read to the last record."""
    recs = quar = 0
    for item in iter_records([shared_path("corpus", "cable-text"), shared_path("corpus", "cablegate-html"),
                              shared_path("corpus", "cables-csv-raw-head")]):
        if isinstance(item, RawRecord):
            recs += 1
        else:
            quar += 1
    assert recs == 12 + 416 + (36 + 32 + 33)
    assert quar == 2 + 2 + 1  # stray quote + cut-off record (aa, final2), cut-off record (nlp)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    "name, data, fmt",
    [
        ("page.html", release_page(), FORMAT_HTML),
        ("page", release_page(nav_bytes=400_000), FORMAT_HTML),  # table beyond the first 256 KB
        ("rows.csv", csv_file([CsvRow(1, "1/2/2003 4:05", "03X1")]), FORMAT_CSV),
        ("rows", b"\xef\xbb\xbf" + CsvRow(1, "1/2/2003 4:05", "03X1").encode(), FORMAT_CSV),
        ("piece", b"END OF A PREVIOUS RECORD\n\"\n" + CsvRow(9, "1/2/2003 4:05", "03X9").encode(), FORMAT_CSV),
        ("a.pdf", b"%PDF-1.4\n...", FORMAT_PDF),
        ("broken.pdf", b"\x00\x01\x02\x03" * 100, FORMAT_PDF),  # named .pdf: its reader explains
        ("mirror.txt", mirror_page(), FORMAT_MIRROR),
        ("cable", b"UNCLAS TESTVILLE 000001\nSUBJECT: TEST\n", FORMAT_TEXT),
        ("cable.txt", b"C O N F I D E N T I A L TESTVILLE 000001\n", FORMAT_TEXT),
        ("notes.md", b"# a readme\nnothing of a cable here\n", None),
        ("other.html", b"<!DOCTYPE html><html><body><pre>TAGS: X</pre></body></html>", None),
        ("empty", b"", None),
        ("blank", b"\n\n  ", None),
        ("junk.bin", bytes(range(256)) * 40, None),
        ("one-marker", b"SUBJECT: LUNCH ON FRIDAY\n", None),
    ],
)
def test_detection_on_generated_files(tmp_path: Path, name: str, data: bytes, fmt: str | None) -> None:
    assert detect_format(_write(tmp_path, name, data)) == fmt


def test_unrecognised_file_is_quarantined_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10
    p = _write(tmp_path, "junk.bin", data)
    (item,) = read_path(p)
    assert isinstance(item, Quarantined) and item.reason.startswith("unrecognised format:")
    assert item.raw == data and item.provenance.format == FORMAT_UNKNOWN and item.provenance.length == len(data)
    assert list(read_path(p, start_offset=5)) == []


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    (item,) = read_path(tmp_path / "missing.html")
    assert isinstance(item, Quarantined) and item.reason.startswith("cannot read file")
    if os.geteuid() != 0:  # root reads anything
        p = _write(tmp_path, "locked.csv", b"x")
        p.chmod(0)
        (item,) = read_path(p)
        assert isinstance(item, Quarantined) and "Permission denied" in item.reason
    (item,) = read_path(tmp_path)  # a folder is not a file
    assert isinstance(item, Quarantined) and item.reason.startswith("cannot read file")


def test_forced_format(tmp_path: Path) -> None:
    p = _write(tmp_path, "page.txt", release_page())
    assert detect_format(p) == FORMAT_HTML
    (rec,) = read_path(p, format=FORMAT_HTML)
    assert isinstance(rec, RawRecord)
    items = list(read_path(p, format=FORMAT_CSV))  # the wrong reader: quarantined, not lost
    assert items and all(isinstance(i, Quarantined) for i in items)
    assert sum(i.provenance.length for i in items) <= len(release_page())
    with pytest.raises(ValueError, match="unknown source format"):
        list(read_path(p, format="word"))
    with pytest.raises(ValueError, match="start_offset"):
        list(read_path(p, start_offset=-1))


def test_iter_files(tmp_path: Path) -> None:
    for rel in ["b/2.html", "b/10.html", "a.csv", ".hidden/x.html", "b/.x.html", "c/d/e.txt"]:
        _write(tmp_path, "x", b"")
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    (tmp_path / "x").unlink()
    os.mkfifo(tmp_path / "c" / "pipe")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])]
    assert found == ["a.csv", "b/10.html", "b/2.html", "c/d/e.txt"]
    # Files given directly come as given, each once; a missing one is yielded to be reported.
    again = list(iter_files([tmp_path / "a.csv", tmp_path, tmp_path / "nope"]))
    assert again[0] == tmp_path / "a.csv" and len(again) == 5 and again[-1] == tmp_path / "nope"
