"""The syntax tree of a query, its normalising constructors, and its canonical text.

Nodes are frozen dataclasses: hashable, comparable with ``==``, safe to cache.
Trees are kept in one normal form so that equal meaning written the same way gives
equal trees: ``conj``/``disj`` flatten nested AND/OR, drop duplicates and merge
date bounds; ``negate`` removes double negation.  ``format_node`` writes the
canonical query text; parsing it gives the same tree back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator, Union

from .dates import as_period, compact_end, compact_start, parse_iso
from .text import is_stopword, is_word

# Characters that open or close a quoted phrase.  Typographic quotes count because
# people paste queries from word processors.
QUOTE_CHARS = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb')
OPS = (":", "=", ">", ">=", "<", "<=")
_BARE_VALUE = re.compile(r'[^\s()*"\u201c\u201d\u201e\u201f\u00ab\u00bb]+')
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Term:
    """One folded word of the full text; ``prefix`` matches every word starting with it."""

    text: str
    prefix: bool = False

    def __post_init__(self) -> None:
        if not is_word(self.text):
            raise ValueError(f"a Term holds one folded word, not {self.text!r}")

    def __str__(self) -> str:
        return format_node(self)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive words of the full text (two or more); ``prefix`` applies to the last."""

    words: tuple[str, ...]
    prefix: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple(self.words))
        if len(self.words) < 2 or not all(is_word(w) for w in self.words):
            raise ValueError(f"a Phrase holds two or more folded words, not {self.words!r}")

    def __str__(self) -> str:
        return format_node(self)


@dataclass(frozen=True, slots=True)
class Field:
    """A condition on one field of a record (``tag:PGOV``, ``kia>2``).

    ``value`` is already normalised for its field (see ``fields.py``); ``op`` is ``:``
    for text, keyword and id fields, and one of ``= > >= < <=`` for numbers.
    """

    name: str
    value: str
    op: str = ":"
    prefix: bool = False

    def __post_init__(self) -> None:
        if not _FIELD_NAME.fullmatch(self.name):
            raise ValueError(f"bad field name {self.name!r}")
        if self.op not in OPS:
            raise ValueError(f"bad operator {self.op!r}")
        if not self.value or self.value != self.value.strip() or any(c in QUOTE_CHARS for c in self.value):
            raise ValueError(f"a field value must be non-empty, trimmed and free of quotes: {self.value!r}")

    def __str__(self) -> str:
        return format_node(self)


@dataclass(frozen=True, slots=True)
class DateRange:
    """Records whose date field lies in [start, end], both inclusive ISO days; None is open."""

    start: str | None = None
    end: str | None = None
    field: str = "date"

    def __post_init__(self) -> None:
        if self.start is None and self.end is None:
            raise ValueError("a DateRange needs a start or an end")
        s = parse_iso(self.start) if self.start is not None else None
        e = parse_iso(self.end) if self.end is not None else None
        if s is not None and e is not None and s > e:
            raise ValueError(f"empty date range {self.start}..{self.end}")
        if not _FIELD_NAME.fullmatch(self.field):
            raise ValueError(f"bad field name {self.field!r}")

    @property
    def start_date(self) -> date | None:
        return parse_iso(self.start) if self.start is not None else None

    @property
    def end_date(self) -> date | None:
        return parse_iso(self.end) if self.end is not None else None

    def __str__(self) -> str:
        return format_node(self)


@dataclass(frozen=True, slots=True)
class Not:
    child: "Node"

    def __str__(self) -> str:
        return format_node(self)


@dataclass(frozen=True, slots=True)
class And:
    children: tuple["Node", ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", tuple(self.children))

    def __str__(self) -> str:
        return format_node(self)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple["Node", ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", tuple(self.children))

    def __str__(self) -> str:
        return format_node(self)


Node = Union[Term, Phrase, Field, DateRange, Not, And, Or]
TEXT_NODES = (Term, Phrase)
FILTER_NODES = (Field, DateRange)


# ---------------------------------------------------------------------------
# Normalising constructors


class EmptyDateRange(ValueError):
    """Date bounds that no day satisfies (``from:2007 to:2005``)."""


def intersect(a: DateRange, b: DateRange) -> DateRange:
    """Both ranges at once (same field); EmptyDateRange when no day is in both."""
    if a.field != b.field:
        raise ValueError("cannot intersect ranges of different fields")
    starts = [s for s in (a.start, b.start) if s is not None]
    ends = [e for e in (a.end, b.end) if e is not None]
    start = max(starts) if starts else None
    end = min(ends) if ends else None
    if start is not None and end is not None and start > end:
        raise EmptyDateRange(f"no date is both from {start} and to {end}")
    return DateRange(start, end, a.field)


def conj(*nodes: "Node | None") -> "Node | None":
    """AND of ``nodes`` in normal form (None entries are ignored; None when nothing is left)."""
    flat: list[Node] = []
    for n in nodes:
        if n is None:
            continue
        flat.extend(n.children if isinstance(n, And) else (n,))
    # Positive date bounds on one field become one range, where the first one stood.
    merged: list[Node] = []
    range_at: dict[str, int] = {}
    for n in flat:
        if isinstance(n, DateRange):
            if n.field in range_at:
                i = range_at[n.field]
                prev = merged[i]
                assert isinstance(prev, DateRange)
                merged[i] = intersect(prev, n)
                continue
            range_at[n.field] = len(merged)
        merged.append(n)
    return _collapse(And, merged)


def disj(*nodes: "Node | None") -> "Node | None":
    """OR of ``nodes`` in normal form (None entries are ignored; None when nothing is left)."""
    flat: list[Node] = []
    for n in nodes:
        if n is None:
            continue
        flat.extend(n.children if isinstance(n, Or) else (n,))
    return _collapse(Or, flat)


def negate(node: "Node | None") -> "Node | None":
    if node is None:
        return None
    if isinstance(node, Not):
        return node.child
    return Not(node)


def _collapse(cls: type, items: list["Node"]) -> "Node | None":
    unique = list(dict.fromkeys(items))
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    return cls(tuple(unique))


# ---------------------------------------------------------------------------
# Walking


def walk(node: "Node | None") -> Iterator["Node"]:
    """Every node of the tree, parents before children."""
    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, (And, Or)):
            stack.extend(reversed(n.children))
        elif isinstance(n, Not):
            stack.append(n.child)


def leaves(node: "Node | None") -> Iterator["Node"]:
    for n in walk(node):
        if not isinstance(n, (And, Or, Not)):
            yield n


def conjuncts(node: "Node | None") -> tuple["Node", ...]:
    """The top-level AND operands of a tree (the tree itself when it is not an AND)."""
    if node is None:
        return ()
    return node.children if isinstance(node, And) else (node,)


# ---------------------------------------------------------------------------
# Canonical text

PRIMARY_DATE_FIELD = "date"  # the field ``from:`` and ``to:`` bound


def format_node(node: "Node | None") -> str:
    """The canonical query text of a tree ("" for None)."""
    if node is None:
        return ""
    return _fmt(node, "and")


def _quote(text: str) -> str:
    return f'"{text}"'


def _value(value: str) -> str:
    return value if _BARE_VALUE.fullmatch(value) else _quote(value)


def _date_tokens(n: DateRange) -> list[str]:
    s, e = n.start_date, n.end_date
    if s is not None and e is not None:
        whole = as_period(s, e)
        if whole is not None:
            return [f"{n.field}:{whole}"]
    out = []
    if n.field == PRIMARY_DATE_FIELD:
        if s is not None:
            out.append(f"from:{compact_start(s)}")
        if e is not None:
            out.append(f"to:{compact_end(e)}")
    else:
        if s is not None:
            out.append(f"{n.field}>={compact_start(s)}")
        if e is not None:
            out.append(f"{n.field}<={compact_end(e)}")
    return out


def _fmt(node: "Node", ctx: str) -> str:
    """``ctx`` is where the node stands: "and" (a conjunct), "or" (an OR operand), "not"."""
    if isinstance(node, Term):
        if node.prefix:
            return f"{node.text}*"
        # A bare stopword would be ignored on re-parsing; quoted, it is searched.
        return _quote(node.text) if is_stopword(node.text) else node.text
    if isinstance(node, Phrase):
        return _quote(" ".join(node.words)) + ("*" if node.prefix else "")
    if isinstance(node, Field):
        return f"{node.name}{node.op}{_value(node.value)}" + ("*" if node.prefix else "")
    if isinstance(node, DateRange):
        toks = _date_tokens(node)
        text = " ".join(toks)
        return f"({text})" if len(toks) > 1 and ctx != "and" else text
    if isinstance(node, Not):
        return "-" + _fmt(node.child, "not")
    if isinstance(node, And):
        text = " ".join(_fmt(c, "and") for c in node.children)
        return text if ctx == "and" else f"({text})"
    if isinstance(node, Or):
        text = " OR ".join(_fmt(c, "or") for c in node.children)
        return text if ctx == "and" else f"({text})"
    raise TypeError(f"not a query node: {node!r}")
