"""The meaning of a query tree, executable: does one record match?

This is the reference every backend must agree with (the store's test suite can
compare its SQL results with ``matches`` on generated records), and a fallback for
small in-memory collections.  A record is a mapping:

- ``"text"``: the full text, a str or a list of str (separate fields: a phrase
  never spans two of them);
- one key per field name of the table (``"origin"``, ``"tag"`` ...), holding a str,
  an int, a list of them (for ``multi`` fields), or None when unknown.

A condition on a missing value is false, so its negation is true
(``-class:secret`` keeps records whose classification is unknown).  In SQL this
means wrapping predicates that may see NULL in ``COALESCE(..., 0)``.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Mapping, Sequence

from .fields import CABLE_FIELDS, DATE, NUMBER, TEXT, FieldSpec, FieldTable, ValueProblem, normalize_keyword
from .nodes import And, DateRange, Field, Node, Not, Or, Phrase, Term
from .text import words

_COMPARE = {
    "=": lambda a, b: a == b,
    ":": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def contains_phrase(haystack: Sequence[str], needle: Sequence[str], prefix: bool = False) -> bool:
    """``needle`` appears as consecutive words of ``haystack`` (its last word as a prefix)."""
    n = len(needle)
    if n == 0:
        return False
    for i in range(len(haystack) - n + 1):
        if list(haystack[i : i + n - 1]) != list(needle[: n - 1]):
            continue
        last = haystack[i + n - 1]
        if last == needle[-1] or (prefix and last.startswith(needle[-1])):
            return True
    return False


class _Words:
    """The words of one text value, indexed for repeated lookups."""

    def __init__(self, text: str) -> None:
        self.words = words(text)
        self._positions: dict[str, list[int]] | None = None
        self._sorted: list[str] | None = None

    def positions(self, word: str) -> list[int]:
        if self._positions is None:
            self._positions = {}
            for i, w in enumerate(self.words):
                self._positions.setdefault(w, []).append(i)
        return self._positions.get(word, [])

    def has(self, needle: Sequence[str], prefix: bool) -> bool:
        n = len(needle)
        if n == 1 and prefix:
            if self._sorted is None:
                self._sorted = sorted(set(self.words))
            i = bisect_left(self._sorted, needle[0])
            return i < len(self._sorted) and self._sorted[i].startswith(needle[0])
        if n == 1:
            return bool(self.positions(needle[0]))
        for i in self.positions(needle[0]):
            if contains_phrase(self.words[i : i + n], needle, prefix):
                return True
        return False


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for v in value if v is not None]
    return [value]


class Record:
    """A record prepared for many queries: its words are cut once."""

    def __init__(self, record: Mapping[str, Any], table: FieldTable = CABLE_FIELDS) -> None:
        self.record = record
        self.table = table
        self._words: dict[str, list[_Words]] = {}

    def matches(self, node: Node | None) -> bool:
        return node is None or self.test(node)

    def words_of(self, key: str) -> list[_Words]:
        if key not in self._words:
            self._words[key] = [_Words(str(v)) for v in _as_list(self.record.get(key))]
        return self._words[key]

    def keyword_values(self, spec: FieldSpec) -> list[str]:
        normalize = spec.normalize or normalize_keyword
        out = []
        for v in _as_list(self.record.get(spec.name)):
            try:
                out.append(normalize(str(v)))
            except ValueProblem:
                continue  # a stored value the query language cannot name matches nothing
        return out

    def test(self, node: Node) -> bool:
        if isinstance(node, And):
            return all(self.test(c) for c in node.children)
        if isinstance(node, Or):
            return any(self.test(c) for c in node.children)
        if isinstance(node, Not):
            return not self.test(node.child)
        if isinstance(node, Term):
            return any(ws.has((node.text,), node.prefix) for ws in self.words_of("text"))
        if isinstance(node, Phrase):
            return any(ws.has(node.words, node.prefix) for ws in self.words_of("text"))
        if isinstance(node, DateRange):
            days = [str(v)[:10] for v in _as_list(self.record.get(node.field))]
            return any((node.start is None or node.start <= d) and (node.end is None or d <= node.end) for d in days)
        if isinstance(node, Field):
            return self.test_field(node)
        raise TypeError(f"not a query node: {node!r}")

    def test_field(self, node: Field) -> bool:
        spec = self.table[node.name]
        if spec.kind == TEXT:
            needle = node.value.split(" ")
            return any(ws.has(needle, node.prefix) for ws in self.words_of(spec.name))
        if spec.kind == NUMBER:
            wanted = int(node.value)
            numbers = []
            for v in _as_list(self.record.get(spec.name)):
                try:
                    numbers.append(int(v))
                except (TypeError, ValueError):
                    continue
            return any(_COMPARE[node.op](n, wanted) for n in numbers)
        if spec.kind == DATE:  # a Field never holds a date; DateRange does
            raise TypeError(f"date field {node.name} in a Field node")
        values = self.keyword_values(spec)
        if node.prefix:
            return any(v.startswith(node.value) for v in values)
        accepted = set(spec.expand(node.value)) if spec.expand else {node.value}
        return any(v in accepted for v in values)


def matches(node: Node | None, record: Mapping[str, Any], fields: FieldTable = CABLE_FIELDS) -> bool:
    """True when ``record`` satisfies the tree (the empty tree matches everything)."""
    if node is None:
        return True
    return Record(record, fields).test(node)
