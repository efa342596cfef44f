"""``cablemirror export static``: the whole site as files any web server (or a folder
opened from disk) can serve.  docs/static-export.md describes the result.

One pass over the collection in date order does everything a cable needs: its page
(and diffs, raw bytes and PDF when asked), its JSON record, its entry in the search
index, and its place in the browse lists.  Cable pages are rendered by worker
processes; the main process numbers the documents, gathers the lists and builds the
search index.  Then the list pages and the site's other pages are rendered (workers
again) while the main process merges the index into its shards.

Incremental: each cable's inputs (its record, references, citing cables, versions)
and the code and settings are fingerprinted; a cable whose fingerprint is unchanged
is not rendered again.  Every other file is rendered and written only when its bytes
differ.  Files the previous export wrote and this one does not (a cable that is
gone, a list page too many) are removed.  The state lives in the export folder
(``static_files.STATE_FILE``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import tempfile
import time
from array import array
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote

from ..search import CABLE_FIELDS, Query, QuerySyntaxError, build_filter, matches
from ..store import Store, open_store
from ..store import derived
from ..web.feeds import xml_text
from ..web.respond import dumps
from ..web.views import browse as browse_views
from ..web.views.common import PAGE_SIZE_BROWSE, STATIC_DIR, classification_slug
from ..web.views.search import exact_classification
from .static_files import STATE_FILE, STATE_FORMAT, ExportFiles, StateError, load_state, save_state
from .static_index import INDEX_DIR, IndexBuilder, IndexState, PreparedDoc, day_number, prepare
from .static_links import SiteMap, cable_file, list_file, unique_slugs
from .static_pages import ListedStore, PageRenderer, cable_inputs, code_fingerprint

__all__ = ["ExportError", "ExportReport", "StaticOptions", "export_static"]

VALUES_PER_PAGE = browse_views.VALUES_PER_PAGE
SITEMAP_URLS = 50_000
CABLE_BATCH = 16
PAGE_BATCH = 16
LOCK_FILE = ".cablemirror-static.lock"


class ExportError(Exception):
    """A problem the user can act on (the folder, a previous export); ``str()`` says what."""


@dataclass
class StaticOptions:
    base_url: str = ""  # the public address of the export, for canonical links and sitemap.xml
    pdf: bool = False  # a PDF per cable (slow: fpdf2)
    raw: bool = False  # the source bytes of every stored version
    workers: int = 1  # rendering processes (1: all in this process)
    site_name: str = "cablemirror"
    force: bool = False  # render every cable again, whatever its fingerprint
    progress: bool = False
    keep_written: bool = False  # list the paths written in the report (tests, small exports)


@dataclass
class ExportReport:
    folder: str
    cables: int = 0
    cables_rendered: int = 0  # pages rendered again (fingerprint changed)
    missing_pages: int = 0  # cited-but-missing cables with a page of their own
    list_pages: int = 0
    files: int = 0  # files the export holds
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    bytes_written: int = 0
    seconds: float = 0.0
    index: dict[str, Any] = field(default_factory=dict)
    written_paths: list[str] = field(default_factory=list)
    removed_paths: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        if not d["written_paths"]:
            d.pop("written_paths")
        if not d["removed_paths"]:
            d.pop("removed_paths")
        return d


# ---------------------------------------------------------------------------
# Worker processes


@dataclass(slots=True)
class _CableResult:
    cid: str
    num: int
    fingerprint: str
    versions: int
    rendered: bool
    prepared: PreparedDoc
    missing: list[str]
    written_paths: list[str]
    written: int
    unchanged: int
    bytes_written: int


class _Files(ExportFiles):
    """ExportFiles that remembers what it wrote since the last ``take``."""

    def __init__(self, root: Path, keep: bool) -> None:
        super().__init__(root)
        self.keep = keep
        self.paths: list[str] = []

    def write(self, rel: str, data: bytes) -> bool:
        wrote = super().write(rel, data)
        if wrote and self.keep:
            self.paths.append(rel)
        return wrote

    def take(self) -> tuple[list[str], int, int, int]:
        out = (self.paths, self.written, self.unchanged, self.bytes_written)
        self.paths, self.written, self.unchanged, self.bytes_written = [], 0, 0, 0
        return out


_W: dict[str, Any] = {}  # one worker's store, renderer and writer


def _init_worker(db: str, root: str, site: SiteMap, options: StaticOptions, glob: str,
                 lists: dict[str, array] | None = None, ids: list[str] | None = None) -> None:
    store: Any = open_store(db, readonly=True)
    if lists is not None:
        store = ListedStore(store, lists, ids or [])
    _W.clear()
    _W.update(store=store, site=site, options=options, glob=glob,
              renderer=PageRenderer(store, site, site_name=options.site_name),
              files=_Files(Path(root), options.keep_written))


def _close_worker() -> None:
    store = _W.get("store")
    if store is not None:
        (store._store if isinstance(store, ListedStore) else store).close()
    _W.clear()


def cable_files(cid: str, versions: int, raw: bool, pdf: bool) -> list[str]:
    """Every file of one stored cable in the export, its page first."""
    base = cable_file(cid)
    out = [f"{base}.html", f"{base}.json"]
    if raw:
        out.append(f"{base}.raw")
        out.extend(f"{base}.v{n}.raw" for n in range(1, versions + 1))
    if pdf:
        out.append(f"{base}.pdf")
    out.extend(f"{base}/diff-{a}-{a + 1}.html" for a in range(1, versions))
    return out


def _cable_task(batch: list[tuple[int, dict[str, Any], str | None]]) -> list[_CableResult]:
    store, renderer, files, options = _W["store"], _W["renderer"], _W["files"], _W["options"]
    out = []
    for num, record, old in batch:
        cid = str(record["id"])
        prepared = prepare(record)
        body = dumps(record)
        inputs = cable_inputs(store, record)
        h = hashlib.sha256(_W["glob"].encode())
        h.update(body)
        h.update(json.dumps(inputs, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        fingerprint = h.hexdigest()[:24]
        missing = [r["id"] for r in inputs["references"] if r.get("id") and not r.get("stored")]
        versions = len(inputs["versions"])
        paths = cable_files(cid, versions, options.raw, options.pdf)
        rendered = old != fingerprint or not files.exists(paths[0])
        if rendered:
            base = cable_file(cid)
            files.write(paths[0], renderer.cable_page(cid, paths[0]))
            files.write(f"{base}.json", body)
            for a in range(1, versions):
                page = f"{base}/diff-{a}-{a + 1}.html"
                files.write(page, renderer.diff_page(cid, a, a + 1, page))
            if options.raw:
                _write_raw(store, files, cid, base)
            if options.pdf:
                from .pdf import cable_pdf

                url = f"{options.base_url}/{base}.html" if options.base_url else None
                files.write(f"{base}.pdf", cable_pdf(record, site_name=options.site_name, url=url))
        paths_written, written, unchanged, nbytes = files.take()
        out.append(_CableResult(cid, num, fingerprint, versions, rendered, prepared, missing, paths_written, written,
                                unchanged, nbytes))
    return out


def _write_raw(store: Store, files: ExportFiles, cid: str, base: str) -> None:
    versions = store.get_versions(cid)
    for n, v in enumerate(versions, start=1):
        data = store.get_raw(cid, v["version_id"])
        if data is None:
            continue
        files.write(f"{base}.v{n}.raw", data)
        if v.get("current"):
            files.write(f"{base}.raw", data)


def _page_task(batch: list[tuple[str, str]]) -> tuple[tuple[list[str], int, int, int], int, list[str]]:
    renderer, files = _W["renderer"], _W["files"]
    renderer.linked.clear()
    for url, file in batch:
        files.write(file, renderer.page(url, file))
    return files.take(), len(batch), sorted(renderer.linked)


class _Inline(Executor):
    """Runs tasks at once in this process (one worker: no process to start)."""

    def __init__(self, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
        initializer(*initargs)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:  # type: ignore[override]
        f: Future = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            f.set_exception(exc)
        return f

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        _close_worker()


def _executor(workers: int, initargs: tuple[Any, ...]) -> Executor:
    if workers <= 1:
        return _Inline(_init_worker, initargs)
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=initargs)


class _Pipeline:
    """Tasks in flight, at most a few per worker: memory stays flat."""

    def __init__(self, executor: Executor, workers: int, handle: Callable[[Any], None]) -> None:
        self.executor = executor
        self.limit = 2 * max(1, workers) + 1
        self.handle = handle
        self.pending: set[Future] = set()

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        self.pending.add(self.executor.submit(fn, *args))
        while len(self.pending) >= self.limit:
            self._collect(FIRST_COMPLETED)

    def _collect(self, how: str) -> None:
        done, self.pending = wait(self.pending, return_when=how)
        for f in done:
            self.handle(f.result())

    def drain(self) -> None:
        while self.pending:
            self._collect(FIRST_COMPLETED)


# ---------------------------------------------------------------------------
# The site's structure


def _pages(n: int, size: int = PAGE_SIZE_BROWSE) -> int:
    return max(1, math.ceil(n / size))


class _Lists:
    """The browse lists: which cables each holds, gathered in date order."""

    def __init__(self, store: Store) -> None:
        self.lists: dict[str, array] = {}
        self.keys: dict[tuple[str, str], str] = {}  # site-map key -> canonical query text
        self.origin_values: list[str] = []
        self.tag_values: set[str] = set()
        self.class_values: list[str] = []
        self._origin_of: dict[str, list[str]] = {}
        self._class_of: dict[str, list[str]] = {}
        self._origin_q: dict[str, Query] = {}
        self._class_q: dict[str, Query] = {}
        self._periods: dict[str, str] = {}
        for value, _ in store.counts("origin"):
            q = _filter(("origin", value))
            if q is not None:
                self.origin_values.append(value)
                self._origin_q[value] = q
                self._add(("origin", value), q)
        for value, _ in store.counts("tag"):
            q = _filter(("tag", value))
            if q is not None and value == derived.keyword(value):
                self.tag_values.add(value)
                self._add(("tag", value), q)
        for value, _ in store.counts("classification"):
            try:
                q = Query(exact_classification(value), CABLE_FIELDS, ())
            except QuerySyntaxError:
                continue
            self.class_values.append(value)
            self._class_q[value] = q
            self._add(("class", classification_slug(value)), q)
        self.years: list[str] = []
        self.months: dict[str, list[str]] = {}
        for period, _ in store.histogram():
            year = period[:4]
            self.years.append(year)
            self._period(year)
            self.months[year] = []
            for p, _ in store.histogram(year=int(year)):
                month = p[5:7]
                self.months[year].append(month)
                self._period(f"{year}-{month}")
                for d, _ in store.histogram(year=int(year), month=int(month)):
                    self._period(d[:10])

    def _add(self, key: tuple[str, str], q: Query) -> None:
        text = str(q)
        self.keys[key] = text
        self.lists.setdefault(text, array("i"))

    def _period(self, period: str) -> None:
        q = _filter(("date", period))
        if q is not None:
            self._periods[period] = str(q)
            self._add(("date", period.replace("-", "/")), q)

    def add(self, pos: int, record: dict[str, Any]) -> None:
        created = record.get("created")
        if day_number(created):
            for p in (created[:4], created[:7], created[:10]):
                text = self._periods.get(p)
                if text is not None:
                    self.lists[text].append(pos)
        origin = record.get("origin")
        if isinstance(origin, str) and origin:
            found = self._origin_of.get(origin)
            if found is None:
                found = self._origin_of[origin] = [
                    self.keys[("origin", v)] for v, q in self._origin_q.items() if matches(q.root, {"origin": origin})
                ]
            for text in found:
                self.lists[text].append(pos)
        for tag in derived.keywords(t for t in record.get("tags") or [] if isinstance(t, str)):
            if tag in self.tag_values:
                self.lists[self.keys[("tag", tag)]].append(pos)
        klass = record.get("classification")
        if isinstance(klass, str) and klass:
            found = self._class_of.get(klass)
            if found is None:
                found = self._class_of[klass] = [
                    self.keys[("class", classification_slug(v))] for v, q in self._class_q.items()
                    if matches(q.root, {"class": klass})
                ]
            for text in found:
                self.lists[text].append(pos)

    def size(self, key: tuple[str, str]) -> int:
        return len(self.lists[self.keys[key]])


def _filter(condition: tuple[str, str]) -> Query | None:
    """The query of a browse list, built as the browse views build it; None when the
    language cannot name the value (the live page is a 404)."""
    try:
        build_filter(CABLE_FIELDS, *condition)
    except QuerySyntaxError:
        return None
    return browse_views._filter_query(condition)


def _site_map(options: StaticOptions, lists: _Lists, counts: Callable[[str], int]) -> SiteMap:
    site = SiteMap(
        base_url=options.base_url,
        raw=options.raw,
        pdf=options.pdf,
        static_files=frozenset(p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()),
    )
    site.top_files = {
        "/": "index.html",
        "/browse": "browse.html",
        "/privacy": "privacy.html",
        "/how-to-read-a-cable": "how-to-read-a-cable.html",
        "/search": "search.html",
        "/search/help": "search/help.html",
        "/manifest.txt": "manifest.txt",
        "/manifest.json": "manifest.json",
        "/robots.txt": "robots.txt",
    }
    if options.base_url:
        site.top_files["/sitemap.xml"] = "sitemap.xml"
    site.lists[("date", "")] = ("browse/date", 1)
    for field_name in ("origin", "tag", "classification"):
        site.lists[("values", field_name)] = (f"browse/{field_name}", _pages(counts(field_name), VALUES_PER_PAGE))
    origin_slugs = unique_slugs(lists.origin_values)
    tag_slugs = unique_slugs(sorted(lists.tag_values))
    for key in lists.keys:
        kind, value = key
        if kind == "date":
            base = f"browse/date/{value}"
        elif kind == "origin":
            base = f"browse/origin/{origin_slugs[value]}"
        elif kind == "tag":
            base = f"browse/tag/{tag_slugs[value]}"
        else:
            base = f"browse/classification/{value}"
        site.lists[key] = (base, 1)
    return site


def _list_urls(site: SiteMap, lists: _Lists, counts: dict[str, int]) -> list[tuple[str, str]]:
    """(live URL, file) of every browse page."""
    out: list[tuple[str, str]] = [("/browse/date", "browse/date.html")]
    for field_name in ("origin", "tag", "classification"):
        base, pages = site.lists[("values", field_name)]
        out.extend((f"/browse/{field_name}" + (f"?page={n}" if n > 1 else ""), list_file(base, n))
                   for n in range(1, pages + 1))
    for key, text in lists.keys.items():
        kind, value = key
        base, _ = site.lists[key]
        pages = _pages(len(lists.lists[text]))
        site.lists[key] = (base, pages)
        if kind == "date":
            path = f"/browse/date/{value}"
        elif kind == "origin":
            path = "/browse/origin/" + quote(value, safe="")
        elif kind == "tag":
            path = "/browse/tag/" + quote(value, safe="")
        else:
            path = f"/browse/classification/{value}"
        out.extend((path + (f"?page={n}" if n > 1 else ""), list_file(base, n)) for n in range(1, pages + 1))
    return out


# ---------------------------------------------------------------------------
# The export


def export_static(db: str | None, out: Path, options: StaticOptions | None = None,
                  *, on_progress: Callable[[str, int, int], None] | None = None) -> ExportReport:
    """Export the site over the store ``db`` into the folder ``out``."""
    options = options or StaticOptions()
    options.base_url = options.base_url.rstrip("/")
    started = time.perf_counter()
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the export folder {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK):
        raise ExportError(f"cannot write into the export folder {out}")
    with _locked(out):
        return _export(db, out.resolve(), options, started, on_progress)


class _locked:
    """One export at a time into a folder."""

    def __init__(self, out: Path) -> None:
        self.path = out / LOCK_FILE
        self.fd: int | None = None

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise ExportError(f"another export is writing into {self.path.parent}: wait for it to finish") from None

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.path.unlink(missing_ok=True)


def _export(db: str | None, out: Path, options: StaticOptions, started: float,
            on_progress: Callable[[str, int, int], None] | None) -> ExportReport:
    try:
        state = load_state(out) or {}
    except StateError as exc:
        raise ExportError(str(exc)) from None
    report = ExportReport(folder=str(out))
    files = _Files(out, options.keep_written)
    produced: set[str] = set()

    def write(rel: str, data: bytes) -> bool:
        produced.add(rel)
        return files.write(rel, data)

    store = open_store(db, readonly=True)
    try:
        db_location = db if db is not None else os.environ.get("CABLEMIRROR_DB") or "cablemirror.db"
        collections = store.collections()
        held = [c for c in collections if c.get("count")]
        total = sum(int(c.get("count") or 0) for c in collections if c.get("name") == "cables")
        generated = bool(held) and all(c.get("generated") for c in held)
        glob = hashlib.sha256(json.dumps([
            STATE_FORMAT, code_fingerprint(), options.site_name, options.base_url, options.raw, options.pdf, generated,
        ]).encode()).hexdigest()[:16]
        old_cables: dict[str, list[Any]] = state.get("cables", {})
        next_doc = int(state.get("next_doc", 0))
        index_state = IndexState.from_dict(state.get("index"))
        field_counts = {f: len(store.counts(f)) for f in ("origin", "tag", "classification")}

        lists = _Lists(store)
        site = _site_map(options, lists, field_counts.__getitem__)
        new_cables: dict[str, list[Any]] = {}
        missing: set[str] = set()
        ids: list[str] = []
        workdir = Path(tempfile.mkdtemp(prefix=".index-", dir=out))
        builder = IndexBuilder(workdir, index_state)
        progress = _Progress(options.progress, on_progress)

        # -- one pass: cables, their pages, the index, the lists ----------------------
        def took(results: list[_CableResult]) -> None:
            for r in results:
                builder.add(r.num, r.prepared)
                new_cables[r.cid] = [r.num, r.fingerprint, r.versions]
                missing.update(r.missing)
                report.cables_rendered += int(r.rendered)
                _count(report, (r.written_paths, r.written, r.unchanged, r.bytes_written))
                progress.step("cables", 1, total)

        initargs = (str(db_location), str(out), site, options, glob)
        executor = _executor(options.workers, initargs)
        try:
            pipe = _Pipeline(executor, options.workers, took)
            batch: list[tuple[int, dict[str, Any], str | None]] = []
            for pos, record in enumerate(store.iter_records(sort="date")):
                cid = str(record.get("id"))
                ids.append(cid)
                lists.add(pos, record)
                old = old_cables.get(cid)
                if old is not None:
                    num = int(old[0])
                else:
                    num, next_doc = next_doc, next_doc + 1
                batch.append((num, record, None if options.force or old is None else str(old[1])))
                if len(batch) >= CABLE_BATCH:
                    pipe.submit(_cable_task, batch)
                    batch = []
            if batch:
                pipe.submit(_cable_task, batch)
            pipe.drain()
        finally:
            executor.shutdown()
        report.cables = len(ids)
        stored = set(ids)

        # -- the other pages (workers) while the index is merged (here) ---------------
        page_jobs = _list_urls(site, lists, field_counts)
        report.list_pages = len(page_jobs)
        page_jobs += [("/", "index.html"), ("/browse", "browse.html"), ("/privacy", "privacy.html"),
                      ("/how-to-read-a-cable", "how-to-read-a-cable.html"), ("/search/help", "search/help.html")]
        missing -= stored
        page_jobs += [(f"/cable/{quote(m, safe='')}", cable_file(m) + ".html") for m in sorted(missing)]
        produced.update(file for _, file in page_jobs)
        listed = ListedStore(store, lists.lists, ids)
        listed.check_lists(sorted(lists.lists, key=lambda k: -len(lists.lists[k]))[:2])
        linked: set[str] = set()

        def took_pages(result: tuple[tuple[list[str], int, int, int], int, list[str]]) -> None:
            counts, n, link = result
            _count(report, counts)
            linked.update(link)
            progress.step("pages", n, len(page_jobs))

        initargs2 = (str(db_location), str(out), site, options, glob, lists.lists if listed.enabled else None, ids)
        executor = _executor(options.workers, initargs2)
        try:
            pipe = _Pipeline(executor, options.workers, took_pages)
            if options.workers > 1:
                for i in range(0, len(page_jobs), PAGE_BATCH):
                    pipe.submit(_page_task, page_jobs[i : i + PAGE_BATCH])
                report.index = _finish_index(builder, write)
                pipe.drain()
            else:
                for i in range(0, len(page_jobs), PAGE_BATCH):
                    pipe.submit(_page_task, page_jobs[i : i + PAGE_BATCH])
                pipe.drain()
                report.index = _finish_index(builder, write)
        finally:
            executor.shutdown()
            builder.discard()
            _rmtree(workdir)

        # Cables some page links to that no page holds yet (defensive: references cover them).
        late = sorted(linked - stored - missing)
        renderer = PageRenderer(listed, site, site_name=options.site_name)
        for m in late:
            file = cable_file(m) + ".html"
            write(file, renderer.page(f"/cable/{quote(m, safe='')}", file))
        report.missing_pages = len(missing) + len(late)

        # -- pages of the export's own, data files, static files ---------------------
        write("search.html", renderer.search_page())
        write("404.html", renderer.not_found_page())
        for p in sorted(STATIC_DIR.rglob("*")):
            if p.is_file():
                write(f"static/{p.relative_to(STATIC_DIR).as_posix()}", p.read_bytes())
        _write_manifest(store, write)
        _write_robots_and_sitemaps(store, options, write, site)
        progress.close()

        # -- what the previous export wrote and this one did not ----------------------
        old_files = set(state.get("pages", []))
        for cid, entry in old_cables.items():
            old_flags = state.get("options", {})
            old_files.update(cable_files(cid, int(entry[2]), bool(old_flags.get("raw")), bool(old_flags.get("pdf"))))
        keep = set(produced)
        for cid, entry in new_cables.items():
            keep.update(cable_files(cid, int(entry[2]), options.raw, options.pdf))
        for rel in sorted(old_files - keep):
            if files.remove(rel):
                report.removed += 1
                if options.keep_written:
                    report.removed_paths.append(rel)

        save_state(out, {
            "format": STATE_FORMAT,
            "global": glob,
            "options": {"raw": options.raw, "pdf": options.pdf, "base_url": options.base_url},
            "next_doc": next_doc,
            "index": index_state.to_dict(),
            "cables": new_cables,
            "pages": sorted(produced),
        })
    finally:
        store.close()
    _count(report, files.take())
    report.files = len(produced) + sum(len(cable_files(c, int(e[2]), options.raw, options.pdf)) for c, e in new_cables.items())
    report.seconds = time.perf_counter() - started
    return report


def _count(report: ExportReport, counts: tuple[list[str], int, int, int]) -> None:
    paths, written, unchanged, nbytes = counts
    report.written_paths.extend(paths)
    report.written += written
    report.unchanged += unchanged
    report.bytes_written += nbytes


def _finish_index(builder: IndexBuilder, write: Callable[[str, bytes], bool]) -> dict[str, Any]:
    return builder.finish(write)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _write_manifest(store: Store, write: Callable[[str, bytes], bool]) -> None:
    from ..integrity.manifest import Manifest

    manifest = Manifest.from_store(store)
    write("manifest.txt", "".join(manifest.iter_text()).encode("utf-8"))
    body = {**manifest.summary(), "manifest": "manifest.txt"}
    write("manifest.json", (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def _write_robots_and_sitemaps(store: Store, options: StaticOptions, write: Callable[[str, bytes], bool],
                               site: SiteMap) -> None:
    robots = "User-agent: *\nAllow: /\n"
    if options.base_url:
        base = options.base_url
        chunk: list[str] = []
        n = 0

        def flush() -> None:
            nonlocal n, chunk
            n += 1
            body = ('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    + "".join(chunk) + "</urlset>\n")
            write(f"sitemap-cables-{n}.xml", body.encode("utf-8"))
            chunk = []

        for cid, when in store.iter_ids():
            day = when[:10] if isinstance(when, str) and len(when) >= 10 else ""
            lastmod = f"<lastmod>{xml_text(day)}</lastmod>" if day_number(day) else ""
            chunk.append(f"<url><loc>{xml_text(f'{base}/{cable_file(cid)}.html')}</loc>{lastmod}</url>")
            if len(chunk) >= SITEMAP_URLS:
                flush()
        if chunk or n == 0:
            flush()
        items = "".join(f"<sitemap><loc>{xml_text(f'{base}/sitemap-cables-{k}.xml')}</loc></sitemap>"
                        for k in range(1, n + 1))
        write("sitemap.xml", ('<?xml version="1.0" encoding="utf-8"?>\n'
                              '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                              + items + "</sitemapindex>\n").encode("utf-8"))
        robots += f"\nSitemap: {base}/sitemap.xml\n"
    write("robots.txt", robots.encode("utf-8"))


class _Progress:
    """A progress bar on a terminal (tqdm), or a callback, or nothing."""

    def __init__(self, show: bool, callback: Callable[[str, int, int], None] | None) -> None:
        self.show = show
        self.callback = callback
        self.bars: dict[str, Any] = {}
        self.done: dict[str, int] = {}

    def step(self, what: str, n: int, total: int) -> None:
        self.done[what] = self.done.get(what, 0) + n
        if self.callback is not None:
            self.callback(what, self.done[what], total)
        if not self.show:
            return
        bar = self.bars.get(what)
        if bar is None:
            from tqdm import tqdm

            bar = self.bars[what] = tqdm(total=total, desc=what, unit=what.rstrip("s"), leave=False, file=sys.stderr)
        bar.update(n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()
