"""``cablemirror export ...``: the mirror written out as files.

Registered in cli.py with ``main.add_command(export_group)``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click


@click.group("export")
def export_group() -> None:
    """Write the mirror out as files (a static website, ...)."""


# Imported after the group exists: ``python -m cablemirror.cli`` imports this module while
# cli.py runs as __main__, and the cli module it then imports registers the group.
from ..cli import UserError, db_option, user_errors  # noqa: E402


def _default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


@export_group.command("static")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@db_option
@click.option("--base-url", default="", metavar="URL",
              help="The public address the folder will be served at (https://...): canonical links and sitemap.xml.")
@click.option("--pdf", is_flag=True, help="Also a PDF of every cable (slow).")
@click.option("--raw", is_flag=True, help="Also the source bytes of every stored version of every cable.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Rendering processes [default: one per core, up to 4].")
@click.option("--site-name", default=None, help="The site's name in every page [env CABLEMIRROR_SITE_NAME].")
@click.option("--force", is_flag=True, help="Render every cable again (files are still written only when they change).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@user_errors
def static_cmd(folder: Path, db: str | None, base_url: str, pdf: bool, raw: bool, workers: int | None,
               site_name: str | None, force: bool, quiet: bool, as_json: bool) -> None:
    """Write the whole site into FOLDER as static files: every cable page, the browse
    pages, the guide, the privacy page, the JSON records, and a search that runs in the
    browser over a prebuilt index.  Serve FOLDER with any web server, or open
    FOLDER/index.html from disk.

    Exporting again into the same folder rewrites only the files that changed and
    removes those of cables that are gone.
    """
    from ..web.site import SiteConfig
    from .static_site import ExportError, StaticOptions, export_static

    if base_url and not base_url.startswith(("https://", "http://")):
        raise UserError(f"--base-url must start with https:// or http:// (got {base_url!r})")
    options = StaticOptions(
        base_url=base_url.rstrip("/"),
        pdf=pdf,
        raw=raw,
        workers=workers or _default_workers(),
        site_name=site_name or SiteConfig.from_env().name,
        force=force,
        progress=not quiet and not as_json and sys.stderr.isatty(),
    )
    try:
        report = export_static(db, folder, options)
    except ExportError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write the export into {folder}: {exc}") from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    index = report.index.get("bytes", {})
    index_mb = sum(index.values()) / 1e6
    click.echo(
        f"{report.cables:,} cables ({report.cables_rendered:,} rendered), {report.list_pages:,} browse pages, "
        f"{report.missing_pages:,} pages of cited cables not in the store; search index of "
        f"{report.index.get('terms', 0):,} terms in {report.index.get('shards', 0):,} shards ({index_mb:,.1f} MB)"
    )
    click.echo(
        f"{report.files:,} files in {folder}: {report.written:,} written, {report.unchanged:,} unchanged, "
        f"{report.removed:,} removed, in {report.seconds:.1f}s"
    )
    click.echo(f"Open {folder / 'index.html'} in a browser, or serve the folder with any web server.")
