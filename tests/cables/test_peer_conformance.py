"""Conformance with the earlier parser's cases: >= 95% overall and >= 90% in every field
of the cases that run offline (wrong expectations are listed in the runner, with reasons)."""

import pytest

from cablemirror.cables.conformance import NOT_APPLICABLE, WRONG_EXPECTATIONS, Report, load_cases, run_cases

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def report():
    from tests.conftest import shared_path

    cases = load_cases(shared_path("peer", "cablemap-cases.jsonl"))
    pytest.importorskip("cablemirror.sources", reason="fetch cases read the corpus with the source readers")
    return run_cases(cases, shared_path("corpus"))


def test_overall_rate(report):
    total = report.overall()
    assert total["pass"] + total["fail"] >= 400  # the offline cases did run
    assert Report.rate(total) >= 0.95


def test_rate_per_field(report):
    low = {f: Report.rate(c) for f, c in report.by_field().items()
           if Report.rate(c) is not None and Report.rate(c) < 0.90}
    assert not low, low


def test_every_case_accounted_for(report):
    statuses = {r.status for r in report.results}
    assert statuses <= {"pass", "fail", "wrong-expectation", "skip", "n/a"}
    assert all(r.note == "skipped: not in corpus" for r in report.results if r.status == "skip")
    assert {r.field for r in report.results if r.status == "n/a"} <= set(NOT_APPLICABLE)
    # every listed wrong expectation names a real case, with a reason
    ids = {r.case_id for r in report.results}
    assert set(WRONG_EXPECTATIONS) <= ids and all(WRONG_EXPECTATIONS.values())
