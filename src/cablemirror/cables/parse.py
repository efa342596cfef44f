"""Whole cables: ``parse_cable`` (text) and ``parse_record`` (a RawRecord from sources/).

Both are pure and never raise: text that cannot be read yields a Cable with what
could be found, the whole text kept in ``body`` and the problem in ``from_text``.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import FORMAT_HTML, FORMAT_MIRROR, Cable, Paragraph, RawRecord, Reference, Repair
from .body import (
    _paragraph_text, find_comment, find_signers, find_subject, find_summary, read_opening, reflow,
    split_paragraphs,
)
from .classified import _block_after, iter_labels, parse_classified_by
from .clean import count_redactions, normalize_text, strip_page_headers
from .header import HeaderInfo, looks_like_header, parse_header
from .ids import canonical_id, make_id, release_id, two_digit_year
from .references import parse_references
from .repair import repair_text
from .tags import find_tags_text, parse_tags
from .titles import titlefy

__all__ = ["parse_cable", "parse_record"]

_PARTIAL = re.compile(
    r"This record is a partial extract of the original cable\.\s*The full text of the original "
    r"cable is not available\.?\s*", re.I)
_PARTIAL_WORDS = "this record is a partial extract of the original cable"


def _partial_notice(text: str) -> re.Match[str] | None:
    """_PARTIAL.search(text[:2000]); in ASCII text the notice's fixed words are looked for
    first in a lower-case copy (the case-insensitive regex would try every position)."""
    head = text[:2000]
    if head.isascii() and _PARTIAL_WORDS not in head.lower():
        return None
    return _PARTIAL.search(head)


_BODY_START = re.compile(
    r"^[ \t]*(?:(?:[A-Z] ){3,}[A-Z]\b|UNCLAS\b|UNCLASSIFIED\b|CONFIDENTIAL\b|SECRET\b|"
    r"LIMITED OFFICIAL USE\b|E F T O\b)", re.M)
_HEADER_LINE = re.compile(
    r"^[ \t]*(?:VZCZC|ZNR|ZNY|ZZH|DE |FM |TO |INFO |XMT|BT\b|[A-Z]{1,2} \d{6}Z |R[A-Z]{3,6}/|[A-Z]{1,2} R[A-Z]{3})")
_MAX_OPENING = 6000


def _split_whole(text: str) -> tuple[str, str]:
    """(header, body) of a whole cable; header "" when there is none."""
    if not looks_like_header(text):
        return "", text
    fm = re.search(r"^[ \t]*FM\s", text, re.M)
    after = fm.end() if fm else 0
    m = _BODY_START.search(text, after)
    if m:
        return text[:m.start()], text[m.start():]
    # No classification line: the header ends at the first blank line after FM/TO/INFO.
    blank = re.search(r"\n[ \t]*\n", text[after:])
    if blank:
        cut = after + blank.end()
        return text[:cut], text[cut:]
    return text, ""


def _first_sentence(text: str, limit: int = 110) -> str:
    flat = " ".join(text.split())
    m = re.search(r"^(.+?(?<!\bU\.S)(?<!\b[A-Z])(?<!\bMr)(?<!\bDr)(?<!\bSt)(?<!\bAmb)(?<!\bNo)"
                  r"(?<!\bGen)[.!?])(?:\s+[\"“A-Z(]|\s*$)", flat)
    sentence = m.group(1) if m else flat
    if len(sentence) > limit:
        cut = sentence.rfind(" ", 0, limit)
        sentence = sentence[:cut if cut > 40 else limit].rstrip(" ,;:") + "…"
    if sentence.isupper():
        sentence = titlefy(sentence)
    return sentence


def _opening_end(body: str, preamble_end: int, subject_end: int, eo_end: int, first_line_end: int) -> int:
    """Where the opening lines end: after the Classified-By block, else after the subject
    or the E.O. line."""
    end = max(subject_end, eo_end, first_line_end)
    for m in iter_labels(body, 0, preamble_end):
        block = _block_after(body, m.end())
        end = max(end, m.end() + len(block))
    return min(end, preamble_end)


def _headings_only(text: str) -> bool:
    """Only short lines without a sentence end, or underlines: headings, not content."""
    for line in text.split("\n"):
        s = line.strip()
        if s and not re.fullmatch(r"[-=_‐–—]{3,}", s) and (len(s) > 70 or re.search(r"[.!?]", s)):
            return False
    return True


def _where(offset: int, spans: list[tuple[int, int, int | None]]) -> str:
    for start, end, number in spans:
        if start <= offset < end:
            return f"paragraph {number}" if number is not None else "lead text"
    return "body"


_CUT_END = re.compile(r"\b[a-z][a-z'’\-]*$")
_CLOSERS = frozenset('.!?:;)"\'”’]')
_END_MARK = re.compile(r"(?i)\bend (?:of )?(?:summary|comment|text|note|quote)s?$")


def _looks_cut(text: str) -> bool:
    """Ends with a lower-case word inside a sentence of prose (not a list, table or address)."""
    tail = text[-120:]
    if not _CUT_END.search(tail) or _END_MARK.search(tail) or re.search(r"\n[-*•]", text[-200:]):
        return False
    sentence = re.split(r"[.!?:;]\s", tail)[-1]
    return len(sentence.split()) >= 6 and not re.search(r"\d|@|  ", sentence[-40:])


def _parse_body(body: str, cable: Cable, *, year: str | None, reference_id: str | None) -> dict[str, Any]:
    """Fill the body fields of ``cable``; return what the text says of itself."""
    own: dict[str, Any] = {}
    text = strip_page_headers(body)
    text, text_repairs = repair_text(text)
    raws = split_paragraphs(text)
    first_para = raws[0].start if raws else len(text)
    upto = min(first_para, _MAX_OPENING) if raws else min(len(text), _MAX_OPENING)
    opening = read_opening(text, upto)
    preamble = text[:upto]
    cable.captions = opening.captions
    cable.declassify_on = opening.declassify_on
    if opening.classification:
        own["classification"] = opening.classification
    if opening.station and opening.serial:
        own["station_serial"] = f"{opening.station} {opening.serial}"
    tags_text = find_tags_text(preamble)
    if tags_text:
        cable.tags = parse_tags(tags_text)
    subject, subject_end = find_subject(preamble)
    cable.subject = subject
    cable.references = parse_references(preamble, year=year, reference_id=reference_id)
    search_cb = text[:min(raws[0].end if raws else len(text), _MAX_OPENING + 2000)]
    cable.classified_by, cable.classification_reasons = parse_classified_by(search_cb)
    if not raws:
        lead_start = _opening_end(text, len(preamble), subject_end, opening.eo_end, opening.first_line_end)
    else:
        lead_start = _opening_end(text, first_para, subject_end, opening.eo_end, opening.first_line_end)
    signers, sig_start = find_signers(text)
    cable.signed_by = signers
    paragraphs: list[Paragraph] = []
    spans: list[tuple[int, int, int | None]] = []
    lead = text[lead_start:min(first_para, sig_start)]
    if lead.strip() and not _headings_only(lead):
        mm = re.match(r"^\s*\(([A-Z]{1,5}(?:/{1,2}[A-Z]{1,8}){0,3})\)\s*", lead)
        mark = mm.group(1) if mm and mm.group(1).split("/")[0] in ("U", "C", "S", "SBU", "LOU", "TS") else None
        lead_text = reflow(lead[mm.end():] if mark and mm else lead)
        blocks = [lead_text] if raws else [b for b in lead_text.split("\n\n") if b.strip()]
        for i, block in enumerate(blocks):
            paragraphs.append(Paragraph(None, mark if i == 0 else None, block))
        spans.append((lead_start, min(first_para, sig_start), None))
    unfinished: list[Paragraph] = []
    if raws:
        final = raws[-1]
        final.end = min(final.end, max(sig_start, final.text_start))
    for raw in raws:
        last = raw is final
        ptext = _paragraph_text(text, raw.text_start, raw.end, last)
        para = Paragraph(raw.number, raw.marking, ptext)
        if not last and ptext and ptext.rstrip()[-1:] not in _CLOSERS:
            unfinished.append(para)
        paragraphs.append(para)
        spans.append((raw.start, raw.end, raw.number))
    # A paragraph that stops mid-sentence where the next one begins was cut short (by the
    # scraper, or by the release).  Only flagged when it is the exception in its cable: some
    # cables end every paragraph, list or table without a full stop.
    if len(unfinished) == 1 and _looks_cut(unfinished[0].text):
        para = unfinished[0]
        para.cut_short = True
        tail = " ".join(para.text.split()[-5:])
        cable.repairs.append(Repair("cut-short", f"paragraph {para.number}", tail, tail))
    cable.paragraphs = paragraphs
    for r in text_repairs:
        cable.repairs.append(Repair(r.kind, _where(r.offset, spans), r.before, r.after))
    cable.summary = find_summary(text, lead_start)
    cable.comment = find_comment(text, lead_start, sig_start)
    cable.body = text.strip("\n")
    cable.redactions = count_redactions(text)
    if cable.subject:
        cable.title = titlefy(cable.subject)
    else:
        source = cable.summary or next((p.text for p in paragraphs if p.text.strip()), "")
        if source:
            cable.title = _first_sentence(source)
            cable.title_derived = True
    return own


def _year_of(reference_id: str | None, created: str | None, dtg: str | None) -> str | None:
    for value in (created, dtg):
        if value and re.match(r"^\d{4}-", value):
            return value[2:4]
    if reference_id and re.match(r"^\d{2}", reference_id):
        return reference_id[:2]
    return None


def _build(header: str, body: str, *, partial_notice: bool, reference_id: str | None,
           year: int | str | None, created: str | None) -> tuple[Cable, HeaderInfo]:
    cable = Cable()
    h = parse_header(header) if header.strip() else HeaderInfo()
    cable.header = header.strip("\n")
    cable.transmission_id = h.transmission_id
    cable.recipients = h.recipients
    cable.info_recipients = h.info_recipients
    yy = two_digit_year(year) if year is not None else _year_of(reference_id, created, h.dtg)
    ref_id = release_id(reference_id) if reference_id else None
    own = _parse_body(body, cable, year=yy, reference_id=ref_id)
    cable.partial = partial_notice or not header.strip()
    if h.dtg:
        own["created"] = h.dtg
    if h.sender:
        own["sender"] = h.sender
    own_id = None
    if "station_serial" in own and yy:
        st, _, serial = own["station_serial"].rpartition(" ")
        own_id = make_id(yy, st, serial)
        if own_id:
            own["id"] = own_id
    cable.id = ref_id or own_id
    cable.created = h.dtg
    cable.classification = own.get("classification")
    cable.from_text = {k: v for k, v in own.items() if k in ("classification", "created", "id", "sender")}
    return cable, h


def _failed(text: Any, exc: Exception) -> Cable:
    cable = Cable(body=text if isinstance(text, str) else "")
    cable.from_text = {"error": f"{type(exc).__name__}: {exc}"}
    return cable


def parse_cable(text: str, *, reference_id: str | None = None, year: int | None = None) -> Cable:
    """A cable (whole, or any fragment: header alone, body alone, a few lines) -> Cable."""
    try:
        t = normalize_text(text)
        partial = bool(_partial_notice(t))
        if partial:
            t = _PARTIAL.sub("", t, count=1)
        header, body = _split_whole(t)
        cable, _ = _build(header, body, partial_notice=partial, reference_id=reference_id,
                          year=year, created=None)
        return cable
    except Exception as exc:  # pure function: report, never raise
        return _failed(text, exc)


def parse_record(record: RawRecord) -> Cable:
    """A RawRecord from sources/ -> Cable, release metadata applied over what the text says."""
    try:
        return _parse_record(record)
    except Exception as exc:
        cable = _failed(record.body or "", exc)
        cable.release = record.metadata.to_dict() if record.metadata else None
        return cable


def _parse_record(record: RawRecord) -> Cable:
    meta = record.metadata
    header = normalize_text(record.header or "")
    body = normalize_text(record.body or "")
    partial = bool(record.partial_notice)
    for part in ("header", "body"):
        value = header if part == "header" else body
        if _partial_notice(value):
            partial = True
            value = _PARTIAL.sub("", value, count=1)
            if part == "header":
                header = value
            else:
                body = value
    if not header.strip() and record.header is None:
        header, body = _split_whole(body)
    cable, h = _build(header, body, partial_notice=partial, reference_id=meta.reference_id,
                      year=None, created=meta.created)
    own = cable.from_text
    cable.release = _release_dict(meta)
    p = record.provenance
    cable.source = {"format": p.format, "path": p.path, "offset": p.offset, "sha256": p.sha256,
                    "line": p.line, "length": p.length}
    # Release metadata wins; what the text says stays in from_text when it differs.
    if meta.reference_id:
        cable.id = release_id(meta.reference_id)
    if meta.classification:
        cable.classification = meta.classification
    if meta.origin:
        cable.origin = meta.origin
    cable.released = meta.released
    if meta.created:
        cable.created = meta.created
        fixed = _corrected_minutes(meta.created, h.dtg) if p.format in (FORMAT_HTML, FORMAT_MIRROR) else None
        if fixed:
            cable.created = fixed
            cable.repairs.append(Repair("created-minutes", "created", meta.created, fixed))
    if meta.tags:
        release_tags = parse_tags(", ".join(meta.tags), canonicalize=False)
        if release_tags != cable.tags and cable.tags:
            own["tags"] = list(cable.tags)
        cable.tags = release_tags
    if meta.references:
        # The release's list of referenced ids: added where the text did not name them.  A
        # release id that differs from a text reference only in its year (the release
        # guessed the year; the text says "(99) ROME 2196") is not added again.
        known = {r.id[2:] for r in cable.references if r.id}
        for ref in meta.references:
            cid = canonical_id(ref)
            if cid and re.match(r"^\d{2}[A-Z]+\d+$", cid) and cid[2:] not in known:
                cable.references.append(Reference(bullet=None, value=ref, kind="cable", id=cid))
                known.add(cid[2:])
    cable.from_text = {k: v for k, v in own.items()
                       if not (k == "classification" and v == cable.classification)
                       and not (k == "created" and v == cable.created)
                       and not (k == "id" and v == cable.id)}
    return cable


_META_FIELDS = ("reference_id", "created", "released", "classification", "origin", "references",
                "sequence", "tags", "release_label", "notes")


def _release_dict(meta: Any) -> dict[str, Any]:
    """meta.to_dict() without dataclasses.asdict's deep copy (a tenth of the parse time)."""
    out: dict[str, Any] = {}
    for name in _META_FIELDS:
        value = getattr(meta, name, None)
        out[name] = list(value) if isinstance(value, list) else value
    return out


def _corrected_minutes(created: str, dtg: str | None) -> str | None:
    """The release's created time with the DTG's minutes, when both name the same date and hour."""
    if not dtg or len(created) < 16 or len(dtg) < 16:
        return None
    if created[:13] == dtg[:13] and created[14:16] != dtg[14:16]:
        return created[:14] + dtg[14:16] + created[16:]
    return None
