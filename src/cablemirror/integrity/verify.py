"""``verify``: re-hash the store, and compare it with a manifest or the release files.

Three checks, each naming every record that differs (id, source file, offset):

1. **The store against itself** (always): every stored version's bytes are read back
   and re-hashed; bytes that no longer hash to the sha256 recorded at import are
   *altered*; a version whose bytes are gone, or a cable whose current version is
   gone, is *missing*.
2. **Against a manifest** (``cablemirror manifest`` output, text or JSON): the
   manifest's own root and count are checked against its lines first; then each line
   is looked up by (id, sha256) among the store's versions, with the hash of the bytes
   as they are now.  Lines with no match are *missing*, versions with no line are
   *extra*; a missing line and an extra version in the same place (id, source file,
   offset) are one *altered* record.
3. **Against release files** (files or folders): every record read from them must
   be stored (or kept in the quarantine, for bytes that could not be parsed): else
   *missing*.  Every stored version that came from those files must be among their
   records: else *extra*.  Again, a missing record and an extra version at the same
   (file, offset) are one *altered* record.

Only hashes and metadata are held in memory, never the bytes of more than one record.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..model import Quarantined, RawRecord, sha256_hex
from ..store.base import Store, StoreError
from .manifest import ManifestEntry, entry_of, read_manifest, source_name
from .merkle import RootAccumulator, leaf_hash
from .versions import CableWithoutVersion, StoredVersion, count_versions, iter_stored

KINDS = ("altered", "missing", "extra", "manifest")


@dataclass(slots=True)
class Finding:
    """One thing that differs.  ``against``: what the store was compared with."""

    kind: str  # "altered" | "missing" | "extra" | "manifest" (the manifest file itself)
    against: str  # "store" | "manifest" | "release"
    id: str | None
    detail: str
    source: str | None = None  # file name
    path: str | None = None  # the file as stored or as read
    offset: int | None = None
    length: int | None = None
    version_id: int | None = None
    expected: str | None = None  # sha256 that should be there
    found: str | None = None  # sha256 that is there

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        where = []
        if self.version_id is not None:
            where.append(f"version {self.version_id}")
        if self.source is not None:
            at = f"{self.source}"
            if self.offset is not None:
                at += f" @ {self.offset:,}"
            if self.length is not None:
                at += f", {self.length:,} bytes"
            where.append(at)
        place = f" ({'; '.join(where)})" if where else ""
        return f"{self.kind.upper():<8} {self.id or '-'}{place}: {self.detail} [{self.against}]"


@dataclass
class VerifyReport:
    db: str
    cables: int = 0
    versions: int = 0
    bytes_hashed: int = 0
    root: str = ""  # root of the manifest of the store's bytes as they are now
    manifest: dict[str, Any] | None = None
    release: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    _keys: set[tuple[Any, ...]] = field(default_factory=set, repr=False)

    def add(self, finding: Finding) -> None:
        """Add a finding, unless the same change of the same record is already there
        (bytes altered after import are found by the store check, and again by a
        manifest that agrees with what was recorded)."""
        key = self._key(finding)
        if key not in self._keys:
            self._keys.add(key)
            self.findings.append(finding)

    def completed(self, finding: Finding) -> None:
        """A finding already added has learnt more (where its bytes were): a later check
        saying the same must not add it again."""
        self._keys.add(self._key(finding))

    @staticmethod
    def _key(f: Finding) -> tuple[Any, ...]:
        return (f.kind, f.id, f.version_id, f.source, f.offset, f.expected, f.found,
                f.detail if f.kind == "manifest" else None)

    @property
    def ok(self) -> bool:
        return not self.findings

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in KINDS}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "db": self.db,
            "cables": self.cables,
            "versions": self.versions,
            "bytes_hashed": self.bytes_hashed,
            "root": self.root,
            "manifest": self.manifest,
            "release": self.release,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }

    def text_lines(self) -> Iterator[str]:
        yield f"Store {self.db}: {self.cables:,} cables, {self.versions:,} versions re-hashed " \
              f"({self.bytes_hashed / 1e6:,.1f} MB); root {self.root}"
        if self.manifest is not None:
            m = self.manifest
            state = "matches its lines" if m["root_ok"] else "does NOT match its lines"
            yield f"Manifest {m['path']}: {m['records']:,} records, root {m['root']} ({state})"
        if self.release is not None:
            r = self.release
            yield (
                f"Release files: {r['files']:,} files, {r['records']:,} records read: {r['stored']:,} stored, "
                f"{r['quarantined']:,} in the quarantine"
            )
        for f in self.findings:
            yield f.text()
        if self.ok:
            yield "OK: no record is missing, extra or altered."
        else:
            counts = ", ".join(f"{n} {k}" for k, n in self.counts().items() if n)
            yield f"FAILED: {len(self.findings)} problem(s): {counts}."


@dataclass(slots=True)
class _Held:
    """A stored version and the hash of its bytes as they are now (None: unreadable)."""

    version: StoredVersion
    actual: str | None

    @property
    def sha(self) -> str:
        # Unreadable bytes are reported once (altered); elsewhere they count as recorded.
        return self.actual or self.version.sha256


class _Progress:
    def __init__(self, enabled: bool, total: int | None, desc: str, unit: str = "it") -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "B", dynamic_ncols=True, leave=False)

    def update(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def verify_store(
    store: Store,
    *,
    manifest: str | os.PathLike[str] | None = None,
    release: Iterable[str | os.PathLike[str]] = (),
    db_label: str = "",
    progress: bool = False,
) -> VerifyReport:
    """Run the checks (see the module docstring) and return every finding.

    Raises StoreError when the store cannot be read at all, and ManifestError when
    ``manifest`` is not a manifest.
    """
    report = VerifyReport(db=db_label)
    held = _check_store(store, report, progress)
    if manifest is not None:
        _check_manifest(Path(manifest), held, report)
    release = [Path(p) for p in release]
    if release:
        _check_release(store, release, held, report, progress)
    return report


# ---------------------------------------------------------------------------- 1. the store


def _check_store(store: Store, report: VerifyReport, progress: bool) -> list[_Held]:
    held: list[_Held] = []
    acc_lines: list[str] = []
    cables: set[str] = set()
    bar = _Progress(progress, count_versions(store), "verify", "version")
    try:
        for item in iter_stored(store):
            if isinstance(item, CableWithoutVersion):
                cables.add(item.id)
                report.add(
                    Finding("missing", "store", item.id, "the store lists this cable but its current version "
                            "(the bytes its record was read from) is not stored")
                )
                continue
            v = item
            cables.add(v.id)
            actual = _rehash(store, v, report)
            held.append(_Held(v, actual))
            acc_lines.append(entry_of(v, actual).line())
            bar.update()
    finally:
        bar.close()
    report.cables = len(cables)
    report.versions = len(held)
    acc = RootAccumulator()
    for line in sorted(acc_lines):
        acc.add(leaf_hash(line))
    report.root = acc.root().hex()
    return held


def _rehash(store: Store, v: StoredVersion, report: VerifyReport) -> str | None:
    """The sha256 of the version's bytes as they are now (None: unreadable or gone)."""
    try:
        raw = store.get_raw(v.id, v.version_id)
    except StoreError as exc:
        report.add(_at(v, "altered", f"the stored bytes cannot be read: {exc}", expected=v.sha256))
        return None
    if raw is None:
        report.add(_at(v, "missing", "the store lists this version but its bytes are gone", expected=v.sha256))
        return None
    report.bytes_hashed += len(raw)
    actual = sha256_hex(raw)
    if actual == v.sha256:
        return v.sha256  # the same string, not a second copy of it
    size = "" if len(raw) == v.length else f" ({len(raw):,} bytes now)"
    report.add(_at(
        v, "altered", f"the stored bytes{size} hash to {actual[:16]}…, not to {v.sha256[:16]}… as recorded at import",
        expected=v.sha256, found=actual,
    ))
    return actual


def _at(v: StoredVersion, kind: str, detail: str, *, against: str = "store", **hashes: str | None) -> Finding:
    """A finding about a stored version, with where it is."""
    return Finding(kind, against, v.id, detail, source=source_name(v.path), path=v.path, offset=v.offset,
                   length=v.length, version_id=v.version_id, **hashes)


# ---------------------------------------------------------------------------- 2. a manifest


def _check_manifest(path: Path, held: list[_Held], report: VerifyReport) -> None:
    mf = read_manifest(path)
    report.manifest = {
        "path": str(path),
        "records": mf.lines,
        "root": mf.claimed_root,
        "computed_root": mf.computed_root,
        "root_ok": mf.claimed_root == mf.computed_root,
        "count": mf.claimed_count,
    }
    for problem in mf.problems:
        report.add(Finding("manifest", "manifest", None, problem, path=str(path)))

    expected: dict[tuple[str, str], ManifestEntry] = {(e.id, e.sha256): e for e in mf.entries}
    extra: list[_Held] = []
    for h in held:
        if expected.pop((h.version.id, h.sha), None) is None:
            extra.append(h)
    # What is left on both sides: pair by place, the rest is missing / extra.
    by_slot: dict[tuple[str, str, int], list[ManifestEntry]] = {}
    for e in expected.values():
        by_slot.setdefault(e.slot, []).append(e)
    for h in extra:
        v = h.version
        slot = (v.id, source_name(v.path), v.offset)
        twins = by_slot.get(slot)
        if twins:
            e = twins.pop()
            if not twins:
                del by_slot[slot]
            report.add(_at(
                v, "altered", f"the store holds bytes hashing to {h.sha[:16]}… where the manifest lists {e.sha256[:16]}…",
                against="manifest", expected=e.sha256, found=h.sha,
            ))
        else:
            report.add(_at(v, "extra", f"stored (sha256 {h.sha[:16]}…) but not in the manifest", against="manifest",
                           found=h.sha))
    # A cable the store lists without its version was reported by the store check,
    # without knowing which bytes are gone: the manifest says, so complete that finding.
    gone = {f.id: f for f in report.findings if f.kind == "missing" and f.against == "store" and f.expected is None}
    for entries in by_slot.values():
        for e in entries:
            f = gone.pop(e.id, None)
            if f is not None:
                f.source, f.offset, f.length, f.expected = e.source, e.offset, e.length, e.sha256
                f.detail += f"; the manifest lists it (sha256 {e.sha256[:16]}…)"
                report.completed(f)
                continue
            report.add(Finding(
                "missing", "manifest", e.id, f"in the manifest (sha256 {e.sha256[:16]}…) but not in the store",
                source=e.source, offset=e.offset, length=e.length, expected=e.sha256,
            ))


# ---------------------------------------------------------------------------- 3. release files


@dataclass(slots=True)
class _Unmatched:
    sha: str
    path: str
    offset: int
    length: int
    record: RawRecord | None  # None for bytes the reader could not make a record of
    reason: str | None = None


def _check_release(store: Store, paths: list[Path], held: list[_Held], report: VerifyReport, progress: bool) -> None:
    from ..sources import iter_files, read_path

    stored = {h.sha for h in held}
    kept: set[str] = set()
    # Sizes of what was stored or kept whole from offset 0: a file of such a size whose
    # bytes hash to it is that one record, and needs no reading (PDF text extraction
    # would be most of the time otherwise).
    whole_sizes = {h.version.length for h in held if h.version.offset == 0}
    for q in store.iter_quarantine(include_resolved=True):
        kept.add(str(q["sha256"]))
        if q.get("offset") == 0 and isinstance(q.get("length"), int):
            whole_sizes.add(q["length"])
    files = list(iter_files(paths))
    seen: set[str] = set()
    unmatched: list[_Unmatched] = []
    n_stored = n_kept = n_records = 0
    bar = _Progress(progress, sum(_size(f) for f in files), "release", "B")
    try:
        for f in files:
            whole = _file_sha(f) if _size(f) in whole_sizes else None
            if whole is not None and (whole in stored or whole in kept):
                seen.add(whole)
                n_records += 1
                n_stored += whole in stored
                n_kept += whole not in stored
                bar.update(_size(f))
                continue
            for item in read_path(f):
                prov = item.provenance
                sha = prov.sha256
                seen.add(sha)
                n_records += 1
                if sha in stored:
                    n_stored += 1
                elif sha in kept:
                    n_kept += 1
                elif isinstance(item, Quarantined):
                    unmatched.append(_Unmatched(sha, prov.path, prov.offset, prov.length, None, item.reason))
                else:
                    unmatched.append(_Unmatched(sha, prov.path, prov.offset, prov.length, item))
            bar.update(_size(f))
    finally:
        bar.close()
    report.release = {
        "paths": [str(p) for p in paths],
        "files": len(files),
        "records": n_records,
        "stored": n_stored,
        "quarantined": n_kept,
    }

    # Stored versions that came from these files and whose bytes are not in them.
    belongs = _from_files(paths, files, {h.version.path for h in held if h.sha in seen})
    extra: dict[tuple[str, int], list[_Held]] = {}
    for h in held:
        if h.sha not in seen and belongs(h.version.path):
            extra.setdefault((source_name(h.version.path), h.version.offset), []).append(h)

    gone = {f.id: f for f in report.findings if f.kind == "missing" and f.against == "store" and f.expected is None}
    for u in unmatched:
        slot = (source_name(u.path), u.offset)
        twins = extra.get(slot)
        if twins:
            h = twins.pop()
            if not twins:
                del extra[slot]
            report.add(_at(
                h.version, "altered",
                f"the store holds bytes hashing to {h.sha[:16]}… where the release file {u.path} has {u.sha[:16]}…",
                against="release", expected=u.sha, found=h.sha,
            ))
            continue
        rid = _record_id(u)
        f = gone.pop(rid, None) if rid is not None and u.record is not None else None
        if f is not None:  # the store check saw the cable without its bytes: say which
            f.source, f.path, f.offset, f.length, f.expected = slot[0], u.path, u.offset, u.length, u.sha
            f.detail += f"; the release file {u.path} holds it"
            report.completed(f)
            continue
        report.add(Finding(
            "missing", "release", rid,
            "in the release files but not in the store" if u.record is not None
            else f"bytes the reader could not use ({u.reason}) are not in the store's quarantine",
            source=slot[0], path=u.path, offset=u.offset, length=u.length, expected=u.sha,
        ))
    for group in extra.values():
        for h in group:
            report.add(_at(h.version, "extra", "stored as read from these files, but the files do not hold these bytes",
                           against="release", found=h.sha))


def _record_id(u: _Unmatched) -> str | None:
    """The id the import would give the record (parsed only for records that differ)."""
    if u.record is None:
        return None
    from ..ingest import parse_one

    parsed = parse_one(u.record)
    if isinstance(parsed, Quarantined):
        return u.record.metadata.reference_id
    return parsed.id


def _from_files(paths: list[Path], files: list[Path], overlapping: set[str]) -> Callable[[str], bool]:
    """Whether a stored path names one of ``files`` (read from ``paths``).

    Yes if the stored path (a relative one against the working folder) is one of the
    files or lies inside one of the folders given (a file deleted from the release
    folder still belongs there).  Otherwise -- the files were copied or moved, or
    imported from another working folder -- yes if it has the name of one of the files
    and some of the bytes stored from it are in the files read (``overlapping``): a
    copy of the same release file, not another file that happens to share its name.
    """
    real = {os.path.realpath(f) for f in files}
    folders = [os.path.join(os.path.realpath(p), "") for p in paths if p.is_dir()]
    names = {f.name for f in files}
    cache: dict[str, bool] = {}

    def decide(path: str) -> bool:
        try:
            here = os.path.realpath(path)
            if here in real or any(here.startswith(folder) for folder in folders):
                return True
        except (OSError, ValueError):
            pass
        return path in overlapping and source_name(path) in names

    def belongs(path: str) -> bool:
        if path not in cache:
            cache[path] = decide(path)
        return cache[path]

    return belongs


def _file_sha(path: Path) -> str | None:
    import hashlib

    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None  # the reader will report it
    return h.hexdigest()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
