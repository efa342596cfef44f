"""The ``cablemirror`` command line.

Every command takes ``--db`` (a SQLite path or a database URL; default: the
``CABLEMIRROR_DB`` environment variable, else ``./cablemirror.db``).  Errors a user can
meet are printed as one clear line on stderr with exit status 2, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any, Callable, TypeVar

import click

from . import __version__

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = "Database: a SQLite file path or a postgresql:// URL [env CABLEMIRROR_DB; default ./cablemirror.db]."


class UserError(click.ClickException):
    """A problem the user can fix: one line on stderr, exit status 2."""

    exit_code = 2


def db_option(func: F) -> F:
    return click.option("--db", "db", metavar="PATH|URL", default=None, help=DB_HELP)(func)


def user_errors(func: F) -> F:
    """Turn the errors a user can cause into a message and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .store import StoreError

        try:
            return func(*args, **kwargs)
        except StoreError as exc:
            raise UserError(str(exc)) from None
        except BrokenPipeError:  # `cablemirror parse ... | head`
            sys.stderr.close()
            sys.exit(0)

    return wrapper  # type: ignore[return-value]


def _open(db: str | None, *, readonly: bool = False):  # type: ignore[no-untyped-def]
    from .store import open_store

    return open_store(db, readonly=readonly)


def _dumps(obj: Any, *, pretty: bool = False) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2 if pretty else None, sort_keys=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cablemirror")
def main() -> None:
    """A self-hostable mirror of leaked and declassified record collections."""


# --------------------------------------------------------------------------- import


FORMATS = ["cablegate_html", "cables_csv", "cable_text", "cable_pdf", "mirror_page", "warlog_csv"]


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Force a source format (default: detected per file).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Parser processes [default: one per core, up to 4].")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True, help="Records per transaction.")
@click.option("--force", is_flag=True, help="Re-read files already imported completely (records are still deduplicated).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@user_errors
def import_cmd(paths: tuple[Path, ...], db: str | None, fmt: str | None, workers: int | None, batch_size: int, force: bool, quiet: bool, as_json: bool) -> None:
    """Import release files (files or folders) into the store.

    Streaming and batched; importing the same files again changes nothing; an
    interrupted import resumes where it stopped.  Records that cannot be read are kept
    in the quarantine with the reason (see `cablemirror quarantine`).
    """
    from .ingest import default_workers, import_paths

    with _open(db) as store:
        summary = import_paths(
            store,
            paths,
            format=fmt,
            batch_size=batch_size,
            workers=workers or default_workers(),
            force=force,
            progress=not quiet and not as_json and sys.stderr.isatty(),
        )
    if as_json:
        click.echo(_dumps(summary.to_dict()))
        return
    skipped = sum(1 for f in summary.files if f.status == "skipped")
    rate = summary.records / summary.seconds if summary.seconds else 0.0
    click.echo(
        f"{summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.quarantined} quarantined ({summary.quarantined_new} new to the quarantine) "
        f"from {len(summary.files)} files in {summary.seconds:.1f}s ({rate:,.0f} records/s)"
    )
    if skipped:
        click.echo(f"{skipped} of {len(summary.files)} files were already imported completely: skipped (use --force to re-read).")
    if not summary.changed:
        click.echo("Nothing changed: the store already holds every record of these files.")
    if summary.quarantined_new:
        click.echo("See what was quarantined and why: cablemirror quarantine")


# --------------------------------------------------------------------------- parse


@main.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Force a source format.")
@db_option
@user_errors
def parse_cmd(paths: tuple[Path, ...], fmt: str | None, db: str | None) -> None:
    """Print every record as JSON Lines, without storing anything.

    Records that cannot be read are printed to stderr as JSON with their reason.
    (--db is accepted for symmetry and ignored.)
    """
    from .ingest import parse_one
    from .model import Quarantined
    from .sources import iter_files, read_path

    out = sys.stdout
    for path in iter_files(paths):
        for item in read_path(path, format=fmt):
            parsed = item if isinstance(item, Quarantined) else parse_one(item)
            if isinstance(parsed, Quarantined):
                err = {"quarantined": True, "reason": parsed.reason, "source": parsed.provenance.to_dict()}
                click.echo(_dumps(err), err=True)
            else:
                out.write(_dumps(parsed.to_dict()) + "\n")


# --------------------------------------------------------------------------- show


@main.command("show")
@click.argument("cable_id")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the JSON record.")
@click.option("--raw", is_flag=True, help="Print the exact source bytes of the record.")
@click.option("--version", "version_id", type=int, default=None, help="A stored version id (see --versions).")
@click.option("--versions", "list_versions", is_flag=True, help="List the stored versions of the cable.")
@user_errors
def show_cmd(cable_id: str, db: str | None, as_json: bool, raw: bool, version_id: int | None, list_versions: bool) -> None:
    """Show one cable (or one war-diary report, by its ReportKey): readable by default,
    or --json, or --raw."""
    from .cables import canonical_id
    from .reports_cli import looks_like_report_key, show_report

    if looks_like_report_key(cable_id):
        with _open(db, readonly=True) as store:
            show_report(store, cable_id, as_json=as_json, raw=raw, version_id=version_id,
                        list_versions=list_versions, where=_db_label(db))  # fmt: skip
        return
    with _open(db, readonly=True) as store:
        cid = canonical_id(cable_id) or cable_id
        record = store.get_cable(cid)
        if record is None and cid != cable_id:
            record = store.get_cable(cable_id)
            cid = cable_id if record is not None else cid
        if record is None:
            cited = store.cited_by(cid)
            hint = f" It is cited by {len(cited)} stored cable(s): {', '.join(cited[:5])}." if cited else ""
            raise UserError(f"no cable {cid!r} in {_db_label(db)}.{hint}")
        if list_versions:
            for v in store.get_versions(cid):
                v = {k: val for k, val in v.items() if k != "record"}
                click.echo(_dumps(v))
            return
        if raw:
            data = store.get_raw(cid, version_id)
            if data is None:
                raise UserError(f"no version {version_id} of {cid}")
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        if version_id is not None:
            versions = {v["version_id"]: v for v in store.get_versions(cid)}
            if version_id not in versions:
                raise UserError(f"no version {version_id} of {cid}; versions: {sorted(versions)}")
            record = versions[version_id].get("record") or record
        if as_json:
            click.echo(_dumps(record, pretty=True))
        else:
            click.echo(format_cable(record, store.cited_by(cid)))


def _db_label(db: str | None) -> str:
    from .store import resolve_db

    return str(resolve_db(db))


def format_cable(rec: dict[str, Any], cited_by: list[str]) -> str:
    """A readable rendering of a cable record for the terminal."""
    lines = [
        f"{rec['id']}  {rec.get('title') or '(no title)'}",
        "",
        f"Created:        {rec.get('created') or '-'}",
        f"Released:       {rec.get('released') or '-'}",
        f"Origin:         {rec.get('origin') or '-'}",
        f"Classification: {rec.get('classification') or '-'}",
    ]
    if rec.get("tags"):
        lines.append(f"Tags:           {' '.join(rec['tags'])}")
    if rec.get("captions"):
        lines.append(f"Captions:       {' '.join(rec['captions'])}")
    if rec.get("classified_by"):
        reasons = ", ".join(rec.get("classification_reasons") or [])
        lines.append(f"Classified by:  {'; '.join(rec['classified_by'])}" + (f" ({reasons})" if reasons else ""))
    if rec.get("declassify_on"):
        lines.append(f"Declassify on:  {rec['declassify_on']}")
    for ref in rec.get("references") or []:
        bullet = f"{ref['bullet']}. " if ref.get("bullet") else ""
        target = f" -> {ref['id']}" if ref.get("id") else ""
        lines.append(f"Reference:      {bullet}{ref['value']} [{ref['kind']}]{target}")
    if cited_by:
        lines.append(f"Cited by:       {', '.join(cited_by)}")
    if rec.get("partial"):
        lines.append("")
        lines.append("This record is a partial extract of the original cable: its header is missing.")
    if rec.get("subject"):
        lines += ["", f"SUBJECT: {rec['subject']}"]
    lines += ["", rec.get("body") or ""]
    if rec.get("repairs"):
        lines += ["", "Repairs made to the released text:"]
        for r in rec["repairs"]:
            lines.append(f"  - {r['kind']} at {r['where']}: {r['before']!r} -> {r['after']!r}")
    src = rec.get("source") or {}
    if src:
        lines += ["", f"Source: {src.get('format')} {src.get('path')} @ {src.get('offset')} sha256 {src.get('sha256')}"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- search


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@user_errors
def search_cmd(query: tuple[str, ...], db: str | None, limit: int, offset: int, as_json: bool) -> None:
    """Full-text search over title, subject, body and tags."""
    q = " ".join(query)
    with _open(db, readonly=True) as store:
        page = store.search(q, limit=limit, offset=offset)
    if as_json:
        click.echo(
            _dumps(
                {
                    "query": q,
                    "total": page.total,
                    "hits": [
                        {
                            "id": h.id,
                            "title": h.title,
                            "created": h.created,
                            "origin": h.origin,
                            "classification": h.classification,
                            "snippet": h.snippet,
                            "paragraph": h.paragraph,
                        }
                        for h in page.hits
                    ],
                }
            )
        )
        return
    click.echo(f"{page.total} cable(s) match {q!r}" + (f"; showing {offset + 1}-{offset + len(page.hits)}" if page.hits else ""))
    for h in page.hits:
        para = f" ¶{h.paragraph}" if h.paragraph else ""
        click.echo(f"\n{h.id}  {h.created or ''}  {h.origin or ''}  {h.classification or ''}")
        click.echo(f"  {h.title}")
        click.echo(f"  {para.strip()} {h.snippet}".rstrip())


# --------------------------------------------------------------------------- stats & quarantine


@main.command("stats")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@user_errors
def stats_cmd(db: str | None, as_json: bool) -> None:
    """Counts of what the store holds."""
    with _open(db, readonly=True) as store:
        st = store.stats()
    if as_json:
        click.echo(_dumps(st, pretty=True))
        return
    width = max(len(k) for k in st)
    for key, value in st.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for k, v in value.items():
                click.echo(f"  {k}: {v}")
        else:
            click.echo(f"{key:<{width}}  {value}")


@main.command("quarantine")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON Lines.")
@user_errors
def quarantine_cmd(db: str | None, as_json: bool) -> None:
    """List what could not be imported, with the reason and where it came from."""
    n = 0
    with _open(db, readonly=True) as store:
        for item in store.iter_quarantine():
            n += 1
            if as_json:
                click.echo(_dumps(item))
            else:
                click.echo(f"{item.get('path')}:{item.get('line')} (byte {item.get('offset')}, {item.get('length')} bytes): {item.get('reason')}")
    if not as_json:
        click.echo(f"{n} quarantined item(s)")


@main.command("upgrade")
@db_option
@user_errors
def upgrade_cmd(db: str | None) -> None:
    """Upgrade a store written by an older cablemirror to this version's schema.

    Runs once, in one transaction, and keeps every record; a store that is already
    up to date is left as it is.
    """
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    location = _db_label(db)
    if not location.startswith("postgresql") and not Path(location).exists():
        raise UserError(f"no database at {location}")
    with _open(db) as store:  # opening for writing runs any pending upgrade
        st = store.stats()
    click.echo(f"{location} is up to date: {st['cables']:,} cables, {st['versions']:,} versions")


# --------------------------------------------------------------------------- demo & serve

DEMO_REPORTS = 2000  # the demo's war diary (the real one has 76,911 reports)


def _import_demo(db: str | None, count: int, seed: int, quiet: bool, reports: int = 0) -> None:
    """Generate the demo collection (marked as generated) and import it: ``count``
    cables and a war diary of ``reports`` reports."""
    import tempfile

    from .demo import write_cables_csv
    from .demo.warlogs import write_warlogs
    from .ingest import default_workers, import_paths

    with tempfile.TemporaryDirectory(prefix="cablemirror-demo-") as tmp:
        path = Path(tmp) / "demo-cables.csv"
        paths = [path]
        if not quiet:
            click.echo(f"Generating {count:,} demo cables (generated text, marked GENERATED DEMO DATA)...", err=True)
        write_cables_csv(path, count, seed)
        if reports:
            if not quiet:
                click.echo(f"Generating a war diary of {reports:,} demo reports (titles end with [GENERATED])...", err=True)
            paths.append(Path(tmp) / "demo-afg-war-diary.csv")
            write_warlogs(paths[-1], reports, seed)
        with _open(db) as store:
            summary = import_paths(store, paths, workers=default_workers(), progress=not quiet and sys.stderr.isatty())
    if not quiet:
        click.echo(
            f"Demo collection: {summary.new} new, {summary.unchanged} unchanged records "
            f"({summary.reports:,} of them war-diary reports) in {_db_label(db)}",
            err=True,
        )


@main.command("demo")
@db_option
@click.option("--count", type=click.IntRange(1, 1_000_000), default=1000, show_default=True, help="How many cables to generate.")
@click.option("--seed", type=int, default=2010, show_default=True, help="Same seed, same collection.")
@click.option("--reports", type=click.IntRange(0, 1_000_000), default=DEMO_REPORTS, show_default=True,
              help="How many war-diary reports to generate (0: none).")
@click.option("--quiet", "-q", is_flag=True)
@user_errors
def demo_cmd(db: str | None, count: int, seed: int, reports: int, quiet: bool) -> None:
    """Fill the store with the generated demo collection: cables and a war diary, all
    marked as generated (importing it twice changes nothing)."""
    _import_demo(db, count, seed, quiet, reports)
    with _open(db, readonly=True) as store:
        st = store.stats()
    click.echo(
        f"{st['cables']:,} cables, {st['versions']:,} versions, {st['quarantined']} quarantined; "
        f"{st.get('reports', 0):,} war-diary reports in {st['db_path']}"
    )


@main.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Server processes.")
@click.option("--demo", is_flag=True, help="When the store holds no cable yet, fill it with the generated demo collection first.")
@click.option("--reports", type=click.IntRange(0, 1_000_000), default=DEMO_REPORTS, show_default=True,
              help="With --demo: how many war-diary reports the demo collection has.")
@user_errors
def serve_cmd(db: str | None, host: str, port: int, workers: int, demo: bool, reports: int) -> None:
    """Serve the website (and its JSON API) over the store."""
    import os

    import uvicorn

    from .store import resolve_db

    location = str(resolve_db(db))
    if demo:
        with _open(db) as store:
            empty = store.stats()["cables"] == 0
        if empty:
            _import_demo(db, 1000, 2010, quiet=False, reports=reports)
    else:
        with _open(db, readonly=True) as store:  # fail now, with a clear message, not in a worker
            store.stats()
    os.environ["CABLEMIRROR_DB"] = location  # the factory reads it in every worker
    click.echo(f"Serving {location} at http://{host}:{port}/  (Ctrl-C stops)", err=True)
    # access_log=False: the site records nothing about its readers (see /privacy).
    config = uvicorn.Config(
        "cablemirror.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )
    if workers == 1:
        uvicorn.Server(config).run()
        return
    _serve_workers(config)


def _serve_workers(config: "uvicorn.Config") -> None:  # type: ignore[name-defined]
    """Several worker processes sharing one listening socket.

    uvicorn hands the socket to its workers in a way that leaves Nagle's algorithm on
    for their connections (~40 ms added to small responses); accepted sockets inherit
    TCP_NODELAY from the listening one on Linux, so set it there.
    """
    import socket

    from uvicorn.supervisors import Multiprocess

    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


# Registered last: these modules import db_option and user_errors from this one.
from .export.commands import export_group  # noqa: E402
from .integrity.commands import manifest_cmd, verify_cmd  # noqa: E402

main.add_command(export_group)
main.add_command(manifest_cmd)
main.add_command(verify_cmd)


if __name__ == "__main__":  # pragma: no cover
    main()
