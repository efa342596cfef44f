"""How the SQLite store keeps a cable's current record (schema 4).

``cables.record_z`` is the record's JSON (``Cable.to_dict()``) with ``"body": ""``,
zlib-compressed, and ``cables.body`` is the body as plain text.  Why:

- the body is most of a record and appears in it twice (``body`` and the paragraphs'
  texts): compressing the rest takes a cable from ~18 KB to ~11 KB, and an import
  writes a third less;
- the full-text index reads the body from a plain column (its content view is plain
  SQL: any SQLite client can rebuild, check or highlight with it), and search hits
  read the body without decompressing anything.

``joined`` puts the body back in its place (assigning an existing key keeps the key
order), so readers get exactly the dict that was stored.  Versions that are not
current keep their whole record, compressed, in ``versions.record_z``.
"""

from __future__ import annotations

import zlib
from typing import Any

from . import jsonio

ZLIB_LEVEL = 1  # 3/4 of level 6's gain at under half the CPU: imports are CPU-bound


def deflate(text: str | bytes) -> bytes:
    return zlib.compress(text.encode("utf-8") if isinstance(text, str) else text, ZLIB_LEVEL)


def inflate_json(record_z: bytes) -> Any:
    return jsonio.loads(zlib.decompress(record_z))


def joined(record_z: bytes, body: str) -> dict[str, Any]:
    """The record stored as ``record_z`` (without its body) and ``body``."""
    record = inflate_json(record_z)
    if not isinstance(record, dict):
        raise ValueError("not a record")
    record["body"] = body
    return record
