"""``/how-to-read-a-cable``: a guide to every part of a cable, each part linked to a
live example in this mirror.

Examples are found through the store: a few dozen cables (newest, oldest, secret,
most cited) are rendered exactly as their pages render them, and the anchors the
renderer gave to each part (``#part-tags``, ``#h-part-dtg``, ``#par1`` ...) are the
links.  So a link always lands on something that exists; a part no cable here has
simply gets no link.  The search takes a moment, so its result is kept for ten
minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ...cables import glossary
from ...store.base import Store
from .cable import guide_parts
from .common import Meta, TTLCache, cable_url, render, store_of

_cache = TTLCache(600.0)
MAX_CANDIDATES = 80


@dataclass(frozen=True, slots=True)
class Part:
    key: str
    title: str
    text: str  # what it is and how to read it, in this project's own words
    example: str = ""  # a made-up specimen of how it looks


PARTS: tuple[Part, ...] = (
    Part("header", "The routing header",
         "Many cables begin with a block of telegraph routing: a transmission number after VZCZC, the precedence "
         "letters and routing indicators of the stations that relay the message, the sending station's own line "
         "(DE), then FM (from), TO (the addressees who must act) and INFO (those who get a copy). Routing indicators "
         "such as RUEHC are station codes, not names; the header translates them where the glossary knows them. "
         "About a fifth of the released cables have lost this header: they are the partial extracts.",
         "FM AMEMBASSY EXAMPLEVILLE\nTO RUEHC/SECSTATE WASHDC PRIORITY 0123"),
    Part("dtg", "The date-time group",
         "The precedence line gives the moment the cable was sent: day of the month, hour and minute in Zulu time "
         "(UTC), month and year. The letter before it is the precedence: Z flash, O immediate, P priority, "
         "R routine. This time is the most reliable one a cable carries; the release pages show a Created time "
         "whose minutes are sometimes wrong, and this mirror corrects them from here.",
         "O 241530Z MAR 07"),
    Part("classification", "The classification line",
         "The first line of the text repeats the classification with its letters spaced out, then the section "
         "(long cables were sent in several numbered sections) and the sending post with the cable's serial number. "
         "The post and serial, with the year, make the reference id.",
         "S E C R E T SECTION 01 OF 03 EXAMPLEVILLE 000123"),
    Part("captions", "Captions",
         "Single words under the classification line say how the cable may be handled and who may see it: SIPDIS "
         "(copied to the military's shared network, which is how the cables were leaked), NOFORN (no foreign "
         "nationals), EXDIS, NODIS and LIMDIS (ever narrower distribution). Lines such as DEPT FOR EUR/CE name the "
         "offices in Washington the writer wanted to reach.",
         "SIPDIS\nNOFORN"),
    Part("eo", "E.O. and DECL",
         "The Executive Order the cable was classified under (usually 12958 or, from 2009, 13526) and when it should "
         "be declassified: DECL followed by a date, or an exemption code when it should stay secret longer.",
         "E.O. 12958: DECL: 03/24/2017"),
    Part("tags", "TAGS",
         "Filing codes: subjects (PGOV internal politics, PREL foreign relations, ECON ...), programs, organisations "
         "and two-letter country codes. Hover over or tab to each tag on a cable page to see what it means; every tag "
         "also has its own browse page.",
         "TAGS: PGOV PREL KDEM XX"),
    Part("subject", "SUBJECT",
         "The title the writer gave the cable, usually in capitals and often starting with the country. It may wrap "
         "over several lines.",
         "SUBJECT: EXAMPLELAND: OPPOSITION PREPARES FOR ELECTIONS"),
    Part("ref", "REF",
         "Earlier cables (and sometimes e-mails, phone calls or reports) this cable answers or builds on, lettered A, "
         "B, C. The text later says \"(Ref A)\". On a cable page each cited cable is a link; a cable cited but not in "
         "this mirror is marked as known but missing.",
         "REF: A. 06 EXAMPLEVILLE 98\n     B. STATE 4567"),
    Part("classified-by", "Classified by",
         "Who classified the cable (often the ambassador, the chargé d'affaires or a section chief) and why.",
         "Classified By: Ambassador A. N. Example, reasons 1.4 (b) and (d)"),
    Part("reasons", "The §1.4 reasons",
         "The reasons are letters from section 1.4 of the Executive Order. The list below says what each letter "
         "stands for; most cables cite (b) foreign government information and (d) foreign relations."),
    Part("paragraph", "Numbered paragraphs",
         "The text is a series of numbered paragraphs. Each paragraph has its own permanent link on this site: the ¶ "
         "sign before it. A search result opens the cable at the paragraph where the words were found.",
         "3. (C) The minister said ..."),
    Part("marking", "Portion markings",
         "The letters in brackets at the start of a paragraph classify that paragraph alone: (U) unclassified, (SBU) "
         "sensitive but unclassified, (C) confidential, (S) secret, and with /NF not for foreign nationals. A cable is "
         "classified at the level of its most secret paragraph.",
         "(S/NF)"),
    Part("summary", "Summary",
         "Longer cables open with the writer's own summary, closed by \"End Summary\". Read it first: it is what busy "
         "readers in Washington read."),
    Part("comment", "Comment",
         "Where the post gives its own analysis, as opposed to reporting what others said, it writes \"Comment:\" "
         "and closes with \"End Comment\". Notes inside the text work the same way (\"Note: ... End note.\")."),
    Part("signature", "Signature",
         "The last line is the surname of the head of the post (the ambassador, or the chargé d'affaires when the "
         "ambassador is away), whoever actually wrote the cable. Cables from Washington are signed by the Secretary "
         "of State."),
)

MARKINGS = ("U", "SBU", "C", "S", "C/NF", "S/NF")


def _candidate_ids(store: Store) -> list[str]:
    ids: list[str] = []
    for q, sort in (("", "-date"), ("class:secret", "-date"), ("caption:sipdis", "date"), ("", "date")):
        try:
            page = store.query(q, sort=sort, limit=20, facets=())
        except Exception:  # a query the store cannot run must not take the guide down
            continue
        ids.extend(h.id for h in page.hits)
    try:
        ids.extend(c["id"] for c in store.most_cited(20) if c.get("stored"))
    except Exception:
        pass
    return list(dict.fromkeys(ids))[:MAX_CANDIDATES]


def find_examples(store: Store) -> tuple[str | None, dict[str, tuple[str, str]]]:
    """(the cable that shows the most parts, part -> (cable id, anchor))."""
    wanted = {p.key for p in PARTS}
    best: tuple[int, str | None] = (0, None)
    found: dict[str, tuple[str, str]] = {}
    by_cable: dict[str, dict[str, str]] = {}
    for cid in _candidate_ids(store):
        record = store.get_cable(cid)
        if record is None:
            continue
        parts = {k: v for k, v in guide_parts(record, store.references(cid)).items() if k in wanted}
        by_cable[cid] = parts
        for key, anchor in parts.items():
            found.setdefault(key, (cid, anchor))
        if len(parts) > best[0]:
            best = (len(parts), cid)
        if len(parts) == len(wanted):
            break
    main = best[1]
    if main is not None:  # prefer one cable for every part it has: the reader stays in one text
        for key, anchor in by_cable[main].items():
            found[key] = (main, anchor)
    return main, found


def guide(request: Request) -> Response:
    store = store_of(request)
    main, examples = _cache.get(id(store), lambda: find_examples(store))
    links: dict[str, str] = {key: cable_url(cid) + "#" + anchor for key, (cid, anchor) in examples.items()}
    link_ids: dict[str, str] = {key: cid for key, (cid, _) in examples.items()}
    reasons = [(t.term, t.meaning) for t in glossary.reasons()]
    markings: list[tuple[str, str]] = []
    for code in MARKINGS:
        t = glossary.marking(code)
        if t is not None:
            markings.append((f"({code})", t.meaning))
    parts: list[dict[str, Any]] = [
        {"key": p.key, "title": p.title, "text": p.text, "example": p.example,
         "link": links.get(p.key), "link_id": link_ids.get(p.key)}
        for p in PARTS
    ]
    return render(
        request,
        "guide.html",
        Meta(title="How to read a cable",
             description="A guide to every part of a US diplomatic cable, from the routing header to the signature, "
             "with live examples.", path="/how-to-read-a-cable"),
        parts=parts,
        main=main,
        reasons=reasons,
        markings=markings,
    )
