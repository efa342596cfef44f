"""Compiling a parsed query (``cablemirror.search``) to SQL over the PostgreSQL schema.

The rule everything here follows: ``facts.doc`` (the whole document, several KB out of
line) is read through its GIN index only.  Reading it row by row costs about 25 us a
row, so a condition that would make PostgreSQL read it for every candidate is written
another way:

- the positive full text drives the query: ``x.doc @@ to_tsquery('cm_text', %s)``,
  answered by the GIN index (words, prefixes and ``-word`` beside them need no
  re-check; phrases do, on the rows holding all their words);
- full text that only excludes (``-iran``) and full text under OR/NOT with fields
  (``election OR tag:KDEM``) become key sets: ``x.key [NOT] IN (SELECT key FROM facts
  WHERE doc @@ ...)``, one index scan each, hashed;
- ``subject:`` reads ``x.head`` (title and subject, small, in the row; own GIN index);
- ``tag:`` and ``caption:`` read the arrays ``x.tags`` / ``x.captions`` (GIN), prefixes
  the ``tags``/``captions`` tables; ``origin:`` and ``class:`` pick label ids from
  ``labels``; ``id:`` and ``ref:`` are key sets over ``cables`` and ``refs``; dates
  compare ISO strings (btree ranges).

A condition on an unknown value (NULL) is false and its negation true, as in
``search.evaluate``: nullable predicates are wrapped in ``COALESCE(..., false)``.
Ids compare in canonical form on both sides (``derived.id_key``).  Prefixes are
``LIKE 'p%'`` on ``COLLATE "C"`` columns, which btree indexes answer as ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..search import And, DateRange, Field, Node, Not, Or, Plan, Query, TextMatch, disj, to_tsquery_text
from ..search.dates import day_after
from ..search.fields import CABLE_FIELDS
from ..search.plan import build_plan
from . import derived
from .pg_text import highlight_tsquery, plain_terms, plain_tsquery, shown_terms

TSQ = "to_tsquery('cm_text', %s)"
# ts_rank weights {D, C, B, A}: body 1, tags 3, subject 5, title 10, like the SQLite
# store's bm25 weights (title 10, subject 5, body 1, tags 3).
RANK_WEIGHTS = "'{0.1, 0.3, 0.5, 1.0}'"
RANK = f"ts_rank({RANK_WEIGHTS}, x.doc, {TSQ}, 1)"  # 1: divided by 1 + log(document length)
HEAD_RANK = f"ts_rank({RANK_WEIGHTS}, x.head, {TSQ})"
_DATE_COLUMNS = {"date": "x.created", "released": "x.released"}


@dataclass(slots=True)
class Compiled:
    """A query as SQL pieces over ``facts x``."""

    match: str | None = None  # tsquery text every hit matches (drives the GIN index)
    where: str = "true"  # SQL boolean over x
    params: list[Any] = field(default_factory=list)
    highlight: str | None = None  # tsquery text of the words a hit shows (snippets, the title tier)
    terms: tuple[Node, ...] = ()  # those words and phrases as nodes (pg_highlight)

    @property
    def is_everything(self) -> bool:
        return self.match is None and self.where == "true"

    @property
    def reads_documents(self) -> bool:
        """Some condition is on ``doc`` (see ``PgReadAPI._plan_for``)."""
        return self.match is not None or "doc @@" in self.where

    def also(self, condition: str, *params: Any) -> "Compiled":
        """This query with one more condition over x."""
        where = condition if self.where == "true" else f"({self.where}) AND {condition}"
        return Compiled(self.match, where, [*self.params, *params], self.highlight, self.terms)

    def source(self, extra_join: str = "") -> tuple[str, list[Any]]:
        """``FROM ... WHERE ...`` selecting the matching cables as ``x``."""
        conds: list[str] = []
        params: list[Any] = []
        if self.match is not None:
            conds.append(f"x.doc @@ {TSQ}")
            params.append(self.match)
        if self.where != "true" or not conds:
            conds.append(self.where)
            params += self.params
        return f"FROM facts x {extra_join} WHERE {' AND '.join(conds)}", params


def _only_excludes(node: Node) -> Node | None:
    """What ``node`` excludes when it only excludes (``-a``, ``-a -b``), else None."""
    if isinstance(node, Not):
        return node.child
    if isinstance(node, And) and all(isinstance(c, Not) for c in node.children):
        return disj(*(c.child for c in node.children))  # type: ignore[attr-defined]
    return None


def _compile_text(node: Node) -> tuple[str, bool]:
    """A text-only tree as (tsquery, negated): negated when the tree only excludes, so
    that the store asks the index for what to leave out instead of scanning for the rest."""
    excluded = _only_excludes(node)
    if excluded is not None:
        return to_tsquery_text(excluded) or "", True
    return to_tsquery_text(node) or "", False


def compile_query(query: Query | None) -> Compiled:
    """The SQL pieces for ``query`` (None or the empty query: every cable)."""
    root = query.root if query is not None else None
    if root is None:
        return Compiled()
    # No text field: subject: is a condition on x.head, not part of the document's tsquery.
    plan = build_plan(root, _compile_text, ())
    where, params = _where(plan)
    terms = tuple(shown_terms(root))
    return Compiled(plan.match, where, params, highlight_tsquery(terms), terms)


def compile_plain(user: str) -> Compiled | None:
    """``Store.search``'s plain words (``pg_text.plain_terms``); None for no word at all."""
    terms = tuple(plain_terms(user))
    if not terms:
        return None
    return Compiled(plain_tsquery(user), highlight=highlight_tsquery(terms), terms=terms)


def _where(plan: Plan) -> tuple[str, list[Any]]:
    params: list[Any] = []
    conds: list[str] = []
    if plan.exclude is not None:
        conds.append(_bool(TextMatch(plan.exclude, negated=True), params))
    conds += [_bool(n, params) for n in (*plan.filters, *plan.mixed)]
    return (" AND ".join(conds) if conds else "true"), params


def _bool(node: Any, params: list[Any]) -> str:
    if isinstance(node, TextMatch):
        params.append(node.expression)
        # A key set from one index scan: no row's document is read.
        return f"x.key {'NOT IN' if node.negated else 'IN'} (SELECT f.key FROM facts f WHERE f.doc @@ {TSQ})"
    if isinstance(node, Not):
        return f"NOT ({_bool(node.child, params)})"
    if isinstance(node, (And, Or)):
        op = " AND " if isinstance(node, And) else " OR "
        return "(" + op.join(_bool(c, params) for c in node.children) + ")"
    if isinstance(node, DateRange):
        return _date(node, params)
    if isinstance(node, Field):
        return _field(node, params)
    raise TypeError(f"not a plan node: {node!r}")


def _date(node: DateRange, params: list[Any]) -> str:
    column = _DATE_COLUMNS.get(node.field)
    if column is None:
        raise ValueError(f"no date column for {node.field!r}")
    conds = []
    if node.start is not None:
        conds.append(f"{column} >= %s")
        params.append(node.start)
    if node.end is not None:
        after = day_after(date.fromisoformat(node.end))
        if after is None:
            conds.append(f"{column} IS NOT NULL")
        else:
            conds.append(f"{column} < %s")
            params.append(after.isoformat())
    return f"COALESCE({' AND '.join(conds)}, false)"


def like_prefix(prefix: str) -> str:
    """A LIKE pattern for values starting with ``prefix`` (its wildcards escaped)."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _field(n: Field, params: list[Any]) -> str:
    name = n.name
    if name == "subject":
        # Weight B of x.head: the subject's words (the title is weight A).
        params.append(to_tsquery_text(n, {"subject": "B"}))
        return f"x.head @@ {TSQ}"
    if name == "origin":
        # Words of the origin in order; a prefix leaves the last word open.
        params.append(" " + n.value + ("" if n.prefix else " "))
        return (
            "COALESCE(x.origin IN (SELECT label_id FROM labels WHERE kind = 'origin' "
            "AND strpos(' ' || norm || ' ', %s) > 0), false)"
        )
    if name == "class":
        spec = CABLE_FIELDS["class"]
        values = list(spec.expand(n.value) if spec.expand else (n.value,))
        params.append(values)
        return "COALESCE(x.class IN (SELECT label_id FROM labels WHERE kind = 'class' AND norm = ANY(%s)), false)"
    if name in ("tag", "caption"):
        table, column = ("tags", "x.tags") if name == "tag" else ("captions", "x.captions")
        if n.prefix:
            params.append(like_prefix(n.value))
            return f"x.key IN (SELECT key FROM {table} WHERE {name} LIKE %s)"
        params.append([n.value])
        return f"{column} @> %s::text[]"
    if name == "id":
        if n.prefix:
            params += [like_prefix(n.value), like_prefix(n.value)]
            cond = "id LIKE %s OR canon LIKE %s"
        else:
            params += [n.value, derived.id_key(n.value)]
            cond = "id = %s OR canon = %s"
        return f"x.key IN (SELECT key FROM cables WHERE {cond})"
    if name == "ref":
        params.append(like_prefix(n.value) if n.prefix else derived.id_key(n.value))
        op = "LIKE" if n.prefix else "="
        return f"x.key IN (SELECT c.key FROM refs r JOIN cables c ON c.id = r.src WHERE r.dst_key {op} %s)"
    raise ValueError(f"the store cannot search the field {name!r}")

