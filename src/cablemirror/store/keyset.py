"""A query's matching cables as an array of keys, and pages of them in date or id order.

``evaluate(cols, plan, source)`` answers a query plan (``search.plan_fts5``) as a
sorted array of cable keys, combining boolean masks over the key space (250,000
booleans: each AND/OR/NOT is microseconds):

- full-text parts (``Plan.match``, ``Plan.exclude``, ``TextMatch`` leaves) are the
  FTS5 index's rowids (``source.fts``): the one cost that grows with the matches;
- ``origin:``/``class:`` (label ids from ``source.labels``), ``tag:`` and
  ``caption:`` (the snapshot's per-value key lists; a prefix is a run of the sorted
  values) and
  dates (a run of positions in the date order, its two ends found by index probes,
  so SQLite itself compares the text) come from the column snapshot;
- anything else (``id:``, ``ref:``) is a SQL condition over ``facts x``
  (``source.where``), the same SQL the pure-SQL path uses.

A condition on an unknown (NULL) value is false and its negation true, as in
``search.evaluate`` and ``sqlite_query``.

``ordered_page`` cuts one page of keys in a date/released/id order from the
snapshot's precomputed positions (``argpartition``: no sort of every match).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

import numpy as np

from ..search import And, DateRange, Field, Not, Or, Plan, TextMatch
from ..search.dates import day_after
from .columns import Columns, Keywords


class KeySource(Protocol):
    """What the snapshot cannot answer, from the database (one read transaction)."""

    def fts(self, expression: str) -> np.ndarray:
        """Rowids matching an FTS5 expression."""

    def where(self, node: Any) -> np.ndarray:
        """Keys of ``facts x`` rows satisfying a field condition, in SQL."""

    def labels(self, kind: str, node: Field) -> list[int]:
        """Label ids an ``origin:``/``class:`` condition names."""

    def positions(self, sort: str) -> np.ndarray:
        """``Columns.positions(sort)``."""

    def first_position(self, sort: str, at_least: str | None) -> int:
        """The position in ``sort`` ("date" or "released") of the first cable whose
        date (created or released) is ``>= at_least`` (not NULL when None), or the
        number of cables when there is none."""


# The sort order whose first column is each date field's column.
_DATE_ORDER = {"date": "date", "released": "released"}


def _date_mask(cols: Columns, node: DateRange, source: KeySource) -> np.ndarray | None:
    """The cables whose date lies in [start, end] (ISO days): in the order by that date
    they are one run of positions, from the first date >= start to the first date >=
    the day after end.  The bounds are those of ``sqlite_query._date``."""
    sort = _DATE_ORDER.get(node.field)
    if sort is None:
        return None
    lower = source.first_position(sort, node.start)  # NULLs sort first: a start or IS NOT NULL
    upper = cols.count
    if node.end is not None:
        after = day_after(date.fromisoformat(node.end))
        if after is not None:
            upper = source.first_position(sort, after.isoformat())
    placed = source.positions(sort)
    return (placed >= lower) & (placed < upper)


def _keyword_mask(cols: Columns, words: Keywords, node: Field) -> np.ndarray:
    m = np.zeros(cols.size, dtype=bool)
    m[words.keys(*words.run(node.value, node.prefix))] = True
    return m & cols.present


def _mask(cols: Columns, node: Any, source: KeySource) -> np.ndarray:
    if isinstance(node, TextMatch):
        m = cols.mask(source.fts(node.expression))
        return ~m & cols.present if node.negated else m
    if isinstance(node, Not):
        return ~_mask(cols, node.child, source) & cols.present
    if isinstance(node, (And, Or)):
        masks = [_mask(cols, c, source) for c in node.children]
        out = masks[0].copy()
        for m in masks[1:]:
            if isinstance(node, And):
                out &= m
            else:
                out |= m
        return out
    if isinstance(node, DateRange):
        m = _date_mask(cols, node, source)
        if m is not None:
            return m & cols.present
    elif isinstance(node, Field):
        if node.name in ("origin", "class"):
            ids = np.array(source.labels(node.name, node), dtype=np.int32)
            column = cols.origin if node.name == "origin" else cols.klass
            return np.isin(column, ids) & cols.present if ids.size else np.zeros(cols.size, dtype=bool)
        if node.name in ("tag", "caption"):
            return _keyword_mask(cols, cols.tags if node.name == "tag" else cols.captions, node)
    else:
        raise TypeError(f"not a plan node: {node!r}")
    return cols.mask(source.where(node))


def evaluate(cols: Columns, plan: Plan, source: KeySource) -> np.ndarray:
    """The sorted keys (int64) of the stored cables matching ``plan``."""
    if plan.match is not None:
        m = cols.mask(source.fts(plan.match))
    else:
        m = cols.present.copy()
    if plan.exclude is not None:
        m &= ~cols.mask(source.fts(plan.exclude))
    for node in (*plan.filters, *plan.mixed):
        if not m.any():
            break
        m &= _mask(cols, node, source)
    return np.flatnonzero(m)


def ordered_page(placed: np.ndarray, keys: np.ndarray, sort: str, limit: int, offset: int) -> np.ndarray:
    """``keys[offset:offset + limit]`` in ``sort`` order ("date", "-date", "released",
    "-released", "id"), as ``Store.query`` orders them; ``placed`` is
    ``Columns.positions`` of that order (without the "-")."""
    n = int(keys.size)
    end = min(n, offset + limit)
    if offset >= end:
        return keys[:0]
    positions = placed[keys].astype(np.int64)
    if sort.startswith("-"):
        positions = -positions
    if end < n:
        first = np.argpartition(positions, end - 1)[:end]
    else:
        first = np.arange(n)
    first = first[np.argsort(positions[first], kind="stable")]
    return keys[first[offset:end]]
