"""Which stored version of a cable is the one to show: the most complete.

Backend-neutral: every store ranks versions with ``completeness()`` (an integer, so a
database can keep and compare it) and breaks ties with ``version_rank()``.

Completeness, most significant first:

1. the whole cable, not a partial extract (the release's partial notice);
2. the routing header is there;
3. how many of subject, tags, created, origin, classification, references and a
   signature the record has (a scraped mirror page loses some of them);
4. more paragraphs;
5. fewer redactions (a later release un-redacted names);
6. a longer body.

Ties go to the newest release (``released``, then the release label's running
count), then to the latest import.
"""

from __future__ import annotations

import re

from ..model import Cable, RawRecord

# Bit layout of the score (fits a signed 64-bit integer).
_BODY_BITS = 28
_REDACTION_BITS = 16
_PARAGRAPH_BITS = 12
_FIELD_BITS = 4

_LABEL_COUNT = re.compile(r"\d[\d,]*")


def completeness(cable: Cable) -> int:
    """A score where a bigger number means a more complete version of the cable."""
    fields = sum(
        bool(x)
        for x in (
            cable.subject,
            cable.tags,
            cable.created,
            cable.origin,
            cable.classification,
            cable.references,
            cable.signed_by,
        )
    )
    score = int(not cable.partial)
    score = (score << 1) | int(bool(cable.header and cable.header.strip()))
    score = (score << _FIELD_BITS) | min(fields, (1 << _FIELD_BITS) - 1)
    score = (score << _PARAGRAPH_BITS) | min(len(cable.paragraphs), (1 << _PARAGRAPH_BITS) - 1)
    unredacted = (1 << _REDACTION_BITS) - 1 - min(max(cable.redactions, 0), (1 << _REDACTION_BITS) - 1)
    score = (score << _REDACTION_BITS) | unredacted
    score = (score << _BODY_BITS) | min(len(cable.body or ""), (1 << _BODY_BITS) - 1)
    return score


def release_seq(label: str | None) -> int:
    """The running count in a release label ("6693 / 251,287" -> 6693); 0 when none."""
    if not label:
        return 0
    m = _LABEL_COUNT.search(label)
    return int(m.group().replace(",", "")) if m else 0


def release_of(raw: RawRecord, cable: Cable) -> tuple[str | None, str | None]:
    """(released, release_label) of a version: the parsed record first, then the release."""
    released = cable.released or raw.metadata.released
    return released, raw.metadata.release_label


def version_rank(score: int, released: str | None, seq: int, version_id: int) -> tuple[int, str, int, int]:
    """Sort key: the version with the biggest key is current."""
    return (score, released or "", seq, version_id)
