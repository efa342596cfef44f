"""The war logs (Afghan War Diary, Iraq War Logs): typed reports from CSV rows.

``parse_report(raw)`` turns a ``WarlogRawRecord`` (``cablemirror.sources.warlog_csv``)
into a ``Report``, or raises ``RejectedRow`` for a row without a usable key or date;
``parse_or_quarantine`` returns a ``Quarantined`` instead.  ``mgrs`` converts grid
references, ``geo`` holds the theatres' outlines and places, ``glossary`` explains
the military abbreviations of the summaries.
"""

from .model import COLUMNS, Problem, Report
from .parse import GENERATED_TITLE_MARK, RejectedRow, parse_fields, parse_or_quarantine, parse_report

__all__ = [
    "COLUMNS",
    "GENERATED_TITLE_MARK",
    "Problem",
    "RejectedRow",
    "Report",
    "parse_fields",
    "parse_or_quarantine",
    "parse_report",
]
