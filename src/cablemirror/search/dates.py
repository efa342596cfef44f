"""Partial dates of the query language: ``2005``, ``2005-08``, ``2005-08-18``.

A partial date names a period; ``from:`` takes its first day, ``to:`` its last, so
both bounds are inclusive and ``to:2009`` includes 31 December 2009.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_DATE_RE = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_MONTHS = calendar.month_name


class DateValueError(ValueError):
    """A date value that names no period; the message says why, for the user."""


def period(text: str) -> tuple[date, date]:
    """First and last day of the period ``text`` names.

    >>> period("2005-02")
    (datetime.date(2005, 2, 1), datetime.date(2005, 2, 28))
    """
    m = _DATE_RE.match(text.strip())
    if not m:
        raise DateValueError(f"'{text}' is not a date: write a year (2005), a month (2005-08) or a day (2005-08-18)")
    year = int(m.group(1))
    if year < 1000:
        raise DateValueError(f"'{text}': the year must have four digits")
    if m.group(2) is None:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(m.group(2))
    if not 1 <= month <= 12:
        raise DateValueError(f"'{text}': there is no month {month} (months are 01 to 12)")
    last = calendar.monthrange(year, month)[1]
    if m.group(3) is None:
        return date(year, month, 1), date(year, month, last)
    day = int(m.group(3))
    if not 1 <= day <= last:
        raise DateValueError(f"'{text}': {_MONTHS[month]} {year} has {last} days")
    d = date(year, month, day)
    return d, d


def parse_iso(text: str) -> date:
    """An exact ``YYYY-MM-DD`` date (what tree nodes hold); ValueError otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {text!r}")
    return date.fromisoformat(text)


def compact_start(d: date) -> str:
    """The shortest partial date whose first day is ``d`` (2005-01-01 -> 2005)."""
    if d.day == 1 and d.month == 1:
        return f"{d.year:04d}"
    if d.day == 1:
        return f"{d.year:04d}-{d.month:02d}"
    return d.isoformat()


def compact_end(d: date) -> str:
    """The shortest partial date whose last day is ``d`` (2005-12-31 -> 2005)."""
    if d.month == 12 and d.day == 31:
        return f"{d.year:04d}"
    if d.day == calendar.monthrange(d.year, d.month)[1]:
        return f"{d.year:04d}-{d.month:02d}"
    return d.isoformat()


def as_period(start: date, end: date) -> str | None:
    """The partial date naming exactly [start, end], if there is one."""
    for text in (f"{start.year:04d}", f"{start.year:04d}-{start.month:02d}", start.isoformat()):
        if period(text) == (start, end):
            return text
    return None


def day_after(d: date) -> date | None:
    try:
        return d + timedelta(days=1)
    except OverflowError:
        return None


def day_before(d: date) -> date | None:
    try:
        return d - timedelta(days=1)
    except OverflowError:
        return None
