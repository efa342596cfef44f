"""Stores for the integrity tests: generated demo cables, imported, then tampered
with directly in the SQLite file (as an attacker or a failing disk would)."""

from __future__ import annotations

import shutil
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from cablemirror.demo import write_cables_csv
from cablemirror.ingest import import_paths
from cablemirror.store import open_store

DEMO_COUNT = 40


@dataclass
class DemoStore:
    db: Path
    csv: Path  # the release file it was imported from

    def versions(self) -> list[tuple[int, str, str, int]]:
        """(version_id, cable_id, path, offset) of every stored version, by id."""
        with sqlite3.connect(self.db) as conn:
            return conn.execute("SELECT version_id, cable_id, path, offset FROM versions ORDER BY cable_id").fetchall()

    def flip_byte(self, version_id: int, *, fix_hash: bool = False) -> None:
        """Change one byte of a stored record (the raw bytes are zlib-compressed);
        ``fix_hash`` also rewrites the recorded sha256 to match, as a careful
        attacker would."""
        import hashlib

        conn = sqlite3.connect(self.db)
        try:
            (blob,) = conn.execute("SELECT raw_z FROM versions WHERE version_id = ?", (version_id,)).fetchone()
            raw = bytearray(zlib.decompress(blob))
            raw[len(raw) // 2] ^= 0x01
            conn.execute("UPDATE versions SET raw_z = ? WHERE version_id = ?", (zlib.compress(bytes(raw)), version_id))
            if fix_hash:
                conn.execute(
                    "UPDATE versions SET sha256 = ? WHERE version_id = ?", (hashlib.sha256(raw).hexdigest(), version_id)
                )
            conn.commit()
        finally:
            conn.close()

    def damage_blob(self, version_id: int) -> None:
        with sqlite3.connect(self.db) as conn:
            conn.execute("UPDATE versions SET raw_z = ? WHERE version_id = ?", (b"not zlib at all", version_id))

    def delete_version(self, version_id: int) -> None:
        """Remove a version row only: the cable still names it as current."""
        conn = sqlite3.connect(self.db)
        try:
            conn.execute("DELETE FROM versions WHERE version_id = ?", (version_id,))
            conn.commit()
        finally:
            conn.close()

    def delete_cable(self, cable_id: str) -> None:
        """Remove a cable cleanly: its row and every version (nothing points at them)."""
        conn = sqlite3.connect(self.db)
        try:
            conn.execute("DELETE FROM versions WHERE cable_id = ?", (cable_id,))
            conn.execute("DELETE FROM cables WHERE id = ?", (cable_id,))
            conn.commit()
        finally:
            conn.close()

    def add_cable(self, folder: Path, seed: int = 99) -> str:
        """Import one more generated cable from another file; returns its id."""
        extra = folder / f"extra-{seed}.csv"
        write_cables_csv(extra, 1, seed)
        with open_store(self.db) as store:
            summary = import_paths(store, [extra])
        assert summary.new == 1
        with sqlite3.connect(self.db) as conn:
            (cid,) = conn.execute("SELECT cable_id FROM versions WHERE path = ?", (str(extra),)).fetchone()
        return cid


@pytest.fixture(scope="session")
def _clean_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    folder = tmp_path_factory.mktemp("integrity-demo")
    csv = folder / "demo-cables.csv"
    write_cables_csv(csv, DEMO_COUNT, 11)
    db = folder / "clean.db"
    with open_store(db) as store:
        summary = import_paths(store, [csv])
    assert summary.new == DEMO_COUNT
    return DemoStore(db, csv)


@pytest.fixture
def demo(_clean_demo: DemoStore, tmp_path: Path) -> DemoStore:
    """A fresh copy of the clean demo store, free to tamper with."""
    db = tmp_path / "demo.db"
    shutil.copyfile(_clean_demo.db, db)
    wal = Path(f"{_clean_demo.db}-wal")
    if wal.exists():  # closed stores leave none, but a copy must never lose data
        shutil.copyfile(wal, Path(f"{db}-wal"))
    return DemoStore(db, _clean_demo.csv)
