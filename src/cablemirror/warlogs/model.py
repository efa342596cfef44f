"""A war-diary report (one SIGACT row of the Afghan War Diary or the Iraq War Logs), typed.

``Report.to_dict()`` is the documented JSON record (docs/warlogs.md).  The CSV column
names, in the order of the 2010 headerless ``afg-war-diary.csv``, are ``COLUMNS``;
``ATTRIBUTES`` maps each to the attribute of ``Report`` that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# The 32 columns of afg-war-diary.csv, in file order.
COLUMNS: tuple[str, ...] = (
    "ReportKey", "DateOccurred", "Type", "Category", "TrackingNumber", "Title", "Summary", "Region",
    "AttackOn", "ComplexAttack", "ReportingUnit", "UnitName", "TypeOfUnit", "FriendlyWIA", "FriendlyKIA",
    "HostNationWIA", "HostNationKIA", "CivilianWIA", "CivilianKIA", "EnemyWIA", "EnemyKIA", "EnemyDetained",
    "MGRS", "Latitude", "Longitude", "OriginatorGroup", "UpdatedByGroup", "CCIR", "Sigact", "Affiliation",
    "DColor", "Classification",
)  # fmt: skip

# Column -> Report attribute.
ATTRIBUTES: dict[str, str] = {
    "ReportKey": "report_key", "DateOccurred": "date", "Type": "type", "Category": "category",
    "TrackingNumber": "tracking_number", "Title": "title", "Summary": "summary", "Region": "region",
    "AttackOn": "attack_on", "ComplexAttack": "complex_attack", "ReportingUnit": "reporting_unit",
    "UnitName": "unit_name", "TypeOfUnit": "type_of_unit", "FriendlyWIA": "friendly_wia",
    "FriendlyKIA": "friendly_kia", "HostNationWIA": "host_nation_wia", "HostNationKIA": "host_nation_kia",
    "CivilianWIA": "civilian_wia", "CivilianKIA": "civilian_kia", "EnemyWIA": "enemy_wia",
    "EnemyKIA": "enemy_kia", "EnemyDetained": "enemy_detained", "MGRS": "mgrs", "Latitude": "latitude",
    "Longitude": "longitude", "OriginatorGroup": "originator_group", "UpdatedByGroup": "updated_by_group",
    "CCIR": "ccir", "Sigact": "sigact", "Affiliation": "affiliation", "DColor": "dcolor",
    "Classification": "classification",
}  # fmt: skip

# The nine counts of people, in column order.
COUNT_COLUMNS: tuple[str, ...] = COLUMNS[13:22]
# Free-text columns that are one line by nature (a line break in them is a problem).
LINE_COLUMNS: tuple[str, ...] = (
    "Type", "Category", "TrackingNumber", "Title", "Region", "AttackOn", "ReportingUnit", "UnitName",
    "TypeOfUnit", "OriginatorGroup", "UpdatedByGroup", "CCIR", "Sigact", "Affiliation", "DColor",
    "Classification",
)  # fmt: skip

COLLECTION = "warlogs"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a row and what the parser did about it (like a cable's ``Repair``)."""

    kind: str  # e.g. "bad-count", "mgrs-mismatch" (the list is in docs/warlogs.md)
    field: str | None  # the CSV column, or None for the row as a whole
    value: str | None  # the value as written (shortened when long), or None
    action: str  # what was done, in words

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "field": self.field, "value": self.value, "action": self.action}


@dataclass(slots=True)
class Report:
    """One report, typed.  Counts and coordinates are None when the row does not give a
    usable value (never a made-up number); ``problems`` says why."""

    report_key: str  # upper-case GUID
    date: datetime  # DateOccurred, as written (the release gives no time zone)
    type: str = ""
    category: str = ""
    tracking_number: str = ""
    title: str = ""
    summary: str = ""
    region: str = ""
    attack_on: str = ""
    complex_attack: bool | None = None
    reporting_unit: str = ""
    unit_name: str = ""
    type_of_unit: str = ""
    friendly_wia: int | None = None
    friendly_kia: int | None = None
    host_nation_wia: int | None = None
    host_nation_kia: int | None = None
    civilian_wia: int | None = None
    civilian_kia: int | None = None
    enemy_wia: int | None = None
    enemy_kia: int | None = None
    enemy_detained: int | None = None
    mgrs: str = ""
    latitude: float | None = None
    longitude: float | None = None
    originator_group: str = ""
    updated_by_group: str = ""
    ccir: str = ""
    sigact: str = ""
    affiliation: str = ""
    dcolor: str = ""
    classification: str = ""
    extra: dict[str, str | None] = field(default_factory=dict)  # columns the model has no slot for
    problems: list[Problem] = field(default_factory=list)
    source: dict[str, Any] | None = None  # provenance (format, path, offset, length, line, sha256) + variant
    generated: bool = False  # synthetic demo data (its title ends with "[GENERATED]")
    theatre: str = "afghanistan"  # "afghanistan" or "iraq"

    @property
    def kia(self) -> int:
        """Killed, all sides (unknown counts count as 0 here: for sorting and search)."""
        return sum(v or 0 for v in (self.friendly_kia, self.host_nation_kia, self.civilian_kia, self.enemy_kia))

    @property
    def wia(self) -> int:
        """Wounded, all sides (unknown counts count as 0 here)."""
        return sum(v or 0 for v in (self.friendly_wia, self.host_nation_wia, self.civilian_wia, self.enemy_wia))

    def problem_kinds(self) -> list[str]:
        return [p.kind for p in self.problems]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"report_key": self.report_key, "date": self.date.isoformat(timespec="seconds")}
        for column in COLUMNS[2:]:
            d[ATTRIBUTES[column]] = getattr(self, ATTRIBUTES[column])
        d["theatre"] = self.theatre
        d["extra"] = dict(self.extra)
        d["problems"] = [p.to_dict() for p in self.problems]
        d["generated"] = self.generated
        d["source"] = dict(self.source) if self.source is not None else None
        return d
