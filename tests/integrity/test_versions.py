"""Listing stored versions: through iter_ids/get_versions, or a store's bulk listing."""

from __future__ import annotations

from typing import Any, Iterator

from cablemirror.integrity.manifest import Manifest
from cablemirror.integrity.versions import CableWithoutVersion, StoredVersion, iter_stored
from cablemirror.store import open_store

from .conftest import DEMO_COUNT, DemoStore


class BulkStore:
    """A store offering the proposed ``iter_versions()`` (metadata only, one scan)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.bulk_calls = 0

    def iter_versions(self) -> Iterator[dict[str, Any]]:
        self.bulk_calls += 1
        for cid, _ in self.store.iter_ids():
            for v in self.store.get_versions(cid):
                yield {k: val for k, val in v.items() if k != "record"} | {"cable_id": cid}

    def get_versions(self, cable_id: str) -> list[dict[str, Any]]:
        raise AssertionError("the bulk listing must be used instead")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_every_version_and_every_cable_without_one(demo: DemoStore) -> None:
    vid, cid, _, _ = demo.versions()[4]
    demo.delete_version(vid)
    with open_store(demo.db, readonly=True) as store:
        items = list(iter_stored(store))
        bulk = BulkStore(store)
        via_bulk = list(iter_stored(bulk))  # type: ignore[arg-type]
    versions = [i for i in items if isinstance(i, StoredVersion)]
    assert len(versions) == DEMO_COUNT - 1 and all(v.current for v in versions)
    assert [i for i in items if isinstance(i, CableWithoutVersion)] == [CableWithoutVersion(cid)]
    assert bulk.bulk_calls == 1
    assert sorted(map(repr, via_bulk)) == sorted(map(repr, items))


def test_the_manifest_is_the_same_either_way(demo: DemoStore) -> None:
    with open_store(demo.db, readonly=True) as store:
        assert Manifest.from_store(BulkStore(store)).text() == Manifest.from_store(store).text()  # type: ignore[arg-type]
