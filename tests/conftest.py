"""Shared test helpers.

Tests that need the real release files read them from ``../shared`` (beside the
project root).  A user's clone has no ``../shared``: those tests skip, saying why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SKIP_REASON = f"needs the real release files in {SHARED} (absent: this is not the project's CI layout)"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the calling test when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(SKIP_REASON)
    return p


@pytest.fixture
def corpus() -> Path:
    return shared_path("corpus")


@pytest.fixture
def seed_page() -> Path:
    return shared_path("seed", "05ALMATY2985-mirror-page.txt")
