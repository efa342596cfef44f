"""Manifest lines, files and determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cablemirror.integrity.manifest import (
    Manifest,
    ManifestEntry,
    ManifestError,
    escape_field,
    is_manifest,
    read_manifest,
    source_name,
    unescape_field,
)
from cablemirror.integrity.merkle import MerkleTree, ProofStep, leaf_hash, verify_proof
from cablemirror.store import open_store

from .conftest import DEMO_COUNT, DemoStore

SHA = "ab" * 32


def entry(id: str = "05ALMATY2985", sha: str = SHA, source: str = "cables.csv", offset: int = 0) -> ManifestEntry:
    return ManifestEntry(id, sha, "cables_csv", source, offset, 123)


# ---------------------------------------------------------------------------- lines


def test_a_line_is_six_tab_separated_fields() -> None:
    line = entry().line()
    assert line == f"05ALMATY2985\t{SHA}\tcables_csv\tcables.csv\t0\t123"
    assert ManifestEntry.from_line(line) == entry()


@given(st.text(min_size=1), st.text(), st.text())
def test_any_text_round_trips_on_one_line(ident: str, fmt: str, source: str) -> None:
    e = ManifestEntry(ident, SHA, fmt, source, 7, 9)
    line = e.line()
    assert "\n" not in line and "\r" not in line and not line.startswith("#")
    assert line.count("\t") == 5
    assert ManifestEntry.from_line(line) == e


@given(st.text())
def test_escaping_round_trips(text: str) -> None:
    assert unescape_field(escape_field(text)) == text


def test_escapes_are_the_documented_ones() -> None:
    assert escape_field("a\\b\tc\nd\re\x01\x7f") == "a\\\\b\\tc\\nd\\re\\x01\\x7f"
    assert ManifestEntry("#1", SHA, "f", "s", 0, 0).line().startswith("\\x23")
    assert ManifestEntry("a#1", SHA, "f", "s", 0, 0).line().startswith("a#1\t")


@pytest.mark.parametrize(
    "line, message",
    [
        ("only\tthree\tfields", "fields"),
        (f"05X1\t{SHA.upper()}\tf\ts\t0\t1", "sha256"),
        (f"05X1\t{SHA[:-1]}\tf\ts\t0\t1", "sha256"),
        (f"05X1\t{SHA}\tf\ts\t-1\t1", "whole numbers"),
        (f"05X1\t{SHA}\tf\ts\t01\t1", "whole numbers"),
        (f"05X1\t{SHA}\tf\ts\t0\tten", "whole numbers"),
        (f"\t{SHA}\tf\ts\t0\t1", "empty"),
        (f"05\\qX1\t{SHA}\tf\ts\t0\t1", "escape"),
        (f"05X1\\\t{SHA}\tf\ts\t0\t1", "canonical"),
        (f"05\\x41X1\t{SHA}\tf\ts\t0\t1", "canonical"),  # "A" need not be escaped
    ],
)
def test_malformed_lines_are_refused_with_a_reason(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ManifestEntry.from_line(line)


def test_source_is_the_file_name_whatever_the_separator() -> None:
    assert source_name("/srv/release/cable/2005/08/05ALMATY2985.html") == "05ALMATY2985.html"
    assert source_name("..\\corpus\\cables.csv") == "cables.csv"
    assert source_name("cables.csv") == "cables.csv"
    assert source_name("folder/") == "folder"


def test_lines_are_sorted_by_bytes_so_c_sort_reproduces_them() -> None:
    entries = [entry("10B2"), entry("05A1", "cd" * 32), entry("05A1", "0a" * 32), entry("05A12"), entry("Z\u00e9")]
    m = Manifest.from_entries(entries)
    assert m.lines == sorted(m.lines, key=lambda s: s.encode("utf-8"))
    assert [ManifestEntry.from_line(x).id for x in m.lines] == ["05A1", "05A1", "05A12", "10B2", "Z\u00e9"]
    assert m.indices_of("05A1") == [0, 1] and m.indices_of("05A12") == [2] and m.indices_of("05A") == []


# ---------------------------------------------------------------------------- files


def test_text_and_json_forms_read_back_with_the_same_root(tmp_path: Path) -> None:
    m = Manifest.from_entries([entry(f"05X{i}", f"{i:064x}", offset=i * 10) for i in range(5)])
    text, js = tmp_path / "m.txt", tmp_path / "m.json"
    text.write_text(m.text(), encoding="utf-8")
    js.write_text("".join(m.iter_json()), encoding="utf-8")
    assert json.loads(js.read_text())["root"] == m.root.hex()
    for path in (text, js):
        assert is_manifest(path)
        mf = read_manifest(path)
        assert mf.problems == []
        assert mf.claimed_root == mf.computed_root == m.root.hex()
        assert mf.claimed_count == mf.lines == 5
        assert [e.line() for e in mf.entries] == m.lines


def test_header_says_count_root_and_algorithm() -> None:
    m = Manifest.from_entries([entry()])
    head = m.text().splitlines()[:5]
    assert head[0] == "# cablemirror manifest 1"
    assert head[1].startswith("# algorithm: sha256-merkle")
    assert head[3] == "# count: 1"
    assert head[4] == f"# root: {leaf_hash(entry().line()).hex()}"
    assert Manifest([]).root.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_a_changed_manifest_says_so(tmp_path: Path) -> None:
    m = Manifest.from_entries([entry(f"05X{i}", f"{i:064x}") for i in range(4)])
    lines = m.text().splitlines(keepends=True)
    edited = tmp_path / "edited.txt"
    edited.write_text("".join(lines).replace("05X2\t", "05X9\t"), encoding="utf-8")
    mf = read_manifest(edited)
    assert any("not the root of its lines" in p for p in mf.problems)
    shorter = tmp_path / "shorter.txt"
    shorter.write_text("".join(lines[:-1]), encoding="utf-8")
    problems = read_manifest(shorter).problems
    assert any("says it has 4 records but lists 3" in p for p in problems)
    assert any("not the root" in p for p in problems)
    junk = tmp_path / "junk.txt"
    junk.write_text("".join(lines) + "garbage line\n\n# a comment\n", encoding="utf-8")
    problems = read_manifest(junk).problems
    assert any(p.startswith("line 10:") and "fields" in p for p in problems)
    assert any("empty line" in p for p in problems) and any("comment" in p for p in problems)
    doubled = tmp_path / "doubled.txt"
    doubled.write_text("".join(lines) + lines[-1], encoding="utf-8")
    assert any("listed twice" in p for p in read_manifest(doubled).problems)


def test_what_is_not_a_manifest_is_an_error(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    assert not is_manifest(other) and not is_manifest(tmp_path)
    with pytest.raises(ManifestError, match="not a cablemirror manifest"):
        read_manifest(other)
    with pytest.raises(ManifestError, match="cannot read"):
        read_manifest(tmp_path / "absent.txt")
    other_json = tmp_path / "x.json"
    other_json.write_text('{"format": "something else"}')
    with pytest.raises(ManifestError, match="JSON manifest"):
        read_manifest(other_json)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "cablemirror-manifest", "records": [')
    with pytest.raises(ManifestError, match="cannot read JSON"):
        read_manifest(broken)
    latin = tmp_path / "latin.txt"
    latin.write_bytes(Manifest.from_entries([entry()]).text().encode() + b"05\xe9\n")
    assert any("not UTF-8" in p for p in read_manifest(latin).problems)


# ---------------------------------------------------------------------------- from a store


def test_same_store_same_bytes_and_every_line_proves(demo: DemoStore) -> None:
    with open_store(demo.db, readonly=True) as store:
        first = Manifest.from_store(store)
        second = Manifest.from_store(store)
        ids = [cid for cid, _ in store.iter_ids()]
        for cid in ids[:5]:
            for v in store.get_versions(cid):
                line = ManifestEntry(cid, v["sha256"], v["format"], demo.csv.name, v["offset"], v["length"]).line()
                assert line in first.lines
    assert first.text().encode() == second.text().encode()
    assert "".join(first.iter_json()) == "".join(second.iter_json())
    assert first.count == DEMO_COUNT and first.without_version == []
    assert str(demo.db.parent) not in first.text()  # file names only, no folders
    tree = MerkleTree.from_lines(first.lines)
    assert tree.root == first.root
    for cid in ids:
        (i,) = first.indices_of(cid)
        proof = first.proof(i)
        assert proof["id"] == cid and proof["tree_size"] == DEMO_COUNT
        assert verify_proof(proof["line"], [ProofStep.from_dict(s) for s in proof["path"]], proof["root"])
