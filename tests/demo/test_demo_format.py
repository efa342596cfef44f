"""Generated cables.csv: strictly valid format, lossless escaping, release layout."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from cablemirror.demo import GENERATED_MARK, escape_field, generate_cables, write_cables_csv
from cablemirror.demo.lexicon import load_lexicon
from cablemirror.demo.shape import CLASSIFICATION_COUNTS, LAST_CREATED, PARTIAL_NOTICE
from tests.conftest import CORPUS, shared_path

from .refparser import DATE_RE, ID_RE, FormatError, parse_date, parse_records

STATIONS = {s.token: s for s in load_lexicon().stations}
_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()


def test_reference_parser_accepts_the_real_release_files() -> None:
    """The strict parser used below is right about the format: it reads every real record."""
    total = 0
    for f in sorted(shared_path("corpus", "cables-csv").glob("*.csv")):
        records = parse_records(f.read_text(encoding="utf-8"), strict_layout=False)
        for r in records:
            parse_date(r[1])
            assert ID_RE.fullmatch(r[2]), r[2]
        total += len(records)
    assert total > 2_000


def test_reference_parser_rejects_broken_records() -> None:
    good = '"1","1/2/2008 3:04","08STATE5","Secretary of State","SECRET","","h","b"\n'
    assert len(parse_records(good)) == 1
    for bad in (
        good.replace('"h"', '"h"x"'),  # unescaped quote
        good.replace('"b"\n', '"b\\n"\n'),  # unknown escape
        good.replace(',"b"', ""),  # seven fields
        good.rstrip("\n"),  # no line break after the record
    ):
        with pytest.raises(FormatError):
            parse_records(bad)


def test_every_record_is_eight_strict_fields(sample, sample_text) -> None:
    records = parse_records(sample_text)
    assert len(records) == len(sample)
    for fields, cable in zip(records, sample):
        assert fields == [
            str(cable.sequence),
            fields[1],
            cable.reference_id,
            cable.origin,
            cable.classification,
            "|".join(cable.references),
            cable.header,
            cable.body,
        ]


def test_escaping_is_lossless_for_quotes_apostrophes_and_backslashes() -> None:
    value = 'He said "no" to the plan\'s C:\\POL\\file\nand left\\'
    escaped = escape_field(value)
    assert '"' not in escaped.replace('\\"', "")
    record = f'"1","1/1/2009 0:00","09STATE1","Secretary of State","SECRET","","","{escaped}"\n'
    assert parse_records(record)[0][7] == value


def test_sample_exercises_the_escapes(sample_text) -> None:
    assert '\\"' in sample_text and "\\'" in sample_text


def test_sequence_dates_and_ids(sample) -> None:
    seen = set()
    prev = datetime.min
    for i, c in enumerate(sample, 1):
        assert c.sequence == i
        text = c.csv_record().split('","', 2)[1]
        assert DATE_RE.fullmatch(text), text
        assert parse_date(text) == c.created
        assert prev <= c.created <= LAST_CREATED  # the release's order is by date
        prev = c.created
        m = ID_RE.fullmatch(c.reference_id)
        assert m, c.reference_id
        yy, token, serial = m.groups()
        assert int(yy) == c.created.year % 100
        assert STATIONS[token].origin == c.origin
        assert c.reference_id not in seen
        seen.add(c.reference_id)
        assert c.classification in CLASSIFICATION_COUNTS


def test_body_opens_with_classification_line_and_generated_mark(sample) -> None:
    spaced = {"C O N F I D E N T I A L", "S E C R E T", "UNCLAS", "LIMITED OFFICIAL USE"}
    for c in sample:
        lines = c.body.split("\n")
        m = ID_RE.fullmatch(c.reference_id)
        station = STATIONS[m.group(2)]
        first = lines[0]
        assert any(first.startswith(s + " ") for s in spaced), first
        assert first.rstrip().endswith(f"{station.display} {int(m.group(3)):06d}"), first
        assert lines[1] == " " and lines[2] == GENERATED_MARK + " "
        assert "\nTAGS: " in c.body and "\nSUBJECT: " in c.body and "\nE.O. 1" in c.body


def test_body_lines_end_with_a_space_and_are_wrapped(sample) -> None:
    lengths = []
    for c in sample:
        assert c.body.endswith(" \n")
        lines = c.body[:-1].split("\n")
        assert all(line.endswith(" ") for line in lines)
        lengths += [len(line) - 1 for line in lines if line != " "]
    lengths.sort()
    assert lengths[len(lengths) // 2] in range(45, 64)  # real bodies: median 55
    assert lengths[int(len(lengths) * 0.99)] <= 70


def test_section_headers_inside_sectioned_bodies(sample) -> None:
    sectioned = 0
    for c in sample:
        m = re.match(r"\S.*? SECTION 01 OF (\d\d) ", c.body)
        if not m:
            continue
        sectioned += 1
        n = int(m.group(1))
        station = STATIONS[ID_RE.fullmatch(c.reference_id).group(2)]
        serial = int(ID_RE.fullmatch(c.reference_id).group(3))
        for k in range(2, n + 1):
            assert f"\n{station.display} {serial:08d}  {k:03d} OF {n:03d} \n" in c.body
    assert 0.25 < sectioned / len(sample) < 0.65  # real pages: 44% sectioned


def test_headers_match_the_record(sample) -> None:
    for c in sample:
        when = c.created
        dtg = f"{when.day:02d}{when.hour:02d}{when.minute:02d}Z {_MONTHS[when.month - 1]} {when.year % 100:02d}"
        station = STATIONS[ID_RE.fullmatch(c.reference_id).group(2)]
        if c.header_kind == "partial":
            assert c.header == PARTIAL_NOTICE + "\n\n"
            continue
        lines = c.header.split("\n")
        assert lines[-1] == ""
        if c.header_kind == "routing":
            assert re.fullmatch(r"VZCZC[A-Z]{3}[0-9]{4}", lines[0])
            assert re.fullmatch(r"([ZOPR])\1( R[A-Z]{4,6})+", lines[1]), lines[1]
            assert lines[2].startswith(f"DE {station.routing} #{int(c.reference_id[len(station.token) + 2:]) % 10000:04d}")
            assert lines[2].endswith(f" {when.timetuple().tm_yday:03d}{when.hour:02d}{when.minute:02d}")
            assert lines[3] in ("ZNY CCCCC ZZH", "ZNY SSSSS ZZH", "ZNR UUUUU ZZH")
            assert lines[4][2:] == dtg
            fm = lines[5]
        else:
            assert re.match(r"[ZOPR]( R)? " + dtg, lines[0]), lines[0]
            fm = lines[1]
        assert fm == f"FM {station.sender}"
        assert "\nTO " in c.header


def test_classified_cables_say_who_classified_them(sample) -> None:
    for c in sample:
        classified = c.classification.startswith(("CONFIDENTIAL", "SECRET"))
        assert (re.search(r"\nCLASSIFIED BY", c.body, re.I) is not None) == classified, c.reference_id


def test_determinism_and_seeds(tmp_path) -> None:
    a = "".join(c.csv_record() for c in generate_cables(150, 3))
    b = "".join(c.csv_record() for c in generate_cables(150, 3))
    c = "".join(c.csv_record() for c in generate_cables(150, 4))
    assert a == b
    assert a != c
    stats = write_cables_csv(tmp_path / "a.csv", 150, 3)
    assert (tmp_path / "a.csv").read_bytes() == a.encode("utf-8")
    assert stats.records == 150 and stats.bytes == len(a.encode("utf-8"))
    assert not list(tmp_path.glob("*.part"))


def test_edge_counts(tmp_path) -> None:
    assert list(generate_cables(0, 1)) == []
    write_cables_csv(tmp_path / "empty.csv", 0, 1)
    assert (tmp_path / "empty.csv").read_bytes() == b""
    one = list(generate_cables(1, 1))
    assert len(parse_records(one[0].csv_record())) == 1
    with pytest.raises(ValueError):
        list(generate_cables(-1, 1))


def test_write_to_a_missing_directory_fails_cleanly(tmp_path) -> None:
    with pytest.raises(OSError):
        write_cables_csv(tmp_path / "no" / "such" / "dir.csv", 5, 1)
