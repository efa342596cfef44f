"""A reference SQLite search over a small schema: how a store can run a ``Plan``.

Used by the tests to check that the FTS5 compiler and the plan mean what the
evaluator (``cablemirror.search.evaluate``) says.  It is also the proposal for the
SQLite store: the same shape of SQL works on the real schema.

- ``Plan.match``/``exclude`` -> ``rowid IN / NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)``
- filters and mixed trees -> SQL booleans; each field predicate is wrapped in
  ``COALESCE(..., 0)`` so that a NULL (unknown) value is false and its negation
  true, as in the evaluator.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Mapping

from cablemirror.search import And, DateRange, Field, Not, Or, Plan, TextMatch, plan_fts5
from cablemirror.search.fields import CABLE_FIELDS, normalize_classification, normalize_tag
from cablemirror.search.text import words

SCHEMA = """
CREATE TABLE doc(rowid INTEGER PRIMARY KEY, id TEXT, origin TEXT, origin_words TEXT, subject TEXT,
                 subject_words TEXT, class TEXT, created TEXT, released TEXT);
CREATE TABLE doc_tag(doc INTEGER, tag TEXT);
CREATE TABLE doc_caption(doc INTEGER, caption TEXT);
CREATE TABLE doc_ref(doc INTEGER, ref TEXT);
CREATE VIRTUAL TABLE doc_fts USING fts5(body, subject, origin, tokenize='unicode61 remove_diacritics 2');
"""

TEXT_COLUMNS = {"origin": "origin_words", "subject": "subject_words"}
MULTI = {"tag": ("doc_tag", "tag"), "caption": ("doc_caption", "caption"), "ref": ("doc_ref", "ref")}


def connect() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    return db


def insert(db: sqlite3.Connection, rowid: int, rec: Mapping[str, Any]) -> None:
    """``rec`` is an evaluator record whose "text" is [body, subject, origin]."""
    body = rec["text"][0]
    origin, subject = rec.get("origin"), rec.get("subject")
    cls = rec.get("class")
    db.execute(
        "INSERT INTO doc VALUES (?,?,?,?,?,?,?,?,?)",
        (
            rowid,
            rec.get("id"),
            origin,
            " ".join(words(origin)) if origin is not None else None,
            subject,
            " ".join(words(subject)) if subject is not None else None,
            normalize_classification(cls) if cls else None,
            rec.get("date"),
            rec.get("released"),
        ),
    )
    for name, (table, column) in MULTI.items():
        for v in rec.get(name) or []:
            db.execute(f"INSERT INTO {table}(doc, {column}) VALUES (?, ?)", (rowid, normalize_tag(v)))
    db.execute("INSERT INTO doc_fts(rowid, body, subject, origin) VALUES (?,?,?,?)", (rowid, body, subject or "", origin or ""))


def _field_sql(n: Field, params: list[Any]) -> str:
    spec = CABLE_FIELDS[n.name]
    if n.name in TEXT_COLUMNS:
        params.append(" " + n.value + ("" if n.prefix else " "))
        return f"instr(' ' || {TEXT_COLUMNS[n.name]} || ' ', ?) > 0"
    if n.name in MULTI:
        table, column = MULTI[n.name]
        if n.prefix:
            params += [len(n.value), n.value]
            cond = f"substr({column}, 1, ?) = ?"
        else:
            params.append(n.value)
            cond = f"{column} = ?"
        return f"EXISTS (SELECT 1 FROM {table} WHERE doc = doc.rowid AND {cond})"
    if n.name == "class":
        values = spec.expand(n.value)
        params += list(values)
        return f"class IN ({', '.join('?' * len(values))})"
    if n.name == "id":
        if n.prefix:
            params += [len(n.value), n.value]
            return "substr(id, 1, ?) = ?"
        params.append(n.value)
        return "id = ?"
    raise ValueError(f"no column for {n}")


def _bool_sql(node: Any, params: list[Any]) -> str:
    if isinstance(node, TextMatch):
        params.append(node.expression)
        op = "NOT IN" if node.negated else "IN"
        return f"doc.rowid {op} (SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?)"
    if isinstance(node, Not):
        return f"NOT ({_bool_sql(node.child, params)})"
    if isinstance(node, (And, Or)):
        op = " AND " if isinstance(node, And) else " OR "
        return "(" + op.join(_bool_sql(c, params) for c in node.children) + ")"
    if isinstance(node, DateRange):
        column = "created" if node.field == "date" else node.field
        conds = []
        if node.start is not None:
            conds.append(f"substr({column}, 1, 10) >= ?")
            params.append(node.start)
        if node.end is not None:
            conds.append(f"substr({column}, 1, 10) <= ?")
            params.append(node.end)
        return f"COALESCE({' AND '.join(conds)}, 0)"
    if isinstance(node, Field):
        return f"COALESCE({_field_sql(node, params)}, 0)"
    raise TypeError(node)


def where(plan: Plan) -> tuple[str, list[Any]]:
    params: list[Any] = []
    conds = []
    if plan.match is not None:
        conds.append(_bool_sql(TextMatch(plan.match), params))
    if plan.exclude is not None:
        conds.append(_bool_sql(TextMatch(plan.exclude, negated=True), params))
    conds += [_bool_sql(n, params) for n in (*plan.filters, *plan.mixed)]
    return " AND ".join(conds) or "1", params


def search(db: sqlite3.Connection, root: Any, columns: Mapping[str, str] | None = None) -> set[int]:
    sql, params = where(plan_fts5(root, columns))
    return {r[0] for r in db.execute(f"SELECT rowid FROM doc WHERE {sql}", params)}
