"""The records that flow through cablemirror.

sources/ yields ``RawRecord`` (bytes + provenance + what the file format says) or
``Quarantined`` (bytes + provenance + why they could not be read).  cables/ turns a
``RawRecord`` into a ``Cable``; store/ keeps both.  Nothing here parses or stores.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

# Source formats, as written in provenance and in ``--format``.
FORMAT_HTML = "cablegate_html"
FORMAT_CSV = "cables_csv"
FORMAT_TEXT = "cable_text"
FORMAT_PDF = "cable_pdf"
FORMAT_MIRROR = "mirror_page"
FORMAT_WARLOG = "warlog_csv"
CABLE_FORMATS = (FORMAT_HTML, FORMAT_CSV, FORMAT_TEXT, FORMAT_PDF, FORMAT_MIRROR)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record's raw bytes came from, exactly."""

    format: str
    path: str
    offset: int  # byte offset of the record's first byte in the file
    length: int  # number of raw bytes
    line: int  # 1-based line number of the record's first byte
    sha256: str  # of the raw bytes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ReleaseMetadata:
    """What the release itself says about a record, beside its text.

    Every field is optional: a text extract has none of it, a ``cables.csv`` row
    has all of it.  Values are as the source wrote them, lightly normalised
    (dates to ISO 8601).
    """

    reference_id: str | None = None
    created: str | None = None  # ISO 8601, e.g. "2005-08-18T13:06:00"
    released: str | None = None  # ISO 8601 or None
    classification: str | None = None  # e.g. "CONFIDENTIAL//NOFORN"
    origin: str | None = None  # e.g. "Embassy Reykjavik"
    references: list[str] | None = None  # ids listed by the release (cables.csv field 6)
    sequence: int | None = None  # cables.csv field 1
    tags: list[str] | None = None  # linked TAGS of the final HTML layout
    release_label: str | None = None  # e.g. "6693 / 251,287": which state of the release the page shows
    notes: list[str] = field(default_factory=list)  # what the reader noticed (e.g. wrong minutes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class RawRecord:
    """One record as a source file holds it, before any interpretation of its text."""

    raw: bytes
    provenance: Provenance
    metadata: ReleaseMetadata
    header: str | None = None  # the header block, decoded, when the format separates it
    body: str | None = None  # the body block (or the whole text when not separated)
    partial_notice: bool = False  # the release says "This record is a partial extract ..."
    collection: str = "cables"


@dataclass(slots=True)
class Quarantined:
    """Bytes a reader could not turn into a record: kept, with the reason, never dropped."""

    raw: bytes
    provenance: Provenance
    reason: str
    collection: str = "cables"


# ---------------------------------------------------------------------------
# The parsed cable


@dataclass(slots=True)
class Reference:
    bullet: str | None  # "A", "B", ... or None
    value: str  # as written, e.g. "WHITE HOUSE 7221805"
    kind: str  # "cable" | "email" | "telcon" | "report" | "other"
    id: str | None  # canonical id for cables, else None

    def to_dict(self) -> dict[str, Any]:
        return {"bullet": self.bullet, "value": self.value, "kind": self.kind, "id": self.id}


@dataclass(slots=True)
class Recipient:
    route: str | None  # routing indicator, e.g. "RUEHC"
    name: str  # e.g. "SECSTATE WASHDC"
    precedence: str | None  # e.g. "PRIORITY"
    mcn: str | None  # message control number, e.g. "3787"
    excluded: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "name": self.name,
            "precedence": self.precedence,
            "mcn": self.mcn,
            "excluded": list(self.excluded),
        }


@dataclass(slots=True)
class Paragraph:
    number: int | None  # None for unnumbered text before paragraph 1
    marking: str | None  # portion marking as written without brackets: "C", "SBU", "S/NF"
    text: str
    cut_short: bool = False  # ends mid-sentence where the next paragraph begins

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"number": self.number, "marking": self.marking, "text": self.text}
        if self.cut_short:
            d["cut_short"] = True
        return d


@dataclass(slots=True)
class Repair:
    kind: str  # "accent" | "rejoined-word" | "created-minutes" | "cut-short" | ...
    where: str  # e.g. "paragraph 6" or "created"
    before: str
    after: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "where": self.where, "before": self.before, "after": self.after}


@dataclass(slots=True)
class Cable:
    """A cable, parsed.  ``to_dict()`` is the documented JSON record (docs/record.md)."""

    id: str | None = None
    created: str | None = None
    released: str | None = None
    origin: str | None = None
    classification: str | None = None
    captions: list[str] = field(default_factory=list)
    subject: str = ""
    title: str = ""
    title_derived: bool = False
    tags: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    classified_by: list[str] = field(default_factory=list)
    classification_reasons: list[str] = field(default_factory=list)
    declassify_on: str | None = None
    transmission_id: str | None = None
    recipients: list[Recipient] = field(default_factory=list)
    info_recipients: list[Recipient] = field(default_factory=list)
    summary: str | None = None
    comment: str | None = None
    signed_by: list[str] = field(default_factory=list)
    partial: bool = False
    paragraphs: list[Paragraph] = field(default_factory=list)
    body: str = ""
    redactions: int = 0
    repairs: list[Repair] = field(default_factory=list)
    source: dict[str, Any] | None = None
    header: str = ""  # the header block as released (routing lines); "" when none
    # What the text itself says, where release metadata says otherwise; both are kept.
    from_text: dict[str, Any] = field(default_factory=dict)
    release: dict[str, Any] | None = None  # the release metadata this record was built with

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created": self.created,
            "released": self.released,
            "origin": self.origin,
            "classification": self.classification,
            "captions": list(self.captions),
            "subject": self.subject,
            "title": self.title,
            "title_derived": self.title_derived,
            "tags": list(self.tags),
            "references": [r.to_dict() for r in self.references],
            "classified_by": list(self.classified_by),
            "classification_reasons": list(self.classification_reasons),
            "declassify_on": self.declassify_on,
            "transmission_id": self.transmission_id,
            "recipients": [r.to_dict() for r in self.recipients],
            "info_recipients": [r.to_dict() for r in self.info_recipients],
            "summary": self.summary,
            "comment": self.comment,
            "signed_by": list(self.signed_by),
            "partial": self.partial,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "body": self.body,
            "header": self.header,
            "redactions": self.redactions,
            "repairs": [r.to_dict() for r in self.repairs],
            "from_text": dict(self.from_text),
            "release": self.release,
            "source": self.source,
        }
