"""Shared builders of the static-export tests (no tests here).

Stores are filled through the real pipeline (generated cables written as a
cables.csv by ``cablemirror.demo`` and imported with ``cablemirror.ingest``; the real
release pages from ../shared, skipped when absent) and exported once per test
process: the builders are cached, their folders removed at exit.
"""

from __future__ import annotations

import atexit
import functools
import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from cablemirror.demo import write_cables_csv
from cablemirror.export.static_site import ExportReport, StaticOptions, export_static
from cablemirror.ingest import import_paths
from cablemirror.store import open_store

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SKIP_REASON = f"needs the real release files in {SHARED} (absent: this is not the project's CI layout)"
JS = ROOT / "src" / "cablemirror" / "web" / "static" / "search-static.js"
NODE = shutil.which("node")

DEMO_COUNT = 300
DEMO_SEED = 2010
CORPUS_PARTS = ("cablegate-html", "cablegate-html-versions")
BASE_URL = "https://cables.example.org"

_TMP = Path(tempfile.mkdtemp(prefix="cablemirror-static-tests-"))
atexit.register(shutil.rmtree, _TMP, True)


def tmp(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=name + "-", dir=_TMP))


def build_store(db: Path, paths: list[Path]) -> Path:
    with open_store(db) as store:
        import_paths(store, paths)
    return db


@functools.lru_cache(maxsize=None)
def demo_store() -> Path:
    root = tmp("demo")
    csv = root / "demo-cables.csv"
    write_cables_csv(csv, DEMO_COUNT, DEMO_SEED)
    return build_store(root / "demo.db", [csv])


@functools.lru_cache(maxsize=None)
def demo_export() -> tuple[Path, ExportReport]:
    """The demo store exported with the source bytes, one process, paths of what it wrote."""
    out = tmp("demo-site") / "site"
    report = export_static(str(demo_store()), out, StaticOptions(raw=True, keep_written=True))
    return out, report


def corpus_store() -> Path:
    if not CORPUS.exists():
        pytest.skip(SKIP_REASON)
    return _corpus_store()


@functools.lru_cache(maxsize=None)
def _corpus_store() -> Path:
    root = tmp("corpus")
    return build_store(root / "corpus.db", [CORPUS / p for p in CORPUS_PARTS])


def corpus_export() -> tuple[Path, ExportReport]:
    corpus_store()
    return _corpus_export()


@functools.lru_cache(maxsize=None)
def _corpus_export() -> tuple[Path, ExportReport]:
    """The real release pages exported with raw bytes, a base URL and two workers."""
    out = tmp("corpus-site") / "site"
    report = export_static(str(_corpus_store()), out, StaticOptions(raw=True, base_url=BASE_URL, workers=2))
    return out, report


# ---------------------------------------------------------------------------
# Crawling

_ATTR = re.compile(r'\s(href|src|action)="([^"]*)"')


def crawl(root: Path) -> tuple[int, dict[str, list[str]], set[str]]:
    """(HTML pages, dead internal links -> pages holding them, external URLs) of an export."""
    dead: dict[str, list[str]] = {}
    external: set[str] = set()
    pages = 0
    for page in sorted(root.rglob("*.html")):
        pages += 1
        text = page.read_text("utf-8")
        for _, value in _ATTR.findall(text):
            url = html.unescape(value)
            if not url or url.startswith("#"):
                continue
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                external.add(url)
                continue
            if parts.path.startswith("/"):  # from the site's root (the 404 page)
                target = (root / unquote(parts.path[1:])).resolve()
            else:
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file() or root.resolve() not in target.parents:
                dead.setdefault(url, []).append(str(page.relative_to(root)))
    return pages, dead, external


def visible_main(text: str) -> str:
    """The words a reader sees in a page's <main>, without what depends on what the
    export holds (sort links, the version-comparison form, the downloads of a cable)."""
    m = re.search(r"<main\b[^>]*>(.*)</main>", text, re.S)
    body = m.group(1) if m else text
    body = re.sub(r'<p class="sort">.*?</p>', " ", body, flags=re.S)
    body = re.sub(r'<(form|p) class="diff-form".*?</\1>', " ", body, flags=re.S)
    body = re.sub(r'<ul class="actions".*?</ul>', " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


# ---------------------------------------------------------------------------
# The search, run in Node

HARNESS = r"""
const fs = require("fs"), vm = require("vm"), path = require("path");
const [js, root] = process.argv.slice(2);
vm.runInThisContext(fs.readFileSync(js, "utf8"), { filename: js });
const CM = globalThis.CMSearch;
const load = (p) => new Promise((resolve, reject) => {
  let text;
  try { text = fs.readFileSync(path.join(root, p), "utf8"); } catch (e) { reject(e); return; }
  vm.runInThisContext(text, { filename: p });
  resolve();
});
const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
(async () => {
  const out = [];
  for (const job of jobs) {
    try {
      if (job.kind === "ids") {
        const engine = new CM.Engine(load);
        out.push({ ids: await engine.ids(job.q), files: engine.index.loaded });
      } else if (job.kind === "page") {
        const engine = new CM.Engine(load);
        const r = await engine.search(job.q, job.options || {});
        out.push({ result: r, files: engine.index.loaded });
      } else if (job.kind === "stem") {
        out.push(job.words.map((w) => CM.stem(w)));
      } else if (job.kind === "words") {
        out.push(job.texts.map((t) => CM.words(t)));
      } else if (job.kind === "fold") {
        out.push(job.chars.map((c) => CM.foldChar(c)));
      } else if (job.kind === "postings") {
        out.push(job.texts.map((t) => Array.from(CM.decodePostings(t))));
      } else if (job.kind === "parse") {
        try { CM.parse(job.q, job.stopwords); out.push({ ok: true }); }
        catch (e) { out.push({ error: e.message, column: e.column }); }
      }
    } catch (e) {
      out.push({ error: String(e && e.message || e), column: e && e.column });
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def run_node(jobs: list[dict[str, Any]], index: Path | None = None) -> list[Any]:
    """Run jobs through search-static.js in Node (skips when node is missing)."""
    if NODE is None:
        pytest.skip("node is not installed: the static search cannot be run outside a browser")
    harness = _TMP / "harness.js"
    if not harness.exists():
        harness.write_text(HARNESS, "utf-8")
    proc = subprocess.run(
        [NODE, str(harness), str(JS), str(index or _TMP)],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def store_ids(db: Path, q: str) -> list[str]:
    with open_store(db, readonly=True) as store:
        page = store.query(q, limit=1_000_000, facets=())
        return sorted(h.id for h in page.hits)
