"""The search query language: one parser, one tree, a compiler per backend.

>>> q = parse_query('harassment "civil society" -tag:PGOV origin:almaty from:2005')
>>> str(q)
'harassment "civil society" -tag:PGOV origin:almaty from:2005'

docs/search.md documents the language for users.
"""

from .errors import QuerySyntaxError
from .fields import CABLE_FIELDS, REPORT_FIELDS, FieldSpec, FieldTable
from .nodes import And, DateRange, Field, Node, Not, Or, Phrase, Term, conj, disj, format_node, negate
from .query import Query, build_filter, parse_query
from .evaluate import Record, matches
from .plan import Plan, TextMatch, split
from .fts5 import fts5_expression, plan_fts5, to_fts5
from .tsquery import plan_tsquery, to_tsquery_text

__all__ = [
    "CABLE_FIELDS",
    "REPORT_FIELDS",
    "And",
    "DateRange",
    "Field",
    "FieldSpec",
    "FieldTable",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Plan",
    "TextMatch",
    "Query",
    "Record",
    "QuerySyntaxError",
    "Term",
    "build_filter",
    "conj",
    "disj",
    "format_node",
    "fts5_expression",
    "matches",
    "negate",
    "parse_query",
    "plan_fts5",
    "plan_tsquery",
    "split",
    "to_fts5",
    "to_tsquery_text",
]
