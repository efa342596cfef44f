"""Streamed CSV and JSON Lines dumps of war-diary reports (``Store.iter_reports``).

- JSON Lines: one record (``Report.to_dict()``) per line, exactly as stored.
- CSV: the 32 columns of the release in their documented order and under their
  documented names, so a dump reads like the original file (header row, RFC 4180
  quoting, CRLF line ends), then ``Theatre``, ``Generated``, ``Problems`` (the kinds
  of what the parser noticed, joined with "|") and ``URL``.  Counts the report does
  not give are empty, never 0.  Values are written as they are (no spreadsheet
  formula escaping: a mirror does not alter what it mirrors).

Like ``dump.py`` they hold one chunk of records at a time.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterable, Iterator, Mapping

from ..warlogs.model import ATTRIBUTES, COLUMNS
from .dump import iter_jsonl

__all__ = ["REPORT_CSV_COLUMNS", "report_csv_row", "iter_reports_csv", "iter_reports_jsonl"]

REPORT_CSV_COLUMNS: tuple[str, ...] = (*COLUMNS, "Theatre", "Generated", "Problems", "URL")
CHUNK_RECORDS = 200


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as the release writes ComplexAttack
    if isinstance(value, float):
        return repr(value)
    return str(value).encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be written


def report_csv_row(record: Mapping[str, Any], url: str = "") -> list[str]:
    """The CSV cells of one report record, in ``REPORT_CSV_COLUMNS`` order."""
    cells = [_text(record.get(ATTRIBUTES[c])) for c in COLUMNS]
    date = record.get("date")
    if isinstance(date, str) and len(date) == 19 and date[10] == "T":
        cells[1] = date.replace("T", " ")  # the release's own form: 2008-07-13 04:30:00
    problems = record.get("problems") or []
    kinds = [p.get("kind", "") for p in problems if isinstance(p, Mapping)]
    cells += [_text(record.get("theatre")), _text(bool(record.get("generated"))), "|".join(kinds), url]
    return cells


def iter_reports_csv(records: Iterable[Mapping[str, Any]], *, url_for: Callable[[str], str] | None = None) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(REPORT_CSV_COLUMNS)
    n = 0
    for record in records:
        key = str(record.get("report_key") or "")
        writer.writerow(report_csv_row(record, url_for(key) if url_for and key else ""))
        n += 1
        if n % CHUNK_RECORDS == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    rest = buf.getvalue()
    if rest:
        yield rest.encode("utf-8")


def iter_reports_jsonl(records: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    return iter_jsonl(records)
