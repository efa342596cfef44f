"""Shared samples of generated cables (generated once per test session)."""

from __future__ import annotations

import pytest

from cablemirror.demo import GeneratedCable, generate_cables

SAMPLE_COUNT = 2_000
SAMPLE_SEED = 7


@pytest.fixture(scope="session")
def sample() -> list[GeneratedCable]:
    return list(generate_cables(SAMPLE_COUNT, SAMPLE_SEED))


@pytest.fixture(scope="session")
def sample_text(sample: list[GeneratedCable]) -> str:
    return "".join(c.csv_record() for c in sample)
