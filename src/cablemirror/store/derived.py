"""Values a store derives from a cable so that queries run on columns (backend-neutral, pure).

Each function here is the one definition both the write path and schema migrations
use, so a migrated store holds exactly what a fresh import would.

- ``id_key``: the canonical form of a reference id, for linking: the release keeps its
  own spelling of some ids (``04TAIPEI...`` beside ``04AITTAIPEI...``) and references
  are written every which way, so ids are compared by ``canonical_id`` on both sides.
- ``keyword``: tags and captions as the query language compares them (upper case,
  single spaces).
- ``origin_words``: the folded words of an origin, as ``origin:`` matches them.
- ``class_key``: a classification in the query language's canonical spelling.
- ``is_generated``: the demo generator's mark at the top of a body.
"""

from __future__ import annotations

from typing import Iterable

from ..cables.ids import canonical_id
from ..search.fields import ValueProblem, normalize_classification
from ..search.text import words

# The line cablemirror.demo puts at the top of every generated body (a copy, so that
# the store does not import the generator; tests/store check that both agree).
GENERATED_MARK = "GENERATED DEMO DATA"
_MARK_LINES = 12  # the mark sits under the classification line, before the captions end


def id_key(cable_id: str | None) -> str | None:
    """The id to compare with other ids (``canonical_id``); None for no id."""
    if cable_id is None:
        return None
    key = canonical_id(cable_id)
    return key or cable_id.strip().upper() or None


def keyword(value: str | None) -> str:
    """A tag or caption as queries name it: upper case, blanks collapsed ("" for none)."""
    return " ".join((value or "").split()).upper()


def keywords(values: Iterable[str | None]) -> list[str]:
    """``keyword`` of each value, in order, without empties and repeats."""
    return list(dict.fromkeys(k for k in (keyword(v) for v in values) if k))


def origin_words(origin: str | None) -> str:
    """The folded words of an origin, space separated ("US Office Almaty" -> "us office almaty")."""
    return " ".join(words(origin or ""))


def class_key(classification: str | None) -> str:
    """The canonical classification ("secret/noforn" -> "SECRET//NOFORN"); "" when the
    query language cannot name it."""
    if not classification or not classification.strip():
        return ""
    try:
        return normalize_classification(classification)
    except ValueProblem:
        return ""


def is_generated(body: str | None) -> bool:
    """True when the body carries the demo generator's mark among its first lines."""
    if not body or GENERATED_MARK not in body[:2000]:
        return False
    return any(line.strip() == GENERATED_MARK for line in body[:2000].splitlines()[:_MARK_LINES])
