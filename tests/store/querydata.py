"""A generated collection for the query tests (made-up words, real station names).

The words are checked to be their own porter stem (``stable_words``), so the store's
stemmed index finds exactly what the reference evaluator (``search.evaluate``) finds.
Each cable also gives its evaluator record (``record_of``) and the values the facets
count (``facet_values``).
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from typing import Any

from cablemirror.model import Cable, RawRecord, Reference
from cablemirror.search.fields import CLASSIFICATIONS
from cablemirror.store.derived import GENERATED_MARK, keywords

from .factories import make_pair

CANDIDATE_WORDS = (
    "zorblat quintex marvolo trelkin vasqor plimbet dranzo keltrix osmund fenwar glorbat yarrik skivva "
    "morlak tezzen wumbol jaxter lurnok snibbet crovax pelmet ruxol quill brandt volnar zephak grindel "
    "toskar mirren dulvak"
).split()
STATIONS = [
    ("ALMATY", "US Office Almaty"),
    ("REYKJAVIK", "Embassy Reykjavik"),
    ("STATE", "Secretary of State"),
    ("KUALALUMPUR", "Embassy Kuala Lumpur"),
    ("ANKARA", "Embassy Ankara"),
    ("RIODEJANEIRO", "Consulate Rio De Janeiro"),
    ("USUNNEWYORK", "USUN New York"),
]
TAGS = ["PGOV", "PREL", "PHUM", "KDEM", "ECON", "EFIN", "PTER", "MARR", "KZ", "IC", "TU", "Pinr"]
CAPTIONS = ["SIPDIS", "NOFORN", "EXDIS", "NODIS"]
RELEASES = ["2010-11-28T18:00:00", "2011-08-30T01:44:00", "2011-09-01T12:00:00", None]
MISSING = ["02ALMATY999", "03STATE12345", "01ANKARA77"]


def stable_words(words: list[str]) -> list[str]:
    """The words that porter (as the store's FTS5 tokenizer applies it) leaves whole."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE f USING fts5(a, tokenize='porter unicode61 remove_diacritics 2')")
        db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'row')")
        kept = []
        for w in words:
            db.execute("DELETE FROM f")
            db.execute("INSERT INTO f VALUES (?)", (w,))
            if [r[0] for r in db.execute("SELECT term FROM v")] == [w]:
                kept.append(w)
        return kept
    finally:
        db.close()


WORDS = stable_words(CANDIDATE_WORDS)


@dataclass
class Corpus:
    pairs: list[tuple[RawRecord, Cable]]
    words: list[str]  # most common first

    @property
    def cables(self) -> list[Cable]:
        return [c for _, c in self.pairs]


def _sentence(rng: random.Random, words: list[str], weights: list[float], n: int) -> str:
    return " ".join(rng.choices(words, weights=weights, k=n)).upper()


def build(n: int = 260, seed: int = 7) -> Corpus:
    """``n`` generated cables, plus a few made for particular cases."""
    rng = random.Random(seed)
    words = WORDS
    weights = [1.0 / (i + 1) ** 1.1 for i in range(len(words))]  # a few common words, many rare ones
    pairs: list[tuple[RawRecord, Cable]] = []
    ids: list[str] = []
    for i in range(n):
        station, origin = rng.choice(STATIONS)
        year = rng.randint(2003, 2010)
        cid = f"{year % 100:02d}{station}{i + 1}"
        created = None if rng.random() < 0.05 else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.choice(['00', '30'])}:00"
        subject = _sentence(rng, words, weights, rng.randint(2, 5))
        paragraphs = [(p, rng.choice(["C", "U", "S/NF"]), _sentence(rng, words, weights, rng.randint(3, 25)) + ".")
                      for p in range(1, rng.randint(1, 4) + 1)]
        refs = []
        for j in range(rng.choice([0, 0, 1, 2, 3])):
            target = rng.choice(ids) if ids and rng.random() < 0.7 else rng.choice(MISSING)
            refs.append(Reference(chr(65 + j), target, "cable", target))
        if rng.random() < 0.1:
            refs.append(Reference(None, "EMAIL OF 5 MAY", "email", None))
        pairs.append(
            make_pair(
                cid,
                created=created,
                released=rng.choice(RELEASES),
                origin=None if rng.random() < 0.03 else origin,
                classification=None if rng.random() < 0.03 else rng.choice(CLASSIFICATIONS),
                subject=subject,
                title=subject.title(),
                tags=rng.sample(TAGS, rng.randint(0, 4)),
                captions=rng.sample(CAPTIONS, rng.randint(0, 2)),
                paragraphs=paragraphs,
                references=refs,
            )
        )
        ids.append(cid)
    # The release spells Taipei's id two ways: a citation of the other spelling finds it.
    pairs.append(make_pair("04TAIPEI55", created="2004-05-06T07:00:00", origin="American Institute Taiwan, Taipei",
                           subject="TAIWAN", title="Taiwan", tags=["TW", "PGOV", "pgov"]))
    pairs.append(make_pair("05ALMATY9001", created="2005-01-02T03:00:00", origin="US Office Almaty",
                           subject="CITING TAIPEI", title="Citing Taipei",
                           references=[Reference("A", "04 AIT TAIPEI 55", "cable", "04AITTAIPEI55")]))
    # Demo data: the generator's mark at the top of the body.
    demo = make_pair("06STATE7777", created="2006-06-06T06:00:00", origin="Secretary of State",
                     paragraphs=[(None, None, f"UNCLAS STATE 007777\n\n{GENERATED_MARK}\n\nSIPDIS"),
                                 (1, "U", "DEMO PARAGRAPH.")])
    pairs.append(demo)
    return Corpus(pairs, words)


def record_of(cable: Cable) -> dict[str, Any]:
    """The evaluator's view of a stored cable (the store indexes title, subject, body
    and the tags line as separate columns)."""
    return {
        "text": [cable.title, cable.subject, cable.body, " ".join(cable.tags)],
        "origin": cable.origin,
        "subject": cable.subject,
        "tag": list(cable.tags),
        "class": cable.classification,
        "caption": list(cable.captions),
        "date": cable.created,
        "released": cable.released,
        "id": cable.id,
        "ref": [r.id for r in cable.references if r.id],
    }


def facet_values(cable: Cable) -> dict[str, list[str]]:
    """What each facet counts for one cable."""
    return {
        "origin": [cable.origin] if cable.origin else [],
        "year": [cable.created[:4]] if cable.created else [],
        "classification": [cable.classification] if cable.classification else [],
        "tag": keywords(cable.tags),
    }
