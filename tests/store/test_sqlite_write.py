"""Storing records: outcomes, idempotence, versions, raw bytes, parts, quarantine (both backends)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from cablemirror.model import FORMAT_CSV, Quarantined, Reference
from cablemirror.store import StoreError
from cablemirror.store.base import Store

from .conftest import Locations, is_postgresql
from .dbcheck import check_search_index, rows, snapshot
from .factories import make_pair


def test_new_updated_unchanged(store: Store) -> None:
    a1, a2, b = make_pair("09A1"), make_pair("09A1", variant=1), make_pair("09B2")
    out = store.store_batch([a1, b])
    assert [(o.status, o.cable_id, o.version_id, o.current) for o in out] == [
        ("new", "09A1", 1, True),
        ("new", "09B2", 2, True),
    ]
    out = store.store_batch([a2, a1, b])
    assert [(o.status, o.cable_id) for o in out] == [("updated", "09A1"), ("unchanged", "09A1"), ("unchanged", "09B2")]
    assert out[1].version_id == 1 and out[2].version_id == 2
    assert out[0].current != out[1].current and out[2].current
    shown = {v["version_id"] for v in store.get_versions("09A1") if v["current"]}
    assert shown == {o.version_id for o in out[:2] if o.current}
    whole = make_pair("09A1", variant=2, paragraphs=[(i, "C", "LONGER TEXT") for i in range(1, 9)])
    out = store.store_batch([a1, whole])
    assert [(o.status, o.current) for o in out] == [("unchanged", False), ("updated", True)]
    assert len(store.get_versions("09A1")) == 3
    assert store.stats()["versions"] == 4


def test_same_bytes_twice_in_one_batch(store: Store, store_db: str) -> None:
    a = make_pair("09DUP1")
    out = store.store_batch([a, a])
    assert [o.status for o in out] == ["new", "unchanged"]
    assert out[0].version_id == out[1].version_id
    assert rows(store_db, "SELECT count(*) FROM versions") == [(1,)]


def test_storing_the_same_batch_twice_changes_nothing(store: Store, store_db: str) -> None:
    batch = [
        make_pair("09IDEM1", references=[Reference("A", "09 IDEM 2", "cable", "09IDEM2")]),
        make_pair("09IDEM2"),
        make_pair("09IDEM2", variant=1, partial=True, header=""),
        make_pair("09IDEM3", variant=2, tags=["PREL", "PGOV"]),
    ]
    store.store_batch(batch)
    before = snapshot(store_db)
    json_before = {cid: store.get_cable(cid) for cid in ("09IDEM1", "09IDEM2", "09IDEM3")}
    out = store.store_batch(batch)
    assert {o.status for o in out} == {"unchanged"}
    assert snapshot(store_db) == before
    assert {cid: store.get_cable(cid) for cid in json_before} == json_before


def test_batch_is_atomic(store: Store, store_db: str) -> None:
    good = make_pair("09ATOM1")
    bad = make_pair("09ATOM2", source={"not json": object()})
    with pytest.raises(StoreError, match="09ATOM2.*cannot be written as JSON"):
        store.store_batch([good, bad])
    assert rows(store_db, "SELECT count(*) FROM versions") == [(0,)]
    assert rows(store_db, "SELECT count(*) FROM cables") == [(0,)]
    assert store.search("fisheries").total == 0
    assert store.store_batch([good])[0].status == "new"


@pytest.mark.parametrize(
    "item, message",
    [
        ("not a pair", "expected a \\(RawRecord, Cable\\) pair"),
        ((1, 2), "expected \\(RawRecord, Cable\\)"),
    ],
)
def test_malformed_items(store: Store, item: object, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        store.store_batch([item])  # type: ignore[list-item]


@pytest.mark.parametrize("bad_id", [None, "", "   "])
def test_record_without_id_is_refused_with_its_place(store: Store, bad_id: str | None) -> None:
    raw, cable = make_pair("09X1", path="/data/cables.csv", line=77)
    cable.id = bad_id
    with pytest.raises(StoreError, match="without a reference id .*/data/cables.csv:77"):
        store.store_batch([(raw, cable)])
    assert store.stats()["versions"] == 0


def test_empty_batch(store: Store) -> None:
    assert store.store_batch([]) == []
    assert store.quarantine_batch([]) == 0


# ---------------------------------------------------------------- current version


def _current_sha(store: Store, cid: str) -> str:
    [cur] = [v for v in store.get_versions(cid) if v["current"]]
    return cur["sha256"]


def _both_orders(new_db: Locations, better: tuple, worse: tuple) -> None:
    """The better version is current whatever the order, in one batch or two."""
    from cablemirror.store import open_store

    want = better[0].provenance.sha256
    for n, plan in enumerate(([better, worse], [worse, better], [[better], [worse]], [[worse], [better]])):
        with open_store(new_db(f"order{n}")) as s:
            batches = plan if isinstance(plan[0], list) else [plan]
            for batch in batches:
                s.store_batch(batch)
            cid = better[1].id
            assert _current_sha(s, cid) == want, f"plan {n}"
            assert s.get_cable(cid)["source"]["sha256"] == want
            assert s.get_raw(cid) == better[0].raw


def test_whole_cable_beats_partial_extract(new_db: Locations) -> None:
    full = make_pair("09CUR1", variant=1)
    partial = make_pair("09CUR1", variant=2, partial=True, header="", paragraphs=[(i, "C", "MORE TEXT " * 50) for i in range(1, 9)])
    _both_orders(new_db, full, partial)


def test_header_then_fields_then_paragraphs(new_db: Locations) -> None:
    _both_orders(new_db, make_pair("09CUR2", variant=1), make_pair("09CUR2", variant=2, header=""))
    _both_orders(new_db, make_pair("09CUR3", variant=1), make_pair("09CUR3", variant=2, subject="", tags=[]))
    more = [(i, "C", f"PARAGRAPH {i} TEXT") for i in range(1, 6)]
    fewer = [(i, "C", f"PARAGRAPH {i} TEXT") for i in range(1, 4)]
    _both_orders(new_db, make_pair("09CUR4", variant=1, paragraphs=more), make_pair("09CUR4", variant=2, paragraphs=fewer))
    _both_orders(new_db, make_pair("09CUR5", variant=1, redactions=0), make_pair("09CUR5", variant=2, redactions=4))


def test_ties_go_to_the_newest_release_then_the_latest_import(new_db: Locations) -> None:
    same = [(1, "C", "SAME WORDS")]
    _both_orders(
        new_db,
        make_pair("09TIE1", variant=1, paragraphs=same, released="2011-09-01T00:00:00"),
        make_pair("09TIE1", variant=2, paragraphs=same, released="2010-12-01T00:00:00"),
    )
    _both_orders(
        new_db,
        make_pair("09TIE2", variant=1, paragraphs=same, release_label="6,693 / 251,287"),
        make_pair("09TIE2", variant=2, paragraphs=same, release_label="693 / 251,287"),
    )
    from cablemirror.store import open_store

    with open_store(new_db("s")) as s:
        first, second = make_pair("09TIE3", variant=1, paragraphs=same), make_pair("09TIE3", variant=2, paragraphs=same)
        s.store_batch([first])
        s.store_batch([second])
        assert _current_sha(s, "09TIE3") == second[0].provenance.sha256


def test_switching_current_rewrites_index_and_parts(store: Store, store_db: str) -> None:
    old = make_pair(
        "09SW1",
        partial=True,
        header="",
        tags=["OLDTAG"],
        paragraphs=[(1, "C", "ZEBRAFISH ONLY IN THE PARTIAL EXTRACT")],
        references=[Reference("A", "08 OLD 1", "cable", "08OLD1")],
    )
    new = make_pair(
        "09SW1",
        variant=1,
        tags=["NEWTAG"],
        paragraphs=[(1, "S", "PLATYPUS IN THE WHOLE CABLE"), (2, "S", "SECOND PARAGRAPH")],
        references=[Reference("A", "08 NEW 1", "cable", "08NEW1")],
    )
    store.store_batch([old])
    assert store.search("zebrafish").total == 1
    out = store.store_batch([new])
    assert (out[0].status, out[0].current) == ("updated", True)
    assert store.search("zebrafish").total == 0
    assert store.search("platypus").total == 1
    assert store.search("newtag").total == 1 and store.search("oldtag").total == 0
    assert store.cited_by("08NEW1") == ["09SW1"] and store.cited_by("08OLD1") == []
    assert rows(store_db, "SELECT t.tag FROM tags t JOIN cables c ON c.key = t.key WHERE c.id = '09SW1'") == [("NEWTAG",)]
    assert rows(store_db, "SELECT count(*) FROM facts") == [(1,)]
    assert rows(store_db, "SELECT number, marking FROM paragraphs WHERE cable = '09SW1' ORDER BY position") == [
        (1, "S"),
        (2, "S"),
    ]
    assert rows(store_db, "SELECT n_versions, partial FROM cables WHERE id = '09SW1'") == [(2, 0)]
    versions = store.get_versions("09SW1")
    assert [v["current"] for v in versions] == [False, True]
    # The version that stopped being current keeps its own record.
    assert versions[0]["record"]["tags"] == ["OLDTAG"]
    assert versions[1]["record"] == store.get_cable("09SW1")
    # The full-text index agrees with its content after the switch.
    check_search_index(store_db)


def test_less_complete_version_is_kept_not_shown(store: Store) -> None:
    full = make_pair("09KEPT1", paragraphs=[(1, "C", "AARDVARK IN THE FULL TEXT")])
    partial = make_pair("09KEPT1", variant=1, partial=True, header="", paragraphs=[(1, "C", "WOMBAT IN THE PARTIAL")])
    store.store_batch([full])
    out = store.store_batch([partial])
    assert (out[0].status, out[0].current) == ("updated", False)
    assert store.search("wombat").total == 0
    versions = store.get_versions("09KEPT1")
    assert versions[1]["record"]["paragraphs"][0]["text"] == "WOMBAT IN THE PARTIAL"
    assert store.get_raw("09KEPT1", versions[1]["version_id"]) == partial[0].raw
    assert store.get_raw("09KEPT1") == full[0].raw


# ---------------------------------------------------------------- raw bytes


@pytest.mark.parametrize("size", [0, 1, 1000, 3_000_000])
def test_raw_bytes_round_trip_exactly(store: Store, size: int) -> None:
    data = random.Random(size).randbytes(size)
    pair = make_pair(f"09RAW{size}", raw=data)
    [out] = store.store_batch([pair])
    assert store.get_raw(f"09RAW{size}") == data
    assert store.get_raw(f"09RAW{size}", out.version_id) == data
    assert store.get_versions(f"09RAW{size}")[0]["sha256"] == pair[0].provenance.sha256


def test_raw_of_unknown_cable_or_version(store: Store) -> None:
    store.store_batch([make_pair("09RAWX"), make_pair("09RAWY")])
    assert store.get_raw("09NOPE") is None
    assert store.get_raw("09RAWX", 2) is None  # version 2 belongs to 09RAWY
    assert store.get_raw("09RAWX", 999) is None


def test_text_that_is_not_valid_unicode_is_repaired_not_lost(store: Store, store_db: str) -> None:
    # Lone surrogates: what surrogateescape makes of undecodable source bytes.
    pair = make_pair("09SURR1", subject="CAF\udce9 SUBJECT", tags=["PR\udcffEL"],
                     paragraphs=[(1, "C", "TEXT WITH \udce9 INSIDE AND OTTER")])
    store.store_batch([pair])
    rec = store.get_cable("09SURR1")
    assert rec["subject"] == "CAF\ufffd SUBJECT"
    assert rec["paragraphs"][0]["text"] == "TEXT WITH \ufffd INSIDE AND OTTER"
    assert rows(store_db, "SELECT tag FROM tags") == [("PR\ufffdEL",)]
    page = store.search("otter")
    assert page.total == 1 and "«OTTER»" in page.hits[0].snippet and page.hits[0].paragraph == 1
    assert store.get_raw("09SURR1") == pair[0].raw  # the exact bytes are kept


# ---------------------------------------------------------------- parts and references


def test_references_to_missing_cables_and_cited_by(store: Store, store_db: str) -> None:
    store.store_batch(
        [
            make_pair("09REF1", references=[
                Reference("A", "09 REF 2", "cable", "09REF2"),
                Reference("B", "07 GONE 5", "cable", "07GONE5"),
                Reference("C", "EMAIL OF 1 MAY", "email", None),
            ]),
            make_pair("09REF2", references=[Reference(None, "07 GONE 5", "cable", "07GONE5")]),
            make_pair("09REF3", references=[Reference("A", "09 REF 2", "cable", "09REF2"),
                                            Reference("B", "09 REF 2 again", "cable", "09REF2")]),
        ]
    )
    assert store.cited_by("09REF2") == ["09REF1", "09REF3"]
    assert store.cited_by("07GONE5") == ["09REF1", "09REF2"]  # known but missing
    assert store.get_cable("07GONE5") is None
    assert store.cited_by("09REF1") == []
    assert rows(store_db, "SELECT position, bullet, value, kind, dst FROM refs WHERE src = '09REF1' ORDER BY position") == [
        (0, "A", "09 REF 2", "cable", "09REF2"),
        (1, "B", "07 GONE 5", "cable", "07GONE5"),
        (2, "C", "EMAIL OF 1 MAY", "email", None),
    ]
    st = store.stats()
    assert (st["references"], st["cable_references"], st["missing_references"], st["missing_cables"]) == (6, 5, 2, 1)


def test_tags_and_paragraph_rows(store: Store, store_db: str) -> None:
    paras = [(None, None, "PREAMBLE LINE"), (1, "C", "FIRST POINT"), (2, "S/NF", "SECOND POINT")]
    pair = make_pair("09PART1", tags=["PREL", "PGOV", "IC"], paragraphs=paras)
    pair[1].paragraphs[2].cut_short = True
    store.store_batch([pair])
    assert rows(store_db, "SELECT t.position, t.tag FROM tags t JOIN cables c ON c.key = t.key "
                         "WHERE c.id = '09PART1' ORDER BY t.position") == [(0, "PREL"), (1, "PGOV"), (2, "IC")]
    got = rows(store_db, "SELECT position, number, marking, cut_short, length FROM paragraphs "
                        "WHERE cable = '09PART1' ORDER BY position")
    assert got == [(0, None, None, 0, 13), (1, 1, "C", 0, 11), (2, 2, "S/NF", 1, 12)]
    assert rows(store_db, "SELECT n_paragraphs, tags, year, month, day FROM cables WHERE id = '09PART1'") == [
        (3, "PREL PGOV IC", 2009, 1, 26)
    ]


# ---------------------------------------------------------------- quarantine


def _q(data: bytes, reason: str = "unreadable", path: str = "/data/bad.html", line: int = 1) -> Quarantined:
    from cablemirror.model import Provenance, sha256_hex

    return Quarantined(data, Provenance(FORMAT_CSV, path, 0, len(data), line, sha256_hex(data)), reason)


def test_quarantine_is_unique_by_bytes(store: Store) -> None:
    data = os.urandom(5000)
    assert store.quarantine_batch([_q(data), _q(data), _q(b"other")]) == 2
    assert store.quarantine_batch([_q(data, reason="still unreadable", path="/elsewhere.csv")]) == 0
    items = list(store.iter_quarantine())
    assert len(items) == 2
    first = items[0]
    assert first["reason"] == "still unreadable"  # the latest reason
    assert first["path"] == "/data/bad.html"  # where it was first seen
    assert first["resolved_version"] is None
    assert store.get_quarantined_raw(first["sha256"]) == data
    assert store.get_quarantined_raw("0" * 64) is None
    assert store.stats()["quarantined"] == 2


def test_quarantined_bytes_that_later_parse_are_resolved(store: Store) -> None:
    pair = make_pair("09QR1")
    store.quarantine_batch([_q(pair[0].raw, reason="parser error: boom")])
    [out] = store.store_batch([pair])
    assert list(store.iter_quarantine()) == []
    [item] = list(store.iter_quarantine(include_resolved=True))
    assert item["resolved_version"] == out.version_id and item["resolved_at"]
    st = store.stats()
    assert (st["quarantined"], st["quarantine_resolved"]) == (0, 1)
    # Quarantining bytes the store already holds: kept, and resolved at once.
    other = make_pair("09QR2")
    store.store_batch([other])
    assert store.quarantine_batch([_q(other[0].raw)]) == 1
    assert list(store.iter_quarantine()) == []


def test_quarantine_iteration_pages_through_many(store: Store) -> None:
    items = [_q(f"bad record {i}".encode(), line=i) for i in range(1234)]
    assert store.quarantine_batch(items) == 1234
    lines = [q["line"] for q in store.iter_quarantine()]
    assert lines == list(range(1234))


def test_quarantine_refuses_other_objects(store: Store) -> None:
    with pytest.raises(StoreError, match="expected Quarantined"):
        store.quarantine_batch([make_pair("09Q")])  # type: ignore[list-item]


# ---------------------------------------------------------------- checkpoints


def test_import_checkpoints(store: Store) -> None:
    assert store.import_checkpoint("/data/cables.csv", "fp1") is None
    store.set_import_checkpoint("/data/cables.csv", "fp1", 4096)
    assert store.import_checkpoint("/data/cables.csv", "fp1") == 4096
    assert store.import_checkpoint("/data/cables.csv", "fp2") is None  # the file changed
    store.set_import_checkpoint("/data/cables.csv", "fp1", -1)
    assert store.import_checkpoint("/data/cables.csv", "fp1") == -1
    store.set_import_checkpoint("/data/cables.csv", "fp2", 10)
    assert store.import_checkpoint("/data/cables.csv", "fp1") is None
    assert store.import_checkpoint("/data/cables.csv", "fp2") == 10
    assert store.import_checkpoint("/data/other.csv", "fp2") is None
    with pytest.raises(StoreError, match="invalid import checkpoint"):
        store.set_import_checkpoint("/data/cables.csv", "fp2", -5)


# ---------------------------------------------------------------- stats


def test_stats(store: Store, store_db: str) -> None:
    empty = store.stats()
    assert empty["cables"] == 0 and empty["first_created"] is None and empty["by_format"] == {}
    store.store_batch(
        [
            make_pair("09ST1", created="2004-05-06T07:00:00", classification="SECRET"),
            make_pair("09ST2", created="2009-01-02T03:00:00", classification="SECRET", fmt=FORMAT_CSV),
            make_pair("09ST2", variant=1, created="2009-01-02T03:00:00", partial=True, header=""),
            make_pair("09ST3", created="2001-01-01T00:00:00", classification=None),
        ]
    )
    store.quarantine_batch([_q(b"broken")])
    store.set_import_checkpoint("/a", "f", -1)
    st = store.stats()
    for key in ("cables", "versions", "quarantined", "references", "missing_references", "by_format",
                "by_classification", "first_created", "last_created", "db_path", "db_bytes"):
        assert key in st
    assert (st["cables"], st["versions"], st["quarantined"], st["files_imported"]) == (3, 4, 1, 1)
    assert st["by_format"] == {"cablegate_html": 3, "cables_csv": 1}
    assert st["by_classification"] == {"SECRET": 2, "(none)": 1}
    assert (st["first_created"], st["last_created"]) == ("2001-01-01T00:00:00", "2009-01-02T03:00:00")
    if is_postgresql(store_db):
        assert st["db_path"] == store_db and st["db_bytes"] > 0  # the URL (no password here)
    else:
        assert st["db_path"] == str(Path(store_db).resolve())
        assert st["db_bytes"] >= os.path.getsize(store_db) > 0
