"""Compiling query trees to PostgreSQL ``to_tsquery`` input, for the PostgreSQL store.

``'word'``, ``'elect':*``, phrases ``('civil' <-> 'society')``, ``&``, ``|`` and
``!``.  Unlike FTS5, tsquery has a unary NOT, so every full-text tree compiles to
one expression.  Words are quoted lexemes; the store calls
``to_tsquery('simple', ...)`` on a ``tsvector`` built with the same configuration
(and ``unaccent`` on the documents: query words are already folded).  A text field
mapped to a weight (``weights={"subject": "A"}``) compiles to ``'iran':A`` for a
``tsvector`` that labels that field with ``setweight``.
"""

from __future__ import annotations

from typing import Collection, Mapping

from .nodes import And, Field, Node, Not, Or, Phrase, Term, leaves
from .plan import Plan, build_plan
from .query import Query

_WEIGHTS = frozenset("ABCD")


def quote(word: str) -> str:
    """A tsquery lexeme: single quotes, with quotes and backslashes escaped."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _check_weights(weights: Mapping[str, str]) -> None:
    for weight in weights.values():
        if not weight or not set(weight) <= _WEIGHTS:
            raise ValueError(f"tsquery weights are letters A-D, not {weight!r}")


def _lexemes(ws: tuple[str, ...] | list[str], prefix: bool, weight: str) -> str:
    parts = []
    for i, w in enumerate(ws):
        star = "*" if prefix and i == len(ws) - 1 else ""
        label = f":{star}{weight}" if star or weight else ""
        parts.append(quote(w) + label)
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


def _compile(node: Node, weights: Mapping[str, str]) -> str:
    if isinstance(node, Term):
        return _lexemes([node.text], node.prefix, "")
    if isinstance(node, Phrase):
        return _lexemes(node.words, node.prefix, "")
    if isinstance(node, Field) and node.name in weights:
        return _lexemes(node.value.split(" "), node.prefix, weights[node.name])
    if isinstance(node, Not):
        return "!" + _compile(node.child, weights)
    if isinstance(node, (And, Or)):
        op = " & " if isinstance(node, And) else " | "
        return "(" + op.join(_compile(c, weights) for c in node.children) + ")"
    raise ValueError(f"{node} is not full text: use plan_tsquery() to separate field conditions")


def to_tsquery_text(node: Node | Query | None, weights: Mapping[str, str] | None = None) -> str | None:
    """The ``to_tsquery`` input for a full-text-only tree (None for an empty tree)."""
    if isinstance(node, Query):
        node = node.root
    if node is None:
        return None
    weights = dict(weights or {})
    _check_weights(weights)
    for leaf in leaves(node):
        if not isinstance(leaf, (Term, Phrase)) and not (isinstance(leaf, Field) and leaf.name in weights):
            raise ValueError(f"{leaf} is not full text: use plan_tsquery() to separate field conditions")
    return _compile(node, weights)


def plan_tsquery(query: Query | Node | None, weights: Mapping[str, str] | None = None) -> Plan:
    """The whole query as tsquery expressions plus field conditions (``exclude`` is never used)."""
    root = query.root if isinstance(query, Query) else query
    weights = dict(weights or {})
    _check_weights(weights)
    text_fields: Collection[str] = frozenset(weights)
    return build_plan(root, lambda n: (_compile(n, weights), False), text_fields)
