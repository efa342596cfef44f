"""FTS5: every compiled expression is valid FTS5, and means what the evaluator says."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cablemirror.search import (
    And,
    Field,
    Not,
    Or,
    QuerySyntaxError,
    TextMatch,
    fts5_expression,
    matches,
    parse_query,
    plan_fts5,
    to_fts5,
)
from cablemirror.search.text import words

from . import sqlite_reference as ref
from .strategies import VOCAB, text_trees, trees, vocab_leaf
from .test_roundtrip import query_text

COLUMNS = {"subject": "subject", "origin": "origin"}


@pytest.fixture(scope="module")
def fts():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, subject, origin)")
    db.execute("INSERT INTO t VALUES ('civil society election', 'iran', 'embassy almaty')")
    return db


def _run(db, expression):
    db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


def _expressions(plan):
    out = [e for e in (plan.match, plan.exclude) if e is not None]
    stack = list(plan.mixed)
    while stack:
        n = stack.pop()
        if isinstance(n, TextMatch):
            out.append(n.expression)
        elif isinstance(n, Not):
            stack.append(n.child)
        elif isinstance(n, (And, Or)):
            stack.extend(n.children)
    return out


@settings(max_examples=800, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query_text)
def test_every_parsed_query_compiles_to_valid_fts5(fts, text):
    try:
        q = parse_query(text)
    except QuerySyntaxError:
        return
    for columns in (None, COLUMNS):
        for expression in _expressions(plan_fts5(q, columns)):
            _run(fts, expression)  # raises sqlite3.OperationalError on bad syntax


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text_trees)
def test_any_text_tree_compiles(fts, tree):
    expression, negated = fts5_expression(tree)
    _run(fts, expression)
    assert to_fts5(tree) == (None if negated else expression)


EXAMPLES = [
    ("iran", '"iran"'),
    ("elect*", '"elect"*'),
    ('"civil society"', '"civil society"'),
    ('"civil soc"*', '"civil soc"*'),
    ("iran iraq", '("iran" AND "iraq")'),
    ("iran OR iraq", '("iran" OR "iraq")'),
    ("iran -iraq -syria", '("iran" NOT ("iraq" OR "syria"))'),
    ("iran (iraq OR -syria)", '("iran" NOT ("syria" NOT "iraq"))'),
    ("-iran", None),
    ('"or" "not" "and" near', '("or" AND "not" AND "and" AND "near")'),
]


@pytest.mark.parametrize("text,expected", EXAMPLES)
def test_to_fts5_examples(text, expected):
    assert to_fts5(parse_query(text)) == expected


def test_negations_fts5_cannot_say_alone():
    assert fts5_expression(parse_query("-iran -iraq").root) == ('("iran" OR "iraq")', True)
    assert fts5_expression(parse_query("iran OR -iraq").root) == ('("iraq" NOT "iran")', True)
    assert fts5_expression(parse_query("-iran OR -iraq").root) == ('("iran" AND "iraq")', True)
    assert fts5_expression(parse_query("iran (iraq OR -syria)").root) == ('("iran" NOT ("syria" NOT "iraq"))', False)


def test_fields_need_a_plan_or_a_column():
    q = parse_query("iran subject:election tag:PGOV")
    with pytest.raises(ValueError, match="plan_fts5"):
        to_fts5(q)
    with pytest.raises(ValueError, match="plan_fts5"):
        to_fts5(parse_query("iran subject:election"))
    assert to_fts5(parse_query("iran subject:elect*"), {"subject": "subject"}) == '("iran" AND (subject : "elect"*))'
    with pytest.raises(ValueError, match="column name"):
        to_fts5(q, {"subject": "sub ject"})


def test_plan_splits_text_filters_and_mixed():
    p = plan_fts5(parse_query('iran "civil society" -tag:PGOV from:2005 (election OR tag:KDEM) -(vote class:secret)'))
    assert p.match == '("iran" AND "civil society")'
    assert p.exclude is None
    assert [str(f) for f in p.filters] == ["-tag:PGOV", "from:2005"]
    assert p.mixed == (
        Or((TextMatch('"election"'), Field("tag", "KDEM"))),
        Not(And((TextMatch('"vote"'), Field("class", "SECRET")))),
    )
    only_negative = plan_fts5(parse_query("-iran -iraq tag:PGOV"))
    assert (only_negative.match, only_negative.exclude) == (None, '("iran" OR "iraq")')
    assert plan_fts5(parse_query("")).is_everything


# ---------------------------------------------------------------------------
# Meaning: the plan run by SQLite finds exactly the records the evaluator accepts.

SPELLINGS = {"cafe": ["café", "CAFE", "Café"], "election": ["Election", "ÉLECTION", "election"]}
body_word = st.sampled_from(VOCAB).flatmap(lambda w: st.sampled_from(SPELLINGS.get(w, [w, w.upper()])))
separator = st.sampled_from([" ", "  ", ", ", ". ", "-", "\n", " the "])


@st.composite
def text_value(draw, max_words=8):
    ws = draw(st.lists(body_word, max_size=max_words))
    out = ""
    for w in ws:
        out += w + draw(separator)
    return out


@st.composite
def record(draw):
    day = st.dates(min_value=date(1966, 1, 1), max_value=date(2011, 12, 31)).map(lambda d: d.isoformat() + "T10:00:00")
    subject = draw(st.none() | text_value(max_words=4))
    origin = draw(st.none() | st.sampled_from(["Embassy Almaty", "US Office Almaty", "Embassy Tehran", "Secretary of State"]))
    return {
        "text": [draw(text_value()), subject or "", origin or ""],
        "subject": subject,
        "origin": origin,
        "tag": draw(st.lists(st.sampled_from(["PGOV", "PREL", "KDEM", "PHUM", "KZ"]), max_size=3, unique=True)),
        "caption": draw(st.lists(st.sampled_from(["SIPDIS", "NOFORN", "EXDIS"]), max_size=2, unique=True)),
        "class": draw(st.none() | st.sampled_from(["SECRET", "SECRET//NOFORN", "CONFIDENTIAL", "UNCLASSIFIED"])),
        "date": draw(st.none() | day),
        "released": draw(st.none() | day),
        "id": draw(st.sampled_from(["05ALMATY2985", "09STATE1", "06TALLINN12", "05ALMATY3001"])),
        "ref": draw(st.lists(st.sampled_from(["05ALMATY2985", "09STATE1", "06TALLINN12"]), max_size=2, unique=True)),
    }


RECORDS = [
    {"text": ["Iran election observers", "ELECTION IN IRAN", "Embassy Tehran"], "subject": "ELECTION IN IRAN",
     "origin": "Embassy Tehran", "tag": ["PGOV", "KDEM"], "class": "SECRET//NOFORN", "date": "2005-08-18T13:06:00",
     "id": "05TEHRAN12", "ref": ["05ALMATY2985"], "caption": ["NOFORN"]},
    {"text": ["civil society in Almaty, harassment", "CIVIL SOCIETY", "Embassy Almaty"], "subject": "CIVIL SOCIETY",
     "origin": "Embassy Almaty", "tag": ["PHUM"], "class": "CONFIDENTIAL", "date": "2005-12-31T23:00:00",
     "id": "05ALMATY2985", "ref": [], "caption": ["SIPDIS"]},
    {"text": ["electoral code; the vote", "", "US Office Almaty"], "subject": None, "origin": "US Office Almaty",
     "tag": ["KDEM", "KZ"], "class": "UNCLASSIFIED", "date": "2006-01-01T00:00:00", "id": "06ALMATY1", "ref": ["05ALMATY2985"]},
    {"text": ["café society", "", ""], "class": None, "date": None, "id": "09STATE1", "tag": []},
    {"text": ["vote iran", "VOTE", "Secretary of State"], "subject": "VOTE", "origin": "Secretary of State",
     "tag": ["PREL"], "class": "SECRET", "date": "2009-06-15T10:00:00", "released": "2011-08-30T00:00:00",
     "id": "09STATE2", "ref": ["09STATE1", "05TEHRAN12"]},
    {"text": ["nothing relevant", "", ""], "class": "CONFIDENTIAL//NOFORN", "date": "2004-02-29T12:00:00", "id": "04X1"},
]

QUERIES = [
    "iran", "Iran election", "iran -election", "-iran", "-iran -election", "iran OR vote", "iran OR -vote",
    "-iran OR -vote", "(iran OR vote) -election", "iran (election OR -vote)", '"civil society"', '"civil soc"*',
    "elect*", "-elect*", "cafe", "CAFÉ", 'subject:"civil society"', "subject:elect*", "origin:almaty",
    '-origin:"embassy almaty"', "tag:KDEM", "tag:P*", "-tag:KDEM", "tag:(PGOV OR PREL)", "class:secret",
    "-class:secret", "class:noforn", 'class:"secret//noforn"', "class:unclassified", "from:2005", "to:2005",
    "from:2005 to:2005", "date:2005-08", "-date:2005", "released:2011", "-released:2011", "id:05ALMATY*",
    "id:05almaty002985", "ref:05ALMATY2985", "cites:05TEHRAN12", "caption:noforn", "election OR tag:PREL",
    "-(iran tag:PGOV)", "vote OR (society -tag:PHUM)", "(iran OR tag:PHUM) -class:secret", "iran OR -tag:PGOV",
    "-(election OR from:2006)", "society OR -(vote OR tag:KDEM)",
]


@pytest.mark.parametrize("use_columns", [False, True])
@pytest.mark.parametrize("text", QUERIES)
def test_plan_on_fixed_records(text, use_columns):
    db = ref.connect()
    for i, rec in enumerate(RECORDS, 1):
        ref.insert(db, i, rec)
    root = parse_query(text).root
    expected = {i for i, rec in enumerate(RECORDS, 1) if matches(root, rec)}
    assert ref.search(db, root, COLUMNS if use_columns else None) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("iran -election", {5}),
        ("iran OR -vote", {1, 2, 4, 5, 6}),  # record 3 says "vote"; 5 says vote but also iran
        ("-class:secret", {2, 3, 4, 6}),  # unknown classification (4) is not secret
        ("class:secret", {1, 5}),
        ("class:noforn", {1, 6}),
        ("-date:2005", {3, 4, 5, 6}),  # unknown date (4) is not in 2005
        ("from:2005 to:2005", {1, 2}),
        ("tag:P*", {1, 2, 5}),
        ("cafe", {4}),
        ("elect*", {1, 3}),
        ('subject:"civil society"', {2}),
    ],
)
def test_evaluator_meaning(text, expected):
    root = parse_query(text).root
    assert {i for i, rec in enumerate(RECORDS, 1) if matches(root, rec)} == expected


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(record(), min_size=1, max_size=20), trees(vocab_leaf, max_leaves=8), st.booleans())
def test_plan_means_what_the_evaluator_says(records, tree, use_columns):
    db = ref.connect()
    for i, rec in enumerate(records, 1):
        ref.insert(db, i, rec)
    expected = {i for i, rec in enumerate(records, 1) if matches(tree, rec)}
    assert ref.search(db, tree, COLUMNS if use_columns else None) == expected, str(tree)


def test_words_fold_like_the_fts5_tokenizer():
    """The query side cuts and folds words exactly as unicode61/remove_diacritics 2 does."""
    samples = [
        "Élection présidentielle à Almaty: l'opposition (harcèlement) 12:30 e-mail U.S.",
        "ÀÉÎÕÜ àéîõü Çç Ññ Ÿÿ Åå Øø Łł Đđ ß Æ æ Œ œ",
        "SUBJECT: KAZAKHSTAN/ELECTIONS; REF: A) 05 ALMATY 2985 ¶1. (C) x_y 1.4(b) 5,000",
        "naïve coöperate façade São Paulo Bogotá Reykjavík Zürich",
    ]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    for i, s in enumerate(samples, 1):
        db.execute("INSERT INTO t(rowid, a) VALUES (?, ?)", (i, s))
        tokens = [r[0] for r in db.execute("SELECT term FROM v WHERE doc = ? ORDER BY offset", (i,))]
        assert words(s) == tokens, s


# Scripts whose letters were all in Unicode 6.1 (unicode61's tables): Latin, Greek,
# Cyrillic, Hebrew, Arabic letters, kana, Hangul syllables, CJK.
SCRIPTS = [(0x20, 0x250), (0x1E00, 0x1F00), (0x386, 0x38B), (0x38E, 0x3A2), (0x3A3, 0x3CF), (0x400, 0x500),
           (0x5D0, 0x5EB), (0x621, 0x64B), (0x3041, 0x3097), (0x30A0, 0x3100), (0xAC00, 0xD7A4), (0x4E00, 0x5000)]
script_chars = st.sampled_from([chr(cp) for a, b in SCRIPTS for cp in range(a, b)])


def _fts_tokens(texts):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    db.executemany("INSERT INTO t(rowid, a) VALUES (?, ?)", list(enumerate(texts, 1)))
    out = {i: [] for i in range(1, len(texts) + 1)}
    for doc, term in db.execute("SELECT doc, term FROM v ORDER BY doc, offset"):
        out[doc].append(term)
    return [out[i] for i in range(1, len(texts) + 1)]


def test_every_character_folds_like_the_fts5_tokenizer():
    chars = [chr(cp) for a, b in SCRIPTS for cp in range(a, b)]
    texts = [f"x{c}y {c}{c.upper()} {c}" for c in chars]
    for text, tokens in zip(texts, _fts_tokens(texts)):
        assert words(text) == tokens, ascii(text)


@settings(max_examples=300)
@given(st.lists(script_chars | st.sampled_from(list(" -'.,:;()\n\t\u00a0\u0301")), max_size=30).map("".join))
def test_text_folds_like_the_fts5_tokenizer(text):
    assert words(text) == _fts_tokens([text])[0]
