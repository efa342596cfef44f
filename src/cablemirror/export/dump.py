"""Streamed CSV and JSON Lines dumps of records (website exports, CLI, static export).

Writers take any iterable of record dicts (``Cable.to_dict()``, e.g. from
``Store.iter_records``) and never hold more than one chunk in memory, so a dump of
the whole collection costs the same memory as a dump of ten cables.

- JSON Lines: one record per line, exactly as stored (UTF-8, compact).
- CSV: one row per record with a fixed set of columns (``CSV_COLUMNS``), RFC 4180
  quoting, CRLF line ends, a header row.  Lists (tags, cited cable ids) are joined
  with "|", as cables.csv joins its references: some tags hold a space ("FOREIGN
  POLICY").  Values are written as they are: no spreadsheet
  "formula" escaping, because a mirror must not alter what it mirrors; a reader who
  opens a dump in a spreadsheet should import it as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, TextIO

try:  # optional accelerator, as in store.jsonio
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None

__all__ = [
    "CSV_COLUMNS",
    "LIST_SEPARATOR",
    "csv_row",
    "iter_csv",
    "iter_jsonl",
    "jsonl_line",
    "write_csv",
    "write_jsonl",
]

CSV_COLUMNS = (
    "id",
    "created",
    "released",
    "origin",
    "classification",
    "subject",
    "title",
    "tags",
    "references",
    "partial",
    "url",
)
_SURROGATE = re.compile("[\ud800-\udfff]")
CHUNK_RECORDS = 200  # records per yielded chunk: few writes, little memory

UrlFor = Callable[[str], str]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cited_ids(references: object) -> list[str]:
    """Ids of the cables a record cites (references that are not cables have none)."""
    out: list[str] = []
    if isinstance(references, list):
        for ref in references:
            rid = ref.get("id") if isinstance(ref, Mapping) else None
            if isinstance(rid, str) and rid and rid not in out:
                out.append(rid)
    return out


LIST_SEPARATOR = "|"


def _joined(values: object) -> str:
    if isinstance(values, (list, tuple)):
        return LIST_SEPARATOR.join(_text(v) for v in values if v is not None)
    return _text(values)


def csv_row(record: Mapping[str, Any], url_for: UrlFor | None = None) -> list[str]:
    """The CSV columns of one record; ``url`` is ``url_for(id)`` (empty without it)."""
    rid = _text(record.get("id"))
    return [
        rid,
        _text(record.get("created")),
        _text(record.get("released")),
        _text(record.get("origin")),
        _text(record.get("classification")),
        _text(record.get("subject")),
        _text(record.get("title")),
        _joined(record.get("tags")),
        _joined(_cited_ids(record.get("references"))),
        _text(bool(record.get("partial"))),
        url_for(rid) if url_for is not None and rid else "",
    ]


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be UTF-8: U+FFFD, as in the store
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def iter_csv(
    records: Iterable[Mapping[str, Any]],
    *,
    url_for: UrlFor | None = None,
    header: bool = True,
    chunk_records: int = CHUNK_RECORDS,
) -> Iterator[bytes]:
    """UTF-8 CSV in chunks of ``chunk_records`` rows (the header row first)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    n = 0
    for record in records:
        writer.writerow(csv_row(record, url_for))
        n += 1
        if n % chunk_records == 0:
            yield _encode(buf.getvalue())
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield _encode(buf.getvalue())


def jsonl_line(record: Any) -> bytes:
    """One record as a line of compact UTF-8 JSON.  Invalid text (lone surrogates) is
    written as ``\\udXXX`` escapes rather than dropped or failing."""
    if _orjson is not None:
        try:
            return _orjson.dumps(record) + b"\n"
        except TypeError:  # JSONEncodeError is a TypeError: lone surrogates, odd types
            pass
    else:
        try:
            return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        except (UnicodeEncodeError, TypeError, ValueError):
            pass
    return json.dumps(record, ensure_ascii=True, separators=(",", ":"), default=str).encode("ascii") + b"\n"


def iter_jsonl(records: Iterable[Any], *, chunk_records: int = CHUNK_RECORDS) -> Iterator[bytes]:
    """JSON Lines in chunks of ``chunk_records`` records."""
    lines: list[bytes] = []
    for record in records:
        lines.append(jsonl_line(record))
        if len(lines) >= chunk_records:
            yield b"".join(lines)
            lines.clear()
    if lines:
        yield b"".join(lines)


def write_csv(
    records: Iterable[Mapping[str, Any]], out: BinaryIO | TextIO, *, url_for: UrlFor | None = None
) -> int:
    """Write a CSV dump to a binary or text file; returns the number of records."""
    counter = _Counter(records)
    binary = not isinstance(out, io.TextIOBase)
    for chunk in iter_csv(counter, url_for=url_for):
        out.write(chunk if binary else chunk.decode("utf-8"))  # type: ignore[arg-type]
    return counter.n


def write_jsonl(records: Iterable[Any], out: BinaryIO | TextIO) -> int:
    """Write a JSON Lines dump to a binary or text file; returns the number of records."""
    counter = _Counter(records)
    binary = not isinstance(out, io.TextIOBase)
    for chunk in iter_jsonl(counter):
        out.write(chunk if binary else chunk.decode("utf-8"))  # type: ignore[arg-type]
    return counter.n


class _Counter:
    """Counts the records that pass through (without keeping them)."""

    def __init__(self, records: Iterable[Any]) -> None:
        self._it = iter(records)
        self.n = 0

    def __iter__(self) -> "_Counter":
        return self

    def __next__(self) -> Any:
        item = next(self._it)
        self.n += 1
        return item
