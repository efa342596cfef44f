"""The static search (search-static.js, run in Node) finds what the store finds.

For a table of queries, the ids the exported index gives are exactly those of
``store.query``: words (stemmed like the SQLite index), phrases, exclusions,
prefixes, OR and groups, and the fields.  Its parser rejects what the site's parser
rejects, with the same message.  The index files are checked against the records,
and a one-word search loads only a few small files.
"""

from __future__ import annotations

import random
import re
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from cablemirror.export.static_codec import decode_postings, decode_uints, encode_bitmap, encode_positions, encode_postings, rebase
from cablemirror.export.static_index import DOC_BLOCK, INDEX_DIR, doc_terms, prepare
from cablemirror.search.porter import stem
from cablemirror.search import QuerySyntaxError, parse_query
from cablemirror.search.text import STOPWORDS, _classify, _fold_char, words
from cablemirror.store import open_store
try:  # tests/export is not a package today; keep working if it becomes one
    from .test_static_support import CORPUS, ROOT, corpus_export, corpus_store, demo_export, demo_store, run_node, store_ids
except ImportError:
    from test_static_support import CORPUS, ROOT, corpus_export, corpus_store, demo_export, demo_store, run_node, store_ids

DOC = ROOT / "docs" / "search.md"

DEMO_QUERIES = [
    "election", "elections", "elected", "elect*", "electi*", "ministers", '"civil society"', "minister government",
    "minister -government", "election OR vote", "(election OR vote) -minister", "NOT election",
    "kazakhstan election OR vote", "iran AND minister", "-(iran OR iraq) tag:PREL",
    "tag:PGOV", "tags:pgov", "tag:P*", "-tag:PGOV", "tag:(PGOV OR PREL)", "tag:PGOV tag:PREL",
    "class:secret", "class:confidential -class:noforn", 'class:"secret//noforn"', "class:noforn", "class:lou",
    "class:unclassified", "class:fouo", "-class:secret",
    "origin:embassy", "origin:emb*", 'origin:"embassy moscow"', "origin:state", "origin:secretary",
    "from:2005 to:2006-06", "date:2007", "date:2008-02", "date>2008", "date<2001", "date>=2009-06", "to:2000",
    "released:2011", "caption:sipdis", "caption:nodis", "captions:noforn class:secret",
    "subject:meeting", 'subject:"civil society"', "subject:elect*", 'subject:"prime minist"*',
    "the election of a president", '"the"', "e-mail", "U.S.", '"minister said"', '"prime minist"*',
    "to:2009-12-31 tag:PREL", "id:09STATE*", "id:05*", "cites:08*", "ref:09STATE*",
    "élection", "ELECTION", "Élection OR ÉLECTIONS", "minister -tag:PGOV -class:secret from:2006",
    '"of the"', "genera* -general", "x OR tag:KDEM",
]

CORPUS_QUERIES = [
    "reykjavik", "iceland peacekeeping", '"civil society"', "harassment opposition", "election OR vote kazakhstan",
    "(iran OR tehran) nuclear -tag:PGOV", "elect*", "origin:almaty from:2005 to:2006-06", "class:secret -class:noforn",
    "ref:05ALMATY2985 -origin:almaty", "id:09STATE*", 'subject:"civil society" to:2006', "caption:nodis class:secret",
    '"charge d affaires" OR chargé', "tag:PGOV", "tag:KJUS OR tag:PHUM", "class:confidential", "date:2009-06",
    "astana", '"ambassador met"', "minist* -tag:PREL", "XXXXXXXXXXXX", "sipdis", "noforn", "origin:embassy",
    "origin:\"Embassy Astana\"", "released:2011-08", "released<2011", "dept", "1.4", '"e.o. 12958"',
]


def _examples(section: str) -> list[str]:
    text = DOC.read_text("utf-8")
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    body = dict(zip((t.strip() for t in parts[1::2]), parts[2::2]))[section]
    return [m.group(1) for line in body.splitlines() if (m := re.match(r"^\| `([^`]+)` \| (.+?) \|", line))]


def _compare(db: Path, root: Path, queries: list[str]) -> None:
    results = run_node([{"kind": "ids", "q": q} for q in queries], root / INDEX_DIR)
    for q, got in zip(queries, results):
        try:
            want = store_ids(db, q)
        except QuerySyntaxError as exc:
            assert "error" in got, f"{q!r}: the store says {exc}, the static search answers"
            assert got["error"] == exc.message and got["column"] == exc.column, q
            continue
        assert "error" not in got, f"{q!r}: {got.get('error')}"
        assert sorted(got["ids"]) == want, f"{q!r}: {len(got['ids'])} found, the store finds {len(want)}"


def test_queries_find_what_the_store_finds() -> None:
    root, _ = demo_export()
    _compare(demo_store(), root, DEMO_QUERIES)


def test_ids_and_citations_of_every_kind() -> None:
    root, _ = demo_export()
    with open_store(demo_store(), readonly=True) as store:
        ids = [cid for cid, _ in store.iter_ids()]
        cited = [r["id"] for cid in ids[:40] for r in store.references(cid) if r.get("id")]
    queries = [f"id:{cid}" for cid in ids[::25]] + [f"id:{cid.lower()}" for cid in ids[:3]]
    queries += [f"ref:{c}" for c in cited[:15]] + [f"ref:{c[:6]}*" for c in cited[:3]]
    _compare(demo_store(), root, queries)


def test_errors_are_the_parsers() -> None:
    root, _ = demo_export()
    errors = [q for q, _ in _rows("When a query is wrong")]
    errors += ["iran)", "(", "-", "--x", "a*b", "*", "tag:", "class:topsecret", "date:2005-13", "from:2005 from:2004-06",
               "OR", "NOT", "AND x", "x AND", "x OR OR y", "caption:nod*", "date:2005*", "date>2005-02-30", "tag:a b",
               "orgn:x", "subject:", "id:05-ALMATY", '""', "x" * 2001, "(" * 40 + "x" + ")" * 40]
    _compare(demo_store(), root, errors)


def _rows(section: str) -> list[tuple[str, str]]:
    text = DOC.read_text("utf-8")
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    body = dict(zip((t.strip() for t in parts[1::2]), parts[2::2]))[section]
    return [(m.group(1), m.group(2)) for line in body.splitlines() if (m := re.match(r"^\| `([^`]+)` \| (.+?) \|", line))]


@pytest.mark.corpus
def test_real_cables_and_the_documented_examples() -> None:
    root, _ = corpus_export()
    examples = [q for title in ("Examples", "The language", "Fields of cables") for q in _examples(title)]
    examples = [q for q in examples if not q.startswith("kia")]  # a war-diary field
    assert len(examples) > 40
    _compare(corpus_store(), root, CORPUS_QUERIES + examples)


# ---------------------------------------------------------------------------
# What a search downloads


def test_a_one_word_search_loads_a_few_small_files() -> None:
    root, _ = demo_export()
    result = run_node([{"kind": "page", "q": "election"}, {"kind": "page", "q": '"civil society" tag:PGOV',
                                                            "options": {"sort": "date", "page": 2}}], root / INDEX_DIR)
    first = result[0]
    assert first["result"]["total"] == len(store_ids(demo_store(), "election"))
    files = first["files"]
    kinds = [f.split("/")[0] if "/" in f else f for f in files]
    assert kinds.count("meta.js") == 1 and kinds.count("x") == 1 and kinds.count("t") == 1
    assert "p" not in kinds  # positions only for phrases
    assert kinds.count("dates.js") == 1 and 1 <= kinds.count("d") <= 20
    hits = first["result"]["hits"]
    assert len(hits) == 20 and all(h["id"] and h["created"] for h in hits)
    assert [h["created"] for h in hits] == sorted((h["created"] for h in hits), reverse=True)
    second = result[1]
    assert "p" in [f.split("/")[0] for f in second["files"]]
    assert second["result"]["page"] == 2
    dates = [h["created"] for h in second["result"]["hits"]]
    assert dates == sorted(dates)


# ---------------------------------------------------------------------------
# The index files against the records


def test_index_holds_every_term_of_every_record() -> None:
    root, _ = demo_export()
    index = root / INDEX_DIR
    shards: dict[str, str] = {}
    positions: dict[str, str] = {}
    for path in (index / "t").glob("*.js"):
        shards.update(_js_object(path.read_text()))
    for path in (index / "p").glob("*.js"):
        positions.update(_js_object(path.read_text()))
    docs: dict[str, int] = {}
    for path in (index / "d").glob("*.js"):
        block = int(path.stem)
        rows = re.search(r"\[(.*)\]\);", path.read_text(), re.S).group(1)
        for k, row in enumerate(re.findall(r'\["((?:[^"\\]|\\.)*)"', rows)):
            docs[row] = block * DOC_BLOCK + k
    with open_store(demo_store(), readonly=True) as store:
        records = list(store.iter_records())
    assert len(docs) == len(records)
    for record in records[::7]:
        num = docs[record["id"]]
        for term, pos in doc_terms(record).items():
            postings = decode_postings(shards[term])
            assert num in postings, term
            text = positions[term]
            numbers = decode_uints(text)
            for d in postings:
                count = next(numbers)
                got = []
                prev = -1
                for _ in range(count):
                    prev = prev + 1 + next(numbers)
                    got.append(prev)
                if d == num:
                    assert got == pos, term
                    break
        for term, _ in prepare(record).terms:
            assert num in decode_postings(shards[term]), term


def _js_object(text: str) -> dict[str, str]:
    return {k.encode().decode("unicode_escape"): v for k, v in re.findall(r'"((?:[^"\\]|\\.)*)":"([^"]*)"', text)}


# ---------------------------------------------------------------------------
# Words, stems and numbers: Python and JavaScript agree, and agree with SQLite


def _vocabulary() -> list[str]:
    vocab: set[str] = set()
    with open_store(demo_store(), readonly=True) as store:
        for record in store.iter_records():
            vocab.update(words(record.get("body") or ""))
    if CORPUS.exists():
        for path in sorted((CORPUS / "cablegate-html").glob("*"))[:150]:
            vocab.update(words(path.read_text("utf-8", "replace")))
    rnd = random.Random(7)
    letters = "aeiouybcdlmnrstwxzgkpé"
    vocab.update("".join(rnd.choice(letters) for _ in range(rnd.randint(1, 12))) for _ in range(20_000))
    vocab.update(["eed", "ied", "aed", "sses", "ies", "ss", "s", "ying", "ñed", "a" * 70, "é" * 40, "ϐϑing"])
    return sorted(vocab)


def test_the_stemmer_is_sqlites() -> None:
    vocab = _vocabulary()
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='porter unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    for i in range(0, len(vocab), 2000):
        chunk = vocab[i : i + 2000]
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t(rowid, a) VALUES (1, ?)", (" ".join(chunk),))
        got = [r[0] for r in conn.execute("SELECT term FROM v ORDER BY offset")]
        mine = [stem(w) for w in words(" ".join(chunk))]
        assert got == mine


def test_javascript_stems_and_words_are_pythons() -> None:
    vocab = _vocabulary()
    texts = ["Élection e-mail, 12:30", "İstanbul ŒUVRE straße ﬁne µ ſ ς ᏸ", "naïve café, São Paulo's Ǡ",
             "x\u0301y \u0300z", "日本語のテキスト 漢字", "مرحبا бы", "\ue000private\ue001", "\U0001d400\U0001d7ce ok"]
    out = run_node([{"kind": "stem", "words": vocab}, {"kind": "words", "texts": texts}])
    assert out[0] == [stem(w) for w in vocab]
    assert out[1] == [words(t) for t in texts]


def test_javascript_folds_every_letter_as_python_does() -> None:
    chars = [chr(cp) for cp in range(0x80, 0x30000)
             if not 0xD800 <= cp <= 0xDFFF and _classify(chr(cp)) == 0 and unicodedata.category(chr(cp)) != "Cn"]
    got = run_node([{"kind": "fold", "chars": chars}])[0]
    differ = [(c, g, _fold_char(c)) for c, g in zip(chars, got) if g != _fold_char(c)]
    assert differ == [], differ[:20]


def test_codec_round_trips_in_python_and_javascript() -> None:
    rnd = random.Random(3)
    lists = [[], [0], [5], [0, 1, 2, 3], [7, 8, 9, 40, 41, 1000, 1001, 1002, 1003, 2**20, 2**31 - 1]]  # document numbers are int32
    for _ in range(200):
        n = rnd.randint(1, 300)
        lists.append(sorted(rnd.sample(range(rnd.choice([400, 5000, 10**6])), n)))
    texts = [encode_postings(docs) for docs in lists]
    for docs, text in zip(lists, texts):
        assert decode_postings(text) == docs
    dense = sorted(random.Random(5).sample(range(900), 600))
    texts.append(encode_bitmap(dense, 900))
    lists.append(dense)
    assert decode_postings(texts[-1]) == dense
    assert run_node([{"kind": "postings", "texts": texts}])[0] == lists
    a = encode_postings([3, 4, 5, 6, 9])
    b = encode_postings([12, 13, 20])
    assert decode_postings(a + rebase(b, 12, 9)) == [3, 4, 5, 6, 9, 12, 13, 20]
    assert list(decode_uints(encode_positions([0, 5, 6, 700, 40000]))) == [5, 0, 4, 0, 693, 39299]


def test_parser_agrees_on_stopwords_and_canonical_queries() -> None:
    queries = ["the", "the election", '"the"', "a OR b", "-the", "(the)", "of and", "tag:PGOV the"]
    got = run_node([{"kind": "parse", "q": q, "stopwords": sorted(STOPWORDS)} for q in queries])
    for q, g in zip(queries, got):
        try:
            parse_query(q)
            assert g == {"ok": True}, q
        except QuerySyntaxError as exc:
            assert g.get("error") == exc.message, q
