"""Plain cable text: one cable per file (text extracted from per-cable PDFs, or any
UTF-8 text of a cable).

The extracts of the release are latin-1 with CRLF line ends and the pilcrow as byte
0xB6; other text files are UTF-8.  The file is decoded as UTF-8 when it is valid UTF-8,
else as cp1252 (a superset of latin-1's printable range: the ¶ survives), line ends are
normalised to LF, and the whole text is the body.  A file named like a cable id
(``06NEWDELHI5135.txt``) gives ``metadata.reference_id``, with a note saying so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..model import FORMAT_TEXT, Quarantined, RawRecord, ReleaseMetadata
from ._base import (
    decode_whole,
    looks_binary,
    normalise_newlines,
    provenance,
    quarantined,
    read_file,
    reference_id_from_name,
    split_partial_notice,
)

NOTE_ID_FROM_NAME = "reference id taken from the file name"


def read(path: str | Path, *, start_offset: int = 0) -> Iterator[RawRecord | Quarantined]:
    """Yield the file's one record.  The record is at offset 0, so ``start_offset`` > 0
    means it was already read."""
    if start_offset > 0:
        return
    p = Path(path)
    data = read_file(p, FORMAT_TEXT)
    if isinstance(data, Quarantined):
        yield data
        return
    yield record_from_bytes(data, p, FORMAT_TEXT)


def record_from_bytes(data: bytes, path: Path, fmt: str) -> RawRecord | Quarantined:
    """The record of a one-cable text; shared with the PDF reader's text layer path."""
    if not data.strip():
        return quarantined(fmt, path, data, "empty file: no text")
    why = looks_binary(data)
    if why:
        return quarantined(fmt, path, data, why)
    text, notes = decode_whole(data)
    return text_record(normalise_newlines(text), data, path, fmt, notes)


def text_record(text: str, raw: bytes, path: Path, fmt: str, notes: list[str]) -> RawRecord:
    body, partial = split_partial_notice(text)
    ref_id = reference_id_from_name(path)
    if ref_id:
        notes = [*notes, NOTE_ID_FROM_NAME]
    return RawRecord(
        raw=raw,
        provenance=provenance(fmt, path, 0, raw, 1),
        metadata=ReleaseMetadata(reference_id=ref_id, notes=notes),
        header=None,
        body=body,
        partial_notice=partial,
    )
