"""Hypothesis strategies for query trees and for records they can be run against.

Trees are built only through the normalising constructors and ``build_filter`` so
that they are in the parser's normal form (what the round-trip property needs).
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from cablemirror.search import CABLE_FIELDS, DateRange, Phrase, QuerySyntaxError, Term, build_filter, conj, disj, negate
from cablemirror.search.fields import CLASSIFICATIONS
from cablemirror.search.nodes import EmptyDateRange
from cablemirror.search.query import MIN_PREFIX
from cablemirror.search.text import words

# A small vocabulary so that generated queries often hit generated records.
VOCAB = ["iran", "election", "elect", "electoral", "civil", "society", "almaty", "embassy", "cafe", "vote", "2005", "x1"]
VOCAB_WITH_STOPWORDS = VOCAB + ["the", "or", "not", "and"]

any_word = st.text(min_size=1, max_size=8).map(words).filter(bool).map(lambda ws: ws[0])
word = st.one_of(st.sampled_from(VOCAB_WITH_STOPWORDS), any_word)


def _prefix_ok(w: str) -> bool:
    return len(w) >= MIN_PREFIX


term = st.builds(lambda w, p: Term(w, p and _prefix_ok(w)), word, st.booleans())
phrase = st.builds(
    lambda ws, p: Phrase(tuple(ws), p and _prefix_ok(ws[-1])), st.lists(word, min_size=2, max_size=4), st.booleans()
)


def _field(name: str, raw: str, op: str = ":"):
    try:
        return build_filter(CABLE_FIELDS, name, raw, op)
    except QuerySyntaxError:
        return None


days = st.dates(min_value=date(1966, 1, 1), max_value=date(2011, 12, 31))


@st.composite
def date_range(draw):
    start = draw(st.none() | days)
    end = draw(st.none() | days)
    if start is None and end is None:
        start = draw(days)
    if start and end and start > end:
        start, end = end, start
    field = draw(st.sampled_from(["date", "released"]))
    return DateRange(start.isoformat() if start else None, end.isoformat() if end else None, field)


tag_values = st.sampled_from(["PGOV", "PREL", "KDEM", "PHUM", "KZ", "pgov"]) | st.text(
    alphabet=st.characters(blacklist_categories=("Z", "Cc", "Cs")), min_size=1, max_size=6
)
field_node = st.one_of(
    st.builds(_field, st.just("tag"), tag_values),
    st.builds(_field, st.just("caption"), st.sampled_from(["SIPDIS", "NOFORN", "EXDIS"])),
    st.builds(_field, st.just("class"), st.sampled_from([*CLASSIFICATIONS, "secret", "noforn", "fouo", "lou"])),
    st.builds(_field, st.sampled_from(["origin", "subject"]), st.lists(word, min_size=1, max_size=3).map(" ".join)),
    st.builds(_field, st.sampled_from(["id", "ref"]), st.sampled_from(["05ALMATY2985", "05almaty002985", "09STATE1", "06TALLINN12"])),
    st.builds(lambda name, w: _field_prefix(name, w), st.sampled_from(["origin", "subject", "tag", "id"]), st.sampled_from(["el", "emb", "PG", "05ALMATY"])),
).filter(lambda n: n is not None)


def _field_prefix(name: str, w: str):
    try:
        return build_filter(CABLE_FIELDS, name, w, prefix=True)
    except QuerySyntaxError:
        return None


text_leaf = st.one_of(term, phrase)
leaf = st.one_of(term, term, phrase, field_node, date_range())


def _safe(fn):
    def call(xs):
        try:
            return fn(*xs)
        except EmptyDateRange:
            return None

    return call


def trees(leaves=leaf, max_leaves: int = 12):
    return st.recursive(
        leaves,
        lambda kids: st.one_of(
            st.lists(kids, min_size=2, max_size=4).map(_safe(conj)),
            st.lists(kids, min_size=2, max_size=4).map(_safe(disj)),
            kids.map(negate),
        ),
        max_leaves=max_leaves,
    ).filter(lambda n: n is not None)


text_trees = trees(text_leaf)

# For checking meaning against generated records: words that records contain.
vocab_word = st.sampled_from(VOCAB)
vocab_term = st.builds(lambda w, p: Term(w, p and _prefix_ok(w)), vocab_word, st.booleans()) | st.sampled_from(
    [Term("el", True), Term("ir", True), Term("civ", True)]
)
vocab_phrase = st.builds(lambda a, b, p: Phrase((a, b), p), vocab_word, vocab_word, st.booleans())
vocab_leaf = st.one_of(vocab_term, vocab_term, vocab_term, vocab_phrase, field_node, date_range())
