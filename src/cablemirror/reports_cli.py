"""``cablemirror show <ReportKey>``: one war-diary report in the terminal.

``cli.show`` hands a key that looks like a ReportKey (a GUID, in any case, with or
without braces) to ``show_report``; everything else is a cable id.  The options are
the cables' ones: ``--json`` (the record), ``--raw`` (the exact bytes of the CSV row),
``--versions`` (every stored version), ``--version N`` (a version id).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import click

from .store.reports import CASUALTY_GROUPS, normalize_report_key

__all__ = ["looks_like_report_key", "show_report", "format_report"]

_GUID = re.compile(r"\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?")
_GROUPS = {"friendly": "Friendly", "host_nation": "Host nation", "civilian": "Civilian", "enemy": "Enemy"}


def looks_like_report_key(text: str) -> bool:
    return bool(_GUID.fullmatch(text.strip()))


def _dumps(obj: Any, pretty: bool = False) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2 if pretty else None)


def _count(v: Any) -> str:
    return "-" if v is None else str(v)


def format_report(rec: dict[str, Any]) -> str:
    """A readable rendering of a report record for the terminal."""
    lines = [f"{rec['report_key']}  {rec.get('title') or '(no title)'}", ""]
    if rec.get("generated"):
        lines += ["GENERATED DEMO DATA: this report was made up by cablemirror's demo generator.", ""]
    rows = [
        ("Date", str(rec.get("date") or "").replace("T", " ")),
        ("Type", " / ".join(x for x in (rec.get("type"), rec.get("category")) if x)),
        ("Region", rec.get("region")),
        ("Attack on", rec.get("attack_on")),
        ("Unit", " / ".join(x for x in (rec.get("reporting_unit"), rec.get("unit_name"), rec.get("type_of_unit")) if x)),
        ("Tracking", rec.get("tracking_number")),
        ("Position", f"{rec['latitude']}, {rec['longitude']}" if rec.get("latitude") is not None else "none"),
        ("MGRS", rec.get("mgrs")),
        ("Classification", rec.get("classification")),
    ]
    lines += [f"{k + ':':<16}{v}" for k, v in rows if v]
    lines += ["", f"{'':<14}wounded killed"]
    for group, (kia, wia) in CASUALTY_GROUPS.items():
        lines.append(f"  {_GROUPS[group]:<12}{_count(rec.get(wia)):>7} {_count(rec.get(kia)):>6}")
    lines.append(f"  {'Detained':<12}{_count(rec.get('enemy_detained')):>7}")
    lines += ["", rec.get("summary") or ""]
    problems = rec.get("problems") or []
    if problems:
        lines += ["", "What cablemirror noticed in the row:"]
    for p in problems:
        where = f" ({p['field']})" if p.get("field") else ""
        lines.append(f"  - {p['kind']}{where}: {p['action']}")
    src = rec.get("source") or {}
    if src:
        lines += ["", f"Source: {src.get('format')} {src.get('path')} line {src.get('line')} sha256 {src.get('sha256')}"]
    return "\n".join(lines)


def show_report(
    store: Any, key: str, *, as_json: bool, raw: bool, version_id: int | None, list_versions: bool, where: str
) -> None:
    from .cli import UserError

    norm = normalize_report_key(key) or key
    record = store.get_report(norm)
    if record is None:
        raise UserError(f"no report {norm} in {where}")
    if list_versions:
        for v in store.get_report_versions(norm):
            click.echo(_dumps({k: val for k, val in v.items() if k != "record"}))
        return
    if raw:
        data = store.get_report_raw(norm, version_id)
        if data is None:
            raise UserError(f"no version {version_id} of report {norm}")
        sys.stdout.buffer.write(data)  # exactly the row's bytes (without its line break)
        sys.stdout.flush()
        return
    if version_id is not None:
        versions = {v["version_id"]: v for v in store.get_report_versions(norm)}
        if version_id not in versions:
            raise UserError(f"no version {version_id} of report {norm}; versions: {sorted(versions)}")
        record = versions[version_id].get("record") or record
    click.echo(_dumps(record, pretty=True) if as_json else format_report(record))
