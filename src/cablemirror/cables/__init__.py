"""Cable text -> Cable: pure parsing, no storage.

Public API (others code against these names)::

    parse_cable(text, *, reference_id=None, year=None) -> Cable
    parse_record(record: RawRecord) -> Cable
    canonical_id("05RIODEJAN123") -> "05RIODEJANEIRO123"
    titlefy("BACK TO THE FUTURE?") -> "Back to the Future?"
    tag_kind("PHUM") -> "subject"
    clean_content(text) -> text without paragraph numbers, markings, page headers
"""

from .clean import clean_content
from .ids import canonical_id, make_id, release_id, station
from .parse import parse_cable, parse_record
from .tags import parse_tags, tag_kind
from .titles import titlefy

__all__ = [
    "parse_cable",
    "parse_record",
    "canonical_id",
    "make_id",
    "release_id",
    "station",
    "titlefy",
    "tag_kind",
    "parse_tags",
    "clean_content",
]
