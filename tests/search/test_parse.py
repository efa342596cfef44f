"""Queries -> trees: the language, construct by construct."""

from __future__ import annotations

import pytest

from cablemirror.search import (
    REPORT_FIELDS,
    And,
    DateRange,
    Field,
    Not,
    Or,
    Phrase,
    Term,
    parse_query,
)

T = Term
P = lambda *ws, prefix=False: Phrase(tuple(ws), prefix)  # noqa: E731

CASES = [
    # words: implicit AND, case and diacritics folded
    ("harassment opposition", And((T("harassment"), T("opposition")))),
    ("Harassment", T("harassment")),
    ("Élection  CAFÉ", And((T("election"), T("cafe")))),
    ("über", T("uber")),
    # phrases, also in typographic quotes
    ('"civil society"', P("civil", "society")),
    ("\u201ccivil society\u201d", P("civil", "society")),
    ('"Civil   Society"', P("civil", "society")),
    ('"election"', T("election")),
    # exclusion
    ("iran -nuclear", And((T("iran"), Not(T("nuclear"))))),
    ('-"a phrase here"', Not(P("a", "phrase", "here"))),
    ("-tag:PGOV", Not(Field("tag", "PGOV"))),
    ("-(iran OR iraq)", Not(Or((T("iran"), T("iraq"))))),
    ("NOT iran", Not(T("iran"))),
    ("NOT NOT iran", T("iran")),
    # OR binds tighter than the implicit AND
    ("election OR vote", Or((T("election"), T("vote")))),
    ("kazakhstan election OR vote", And((T("kazakhstan"), Or((T("election"), T("vote")))))),
    ("election OR vote kazakhstan", And((Or((T("election"), T("vote"))), T("kazakhstan")))),
    ("(iran OR iraq) -nuclear", And((Or((T("iran"), T("iraq"))), Not(T("nuclear"))))),
    ("iran AND iraq", And((T("iran"), T("iraq")))),
    ("iran AND iraq OR syria", And((T("iran"), Or((T("iraq"), T("syria")))))),
    ("(iran iraq) OR syria", Or((And((T("iran"), T("iraq"))), T("syria")))),
    ("iran OR iraq OR syria", Or((T("iran"), T("iraq"), T("syria")))),
    ("iran OR (iraq OR syria)", Or((T("iran"), T("iraq"), T("syria")))),
    ("-iran OR iraq", Or((Not(T("iran")), T("iraq")))),
    # lower-case operators are words; "or" and "and" are too common to search
    ("election or vote", And((T("election"), T("vote")))),
    ('election "or" vote', And((T("election"), T("or"), T("vote")))),
    ("iran iran", T("iran")),
    # prefix
    ("elect*", T("elect", prefix=True)),
    ("elect**", T("elect", prefix=True)),
    ('"civil soc"*', P("civil", "soc", prefix=True)),
    ("the*", T("the", prefix=True)),
    # words with inner punctuation are phrases of their parts, like the index sees them
    ("e-mail", P("e", "mail")),
    ("12:30", P("12", "30")),
    ("U.S.", P("u", "s")),
    ("ICELAND: peacekeeping", And((T("iceland"), T("peacekeeping")))),
    ("http://example.org/x", P("http", "example", "org", "x")),
    ("+iran", T("iran")),
    ("iran & iraq", And((T("iran"), T("iraq")))),
    # fields
    ('origin:"Embassy Almaty"', Field("origin", "embassy almaty")),
    ("origin:almaty", Field("origin", "almaty")),
    ("ORIGIN:Almaty", Field("origin", "almaty")),
    ("subject: iceland", Field("subject", "iceland")),
    ("subject:elect*", Field("subject", "elect", prefix=True)),
    ("tag:PGOV", Field("tag", "PGOV")),
    ("tag:pgov", Field("tag", "PGOV")),
    ("tags:PGOV", Field("tag", "PGOV")),
    ("tag:P*", Field("tag", "P", prefix=True)),
    ("tag:(PGOV OR PREL)", Or((Field("tag", "PGOV"), Field("tag", "PREL")))),
    ("tag:(PGOV -PREL)", And((Field("tag", "PGOV"), Not(Field("tag", "PREL"))))),
    ("class:secret", Field("class", "SECRET")),
    ('class:"CONFIDENTIAL//NOFORN"', Field("class", "CONFIDENTIAL//NOFORN")),
    ("class:confidential/noforn", Field("class", "CONFIDENTIAL//NOFORN")),
    ("classification:noforn", Field("class", "NOFORN")),
    ('class:"limited official use"', Field("class", "LIMITED OFFICIAL USE")),
    ("class:lou", Field("class", "LIMITED OFFICIAL USE")),
    ("class:fouo", Field("class", "UNCLASSIFIED//FOR OFFICIAL USE ONLY")),
    ("caption:nodis", Field("caption", "NODIS")),
    ("id:05ALMATY2985", Field("id", "05ALMATY2985")),
    ("id:05almaty002985", Field("id", "05ALMATY2985")),
    ("id:05ALMATY*", Field("id", "05ALMATY", prefix=True)),
    ("id:05ALMATY00*", Field("id", "05ALMATY00", prefix=True)),
    ("ref:05ALMATY2985", Field("ref", "05ALMATY2985")),
    ("cites:05ALMATY2985", Field("ref", "05ALMATY2985")),
    # dates: partial dates expand to the whole period, bounds are inclusive
    ("from:2005", DateRange("2005-01-01", None)),
    ("from:2005-08", DateRange("2005-08-01", None)),
    ("to:2009-12-31", DateRange(None, "2009-12-31")),
    ("to:2008-02", DateRange(None, "2008-02-29")),
    ("from:2005 to:2006-06", DateRange("2005-01-01", "2006-06-30")),
    ("to:2006-06 from:2005", DateRange("2005-01-01", "2006-06-30")),
    ("from:2005 from:2007", DateRange("2007-01-01", None)),
    ("date:2005-08", DateRange("2005-08-01", "2005-08-31")),
    ("created:2005", DateRange("2005-01-01", "2005-12-31")),
    ("date:2005/8/3", DateRange("2005-08-03", "2005-08-03")),
    ("date>2005", DateRange("2006-01-01", None)),
    ("date>=2005-03", DateRange("2005-03-01", None)),
    ("date<2005", DateRange(None, "2004-12-31")),
    ("date<=2005-03", DateRange(None, "2005-03-31")),
    ("released:2011-08", DateRange("2011-08-01", "2011-08-31", "released")),
    ("released>2010", DateRange("2011-01-01", None, "released")),
    ("date:(2005 OR 2007)", Or((DateRange("2005-01-01", "2005-12-31"), DateRange("2007-01-01", "2007-12-31")))),
    ("-(from:2005 to:2006)", Not(DateRange("2005-01-01", "2006-12-31"))),
    # the example
    (
        'harassment "civil society" -tag:PGOV origin:almaty from:2005 to:2006-06',
        And((
            T("harassment"),
            P("civil", "society"),
            Not(Field("tag", "PGOV")),
            Field("origin", "almaty"),
            DateRange("2005-01-01", "2006-06-30"),
        )),
    ),
]


@pytest.mark.parametrize("text,tree", CASES, ids=[c[0] for c in CASES])
def test_query_to_tree(text, tree):
    q = parse_query(text)
    assert q.root == tree
    assert parse_query(str(q)) == q


CANONICAL = [
    ("  harassment   opposition ", "harassment opposition"),
    ('origin:"Embassy Almaty"', 'origin:"embassy almaty"'),
    ("class:secret", "class:SECRET"),
    ("to:2009-12-31", "to:2009"),
    ("from:2005-01-01 to:2005-12-31", "date:2005"),
    ("from:2005-03-04 to:2005-03-04", "date:2005-03-04"),
    ("from:2005 x to:2006", "from:2005 to:2006 x"),
    ("(from:2005 to:2006) OR x", "(from:2005 to:2006) OR x"),
    ("released>2010-06-14", "released>=2010-06-15"),
    ("a b OR c", "b OR c"),  # "a" is too common to search
    ("(iran iraq) OR syria", "(iran iraq) OR syria"),
    ("NOT (iran OR iraq)", "-(iran OR iraq)"),
    ('"the" iran', '"the" iran'),
    ("kia:3 KIA>=1", "kia=3 kia>=1"),
    ("region:east", 'region:"RC EAST"'),
]


@pytest.mark.parametrize("text,canonical", CANONICAL)
def test_canonical_text(text, canonical):
    table = REPORT_FIELDS if "kia" in text or "region" in text else None
    q = parse_query(text, table) if table else parse_query(text)
    assert str(q) == canonical


def test_report_fields():
    q = parse_query('kia>2 civilian:0 region:east type:"Enemy  Action" attack:friend detained<=1', REPORT_FIELDS)
    assert q.root == And((
        Field("kia", "2", ">"),
        Field("civilian", "0", "="),
        Field("region", "RC EAST"),
        Field("type", "enemy action"),
        Field("attack", "FRIEND"),
        Field("detained", "1", "<="),
    ))
    assert parse_query(str(q), REPORT_FIELDS) == q


def test_ignored_words_are_reported():
    q = parse_query("the election of a president !!!")
    assert q.root == And((T("election"), T("president")))
    assert q.ignored == ("the", "of", "a", "!!!")


def test_empty_query():
    for text in ("", "   ", "\t\n"):
        q = parse_query(text)
        assert q.is_empty and q.root is None and str(q) == ""
