"""Helpers of the report store tests: generated war-log files imported through the
real pipeline, and the reference answer of a query computed in Python.

The reference is ``cablemirror.search.evaluate`` (the meaning of a query, which every
backend must agree with) run over the current records, mapped to its field names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from cablemirror.demo.warlogs import write_warlogs
from cablemirror.ingest import import_paths
from cablemirror.search import REPORT_FIELDS, Record, parse_query
from cablemirror.store import open_store


def write(directory: Path, name: str, count: int, seed: int, *, variant: str = "32", hostile: bool = False) -> Path:
    path = directory / name
    write_warlogs(path, count, seed, variant=variant, hostile=hostile)
    return path


def build(db: Path, paths: Iterable[Path], **kwargs: Any) -> Path:
    with open_store(db) as store:
        import_paths(store, list(paths), **kwargs)
    return db


def current_records(db: Path) -> list[dict[str, Any]]:
    with open_store(db, readonly=True) as store:
        return list(store.iter_reports(None, sort="date"))


def evaluator_record(r: dict[str, Any]) -> dict[str, Any]:
    """A report record as ``search.evaluate`` reads it: one key per query field."""
    counts = {k: r[k] for k in ("friendly_kia", "friendly_wia", "civilian_kia", "civilian_wia", "enemy_kia",
                                "enemy_wia")}  # fmt: skip
    kia = sum(r[k] or 0 for k in ("friendly_kia", "host_nation_kia", "civilian_kia", "enemy_kia"))
    wia = sum(r[k] or 0 for k in ("friendly_wia", "host_nation_wia", "civilian_wia", "enemy_wia"))
    return {
        "text": [r["title"], r["summary"]],
        "id": r["report_key"],
        "tracking": r["tracking_number"],
        "date": r["date"],
        "type": r["type"],
        "category": r["category"],
        "region": r["region"],
        "attack": r["attack_on"],
        "unittype": r["type_of_unit"],
        "theatre": r["theatre"],
        "title": r["title"],
        "unit": [r["reporting_unit"], r["unit_name"]],
        "located": "yes" if r["latitude"] is not None else "no",
        "kia": kia,
        "wia": wia,
        "civilian": (r["civilian_kia"] or 0) + (r["civilian_wia"] or 0),
        **counts,
        "host_kia": r["host_nation_kia"],
        "host_wia": r["host_nation_wia"],
        "detained": r["enemy_detained"],
    }


def expected_keys(records: list[dict[str, Any]], text: str) -> set[str]:
    q = parse_query(text, REPORT_FIELDS)
    return {r["report_key"] for r in records if Record(evaluator_record(r), REPORT_FIELDS).matches(q.root)}
