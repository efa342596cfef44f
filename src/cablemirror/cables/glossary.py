"""What the codes and jargon of a cable mean: TAGS, captions, acronyms, markings.

The website explains them on hover, the "how to read a cable" guide walks through
the parts of a cable, and ``find_terms`` finds the known terms in running text so
that a page can mark them up.  All meanings live in TSV files under
``data/glossary/`` (written for cablemirror); they are read once, on first use.

Terms whose meaning depends on the country (GOK is the Government of Kenya in
Nairobi cables and of Kazakhstan in Astana cables) are keyed per country; pass
``country=`` (a TAGS code such as "KZ", a country name, a station such as
"ALMATY" or an origin such as "Embassy Astana") to pick the right one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "GlossaryDataError",
    "TagInfo",
    "Term",
    "TermIndex",
    "read_tsv",
    "tag",
    "all_tags",
    "term",
    "all_terms",
    "find_terms",
    "cable_parts",
    "resolve_country",
    "country_name",
    "station_country",
    "marking",
]

TAG_KINDS = ("subject", "program", "country", "org")
TERM_KINDS = (
    "acronym", "caption", "classification", "declassification", "government", "jargon",
    "marking", "office", "part", "precedence", "reason", "routing", "title", "military",
)
# case: whole token, exact case.  nocase: any case.  word: exact case, but never on
# an all-capitals line, where it may be an ordinary word (GOT, WHO, SECRET).
# lookup: explained by term() but never marked in running text (too ambiguous).
MATCH_MODES = ("case", "nocase", "word", "lookup")


class GlossaryDataError(ValueError):
    """A glossary data file is malformed (says which file and line)."""


@dataclass(frozen=True, slots=True)
class TagInfo:
    code: str
    kind: str  # "subject" | "program" | "country" | "org"
    meaning: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Term:
    term: str  # canonical spelling, e.g. "Poloff"
    kind: str  # one of TERM_KINDS
    meaning: str
    note: str | None = None
    country: str | None = None  # TAGS country code when the meaning holds for one country
    aliases: tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# Reading the data files


def read_tsv(text: str, columns: tuple[str, ...], source: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a glossary TSV as (line number, {column: value}).

    Lines starting with "#" and blank lines are skipped; the first other line
    must be the header naming exactly ``columns``.
    """
    header_seen = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = [f.strip() for f in raw.split("\t")]
        if not header_seen:
            if tuple(fields) != columns:
                raise GlossaryDataError(f"{source}:{lineno}: header must be {'/'.join(columns)}, got {fields}")
            header_seen = True
            continue
        if len(fields) != len(columns):
            raise GlossaryDataError(
                f"{source}:{lineno}: expected {len(columns)} tab-separated fields, got {len(fields)}"
            )
        yield lineno, dict(zip(columns, fields))
    if not header_seen:
        raise GlossaryDataError(f"{source}: no header line")


def _data(name: str) -> str:
    return resources.files(__package__).joinpath("data", "glossary", name).read_text("utf-8")


_TAG_FILES = {
    "subject": "subject_tags.tsv",
    "program": "program_tags.tsv",
    "country": "country_tags.tsv",
    "org": "org_tags.tsv",
}
_TERM_FILES = ("terms_handling.tsv", "terms_us.tsv", "terms_intl.tsv", "terms_country.tsv")


@cache
def _tags() -> dict[str, TagInfo]:
    out: dict[str, TagInfo] = {}
    for kind, name in _TAG_FILES.items():
        for lineno, row in read_tsv(_data(name), ("code", "meaning", "note"), name):
            code = row["code"].upper()
            if not row["meaning"]:
                raise GlossaryDataError(f"{name}:{lineno}: empty meaning for {code}")
            if code in out:
                raise GlossaryDataError(f"{name}:{lineno}: {code} is already defined ({out[code].kind})")
            out[code] = TagInfo(code, kind, row["meaning"], row["note"] or None)
    return out


@cache
def _country_names() -> dict[str, str]:
    return {t.code: t.meaning for t in _tags().values() if t.kind == "country"}


@cache
def _stations() -> dict[str, str]:
    names = _country_names()
    out: dict[str, str] = {}
    for lineno, row in read_tsv(_data("stations.tsv"), ("station", "country"), "stations.tsv"):
        if row["country"] not in names:
            raise GlossaryDataError(f"stations.tsv:{lineno}: unknown country code {row['country']!r}")
        out[_squash(row["station"])] = row["country"]
    return out


def _squash(value: str) -> str:
    return re.sub(r"[^A-Z]", "", value.upper())


@cache
def _name_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, name in _country_names().items():
        out[name.casefold()] = code
        short = re.sub(r"\s*\(.*?\)", "", name).strip()  # "Holy See (Vatican City)" -> "Holy See"
        out.setdefault(short.casefold(), code)
        out.setdefault(re.sub(r"^the ", "", short, flags=re.I).casefold(), code)
    return out


def _government_meaning(code: str) -> str:
    name = _country_names()[code]
    name = re.sub(r"^The ", "the ", name)
    return f"Government of {name}"


@cache
def _term_rows() -> tuple[tuple[Term, str, str, int], ...]:
    """Every term with its match mode, as (term, mode, file, line)."""
    countries = _country_names()
    rows: list[tuple[Term, str, str, int]] = []
    cols = ("term", "kind", "match", "country", "meaning", "note", "aliases")
    for name in _TERM_FILES:
        for lineno, row in read_tsv(_data(name), cols, name):
            where = f"{name}:{lineno}"
            if row["kind"] not in TERM_KINDS:
                raise GlossaryDataError(f"{where}: unknown kind {row['kind']!r}")
            if row["match"] not in MATCH_MODES:
                raise GlossaryDataError(f"{where}: unknown match mode {row['match']!r}")
            if row["country"] and row["country"] not in countries:
                raise GlossaryDataError(f"{where}: unknown country code {row['country']!r}")
            if not row["term"] or not row["meaning"]:
                raise GlossaryDataError(f"{where}: term and meaning are required")
            aliases = tuple(a.strip() for a in row["aliases"].split(",") if a.strip())
            t = Term(row["term"], row["kind"], row["meaning"], row["note"] or None,
                     row["country"] or None, aliases)
            rows.append((t, row["match"], name, lineno))
    for lineno, row in read_tsv(_data("governments.tsv"), ("term", "countries", "match"), "governments.tsv"):
        if row["match"] not in MATCH_MODES:
            raise GlossaryDataError(f"governments.tsv:{lineno}: unknown match mode {row['match']!r}")
        for code in (c.strip() for c in row["countries"].split(",")):
            if code not in countries:
                raise GlossaryDataError(f"governments.tsv:{lineno}: unknown country code {code!r}")
            t = Term(row["term"], "government", _government_meaning(code), None, code)
            rows.append((t, row["match"], "governments.tsv", lineno))
    return tuple(rows)


@cache
def _parts() -> tuple[Term, ...]:
    return tuple(
        Term(row["name"], "part", row["meaning"], row["note"] or None)
        for _, row in read_tsv(_data("cable_parts.tsv"), ("name", "meaning", "note"), "cable_parts.tsv")
    )


# ---------------------------------------------------------------------------
# Matching terms in text

# A token: letters/digits, with . / - ' & allowed inside (U.S., EUR/RPM, A/S, AT&T).
_TOKEN = re.compile(r"[^\W_](?:[\w&'’./-]*[^\W_])?")
_SPLIT = re.compile(r"[/-]")
_POSSESSIVE = ("'s", "’s")


@dataclass(slots=True)
class _Entry:
    mode: str
    terms: list[Term]  # one per country (None = default)


class TermIndex:
    """Compiled lookup of term spellings, shared by the cable and war-diary glossaries.

    ``rows`` are (term, match mode, where it was defined); each term is indexed
    under its spelling and its aliases.  Two rows may share a spelling only for
    different countries.
    """

    def __init__(self, rows: Iterable[tuple[Term, str, str]]) -> None:
        self._case: dict[str, _Entry] = {}
        self._nocase: dict[str, _Entry] = {}
        self._phrases: dict[str, list[tuple[re.Pattern[str], _Entry]]] = {}
        self._ambiguous: dict[tuple[str, str], Term] = {}
        self.terms: list[Term] = []
        for t, mode, where in rows:
            if mode not in MATCH_MODES:
                raise GlossaryDataError(f"{where}: {t.term}: unknown match mode {mode!r}")
            self.terms.append(t)
            for form in (t.term, *t.aliases):
                self._add(form, t, mode, where)

    def _add(self, form: str, t: Term, mode: str, source: str) -> None:
        table = self._nocase if mode == "nocase" else self._case
        key = form.casefold() if mode == "nocase" else form
        entry = table.get(key)
        if entry is None:
            entry = table[key] = _Entry(mode, [])
            if " " in form:  # phrases are found from their first word
                words = form.split()
                flags = re.IGNORECASE if mode == "nocase" else 0
                rx = re.compile(r"\s+".join(re.escape(w) for w in words) + r"(?![\w&'’/-])", flags)
                first = words[0].rstrip(".").casefold()
                self._phrases.setdefault(first, []).append((rx, entry))
        elif entry.mode != mode:
            raise GlossaryDataError(f"{source}: {form!r} has two match modes ({entry.mode}, {mode})")
        if any(x.country == t.country for x in entry.terms):
            raise GlossaryDataError(f"{source}: {form!r} is defined twice for country {t.country or '(any)'}")
        entry.terms.append(t)

    # -- lookups ------------------------------------------------------------

    def entry(self, form: str) -> _Entry | None:
        return self._case.get(form) or self._nocase.get(form.casefold())

    def lookup(self, form: str, country: str | None = None) -> Term | None:
        """The term spelled ``form`` (exactly, or in any case for case-free terms)."""
        # term("poloff") and term("POLOFF") both find Poloff; term("gok") does not find GOK.
        e = self.entry(form)
        return self._choose(e, country) if e else None

    def _choose(self, e: _Entry, country: str | None, *, strict: bool = False) -> Term | None:
        default = None
        for t in e.terms:
            if t.country is None:
                default = t
            elif country and t.country == country:
                return t
        if default is not None:
            return default
        if strict and not all(t.kind == "government" for t in e.terms):
            return None  # a country-specific abbreviation, in a cable about another country
        if len(e.terms) == 1:
            return e.terms[0]
        return self._ambiguous_term(e)

    def _ambiguous_term(self, e: _Entry) -> Term:
        first = e.terms[0]
        key = (first.term, e.mode)
        t = self._ambiguous.get(key)
        if t is None:
            names = _country_names()
            if all(x.kind == "government" for x in e.terms):
                countries = [names.get(x.country or "", x.country or "") for x in e.terms]
                meaning = "Government of " + _join_or(countries)
                note = "Which government depends on the country the cable is about."
            else:
                meaning = f"{first.meaning} (meaning depends on the country)"
                note = "; ".join(f"{names.get(x.country or '', x.country)}: {x.meaning}" for x in e.terms)
            t = Term(first.term, first.kind, meaning, note, None, first.aliases)
            self._ambiguous[key] = t
        return t

    # -- scanning -----------------------------------------------------------

    def scan(self, text: str, country: str | None = None) -> list[tuple[int, int, Term]]:
        """Spans of known terms in ``text``, from left to right, not overlapping."""
        spans: list[tuple[int, int, Term]] = []
        caps_lines: dict[int, bool] = {}
        end_of_last = 0
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            if start < end_of_last:
                continue
            tok = m.group()
            hit = self._phrase_at(text, tok, start, country, caps_lines)
            if hit is None:
                hit = self._token_at(text, tok, start, end, country, caps_lines)
            if hit is not None:
                spans.extend(hit)
                end_of_last = hit[-1][1]
        return spans

    def _phrase_at(self, text, tok, start, country, caps_lines):
        cands = self._phrases.get(tok.casefold())
        if not cands:
            return None
        best = None
        for rx, e in cands:
            m = rx.match(text, start)
            if m and (best is None or m.end() > best[1]):
                t = self._usable(e, country, text, start, caps_lines)
                if t is not None:
                    best = (start, m.end(), t)
        return [best] if best else None

    def _token_at(self, text, tok, start, end, country, caps_lines):
        one = self._form_at(text, tok, start, end, country, caps_lines)
        if one is not None:
            return [one]
        if "/" in tok or "-" in tok:  # USAID/OFDA, U.S.-EU, pro-USG
            parts = []
            pos = 0
            for piece in _SPLIT.split(tok):
                s = start + pos
                pos += len(piece) + 1
                if not piece:
                    continue
                hit = self._form_at(text, piece, s, s + len(piece), country, caps_lines)
                if hit is not None:
                    parts.append(hit)
            return parts or None
        return None

    def _form_at(self, text, form, start, end, country, caps_lines):
        e = self.entry(form)
        stop = end
        if e is None and text.startswith(".", end):  # U.S. / E.O. : the token stops before the dot
            e = self.entry(form + ".")
            stop = end + 1
        if e is None and form.endswith(_POSSESSIVE):  # USG's
            form = form[:-2]
            stop = start + len(form)
            e = self.entry(form)
        if e is None and len(form) > 2 and form.endswith("s") and form[:-1].isupper():  # NGOs
            e = self._case.get(form[:-1])
            stop = end
        if e is None or e.mode == "lookup":
            return None
        t = self._usable(e, country, text, start, caps_lines)
        return (start, stop, t) if t is not None else None

    def _usable(self, e, country, text, start, caps_lines) -> Term | None:
        if e.mode == "lookup":
            return None
        if e.mode == "word" and _on_caps_line(text, start, caps_lines):
            return None
        return self._choose(e, country, strict=True)


def _on_caps_line(text: str, pos: int, cache_: dict[int, bool]) -> bool:
    """Is the line holding ``pos`` written in capitals only (old cables, headers)?"""
    line_start = text.rfind("\n", 0, pos) + 1
    hit = cache_.get(line_start)
    if hit is None:
        line_end = text.find("\n", pos)
        line = text[line_start:] if line_end < 0 else text[line_start:line_end]
        hit = cache_[line_start] = not any(c.islower() for c in line)
    return hit


def _join_or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


@cache
def _index() -> TermIndex:
    return TermIndex((t, mode, f"{name}:{line}") for t, mode, name, line in _term_rows())


# ---------------------------------------------------------------------------
# Patterns that are not single words: markings, reasons, dates, header lines

_LEVELS = {
    "U": "Unclassified", "SBU": "Sensitive but unclassified", "LOU": "Limited official use",
    "C": "Confidential", "S": "Secret", "TS": "Top secret", "FOUO": "For official use only",
}
_CAVEATS = {
    "NF": "not releasable to foreign nationals",
    "NOFORN": "not releasable to foreign nationals",
    "REL": "releasable only to the allies named",
    "FOUO": "for official use only",
    "OC": "dissemination controlled by the originator",
    "ORCON": "dissemination controlled by the originator",
    "PROPIN": "contains proprietary commercial information",
    "SI": "signals intelligence",
    "TK": "satellite imagery intelligence",
}
_MARKING = re.compile(r"\(\s*(U|SBU|LOU|C|S|TS)((?:\s?//?\s?[A-Z]+(?: [A-Z]+)*?)*)\s*\)")

_REASONS = {
    "a": "military plans, weapons systems or operations",
    "b": "information from a foreign government",
    "c": "intelligence activities, sources or methods, or cryptology",
    "d": "US foreign relations or activities, including confidential sources",
    "e": "scientific, technological or economic matters of national security",
    "f": "US programs for safeguarding nuclear materials or facilities",
    "g": "vulnerabilities or capabilities of systems, plans or protection services",
    "h": "weapons of mass destruction",
}
# "1.4 (b) and (d)", "1.4(B),(D)", "1.5 D": the reasons of E.O. 12958 (section 1.5
# before the 2003 amendment, 1.4 after).  Bare letters only in capitals ("1.5 a day").
_LETTER = r"(?:\(\s?[a-hA-H]\s?\)|\b[A-H]\b)"
_REASON = re.compile(r"\b1\.([45])\s?(" + _LETTER + r"(?:\s?(?:,|and|AND|&)?\s?" + _LETTER + r")*)")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DTG = re.compile(r"\b(\d{2})(\d{2})(\d{2})Z\s?(" + "|".join(_MONTHS) + r")\s?(\d{2}(?:\d{2})?)\b")
_EO = re.compile(r"\bE\.?\s?O\.?:?\s?(1\d{4})\b")
_SIXX = re.compile(r"\b1\.6\s?X\s?([1-8])\b")
_SECTION = re.compile(r"\bSECTION\s+\d{1,2}\s+OF\s+\d{1,2}\b")
_HEADER_FROM = re.compile(
    r"^(FM)(?=\s+(?:AMEMBASSY|AMCONSUL|AMCONGEN|SECSTATE|USMISSION|USDEL|USINT|USLO|AIT|SECDEF|"
    r"CDR|CJCS|JOINT STAFF|DIRNSA|CIA|DIA|USCINC|HQ|USEU|USNATO|USUN|USOFFICE|DEPT|WHITE HOUSE|"
    r"AMEMB|[A-Z/]+ WASHDC))",
    re.M,
)
# Header words, recognised only where the header's own syntax follows them.
_HEADER_WORD = re.compile(
    r"^(?:(DE)(?=\s+R[A-Z]{3,6}\s+#)|(TO|INFO)(?=\s+R[A-Z]{3,6}/)|(BT)(?=[ \t]*$))", re.M
)
_PRECEDENCE = re.compile(r"^(ZZ|OO|PP|RR|Z|O|P|R)(?=\s+(?:R[A-Z]{4,6}(?:\s|$)|\d{6}Z\s))", re.M)
_PRECEDENCE_WORD = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
_SPACED = re.compile(
    r"\b(?:C O N F I D E N T I A L|S E C R E T|U N C L A S(?: S I F I E D)?|"
    r"T O P\s+S E C R E T|L I M I T E D\s+O F F I C I A L\s+U S E)\b"
)


def marking(code: str) -> Term | None:
    """The meaning of a portion marking such as "S/NF", "(C)" or "U//FOUO"."""
    if not isinstance(code, str):
        return None
    m = _MARKING.fullmatch("(" + code.strip().strip("()").strip() + ")")
    return _marking_term(m) if m else None


def _marking_term(m: re.Match[str]) -> Term:
    level = _LEVELS[m.group(1)]
    caveats = [c.strip() for c in re.split(r"/+", m.group(2) or "") if c.strip()]
    said = []
    for c in caveats:
        word = c.split()[0]
        said.append(_CAVEATS.get(word, f"handling caveat {c}"))
    meaning = f"Portion marking: {level}" + ("; " + "; ".join(said) if said else "")
    code = m.group(1) + "".join("/" + c for c in caveats)
    return Term(f"({code})", "marking", meaning, "Classification of this paragraph alone.")


def _reason_term(m: re.Match[str]) -> Term:
    letters = sorted(set(re.findall(r"[a-h]", m.group(2).lower())))
    section = "1.4" if m.group(1) == "4" else "1.5"
    order = "E.O. 12958 as amended" if section == "1.4" else "E.O. 12958 (1995 text)"
    meaning = "Classified because it concerns " + "; ".join(_REASONS[x] for x in letters)
    return Term(f"{section} ({') ('.join(letters)})", "reason", meaning, f"Reasons listed in section {section} of {order}.")


def _dtg_term(m: re.Match[str]) -> Term | None:
    day, hh, mm, mon, year = m.groups()
    if not (1 <= int(day) <= 31 and int(hh) <= 23 and int(mm) <= 59):
        return None
    if len(year) == 2:
        year = ("19" if int(year) > 50 else "20") + year
    meaning = f"Date-time group: {int(day)} {mon.title()} {year}, {hh}:{mm} UTC"
    return Term(m.group(), "routing", meaning, "Day, hour and minute in Zulu (UTC) time, month, year.")


def _pattern_spans(text: str) -> list[tuple[int, int, Term]]:
    spans: list[tuple[int, int, Term]] = []
    parts = _parts_by_name()
    for m in _MARKING.finditer(text):
        spans.append((m.start(), m.end(), _marking_term(m)))
    for m in _REASON.finditer(text):
        spans.append((m.start(), m.end(), _reason_term(m)))
    for m in _DTG.finditer(text):
        dtg = _dtg_term(m)
        if dtg is not None:
            spans.append((m.start(), m.end(), dtg))
    for m in _EO.finditer(text):
        known = term(f"E.O. {m.group(1)}")
        t = known or Term(f"E.O. {m.group(1)}", "declassification", f"Executive Order {m.group(1)}")
        spans.append((m.start(), m.end(), t))
    for m in _SIXX.finditer(text):
        base = term(f"X{m.group(1)}")
        if base is not None:
            spans.append((m.start(), m.end(), Term(m.group(), base.kind, base.meaning, "E.O. 12958 section 1.6 exemption.")))
    for m in _SECTION.finditer(text):
        spans.append((m.start(), m.end(), parts["SECTION"]))
    for m in _HEADER_FROM.finditer(text):
        spans.append((m.start(), m.end(), Term("FM", "routing", parts["FM"].meaning)))
    for m in _HEADER_WORD.finditer(text):
        p = parts[m.group(m.lastindex or 0)]
        spans.append((m.start(), m.end(), Term(p.term, "routing", p.meaning, p.note)))
    for m in _PRECEDENCE.finditer(text):
        word = _PRECEDENCE_WORD[m.group(1)[0]]
        spans.append((m.start(), m.end(), Term(m.group(1), "precedence", f"Precedence: {word.title()}",
                                              "Precedence letters: Z flash, O immediate, P priority, R routine.")))
    for m in _SPACED.finditer(text):
        t = term(_SPACED_NAMES[re.sub(r"\s", "", m.group())])
        if t is not None:
            spans.append((m.start(), m.end(), t))
    return spans


_SPACED_NAMES = {
    "CONFIDENTIAL": "CONFIDENTIAL", "SECRET": "SECRET", "UNCLAS": "UNCLASSIFIED",
    "UNCLASSIFIED": "UNCLASSIFIED", "TOPSECRET": "TOP SECRET", "LIMITEDOFFICIALUSE": "LIMITED OFFICIAL USE",
}


@cache
def _parts_by_name() -> dict[str, Term]:
    return {p.term: p for p in _parts()}


# ---------------------------------------------------------------------------
# Public API


def tag(code: str) -> TagInfo | None:
    """What a TAGS code means: "PGOV", "KDEM", "IZ", "NATO" ... (any case)."""
    if not isinstance(code, str):
        return None
    return _tags().get(" ".join(code.split()).upper())


def all_tags(kind: str | None = None) -> tuple[TagInfo, ...]:
    """Every known tag, sorted by kind then code; or only those of one kind."""
    if kind is not None and kind not in TAG_KINDS:
        raise ValueError(f"unknown tag kind {kind!r}; expected one of {', '.join(TAG_KINDS)}")
    tags = sorted(_tags().values(), key=lambda t: (TAG_KINDS.index(t.kind), t.code))
    return tuple(t for t in tags if kind is None or t.kind == kind)


def term(word: str, *, country: str | None = None) -> Term | None:
    """The meaning of an acronym, caption or handling term as written in a cable.

    Acronyms are case-sensitive (GOK, not "gok"); jargon words (septel, Poloff)
    are found in any case.  ``country`` picks the country-specific meaning; without
    it an ambiguous abbreviation gets a meaning that lists the possibilities.
    """
    if not isinstance(word, str) or not word.strip():
        return None
    w = " ".join(word.split())
    code = resolve_country(country)
    t = _index().lookup(w, code)
    if t is None and (w.startswith("(") or "/" in w):  # a portion marking: (C), S/NF
        t = marking(w)
    if t is None:  # a part of a cable: "DE", "Classification line"
        t = next((p for p in _parts() if p.term.casefold() == w.casefold()), None)
    return t


def all_terms() -> tuple[Term, ...]:
    """Every acronym and handling term, including one entry per country where it varies."""
    return tuple(_index().terms)


def find_terms(text: str, *, country: str | None = None) -> list[tuple[int, int, Term]]:
    """Non-overlapping (start, end, term) spans of known terms in ``text``, in order.

    Only whole tokens match; acronyms match in their own case.  Words that are
    also ordinary English (WHO, GOT, SECRET) are skipped on all-capitals lines.
    Markings like (S/NF), reasons like 1.4 (b) and (d), date-time groups and
    header words (FM, DE, INFO) are recognised too.
    """
    if not isinstance(text, str):
        raise TypeError(f"find_terms needs a str, got {type(text).__name__}")
    if not text:
        return []
    code = resolve_country(country)
    spans = _pattern_spans(text)
    spans.extend(_index().scan(text, code))
    # Patterns come first in the list, so on equal spans the pattern's meaning wins.
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1], i))
    out: list[tuple[int, int, Term]] = []
    last = 0
    for i in order:
        s, e, t = spans[i]
        if s >= last:
            out.append((s, e, t))
            last = e
    return out


def cable_parts() -> tuple[Term, ...]:
    """The parts of a cable in reading order, with what each one is (for the guide)."""
    return _parts()


_ORIGIN_PREFIX = re.compile(
    r"^(?:US\s+|U\.S\.\s+|AMERICAN\s+)?(?:EMBASSY|CONSULATE(?:\s+GENERAL)?|OFFICE|MISSION|"
    r"INTERESTS\s+SECTION|INSTITUTE\s+TAIWAN,?|REO|PRT)\s+",
    re.I,
)


def resolve_country(value: str | None) -> str | None:
    """A TAGS country code from a code ("KZ"), a name ("Kazakhstan"), a station
    ("ALMATY", "HOCHIMINHCITY") or an origin ("Embassy Astana"); None if unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip()
    names = _country_names()
    if v.upper() in names and len(v) == 2:
        return v.upper()
    code = _name_index().get(v.casefold())
    if code:
        return code
    stations = _stations()
    code = stations.get(_squash(v))
    if code:
        return code
    stripped = _ORIGIN_PREFIX.sub("", v)
    return stations.get(_squash(stripped)) or _name_index().get(stripped.casefold())


def country_name(code: str) -> str | None:
    """The country or area a TAGS code names ("IC" -> "Iceland")."""
    if not isinstance(code, str):
        return None
    return _country_names().get(code.strip().upper())


def station_country(station: str) -> str | None:
    """The host country (TAGS code) of a station as written in cable ids ("ALMATY" -> "KZ")."""
    if not isinstance(station, str):
        return None
    return _stations().get(_squash(station))
