"""The ``cablemirror manifest`` and ``cablemirror verify`` commands.

Registered in cli.py with ``main.add_command(manifest_cmd)`` / ``main.add_command(verify_cmd)``.
Exit status of ``verify``: 0 when everything matches, 1 when anything differs, 2 when it
could not run (no such database, not a manifest, bad arguments).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from ..cli import db_option, user_errors


class CannotRun(click.ClickException):
    """The check could not be made: exit 2, so that 1 always means "differs"."""

    exit_code = 2


def _open(db: str | None):  # type: ignore[no-untyped-def]
    from ..store import StoreError, open_store

    try:
        return open_store(db, readonly=True)
    except StoreError as exc:
        raise CannotRun(str(exc)) from None


def _db_label(db: str | None) -> str:
    from ..store import resolve_db

    return str(resolve_db(db))


@click.command("manifest")
@db_option
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
@click.option("--json", "as_json", is_flag=True, help="Write the JSON form (same root) instead of text.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@user_errors
def manifest_cmd(db: str | None, out: Path | None, as_json: bool, quiet: bool) -> None:
    """Write the manifest of the store: one line per stored record version (id, sha256,
    format, source file, offset, length) and the Merkle root over them.

    The same store always gives the same bytes.  Publish the root: anyone can then
    check a record with its proof (/cable/ID/proof.json) or a whole mirror with
    `cablemirror verify --against MANIFEST`.
    """
    from ..store import StoreError
    from .manifest import Manifest
    from .versions import count_versions

    with _open(db) as store:
        bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=count_versions(store), desc="manifest", unit="version", leave=False)
        try:
            manifest = Manifest.from_store(store, on_version=bar.update if bar is not None else None)
        except StoreError as exc:
            raise CannotRun(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
    chunks = manifest.iter_json() if as_json else manifest.iter_text()
    if out is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
    else:
        _write_atomically(out, chunks)
        click.echo(f"{manifest.count:,} records, root {manifest.root.hex()} -> {out}", err=True)
    if manifest.without_version:
        shown = ", ".join(manifest.without_version[:5])
        click.echo(
            f"warning: {len(manifest.without_version)} cable(s) have no stored current version and no line "
            f"({shown}{', ...' if len(manifest.without_version) > 5 else ''}): run cablemirror verify",
            err=True,
        )


def _write_atomically(out: Path, chunks) -> None:  # type: ignore[no-untyped-def]
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise CannotRun(f"cannot write {out}: the folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise CannotRun(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CannotRun(f"cannot write {out}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("verify")
@db_option
@click.option("--against", "against", multiple=True, type=click.Path(exists=True, path_type=Path),
              metavar="MANIFEST|FILES",
              help="A manifest (from `cablemirror manifest`), and/or release files or folders. Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@user_errors
def verify_cmd(db: str | None, against: tuple[Path, ...], as_json: bool, quiet: bool) -> None:
    """Re-hash every stored record and report each one missing, extra or altered.

    Without --against the store is checked against the hashes it recorded at import.
    With a manifest, every line must match a stored version (and the manifest its own
    root); with release files, every record in them must be stored and every version
    stored from them must be in them.  Exit status: 0 all good, 1 something differs,
    2 the check could not run.
    """
    from ..store import StoreError
    from .manifest import ManifestError, is_manifest
    from .verify import verify_store

    manifests: list[Path] = []
    release: list[Path] = []
    for p in against:
        (manifests if is_manifest(p) else release).append(p)
    if len({os.path.realpath(m) for m in manifests}) > 1:
        raise CannotRun(f"give one manifest at a time (got {', '.join(map(str, manifests))})")
    with _open(db) as store:
        try:
            report = verify_store(
                store,
                manifest=manifests[0] if manifests else None,
                release=release,
                db_label=_db_label(db),
                progress=not quiet and not as_json and sys.stderr.isatty(),
            )
        except (StoreError, ManifestError) as exc:
            raise CannotRun(str(exc)) from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in report.text_lines():
            click.echo(line)
    sys.exit(0 if report.ok else 1)
