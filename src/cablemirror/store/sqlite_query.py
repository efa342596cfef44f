"""Compiling a parsed query (``cablemirror.search``) to SQL over the SQLite schema.

The query's plan (``search.plan_fts5``) has a full-text part and field conditions:

- ``Plan.match`` drives the query: ``FROM cables_fts JOIN facts x ON x.key = rowid
  WHERE cables_fts MATCH ?`` (rank and snippets come with it).  ``subject:`` is a
  column filter inside it (``subject : "civil society"``), so it is stemmed like
  the rest of the full text.
- everything else is a boolean over ``facts x`` (the narrow per-cable row):
  dates and released compare ISO strings with index-friendly ranges; ``origin:``
  and ``class:`` become lists of label ids, looked up in the small ``labels`` table
  (origin words, canonical classifications) while compiling; ``tag:``, ``caption:``, ``id:`` and ``ref:`` are
  ``x.key IN (SELECT key ...)`` over their indexed tables; text under OR/NOT
  (``election OR tag:KDEM``) is ``x.key [NOT] IN (SELECT rowid FROM cables_fts
  WHERE cables_fts MATCH ?)``.

A condition on an unknown value (NULL) is false and its negation true, as in
``search.evaluate``: predicates on nullable columns are wrapped in ``COALESCE(..., 0)``.
Ids compare in canonical form on both sides (``derived.id_key``): ``id:`` accepts
the release's id or its canonical form, ``ref:`` finds every spelling of a citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Sequence

from ..search import And, DateRange, Field, Not, Or, Phrase, Plan, Query, Term, TextMatch, plan_fts5
from ..search.dates import day_after
from ..search.fields import CABLE_FIELDS
from ..search.fts5 import fts5_expression
from ..search.nodes import Node
from ..search.porter import stem
from ..search.text import words
from . import derived

FTS = "cables_fts"
# The ranking of the index's 'rank' setting (schema), called directly: ORDER BY rank
# goes through FTS5's rank machinery and costs a quarter more per row.
BM25 = f"bm25({FTS}, 10.0, 5.0, 1.0, 3.0)"
TEXT_COLUMNS = {"subject": "subject"}  # text fields answered by the full-text index
_DATE_COLUMNS = {"date": "x.created", "released": "x.released"}


@dataclass(slots=True)
class Compiled:
    """A query as SQL pieces over ``facts x`` (and ``cables_fts`` when ``match``)."""

    match: str | None = None  # FTS5 expression every hit matches
    where: str = "1"  # SQL boolean over x
    params: list[Any] = field(default_factory=list)
    highlight: str | None = None  # FTS5 expression of the words a hit shows (snippets)
    plan: Plan | None = None  # what it was compiled from (``keyset.evaluate`` reads it)
    marked: tuple[Node, ...] = ()  # the query's words and phrases ``highlight`` is made of

    @property
    def is_everything(self) -> bool:
        return self.match is None and self.where == "1"

    def narrowed(self, expression: str) -> "Compiled":
        """This query with one more full-text condition (an FTS5 expression)."""
        match = expression if self.match is None else f"({self.match}) AND {expression}"
        return Compiled(match, self.where, list(self.params), self.highlight, marked=self.marked)

    def excluding(self, expression: str) -> "Compiled":
        """This query without the rows matching ``expression`` (needs ``match``)."""
        assert self.match is not None
        return Compiled(f"({self.match}) NOT {expression}", self.where, list(self.params), self.highlight, marked=self.marked)

    def source(self, extra_join: str = "") -> tuple[str, list[Any]]:
        """``FROM ... WHERE ...`` selecting the matching cables as ``x`` (and the FTS
        row when there are words), with ``extra_join`` joined before WHERE."""
        if self.match is not None:
            sql = f"FROM {FTS} JOIN facts x ON x.key = {FTS}.rowid {extra_join} WHERE {FTS} MATCH ?"
            params: list[Any] = [self.match]
            if self.where != "1":
                sql += f" AND {self.where}"
                params += self.params
            return sql, params
        return f"FROM facts x {extra_join} WHERE {self.where}", list(self.params)


# (kind, condition) -> label ids: ("origin", Field) for origin words, ("class", Field)
# for classifications.  The store answers from its labels table.
LabelResolver = Callable[[str, Field], list[int]]


def label_condition(kind: str, n: Field) -> tuple[str, list[Any]]:
    """SQL over ``labels`` (columns ``kind``, ``norm``) selecting the labels ``n`` names."""
    if kind == "origin":
        # Words of the origin in order; a prefix leaves the last word open.
        return "kind = 'origin' AND instr(' ' || norm || ' ', ?) > 0", [" " + n.value + ("" if n.prefix else " ")]
    spec = CABLE_FIELDS["class"]
    values = list(spec.expand(n.value) if spec.expand else (n.value,))
    return f"kind = 'class' AND norm IN ({', '.join('?' * len(values))})", values


def compile_query(query: Query | None, labels: LabelResolver | None = None) -> Compiled:
    """The SQL pieces for ``query`` (None or the empty query: every cable).

    ``labels`` turns ``origin:``/``class:`` into label ids, so the condition is a
    short literal list the planner can use an index for; without it they are
    subqueries on ``labels``.
    """
    root = query.root if query is not None else None
    if root is None:
        return Compiled()
    plan = plan_fts5(root, TEXT_COLUMNS)
    marked = _marked(root)
    return Compiled(plan.match, *_where(plan, labels), highlight=highlight_expression(marked), plan=plan, marked=marked)


def condition(node: Any, labels: LabelResolver | None = None) -> tuple[str, list[Any]]:
    """SQL over ``facts x`` (and its parameters) true for the rows a plan node selects."""
    params: list[Any] = []
    return _bool(node, params, labels, False), params


def _where(plan: Plan, labels: LabelResolver | None) -> tuple[str, list[Any]]:
    params: list[Any] = []
    conds: list[str] = []
    if plan.exclude is not None:
        conds.append(_bool(TextMatch(plan.exclude, negated=True), params, labels, False))
    conds += [_bool(n, params, labels, False) for n in (*plan.filters, *plan.mixed)]
    return (" AND ".join(conds) if conds else "1"), params


def _bool(node: Any, params: list[Any], labels: LabelResolver | None, under_not: bool) -> str:
    """SQL for a plan node.  A predicate on a NULL column is NULL, which WHERE, AND and
    OR treat as false; only under NOT must it become 0 (COALESCE), and only there,
    since COALESCE hides the column from the index."""
    if isinstance(node, TextMatch):
        params.append(node.expression)
        return f"x.key {'NOT IN' if node.negated else 'IN'} (SELECT rowid FROM {FTS} WHERE {FTS} MATCH ?)"
    if isinstance(node, Not):
        return f"NOT ({_bool(node.child, params, labels, True)})"
    if isinstance(node, (And, Or)):
        op = " AND " if isinstance(node, And) else " OR "
        return "(" + op.join(_bool(c, params, labels, under_not) for c in node.children) + ")"
    if isinstance(node, DateRange):
        sql, nullable = _date(node, params), True
    elif isinstance(node, Field):
        sql, nullable = _field(node, params, labels)
    else:
        raise TypeError(f"not a plan node: {node!r}")
    return f"COALESCE({sql}, 0)" if nullable and under_not else sql


def _date(node: DateRange, params: list[Any]) -> str:
    column = _DATE_COLUMNS.get(node.field)
    if column is None:
        raise ValueError(f"no date column for {node.field!r}")
    conds = []
    # created >= '2005-08-01' and created < '2005-09-01' is the evaluator's
    # substr(created, 1, 10) between the bounds, for ISO values, and uses the index.
    if node.start is not None:
        conds.append(f"{column} >= ?")
        params.append(node.start)
    if node.end is not None:
        after = day_after(date.fromisoformat(node.end))
        if after is None:
            conds.append(f"{column} IS NOT NULL")
        else:
            conds.append(f"{column} < ?")
            params.append(after.isoformat())
    return " AND ".join(conds) if len(conds) == 1 else "(" + " AND ".join(conds) + ")"


def _successor(prefix: str) -> str | None:
    """The least string above every string starting with ``prefix`` (code point order,
    which is SQLite's order of UTF-8 text); None when there is no simple one."""
    last = ord(prefix[-1]) + 1
    if last > 0x10FFFF or 0xD800 <= last <= 0xDFFF:
        return None
    return prefix[:-1] + chr(last)


def _starts(column: str, prefix: str, params: list[Any]) -> str:
    """``column`` starts with ``prefix``, as an index range when possible."""
    upper = _successor(prefix)
    if upper is None:
        params += [len(prefix), prefix]
        return f"substr({column}, 1, ?) = ?"
    params += [prefix, upper]
    return f"({column} >= ? AND {column} < ?)"


def _field(n: Field, params: list[Any], labels: LabelResolver | None) -> tuple[str, bool]:
    """(SQL, whether it can be NULL) for one field condition."""
    name = n.name
    if name in ("origin", "class"):
        column = f"x.{name}"
        if labels is not None:
            ids = labels(name, n)
            if not ids:
                return "0", False
            return f"{column} IN ({', '.join(str(int(i)) for i in ids)})", True
        cond, values = label_condition(name, n)
        params += values
        return f"{column} IN (SELECT label_id FROM labels WHERE {cond})", True
    if name in ("tag", "caption"):
        table = "tags" if name == "tag" else "captions"
        if n.prefix:
            cond = _starts(name, n.value, params)
        else:
            params.append(n.value)
            cond = f"{name} = ?"
        return f"x.key IN (SELECT key FROM {table} WHERE {cond})", False
    if name == "id":
        if n.prefix:
            cond = _starts("id", n.value, params) + " OR " + _starts("canon", n.value, params)
        else:
            params += [n.value, derived.id_key(n.value)]
            cond = "id = ? OR canon = ?"
        return f"x.key IN (SELECT key FROM cables WHERE {cond})", False
    if name == "ref":
        if n.prefix:
            cond = _starts("r.dst_key", n.value, params)
        else:
            params.append(derived.id_key(n.value))
            cond = "r.dst_key = ?"
        return f"x.key IN (SELECT c.key FROM refs r JOIN cables c ON c.id = r.src WHERE {cond})", False
    raise ValueError(f"the store cannot search the field {name!r}")


def _marked(root: Node) -> tuple[Node, ...]:
    """The words and phrases a hit contains (not the excluded ones), in query order:
    snippets mark them, whichever branch of the query matched."""
    found: list[Node] = []
    stack: list[tuple[Node, bool]] = [(root, True)]
    while stack:
        node, positive = stack.pop()
        if isinstance(node, Not):
            stack.append((node.child, not positive))
        elif isinstance(node, (And, Or)):
            stack.extend((c, positive) for c in reversed(node.children))
        elif positive and (isinstance(node, (Term, Phrase)) or (isinstance(node, Field) and node.name in TEXT_COLUMNS)):
            found.append(node)
    return tuple(dict.fromkeys(found))


# A prefix that stands for more words than this in one page of hits is left to FTS5.
MAX_PREFIX_WORDS = 64


def highlight_expression(marked: Sequence[Node], texts: Iterable[str] | None = None) -> str | None:
    """One FTS5 expression OR-ing ``marked``, for ``highlight()``.

    With ``texts`` (the text of the hits to mark), a ``prefix*`` word becomes the
    words of those texts it stands for: FTS5 answers a prefix by merging the lists of
    every indexed word that starts with it, over the whole index, for each hit asked
    (a second and more for ``elect*`` over the full release), while whole words are
    looked up hit by hit.  The words are the ones whose Porter stem starts with the
    prefix's stem, which is what FTS5 matches: the same words are marked.  A prefix
    none of the texts holds marks nothing and is left out."""
    vocabulary: set[str] | None = None
    parts: list[str] = []
    for node in marked:
        if texts is not None and isinstance(node, Term) and node.prefix:
            if vocabulary is None:
                vocabulary = {w for t in texts for w in words(t or "")}
            head = stem(node.text)
            expanded = sorted(w for w in vocabulary if stem(w).startswith(head))
            if len(expanded) <= MAX_PREFIX_WORDS:
                parts.extend(fts5_expression(Term(w), TEXT_COLUMNS)[0] for w in expanded)
                continue
        parts.append(fts5_expression(node, TEXT_COLUMNS)[0])
    parts = list(dict.fromkeys(parts))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
