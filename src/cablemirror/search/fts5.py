"""Compiling query trees to SQLite FTS5 MATCH expressions.

Every word and phrase is written as an FTS5 string (``"civil society"``), so no user
text is ever read as FTS5 syntax; prefixes are ``"elect"*``; operators are
parenthesised explicitly.  FTS5's NOT is binary (``a NOT b``): it cannot say "rows
without b" on its own.  ``fts5_expression`` therefore returns each tree either as
an expression E (the rows matching E) or, flagged ``negated``, as "all rows except
those matching E", using

    a AND -b           ->  a NOT b
    -a AND -b          ->  except (a OR b)
    a OR -b            ->  except (b NOT a)
    -a OR -b           ->  except (a AND b)

so any tree of words, phrases, AND, OR and NOT compiles, and the store adds
"rowid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)" for the negated case.
"""

from __future__ import annotations

import re
from typing import Collection, Mapping

from .nodes import And, Field, Node, Not, Or, Phrase, Term, leaves
from .plan import Plan, build_plan
from .query import Query

_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RESERVED = {"AND", "OR", "NOT", "NEAR"}


def quote(text: str) -> str:
    """An FTS5 string: double quotes, inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def _check_columns(columns: Mapping[str, str]) -> None:
    for column in columns.values():
        if not _COLUMN.fullmatch(column) or column.upper() in _RESERVED:
            raise ValueError(f"not a usable FTS5 column name: {column!r}")


def _leaf(node: Node, columns: Mapping[str, str]) -> str:
    if isinstance(node, Term):
        return quote(node.text) + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return quote(" ".join(node.words)) + ("*" if node.prefix else "")
    if isinstance(node, Field) and node.name in columns:
        return f"({columns[node.name]} : {quote(node.value)}{'*' if node.prefix else ''})"
    raise ValueError(f"{node} is not full text: use plan_fts5() to separate field conditions")


def _join(parts: list[str], op: str) -> str:
    return parts[0] if len(parts) == 1 else "(" + f" {op} ".join(parts) + ")"


def _compile(node: Node, columns: Mapping[str, str]) -> tuple[str, bool]:
    if isinstance(node, Not):
        expression, negated = _compile(node.child, columns)
        return expression, not negated
    if isinstance(node, (And, Or)):
        positive: list[str] = []
        negative: list[str] = []
        for child in node.children:
            expression, negated = _compile(child, columns)
            (negative if negated else positive).append(expression)
        if isinstance(node, And):
            if not positive:
                return _join(negative, "OR"), True
            expression = _join(positive, "AND")
            if negative:
                expression = f"({expression} NOT {_join(negative, 'OR')})"
            return expression, False
        if not negative:
            return _join(positive, "OR"), False
        expression = _join(negative, "AND")
        if positive:
            expression = f"({expression} NOT {_join(positive, 'OR')})"
        return expression, True
    return _leaf(node, columns), False


def fts5_expression(node: Node, columns: Mapping[str, str] | None = None) -> tuple[str, bool]:
    """(expression, negated) for a full-text-only tree; see the module docstring.

    ``columns`` maps text fields (``subject``) to FTS5 columns so that
    ``subject:iran`` compiles to a column filter; other fields raise ValueError.
    """
    columns = dict(columns or {})
    _check_columns(columns)
    return _compile(node, columns)


def to_fts5(node: Node | Query | None, columns: Mapping[str, str] | None = None) -> str | None:
    """The FTS5 MATCH expression for a full-text-only tree.

    None when there is nothing to match: an empty tree, or a tree that only excludes
    (``-word``), which FTS5 cannot express alone: use ``fts5_expression`` or
    ``plan_fts5`` for those.  Field conditions raise ValueError (use ``plan_fts5``).
    """
    if isinstance(node, Query):
        node = node.root
    if node is None:
        return None
    columns = dict(columns or {})
    _check_columns(columns)
    for leaf in leaves(node):  # fail before compiling anything
        _leaf(leaf, columns)
    expression, negated = _compile(node, columns)
    return None if negated else expression


def plan_fts5(query: Query | Node | None, columns: Mapping[str, str] | None = None) -> Plan:
    """The whole query as FTS5 expressions plus field conditions (see ``plan.Plan``)."""
    root = query.root if isinstance(query, Query) else query
    columns = dict(columns or {})
    _check_columns(columns)
    text_fields: Collection[str] = frozenset(columns)
    return build_plan(root, lambda n: _compile(n, columns), text_fields)
