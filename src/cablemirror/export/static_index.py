"""The static site's search index: an inverted index in small script files.

Words are cut exactly as the store's full-text index cuts them
(``search.text.words`` then the FTS5 Porter stemmer, ``search.porter``), with their
positions, so that the exported search finds what the live search finds, phrases
included.  Field conditions are terms too: ``t:PGOV`` (tag), ``c:NODIS`` (caption),
``s:<stem>`` (a word of the subject, with positions), ``o:<n>`` / ``k:<n>`` (origin
and classification number ``n`` of ``meta.js``), ``i:<id>`` (the stored id and its
canonical form) and ``r:<id>`` (a cited id, canonical).  Dates are arrays, one day
per document.

Files under ``search-index/`` (see docs/static-export.md):

- ``meta.js``       counts, the live documents, origins, classifications, stop words,
                    and the directory of directories;
- ``x/<id>.js``     a directory: (first term, shard) for a few hundred shards;
- ``t/<id>.js``     a shard: term -> posting list, for terms in a range;
- ``p/<id>.js``     the same terms' positions (only loaded for phrases);
- ``d/<n>.js``      id, title, date, origin, classification of 32 documents;
- ``dates.js``      created and released day of every document.

Building streams: documents are added one by one; every ``DOCS_PER_RUN`` of them
the postings gathered so far are written to a sorted run file, and ``finish``
merges the runs term by term into shards, so memory stays bounded by one run.
Document numbers and shard ranges are kept from one export to the next (the state
file), so a new cable rewrites only the shards of its words.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

from ..search.text import STOPWORDS, words
from ..store import derived
from .static_codec import (
    decode_postings,
    decode_uints,
    encode_bitmap,
    encode_positions,
    encode_postings,
    encode_uint,
    rebase,
)
from ..search.porter import stem

__all__ = ["IndexBuilder", "IndexState", "INDEX_DIR", "PreparedDoc", "doc_terms", "prepare"]

INDEX_DIR = "search-index"
FORMAT = 1
DOCS_PER_RUN = 1024
SHARD_BYTES = 32_000  # of a term shard: a one-word search downloads about this much
SHARDS_PER_DIR = 256
DOC_BLOCK = 32  # rows of a result list: one search shows 20, often from one or two blocks
_EPOCH = date(1900, 1, 1).toordinal() - 1  # day numbers start at 1; 0 is "unknown"

Writer = Callable[[str, bytes], bool]


def sort_key(term: str) -> bytes:
    """Terms in the order JavaScript compares strings (UTF-16 code units)."""
    return term.encode("utf-16-be", "surrogatepass")


def day_number(value: Any) -> int:
    """``2005-08-18...`` -> days since 1899-12-31; 0 when there is no valid date."""
    if not isinstance(value, str) or len(value) < 10:
        return 0
    try:
        return date.fromisoformat(value[:10]).toordinal() - _EPOCH
    except ValueError:
        return 0


def _clean_term(term: str) -> str:
    # Run files are tab-separated lines: keep those characters out of terms.
    return term.replace("\t", " ").replace("\n", " ").replace("\r", " ")


# ---------------------------------------------------------------------------
# One document's terms


_ASCII_WORD = re.compile(r"[a-z0-9]+")
_STEMS: dict[str, str] = {}


def fast_words(text: str) -> list[str]:
    """``search.text.words``, with a shortcut for ASCII text (most cables)."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    return words(text)


def _stem(word: str) -> str:
    s = _STEMS.get(word)
    if s is None:
        if len(_STEMS) > 500_000:
            _STEMS.clear()
        s = _STEMS[word] = stem(word)
    return s


def _positions(ws: list[str], start: int, out: dict[str, list[int]], prefix: str = "") -> None:
    by_word: defaultdict[str, list[int]] = defaultdict(list)
    for i, w in enumerate(ws, start):
        by_word[w].append(i)
    for w, p in by_word.items():
        key = prefix + _stem(w)
        have = out.get(key)
        if have is None:
            out[key] = p
        elif have[-1] < p[0]:
            have.extend(p)
        else:  # two words with one stem ("election", "elections"): merge in order
            have.extend(p)
            have.sort()


def doc_terms(record: dict[str, Any]) -> dict[str, list[int]]:
    """Full-text terms of a record with their positions (title, subject, body, tags,
    one empty position between them so that no phrase spans two), and ``s:`` terms
    of the subject alone."""
    out: dict[str, list[int]] = {}
    pos = 0
    for text in (record.get("title"), record.get("subject"), record.get("body"),
                 " ".join(t for t in record.get("tags") or [] if isinstance(t, str))):
        if isinstance(text, str) and text:
            ws = fast_words(text)
            _positions(ws, pos, out)
            pos += len(ws)
        pos += 1
    subject = record.get("subject")
    if isinstance(subject, str) and subject:
        _positions(fast_words(subject), 0, out, "s:")
    return out


def _strings(values: Any) -> list[str]:
    return [v for v in values or [] if isinstance(v, str)]


@dataclass(slots=True)
class PreparedDoc:
    """What the index keeps of one record: computed where the record is (a worker
    process), added in document order by the one builder."""

    id: str
    title: str
    created: str  # "2005-08-18 13:06", as result lists show it
    origin: str | None
    classification: str | None
    created_day: int
    released_day: int
    terms: list[tuple[str, str]]  # (term, encoded positions or "")


def prepare(record: dict[str, Any]) -> PreparedDoc:
    """The index terms and the result-list row of one current record."""
    cid = str(record.get("id") or "")
    created = record.get("created") if isinstance(record.get("created"), str) else ""
    title = record.get("title") or record.get("subject") or ""
    origin = record.get("origin")
    klass = record.get("classification")
    terms: list[tuple[str, str]] = [(t, encode_positions(p)) for t, p in doc_terms(record).items()]
    keys: dict[str, None] = {}
    for tag in derived.keywords(_strings(record.get("tags"))):
        keys["t:" + tag] = None
    for cap in derived.keywords(_strings(record.get("captions"))):
        keys["c:" + cap] = None
    if cid:
        keys["i:" + cid] = None
        key = derived.id_key(cid)
        if key:
            keys["i:" + key] = None
    for ref in record.get("references") or []:
        rid = ref.get("id") if isinstance(ref, dict) else None
        if isinstance(rid, str) and rid:
            key = derived.id_key(rid)
            if key:
                keys["r:" + key] = None
    terms.extend((k, "") for k in keys)
    return PreparedDoc(
        id=cid,
        title=title if isinstance(title, str) else "",
        created=created[:16].replace("T", " "),
        origin=origin if isinstance(origin, str) and origin else None,
        classification=klass if isinstance(klass, str) and klass else None,
        created_day=day_number(record.get("created")),
        released_day=day_number(record.get("released")),
        terms=terms,
    )


# ---------------------------------------------------------------------------
# State kept between exports


@dataclass
class IndexState:
    """What keeps the index's files stable from one export to the next."""

    shards: list[tuple[str, int]] = field(default_factory=list)  # (first term, shard id), sorted
    dirs: list[tuple[str, int]] = field(default_factory=list)  # (first term, directory id)
    next_shard: int = 0
    next_dir: int = 0
    origins: list[str] = field(default_factory=list)  # o:<n> is origins[n]
    classes: list[str] = field(default_factory=list)  # k:<n> is classes[n]

    def to_dict(self) -> dict[str, Any]:
        return {"shards": self.shards, "dirs": self.dirs, "next_shard": self.next_shard,
                "next_dir": self.next_dir, "origins": self.origins, "classes": self.classes}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "IndexState":
        if not d:
            return cls()
        return cls(
            shards=[(str(b), int(i)) for b, i in d.get("shards", [])],
            dirs=[(str(b), int(i)) for b, i in d.get("dirs", [])],
            next_shard=int(d.get("next_shard", 0)),
            next_dir=int(d.get("next_dir", 0)),
            origins=[str(o) for o in d.get("origins", [])],
            classes=[str(c) for c in d.get("classes", [])],
        )


# ---------------------------------------------------------------------------
# Runs: sorted partial indexes on disk


@dataclass(slots=True)
class _Part:
    first: int
    last: int
    count: int
    postings: str  # gap/run text starting from -1
    positions: str


def _read_run(path: Path, run: int) -> Iterator[tuple[bytes, int, str, _Part]]:
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            term, first, last, count, postings, positions = line.rstrip("\n").split("\t")
            yield sort_key(term), run, term, _Part(int(first), int(last), int(count), postings, positions)


def _decode_part(p: _Part) -> list[tuple[int, str]]:
    """(document, its positions text) of every document of a part."""
    docs = decode_postings(p.postings)
    if not p.positions:
        return [(d, "") for d in docs]
    out = []
    numbers = decode_uints(p.positions)
    text = p.positions
    offset = 0
    for d in docs:
        count = next(numbers)
        start = offset
        offset += len(encode_uint(count))
        for _ in range(count):
            offset += len(encode_uint(next(numbers)))
        out.append((d, text[start:offset]))
    return out


def _coalesce(parts: list[_Part]) -> list[_Part]:
    """Parts in document order with no two overlapping: overlapping ones (documents
    numbered out of date order, e.g. cables added by a later import) are merged."""
    parts.sort(key=lambda p: p.first)
    out: list[_Part] = []
    group: list[_Part] = []
    group_last = -1
    for p in parts:
        if group and p.first <= group_last:
            group.append(p)
            group_last = max(group_last, p.last)
            continue
        if group:
            out.append(_merge_group(group))
        group, group_last = [p], p.last
    if group:
        out.append(_merge_group(group))
    return out


def _merge_group(group: list[_Part]) -> _Part:
    if len(group) == 1:
        return group[0]
    pairs = sorted(itertools.chain.from_iterable(_decode_part(p) for p in group))
    docs = [d for d, _ in pairs]
    return _Part(docs[0], docs[-1], len(docs), encode_postings(docs), "".join(t for _, t in pairs))


# ---------------------------------------------------------------------------
# Shards


def separator(before: str, term: str) -> str:
    """The shortest prefix of ``term`` that sorts after ``before`` (before < term)."""
    for i, (a, b) in enumerate(zip(before, term)):
        if a != b:
            return term[: i + 1]
    return term[: len(before) + 1]


class _Shards:
    """Terms in order -> shard files, keeping the previous export's ranges."""

    def __init__(self, state: IndexState, write: Writer) -> None:
        old = list(state.shards)
        if not old or old[0][0] != "":
            old.insert(0, ("", state.next_shard))
            state.next_shard += 1
        self.state = state
        self.old = old
        self.old_keys = [sort_key(b) for b, _ in old]
        self.fresh = not state.shards  # a first export: cut at the target size
        self.write = write
        self.i = 0
        self.boundary, self.id = old[0]
        self.is_new = self.fresh
        self.terms: list[str] = []
        self.positions: list[str] = []
        self.size = 0
        self.last_term = ""
        self.shards: list[tuple[str, int]] = []
        self.bytes_terms = 0
        self.bytes_positions = 0
        self.files = 0

    def add(self, key: bytes, term: str, postings: str, positions: str) -> None:
        while self.i + 1 < len(self.old) and key >= self.old_keys[self.i + 1]:
            self.close()
            self.i += 1
            self.boundary, self.id = self.old[self.i]
            self.is_new = False
        limit = SHARD_BYTES if self.is_new else 2 * SHARD_BYTES
        if self.terms and self.size >= limit:
            self.close()
            self.boundary, self.id = separator(self.last_term, term), self.state.next_shard
            self.state.next_shard += 1
            self.is_new = True
        name = json.dumps(term, ensure_ascii=True)
        entry = f'{name}:"{postings}"'
        self.terms.append(entry)
        self.size += len(entry) + 1
        if positions:
            self.positions.append(f'{name}:"{positions}"')
        self.last_term = term

    def close(self) -> None:
        if not self.terms and self.boundary != "":
            return  # an empty range: its boundary is dropped, the shard before covers it
        t = f"CMSearch.t({self.id},{{{','.join(self.terms)}}});\n".encode("ascii")
        p = f"CMSearch.p({self.id},{{{','.join(self.positions)}}});\n".encode("ascii")
        self.write(f"{INDEX_DIR}/t/{self.id}.js", t)
        self.write(f"{INDEX_DIR}/p/{self.id}.js", p)
        self.bytes_terms += len(t)
        self.bytes_positions += len(p)
        self.files += 2
        self.shards.append((self.boundary, self.id))
        self.terms, self.positions, self.size = [], [], 0

    def finish(self) -> list[tuple[str, int]]:
        self.close()
        return self.shards


def _directories(shards: list[tuple[str, int]], state: IndexState) -> list[tuple[tuple[str, int], list[tuple[str, int]]]]:
    """Shards grouped under directories, keeping the previous export's groups."""
    fresh = not (state.dirs and state.dirs[0][0] == "")
    if fresh:
        old = [("", state.next_dir)]
        state.next_dir += 1
    else:
        old = list(state.dirs)
    keys = [sort_key(b) for b, _ in old]
    groups: list[list[tuple[str, int]]] = [[] for _ in old]
    j = 0
    for shard in shards:
        k = sort_key(shard[0])
        while j + 1 < len(keys) and k >= keys[j + 1]:
            j += 1
        groups[j].append(shard)
    limit = SHARDS_PER_DIR if fresh else 2 * SHARDS_PER_DIR
    out: list[tuple[tuple[str, int], list[tuple[str, int]]]] = []
    for (boundary, did), members in zip(old, groups):
        if not members:
            continue  # shard 0 (first term "") is always in directory 0, so that one stays
        # A directory starts at its first shard (its old first shard may be gone).
        first = "" if boundary == "" else members[0][0]
        if len(members) <= limit:
            out.append(((first, did), members))
            continue
        for n in range(0, len(members), SHARDS_PER_DIR):
            chunk = members[n : n + SHARDS_PER_DIR]
            if n == 0:
                out.append(((first, did), chunk))
            else:
                out.append(((chunk[0][0], state.next_dir), chunk))
                state.next_dir += 1
    return out


# ---------------------------------------------------------------------------
# The builder


class IndexBuilder:
    """Add documents (any order, numbers from ``static_site``), then ``finish``."""

    def __init__(self, workdir: Path, state: IndexState) -> None:
        self.workdir = workdir
        self.state = state
        self.origin_ids = {o: i for i, o in enumerate(state.origins)}
        self.class_ids = {c: i for i, c in enumerate(state.classes)}
        self.rows: dict[int, str] = {}  # document -> its JSON row for d/<block>.js
        self.created: dict[int, int] = {}
        self.released: dict[int, int] = {}
        self.runs: list[Path] = []
        self._postings: dict[str, tuple[list[int], list[str]]] = {}
        self._in_run = 0
        self.terms_added = 0

    # -- documents ----------------------------------------------------------------
    def _origin(self, value: str | None) -> int:
        if not value:
            return -1
        n = self.origin_ids.get(value)
        if n is None:
            n = self.origin_ids[value] = len(self.state.origins)
            self.state.origins.append(value)
        return n

    def _class(self, value: str | None) -> int:
        if not value:
            return -1
        n = self.class_ids.get(value)
        if n is None:
            n = self.class_ids[value] = len(self.state.classes)
            self.state.classes.append(value)
        return n

    def add(self, num: int, doc: "PreparedDoc") -> None:
        """Index one prepared record (``prepare``) as document ``num``."""
        origin = self._origin(doc.origin)
        klass = self._class(doc.classification)
        self.rows[num] = json.dumps([doc.id, doc.title, doc.created, origin, klass], ensure_ascii=True)
        self.created[num] = doc.created_day
        self.released[num] = doc.released_day
        post = self._postings
        terms = doc.terms
        if origin >= 0:
            terms = [*terms, (f"o:{origin}", "")]
        if klass >= 0:
            terms = [*terms, (f"k:{klass}", "")]
        for term, positions in terms:
            entry = post.get(term)
            if entry is None:
                post[term] = ([num], [positions])
            else:
                entry[0].append(num)
                entry[1].append(positions)
        self.terms_added += len(terms)
        self._in_run += 1
        if self._in_run >= DOCS_PER_RUN:
            self._flush()

    def _flush(self) -> None:
        if not self._postings:
            return
        path = self.workdir / f"run-{len(self.runs):05d}.txt"
        lines = []
        for term in sorted(self._postings, key=sort_key):
            docs, positions = self._postings[term]
            if any(b <= a for a, b in zip(docs, docs[1:])):
                order = sorted(range(len(docs)), key=docs.__getitem__)
                docs = [docs[i] for i in order]
                positions = [positions[i] for i in order]
            lines.append(f"{_clean_term(term)}\t{docs[0]}\t{docs[-1]}\t{len(docs)}\t"
                         f"{encode_postings(docs)}\t{''.join(positions)}\n")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(lines)
        self.runs.append(path)
        self._postings = {}
        self._in_run = 0

    # -- the files ------------------------------------------------------------------
    def _merged(self) -> Iterator[tuple[bytes, str, list[_Part]]]:
        streams = [_read_run(p, i) for i, p in enumerate(self.runs)]
        merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]))
        for key, group in itertools.groupby(merged, key=lambda item: item[0]):
            items = list(group)
            yield key, items[0][2], [part for _, _, _, part in items]

    def finish(self, write: Writer) -> dict[str, Any]:
        """Merge the runs and write every index file; returns counts and sizes."""
        self._flush()
        size = max(self.rows, default=-1) + 1
        shards = _Shards(self.state, write)
        n_terms = 0
        for key, term, parts in self._merged():
            parts = _coalesce(parts)
            chunks = [parts[0].postings]
            for prev, part in zip(parts, parts[1:]):
                chunks.append(rebase(part.postings, part.first, prev.last))
            postings = "".join(chunks)
            count = sum(p.count for p in parts)
            if count * 6 > size and len(postings) * 6 > size:  # dense: a bitmap may be shorter
                bitmap = encode_bitmap(decode_postings(postings), size)
                if len(bitmap) < len(postings):
                    postings = bitmap
            shards.add(key, term, postings, "".join(p.positions for p in parts))
            n_terms += 1
        shard_list = shards.finish()
        directories = _directories(shard_list, self.state)
        self.state.shards = shard_list
        self.state.dirs = [d for d, _ in directories]
        dir_bytes = 0
        for (_, did), members in directories:
            data = ("CMSearch.x(%d,%s);\n" % (did, json.dumps([list(m) for m in members], ensure_ascii=True))).encode()
            write(f"{INDEX_DIR}/x/{did}.js", data)
            dir_bytes += len(data)
        doc_bytes = self._write_docs(write, size)
        dates = self._dates(size)
        write(f"{INDEX_DIR}/dates.js", dates)
        meta = self._meta(size)
        write(f"{INDEX_DIR}/meta.js", meta)
        for p in self.runs:
            p.unlink(missing_ok=True)
        return {
            "documents": len(self.rows),
            "terms": n_terms,
            "shards": len(shard_list),
            "directories": len(directories),
            "bytes": {
                "terms": shards.bytes_terms,
                "positions": shards.bytes_positions,
                "directories": dir_bytes,
                "documents": doc_bytes,
                "dates": len(dates),
                "meta": len(meta),
            },
        }

    def _write_docs(self, write: Writer, size: int) -> int:
        total = 0
        for block in range(0, (size + DOC_BLOCK - 1) // DOC_BLOCK):
            rows = [self.rows.get(n, "0") for n in range(block * DOC_BLOCK, min(size, (block + 1) * DOC_BLOCK))]
            data = f"CMSearch.d({block},[{','.join(rows)}]);\n".encode("ascii")
            write(f"{INDEX_DIR}/d/{block}.js", data)
            total += len(data)
        return total

    def _dates(self, size: int) -> bytes:
        return (f'CMSearch.dates("{_runs_of(self.created, size)}","{_runs_of(self.released, size)}");\n').encode()

    def _meta(self, size: int) -> bytes:
        origins = [[o, derived.origin_words(o)] for o in self.state.origins]
        classes = [[c, derived.class_key(c)] for c in self.state.classes]
        body = {
            "format": FORMAT,
            "size": size,
            "count": len(self.rows),
            "all": encode_postings(sorted(self.rows)),
            "block": DOC_BLOCK,
            "origins": origins,
            "classes": classes,
            "stopwords": sorted(STOPWORDS),
            "dirs": [list(d) for d in self.state.dirs],
        }
        text = json.dumps(body, ensure_ascii=True, separators=(",", ":"))
        body["build"] = hashlib.sha256(text.encode()).hexdigest()[:12]
        text = json.dumps(body, ensure_ascii=True, separators=(",", ":"))
        return f"CMSearch.meta({text});\n".encode("ascii")

    def discard(self) -> None:
        """Remove the run files of an export that stopped early."""
        for p in self.runs:
            p.unlink(missing_ok=True)


def _runs_of(values: dict[int, int], size: int) -> str:
    """Day numbers of documents 0..size-1 as (zigzag delta, repeat - 1) pairs: documents
    are numbered in date order, so long runs of one day and small deltas are the rule."""
    out: list[str] = []
    prev = 0
    n = 0
    while n < size:
        v = values.get(n, 0)
        m = n + 1
        while m < size and values.get(m, 0) == v:
            m += 1
        delta = v - prev
        out.append(encode_uint(2 * delta if delta >= 0 else -2 * delta - 1))
        out.append(encode_uint(m - n - 1))
        prev = v
        n = m
    return "".join(out)
