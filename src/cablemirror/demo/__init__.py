"""Synthetic cables: the bundled demo collection and the full-size benchmark corpus.

All text is generated from the word lists and templates in ``data/`` (written for this
project); the shape (sizes, header mix, classifications, references, ...) follows numbers
measured on the real release, documented in ``shape.py``.  Every body says
``GENERATED DEMO DATA`` under its classification line.
"""

from .body import GENERATED_MARK
from .cables import (
    DEFAULT_COUNT,
    DEFAULT_DEMO_COUNT,
    CableGenerator,
    GeneratedCable,
    WriteStats,
    escape_field,
    format_created,
    generate_cables,
    write_cables_csv,
)

__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_DEMO_COUNT",
    "GENERATED_MARK",
    "CableGenerator",
    "GeneratedCable",
    "WriteStats",
    "escape_field",
    "format_created",
    "generate_cables",
    "write_cables_csv",
]
