"""Source readers: release files in, raw records with provenance out.

Each reader module has ``read(path, *, start_offset=0)`` yielding ``RawRecord`` or
``Quarantined`` in file order; none raises for bad content.  ``read_path`` picks the
reader (detected from the file's first bytes, or forced with ``format``)::

    for item in read_path("cables.csv"):
        ...

``start_offset`` resumes a multi-record file (``cables.csv``) at a record start, or at
the end of the previous record.  A one-record file holds its record at offset 0, so
any ``start_offset`` > 0 yields nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..model import FORMAT_CSV, FORMAT_HTML, FORMAT_MIRROR, FORMAT_PDF, FORMAT_TEXT, FORMAT_WARLOG, Quarantined, RawRecord
from . import cable_pdf, cable_text, cablegate_html, cables_csv, mirror_page, warlog_csv
from ._base import FORMAT_UNKNOWN, quarantined
from .detect import detect_format, sniff

__all__ = ["READERS", "FORMAT_UNKNOWN", "detect_format", "iter_files", "iter_records", "read_path"]

READERS: dict[str, Callable[..., Iterator[RawRecord | Quarantined]]] = {
    FORMAT_HTML: cablegate_html.read,
    FORMAT_CSV: cables_csv.read,
    FORMAT_TEXT: cable_text.read,
    FORMAT_PDF: cable_pdf.read,
    FORMAT_MIRROR: mirror_page.read,
    FORMAT_WARLOG: warlog_csv.read,
}

# The bytes kept for a file no reader recognises (it is quarantined, not parsed).
MAX_UNRECOGNISED_BYTES = 64 << 20


def read_path(
    path: str | Path, *, format: str | None = None, start_offset: int = 0
) -> Iterator[RawRecord | Quarantined]:
    """Every record of one file, with the reader for ``format`` or the detected one.

    Raises ValueError for an unknown ``format`` name or a negative ``start_offset``
    (caller errors); file content and I/O problems come out as ``Quarantined``.
    """
    if format is not None and format not in READERS:
        raise ValueError(f"unknown source format {format!r}; known: {', '.join(READERS)}")
    if start_offset < 0:
        raise ValueError(f"start_offset must be >= 0, not {start_offset}")
    p = Path(path)
    if format is None:
        try:
            format, why = sniff(p)
        except (OSError, ValueError) as exc:
            yield quarantined(FORMAT_UNKNOWN, p, b"", f"cannot read file: {exc}")
            return
        if format is None:
            if start_offset == 0:
                yield _unrecognised(p, why)
            return
    yield from READERS[format](p, start_offset=start_offset)


def _unrecognised(path: Path, why: str) -> Quarantined:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_UNRECOGNISED_BYTES)
            size = f.seek(0, 2)
    except OSError as exc:
        return quarantined(FORMAT_UNKNOWN, path, b"", f"cannot read file: {exc}")
    reason = f"unrecognised format: {why}"
    if size > len(raw):
        reason += f" (the file has {size} bytes; the first {len(raw)} are kept)"
    return quarantined(FORMAT_UNKNOWN, path, raw, reason)


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files named, and the files under the folders named (recursively, sorted,
    hidden files and folders skipped), each once.

    A path that does not exist is yielded as given, so that reading it reports the
    error instead of the path vanishing silently.
    """
    seen: set[str] = set()
    for item in paths:
        p = Path(item)
        if p.is_dir():
            found = _walk(p)
        else:
            found = iter([p])
        for f in found:
            key = os.path.realpath(f)
            if key not in seen:
                seen.add(key)
                yield f


def _walk(root: Path) -> Iterator[Path]:
    files: list[tuple[tuple[str, ...], Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=None):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel = Path(dirpath).relative_to(root).parts
        for name in filenames:
            if name.startswith("."):
                continue
            full = Path(dirpath, name)
            if full.is_file():  # not sockets, fifos or dangling links
                files.append(((*rel, name), full))
    files.sort(key=lambda t: t[0])
    for _, full in files:
        yield full


def iter_records(
    paths: Iterable[str | Path], *, format: str | None = None
) -> Iterator[RawRecord | Quarantined]:
    """Every record of every file under ``paths``, in ``iter_files`` order."""
    for path in iter_files(paths):
        yield from read_path(path, format=format)
