"""The manifest: one line per stored record version, and one Merkle root over them.

A line (UTF-8, fields separated by one tab, see docs/integrity.md)::

    <id> TAB <sha256 of the raw bytes> TAB <format> TAB <source> TAB <offset> TAB <length>

``source`` is the *file name* the bytes were imported from (not the folder: two
mirrors importing the same release files from different places get the same
manifest, and a public manifest does not reveal the operator's folders).  Lines are
sorted by their UTF-8 bytes (what ``LC_ALL=C sort`` does), which for ordinary ids is
by (id, sha256).  Backslash, tab, newline and other control characters in a field
are escaped (``\\\\``, ``\\t``, ``\\n``, ``\\r``, ``\\xHH``), and so is a ``#`` that would
start a line, so every record is exactly one line and header lines start with ``#``.

The text form has a header of ``# key: value`` lines (format, algorithm, fields,
count, root); the JSON form (``--json``) has the same keys and a ``records`` list.
The root is over the lines in manifest order (``merkle.py``).
"""

from __future__ import annotations

import bisect
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..store.base import Store
from .merkle import EMPTY_ROOT, MerkleTree, RootAccumulator, leaf_hash
from .versions import CableWithoutVersion, StoredVersion, iter_stored

MAGIC = "cablemirror manifest"
FORMAT_VERSION = 1
ALGORITHM = (
    "sha256-merkle: leaf = SHA-256(0x00 || line), node = SHA-256(0x01 || left || right), "
    "a lone last node is promoted (RFC 6962)"
)
FIELDS = ("id", "sha256", "format", "source", "offset", "length")
JSON_MAGIC = "cablemirror-manifest"

_SHA = re.compile(r"^[0-9a-f]{64}$")
_NUM = re.compile(r"^(0|[1-9][0-9]*)$")
_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\x7f\\]")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|.)", re.S)
_NAMED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNNAMED = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


class ManifestError(ValueError):
    """A file that is not a manifest this version can read; ``str()`` is the message."""


def escape_field(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return text
    return _NEEDS_ESCAPE.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def unescape_field(text: str) -> str:
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code.startswith("x") and len(code) == 3:
            return chr(int(code[1:], 16))
        if code in _UNNAMED:
            return _UNNAMED[code]
        raise ValueError(f"unknown escape \\{code}")

    # A lone trailing backslash is left as is: from_line's canonical-form check rejects it.
    return _ESCAPE.sub(one, text)


def source_name(path: str) -> str:
    """The file name of a stored path, whichever separator the importing system used."""
    name = re.split(r"[\\/]", path.rstrip("/\\"))[-1]
    return name or path


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    id: str
    sha256: str
    format: str
    source: str
    offset: int
    length: int

    def line(self) -> str:
        first = escape_field(self.id)
        if first.startswith("#"):
            first = "\\x23" + first[1:]
        return "\t".join(
            (first, self.sha256, escape_field(self.format), escape_field(self.source), str(self.offset), str(self.length))
        )

    @property
    def slot(self) -> tuple[str, str, int]:
        """Where the bytes sit in the release: a record whose hash changed keeps its slot."""
        return (self.id, self.source, self.offset)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sha256": self.sha256,
            "format": self.format,
            "source": self.source,
            "offset": self.offset,
            "length": self.length,
        }

    @classmethod
    def from_line(cls, line: str) -> "ManifestEntry":
        """Parse one line; ValueError says what is wrong with it."""
        parts = line.split("\t")
        if len(parts) != len(FIELDS):
            raise ValueError(f"expected {len(FIELDS)} tab-separated fields, found {len(parts)}")
        ident, sha, fmt, source, offset, length = parts
        if not _SHA.match(sha):
            raise ValueError(f"the sha256 field is not 64 lower-case hex digits: {sha[:80]!r}")
        if not _NUM.match(offset) or not _NUM.match(length):
            raise ValueError(f"offset and length must be whole numbers: {offset[:30]!r}, {length[:30]!r}")
        entry = cls(
            unescape_field(ident),
            sha,
            sys.intern(unescape_field(fmt)),  # a few formats and files for many lines
            sys.intern(unescape_field(source)),
            int(offset),
            int(length),
        )
        if not entry.id:
            raise ValueError("the id field is empty")
        if entry.line() != line:
            raise ValueError("the line is not written in the manifest's canonical form (escapes)")
        return entry

    @classmethod
    def from_dict(cls, d: Any) -> "ManifestEntry":
        if not isinstance(d, dict):
            raise ValueError(f"a record must be an object, not {type(d).__name__}")
        try:
            entry = cls(d["id"], d["sha256"], d["format"], d["source"], d["offset"], d["length"])
        except KeyError as exc:
            raise ValueError(f"the record lacks {exc}") from None
        for name in ("id", "sha256", "format", "source"):
            if not isinstance(getattr(entry, name), str):
                raise ValueError(f"{name} must be a string")
        for name in ("offset", "length"):
            value = getattr(entry, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0")
        if not _SHA.match(entry.sha256) or not entry.id:
            raise ValueError("sha256 must be 64 lower-case hex digits and id not empty")
        return entry


def entry_of(v: StoredVersion, sha256: str | None = None) -> ManifestEntry:
    """The manifest entry of a stored version (with another hash, e.g. of its bytes)."""
    return ManifestEntry(v.id, sha256 or v.sha256, v.format, source_name(v.path), v.offset, v.length)


def _line_id_prefix(cable_id: str) -> str:
    return ManifestEntry(cable_id, "0" * 64, "", "", 0, 0).line().split("\t", 1)[0] + "\t"


@dataclass
class Manifest:
    """A manifest in memory: its lines in order (sorted when built from a store)."""

    lines: list[str]
    # Cables the store lists without their current version: no line can be written for
    # them (verify reports them); kept so that the caller can warn.
    without_version: list[str] = field(default_factory=list)
    _tree: MerkleTree | None = field(default=None, repr=False)

    @classmethod
    def from_entries(cls, entries: Iterable[ManifestEntry]) -> "Manifest":
        return cls(sorted({e.line() for e in entries}))

    @classmethod
    def from_store(cls, store: Store, *, on_version: Callable[[], None] | None = None) -> "Manifest":
        """The manifest of what the store recorded (its sha256 column; ``verify``
        re-hashes the bytes).  Holds lines, never record bytes."""
        lines: list[str] = []
        missing: list[str] = []
        for item in iter_stored(store):
            if isinstance(item, CableWithoutVersion):
                missing.append(item.id)
                continue
            lines.append(entry_of(item).line())
            if on_version is not None:
                on_version()
        lines.sort()
        return cls(lines, missing)

    # -- what it says ------------------------------------------------------------
    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def tree(self) -> MerkleTree:
        if self._tree is None:
            self._tree = MerkleTree(leaf_hash(line) for line in self.lines)
        return self._tree

    @property
    def root(self) -> bytes:
        return self.tree.root if self.lines else EMPTY_ROOT

    def summary(self) -> dict[str, Any]:
        return {
            "format": JSON_MAGIC,
            "version": FORMAT_VERSION,
            "algorithm": ALGORITHM,
            "fields": list(FIELDS),
            "count": self.count,
            "root": self.root.hex(),
        }

    def header(self) -> str:
        return (
            f"# {MAGIC} {FORMAT_VERSION}\n"
            f"# algorithm: {ALGORITHM}\n"
            f"# fields: {' '.join(FIELDS)} (tab-separated, one line per stored record version, sorted by bytes)\n"
            f"# count: {self.count}\n"
            f"# root: {self.root.hex()}\n"
        )

    def iter_text(self, chunk_lines: int = 4096) -> Iterator[str]:
        """The text manifest in pieces (for writing or a streamed response)."""
        yield self.header()
        for i in range(0, len(self.lines), chunk_lines):
            yield "".join(line + "\n" for line in self.lines[i : i + chunk_lines])

    def iter_json(self, chunk_lines: int = 1024) -> Iterator[str]:
        head = json.dumps(self.summary(), ensure_ascii=False)
        yield head[:-1] + ', "records": ['
        for i in range(0, len(self.lines), chunk_lines):
            part = ",\n".join(
                json.dumps(ManifestEntry.from_line(line).to_dict(), ensure_ascii=False)
                for line in self.lines[i : i + chunk_lines]
            )
            yield ("\n" if i == 0 else ",\n") + part
        yield "\n]}\n"

    def text(self) -> str:
        return "".join(self.iter_text())

    # -- proofs ------------------------------------------------------------------
    def indices_of(self, cable_id: str) -> list[int]:
        """Positions of the lines of ``cable_id`` (its versions), in manifest order."""
        prefix = _line_id_prefix(cable_id)
        i = bisect.bisect_left(self.lines, prefix)
        out = []
        while i < len(self.lines) and self.lines[i].startswith(prefix):
            out.append(i)
            i += 1
        return out

    def proof(self, index: int) -> dict[str, Any]:
        """Everything needed to check line ``index`` against the root, as JSON."""
        line = self.lines[index]
        entry = ManifestEntry.from_line(line)
        return {
            **entry.to_dict(),
            "line": line,
            "index": index,
            "leaf": self.tree.leaf(index).hex(),
            "path": [step.to_dict() for step in self.tree.proof(index)],
            "root": self.root.hex(),
            "tree_size": self.count,
        }


# ---------------------------------------------------------------------------- reading


@dataclass
class ManifestFile:
    """A manifest read back from a file, for ``verify --against``.

    ``entries`` are the well-formed lines; ``problems`` say what is wrong with the
    file itself (bad lines, a root or count that do not match its lines).
    """

    path: str
    entries: list[ManifestEntry]
    claimed_root: str | None
    claimed_count: int | None
    computed_root: str
    lines: int
    problems: list[str] = field(default_factory=list)


def is_manifest(path: Path) -> bool:
    """Whether ``path`` is a file that starts like a manifest (text or JSON)."""
    try:
        if not path.is_file():
            return False
        with open(path, "rb") as f:
            head = f.read(256).lstrip(b"\xef\xbb\xbf")
    except OSError:
        return False
    if head.startswith(f"# {MAGIC}".encode()):
        return True
    return head.lstrip().startswith(b"{") and JSON_MAGIC.encode() in head


def read_manifest(path: Path) -> ManifestFile:
    """Read a text or JSON manifest; ManifestError when it is not one at all."""
    try:
        with open(path, "rb") as f:
            head = f.read(256).lstrip(b"\xef\xbb\xbf")
    except OSError as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc.strerror or exc}") from None
    if head.lstrip().startswith(b"{"):
        return _read_json(path)
    if not head.startswith(f"# {MAGIC}".encode()):
        raise ManifestError(f"{path} is not a cablemirror manifest (it should start with '# {MAGIC}')")
    return _read_text(path)


def _read_text(path: Path) -> ManifestFile:
    acc = RootAccumulator()
    entries: list[ManifestEntry] = []
    header: dict[str, str] = {}
    problems: list[str] = []
    seen: set[str] = set()
    in_header = True
    with open(path, "rb") as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="\n")
        number = 0
        try:
            for number, text in enumerate(stream, 1):
                line = text.rstrip("\n").removesuffix("\r")
                if number == 1:
                    line = line.lstrip("\ufeff")
                if in_header and line.startswith("#"):
                    key, sep, value = line[1:].partition(":")
                    if sep:
                        header[key.strip().lower()] = value.strip()
                    continue
                in_header = False
                if line.startswith("#") or not line:
                    problems.append(f"line {number}: {'a comment' if line else 'an empty line'} among the records")
                    continue
                acc.add(leaf_hash(line))
                try:
                    entry = ManifestEntry.from_line(line)
                except ValueError as exc:
                    problems.append(f"line {number}: {exc}")
                    continue
                if line in seen:
                    problems.append(f"line {number}: the same record is listed twice ({entry.id} {entry.sha256[:12]})")
                    continue
                seen.add(line)
                entries.append(entry)
        except UnicodeDecodeError as exc:
            problems.append(f"line {number + 1}: not UTF-8 ({exc.reason}); the rest of the file was not read")
    return _finish(str(path), entries, header.get("root"), header.get("count"), acc, problems)


def _read_json(path: Path) -> ManifestFile:
    try:
        with open(path, "rb") as f:
            doc = json.load(f)
    except (OSError, ValueError) as exc:
        raise ManifestError(f"cannot read JSON manifest {path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != JSON_MAGIC:
        raise ManifestError(f"{path} is not a cablemirror JSON manifest (\"format\": \"{JSON_MAGIC}\" is missing)")
    records = doc.get("records")
    if not isinstance(records, list):
        raise ManifestError(f"{path}: the manifest has no \"records\" list")
    acc = RootAccumulator()
    entries: list[ManifestEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, rec in enumerate(records):
        try:
            entry = ManifestEntry.from_dict(rec)
        except ValueError as exc:
            problems.append(f"record {i}: {exc}")
            continue
        line = entry.line()
        acc.add(leaf_hash(line))
        if line in seen:
            problems.append(f"record {i}: the same record is listed twice ({entry.id} {entry.sha256[:12]})")
            continue
        seen.add(line)
        entries.append(entry)
    count = doc.get("count")
    return _finish(str(path), entries, doc.get("root"), None if count is None else str(count), acc, problems)


def _finish(
    path: str, entries: list[ManifestEntry], root: Any, count: Any, acc: RootAccumulator, problems: list[str]
) -> ManifestFile:
    computed = acc.root().hex()
    claimed_count: int | None = None
    if count is None:
        problems.append("the manifest states no count")
    else:
        try:
            claimed_count = int(count)
        except ValueError:
            problems.append(f"the manifest's count is not a number: {str(count)[:40]!r}")
    if claimed_count is not None and claimed_count != acc.count:
        problems.append(f"the manifest says it has {claimed_count} records but lists {acc.count}")
    claimed_root = str(root).strip().lower() if root is not None else None
    if claimed_root is None:
        problems.append("the manifest states no root")
    elif claimed_root != computed:
        problems.append(
            f"the manifest's root {claimed_root[:16]}… is not the root of its lines ({computed[:16]}…): "
            "the file was changed after it was written"
        )
    return ManifestFile(path, entries, claimed_root, claimed_count, computed, acc.count, problems)
