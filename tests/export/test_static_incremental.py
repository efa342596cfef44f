"""Exporting again after an import rewrites only what changed; a cable that is gone
takes its files with it; an export with nothing new writes nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cablemirror.demo import generate_cables
from cablemirror.export.static_files import load_state
from cablemirror.export.static_index import INDEX_DIR, prepare
from cablemirror.export.static_links import cable_file
from cablemirror.export import static_site
from cablemirror.export.static_site import ExportReport, StaticOptions, export_static
from cablemirror.ingest import import_paths
from cablemirror.store import open_store
try:  # tests/export is not a package today; keep working if it becomes one
    from .test_static_support import crawl, tmp
except ImportError:
    from test_static_support import crawl, tmp

COUNT = 150
SEED = 77


def _write(path: Path, cables: list) -> Path:
    path.write_text("".join(c.csv_record() for c in cables), "utf-8")
    return path


@pytest.fixture(scope="module", autouse=True)
def same_code() -> None:
    """Pages are rendered again whenever the site's code changes (its fingerprint is
    part of every page's); other work on the tree must not count as a change here."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(static_site, "code_fingerprint", lambda: "the same code")
        yield


@pytest.fixture(scope="module")
def scenario(same_code: None) -> dict:
    """A collection of COUNT cables, one of them (``new``) held back: it cites cables
    of the collection and is cited by others."""
    cables = list(generate_cables(COUNT, SEED))
    ids = {c.reference_id for c in cables}
    cited_by: dict[str, list[str]] = {}
    for c in cables:
        for r in c.references:
            cited_by.setdefault(r, []).append(c.reference_id)
    new = next(c for c in cables
               if any(r in ids for r in c.references) and cited_by.get(c.reference_id)
               and any(r not in ids for r in c.references))
    root = tmp("incremental")
    before = _write(root / "before.csv", [c for c in cables if c is not new])
    one = _write(root / "one.csv", [new])
    db = root / "store.db"
    with open_store(db) as store:
        import_paths(store, [before])
    snapshot = root / "before.db"
    shutil.copyfile(db, snapshot)
    out = root / "site"
    first = export_static(str(db), out, StaticOptions(keep_written=True))
    with open_store(db) as store:
        summary = import_paths(store, [one])
    assert summary.new == 1
    second = export_static(str(db), out, StaticOptions(keep_written=True))
    return {"cables": cables, "new": new, "ids": ids, "cited_by": cited_by, "db": db, "snapshot": snapshot,
            "out": out, "first": first, "second": second}


def test_one_new_cable_rewrites_only_what_shows_it(scenario) -> None:
    first: ExportReport = scenario["first"]
    second: ExportReport = scenario["second"]
    new = scenario["new"]
    nid = new.reference_id
    out = scenario["out"]
    written = set(second.written_paths)
    assert second.cables == first.cables + 1 == COUNT
    assert f"cable/{nid}.html" in written and f"cable/{nid}.json" in written
    # Cable pages: the new one, those it cites (their "cited by"), those citing it (their
    # link to it), those citing what it cites ("cited by N cables here" beside a
    # reference), and the pages of the missing cables it cites (one more citing cable).
    co_citing = {c for r in new.references for c in scenario["cited_by"].get(r, [])}
    neighbours = set(new.references) | set(scenario["cited_by"][nid]) | co_citing | {nid}
    pages = {p[len("cable/"):-len(".html")] for p in written if p.startswith("cable/") and p.endswith(".html")}
    assert pages <= neighbours, pages - neighbours
    assert second.cables_rendered <= len(neighbours & scenario["ids"])
    assert set(scenario["cited_by"][nid]) <= pages  # their reference now links a stored cable
    # Browse pages: the lists holding it, the lists of values (their counts) and the years.
    year, month, day = new.created.strftime("%Y"), new.created.strftime("%m"), new.created.strftime("%d")
    for path in written:
        if not path.startswith("browse/"):
            continue
        assert (path.startswith((f"browse/date/{year}.", f"browse/date/{year}/{month}.", f"browse/date/{year}/{month}/{day}."))
                or path in ("browse/date.html", "browse/origin.html", "browse/tag.html", "browse/classification.html")
                or path.startswith(("browse/origin/", "browse/tag/", "browse/classification/"))), path
        if path.startswith(("browse/origin/", "browse/tag/", "browse/classification/")):
            assert nid in (out / path).read_text("utf-8") or ".p" in path, path  # the page it is on, or later ones
    # Index: the shards of its words, the one block of documents it is in, meta and dates.
    terms = {t for t, _ in prepare(_record(scenario["db"], nid)).terms}
    for path in written:
        if path.startswith(f"{INDEX_DIR}/t/"):
            text = (out / path).read_text()
            assert any(f'"{t}":' in text for t in terms if t.isascii()), path
    blocks = [p for p in written if p.startswith(f"{INDEX_DIR}/d/")]
    assert len(blocks) == 1 and nid in (out / blocks[0]).read_text()
    assert f"{INDEX_DIR}/meta.js" in written and f"{INDEX_DIR}/dates.js" in written
    others = {p for p in written if not p.startswith(("cable/", "browse/", INDEX_DIR + "/"))}
    assert others <= {"index.html", "how-to-read-a-cable.html", "manifest.txt", "manifest.json", "search.html",
                      "404.html"}, others
    assert len(written) < first.files * 0.25
    assert crawl(out)[1] == {}
    print(f"\nafter importing one cable into a {COUNT - 1}-cable export: {len(written)} of {second.files} files rewritten")


def _record(db: Path, cid: str) -> dict:
    with open_store(db, readonly=True) as store:
        record = store.get_cable(cid)
    assert record is not None
    return record


def test_exporting_again_writes_nothing(scenario) -> None:
    again = export_static(str(scenario["db"]), scenario["out"], StaticOptions(keep_written=True))
    assert again.written == 0 and again.written_paths == [] and again.removed == 0
    assert again.cables_rendered == 0
    forced = export_static(str(scenario["db"]), scenario["out"], StaticOptions(keep_written=True, force=True))
    assert forced.cables_rendered == COUNT and forced.written == 0  # rendered again, same bytes


def test_a_cable_that_is_gone_takes_its_files(scenario) -> None:
    nid = scenario["new"].reference_id
    out = scenario["out"]
    assert (out / f"cable/{nid}.json").exists()
    numbers = {cid: entry[0] for cid, entry in load_state(out)["cables"].items()}
    report = export_static(str(scenario["snapshot"]), out, StaticOptions(keep_written=True))
    assert f"cable/{nid}.json" in report.removed_paths
    assert not (out / f"cable/{nid}.json").exists()
    # Still cited: its page is the "known but not in this mirror" page again.
    page = (out / f"cable/{nid}.html").read_text("utf-8")
    assert "known but not in this mirror" in page
    assert crawl(out)[1] == {}
    # Document numbers stay: nothing is renumbered, the index holds one document less.
    after = {cid: entry[0] for cid, entry in load_state(out)["cables"].items()}
    assert after == {cid: n for cid, n in numbers.items() if cid != nid}
    assert re.search(r'"count":%d,' % (COUNT - 1), (out / INDEX_DIR / "meta.js").read_text())


def test_options_that_change_files(scenario, tmp_path) -> None:
    out = tmp_path / "site"
    db = scenario["snapshot"]
    export_static(str(db), out, StaticOptions(raw=True))
    some = next(out.glob("cable/*.raw"))
    report = export_static(str(db), out, StaticOptions(keep_written=True))
    assert not some.exists() and report.removed >= COUNT - 1  # --raw dropped: the bytes go
    assert not any(p.endswith(".raw") for p in report.written_paths)
    page = out / (cable_file(some.name.split(".")[0]) + ".html")
    assert page.as_posix() in {(out / p).as_posix() for p in report.written_paths}  # its "Source bytes" link went
