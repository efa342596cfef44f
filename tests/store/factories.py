"""Generated cables for the store tests (no release text: made-up words and ids).

``make_pair`` builds a (RawRecord, Cable) pair whose raw bytes are a generated text;
every field can be overridden.  Different ``variant`` values give different bytes
(hence different versions) of the same cable id.
"""

from __future__ import annotations

import random
import zlib
from typing import Any

from cablemirror.model import (
    FORMAT_HTML,
    Cable,
    Paragraph,
    Provenance,
    RawRecord,
    Reference,
    ReleaseMetadata,
    sha256_hex,
)

WORDS = (
    "ministry delegation harbour quota fisheries embargo treaty summit convoy ballot reform "
    "pipeline tariff frigate visa grain drought uranium census militia parliament coalition"
).split()


def text(seed: int, n_words: int = 60) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n_words)).upper() + "."


def make_pair(
    cable_id: str = "09TESTPOST101",
    *,
    variant: int = 0,
    fmt: str = FORMAT_HTML,
    path: str = "generated/test.html",
    raw: bytes | None = None,
    paragraphs: list[tuple[int | None, str | None, str]] | None = None,
    references: list[Reference] | None = None,
    release_label: str | None = None,
    released: str | None = "2011-08-30T01:44:00",
    offset: int = 0,
    line: int = 1,
    **fields: Any,
) -> tuple[RawRecord, Cable]:
    """A pair as a reader and the parser would give it; ``fields`` override Cable fields."""
    if paragraphs is None:
        paragraphs = [(i, "C", text(zlib.crc32(f"{cable_id}:{variant}:{i}".encode()))) for i in (1, 2, 3)]
    paras = [Paragraph(number=n, marking=m, text=t) for n, m, t in paragraphs]
    body = "\n\n".join(f"{p.number}. ({p.marking}) {p.text}" if p.number else p.text for p in paras)
    values: dict[str, Any] = dict(
        id=cable_id,
        created="2009-01-26T07:15:00",
        released=released,
        origin="Embassy Testville",
        classification="CONFIDENTIAL",
        subject="GENERATED SUBJECT ABOUT FISHERIES QUOTA",
        title="GENERATED SUBJECT ABOUT FISHERIES QUOTA",
        tags=["PREL", "EFIS", "XX"],
        references=references if references is not None else [],
        paragraphs=paras,
        body=body,
        header="VZCZCXYZ0001\nPP RUEHC\nDE RUEHXX #0101 0260715",
        signed_by=["SURNAME"],
    )
    values.update(fields)
    cable = Cable(**values)
    if raw is None:
        raw = f"<generated cable {cable_id} variant {variant}>\n{cable.header}\n{cable.body}\n".encode("utf-8", "surrogateescape")
    prov = Provenance(fmt, path, offset, len(raw), line, sha256_hex(raw))
    meta = ReleaseMetadata(
        reference_id=cable_id,
        created=cable.created,
        released=released,
        classification=cable.classification,
        origin=cable.origin,
        release_label=release_label,
    )
    if "source" not in fields:
        cable.source = prov.to_dict()
    return RawRecord(raw=raw, provenance=prov, metadata=meta, header=cable.header, body=cable.body), cable
