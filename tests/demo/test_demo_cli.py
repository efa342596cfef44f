"""bench/generate_cables.py: the thin command line over write_cables_csv."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cablemirror.demo import generate_cables

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "generate_cables.py"


@pytest.fixture(scope="module")
def cli():
    spec = importlib.util.spec_from_file_location("generate_cables_cli", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_writes_the_file_and_reports_speed(cli, tmp_path, capsys) -> None:
    out = tmp_path / "c.csv"
    assert cli.main(["--count", "40", "--seed", "2", "--out", str(out), "--quiet"]) == 0
    assert out.read_text(encoding="utf-8") == "".join(c.csv_record() for c in generate_cables(40, 2))
    report = capsys.readouterr().out
    assert "40 records" in report and "records/s" in report and "MB/s" in report


def test_bad_arguments_are_messages(cli, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--count", "-3", "--out", str(tmp_path / "x.csv")])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        cli.main(["--count", "3", "--out", str(tmp_path / "missing" / "x.csv")])
    assert "does not exist" in capsys.readouterr().err
