"""How fast does the SQLite store take cables?  Prints numbers; asserts nothing.

    python bench/store_bench.py [--n 20000] [--batch 500] [--db PATH] [--keep]

Builds N synthetic (RawRecord, Cable) pairs shaped like the full release (about 8 KB
of raw text per cable, as in the release: a body of ~700 words drawn from a Zipf-like vocabulary of
40,000 made-up words, ~9 paragraphs, 6 tags, 3 references of which a quarter point
to cables that are never stored, 1 in 5 partial), generated before timing.  Then
times ``store_batch`` over all of them (the first import), a second pass over the
same pairs (all "unchanged"), and a few searches on the result.  The full release
is 251,287 cables: the numbers are extrapolated to it.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from cablemirror.model import (  # noqa: E402
    FORMAT_CSV,
    Cable,
    Paragraph,
    Provenance,
    RawRecord,
    Reference,
    ReleaseMetadata,
    sha256_hex,
)
from cablemirror.store import open_store  # noqa: E402

FULL_RELEASE = 251_287
STATIONS = ["REYKJAVIK", "ALMATY", "ANKARA", "BRASILIA", "STATE", "USUNNEWYORK", "TELAVIV", "MADRID", "KABUL"]
CLASSES = ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "CONFIDENTIAL//NOFORN", "LIMITED OFFICIAL USE"]
TAGS = ["PREL", "PGOV", "MARR", "ECON", "KPKO", "PTER", "EFIN", "SNAR", "PHUM", "MOPS", "ENRG", "ETRD"]


def vocabulary(rng: random.Random, n: int = 40_000) -> tuple[list[str], list[float]]:
    syll = ["ka", "ro", "ti", "men", "sal", "dor", "vi", "lu", "ek", "pra", "sto", "ne", "bar", "qui", "zen"]
    words = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(1, 4))).upper() for _ in range(n * 2)})[:n]
    rng.shuffle(words)
    cum, total = [], 0.0
    for rank in range(1, len(words) + 1):  # Zipf: a few words everywhere, most rare
        total += 1.0 / rank
        cum.append(total)
    return words, cum


def make_pairs(n: int, seed: int = 1) -> list[tuple[RawRecord, Cable]]:
    rng = random.Random(seed)
    words, cum = vocabulary(rng)
    ids = [f"{rng.randint(0, 9):02d}{rng.choice(STATIONS)}{i + 1}" for i in range(n)]
    pairs = []
    offset = 0
    for i, cid in enumerate(ids):
        paras = []
        for num in range(1, rng.randint(3, 15) + 1):
            text = " ".join(rng.choices(words, cum_weights=cum, k=rng.randint(20, 140))) + "."
            paras.append(Paragraph(number=num, marking=rng.choice(["C", "S", "SBU", "U"]), text=text))
        body = "\n\n".join(f"{p.number}. ({p.marking}) {p.text}" for p in paras)
        refs = []
        for j in range(rng.randint(0, 6)):
            target = rng.choice(ids) if rng.random() < 0.75 else f"99MISSING{rng.randint(1, 10**6)}"
            refs.append(Reference(chr(65 + j), target, "cable", target))
        partial = rng.random() < 0.2
        header = "" if partial else "VZCZCXRO8797\nPP RUEHWEB\nDE RUEHRK #0195/01 2531700\nZNY CCCCC ZZH\n" * 3
        subject = " ".join(rng.choices(words, cum_weights=cum, k=8))
        created = f"{rng.randint(1985, 2010)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00"
        cable = Cable(
            id=cid,
            created=created,
            released="2011-08-30T01:44:00",
            origin=f"Embassy {rng.choice(STATIONS).title()}",
            classification=rng.choice(CLASSES),
            subject=subject,
            title=subject,
            tags=rng.sample(TAGS, 6),
            references=refs,
            paragraphs=paras,
            body=body,
            header=header,
            partial=partial,
            redactions=rng.randint(0, 3),
            signed_by=["SURNAME"],
        )
        raw = f'"{i}","{created}","{cid}","{cable.origin}","{cable.classification}","","{header}","{body}"\n'.encode()
        prov = Provenance(FORMAT_CSV, "bench/cables.csv", offset, len(raw), i * 40 + 1, sha256_hex(raw))
        offset += len(raw)
        cable.source = prov.to_dict()
        meta = ReleaseMetadata(reference_id=cid, created=created, released=cable.released)
        pairs.append((RawRecord(raw=raw, provenance=prov, metadata=meta, header=header, body=body), cable))
    return pairs


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    result = fn()
    dt = time.perf_counter() - t
    return result, dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--db", default=None, help="database file (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the database file")
    ap.add_argument("--defer", action="store_true", help="build the search index once at the end (bulk import)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    pairs = make_pairs(args.n)
    raw_bytes = sum(len(r.raw) for r, _ in pairs)
    print(f"generated {args.n:,} pairs ({raw_bytes / 1e6:.1f} MB raw, {raw_bytes / args.n / 1e3:.1f} KB/cable) "
          f"in {time.perf_counter() - t0:.1f}s")

    tmp = None
    if args.db is None:
        tmp = tempfile.mkdtemp(prefix="store-bench-")
        db = os.path.join(tmp, "bench.db")
    else:
        db = args.db
    batches = [pairs[i : i + args.batch] for i in range(0, len(pairs), args.batch)]
    with open_store(db) as store:
        t = time.perf_counter()
        cpu = time.process_time()
        statuses: dict[str, int] = {}
        with store.defer_search_index() if args.defer else contextlib.nullcontext():
            for b in batches:
                for o in store.store_batch(b):
                    statuses[o.status] = statuses.get(o.status, 0) + 1
            indexed = time.perf_counter()
        index_build = time.perf_counter() - indexed
        first = time.perf_counter() - t
        first_cpu = time.process_time() - cpu
        t = time.perf_counter()
        again = list(itertools.chain.from_iterable(store.store_batch(b) for b in batches))
        second = time.perf_counter() - t
        assert all(o.status == "unchanged" for o in again)
        st = store.stats()
    rate = args.n / first
    print(f"first import : {first:7.2f}s  {rate:8,.0f} cables/s  {raw_bytes / first / 1e6:6.1f} MB/s raw  {statuses}")
    print(f"               {first_cpu:7.2f}s CPU ({first_cpu / args.n * 1000:.2f} ms/cable)"
          + (f"; {index_build:.2f}s of it building the index at the end" if args.defer else ""))
    print(f"second pass  : {second:7.2f}s  {args.n / second:8,.0f} cables/s  (all unchanged)")
    print(f"full release : ~{FULL_RELEASE / rate:.0f}s to store {FULL_RELEASE:,} cables at this rate")
    print(f"database     : {st['db_bytes'] / 1e6:.1f} MB ({st['db_bytes'] / raw_bytes:.2f} x raw); "
          f"{st['references']:,} references, {st['missing_references']:,} to missing cables")

    with open_store(db, readonly=True) as store:
        words = [w for w in pairs[0][1].paragraphs[0].text.rstrip(".").split()][:3]
        for q in [words[0], " ".join(words[:2]), f'"{words[0]} {words[1]}"', words[0][:3] + "*"]:
            page, dt = timed(q, lambda: store.search(q))
            print(f"search {q!r:40} {page.total:7,} hits  {dt * 1000:7.1f} ms")
    if tmp and not args.keep:
        for name in os.listdir(tmp):
            os.remove(os.path.join(tmp, name))
        os.rmdir(tmp)
    elif args.keep:
        print(f"kept {db}")


if __name__ == "__main__":
    main()
