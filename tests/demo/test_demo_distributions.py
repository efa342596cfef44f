"""The generated collection has the real release's shape (numbers in cablemirror.demo.shape),
measured on a 2,000-record sample, within tolerances that a sample of that size allows."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter

from cablemirror.demo.shape import (
    BODY_SIZE_MAX,
    BODY_SIZE_MEAN,
    BODY_SIZE_MEDIAN,
    CLASSIFICATION_COUNTS,
    HEADER_SHARES,
    REDACTED_SHARE,
)
from cablemirror.demo.prose import REDACTION


def test_body_sizes(sample) -> None:
    sizes = sorted(len(c.body.encode("utf-8")) for c in sample)
    assert abs(statistics.mean(sizes) - BODY_SIZE_MEAN) < 0.10 * BODY_SIZE_MEAN
    assert abs(sizes[len(sizes) // 2] - BODY_SIZE_MEDIAN) < 0.10 * BODY_SIZE_MEDIAN
    assert 16_000 < sizes[-1] <= BODY_SIZE_MAX * 1.1
    assert sizes[0] < 1_200  # a few very short cables, as in the release
    assert sizes[len(sizes) // 20] < 1_500  # real 5th percentile: 934 bytes


def test_header_mix(sample) -> None:
    kinds = Counter(c.header_kind for c in sample)
    n = len(sample)
    assert abs(kinds["routing"] / n - HEADER_SHARES["routing"]) < 0.04
    assert abs(kinds["acp"] / n - HEADER_SHARES["acp"]) < 0.015
    assert abs(kinds["partial"] / n - HEADER_SHARES["partial"]) < 0.04


def test_classification_shares(sample) -> None:
    got = Counter(c.classification for c in sample)
    total = sum(CLASSIFICATION_COUNTS.values())
    assert set(got) == set(CLASSIFICATION_COUNTS)  # every label of the release appears
    for label, count in CLASSIFICATION_COUNTS.items():
        assert abs(got[label] / len(sample) - count / total) < 0.035, label


def test_years(sample) -> None:
    years = [c.created.year for c in sample]
    recent = sum(2005 <= y <= 2010 for y in years) / len(years)
    assert 0.85 < recent < 0.95
    assert min(years) < 2000  # some old cables, back to 1966
    assert min(years) >= 1966


def test_origins_are_skewed(sample) -> None:
    origins = Counter(c.origin for c in sample)
    n = len(sample)
    top = origins.most_common()
    assert 0.02 < top[0][1] / n < 0.08  # the biggest senders hold a few percent each
    assert sum(v for _, v in top[:10]) / n > 0.2
    assert len(origins) > 120  # a long tail of small posts
    assert "Secretary of State" in dict(top[:5])


def test_redaction_share(sample) -> None:
    redacted = sum(REDACTION in c.body for c in sample) / len(sample)
    assert abs(redacted - REDACTED_SHARE) < 0.04
    assert all(REDACTION in c.body for c in sample if c.redacted)


def test_body_structure_shares(sample) -> None:
    n = len(sample)
    summary = sum("Summary:" in c.body or "SUMMARY:" in c.body for c in sample) / n
    comment = sum("Comment:" in c.body or "COMMENT:" in c.body for c in sample) / n
    refs = sum("\nREF: " in c.body for c in sample) / n
    assert 0.4 < summary < 0.7  # real pages: 65% (the longer ones)
    assert 0.15 < comment < 0.45  # real pages: 33%
    assert 0.4 < refs < 0.65


def test_word_frequencies_are_zipf_like(sample) -> None:
    words = Counter(w for c in sample for w in re.findall(r"[a-z]+", c.body.lower()))
    freqs = sorted(words.values(), reverse=True)
    assert len(freqs) > 3_000  # a real vocabulary, not a handful of tokens
    ranks = range(10, 2_000)
    xs = [math.log(r) for r in ranks]
    ys = [math.log(freqs[r - 1]) for r in ranks]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    assert -1.8 < slope < -0.7, slope
    assert sum(1 for f in freqs if f <= 2) > 200  # rare words exist for rare-word queries
