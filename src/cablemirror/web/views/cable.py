"""The cable page ``/cable/{id}`` and the diff between two of its versions.

A cable's URL uses the id it is stored under (the release's own well-formed id, as
the parser keeps it); any other spelling of it (lower case, leading zeros, the
canonical station name) answers 301 to that URL.  An id that no stored cable has
but some cite is "known but not in this mirror": 404 with the citing cables.

The body's HTML is the expensive part (glossary scan, paragraph placement), so it
is kept in an LRU keyed by the version's sha256 and what changes the output; the
whole page is kept a minute by ``pagecache`` (``cable_page_cached``, the route's
handler), keyed by the id as asked and the site's address.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any, Hashable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...cables import canonical_id, glossary
from ...cables.ids import release_id
from ...demo import GENERATED_MARK
from ...store.base import Store
from ..render import Highlighter, Rendered, diff_html, render_text
from ..worddiff import word_diff
from .common import Meta, PageError, cable_url, fmt_datetime, int_param, render, site_base, store_of
from .pagecache import cached_view

MAX_ID_LENGTH = 100
MAX_CITED_SHOWN = 200


# ---------------------------------------------------------------------------
# Finding the cable an id names


def candidates(raw: str) -> list[str]:
    """The spellings of ``raw`` to look up, the canonical form last (the store also
    matches every spelling of the same canonical id, e.g. the release's 04TAIPEI3043
    for 04AITTAIPEI3043)."""
    if not raw or len(raw) > MAX_ID_LENGTH or not raw.isprintable():
        return []
    out = [raw]
    for form in (raw.strip().upper(), release_id(raw), canonical_id(raw)):
        if form and form not in out:
            out.append(form)
    return out


def find_cable(store: Store, raw: str) -> tuple[str | None, list[str]]:
    """(the stored id ``raw`` names or None, the spellings tried)."""
    cands = candidates(raw)
    if not cands:
        return None, []
    found = store.summaries(cands)
    for cand in cands:
        if cand in found:
            return str(found[cand]["id"]), cands
    return None, cands


def _missing(request: Request, store: Store, raw: str, cands: list[str]) -> PageError:
    shown = raw if len(raw) <= MAX_ID_LENGTH else raw[:MAX_ID_LENGTH] + "…"
    for cand in dict.fromkeys([cands[-1], *cands]) if cands else []:
        citing = store.cited_by(cand)
        if citing:
            summaries = store.summaries(citing[:MAX_CITED_SHOWN])
            rows = [summaries.get(c) or {"id": c, "title": "", "created": None} for c in citing[:MAX_CITED_SHOWN]]
            n = len(citing)
            return PageError(
                404,
                f"{cand}: known but not in this mirror",
                f"{cand} is known but not in this mirror: cited by {n:,} cable{'s' if n != 1 else ''} here. "
                "It may not be part of the release, or not imported on this site.",
                cited_by=rows,
                missing_id=cand,
            )
    what = cands[-1] if cands else shown
    return PageError(404, "No such cable", f"There is no cable {what!r} in this mirror, and no cable here cites it.")


# ---------------------------------------------------------------------------
# The rendered text, cached


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


_text_cache = _LRU(1024)


def rendered_texts(record: dict[str, Any], refs: list[dict[str, Any]], hl: Highlighter) -> tuple[Rendered, Rendered]:
    """(body, header) of a record as HTML, from the cache when this version was
    rendered before with the same references and highlighting."""
    source = record.get("source") or {}
    key = (
        record.get("id"),
        source.get("sha256") if isinstance(source, dict) else None,
        hl.param(),
        tuple((r.get("id"), bool(r.get("stored"))) for r in refs),
    )
    hit = _text_cache.get(key) if key[1] else None
    if hit is not None:
        return hit
    country = record.get("origin")
    paragraphs = [(p.get("number"), p.get("text") or "") for p in record.get("paragraphs") or []]
    body = render_text(
        record.get("body") or "",
        country=country,
        paragraphs=paragraphs,
        references=refs,
        highlight=hl,
        signed_by=record.get("signed_by") or [],
        link=cable_url,
    )
    header = render_text(record.get("header") or "", country=country, highlight=hl, id_prefix="h-")
    value = (body, header)
    if key[1]:
        _text_cache.put(key, value)
    return value


def guide_parts(record: dict[str, Any], refs: list[dict[str, Any]]) -> dict[str, str]:
    """Part of a cable -> anchor on its page, for the guide (see ``guide.py``)."""
    body, header = rendered_texts(record, refs, Highlighter())
    parts = dict(header.parts)
    parts.update(body.parts)
    if record.get("header"):
        parts["header"] = "header"
    anchors = set(body.anchors)
    for key, pattern in (("summary", "summary"), ("comment", "comment")):
        for p in record.get("paragraphs") or []:
            text = (p.get("text") or "").lstrip(" -(").lower()
            if p.get("number") in anchors and text.startswith(pattern):
                parts[key] = f"par{p['number']}"
                break
    if anchors:
        parts["paragraph"] = f"par{min(anchors)}"
    return parts


# ---------------------------------------------------------------------------
# What the page says about the record

REPAIR_LABELS = {
    "accent": "Restored a lost accent",
    "rejoined-word": "Rejoined a word split across two lines",
    "created-minutes": "Corrected the minutes of the Created time",
    "cut-short": "Paragraph ends mid-sentence in the release (cut short)",
}
FROM_TEXT_LABELS = {
    "sender": "Sender (FM line)",
    "id": "Reference id",
    "classification": "Classification",
    "tags": "TAGS line",
    "created": "Created",
    "origin": "Origin",
}
FORMAT_LABELS = {
    "cablegate_html": "official release page (HTML)",
    "cables_csv": "cables.csv (2011 full file)",
    "cable_text": "text extracted from a cable PDF",
    "cable_pdf": "cable PDF",
    "mirror_page": "page of another mirror (scraped text)",
}


@lru_cache(maxsize=1)
def _reason_table() -> dict[str, str]:
    return {t.term.strip("()").lower(): t.meaning for t in glossary.reasons()}


def _reason_meanings(reasons: list[str]) -> list[dict[str, str]]:
    known = _reason_table()
    out = []
    for r in reasons:
        letter = r.rstrip(")").split("(")[-1].strip().lower() if "(" in r else r[-1:].lower()
        out.append({"reason": r, "meaning": known.get(letter, "")})
    return out


@lru_cache(maxsize=4096)
def _tag(code: str) -> dict[str, str]:
    info = glossary.tag(code)
    return {"code": code, "meaning": info.meaning if info else "", "kind": info.kind if info else ""}


def _tags(record: dict[str, Any]) -> list[dict[str, str]]:
    return [_tag(code) for code in record.get("tags") or [] if isinstance(code, str)]


@lru_cache(maxsize=1024)
def _caption(cap: str) -> dict[str, str]:
    term = glossary.term(cap)
    return {"caption": cap, "meaning": term.meaning if term else ""}


def _captions(record: dict[str, Any]) -> list[dict[str, str]]:
    return [_caption(cap) for cap in record.get("captions") or [] if isinstance(cap, str)]


@lru_cache(maxsize=64)
def _classification_meaning(value: str | None) -> str:
    if not value:
        return ""
    from .browse import _classification_meaning as meaning

    return meaning(value)


def _created(record: dict[str, Any]) -> dict[str, Any]:
    """The created time, and how it was corrected (the release page's minutes quirk)."""
    fixes = [r for r in record.get("repairs") or [] if r.get("kind") == "created-minutes"]
    release = record.get("release") or {}
    return {"value": record.get("created"), "fixes": fixes, "release_value": release.get("created"),
            "notes": [n for n in release.get("notes") or [] if n]}


def _version_rows(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for n, v in enumerate(versions, start=1):
        rec = v.get("record") or {}
        rows.append({
            "number": n,
            "imported_at": v.get("imported_at"),
            "format": FORMAT_LABELS.get(v.get("format") or "", v.get("format") or ""),
            "release_label": v.get("release_label"),
            "released": v.get("released"),
            "sha256": v.get("sha256") or "",
            "current": bool(v.get("current")),
            "path": _file_name(v.get("path")),
            # only worth counting (a split of the whole body) when there are versions to compare
            "words": len((rec.get("body") or "").split()) if len(versions) > 1 else None,
        })
    return rows


def _file_name(path: Any) -> str:
    """The file name without the operator's directories (they are nobody's business)."""
    return str(path or "").replace("\\", "/").rsplit("/", 1)[-1]


def _bad_id(raw: str) -> bool:
    return not raw or len(raw) > MAX_ID_LENGTH or not raw.isprintable()


def _moved(request: Request, stored: str, suffix: str = "") -> Response:
    query = request.url.query
    return RedirectResponse(cable_url(stored) + suffix + ("?" + query if query else ""), status_code=301)


def load(request: Request) -> tuple[Store, str, dict[str, Any]] | Response:
    store = store_of(request)
    raw = request.path_params["id"]
    record = store.get_cable(raw) if not _bad_id(raw) else None
    if record is None:
        stored, cands = find_cable(store, raw)
        if stored is None:
            raise _missing(request, store, raw, cands)
        suffix = request.url.path[len("/cable/") :].split("/", 1)
        return _moved(request, stored, "/" + suffix[1] if len(suffix) > 1 else "")
    return store, raw, record


def cable_page(request: Request) -> Response:
    loaded = load(request)
    if isinstance(loaded, Response):
        return loaded
    store, cid, record = loaded
    hl = Highlighter.from_param(request.query_params.get("hl"))
    refs = store.references(cid)
    body, header = rendered_texts(record, refs, hl)
    citing = store.cited_by(cid)
    cited_summaries = store.summaries(citing[:MAX_CITED_SHOWN]) if citing else {}
    cited = [cited_summaries.get(c) or {"id": c, "title": "", "created": None} for c in citing[:MAX_CITED_SHOWN]]
    versions = store.get_versions(cid)
    version_rows = _version_rows(versions)
    current_n = next((r["number"] for r in version_rows if r["current"]), len(version_rows))
    source = record.get("source") or {}
    title = record.get("title") or record.get("subject") or cid
    description = " · ".join(
        x for x in (
            f"Cable {cid}",
            (record.get("created") or "")[:10],
            record.get("origin") or "",
            record.get("classification") or "",
            record.get("subject") or "",
        ) if x
    )
    return render(
        request,
        "cable.html",
        Meta(title=f"{cid}: {title}" if title != cid else cid, description=description[:300],
             path=cable_url(cid), og_type="article"),
        cid=cid,
        record=record,
        title=title,
        body=body,
        header=header,
        hl=hl,
        refs=refs,
        cited=cited,
        cited_total=len(citing),
        versions=version_rows,
        current_version=current_n,
        created=_created(record),
        tags=_tags(record),
        captions=_captions(record),
        reasons=_reason_meanings(record.get("classification_reasons") or []),
        classification_meaning=_classification_meaning(record.get("classification")),
        repairs=[dict(r, label=REPAIR_LABELS.get(r.get("kind"), r.get("kind"))) for r in record.get("repairs") or []],
        from_text=[(FROM_TEXT_LABELS.get(k, k), v) for k, v in (record.get("from_text") or {}).items()],
        source=source,
        source_format=FORMAT_LABELS.get(source.get("format") or "", source.get("format") or ""),
        source_file=_file_name(source.get("path")),
        cable_generated=GENERATED_MARK in (record.get("body") or ""),
        release=record.get("release") or {},
    )


def page_key(request: Request) -> Hashable | None:
    """What a cached cable page is found by: the site's address (the canonical link
    holds it) and the id as asked.  Pages with the words of a search highlighted are
    one per search: not kept."""
    if request.query_params.get("hl"):
        return None
    return site_base(request), request.path_params["id"]


# The route's handler: the page from the cache, or ``cable_page`` in the thread pool.
# ``cable_page`` itself stays a plain function (the static export calls it).
cable_page_cached = cached_view(cable_page, page_key)


# ---------------------------------------------------------------------------
# /cable/{id}/diff?a=V1&b=V2

DIFF_FIELDS = (
    ("created", "Created"),
    ("released", "Released"),
    ("classification", "Classification"),
    ("origin", "Origin"),
    ("subject", "Subject"),
    ("tags", "Tags"),
    ("captions", "Captions"),
    ("partial", "Partial extract"),
)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if value is None:
        return ""
    return fmt_datetime(value) if isinstance(value, str) and len(value) == 19 and value[10:11] == "T" else str(value)


def cable_diff(request: Request) -> Response:
    loaded = load(request)
    if isinstance(loaded, Response):
        return loaded
    store, cid, record = loaded
    versions = store.get_versions(cid)
    n = len(versions)
    if n < 2:
        raise PageError(404, "Nothing to compare", f"{cid} has only one stored version.", back=cable_url(cid))
    current = next((i + 1 for i, v in enumerate(versions) if v.get("current")), n)
    default_a = current - 1 if current > 1 else current + 1
    a = int_param(request, "a", default_a, lo=1, hi=n)
    b = int_param(request, "b", current, lo=1, hi=n)
    va, vb = versions[a - 1], versions[b - 1]
    ra, rb = va.get("record") or {}, vb.get("record") or {}
    try:
        result = word_diff(ra.get("body") or "", rb.get("body") or "")
        header_diff = None
        if (ra.get("header") or "") != (rb.get("header") or ""):
            header_diff = word_diff(ra.get("header") or "", rb.get("header") or "")
    except ValueError as exc:  # texts too long for a word diff
        raise PageError(400, "Too long to compare", str(exc)) from None
    fields = []
    for key, label in DIFF_FIELDS:
        x, y = _show(ra.get(key)), _show(rb.get(key))
        fields.append({"label": label, "a": x, "b": y, "same": x == y})
    x, y = _show(va.get("release_label")), _show(vb.get("release_label"))
    fields.append({"label": "Release", "a": x, "b": y, "same": x == y})
    rows = _version_rows(versions)
    return render(
        request,
        "diff.html",
        Meta(title=f"{cid}: version {a} against version {b}",
             description=f"What changed in cable {cid} between two releases: {result['inserted']:,} words added, "
             f"{result['deleted']:,} removed.",
             path=cable_url(cid) + f"/diff?a={a}&b={b}", noindex=True),
        cid=cid,
        record=record,
        a=a,
        b=b,
        va=rows[a - 1],
        vb=rows[b - 1],
        versions=rows,
        diff=diff_html(result["ops"]),
        inserted=result["inserted"],
        deleted=result["deleted"],
        header_diff=diff_html(header_diff["ops"]) if header_diff else None,
        fields=fields,
        identical=result["inserted"] == 0 and result["deleted"] == 0 and all(f["same"] for f in fields),
    )
