"""A war-log row (``WarlogRawRecord.fields``) -> a typed ``Report``: pure, no I/O.

The rules, per field (docs/warlogs.md has the full table):

- ReportKey and DateOccurred are required: a row without a GUID key or without a
  real date cannot be filed or dated, so ``parse_report`` raises ``RejectedRow`` (the
  caller quarantines the row with the reason).  A key in lower case or in braces is
  normalised; a date in another common form (``M/D/YYYY H:MM``, no seconds) is read
  and noted; a date outside the war years is kept and noted.
- Counts of people are whole numbers.  An empty (or ``<null value>``) count is None:
  the row does not say.  Anything else that is not a whole number is None with a
  problem: never a made-up number.
- Latitude/longitude must be finite numbers in range; ``0, 0`` stands for "no
  position".  A bad value sets both to None (one coordinate alone places nothing).
  Values swapped (latitude where longitude belongs) are swapped back when only that
  reading lies in the theatre.  The MGRS reference is checked against them; when the
  row has no usable coordinates but a valid reference, they are taken from the
  reference's cell centre (and noted).
- Text is kept as written, trimmed; control characters become U+FFFD; one-line
  fields (title, unit, ...) have line breaks joined with spaces.  Region and AttackOn
  are upper-cased; unknown values are kept and noted.

Every change is recorded in ``Report.problems`` with what was written and what was done.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, Mapping

from ..model import Quarantined, RawRecord
from . import mgrs as grid
from .geo import theatre as get_theatre
from .model import ATTRIBUTES, COLLECTION, COLUMNS, COUNT_COLUMNS, LINE_COLUMNS, Problem, Report

__all__ = ["RejectedRow", "parse_report", "parse_fields", "parse_or_quarantine", "GENERATED_TITLE_MARK"]

GENERATED_TITLE_MARK = "[GENERATED]"
# The war years, generously: dates outside are kept but noted.
SPAN = (datetime(2001, 10, 1), datetime(2011, 12, 31, 23, 59, 59))
# How far (metres) a position may lie outside its MGRS cell before the two disagree:
# coordinates and references were converted by different software.
MGRS_TOLERANCE_M = 100.0
MAX_VALUE_SHOWN = 200
MAX_COUNT_DIGITS = 9  # int() of a 5,000-digit string raises; no real count is that big

_KEY = re.compile(r"\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?")
_DATE_CANONICAL = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})")
_DATE_ISO_LOOSE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?)?"
)
_DATE_US = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?: ([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_COUNT_FLOAT = re.compile(r"([0-9]+)\.0*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_BOOLEANS = {"TRUE": True, "T": True, "YES": True, "Y": True, "1": True,
             "FALSE": False, "F": False, "NO": False, "N": False, "0": False}  # fmt: skip
_ATTACK_ON = ("ENEMY", "FRIEND", "NEUTRAL")
_TOTAL_COLUMN = "TotalCasualties"  # the derived column of the 34-column copy


class RejectedRow(ValueError):
    """A row that cannot become a report (no usable key or date): quarantine it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _shown(value: str | None) -> str | None:
    if value is None or len(value) <= MAX_VALUE_SHOWN:
        return value
    return value[:MAX_VALUE_SHOWN] + f"... ({len(value)} characters)"


class _Row:
    """One row being typed: its fields and the problems found so far."""

    def __init__(self, fields: Mapping[str, str | None]) -> None:
        self.fields = fields
        self.problems: list[Problem] = []

    def problem(self, kind: str, column: str | None, value: str | None, action: str) -> None:
        self.problems.append(Problem(kind, column, _shown(value), action))

    def raw(self, column: str) -> str | None:
        value = self.fields.get(column)
        return value if isinstance(value, str) else None

    def text(self, column: str) -> str:
        value = self.raw(column)
        if not value:
            return ""
        if "\r" in value:  # line ends as the reader gives them (a plain dict may hold CRs)
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if _CONTROL.search(value):
            found = sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(value)})
            self.problem("control-characters", column, None, f"replaced {', '.join(found)} with U+FFFD")
            value = _CONTROL.sub("\ufffd", value)
        if column in LINE_COLUMNS and "\n" in value:
            self.problem("line-break", column, value, "line breaks in a one-line field joined with spaces")
            value = _SPACES.sub(" ", value)
        return value.strip()


# --------------------------------------------------------------------------- required fields


def _key(row: _Row) -> str:
    value = (row.raw("ReportKey") or "").strip()
    if not value:
        raise RejectedRow("no ReportKey: the row has no report key")
    m = _KEY.fullmatch(value)
    if m is None:
        raise RejectedRow(f"bad ReportKey {_shown(value)!r}: not a GUID (like 0A1B2C3D-1111-2222-3333-444455556666)")
    key = m.group(1).upper()
    if key != value:
        row.problem("report-key-normalised", "ReportKey", value, f"written as {key}")
    return key


def _date(row: _Row) -> datetime:
    value = (row.raw("DateOccurred") or "").strip()
    if not value:
        raise RejectedRow("no DateOccurred: the row has no date")
    note = None
    m = _DATE_CANONICAL.fullmatch(value)
    if m is not None:
        parts = [int(g) for g in m.groups()]
    elif (m := _DATE_ISO_LOOSE.fullmatch(value)) is not None:
        parts = [int(g or 0) for g in m.groups()]
        note = "read as year-month-day"
    elif (m := _DATE_US.fullmatch(value)) is not None:
        month, day, year, hour, minute, second = (int(g or 0) for g in m.groups())
        parts = [year, month, day, hour, minute, second]
        note = "read as month/day/year (the US order of spreadsheet copies)"
    else:
        raise RejectedRow(f"bad DateOccurred {_shown(value)!r}: not a date (expected YYYY-MM-DD HH:MM:SS)")
    try:
        when = datetime(*parts)
    except ValueError:
        raise RejectedRow(f"bad DateOccurred {value!r}: no such date or time") from None
    if note:
        row.problem("date-format", "DateOccurred", value, f"{note}: {when.isoformat(sep=' ')}")
    if not SPAN[0] <= when <= SPAN[1]:
        row.problem("date-out-of-span", "DateOccurred", value, "kept; outside the war years 2001-2011")
    return when


# --------------------------------------------------------------------------- typed fields


def _count(row: _Row, column: str) -> int | None:
    value = (row.raw(column) or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit() and len(value) <= MAX_COUNT_DIGITS:
        return int(value)
    m = _COUNT_FLOAT.fullmatch(value)
    if m is not None and len(m.group(1)) <= MAX_COUNT_DIGITS:
        row.problem("count-format", column, value, f"read as {int(m.group(1))}")
        return int(m.group(1))
    row.problem("bad-count", column, value, "not a whole number: left unknown (None)")
    return None


def _boolean(row: _Row, column: str) -> bool | None:
    value = (row.raw(column) or "").strip()
    if not value:
        return None
    found = _BOOLEANS.get(value.upper())
    if found is None:
        row.problem("bad-boolean", column, value, "not TRUE or FALSE: left unknown (None)")
    return found


def _coordinate(row: _Row, column: str, limit: float) -> tuple[float | None, bool]:
    """(value, ok): value None and ok True when absent; ok False when unusable."""
    value = (row.raw(column) or "").strip()
    if not value:
        return None, True
    if _NUMBER.fullmatch(value) is None:
        row.problem("bad-coordinates", column, value, "not a number")
        return None, False
    number = float(value)
    if not math.isfinite(number) or not -limit <= number <= limit:
        row.problem("bad-coordinates", column, value, f"outside -{limit:g}..{limit:g}")
        return None, False
    return number, True


def _position(row: _Row, theatre: str) -> tuple[str, float | None, float | None]:
    """(mgrs, latitude, longitude), checked against each other and the theatre."""
    lat, lat_ok = _coordinate(row, "Latitude", 90.0)
    lon, lon_ok = _coordinate(row, "Longitude", 180.0)
    if lat_ok and lon_ok and (lat is None) != (lon is None):
        row.problem("bad-coordinates", "Latitude" if lat is None else "Longitude", None, "missing")
        lat_ok = lon_ok = False
    if lat_ok and lon_ok and lat == 0 and lon == 0:
        row.problem("bad-coordinates", "Latitude", "0, 0", "0, 0 stands for no position")
        lat_ok = False
    if not (lat_ok and lon_ok):
        if lat is not None or lon is not None:
            row.problem("bad-coordinates", None, f"{lat}, {lon}", "both coordinates set to None")
        lat = lon = None
    area = get_theatre(theatre)
    if lat is not None and lon is not None and not area.in_bbox(lat, lon):
        if -90 <= lon <= 90 and area.in_bbox(lon, lat):
            row.problem("coordinates-swapped", None, f"{lat}, {lon}", f"read as latitude {lon}, longitude {lat}")
            lat, lon = lon, lat
        else:
            row.problem("outside-theatre", None, f"{lat}, {lon}", f"kept; far outside {theatre.title()}")

    written = (row.text("MGRS") or "").strip()
    if not written:
        return "", lat, lon
    try:
        ref = grid.parse_mgrs(written)
    except grid.MGRSError as exc:
        row.problem("bad-mgrs", "MGRS", written, f"kept as written; {exc}")
        return written, lat, lon
    text = ref.text()
    if lat is None or lon is None:
        lat, lon = grid.mgrs_to_latlon(text)
        lat, lon = round(lat, 7), round(lon, 7)
        action = f"latitude/longitude taken from the grid square: {lat}, {lon}"
        row.problem("coordinates-from-mgrs", "MGRS", written, action)
        return text, lat, lon
    try:
        off = grid.mgrs_offset(ref, lat, lon)
    except grid.MGRSError:
        off = math.inf
    if off > MGRS_TOLERANCE_M:
        where = "far" if math.isinf(off) else f"{off:,.0f} m"
        row.problem("mgrs-mismatch", "MGRS", f"{written} vs {lat}, {lon}",
                    f"kept both; the coordinates lie {where} outside the grid square")  # fmt: skip
    return text, lat, lon


def _keyword(row: _Row, column: str, known: tuple[str, ...], kind: str) -> str:
    value = _SPACES.sub(" ", row.text(column)).upper()
    if value and value not in known:
        row.problem(kind, column, value, "kept as written")
    return value


def _total_check(row: _Row, report: Report, extra: dict[str, str | None]) -> None:
    written = (extra.get(_TOTAL_COLUMN) or "").strip()
    if not written:
        return
    if not (written.isascii() and written.isdigit() and len(written) <= MAX_COUNT_DIGITS):
        row.problem("bad-count", _TOTAL_COLUMN, written, "not a whole number; kept as written in extra")
        return
    counts = [getattr(report, ATTRIBUTES[c]) for c in COUNT_COLUMNS if c != "EnemyDetained"]
    if all(c is not None for c in counts) and sum(counts) != int(written):
        row.problem("total-mismatch", _TOTAL_COLUMN, written,
                    f"the killed and wounded columns add up to {sum(counts)}; both kept")  # fmt: skip


# --------------------------------------------------------------------------- entry points


def parse_fields(
    fields: Mapping[str, str | None],
    *,
    variant: str = "32",
    source: dict[str, Any] | None = None,
    notes: list[str] | tuple[str, ...] = (),
) -> Report:
    """A Report from a row's fields (column name -> text or None); raises RejectedRow."""
    row = _Row(fields)
    for note in notes:  # what the reader noticed: "kind: explanation"
        kind, _, text = note.partition(": ")
        row.problem(kind, None, None, text or kind)
    theatre = "iraq" if variant == "iraq" else "afghanistan"
    report = Report(report_key=_key(row), date=_date(row), theatre=theatre)
    area = get_theatre(theatre)
    for column in COLUMNS[2:]:
        attr = ATTRIBUTES[column]
        if column in COUNT_COLUMNS:
            setattr(report, attr, _count(row, column))
        elif column == "ComplexAttack":
            report.complex_attack = _boolean(row, column)
        elif column == "Region":
            report.region = _keyword(row, column, area.regions, "unknown-region")
        elif column == "AttackOn":
            report.attack_on = _keyword(row, column, _ATTACK_ON, "unknown-attack-on")
        elif column in ("MGRS", "Latitude", "Longitude"):
            continue
        else:
            setattr(report, attr, row.text(column))
    report.mgrs, report.latitude, report.longitude = _position(row, theatre)
    extra = {
        name: (None if value is None else row.text(name)) for name, value in fields.items() if name not in ATTRIBUTES
    }
    report.extra = extra
    _total_check(row, report, extra)
    report.generated = report.title.endswith(GENERATED_TITLE_MARK)
    report.problems = row.problems
    report.source = source
    return report


def parse_report(raw: RawRecord) -> Report:
    """The Report of a war-log raw record (a ``WarlogRawRecord``); raises RejectedRow."""
    fields = getattr(raw, "fields", None)
    if not isinstance(fields, Mapping):
        raise RejectedRow(f"not a war-log row: a {type(raw).__name__} without fields")
    variant = getattr(raw, "variant", "32")
    p = raw.provenance  # (Provenance.to_dict() deep-copies: too slow per row)
    source = {"format": p.format, "path": p.path, "offset": p.offset, "length": p.length, "line": p.line,
              "sha256": p.sha256, "variant": variant}  # fmt: skip
    return parse_fields(fields, variant=variant, source=source, notes=raw.metadata.notes)


def parse_or_quarantine(raw: RawRecord) -> Report | Quarantined:
    """``parse_report``, with a rejected row (or a parser bug) turned into a Quarantined."""
    try:
        return parse_report(raw)
    except RejectedRow as exc:
        reason = exc.reason
    except Exception as exc:  # a parser bug must not lose the row
        reason = f"parser error: {type(exc).__name__}: {exc}"
    return Quarantined(raw.raw, raw.provenance, reason, collection=COLLECTION)
