"""What every reader needs: provenance, quarantine, file reading, text decoding.

Readers never raise for bad content; they turn it into a ``Quarantined`` that keeps the
exact bytes.  The helpers here make that the easy path.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..model import Provenance, Quarantined, sha256_hex

# Provenance format of a file no reader claims (model.py has no constant for it).
FORMAT_UNKNOWN = "unknown"

BLANK = b" \t\r\n"

# The release marks cables whose header is lost with a fixed sentence; readers detect
# it by its opening words so a changed ending still counts.
PARTIAL_NOTICE_PREFIX = "This record is a partial extract of the original cable"

# A canonical (or known-malformed) cable id as a file name: year digits, station letters,
# serial digits, e.g. 05ALMATY2985, 7575LIBREVILLE1895, 08SCTION02OF02SAOPAULO335.
CABLE_ID_RE = re.compile(r"\d{2}(?:\d{2})?[A-Z]{2,}(?:[A-Z0-9]*[A-Z])?\d{1,7}")


def provenance(fmt: str, path: Path | str, offset: int, raw: bytes, line: int = 1) -> Provenance:
    return Provenance(format=fmt, path=str(path), offset=offset, length=len(raw), line=line, sha256=sha256_hex(raw))


def quarantined(fmt: str, path: Path | str, raw: bytes, reason: str, *, offset: int = 0, line: int = 1) -> Quarantined:
    return Quarantined(raw=raw, provenance=provenance(fmt, path, offset, raw, line), reason=reason)


def read_file(path: Path, fmt: str) -> bytes | Quarantined:
    """The whole file, or a Quarantined naming the OS error (nothing to keep but the path)."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        return quarantined(fmt, path, b"", f"cannot read file: {exc}")
    except ValueError as exc:  # e.g. embedded NUL in the path
        return quarantined(fmt, path, b"", f"cannot read file: {exc}")


# --------------------------------------------------------------------------- decoding


def _latin1_bytes(err: UnicodeDecodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so nothing is lost.
    return err.object[err.start : err.end].decode("latin-1"), err.end


def _cp1252_bytes(err: UnicodeDecodeError) -> tuple[str, int]:
    return err.object[err.start : err.end].decode("cp1252", errors="cablemirror-latin1"), err.end


codecs.register_error("cablemirror-latin1", _latin1_bytes)
codecs.register_error("cablemirror-cp1252", _cp1252_bytes)

NOTE_CP1252_FILE = "not valid UTF-8: decoded as cp1252 (latin-1 for its five undefined bytes)"
NOTE_CP1252_BYTES = "invalid UTF-8 byte sequences decoded one by one as cp1252/latin-1"


def decode_whole(data: bytes) -> tuple[str, list[str]]:
    """Decode a one-record file: UTF-8 if it is valid UTF-8, else cp1252 throughout.

    A file is written in one encoding; mixing per byte would turn a latin-1 "Ã©" into
    "é".  A UTF-8 byte-order mark is dropped from the text (the raw bytes keep it).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="cablemirror-latin1"), [NOTE_CP1252_FILE]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, []


def decode_mixed(data: bytes) -> tuple[str, bool]:
    """Decode a field of a large file: UTF-8, with each invalid sequence read as cp1252.

    Returns the text and whether the fallback was needed.  Every byte becomes a
    character, so nothing is lost.
    """
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="cablemirror-cp1252"), True


def normalise_newlines(text: str) -> str:
    """CRLF (and lone CR, old Mac files) to LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_partial_notice(text: str) -> tuple[str, bool]:
    """Split off the release's partial-extract notice when the text opens with it.

    The notice is release metadata, not cable text: it becomes ``partial_notice``.
    Returns the text after the notice's line (unchanged when there is no notice) and
    whether there was one.  What follows the notice (some copies keep a date-time
    group or routing lines there) is kept.
    """
    stripped = text.lstrip()
    if not stripped.startswith(PARTIAL_NOTICE_PREFIX):
        return text, False
    end = stripped.find("\n")
    return ("" if end < 0 else stripped[end + 1 :]), True


def reference_id_from_name(path: Path) -> str | None:
    """The file name's stem when it looks like a cable id, else None."""
    stem = path.stem
    return stem if CABLE_ID_RE.fullmatch(stem) else None


def looks_binary(data: bytes) -> str | None:
    """Why these bytes are not text (NUL bytes, mostly control bytes), or None."""
    if b"\x00" in data:
        return "binary data (NUL bytes), not text"
    sample = data[:65536]
    controls = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    if sample and controls * 20 > len(sample):
        return "binary data (more than 5% control bytes), not text"
    return None
