"""Store.query over a generated collection, checked against the reference evaluator.

The expected results come from ``cablemirror.search.evaluate.matches`` and plain
Python counting over the records that were stored, never from the store itself.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cablemirror.demo import GENERATED_MARK as DEMO_MARK
from cablemirror.model import Cable
from cablemirror.search import QuerySyntaxError, matches, parse_query
from cablemirror.store import HIT_MARKS, StoreError, open_store
from cablemirror.store.base import Store
from cablemirror.store.derived import GENERATED_MARK

from . import querydata
from .conftest import Locations
from .querydata import Corpus, facet_values, record_of

CORPUS = querydata.build()
W = CORPUS.words
ALL = 10_000


@pytest.fixture(scope="module")
def store(module_db: Locations) -> Iterator[Store]:
    s = open_store(module_db("query"))
    for i in range(0, len(CORPUS.pairs), 50):
        s.store_batch(CORPUS.pairs[i : i + 50])
    yield s
    s.close()


def expected(q: str, corpus: Corpus = CORPUS) -> list[Cable]:
    root = parse_query(q).root
    return [c for c in corpus.cables if matches(root, record_of(c))]


def facet_counts(cables: list[Cable]) -> dict[str, list[tuple[str, int]]]:
    counters: dict[str, Counter[str]] = {n: Counter() for n in ("origin", "year", "classification", "tag")}
    for c in cables:
        for name, values in facet_values(c).items():
            counters[name].update(values)
    return {n: sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0])) for n, cnt in counters.items()}


def test_the_vocabulary_is_stem_free() -> None:
    assert len(W) >= 20, "too few generated words survive porter unchanged"


def _queries() -> list[str]:
    cited = next(r.id for c in CORPUS.cables for r in c.references if r.id and not r.id.startswith(("02", "03", "01")))
    some = CORPUS.cables[10].id
    padded = some[:2] + some[2:].rstrip("0123456789") + "000" + some[len(some[2:].rstrip("0123456789")) + 2 :]
    return [
        "",
        W[0], W[1], W[-1], W[-2].upper(), f"{W[0]} {W[5]}", f'"{W[0]} {W[1]}"', f'"{W[1]} {W[0]}"',
        f"{W[4]} OR {W[9]}", f"-{W[0]}", f"{W[1]} -{W[2]}", f"{W[3][:3]}*", f'"{W[0]} {W[2][:3]}"*',
        f"{W[0]} ({W[6]} OR {W[7]})", f"-{W[0]} -{W[1]}", f"{W[2]} OR -{W[3]}", f"NOT ({W[0]} OR {W[1]})",
        "origin:almaty", 'origin:"embassy kuala"', "origin:emb*", "origin:state", "-origin:almaty",
        'origin:"office almaty"', "origin:taipei", "origin:us*",
        "tag:PGOV", "tag:P*", "-tag:PGOV", "tag:(PGOV OR PREL)", "tag:pgov tag:prel", "tag:PINR", "tag:TW",
        "class:secret", "class:noforn", "class:fouo", "-class:secret", 'class:"secret//noforn"', "class:lou",
        "class:unclassified", "class:confidential -class:noforn",
        "caption:nodis", "-caption:sipdis", "caption:(exdis OR nodis)",
        "date:2005", "from:2005 to:2006-06", "date>2008", "date<2004", "-date:2005", "date:2007-03",
        "released:2011-08", "released<=2010-12", "-released:2011",
        "id:05ALMATY*", f"id:{some}", f"id:{padded}", "-id:05*", "id:04TAIPEI55",
        f"ref:{cited}", "ref:02ALMATY999", "ref:0*", "ref:04AITTAIPEI55", "-ref:0*",
        f"subject:{W[2]}", f'subject:"{W[2]} {W[3]}"', f"subject:{W[2][:3]}*", f"-subject:{W[0]}",
        f"{W[0]} OR tag:KDEM", f"-({W[1]} tag:PGOV)", f"{W[5]} origin:almaty from:2006",
        f"NOT {W[3]} class:confidential", f"({W[1]} OR origin:ankara) -tag:ECON", f"{W[0]} OR {W[1]} OR caption:exdis",
        f"{W[2]} released:2011-08-30",
    ]


QUERIES = _queries()


@pytest.mark.parametrize("q", QUERIES)
def test_results_and_facets_match_the_reference(store: Store, q: str) -> None:
    want = expected(q)
    page = store.query(q, limit=ALL, facet_limit=ALL)
    assert page.total == len(want)
    assert sorted(h.id for h in page.hits) == sorted(c.id for c in want)
    assert page.facets == facet_counts(want)


def test_ids_in_another_spelling_find_the_cable(store: Store) -> None:
    """Ids compare in canonical form: the release's 04TAIPEI55 is 04AITTAIPEI55 in a
    citation (which the reference evaluator, comparing spellings, does not know)."""
    assert [h.id for h in store.query("id:04AITTAIPEI55").hits] == ["04TAIPEI55"]
    assert [h.id for h in store.query("id:04aittaipei055").hits] == ["04TAIPEI55"]
    assert [h.id for h in store.query("ref:04TAIPEI55").hits] == ["05ALMATY9001"]
    assert [h.id for h in store.query("id:04AITTAIPEI*").hits] == ["04TAIPEI55"]
    assert store.cited_by("04TAIPEI55") == ["05ALMATY9001"]


def test_the_query_table_is_not_trivial() -> None:
    sizes = [len(expected(q)) for q in QUERIES]
    assert sum(1 for n in sizes if n == 0) <= 2  # nearly every query finds something
    assert sum(1 for n in sizes if 0 < n < len(CORPUS.pairs) // 2) >= len(QUERIES) // 2


def test_a_parsed_query_works_like_its_text(store: Store) -> None:
    q = f"{W[0]} tag:PGOV"
    assert store.query(parse_query(q), limit=ALL).hits == store.query(q, limit=ALL).hits


def test_facet_limit_keeps_the_top_values(store: Store) -> None:
    page = store.query("", facet_limit=3)
    full = facet_counts(CORPUS.cables)
    assert page.facets == {n: v[:3] for n, v in full.items()}
    assert store.query("", facets=("tag",)).facets.keys() == {"tag"}
    assert store.query(W[0], facets=()).facets == {}


# ---------------------------------------------------------------- order and pages


def _key(c: Cable) -> int:
    return [x.id for x in CORPUS.cables].index(c.id)  # keys follow the order of storing


def _nulls_first(v: str | None) -> tuple[bool, str]:
    return (v is not None, v or "")


SORT_KEYS = {
    "date": (lambda c: (_nulls_first(c.created), _key(c)), False),
    "-date": (lambda c: (_nulls_first(c.created), _key(c)), True),
    "released": (lambda c: (_nulls_first(c.released), _nulls_first(c.created), _key(c)), False),
    "-released": (lambda c: (_nulls_first(c.released), _nulls_first(c.created), _key(c)), True),
    "id": (lambda c: c.id, False),
}


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("q", ["", W[1], "tag:PGOV", f"{W[0]} OR origin:almaty"])
def test_sort_orders(store: Store, q: str, sort: str) -> None:
    key, reverse = SORT_KEYS[sort]
    want = [c.id for c in sorted(expected(q), key=key, reverse=reverse)]
    assert [h.id for h in store.query(q, sort=sort, limit=ALL).hits] == want


def test_relevance_is_best_first_and_date_order_without_words(store: Store) -> None:
    hits = store.query(W[0], limit=ALL).hits
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    # A word in the title outranks the same word in the body only.
    in_title = {c.id for c in CORPUS.cables if W[0].upper() in c.title.upper().split()}
    assert hits[0].id in in_title
    key, _ = SORT_KEYS["date"]
    assert [h.id for h in store.query("tag:PGOV", limit=ALL).hits] == [
        c.id for c in sorted(expected("tag:PGOV"), key=key)
    ]


@pytest.mark.parametrize("sort", ["relevance", "date", "-released", "id"])
@pytest.mark.parametrize("q", ["", W[0], f"-{W[1]} class:confidential"])
def test_pages_have_no_duplicates_and_no_gaps(store: Store, q: str, sort: str) -> None:
    full = [h.id for h in store.query(q, sort=sort, limit=ALL).hits]
    paged: list[str] = []
    offset = 0
    while True:
        page = store.query(q, sort=sort, limit=7, offset=offset)
        assert page.total == len(full)
        if not page.hits:
            break
        paged += [h.id for h in page.hits]
        offset += 7
    assert paged == full and len(set(paged)) == len(paged)


def test_bounded_relevance_over_big_results(store: Store) -> None:
    """Above rank_limit hits, title/subject hits come first, then the rest newest first."""
    q = W[0]
    want = {c.id for c in expected(q)}
    tops = {c.id for c in expected(q) if matches(parse_query(q).root, {"text": [c.title, c.subject]})}
    old = store.rank_limit  # type: ignore[attr-defined]
    try:
        store.rank_limit = 5  # type: ignore[attr-defined]
        store.clear_read_cache()  # type: ignore[attr-defined]
        full = [h.id for h in store.query(q, limit=ALL).hits]
        paged = [h.id for off in range(0, len(want), 9) for h in store.query(q, limit=9, offset=off).hits]
    finally:
        store.rank_limit = old  # type: ignore[attr-defined]
    assert set(full) == want and paged == full
    assert set(full[: len(tops)]) == tops
    rest = {c.id: c for c in CORPUS.cables if c.id in want and c.id not in tops}
    key, _ = SORT_KEYS["-date"]
    assert full[len(tops) :] == [c.id for c in sorted(rest.values(), key=key, reverse=True)]


# ---------------------------------------------------------------- hits


def test_hits_carry_snippet_paragraph_and_fields(store: Store) -> None:
    cable = next(c for c in CORPUS.cables if len(c.paragraphs) >= 2
                 and (only := set(c.paragraphs[1].text.split()) - set(c.paragraphs[0].text.split())
                      - set(c.subject.split())))
    word = sorted(only)[0].strip(".").lower()
    page = store.query(f"{word} id:{cable.id}")
    [hit] = page.hits
    assert (hit.id, hit.title, hit.created, hit.origin, hit.classification) == (
        cable.id, cable.title, cable.created, cable.origin, cable.classification)
    assert f"{HIT_MARKS[0]}{word.upper()}{HIT_MARKS[1]}" in hit.snippet
    assert hit.paragraph == 2
    [plain] = store.query(f"id:{cable.id}").hits
    assert plain.snippet == "" and plain.paragraph is None
    [marked] = store.query(f"{word} id:{cable.id}", marks=("<b>", "</b>")).hits
    assert f"<b>{word.upper()}</b>" in marked.snippet


def test_excluded_words_are_not_marked(store: Store) -> None:
    page = store.query(f"{W[0]} -{W[-1]}", limit=5)
    assert page.hits and all(W[-1].upper() not in h.snippet for h in page.hits)


def test_hits_matched_by_a_field_alone_have_no_snippet(store: Store) -> None:
    q = f"{W[-1]} OR tag:KDEM"
    for hit in store.query(q, limit=ALL).hits:
        cable = next(c for c in CORPUS.cables if c.id == hit.id)
        has_word = matches(parse_query(W[-1]).root, record_of(cable))
        assert bool(hit.snippet) == has_word


# ---------------------------------------------------------------- bad input


def test_malformed_query_raises_query_syntax_error(store: Store) -> None:
    for q in ['"civil society', "(iran OR iraq", "orgin:almaty", "from:2005-13", "tag:", "e*", "the of and"]:
        with pytest.raises(QuerySyntaxError):
            store.query(q)
        with pytest.raises(QuerySyntaxError):
            store.counts("tag", q)


def test_bad_arguments_are_store_errors(store: Store) -> None:
    for kwargs in ({"limit": -1}, {"offset": -3}, {"sort": "title"}, {"facets": ("colour",)}, {"limit": 1.5},
                   {"facet_limit": -2}):
        with pytest.raises(StoreError):
            store.query("", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        store.query(42)  # type: ignore[arg-type]


HOSTILE = [
    "", " ", '""', "AND", "OR", "NOT", "a AND", "*", "**", "a*b", "^a", "-a", "+", "NEAR(", "NEAR(a b", "(", ")",
    "((a)", "a)", "title:", "title:x", "{title}: a", "a:b:c", "'", "';DROP TABLE cables;--", "\\", "\x00",
    "\x00zorblat", "é", "日本", "🙂", "\udce9", "a" * 5000, " ".join(["x"] * 500), "peace-keeping", "%", "_",
    "?", "[a]", "{a b}", "id:'", "id:%", "ref:*", "tag:%", 'origin:"', "origin:'", "class:secret'", "tag:\U0010ffff*",
    "id:ZZ\U0010ffff", "subject:(a OR b)", "-(-(-a))", "(" * 40 + "a" + ")" * 40, "date:9999", "date>9999-12-30",
    "released<1000-01-02", "tag:P\ud7ff*", "x" * 2001,
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_give_results_or_a_syntax_error(store: Store, q: str) -> None:
    try:
        page = store.query(q)
    except QuerySyntaxError:
        return
    assert page.total >= 0 and len(page.hits) <= page.total


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list('ab"()-*: ORANDNOTtagid0519ZZ\x00é') + W[:3] + ["tag:", "id:", "ref:", " OR "]),
                max_size=25).map("".join))
def test_any_text_gives_results_or_a_syntax_error(store: Store, q: str) -> None:
    try:
        page = store.query(q, limit=3)
    except QuerySyntaxError:
        return
    assert page.total >= len(page.hits)


# ---------------------------------------------------------------- generated data


def test_generated_mark_matches_the_demo_generator() -> None:
    assert GENERATED_MARK == DEMO_MARK


def test_generated_cables_are_flagged(store: Store) -> None:
    assert store.get_cable("06STATE7777")["generated"] is True  # type: ignore[index]
    ordinary = store.get_cable(CORPUS.cables[0].id)
    assert ordinary is not None and "generated" not in ordinary
    assert ordinary == CORPUS.cables[0].to_dict()  # the record shape is unchanged
    sums = store.summaries(["06STATE7777", CORPUS.cables[0].id])
    assert sums["06STATE7777"]["generated"] is True and "generated" not in sums[CORPUS.cables[0].id]


def test_search_still_works(store: Store) -> None:
    """The plain-words search of the CLI keeps its meaning beside query()."""
    assert store.search(W[-1]).total == store.query(W[-1]).total
    assert store.search("OR").total == 0  # a word there, an operator here


def test_query_on_an_empty_store(new_db: Locations) -> None:
    with open_store(new_db("empty")) as s:
        page = s.query(W[0])
        assert (page.total, page.hits, page.facets) == (0, [], {"origin": [], "year": [], "classification": [], "tag": []})
        assert s.query("").total == 0


def test_results_follow_writes(new_db: Locations) -> None:
    """Cached totals and facets are dropped when the store changes."""
    from .factories import make_pair

    with open_store(new_db("w")) as s:
        s.store_batch([make_pair("09ALMATY1", subject="ONE", title="One")])
        assert s.query("").total == 1 and s.counts("origin") == [("Embassy Testville", 1)]
        s.store_batch([make_pair("09ALMATY2", subject="TWO", title="Two", origin="Embassy Other")])
        assert s.query("").total == 2
        assert s.counts("origin") == [("Embassy Other", 1), ("Embassy Testville", 1)]
        # A new version with another origin moves the cable between facet values.
        s.store_batch([make_pair("09ALMATY2", variant=1, subject="TWO", title="Two", origin="Embassy Testville",
                                 paragraphs=[(i, "C", "MORE TEXT") for i in range(1, 9)])])
        assert s.counts("origin") == [("Embassy Testville", 2)]
        assert s.query("origin:other").total == 0


def _ids(pages: list[Any]) -> list[str]:
    return [h.id for p in pages for h in p.hits]


def test_collection_totals_stay_exact_through_new_versions(new_db: Locations) -> None:
    """The empty query reads counts the writes keep; they must equal counting afresh."""
    import random

    from .factories import make_pair

    rng = random.Random(5)
    with open_store(new_db("t")) as s:
        for round_ in range(4):
            batch = []
            for i in rng.sample(range(60), 25):
                batch.append(make_pair(
                    f"09ANKARA{i + 1}", variant=round_, origin=rng.choice(["Embassy Ankara", "Embassy Other", None]),
                    classification=rng.choice(["SECRET", "CONFIDENTIAL", None]),
                    created=rng.choice(["2008-01-02T00:00:00", "2009-03-04T00:00:00", None]),
                    tags=rng.sample(["PGOV", "PREL", "TU", "pgov"], rng.randint(0, 3)),
                    # more paragraphs each round: the new version becomes current
                    paragraphs=[(p, "C", f"TEXT {round_}") for p in range(1, round_ + 2)],
                ))
            s.store_batch(batch)
            everything = s.query("", facet_limit=100, limit=0)
            counted = s.query("-id:ZZ*", facet_limit=100, limit=0)  # the same set, counted row by row
            assert (everything.total, everything.facets) == (counted.total, counted.facets)
            assert s.histogram() == s.histogram("-id:ZZ*")
            assert s.collections()[0]["count"] == counted.total


@pytest.mark.parametrize("q", ["", W[0], f'"{W[0]} {W[1]}"', f"{W[0]} {W[2]}", f"{W[1][:3]}*", "tag:PGOV",
                               f"{W[2]} OR tag:KDEM", f"-{W[0]}", "class:secret from:2005"])
def test_each_facet_alone_counts_as_with_the_others(store: Store, q: str) -> None:
    both = store.query(q, facet_limit=ALL, limit=0)
    for name in ("origin", "year", "classification", "tag"):
        alone = store.query(q, facets=(name,), facet_limit=ALL, limit=0)
        assert (alone.total, alone.facets) == (both.total, {name: both.facets[name]})
    none = store.query(q, facets=(), limit=0)
    assert (none.total, none.facets) == (both.total, {})
