"""The store interface: one contract, two backends (SQLite now, PostgreSQL later).

Callers (ingest, cli, web, export) use only these methods; none of them writes SQL.
Everything a user can cause (a wrong ``--db``, a read-only store, a bad query) is
raised as ``StoreError`` with a message meant for the user, never as a driver error.
"""

from __future__ import annotations

import abc
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from ..model import Cable, Quarantined, RawRecord

if TYPE_CHECKING:
    from ..search import Query
    from ..warlogs.model import Report
    from .reports import ReportBins, ReportPage, ReportTimeline

# Default marks around the matched words in ``SearchHit.snippet``.  A caller that
# renders HTML passes its own (e.g. control characters it replaces after escaping).
HIT_MARKS: tuple[str, str] = ("«", "»")


class StoreError(Exception):
    """A problem with the store that the user can act on; ``str()`` is the message."""


# What a backend without the war-diary tables answers to every report method.
REPORTS_UNSUPPORTED = "reports are not yet supported on PostgreSQL"


@dataclass(slots=True)
class StoreOutcome:
    """What storing one record did."""

    status: str  # "new" | "updated" | "unchanged"
    cable_id: str
    version_id: int | None = None  # the stored version (the existing one when "unchanged")
    current: bool = False  # this version is now the cable's current version


@dataclass(slots=True)
class SearchHit:
    id: str
    title: str
    created: str | None
    origin: str | None
    classification: str | None
    snippet: str  # a short excerpt with the matched words between the hit marks
    paragraph: int | None = None  # number of the paragraph holding the first hit in the body
    score: float = 0.0  # relevance: higher is better


@dataclass(slots=True)
class SearchPage:
    total: int  # exact number of matching cables
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class Store(abc.ABC):
    """A place where cables, their versions and the quarantine live."""

    # -- life cycle -------------------------------------------------------------
    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------
    @abc.abstractmethod
    def store_batch(self, items: list[tuple[RawRecord, Cable]]) -> list[StoreOutcome]:
        """Store parsed records in one transaction.

        A version is identified by the sha256 of its raw bytes: storing the same bytes
        again changes nothing ("unchanged").  A new version of a known cable id is
        "updated", and becomes current if it is the most complete one (see
        ``completeness``).  Bytes that were quarantined before and now parse are
        marked resolved in the quarantine.
        """

    @abc.abstractmethod
    def defer_search_index(self) -> AbstractContextManager[None]:
        """A context for bulk imports: ``store_batch`` inside it leaves the full-text
        index alone, and it is rebuilt once on leaving (when something changed).

        Building the index in one pass costs about half of keeping it current batch
        by batch, so an import into an empty store should use it.  Meanwhile searches
        miss the new cables; an interrupted import leaves the index marked stale
        (``stats()["search_index"]``) until the next ``rebuild_search_index()`` or
        deferred import, which repair it.
        """

    @abc.abstractmethod
    def rebuild_search_index(self) -> None:
        """Rebuild the full-text index from the stored records."""

    @abc.abstractmethod
    def quarantine_batch(self, items: list[Quarantined]) -> int:
        """Keep what could not be read; returns how many were new to the quarantine.

        Unique by the sha256 of the bytes: the same bytes again only update
        ``last_seen`` and the reason.
        """

    # -- import bookkeeping (resume) --------------------------------------------
    @abc.abstractmethod
    def import_checkpoint(self, path: str, fingerprint: str) -> int | None:
        """The byte offset up to which ``path`` (with this fingerprint) was fully stored,
        or None when it was never started.  -1 means the file is complete."""

    @abc.abstractmethod
    def set_import_checkpoint(self, path: str, fingerprint: str, offset: int) -> None: ...

    # -- reading ----------------------------------------------------------------
    @abc.abstractmethod
    def get_cable(self, cable_id: str) -> dict[str, Any] | None:
        """The current record's JSON dict (Cable.to_dict()), or None.  Generated demo
        cables also have ``"generated": True`` (the key is absent otherwise)."""

    @abc.abstractmethod
    def get_versions(self, cable_id: str) -> list[dict[str, Any]]:
        """Every stored version, oldest import first: version_id, sha256, collection,
        format, path, offset, length, line, imported_at, released, release_label,
        completeness, current (bool) and record (that version's JSON dict)."""

    @abc.abstractmethod
    def get_raw(self, cable_id: str, version_id: int | None = None) -> bytes | None:
        """The exact source bytes of a version (the current one by default)."""

    @abc.abstractmethod
    def cited_by(self, cable_id: str) -> list[str]:
        """Ids of stored cables whose references point to ``cable_id`` (which need not
        be stored itself: known-but-missing cables are cited too), sorted."""

    @abc.abstractmethod
    def search(
        self, query: str, *, limit: int = 20, offset: int = 0, marks: tuple[str, str] = HIT_MARKS
    ) -> SearchPage:
        """Full-text search over title, subject, body and tags, best first.

        The query is plain words (all must match), ``"quoted phrases"`` and
        ``prefix*``; any other syntax is taken literally, so no user string is a
        syntax error.
        """

    @abc.abstractmethod
    def stats(self) -> dict[str, Any]:
        """At least: cables, versions, quarantined, references, missing_references,
        by_format, by_classification, first_created, last_created, db_path, db_bytes,
        search_index ("ok" or "stale")."""

    @abc.abstractmethod
    def iter_quarantine(self, *, include_resolved: bool = False) -> Iterator[dict[str, Any]]:
        """Quarantined items (without their bytes), oldest first: sha256, collection,
        format, path, offset, length, line, reason, first_seen, last_seen,
        resolved_version (the version that now holds these bytes, or None)."""

    @abc.abstractmethod
    def get_quarantined_raw(self, sha256: str) -> bytes | None:
        """The exact bytes of a quarantined item."""

    # -- the website's read API ---------------------------------------------------
    # ``q`` below is a query in the language of cablemirror.search (a string, parsed
    # with CABLE_FIELDS, or an already parsed ``Query``); an empty query selects every
    # cable, which is how browse pages list cables.  A malformed string raises
    # ``cablemirror.search.QuerySyntaxError`` (the caller shows its message).
    # A "summary" is a small dict: id, title, subject, created, released, origin,
    # classification, partial, tags (as queries compare them: upper case, each once),
    # and "generated": True for generated demo cables (absent otherwise).
    # Ids are compared in canonical form (cables.canonical_id) wherever one id meets
    # another: id:, ref:, summaries, references, most_cited, cited_by.

    @abc.abstractmethod
    def query(
        self,
        q: "Query | str | None" = None,
        *,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
        facets: tuple[str, ...] = ("origin", "year", "classification", "tag"),
        facet_limit: int = 15,
        marks: tuple[str, str] = HIT_MARKS,
    ) -> SearchPage:
        """Search or browse with exact total and facet counts over the whole result set.

        ``sort``: "relevance" (best first; date order when the query has no words),
        "date" (oldest first), "-date" (newest first), "released" / "-released", "id".
        Cables without the date sort first in ascending and last in descending order;
        ties go in storing order, so pages never repeat or skip a hit.  Relevance is
        bm25 with title and subject above body; over a very large result (more than
        the store's ``rank_limit`` hits, 10,000 in SQLite) it ranks the hits with the
        words in their title or subject first and then the others newest first, as
        scoring every hit would take seconds.  ``SearchHit.score`` is set when the
        page was ranked (else 0.0).
        Facet values are sorted by count (then value); each facet has at most
        ``facet_limit`` values (None: all); ``facets=()`` skips counting them.  A hit
        whose words matched (in any part of an OR) has a snippet with them marked and
        the number of the body paragraph of its first hit (None when the words are in
        the title, subject, tags or outside numbered paragraphs); other hits have an
        empty snippet.  Bad arguments (negative limit, unknown sort or facet) raise
        StoreError.
        """

    @abc.abstractmethod
    def counts(self, field: str, q: "Query | str | None" = None) -> list[tuple[str, int]]:
        """Every value of ``field`` ("origin", "tag", "classification", "year") with the
        number of cables matching ``q`` that have it, by count descending: for browse
        pages (all origins, all tags, ...)."""

    @abc.abstractmethod
    def histogram(self, q: "Query | str | None" = None, *, year: int | None = None, month: int | None = None) -> list[tuple[str, int]]:
        """Cables per period matching ``q``: per year ("2005"), per month of ``year``
        ("2005-08"), or per day of ``year``-``month`` ("2005-08-18"), in date order;
        periods with no cable are absent."""

    @abc.abstractmethod
    def summaries(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Summaries of the stored cables among ``ids`` (missing ids are absent)."""

    @abc.abstractmethod
    def references(self, cable_id: str) -> list[dict[str, Any]]:
        """The current version's references in order: bullet, value, kind, id, and
        ``stored`` (bool: the cited cable is in the store) with ``title`` when it is
        (else None), and ``cited_by_count`` (how many stored cables cite that id; 0 for
        references that are not cables).  When the store holds the cited cable under
        another spelling of its id (04TAIPEI... for 04AITTAIPEI...), ``stored_id`` says
        which: link to that one."""

    @abc.abstractmethod
    def latest_released(self, limit: int = 10) -> list[dict[str, Any]]:
        """Summaries of the most recently released cables (then created)."""

    @abc.abstractmethod
    def most_cited(self, limit: int = 10) -> list[dict[str, Any]]:
        """The ids cited by the most stored cables: {"id", "count", "stored", "title"},
        by count then id; "id" is the stored cable's id when it is stored, else the
        canonical id cited; "title" is None when not stored."""

    @abc.abstractmethod
    def iter_records(self, q: "Query | str | None" = None, *, sort: str = "id") -> Iterator[dict[str, Any]]:
        """Every matching cable's current JSON record, streamed (exports, static site).

        ``sort`` as in ``query`` (default: by id).  A bad query or sort raises at the
        call, before the first record.  The stream reads one consistent state of the
        store (writes meanwhile are not seen) and holds a few hundred records at a time.
        """

    @abc.abstractmethod
    def iter_ids(self) -> Iterator[tuple[str, str | None]]:
        """(id, released or created) of every stored cable, by id (sitemaps)."""

    @abc.abstractmethod
    def collections(self) -> list[dict[str, Any]]:
        """The collections held: [{"name": "cables", "title": ..., "count": n, "first": date,
        "last": date, "generated": bool}] (the war diary joins later).  "cables" is always
        listed (count 0, first and last None in an empty store); first and last are the
        earliest and latest ``created``; generated is True when any stored cable is
        generated demo data."""

    # -- the war-diary reports (store/reports.py) -----------------------------------
    # Not abstract: a backend that has no report tables yet (PostgreSQL) answers each
    # with StoreError(REPORTS_UNSUPPORTED).  ``q`` is a query parsed with
    # ``REPORT_FIELDS`` (or a string, parsed with them); the empty query selects every
    # report.  A store opened read-only that was written before reports existed holds
    # none: the read methods answer empty.

    def store_reports(self, items: list[tuple[RawRecord, "Report"]]) -> list[StoreOutcome]:
        """Store parsed reports in one transaction, as ``store_batch`` stores cables:
        the same bytes again are "unchanged"; other bytes under a known ReportKey are a
        new version ("updated"), current when it is the most complete
        (``reports.completeness``; a tie goes to the later import).  ``cable_id`` of
        each outcome is the ReportKey."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def get_report(self, key: str) -> dict[str, Any] | None:
        """The current record of a report (``Report.to_dict()``), or None; ``key`` in
        any case, with or without braces."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def get_report_versions(self, key: str) -> list[dict[str, Any]]:
        """Every stored version of a report, oldest import first: version_id, sha256,
        collection, format, path, offset, length, line, variant, imported_at,
        completeness, current (bool) and record."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def get_report_raw(self, key: str, version_id: int | None = None) -> bytes | None:
        """The exact bytes of a version of a report's row (the current one by default)."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def query_reports(
        self,
        q: "Query | str | None" = None,
        *,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
        facets: tuple[str, ...] = ("type", "category", "region", "attack", "unittype", "year", "theatre"),
        facet_limit: int | None = 15,
        marks: tuple[str, str] = HIT_MARKS,
    ) -> "ReportPage":
        """Search or browse reports: exact total, facets over the whole result set
        (values by count; keyword facets show the first spelling of a value), a page
        of hits with snippets when the query has words.  Sorts: ``reports.REPORT_SORTS``
        ("relevance" is date order without words); ties in storing order."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def report_counts(self, facet: str, q: "Query | str | None" = None) -> list[tuple[str, int]]:
        """Every value of a report facet with its number of matching reports, by count."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def report_histogram(self, q: "Query | str | None" = None, *, year: int | None = None) -> list[tuple[str, int]]:
        """Matching reports per year, or per month of ``year``, in order (empty periods absent)."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def report_timeline(self, q: "Query | str | None" = None) -> "ReportTimeline":
        """Matching reports per month by type, and casualties per month by group."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def report_bins(
        self, q: "Query | str | None" = None, *, bbox: tuple[float, float, float, float], step: float
    ) -> "ReportBins":
        """Matching reports counted on a grid of ``step``-degree cells (a power of two)
        over the cells ``bbox`` (south, west, north, east) touches; the reports outside
        them and those without a position are counted apart."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def iter_reports(self, q: "Query | str | None" = None, *, sort: str = "date") -> Iterator[dict[str, Any]]:
        """Every matching report's current record, streamed (sorts: date, -date, -kia,
        -wia, -civilian)."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def iter_report_keys(self) -> Iterator[tuple[str, str]]:
        """(ReportKey, date) of every stored report, by key."""
        raise StoreError(REPORTS_UNSUPPORTED)

    def report_stats(self) -> dict[str, Any]:
        """Counts of the reports (reports, report_versions, reports_located, ...)."""
        raise StoreError(REPORTS_UNSUPPORTED)
