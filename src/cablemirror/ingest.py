"""Import: sources -> parser -> store, streamed, batched, idempotent and resumable.

The flow for each file:

1. A fingerprint (size, mtime, hash of its first and last 64 KiB) names this state of
   the file.  The store remembers, per path and fingerprint, the byte offset up to
   which every record has been committed; a complete file is skipped on the next run,
   an interrupted one resumes from that offset (multi-record formats only).
2. The reader yields raw records and quarantined items in file order.  Records are
   parsed (in worker processes when ``workers > 1``), then stored in batches, each
   batch one transaction followed by a checkpoint.
3. A record the parser cannot handle, or one without a reference id, goes to the
   quarantine with the reason.  Nothing raises out of an import for bad content.

War-log rows (``RawRecord.collection == "warlogs"``) take the same path: they are
parsed by ``warlogs.parse_or_quarantine`` into reports and stored with
``Store.store_reports``; the summary counts them with the cables and apart
(``reports``).

The single writer is the main process: SQLite wants one writer, and parsing is
where the CPU goes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections import deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .cables import parse_record
from .model import Cable, Provenance, Quarantined, RawRecord
from .warlogs import Report, parse_or_quarantine
from .warlogs.model import COLLECTION as WARLOGS
from .sources import iter_files, read_path
from .store.base import Store

# A file read in one piece is considered done once its single batch is stored; files
# holding many records (cables.csv) are checkpointed after every batch.
DEFAULT_BATCH_SIZE = 500
EDGE_BYTES = 64 * 1024
DEFER_INDEX_BYTES = 200 * 1024 * 1024
COMPLETE = -1


@dataclass
class FileReport:
    path: str
    status: str  # "imported" | "resumed" | "skipped" (already complete)
    records: int = 0
    quarantined: int = 0


@dataclass
class ImportSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0  # items sent to quarantine in this run (new or already there)
    quarantined_new: int = 0
    reports: int = 0  # war-diary reports among the records (new, updated or unchanged)
    files: list[FileReport] = field(default_factory=list)
    bytes_read: int = 0
    seconds: float = 0.0

    @property
    def records(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.quarantined_new)

    def to_dict(self) -> dict[str, object]:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "quarantined_new": self.quarantined_new,
            "records": self.records,
            "reports": self.reports,
            "files": len(self.files),
            "files_skipped": sum(1 for f in self.files if f.status == "skipped"),
            "bytes_read": self.bytes_read,
            "seconds": round(self.seconds, 3),
        }


def file_fingerprint(path: Path) -> str:
    """Cheap identity of a file's content: size, mtime and a hash of both ends."""
    st = path.stat()
    h = hashlib.sha256()
    with path.open("rb") as f:
        h.update(f.read(EDGE_BYTES))
        if st.st_size > 2 * EDGE_BYTES:
            f.seek(st.st_size - EDGE_BYTES)
            h.update(f.read(EDGE_BYTES))
    return f"{st.st_size}:{st.st_mtime_ns}:{h.hexdigest()[:32]}"


def parse_one(record: RawRecord) -> Cable | Report | Quarantined:
    """Parse a raw record (a cable, or a war-log row: a report); anything the parser
    cannot make a record of is quarantined."""
    if record.collection == WARLOGS:
        return parse_or_quarantine(record)  # never raises: a rejected row is quarantined
    try:
        cable = parse_record(record)
    except Exception as exc:  # a parser bug must not lose the record
        return Quarantined(record.raw, record.provenance, f"parser error: {type(exc).__name__}: {exc}")
    if not cable.id:
        return Quarantined(
            record.raw,
            record.provenance,
            "no reference id: neither the release metadata nor the text names the cable",
        )
    return cable


def _parse_batch(records: list[RawRecord]) -> list[Cable | Report | Quarantined]:
    return [parse_one(r) for r in records]


class _Progress:
    """A byte-based progress bar over all files (tqdm), or nothing when quiet."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc="import",
                dynamic_ncols=True,
                smoothing=0.1,
            )

    def advance(self, n: int, **postfix: int) -> None:
        if self.bar is not None:
            self.bar.update(n)
            if postfix:
                self.bar.set_postfix(postfix, refresh=False)

    def set_description(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_description(text)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    format: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 1,
    force: bool = False,
    progress: bool = False,
    on_file: Callable[[FileReport], None] | None = None,
) -> ImportSummary:
    """Import every record found under ``paths`` into ``store``.

    ``workers`` > 1 parses in that many processes (the main process reads and writes).
    ``force`` re-reads files the store has already imported completely (records are
    still deduplicated by sha256, so nothing is stored twice).
    """
    started = time.perf_counter()
    files = list(iter_files(paths))
    total = sum(_size(p) for p in files)
    summary = ImportSummary()
    bar = _Progress(total, progress)
    executor: Executor | None = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    # Building the full-text index once at the end is cheaper than keeping it current
    # row by row, but it rebuilds the whole index: worth it for a first or a big import.
    defer = total >= DEFER_INDEX_BYTES or store.stats()["cables"] == 0
    try:
        with store.defer_search_index() if defer else contextlib.nullcontext():
            for path in files:
                report = _import_file(store, path, format, batch_size, executor, force, summary, bar)
                summary.files.append(report)
                if on_file is not None:
                    on_file(report)
            if defer:
                bar.set_description("building the search index")
    finally:
        bar.close()
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    summary.seconds = time.perf_counter() - started
    return summary


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _import_file(
    store: Store,
    path: Path,
    format: str | None,
    batch_size: int,
    executor: Executor | None,
    force: bool,
    summary: ImportSummary,
    bar: _Progress,
) -> FileReport:
    key = str(path.resolve())
    try:
        fingerprint = file_fingerprint(path)
    except OSError as exc:
        # Unreadable file: the reader will quarantine it with the OS error.
        fingerprint = f"unreadable:{exc.errno}"
    checkpoint = None if force else store.import_checkpoint(key, fingerprint)
    if checkpoint == COMPLETE:
        bar.advance(_size(path))
        return FileReport(str(path), "skipped")
    start = checkpoint or 0
    report = FileReport(str(path), "resumed" if start else "imported")
    if start:
        bar.advance(start)

    position = start
    for batch_end, outcomes in _stream_batches(path, format, start, batch_size, executor):
        stored, quarantined, reports = outcomes
        if stored:
            for outcome in store.store_batch(stored):
                setattr(summary, outcome.status, getattr(summary, outcome.status) + 1)
        if reports:
            for outcome in store.store_reports(reports):
                setattr(summary, outcome.status, getattr(summary, outcome.status) + 1)
            summary.reports += len(reports)
        if quarantined:
            summary.quarantined_new += store.quarantine_batch(quarantined)
            summary.quarantined += len(quarantined)
        report.records += len(stored) + len(reports)
        report.quarantined += len(quarantined)
        if batch_end > position:
            store.set_import_checkpoint(key, fingerprint, batch_end)
            bar.advance(batch_end - position, new=summary.new, quarantined=summary.quarantined)
            summary.bytes_read += batch_end - position
            position = batch_end
    store.set_import_checkpoint(key, fingerprint, COMPLETE)
    rest = _size(path) - position
    if rest > 0:
        bar.advance(rest)
        summary.bytes_read += rest
    return report


# (cables to store, quarantined items, reports to store)
Batch = tuple[list[tuple[RawRecord, Cable]], list[Quarantined], list[tuple[RawRecord, Report]]]


def _stream_batches(
    path: Path,
    format: str | None,
    start: int,
    batch_size: int,
    executor: Executor | None,
) -> Iterator[tuple[int, Batch]]:
    """Yield (end offset, (cable pairs, quarantined, report pairs)) per batch, in file order.

    With an executor, up to ``2 * workers`` batches are parsed ahead while the main
    process keeps reading; results are consumed in order so checkpoints stay exact.
    """
    pending: deque[tuple[int, list[RawRecord], list[Quarantined], Future[list[Cable | Report | Quarantined]] | None]] = deque()
    max_pending = 2 * getattr(executor, "_max_workers", 1) if executor else 0

    def finish(end: int, records: list[RawRecord], early_q: list[Quarantined], results: list[Cable | Report | Quarantined]) -> tuple[int, Batch]:
        stored: list[tuple[RawRecord, Cable]] = []
        reports: list[tuple[RawRecord, Report]] = []
        quarantined = list(early_q)
        for raw, parsed in zip(records, results):
            if isinstance(parsed, Quarantined):
                quarantined.append(parsed)
            elif isinstance(parsed, Report):
                reports.append((raw, parsed))
            else:
                stored.append((raw, parsed))
        return end, (stored, quarantined, reports)

    for end, records, early_q in _read_batches(path, format, start, batch_size):
        if executor is None:
            yield finish(end, records, early_q, _parse_batch(records))
            continue
        pending.append((end, records, early_q, executor.submit(_parse_batch, records) if records else None))
        while len(pending) > max_pending:
            e, r, q, fut = pending.popleft()
            yield finish(e, r, q, fut.result() if fut else [])
    while pending:
        e, r, q, fut = pending.popleft()
        yield finish(e, r, q, fut.result() if fut else [])


def _read_batches(
    path: Path, format: str | None, start: int, batch_size: int
) -> Iterator[tuple[int, list[RawRecord], list[Quarantined]]]:
    """Group the reader's output into batches; the end offset is where the batch stops."""
    records: list[RawRecord] = []
    quarantined: list[Quarantined] = []
    end = start
    for item in read_path(path, format=format, start_offset=start):
        prov: Provenance = item.provenance
        end = max(end, prov.offset + prov.length)
        if isinstance(item, Quarantined):
            quarantined.append(item)
        else:
            records.append(item)
        if len(records) + len(quarantined) >= batch_size:
            yield end, records, quarantined
            records, quarantined = [], []
    if records or quarantined:
        yield end, records, quarantined


def default_workers() -> int:
    """Parse in worker processes when there is more than one core to use."""
    return max(1, min(4, (os.cpu_count() or 1)))
