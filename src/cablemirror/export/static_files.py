"""Files of a static export: written only when their bytes change, always atomically,
and the state file that lets the next export know what it wrote.

A file is compared with what is on disk (size first, then bytes) and left alone when
equal, so its modification time stays and a synchronisation tool (rsync, a CDN
upload) sends only what changed.  A changed file is written to a temporary file in
the same folder and renamed over the old one: a reader (or a web server) never sees
half a page.

The state file ``.cablemirror-static.json.gz`` holds the document numbers of the
search index, a fingerprint of every cable's inputs, the index's shard ranges and the
list of other files written: the next export removes what is no longer produced,
and never touches a file it did not write.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ExportFiles", "STATE_FILE", "STATE_FORMAT", "load_state", "save_state", "StateError"]

STATE_FILE = ".cablemirror-static.json.gz"
STATE_FORMAT = 1


class StateError(Exception):
    """The export folder holds something this version cannot continue from."""


@dataclass
class ExportFiles:
    """Writes files under ``root`` and counts what it did."""

    root: Path
    written: int = 0
    unchanged: int = 0
    bytes_written: int = 0
    _dirs: set[str] = field(default_factory=set)

    def write(self, rel: str, data: bytes) -> bool:
        """Write ``data`` to ``root/rel`` unless it holds exactly that; True when written."""
        path = self.root / rel
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                self.unchanged += 1
                return False
        except (FileNotFoundError, NotADirectoryError):
            pass
        parent = os.path.dirname(rel)
        if parent not in self._dirs:
            (self.root / parent).mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self.written += 1
        self.bytes_written += len(data)
        return True

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def remove(self, rel: str) -> bool:
        path = self.root / rel
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        # Empty folders left behind go too (never the export's root).
        parent = path.parent
        while parent != self.root and self.root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
        return True


def load_state(root: Path) -> dict[str, Any] | None:
    """The previous export's state, or None for a fresh folder."""
    path = root / STATE_FILE
    if not path.exists():
        return None
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            state = json.load(f)
    except (OSError, ValueError, EOFError) as exc:
        raise StateError(f"cannot read the state of the previous export ({path}): {exc}; "
                         "remove the file to export everything again") from None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise StateError(f"{path} was written by another version of cablemirror: "
                         "remove it (or export to a new folder) to export everything again")
    return state


def save_state(root: Path, state: dict[str, Any]) -> None:
    """Write the state atomically (a crash leaves the previous one)."""
    path = root / STATE_FILE
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as f:
            json.dump(state, f, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
