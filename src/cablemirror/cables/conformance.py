"""Conformance with an earlier cable parser ("cablemap"), case by case.

The cases are data (one JSON object a line: ``field``, ``input``, ``input_kind``,
``expected``, optional ``params``, ``match``, ``fetch``).  Each case runs against
this package's own functions; the result is one of:

- ``pass`` / ``fail``;
- ``wrong-expectation``: listed in ``WRONG_EXPECTATIONS`` with the reason (the
  expectation contradicts the text, or needs knowledge the input does not hold);
  counted separately, never bent to;
- ``skip``: ``fetch`` cases whose cable is not in the local corpus;
- ``n/a``: fields our record does not carry (``NOT_APPLICABLE``).

Used by ``bench/peer_conformance.py`` (report) and ``tests/cables/test_peer_conformance.py``
(targets).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Cable, RawRecord
from .body import declassify_on, find_signers, find_subject, find_summary
from .classified import normalize_name, parse_classified_by
from .clean import clean_content, normalize_text
from .header import parse_header
from .ids import canonical_id
from .parse import parse_record
from .references import parse_references
from .tags import find_tags_text, parse_tags, tag_kind
from .titles import titlefy

__all__ = ["CaseResult", "Report", "run_cases", "load_cases", "CorpusIndex",
           "WRONG_EXPECTATIONS", "NOT_APPLICABLE"]

# Cases whose expectation we do not follow, and why.  Each was checked against the
# case's input (and, for fetched cables, the corpus text).
WRONG_EXPECTATIONS: dict[str, str] = {
    "canonical_id/test_c14n_id_c14n/invalid/062":
        "09BRUSELS1292 names Brussels; that it was the USEU mission is cablemap's outside "
        "knowledge of that one cable, not in the id",
    "canonical_id/test_c14n_id_c14n/malformed/010":
        "AQNA is three edits away from ASTANA; the expectation comes from a per-record fix table, "
        "not from the string",
    "canonical_id/test_c14n_id_c14n/malformed/016":
        "the string ends in serial 21; the expected serial 1021 is not in the input",
    "canonical_id/test_c14n_id_c14n/malformed/037":
        "092OF5 holds neither station nor serial of the expected 09STATE126780",
    "tags/test_reader_tags/075":
        "VT stands in the TAGS line twice (VTPREL, VT); the expectation drops it because the "
        "earlier parser stopped at the page header inside the line",
    "references_typed/test_reader_references_ng/029":
        "expects the station ADDIS; the release writes Addis Ababa as ADDISABABA (canonical ids)",
    "references_typed/test_reader_references_ng/033":
        "bullet B reads '2962 AND PREVIOUS' (MANILA 2962); the expectation repeats 2969 from A",
    "references_typed/test_reader_references_ng/042":
        "the text says PANAMA 00789/08 (serial 789); the expectation has 798",
    "references_typed/test_reader_references_ng/052":
        "the second item is written 'B) STATE 285773'; the expectation drops its bullet",
    "signed_by/test_reader_signers/045":
        "the corpus text of 04TAIPEI3991 ends 'KEEGANPAAL' (two names glued); splitting it needs "
        "knowledge of the signers' names that the text does not hold",
}

# Fields the earlier parser reported that our record does not carry.
NOT_APPLICABLE: dict[str, str] = {
    "media_urls": "URLs of press articles the earlier parser looked up online; the mirror works "
                  "offline and keeps no such list",
}

_TEL_KIND = {"telcon": "tel"}


@dataclass(slots=True)
class CaseResult:
    case_id: str
    field: str
    status: str  # pass | fail | wrong-expectation | skip | n/a
    got: Any = None
    expected: Any = None
    note: str = ""


@dataclass(slots=True)
class Report:
    results: list[CaseResult] = field(default_factory=list)

    def by_field(self) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = {}
        for r in self.results:
            out.setdefault(r.field, Counter())[r.status] += 1
        return out

    @staticmethod
    def rate(c: Counter[str]) -> float | None:
        """Passed share of the cases that ran offline and whose expectation stands."""
        ran = c["pass"] + c["fail"]
        return c["pass"] / ran if ran else None

    def overall(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for c in self.by_field().values():
            total.update(c)
        return total


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class CorpusIndex:
    """The corpus cables by reference id, read with the source readers on first use."""

    def __init__(self, corpus: str | Path) -> None:
        self.corpus = Path(corpus)
        self._records: dict[str, list[RawRecord]] | None = None

    def _build(self) -> dict[str, list[RawRecord]]:
        from ..sources import iter_records  # the readers: sources/ is the layer below

        found: dict[str, list[RawRecord]] = {}
        for rec in iter_records([self.corpus]):
            if isinstance(rec, RawRecord) and rec.metadata.reference_id:
                found.setdefault(canonical_id(rec.metadata.reference_id), []).append(rec)
        return found

    def records(self, reference_id: str) -> list[RawRecord]:
        if self._records is None:
            self._records = self._build()
        return self._records.get(canonical_id(reference_id), [])


def _best(records: list[RawRecord]) -> RawRecord:
    """The fullest version of a cable: one with a header, then the longest body."""
    return max(records, key=lambda r: (bool((r.header or "").strip()) and not r.partial_notice,
                                       len(r.body or "")))


def _typed(refs: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"value": r.id if r.kind == "cable" else r.value, "kind": _TEL_KIND.get(r.kind, r.kind),
             "bullet": r.bullet, "title": None} for r in refs if r.kind != "other"]


def _cable_ids(refs: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(r.id for r in refs if r.kind == "cable" and r.id))


def _from_content(case: dict[str, Any]) -> Any:
    fld = case["field"]
    params = case.get("params") or {}
    raw = case["input"]
    text = normalize_text(raw)
    if fld == "canonical_id":
        return canonical_id(raw)
    if fld == "titlefy":
        return titlefy(raw)
    if fld == "tag_kind":
        return tag_kind(raw, **params)
    if fld == "clean_content":
        return clean_content(raw)
    if fld == "classified_by":
        names, _ = parse_classified_by(text)
        return [normalize_name(n) for n in names] if params.get("normalize") else names
    if fld == "references":
        return _cable_ids(parse_references(text, year=params.get("year"),
                                           reference_id=params.get("reference_id")))
    if fld == "references_typed":
        return _typed(parse_references(text, year=params.get("year"), reference_id=case.get("cable")))
    if fld == "subject":
        return find_subject(text, clean=params.get("clean", True))[0]
    if fld == "tags":
        return parse_tags(find_tags_text(text) or "", canonicalize=params.get("canonicalize", True))
    if fld == "signed_by":
        return find_signers(text, canonicalize=params.get("canonicalize", True))[0]
    if fld == "summary":
        return find_summary(text)
    if fld == "nondisclosure_deadline":
        return declassify_on(text)
    if fld in ("recipients", "info_recipients"):
        h = parse_header(text)
        return [r.to_dict() for r in (h.recipients if fld == "recipients" else h.info_recipients)]
    raise KeyError(fld)


def _from_html(case: dict[str, Any]) -> Any:
    from ..sources.cablegate_html import parse_page  # the official-page reader

    rec = parse_page(case["input"].encode("utf-8"), "case.html")
    if not isinstance(rec, RawRecord):
        return None
    return _from_cable(case, parse_record(rec), rec)


def _from_cable(case: dict[str, Any], cable: Cable, rec: RawRecord) -> Any:
    fld = case["field"]
    params = case.get("params") or {}
    if fld == "classified_by":
        return [normalize_name(n) for n in cable.classified_by] if params.get("normalize") \
            else cable.classified_by
    if fld == "references":
        return _cable_ids(cable.references)
    if fld == "subject":
        return cable.subject
    if fld == "tags":
        return cable.tags
    if fld == "signed_by":
        if params.get("canonicalize", True):
            return cable.signed_by
        return find_signers(normalize_text(rec.body or ""), canonicalize=False)[0]
    if fld == "transmission_id":
        return cable.transmission_id
    if fld == "is_partial":
        return cable.partial
    if fld == "summary":
        return cable.summary
    raise KeyError(fld)


def _matches(case: dict[str, Any], got: Any) -> bool:
    expected = case["expected"]
    how = case.get("match")
    if how == "canonical_equivalent":
        return isinstance(got, str) and canonical_id(got) == canonical_id(expected)
    if how == "sorted_equal":
        return sorted(got or []) == sorted(expected)
    if how == "contains":
        return all(e in (got or []) for e in expected)
    return got == expected


def run_case(case: dict[str, Any], corpus: CorpusIndex | None) -> CaseResult:
    cid, fld = case["id"], case["field"]
    if fld in NOT_APPLICABLE:
        return CaseResult(cid, fld, "n/a", note=NOT_APPLICABLE[fld])
    try:
        if case.get("fetch"):
            records = corpus.records(case["input"]) if corpus else []
            if not records:
                return CaseResult(cid, fld, "skip", note="skipped: not in corpus")
            rec = _best(records)
            got = _from_cable(case, parse_record(rec), rec)
        elif case["input_kind"] == "html":
            got = _from_html(case)
        else:
            got = _from_content(case)
    except Exception as exc:  # a crash is a failure, reported with its reason
        return CaseResult(cid, fld, "fail", None, case["expected"], f"raised {type(exc).__name__}: {exc}")
    ok = _matches(case, got)
    if cid in WRONG_EXPECTATIONS:
        return CaseResult(cid, fld, "pass" if ok else "wrong-expectation", got, case["expected"],
                          WRONG_EXPECTATIONS[cid])
    return CaseResult(cid, fld, "pass" if ok else "fail", got, case["expected"])


def run_cases(cases: Iterable[dict[str, Any]], corpus: str | Path | None = None,
              progress: Callable[[CaseResult], None] | None = None) -> Report:
    index = CorpusIndex(corpus) if corpus else None
    report = Report()
    for case in cases:
        res = run_case(case, index)
        report.results.append(res)
        if progress:
            progress(res)
    return report
