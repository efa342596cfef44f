"""Splitting a query tree into what a full-text index answers and what columns answer.

A store answers a query with three kinds of condition, ANDed:

- one full-text expression every hit must match (``Plan.match``; it drives ranking
  and snippets) and, when the text part only excludes, one it must not match
  (``Plan.exclude``);
- ``Plan.filters``: conditions on fields only (``tag:PGOV``, ``-class:secret``,
  ``tag:PGOV OR tag:PREL``, dates), for WHERE clauses;
- ``Plan.mixed``: conditions where full text and fields meet under OR or NOT
  (``election OR tag:KDEM``, ``-(iran tag:PGOV)``).  No single MATCH can say
  these, so the store evaluates them as a boolean expression over row sets: each
  ``TextMatch`` leaf is "rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)" (or
  NOT IN when ``negated``), each Field/DateRange leaf a column predicate.

The compilers (``fts5.plan_fts5``, ``tsquery.plan_tsquery``) fill the expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, Union

from .nodes import And, DateRange, Field, Node, Not, Or, Phrase, Term, conj, conjuncts

TEXT = "text"
FILTER = "filter"
MIXED = "mixed"

# compile(node) -> (expression, negated): the node is "rows matching expression",
# or, when negated, "rows NOT matching expression".
TextCompiler = Callable[[Node], tuple[str, bool]]


@dataclass(frozen=True, slots=True)
class TextMatch:
    """A plan leaf: the rows whose full text matches ``expression`` (or does not, if ``negated``)."""

    expression: str
    negated: bool = False


PlanNode = Union[Node, TextMatch]


@dataclass(frozen=True)
class Plan:
    match: str | None = None
    exclude: str | None = None
    filters: tuple[Node, ...] = ()
    mixed: tuple[PlanNode, ...] = ()

    @property
    def is_everything(self) -> bool:
        """No condition at all: every record matches (the empty query)."""
        return self.match is None and self.exclude is None and not self.filters and not self.mixed


def classify(node: Node, text_fields: Collection[str] = ()) -> str:
    """"text" when only the full-text index can answer ``node``, "filter" when only
    columns can, "mixed" when it needs both."""
    if isinstance(node, (Term, Phrase)):
        return TEXT
    if isinstance(node, Field):
        return TEXT if node.name in text_fields else FILTER
    if isinstance(node, DateRange):
        return FILTER
    children = (node.child,) if isinstance(node, Not) else node.children
    kinds = {classify(c, text_fields) for c in children}
    return kinds.pop() if len(kinds) == 1 else MIXED


def split(
    node: Node | None, text_fields: Collection[str] = ()
) -> tuple[Node | None, tuple[Node, ...], tuple[Node, ...]]:
    """The top-level conjuncts of ``node`` grouped as (text part, filters, mixed)."""
    text: list[Node] = []
    filters: list[Node] = []
    mixed: list[Node] = []
    for c in conjuncts(node):
        {TEXT: text, FILTER: filters, MIXED: mixed}[classify(c, text_fields)].append(c)
    return conj(*text), tuple(filters), tuple(mixed)


def build_plan(node: Node | None, compile_text: TextCompiler, text_fields: Collection[str] = ()) -> Plan:
    text, filters, mixed = split(node, text_fields)
    match = exclude = None
    if text is not None:
        expression, negated = compile_text(text)
        if negated:
            exclude = expression
        else:
            match = expression
    return Plan(match, exclude, filters, tuple(_replace_text(m, compile_text, text_fields) for m in mixed))


def _replace_text(node: Node, compile_text: TextCompiler, text_fields: Collection[str]) -> PlanNode:
    """``node`` with each maximal text-only part compiled into one TextMatch leaf."""
    kind = classify(node, text_fields)
    if kind == TEXT:
        return TextMatch(*compile_text(node))
    if kind == FILTER:
        return node
    if isinstance(node, Not):
        return Not(_replace_text(node.child, compile_text, text_fields))  # type: ignore[arg-type]
    assert isinstance(node, (And, Or))
    # The text-only operands of one AND/OR become one expression: one index lookup.
    text_children = [c for c in node.children if classify(c, text_fields) == TEXT]
    out: list[PlanNode] = []
    if text_children:
        combined = text_children[0] if len(text_children) == 1 else type(node)(tuple(text_children))
        out.append(TextMatch(*compile_text(combined)))
    out.extend(_replace_text(c, compile_text, text_fields) for c in node.children if c not in text_children)
    return type(node)(tuple(out))  # type: ignore[arg-type]
