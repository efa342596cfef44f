"""Property tests: arbitrary bytes and mutated rows never break the reader or the parser,
and nothing is lost."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablemirror.demo.warlogs import file_prelude, generate_rows
from cablemirror.model import Quarantined
from cablemirror.sources.warlog_csv import WarlogRawRecord, read
from cablemirror.warlogs.model import Report
from cablemirror.warlogs.parse import parse_or_quarantine

from .test_reader import check_items

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sample(variant: str) -> bytes:
    rows = list(generate_rows(6, 4, variant=variant))
    return file_prelude(variant, False) + b"".join(r.data + r.newline for r in rows)


SAMPLES = {v: _sample(v) for v in ("32", "34", "iraq")}
_SPECIAL = [b'"', b",", b'""', b"\n", b"\r\n", b"\r", b'","', b"\xff", b"\x00", b"\xef\xbb\xbf", b"<null value>",
            b"\n0A1B2C3D-1111-4222-8333-444455556666,", b'\n"0A1B2C3D-1111-4222-8333-444455556666","']  # fmt: skip


def _read(data: bytes, variant: str | None) -> list:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "w.csv"
        p.write_bytes(data)
        return list(read(p, variant=variant))


def _prelude_end(data: bytes, variant: str | None) -> int:
    """Bytes a reader may skip at the start: a BOM, and the header line of a header file."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if variant == "32":
        return start
    start = re.compile(rb"(?:[ \t]*(?:\r\n|\n|\r))*").match(data, start).end()  # blank lines before it
    end = re.compile(rb"[\r\n]").search(data, start)
    return len(data) if end is None else end.end()


def _everything_ok(data: bytes, items: list, variant: str | None) -> None:
    whole_file_quarantined = len(items) == 1 and isinstance(items[0], Quarantined) and items[0].provenance.offset == 0
    check_items(data, items, (0, 0 if whole_file_quarantined else _prelude_end(data, variant)))
    for item in items:
        if isinstance(item, WarlogRawRecord):
            result = parse_or_quarantine(item)
            assert isinstance(result, (Report, Quarantined))
            if isinstance(result, Quarantined):
                assert not result.reason.startswith("parser error"), result.reason
            else:
                result.to_dict()


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from([None, "32", "34"]))
def test_arbitrary_bytes(data: bytes, variant: str | None) -> None:
    _everything_ok(data, _read(data, variant), variant)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    variant = draw(st.sampled_from(sorted(SAMPLES)))
    data = bytearray(SAMPLES[variant])
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "cut", "duplicate"]))
        i = draw(st.integers(0, len(data)))
        if kind == "delete":
            del data[i : i + draw(st.integers(1, 60))]
        elif kind == "insert":
            data[i:i] = draw(st.sampled_from(_SPECIAL))
        elif kind == "replace" and i < len(data):
            data[i] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[i:]
        elif kind == "duplicate":
            j = draw(st.integers(i, min(len(data), i + 2000)))
            data[j:j] = data[i:j]
    return bytes(data), variant


@SETTINGS
@given(mutated())
def test_mutated_files(case: tuple[bytes, str]) -> None:
    data, variant = case
    for forced in (None, "32" if variant == "32" else variant):
        items = _read(data, forced)
        _everything_ok(data, items, forced if forced else _guess(data))


def _guess(data: bytes) -> str:
    from cablemirror.sources.warlog_csv import looks_like_warlog

    return looks_like_warlog(data, complete=True) or "32"


@SETTINGS
@given(mutated())
def test_unharmed_rows_still_read(case: tuple[bytes, str]) -> None:
    # Rows untouched by the mutations come out as records, byte for byte: damage to one
    # row never takes its neighbours with it.
    data, variant = case
    header = file_prelude(variant, False)
    if not data.startswith(header):
        return  # a damaged header: columns cannot be known by name, the file is quarantined whole
    items = _read(data, variant)
    records = {i.raw for i in items if isinstance(i, WarlogRawRecord)}
    original = list(generate_rows(6, 4, variant=variant))
    for r in original[1:-1]:
        at = data.find(b"\n" + r.data + b"\n")
        if at >= 0 and data.count(r.data) == 1:
            assert r.data in records
