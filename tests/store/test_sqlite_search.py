"""Full-text search: totals, ranking, snippets, paragraphs, and hostile input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cablemirror.store import HIT_MARKS, StoreError
from cablemirror.store.base import Store

from .factories import make_pair


@pytest.fixture
def filled(store: Store) -> Store:
    store.store_batch(
        [
            make_pair("09S1", title="ICELAND: PEACEKEEPING", subject="ICELAND: PEACEKEEPING",
                      paragraphs=[(1, "C", "THE MINISTER DISCUSSED WHALING QUOTAS."),
                                  (2, "C", "THE EMBASSY RAN A CAFÉ FOR RUNNING DIPLOMATS.")]),
            make_pair("09S2", title="FISHERIES TALKS", subject="FISHERIES TALKS",
                      paragraphs=[(1, "U", "PEACEKEEPING WAS NOT DISCUSSED."),
                                  (2, "U", "THE U.S. DELEGATION MET AT NOON.")]),
            make_pair("09S3", title="GRAIN", subject="GRAIN", tags=["EAGR", "PREL"],
                      paragraphs=[(None, None, "PREAMBLE ABOUT ICEBREAKERS"), (1, "C", "NOTHING ELSE.")]),
        ]
        + [make_pair(f"09BULK{i}", title=f"BULK {i}", subject=f"BULK {i}",
                     paragraphs=[(1, "C", f"COMMON WORD NUMBER {i}")]) for i in range(30)]
    )
    return store


def test_total_is_exact_and_pages_are_consistent(filled: Store) -> None:
    page = filled.search("common")
    assert page.total == 30 and len(page.hits) == 20
    ids = [h.id for h in page.hits]
    rest = filled.search("common", offset=20)
    assert rest.total == 30 and len(rest.hits) == 10
    assert not set(ids) & {h.id for h in rest.hits}
    assert filled.search("common", limit=0).hits == [] and filled.search("common", limit=0).total == 30
    assert filled.search("common", offset=100).hits == []


def test_title_match_ranks_above_body_match(filled: Store) -> None:
    page = filled.search("peacekeeping")
    assert page.total == 2
    assert [h.id for h in page.hits] == ["09S1", "09S2"]
    assert page.hits[0].score > page.hits[1].score


def test_hit_fields_snippet_and_paragraph(filled: Store) -> None:
    [hit] = filled.search("whaling").hits
    assert (hit.id, hit.title, hit.created, hit.origin, hit.classification) == (
        "09S1", "ICELAND: PEACEKEEPING", "2009-01-26T07:15:00", "Embassy Testville", "CONFIDENTIAL")
    assert f"{HIT_MARKS[0]}WHALING{HIT_MARKS[1]}" in hit.snippet
    assert hit.paragraph == 1
    assert filled.search("diplomats").hits[0].paragraph == 2
    assert filled.search("icebreakers").hits[0].paragraph is None  # before paragraph 1
    assert filled.search("eagr").hits[0].paragraph is None  # matched in tags only


def test_caller_chosen_marks(filled: Store) -> None:
    [hit] = filled.search("whaling", marks=("\x02", "\x03")).hits
    assert "\x02WHALING\x03" in hit.snippet


def test_stemming_diacritics_prefix_and_phrases(filled: Store) -> None:
    assert {h.id for h in filled.search("run").hits} == {"09S1"}  # porter: RAN is not RUN, RUNNING is
    assert filled.search("cafe").total == 1 and filled.search("CAFÉ").total == 1
    assert filled.search("fisher*").total == 1
    assert filled.search('"whaling quotas"').total == 1
    assert filled.search('"quotas whaling"').total == 0
    assert filled.search("minister whaling").total == 1  # all words must match
    assert filled.search("minister fisheries").total == 0
    assert filled.search("u.s.").total == 1  # a phrase of U and S


HOSTILE = [
    "", " ", '"', '""', '"""', "AND", "OR", "NOT", "a AND", "AND OR NOT", "*", "**", "a*b", "^a", "-a", "+",
    "NEAR(", "NEAR(a b", "NEAR(a, b)", "(", ")", "((a)", "a)", "title:", "title:peacekeeping", "{title}: a",
    "a:b:c", "'", "';DROP TABLE cables;--", "\\", "\x00", "\x00peacekeeping", "é", "日本", "🙂", "\udce9",
    "a" * 5000, " ".join(["x"] * 500), "peacekeeping\t\n", "peace-keeping", "%", "_", "?", "[a]", "{a b}",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_crash(filled: Store, query: str) -> None:
    page = filled.search(query)
    assert page.total >= 0 and len(page.hits) <= page.total


def test_operator_words_are_searched_as_words(store: Store) -> None:
    store.store_batch([make_pair("09OPS1", paragraphs=[(1, "C", "BLACK AND WHITE OR GREY, NOT NEAR")])])
    for q in ("AND", "OR", "NOT", "NEAR", "black AND white", "(black white)", "white^ -grey"):
        assert store.search(q).total == 1, q
    assert store.search("black OR purple").total == 0  # OR is a word, not an operator


def test_empty_and_wordless_queries_match_nothing(filled: Store) -> None:
    for q in ("", "   ", "*", '""', "()", "--"):
        assert filled.search(q).total == 0


def test_bad_paging_is_a_store_error(filled: Store) -> None:
    with pytest.raises(StoreError, match="limit and offset"):
        filled.search("common", limit=-1)
    with pytest.raises(StoreError, match="limit and offset"):
        filled.search("common", offset=-5)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_any_text_is_a_valid_query(filled: Store, query: str) -> None:
    page = filled.search(query)
    assert page.total >= 0


def test_search_on_an_empty_store(store: Store) -> None:
    assert store.search("anything").total == 0
