"""The word-level diff behind /api/v1/cables/{id}/diff."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablemirror.store import open_store
from cablemirror.web.worddiff import MAX_WORDS, word_diff


def _side(ops: list[dict], skip: str) -> str:
    return "".join(op["text"] for op in ops if op["op"] != skip)


def test_replaced_word():
    d = word_diff("the embassy met the minister", "the embassy met the deputy minister")
    assert d["ops"] == [
        {"op": "equal", "text": "the embassy met the "},
        {"op": "insert", "text": "deputy "},
        {"op": "equal", "text": "minister"},
    ]
    assert (d["inserted"], d["deleted"], d["equal"]) == (1, 0, 5)
    d = word_diff("A B C", "A X C")
    assert [op["op"] for op in d["ops"]] == ["equal", "delete", "insert", "equal"]


def test_rewrapping_is_not_a_change():
    a = "1. (C) The ambassador\nmet the minister on\nMonday."
    b = "1. (C) The ambassador met\nthe minister on Monday."
    d = word_diff(a, b)
    assert d["inserted"] == d["deleted"] == 0
    assert d["ops"] == [{"op": "equal", "text": b}]


def test_empty_sides():
    assert word_diff("", "") == {"ops": [], "inserted": 0, "deleted": 0, "equal": 0}
    assert word_diff("", "new text")["ops"] == [{"op": "insert", "text": "new text"}]
    assert word_diff("old text", "")["ops"] == [{"op": "delete", "text": "old text"}]


@settings(max_examples=200, deadline=None)
@given(
    a=st.lists(st.sampled_from(["alpha", "beta", "gamma", "XXXXXX", "¶1.", "(C)", "é"]), max_size=40),
    b=st.lists(st.sampled_from(["alpha", "beta", "delta", "XXXXXX", "¶2.", "(S)", "é"]), max_size=40),
    sep=st.sampled_from([" ", "\n", "  ", " \n"]),
)
def test_each_side_is_given_back_word_for_word(a, b, sep):
    ta, tb = sep.join(a), sep.join(b)
    d = word_diff(ta, tb)
    assert _side(d["ops"], "delete").split() == tb.split()
    assert _side(d["ops"], "insert").split() == ta.split()
    assert d["equal"] + d["inserted"] == len(b) and d["equal"] + d["deleted"] == len(a)
    assert all(x["op"] != y["op"] for x, y in zip(d["ops"], d["ops"][1:]))  # runs are merged


@pytest.mark.corpus
def test_real_bodies_with_changes(corpus_store):
    """A real body against itself with some words redacted: exactly those words differ."""
    with open_store(str(corpus_store), readonly=True) as store:
        body = max((store.get_cable(cid)["body"] for cid, _ in store.iter_ids()), key=len)
    words = body.split()
    assert len(words) > 2000
    rng = random.Random(7)
    hidden = sorted(rng.sample(range(len(words)), 25))
    changed = list(words)
    for i in hidden:
        changed[i] = "XXXXXXXXXXXX"
    d = word_diff(body, " ".join(changed))
    assert d["inserted"] == d["deleted"] <= 25 + 5
    assert d["deleted"] >= 20
    assert _side(d["ops"], "delete").split() == changed


def test_too_long_is_refused():
    with pytest.raises(ValueError, match="too long"):
        word_diff("a " * (MAX_WORDS // 2 + 1), "b " * (MAX_WORDS // 2 + 1))
