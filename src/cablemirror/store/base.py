"""The store interface: one contract, two backends (SQLite now, PostgreSQL later).

Callers (ingest, cli, web, export) use only these methods; none of them writes SQL.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..model import Cable, Quarantined, RawRecord


@dataclass(slots=True)
class StoreOutcome:
    """What storing one record did."""

    status: str  # "new" | "updated" | "unchanged"
    cable_id: str
    version_id: int | None = None


@dataclass(slots=True)
class SearchHit:
    id: str
    title: str
    created: str | None
    origin: str | None
    classification: str | None
    snippet: str
    paragraph: int | None = None
    score: float = 0.0


@dataclass(slots=True)
class SearchPage:
    total: int
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class Store(abc.ABC):
    """A place where cables, their versions and the quarantine live."""

    # -- life cycle -------------------------------------------------------------
    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------
    @abc.abstractmethod
    def store_batch(self, items: list[tuple[RawRecord, Cable]]) -> list[StoreOutcome]:
        """Store parsed records in one transaction.

        A version is identified by the sha256 of its raw bytes: storing the same bytes
        again changes nothing ("unchanged").  A new version of a known cable id is
        "updated", and becomes current if it is the most complete one.
        """

    @abc.abstractmethod
    def quarantine_batch(self, items: list[Quarantined]) -> int:
        """Keep what could not be read; returns how many were new to the quarantine."""

    # -- import bookkeeping (resume) --------------------------------------------
    @abc.abstractmethod
    def import_checkpoint(self, path: str, fingerprint: str) -> int | None:
        """The byte offset up to which ``path`` (with this fingerprint) was fully stored,
        or None when it was never started.  -1 means the file is complete."""

    @abc.abstractmethod
    def set_import_checkpoint(self, path: str, fingerprint: str, offset: int) -> None: ...

    # -- reading ----------------------------------------------------------------
    @abc.abstractmethod
    def get_cable(self, cable_id: str) -> dict[str, Any] | None:
        """The current record's JSON dict (Cable.to_dict()), or None."""

    @abc.abstractmethod
    def get_versions(self, cable_id: str) -> list[dict[str, Any]]:
        """Every stored version: id, sha256, source provenance, imported_at, current flag."""

    @abc.abstractmethod
    def get_raw(self, cable_id: str, version_id: int | None = None) -> bytes | None:
        """The exact source bytes of a version (the current one by default)."""

    @abc.abstractmethod
    def cited_by(self, cable_id: str) -> list[str]: ...

    @abc.abstractmethod
    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> SearchPage: ...

    @abc.abstractmethod
    def stats(self) -> dict[str, Any]:
        """At least: cables, versions, quarantined."""

    @abc.abstractmethod
    def iter_quarantine(self) -> Iterator[dict[str, Any]]: ...
