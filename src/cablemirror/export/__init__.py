"""Exports of the mirror's records: PDF per record (``pdf``); later the static site,
dumps and manifests.

``cable_pdf`` and ``results_pdf`` are imported on first use, so that importing another
export module does not load fpdf2.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cable_pdf", "results_pdf"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import pdf

        return getattr(pdf, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
