"""Compiling a parsed query (``cablemirror.search``) to SQL over the PostgreSQL schema.

``search.plan_tsquery`` splits the tree: the full-text part becomes one tsquery
(PostgreSQL's NOT is unary, so every text tree compiles to one expression, and
``subject:`` is the weight B of the document: ``'iran':B``), field conditions stay
nodes.  Here:

- ``Plan.match`` drives the query: ``x.doc @@ to_tsquery('cm_text', %s)`` over
  ``facts x``, answered by the GIN index;
- filters and mixed conditions are a boolean over ``x``: dates compare ISO strings
  (index ranges), ``origin:`` and ``class:`` pick label ids from ``labels``, ``tag:``,
  ``caption:``, ``id:`` and ``ref:`` are ``x.key IN (SELECT key ...)`` over their
  indexed tables, text under OR/NOT is another ``x.doc @@ ...``.

A condition on an unknown value (NULL) is false and its negation true, as in
``search.evaluate``: nullable predicates are wrapped in ``COALESCE(..., false)``.
Ids compare in canonical form on both sides (``derived.id_key``).  Prefixes are
``LIKE 'p%'`` on ``COLLATE "C"`` columns, which btree indexes answer as ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..search import And, DateRange, Field, Node, Not, Or, Plan, Query, TextMatch, plan_tsquery
from ..search.dates import day_after
from ..search.fields import CABLE_FIELDS
from . import derived
from .pg_text import heading_tsquery, highlight_tsquery, plain_terms, plain_tsquery, shown_terms

TSQ = "to_tsquery('cm_text', %s)"
# ts_rank weights {D, C, B, A}: body 1, tags 3, subject 5, title 10, like the SQLite
# store's bm25 weights (title 10, subject 5, body 1, tags 3).
RANK_WEIGHTS = "'{0.1, 0.3, 0.5, 1.0}'"
RANK = f"ts_rank({RANK_WEIGHTS}, x.doc, {TSQ}, 1)"  # 1: divided by 1 + log(document length)
WEIGHTS = {"subject": "B"}  # text fields answered by the document's weights
_DATE_COLUMNS = {"date": "x.created", "released": "x.released"}


@dataclass(slots=True)
class Compiled:
    """A query as SQL pieces over ``facts x``."""

    match: str | None = None  # tsquery text every hit matches
    where: str = "true"  # SQL boolean over x
    params: list[Any] = field(default_factory=list)
    highlight: str | None = None  # tsquery text of the words a hit shows (snippets)
    heading: str | None = None  # the same words, in the title or subject only
    terms: tuple[Node, ...] = ()  # those words and phrases as nodes (pg_highlight)

    @property
    def is_everything(self) -> bool:
        return self.match is None and self.where == "true"

    def narrowed(self, tsquery: str, *, negated: bool = False) -> "Compiled":
        """This query with one more full-text condition (or its negation)."""
        if negated:
            return Compiled(self.match, f"({self.where}) AND NOT (x.doc @@ {TSQ})", [*self.params, tsquery],
                            self.highlight, self.heading, self.terms)
        match = tsquery if self.match is None else f"({self.match}) & ({tsquery})"
        return Compiled(match, self.where, list(self.params), self.highlight, self.heading, self.terms)

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


def compile_query(query: Query | None) -> Compiled:
    """The SQL pieces for ``query`` (None or the empty query: every cable)."""
    root = query.root if query is not None else None
    if root is None:
        return Compiled()
    plan = plan_tsquery(root, WEIGHTS)
    where, params = _where(plan)
    terms = tuple(shown_terms(root))
    return Compiled(plan.match, where, params, highlight_tsquery(terms), heading_tsquery(terms), terms)


def compile_plain(user: str) -> Compiled | None:
    """``Store.search``'s plain words (``pg_text.plain_terms``); None for no word at all."""
    terms = tuple(plain_terms(user))
    if not terms:
        return None
    return Compiled(plain_tsquery(user), highlight=highlight_tsquery(terms), heading=heading_tsquery(terms), terms=terms)


def _where(plan: Plan) -> tuple[str, list[Any]]:
    params: list[Any] = []
    conds = [_bool(n, params) for n in (*plan.filters, *plan.mixed)]
    return (" AND ".join(conds) if conds else "true"), params


def _bool(node: Any, params: list[Any]) -> str:
    if isinstance(node, TextMatch):
        params.append(node.expression)
        # doc is never NULL: no COALESCE needed, and the GIN index stays usable.
        return f"{'NOT ' if node.negated else ''}(x.doc @@ {TSQ})"
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
        table = "tags" if name == "tag" else "captions"
        params.append(like_prefix(n.value) if n.prefix else n.value)
        return f"x.key IN (SELECT key FROM {table} WHERE {name} {'LIKE' if n.prefix else '='} %s)"
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
