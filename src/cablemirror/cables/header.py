"""The routing header: transmission id, date-time group, sender and recipients.

```
VZCZCXRO8797                                  transmission id
P 091700Z SEP 08                              precedence + date-time group (Zulu)
FM AMEMBASSY REYKJAVIK                        sender
TO RUEHC/SECSTATE WASHDC PRIORITY 3787        route/name precedence message-control-number
RUEHX/EUROPEAN POLITICAL COLLECTIVE           more action recipients, one a line
XMT AMEMBASSY SOFIA                           ...minus these members of the collective
INFO RUEHBUL/AMEMBASSY KABUL 0022             information recipients
```
Older (ACP-126) headers have no routing indicators, and paper cables repeat a page
line ("TO PAGE 02  STATE 023763  071504Z") that is not a recipient.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from ..model import Recipient

__all__ = ["HeaderInfo", "parse_header", "parse_dtg", "looks_like_header"]

_MONTHS = {m: i for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}


@dataclass(slots=True)
class HeaderInfo:
    transmission_id: str | None = None
    dtg: str | None = None  # ISO 8601, from the date-time group
    precedence: str | None = None
    sender: str | None = None
    recipients: list[Recipient] = field(default_factory=list)
    info_recipients: list[Recipient] = field(default_factory=list)


_TRANSMISSION = re.compile(r"^\s*(VZCZC[A-Z0-9]{2,12})\s*$", re.M)
_DTG = re.compile(
    r"^\s*(?:([A-Z]{1,2})\s+)?(\d{2})(\d{2})(\d{2})Z\s+([A-Z]{3})\s+(\d{2}|\d{4})\s*$", re.M)
_FM = re.compile(r"^\s*FM\s+(.+?)\s*$", re.M)
_PRECEDENCES = ("NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE", "FLASH")
_RECIPIENT = re.compile(
    r"^(?:(R[A-Z0-9]{3,7})\s*/\s*)?(.+?)"
    r"(?:\s+(NIACT IMMEDIATE|IMMEDIATE|PRIORITY|ROUTINE|FLASH))?(?:\s+(\d{1,5}))?\s*$")
_PAGE_LINE = re.compile(r"^PAGE\s+\d+\b")
_XMT = re.compile(r"^XMT\b\s*/?\s*")
# Lines that end the recipient lists: the body's first line, the end-of-header marks.
_END = re.compile(
    r"^(?:BT\b|NNNN|ZEN\b|UNCLAS\b|UNCLASSIFIED\b|CONFIDENTIAL\b|SECRET\b|LIMITED OFFICIAL USE\b|"
    r"C O N F|S E C R E T|U N C L|E F T O|SUBJECT\b|E\.\s?O\.|TAGS\b|SENSITIVE\b)")


def parse_dtg(day: str, hhmm: str, month: str, year: str) -> str | None:
    """ "09", "1700", "SEP", "08" -> "2008-09-09T17:00:00"; None when not a real time."""
    try:
        mon = _MONTHS.get(month.upper())
        if mon is None:
            return None
        y = int(year)
        if y < 100:
            y += 1900 if y >= 60 else 2000
        d, hh, mm = int(day), int(hhmm[:2]), int(hhmm[2:])
        return _dt.datetime(y, mon, d, hh, mm).isoformat()
    except (ValueError, TypeError):
        return None


def looks_like_header(text: str) -> bool:
    return bool(_TRANSMISSION.search(text[:400]) or (_FM.search(text[:2000]) and
                                                         re.search(r"^\s*TO\s", text[:3000], re.M)))


_PRECEDENCE_WORDS = frozenset(("IMMEDIATE", "PRIORITY", "ROUTINE", "FLASH"))
_ROUTE = re.compile(r"R[A-Z0-9]{3,7}")


def _recipient(line: str) -> Recipient | None:
    """ "RUEHC/SECSTATE WASHDC PRIORITY 3787" -> route, name, precedence, mcn (string ops:
    this runs for every line of long INFO lists)."""
    route = None
    slash = line.find("/")
    if 0 < slash <= 9:
        head = line[:slash].rstrip()
        if _ROUTE.fullmatch(head):
            route = head
            line = line[slash + 1:]
    words = line.split()
    mcn = None
    precedence = None
    if len(words) > 1:
        last = words[-1]
        if last.isdigit() and len(last) <= 5:
            mcn = words.pop()
            last = words[-1]
        if len(words) > 1 and last in _PRECEDENCE_WORDS:
            precedence = words.pop()
            if precedence == "IMMEDIATE" and len(words) > 1 and words[-1] == "NIACT":
                words.pop()
                precedence = "NIACT IMMEDIATE"
    name = " ".join(words)
    if not name:
        return None
    return Recipient(route, name, precedence, mcn)


def _read_list(lines: list[str]) -> list[Recipient]:
    out: list[Recipient] = []
    excluding = False
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        first = line[0]
        if first == "P" and _PAGE_LINE.match(line):
            continue
        if first == "X" and _XMT.match(line):
            # XMT names members of the preceding collective that do not get the cable.
            excluding = True
            line = _XMT.sub("", line)
            if not line:
                continue
        if excluding:
            if out:
                out[-1].excluded.append(" ".join(line.split()))
            continue
        rec = _recipient(line)
        if rec:
            out.append(rec)
    return out


def parse_header(text: str) -> HeaderInfo:
    """Read what a header block (or the top of a whole cable) says; never raises."""
    info = HeaderInfo()
    if not isinstance(text, str) or not text:
        return info
    to_lines: list[str] = []
    info_lines: list[str] = []
    target: list[str] | None = None
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        first = line[0]
        if target is None:
            if first == "V" and info.transmission_id is None and line.startswith("VZCZC"):
                m = _TRANSMISSION.match(line)
                if m:
                    info.transmission_id = m.group(1)
                continue
            if info.dtg is None and "Z " in line:
                m = _DTG.match(line)
                if m:
                    info.precedence = m.group(1)
                    info.dtg = parse_dtg(m.group(2), m.group(3) + m.group(4), m.group(5), m.group(6))
                    continue
            if first == "F" and info.sender is None and line.startswith("FM "):
                info.sender = " ".join(line[3:].split())
                continue
        if first == "T" and (line.startswith("TO ") or line == "TO"):
            target = to_lines
            line = line[2:].strip()
        elif first == "I" and (line.startswith("INFO ") or line == "INFO"):
            target = info_lines
            line = line[4:].strip()
        elif target is not None and (_END.match(line) or line.startswith("FM ")):
            target = None
            if line.startswith("FM ") and info.sender is None:
                info.sender = " ".join(line[3:].split())
            continue
        if target is not None:
            target.append(line)
    info.recipients = _read_list(to_lines)
    info.info_recipients = _read_list(info_lines)
    return info
