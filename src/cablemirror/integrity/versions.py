"""Every stored version's metadata, read through the Store interface only.

The store does not (yet) offer a bulk listing of versions, so the portable way is
``iter_ids()`` then ``get_versions(id)`` per cable, which also decodes each
version's record JSON we do not need.  When a store offers
``iter_versions()`` (proposed to the store's owner: metadata only, one paged scan,
and versions whose cable row is gone too) it is used instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Iterator

from ..store.base import Store, StoreError


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """What the store says about one version (not its bytes)."""

    id: str
    version_id: int
    sha256: str
    format: str
    path: str
    offset: int
    length: int
    current: bool


@dataclass(frozen=True, slots=True)
class CableWithoutVersion:
    """A cable listed by the store whose current version (the one its record was
    built from) is not among its stored versions."""

    id: str


def _version(cable_id: str, v: dict[str, Any]) -> StoredVersion:
    try:
        return StoredVersion(
            id=cable_id,
            version_id=int(v["version_id"]),
            sha256=str(v["sha256"]),
            # Thousands of versions share a format and a file: keep one copy of each.
            format=sys.intern(str(v["format"])),
            path=sys.intern(str(v["path"])),
            offset=int(v["offset"]),
            length=int(v["length"]),
            current=bool(v.get("current")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"the store's version list of {cable_id} lacks {exc}: cannot verify it") from None


def iter_stored(store: Store) -> Iterator[StoredVersion | CableWithoutVersion]:
    """Every stored version, grouped by cable; a ``CableWithoutVersion`` for a cable
    whose current version cannot be found (so a deleted version is never silent)."""
    bulk = getattr(store, "iter_versions", None)
    if callable(bulk):
        yield from _iter_bulk(store, bulk())
        return
    for cable_id, _date in store.iter_ids():
        versions = [_version(cable_id, v) for v in store.get_versions(cable_id)]
        yield from versions
        if not any(v.current for v in versions):
            yield CableWithoutVersion(cable_id)


def _iter_bulk(store: Store, rows: Iterator[dict[str, Any]]) -> Iterator[StoredVersion | CableWithoutVersion]:
    with_current: set[str] = set()
    for row in rows:
        v = _version(str(row.get("cable_id")), row)
        if v.current:
            with_current.add(v.id)
        yield v
    for cable_id, _date in store.iter_ids():
        if cable_id not in with_current:
            yield CableWithoutVersion(cable_id)


def count_versions(store: Store) -> int | None:
    """How many versions the store holds (for a progress bar), or None if unknown."""
    try:
        n = store.stats().get("versions")
    except (StoreError, NotImplementedError):
        return None
    return n if isinstance(n, int) else None
