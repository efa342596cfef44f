"""``cablemirror export static`` on the command line: a report, and a clear message
(exit status 2) for what a user can get wrong."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablemirror.cli import main
from cablemirror.export import static_site
from cablemirror.export.static_files import STATE_FILE
from cablemirror.export.static_site import LOCK_FILE, ExportError, StaticOptions, export_static
try:  # tests/export is not a package today; keep working if it becomes one
    from .test_static_support import demo_store, tmp
except ImportError:
    from test_static_support import demo_store, tmp


@pytest.fixture(autouse=True)
def same_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other work on the tree must not count as a change of the site's code here."""
    monkeypatch.setattr(static_site, "code_fingerprint", lambda: "the same code")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_export_static_prints_what_it_did() -> None:
    out = tmp("cli") / "site"
    code, text = _run("export", "static", str(out), "--db", str(demo_store()), "--workers", "1", "--json")
    assert code == 0, text
    report = json.loads(text)
    assert report["cables"] == 300 and report["written"] == report["files"] > 300
    assert report["index"]["terms"] > 1000 and report["index"]["shards"] >= 1
    assert (out / "index.html").is_file() and (out / STATE_FILE).is_file()
    assert not (out / LOCK_FILE).exists()
    code, text = _run("export", "static", str(out), "--db", str(demo_store()), "--workers", "1", "-q")
    assert code == 0, text
    assert "0 written" in text and "300 cables (0 rendered)" in text


@pytest.mark.parametrize("args, message", [
    (["--base-url", "cables.example.org"], "--base-url must start with https://"),
    (["--db", "/nonexistent/store.db"], ""),
])
def test_user_errors_are_messages(args: list[str], message: str) -> None:
    out = tmp("cli-bad") / "site"
    db = [] if "--db" in args else ["--db", str(demo_store())]
    result = CliRunner().invoke(main, ["export", "static", str(out), *db, *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["export", "static", str(blocker / "site"), "--db", str(demo_store())])
    assert result.exit_code == 2 and "export folder" in result.output


def test_a_damaged_state_is_reported_not_guessed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / STATE_FILE).write_bytes(b"not gzip")
    with pytest.raises(ExportError, match="remove the file"):
        export_static(str(demo_store()), out, StaticOptions())
    with gzip.open(out / STATE_FILE, "wt") as f:
        json.dump({"format": 999}, f)
    with pytest.raises(ExportError, match="another version"):
        export_static(str(demo_store()), out, StaticOptions())


def test_one_export_at_a_time(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "site"
    out.mkdir()
    fd = os.open(out / LOCK_FILE, os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(ExportError, match="another export"):
            export_static(str(demo_store()), out, StaticOptions())
    finally:
        os.close(fd)
