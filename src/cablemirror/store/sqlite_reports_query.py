"""Compiling a report query (``cablemirror.search`` with ``REPORT_FIELDS``) to SQL
over the SQLite report tables (``sqlite_reports.py``).

As for cables (``sqlite_query.py``), the plan splits the query into a full-text part
and field conditions:

- words and ``title:`` go to ``reports_fts`` (title and summary; ``title:`` is a
  column filter, stemmed like the rest); a text part drives the query with
  ``FROM reports_fts JOIN reports r ON r.key = reports_fts.rowid WHERE ... MATCH ?``;
- every other condition is SQL over the row ``r``: keywords compare the normalised
  ``*_k`` columns, numbers the count columns, ``box:`` the position, ``unit:`` the
  folded unit words; text under OR/NOT is ``r.key [NOT] IN (SELECT rowid ...)``.

A condition on an unknown value (NULL: a count the report does not give, a missing
position) is false and its negation true, as in ``search.evaluate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..search import And, DateRange, Field, Not, Or, Phrase, Plan, Query, Term, TextMatch, plan_fts5
from ..search.dates import day_after
from ..search.fields import parse_box
from ..search.fts5 import fts5_expression
from ..search.nodes import Node

FTS = "reports_fts"
BM25 = f"bm25({FTS}, 5.0, 1.0)"  # title above summary
TEXT_COLUMNS = {"title": "title"}
# Keyword fields -> the column holding the value queries compare.
_KEYWORDS = {"type": "r.type_k", "category": "r.category_k", "unittype": "r.unit_type_k", "region": "r.region_k",
             "attack": "r.attack_k", "theatre": "r.theatre"}  # fmt: skip
# Number fields -> (column, nullable).
_NUMBERS = {
    "kia": ("r.kia", False), "wia": ("r.wia", False), "civilian": ("r.civilian", False),
    "civilian_kia": ("r.civilian_kia", True), "civilian_wia": ("r.civilian_wia", True),
    "friendly_kia": ("r.friendly_kia", True), "friendly_wia": ("r.friendly_wia", True),
    "host_kia": ("r.host_nation_kia", True), "host_wia": ("r.host_nation_wia", True),
    "enemy_kia": ("r.enemy_kia", True), "enemy_wia": ("r.enemy_wia", True),
    "detained": ("r.enemy_detained", True),
}  # fmt: skip
_SQL_OP = {"=": "=", ":": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


@dataclass(slots=True)
class ReportSQL:
    """A report query as SQL pieces over ``reports r`` (and ``reports_fts`` when ``match``)."""

    match: str | None = None  # FTS5 expression every hit matches
    where: str = "1"
    params: list[Any] = field(default_factory=list)
    highlight: str | None = None  # FTS5 expression of the words to mark in snippets

    @property
    def is_everything(self) -> bool:
        return self.match is None and self.where == "1"

    def source(self, extra_where: str = "", extra_params: tuple[Any, ...] = ()) -> tuple[str, list[Any]]:
        """``FROM ... WHERE ...`` selecting the matching reports as ``r`` (joined to the
        FTS row when there are words), ANDed with ``extra_where``."""
        conds: list[str] = []
        params: list[Any] = []
        if self.match is not None:
            sql = f"FROM {FTS} JOIN reports r ON r.key = {FTS}.rowid"
            conds.append(f"{FTS} MATCH ?")
            params.append(self.match)
        else:
            sql = "FROM reports r"
        if self.where != "1":
            conds.append(self.where)
            params += self.params
        if extra_where:
            conds.append(extra_where)
            params += list(extra_params)
        return sql + (" WHERE " + " AND ".join(conds) if conds else ""), params


def compile_reports(query: Query | None) -> ReportSQL:
    """The SQL pieces for ``query`` (None or the empty query: every report)."""
    root = query.root if query is not None else None
    if root is None:
        return ReportSQL()
    plan = plan_fts5(root, TEXT_COLUMNS)
    where, params = _where(plan)
    return ReportSQL(plan.match, where, params, _highlight(root))


def _where(plan: Plan) -> tuple[str, list[Any]]:
    params: list[Any] = []
    conds: list[str] = []
    if plan.exclude is not None:
        conds.append(_bool(TextMatch(plan.exclude, negated=True), params, False))
    conds += [_bool(n, params, False) for n in (*plan.filters, *plan.mixed)]
    return (" AND ".join(conds) if conds else "1"), params


def _bool(node: Any, params: list[Any], under_not: bool) -> str:
    if isinstance(node, TextMatch):
        params.append(node.expression)
        return f"r.key {'NOT IN' if node.negated else 'IN'} (SELECT rowid FROM {FTS} WHERE {FTS} MATCH ?)"
    if isinstance(node, Not):
        return f"NOT ({_bool(node.child, params, True)})"
    if isinstance(node, (And, Or)):
        op = " AND " if isinstance(node, And) else " OR "
        return "(" + op.join(_bool(c, params, under_not) for c in node.children) + ")"
    if isinstance(node, DateRange):
        sql, nullable = _date(node, params), False
    elif isinstance(node, Field):
        sql, nullable = _field(node, params)
    else:
        raise TypeError(f"not a plan node: {node!r}")
    return f"COALESCE({sql}, 0)" if nullable and under_not else sql


def _date(node: DateRange, params: list[Any]) -> str:
    if node.field != "date":
        raise ValueError(f"no date column for {node.field!r}")
    conds = []
    if node.start is not None:
        conds.append("r.date >= ?")
        params.append(node.start)
    if node.end is not None:
        after = day_after(date.fromisoformat(node.end))
        if after is None:
            conds.append("r.date IS NOT NULL")
        else:
            conds.append("r.date < ?")
            params.append(after.isoformat())
    return conds[0] if len(conds) == 1 else "(" + " AND ".join(conds) + ")"


def _successor(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)  # values here are ASCII: no overflow


def _field(n: Field, params: list[Any]) -> tuple[str, bool]:
    """(SQL, whether it can be NULL) for one field condition."""
    name = n.name
    if name in ("id", "tracking"):
        column = "r.report_key" if name == "id" else "r.tracking"
        if n.prefix:
            params += [n.value, _successor(n.value)]
            return f"({column} >= ? AND {column} < ?)", False
        params.append(n.value)
        return f"{column} = ?", False
    if name in _KEYWORDS:
        params.append(n.value)
        return f"{_KEYWORDS[name]} = ?", False
    if name in _NUMBERS:
        column, nullable = _NUMBERS[name]
        params.append(int(n.value))
        return f"{column} {_SQL_OP[n.op]} ?", nullable
    if name == "unit":
        if n.prefix:
            params.append(" " + n.value)
            return "instr(' ' || r.unit_words, ?) > 0", False
        params.append(" " + n.value + " ")
        return "instr(' ' || r.unit_words || ' ', ?) > 0", False
    if name == "box":
        s, w, north, e = parse_box(n.value)
        params += [s, north, w, e]
        return "(r.lat >= ? AND r.lat < ? AND r.lon >= ? AND r.lon < ?)", True
    if name == "located":
        return ("r.lat IS NOT NULL" if n.value == "yes" else "r.lat IS NULL"), False
    raise ValueError(f"the store cannot search the report field {name!r}")


def _highlight(root: Node) -> str | None:
    """One FTS5 expression OR-ing the words and phrases a hit contains (not the excluded ones)."""
    parts: list[str] = []
    stack: list[tuple[Node, bool]] = [(root, True)]
    while stack:
        node, positive = stack.pop()
        if isinstance(node, Not):
            stack.append((node.child, not positive))
        elif isinstance(node, (And, Or)):
            stack.extend((c, positive) for c in reversed(node.children))
        elif positive and (isinstance(node, (Term, Phrase)) or (isinstance(node, Field) and node.name in TEXT_COLUMNS)):
            parts.append(fts5_expression(node, TEXT_COLUMNS)[0])
    parts = list(dict.fromkeys(parts))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
