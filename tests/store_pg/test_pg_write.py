"""Storing records in PostgreSQL, beyond tests/store (which runs every storing test on both
backends): what PostgreSQL cannot hold, rollbacks, the generation, rows as written."""

from __future__ import annotations

from typing import Any

import pytest

from cablemirror.model import FORMAT_CSV, Provenance, Quarantined, Reference, sha256_hex
from cablemirror.store import StoreError
from cablemirror.store.base import Store

from ..store.factories import make_pair

pytestmark = pytest.mark.postgres

TABLES = ("cables", "facts", "labels", "versions", "refs", "tags", "captions", "paragraphs", "quarantine", "imports")


def snapshot(rows: Any) -> dict[str, list[str]]:
    """Every row of every table (meta aside: its generation counts writes), as text."""
    return {t: sorted(r[0] for r in rows(f"SELECT t::text FROM {t} t")) for t in TABLES}


def _q(data: bytes, reason: str = "unreadable", path: str = "/data/bad.html", line: int = 1) -> Quarantined:
    return Quarantined(data, Provenance(FORMAT_CSV, path, 0, len(data), line, sha256_hex(data)), reason)


def test_storing_the_same_batch_twice_changes_nothing(pg_store: Store, rows: Any) -> None:
    batch = [
        make_pair("09IDEM1", references=[Reference("A", "09 IDEM 2", "cable", "09IDEM2")]),
        make_pair("09IDEM2"),
        make_pair("09IDEM2", variant=1, partial=True, header=""),
        make_pair("09IDEM3", variant=2, tags=["PREL", "PGOV"], captions=["SIPDIS"]),
    ]
    pg_store.store_batch(batch)
    before = snapshot(rows)
    generation = rows("SELECT value FROM meta WHERE key = 'generation'")
    out = pg_store.store_batch(batch)
    assert {o.status for o in out} == {"unchanged"}
    assert snapshot(rows) == before
    # Nothing written, so read caches stay valid: the generation did not move.
    assert rows("SELECT value FROM meta WHERE key = 'generation'") == generation


def test_every_write_moves_the_generation(pg_store: Store, rows: Any) -> None:
    def gen() -> int:
        return int(rows("SELECT value FROM meta WHERE key = 'generation'")[0][0])

    g0 = gen()
    pg_store.store_batch([make_pair("09GEN1")])
    g1 = gen()
    pg_store.quarantine_batch([_q(b"broken")])
    g2 = gen()
    pg_store.set_import_checkpoint("/a", "f", 3)
    assert g0 < g1 < g2 < gen()


def test_batch_is_atomic(pg_store: Store, rows: Any) -> None:
    good = make_pair("09ATOM1")
    bad = make_pair("09ATOM2", source={"not json": object()})
    with pytest.raises(StoreError, match="09ATOM2.*cannot be written as JSON"):
        pg_store.store_batch([good, bad])
    assert rows("SELECT count(*) FROM versions") == [(0,)]
    assert pg_store.search("fisheries").total == 0
    assert pg_store.store_batch([good])[0].status == "new"
    assert rows("SELECT version_id FROM versions") == [(1,)]  # no gap left by the failed batch


def test_a_failing_statement_rolls_back_the_whole_batch(
    pg_store: Store, rows: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg_store.store_batch([make_pair("09ROLL0")])
    before = snapshot(rows)
    from cablemirror.store import pg_write

    def broken(self: Any, conn: Any, *args: Any) -> None:  # after cables, parts and facts went in
        conn.execute("INSERT INTO versions (version_id) VALUES (NULL)")

    monkeypatch.setattr(pg_write.PgWriteAPI, "_insert_versions", broken)
    with pytest.raises(StoreError, match="cannot write to postgresql://.*null value"):
        pg_store.store_batch([make_pair("09ROLL1"), make_pair("09ROLL0", variant=1)])
    assert snapshot(rows) == before
    monkeypatch.undo()
    assert [o.status for o in pg_store.store_batch([make_pair("09ROLL1")])] == ["new"]


def test_huge_numbers_from_odd_text_are_stored(pg_store: Store) -> None:
    pair = make_pair("09BIG1", paragraphs=[(2**40, "C", "A PARAGRAPH NUMBERED BEYOND 32 BITS")], redactions=2**31 - 1)
    pg_store.store_batch([pair])
    assert pg_store.get_cable("09BIG1")["paragraphs"][0]["number"] == 2**40


@pytest.mark.parametrize("bad_id", [None, "", "   ", "09NUL\x00ID"])
def test_record_without_a_usable_id_is_refused_with_its_place(pg_store: Store, bad_id: str | None) -> None:
    raw, cable = make_pair("09X1", path="/data/cables.csv", line=77)
    cable.id = bad_id
    with pytest.raises(StoreError, match=r"/data/cables.csv:77"):
        pg_store.store_batch([(raw, cable)])
    assert pg_store.stats()["versions"] == 0


def test_switching_current_rewrites_document_and_parts(pg_store: Store, rows: Any) -> None:
    old = make_pair("09SW1", partial=True, header="", tags=["OLDTAG"],
                    paragraphs=[(1, "C", "ZEBRAFISH ONLY IN THE PARTIAL EXTRACT")],
                    references=[Reference("A", "08 OLD 1", "cable", "08OLD1")])
    new = make_pair("09SW1", variant=1, tags=["NEWTAG"],
                    paragraphs=[(1, "S", "PLATYPUS IN THE WHOLE CABLE"), (2, "S", "SECOND PARAGRAPH")],
                    references=[Reference("A", "08 NEW 1", "cable", "08NEW1")])
    pg_store.store_batch([old])
    assert pg_store.search("zebrafish").total == 1
    out = pg_store.store_batch([new])
    assert (out[0].status, out[0].current) == ("updated", True)
    assert pg_store.search("zebrafish").total == 0 and pg_store.search("platypus").total == 1
    assert pg_store.search("newtag").total == 1 and pg_store.search("oldtag").total == 0
    assert pg_store.cited_by("08NEW1") == ["09SW1"] and pg_store.cited_by("08OLD1") == []
    assert rows("SELECT t.tag FROM tags t JOIN cables c ON c.key = t.key WHERE c.id = '09SW1'") == [("NEWTAG",)]
    assert rows("SELECT count(*) FROM facts") == [(1,)]
    assert rows("SELECT number, marking FROM paragraphs WHERE cable = '09SW1' ORDER BY position") == [(1, "S"), (2, "S")]
    assert rows("SELECT n_versions, partial FROM cables WHERE id = '09SW1'") == [(2, False)]
    versions = pg_store.get_versions("09SW1")
    assert [v["current"] for v in versions] == [False, True]
    assert versions[0]["record"]["tags"] == ["OLDTAG"]  # the old version keeps its own record
    assert versions[1]["record"] == pg_store.get_cable("09SW1")
    assert rows("SELECT record IS NULL FROM versions ORDER BY version_id") == [(False,), (True,)]


def test_raw_of_unknown_cable_or_version(pg_store: Store) -> None:
    pg_store.store_batch([make_pair("09RAWX"), make_pair("09RAWY")])
    assert pg_store.get_raw("09NOPE") is None
    assert pg_store.get_raw("09RAWX", 2) is None  # version 2 belongs to 09RAWY
    assert pg_store.get_raw("09RAWX", 999) is None
    assert pg_store.get_raw("09RAWX", 2**70) is None


def test_text_postgresql_cannot_hold_is_repaired_not_lost(pg_store: Store, rows: Any) -> None:
    # Lone surrogates (undecodable source bytes) and NUL, which SQLite keeps and
    # PostgreSQL's text refuses: U+FFFD in the columns, escaped in the JSON record.
    pair = make_pair("09SURR1", subject="CAF\udce9 SUB\x00JECT", tags=["PR\udcffEL", "NUL\x00TAG"],
                     origin="Embassy\x00Testville", captions=["SIP\x00DIS"],
                     paragraphs=[(1, "C\x00", "TEXT WITH \udce9 INSIDE AND OTTER\x00S")],
                     references=[Reference("A\x00", "09 X\x00 1", "cable", "09X\x001")])
    pair[0].provenance = Provenance("cablegate_html", "/data/odd\x00name.html", 0, len(pair[0].raw), 1,
                                    pair[0].provenance.sha256)
    pg_store.store_batch([pair])
    rec = pg_store.get_cable("09SURR1")
    assert rec["subject"] == "CAF\ufffd SUB\x00JECT"  # the record keeps NUL (JSON escapes it)
    assert rec["paragraphs"][0]["text"] == "TEXT WITH \ufffd INSIDE AND OTTER\x00S"
    assert rows("SELECT subject, origin FROM cables") == [("CAF\ufffd SUB\ufffdJECT", "Embassy\ufffdTestville")]
    assert sorted(rows("SELECT tag FROM tags")) == [("NUL\ufffdTAG",), ("PR\ufffdEL",)]
    assert rows("SELECT path FROM versions") == [("/data/odd\ufffdname.html",)]
    page = pg_store.search("otter")
    assert page.total == 1 and "«OTTER»" in page.hits[0].snippet and page.hits[0].paragraph == 1
    assert pg_store.get_raw("09SURR1") == pair[0].raw


def test_references_to_missing_cables_and_cited_by(pg_store: Store, rows: Any) -> None:
    pg_store.store_batch([
        make_pair("09REF1", references=[Reference("A", "09 REF 2", "cable", "09REF2"),
                                        Reference("B", "07 GONE 5", "cable", "07GONE5"),
                                        Reference("C", "EMAIL OF 1 MAY", "email", None)]),
        make_pair("09REF2", references=[Reference(None, "07 GONE 5", "cable", "07GONE5")]),
        make_pair("09REF3", references=[Reference("A", "09 REF 2", "cable", "09REF2"),
                                        Reference("B", "09 REF 2 again", "cable", "09REF2")]),
        make_pair("09REF4", references=[Reference("A", "07 ALMATY 5", "cable", "07ALMATY5")]),
    ])
    assert pg_store.cited_by("07almaty0005") == ["09REF4"]  # another spelling of the id
    assert pg_store.cited_by("09REF2") == ["09REF1", "09REF3"]
    assert pg_store.cited_by("07GONE5") == ["09REF1", "09REF2"]  # known but missing
    assert pg_store.get_cable("07GONE5") is None and pg_store.cited_by("09REF1") == []
    assert rows("SELECT position, bullet, value, kind, dst FROM refs WHERE src = '09REF1' ORDER BY position") == [
        (0, "A", "09 REF 2", "cable", "09REF2"), (1, "B", "07 GONE 5", "cable", "07GONE5"),
        (2, "C", "EMAIL OF 1 MAY", "email", None)]
    st = pg_store.stats()
    assert (st["references"], st["cable_references"], st["missing_references"], st["missing_cables"]) == (7, 6, 3, 2)


def test_tags_paragraphs_and_facts_rows(pg_store: Store, rows: Any) -> None:
    paras = [(None, None, "PREAMBLE LINE"), (1, "C", "FIRST POINT"), (2, "S/NF", "SECOND POINT")]
    pair = make_pair("09PART1", tags=["PREL", "pgov", "IC", "PREL"], paragraphs=paras)
    pair[1].paragraphs[2].cut_short = True
    pg_store.store_batch([pair])
    assert rows("SELECT t.position, t.tag FROM tags t ORDER BY t.position") == [(0, "PREL"), (1, "PGOV"), (2, "IC")]
    assert rows("SELECT position, number, marking, cut_short, length FROM paragraphs ORDER BY position") == [
        (0, None, None, False, 13), (1, 1, "C", False, 11), (2, 2, "S/NF", True, 12)]
    assert rows("SELECT n_paragraphs, tags, year, month, day FROM cables") == [(3, "PREL pgov IC PREL", 2009, 1, 26)]
    [(created, year, origin, cls, doc)] = rows(
        "SELECT x.created, x.year, lo.value, lc.value, x.doc::text FROM facts x "
        "JOIN labels lo ON lo.label_id = x.origin JOIN labels lc ON lc.label_id = x.class")
    assert (created, year, origin, cls) == ("2009-01-26T07:15:00", 2009, "Embassy Testville", "CONFIDENTIAL")
    # The document: title A, subject B, tags C, body D, stemmed ("fisheries" -> "fisheri").
    assert "'fisheri':" in doc and "A" in doc and "'prel':" in doc and "'preambl':" in doc


def test_labels_are_created_once_and_shared(pg_store: Store, rows: Any) -> None:
    pg_store.store_batch([make_pair(f"09LAB{i}", origin=f"Embassy {'AB'[i % 2]}", classification="SECRET")
                          for i in range(6)])
    pg_store.store_batch([make_pair("09LAB9", origin="Embassy A", classification="SECRET//NOFORN")])
    assert sorted(rows("SELECT kind, value, norm FROM labels")) == [
        ("class", "SECRET", "SECRET"), ("class", "SECRET//NOFORN", "SECRET//NOFORN"),
        ("origin", "Embassy A", "embassy a"), ("origin", "Embassy B", "embassy b")]
    assert rows("SELECT array_agg(label_id ORDER BY label_id) FROM labels") == [([1, 2, 3, 4],)]
    assert pg_store.query("origin:b").total == 3 and pg_store.query("class:noforn").total == 1


# ---------------------------------------------------------------- quarantine


def test_quarantine_iteration_pages_through_many(pg_store: Store) -> None:
    items = [_q(f"bad record {i}".encode(), line=i, reason="nul \x00 inside") for i in range(1234)]
    assert pg_store.quarantine_batch(items) == 1234
    got = list(pg_store.iter_quarantine())
    assert [q["line"] for q in got] == list(range(1234))
    assert got[0]["reason"] == "nul \ufffd inside"


def test_import_checkpoints(pg_store: Store) -> None:
    assert pg_store.import_checkpoint("/data/cables.csv", "fp1") is None
    pg_store.set_import_checkpoint("/data/cables.csv", "fp1", 4096)
    assert pg_store.import_checkpoint("/data/cables.csv", "fp1") == 4096
    assert pg_store.import_checkpoint("/data/cables.csv", "fp2") is None
    pg_store.set_import_checkpoint("/data/cables.csv", "fp1", -1)
    assert pg_store.import_checkpoint("/data/cables.csv", "fp1") == -1
    pg_store.set_import_checkpoint("/data/cables.csv", "fp2", 10)
    assert pg_store.import_checkpoint("/data/cables.csv", "fp1") is None
    assert pg_store.import_checkpoint("/data/cables.csv", "fp2") == 10
    for bad in (-5, True, "10", 2.5):
        with pytest.raises(StoreError, match="invalid import checkpoint"):
            pg_store.set_import_checkpoint("/data/cables.csv", "fp2", bad)  # type: ignore[arg-type]


