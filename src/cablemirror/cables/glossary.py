"""What the codes and jargon of a cable mean: TAGS, captions, acronyms, markings.

The website explains them on hover, the "how to read a cable" guide walks through
the parts of a cable, and ``find_terms`` finds the known terms in running text so
that a page can mark them up.  The meanings live in TSV files under
``data/glossary/`` (written for cablemirror), read once, on first use; only the
wording for shapes recognised in code (date-time groups, markings) is built here.

Terms whose meaning depends on the country (GOK is the Government of Kenya in
Nairobi cables and of Kazakhstan in Astana cables) are keyed per country; pass
``country=`` (a TAGS code such as "KZ", a country name, a station such as
"ALMATY" or an origin such as "Embassy Astana") to pick the right one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
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
    "reasons",
    "resolve_country",
    "country_name",
    "station_country",
    "marking",
]

TAG_KINDS = ("subject", "program", "country", "org")
TERM_KINDS = (
    "acronym", "caption", "classification", "declassification", "government", "jargon",
    "marking", "office", "part", "precedence", "reason", "routing", "title", "military", "tag",
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


# Country names that take "the" after "Government of".
_THE = re.compile(
    r"^(?:Republic|Democratic|United|Holy|Czech|Netherlands|Philippines|Bahamas|Gambia|Central African|"
    r"Dominican|Marshall|Solomon|Maldives|Comoros|Seychelles)"
)


def _article_name(code: str) -> str:
    name = re.sub(r"^The ", "", _country_names().get(code, code))
    return f"the {name}" if _THE.match(name) else name


def _government_meaning(code: str) -> str:
    return f"Government of {_article_name(code)}"


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

# Terms are found with two compiled regexes built as tries of every spelling (one
# case-sensitive, one case-free), so the scan runs in C and Python only looks at
# real hits.  A term must stand as a whole token: not glued to letters, digits or
# ' & on either side, nor to a preceding "x." (so "e.g.EU" is not EU).  "/" and "-"
# do separate tokens, so USAID/OFDA and U.S.-EU yield both of their parts.
_LEFT = r"(?<![\w&'’])(?<!\w\.)"
_RIGHT = r"(?![\w&'’]|\.\w)"


def _trie_regex(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, as a character trie."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(trie)


@dataclass(slots=True)
class _Entry:
    mode: str
    terms: list[Term]  # one per country (None = default)
    only: Term | None = None  # the single, country-free meaning: the common case, decided at once


class TermIndex:
    """Compiled lookup of term spellings, shared by the cable and war-diary glossaries.

    ``rows`` are (term, match mode, where it was defined); each term is indexed
    under its spelling and its aliases.  Two rows may share a spelling only for
    different countries.
    """

    def __init__(self, rows: Iterable[tuple[Term, str, str]]) -> None:
        self._case: dict[str, _Entry] = {}
        self._nocase: dict[str, _Entry] = {}
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
        key = form.lower() if mode == "nocase" else form
        entry = table.get(key)
        if entry is None:
            entry = table[key] = _Entry(mode, [])
        elif entry.mode != mode:
            raise GlossaryDataError(f"{source}: {form!r} has two match modes ({entry.mode}, {mode})")
        if any(x.country == t.country for x in entry.terms):
            raise GlossaryDataError(f"{source}: {form!r} is defined twice for country {t.country or '(any)'}")
        entry.terms.append(t)
        entry.only = entry.terms[0] if len(entry.terms) == 1 and t.country is None else None

    # -- lookups ------------------------------------------------------------

    def entry(self, form: str) -> _Entry | None:
        return self._case.get(form) or self._nocase.get(form.lower())

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
                countries = [_article_name(x.country or "") for x in e.terms]
                meaning = "Government of " + _join_or(countries)
                note = "Which government depends on the country the cable is about."
            else:
                meaning = f"{first.meaning} (meaning depends on the country)"
                note = "; ".join(f"{names.get(x.country or '', x.country)}: {x.meaning}" for x in e.terms)
            t = Term(first.term, first.kind, meaning, note, None, first.aliases)
            self._ambiguous[key] = t
        return t

    # -- scanning -----------------------------------------------------------
    #
    # Two regexes per index, each a trie of spellings so the scan runs in C:
    # - case-sensitive spellings, in two variants: with the left-edge check in the
    #   regex (fast on capitals-only text, where nearly every position could start
    #   a term) and without it (fast on ordinary text, where re skips straight to
    #   the few letters a term can start with; the left edge is checked in Python);
    # - case-free spellings, lower-cased, run on the lower-cased text.

    @cached_property
    def _regexes(self) -> dict[str, re.Pattern[str] | None]:
        case = [k for k, e in self._case.items() if e.mode != "lookup"]
        nocase = [k.lower() for k, e in self._nocase.items() if e.mode != "lookup"]
        # An acronym may take a plural s (NGOs) or a possessive 's (USG's); only the
        # acronym itself is marked.
        body = "(" + _trie_regex(case) + r")(?:(s)|['’]s)?" + _RIGHT
        fold = "(" + _trie_regex(nocase) + ")" + _RIGHT
        return {
            "case": re.compile(body),
            "case_guarded": re.compile(_LEFT + body),
            "fold": re.compile(fold) if nocase else None,
            "fold_guarded": re.compile(_LEFT + fold) if nocase else None,
        }

    def scan(self, text: str, country: str | None = None) -> list[tuple[int, int, Term]]:
        """Spans of known terms in ``text``, from left to right, not overlapping."""
        rx = self._regexes
        # Which variant is faster depends on the text: see the comment above.
        caps = _lower_share(text) < 0.25
        table = self._case
        hits: list[tuple[int, int, _Entry]] = []
        for m in _finditer(rx["case_guarded"] if caps else rx["case"], text, check_left=not caps):
            form = m.group(1)
            if m.group(2) and not form.isupper():
                continue  # "Ambs" is not a plural of an acronym
            e = table.get(form) or table[" ".join(form.split())]  # a phrase may wrap a line
            hits.append((m.start(1), m.end(1), e))
        fold = rx["fold_guarded"] if caps else rx["fold"]
        if fold is not None:
            lowered = text.lower()
            if len(lowered) != len(text):  # a few letters grow when lower-cased (İ): keep offsets exact
                lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
            n = len(hits)
            for m in _finditer(fold, lowered, check_left=not caps):
                hits.append((m.start(1), m.end(1), self._nocase[" ".join(m.group(1).split())]))
            if len(hits) > n:
                hits.sort(key=lambda h: (h[0], -h[1]))
        spans: list[tuple[int, int, Term]] = []
        caps_lines: dict[int, bool] = {}
        last = 0
        for start, end, e in hits:
            if start < last:
                continue
            if e.mode == "word" and _on_caps_line(text, start, caps_lines):
                continue
            t = e.only or self._choose(e, country, strict=True)
            if t is not None:
                spans.append((start, end, t))
                last = end
        return spans


_DROP_LOWER = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz")
_DROP_UPPER = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _lower_share(text: str) -> float:
    """Share of lower-case among the ASCII letters of the text's start (0 for old all-caps cables)."""
    sample = text[:3000]
    lower = len(sample) - len(sample.translate(_DROP_LOWER))
    upper = len(sample) - len(sample.translate(_DROP_UPPER))
    return lower / (lower + upper) if lower + upper else 0.0


def _finditer(rx: re.Pattern[str], text: str, *, check_left: bool) -> Iterator[re.Match[str]]:
    """Matches of ``rx``; with ``check_left``, only those not glued to a preceding word."""
    if not check_left:
        yield from rx.finditer(text)
        return
    pos = 0
    search = rx.search
    while (m := search(text, pos)) is not None:
        s = m.start(1)
        before = text[s - 1] if s else " "
        if before.isalnum() or before in "_&'’" or (before == "." and s > 1 and text[s - 2].isalnum()):
            pos = s + 1  # inside a word ("STATUS" ends in US): look again just after
            continue
        yield m
        pos = m.end()


def _on_caps_line(text: str, pos: int, cache_: dict[int, bool]) -> bool:
    """Is the line holding ``pos`` written in capitals only (old cables, headers)?"""
    line_start = text.rfind("\n", 0, pos) + 1
    hit = cache_.get(line_start)
    if hit is None:
        line_end = text.find("\n", pos)
        line = text[line_start:] if line_end < 0 else text[line_start:line_end]
        hit = cache_[line_start] = line == line.upper()
    return hit


def _join_or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


@cache
def _index() -> TermIndex:
    return TermIndex((t, mode, f"{name}:{line}") for t, mode, name, line in _term_rows())


# ---------------------------------------------------------------------------
# Patterns that are not single words: markings, reasons, dates, header lines

@cache
def _markings() -> dict[str, dict[str, str]]:
    """{"level": {"C": "Confidential", ...}, "caveat": {...}, "reason": {"a": ...}}."""
    out: dict[str, dict[str, str]] = {"level": {}, "caveat": {}, "reason": {}}
    for lineno, row in read_tsv(_data("markings.tsv"), ("kind", "code", "meaning"), "markings.tsv"):
        if row["kind"] not in out or not row["code"] or not row["meaning"]:
            raise GlossaryDataError(f"markings.tsv:{lineno}: need a kind (level, caveat, reason), a code and a meaning")
        out[row["kind"]][row["code"]] = row["meaning"]
    return out


# (C), (S/NF), (U//FOUO), (S//REL TO USA, GBR): level, then caveats after slashes.
# The levels here are those of markings.tsv.
_MARKING = re.compile(r"\(\s*(U|SBU|LOU|C|S|TS)((?:\s?//?\s?[A-Z]+(?:,?\s[A-Z]+)*)*)\s*\)")

# "1.4 (b) and (d)", "1.4(B),(D)", "1.5 D": the reasons of E.O. 12958 (section 1.5
# before the 2003 amendment, 1.4 after).  Bare letters only in capitals ("1.5 a day").
# Patterns below start with a literal, which re scans for quickly; their left edge
# (not glued to a word) is checked in _pattern_spans.
_LETTER = r"(?:\(\s?[a-hA-H](?:\s?/\s?[a-hA-H])*\s?\)|\b[A-H]\b)"
_REASON = re.compile(r"1\.([45])\s?(" + _LETTER + r"(?:\s?(?:,|and|AND|&)?\s?" + _LETTER + r")*)")
_REASON_LETTER = re.compile(r"(?<![A-Za-z])[a-hA-H](?![A-Za-z])")  # not the a, n, d of "and"
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# Found from its "Z MON" core (a literal, quick to scan for); the six digits before are checked in code.
_DTG = re.compile(r"Z\s?(" + "|".join(_MONTHS) + r")\s?(\d{2}(?:\d{2})?)(?!\w)")
_EO = re.compile(r"E\.?\s?O\.?:?\s?(1\d{4})(?!\d)")
_SIXX = re.compile(r"1\.6\s?X\s?([1-8])(?!\w)")
_SECTION = re.compile(r"SECTION\s+\d{1,2}\s+OF\s+\d{1,2}(?!\d)")
# Words at the start of header lines, recognised only where the header's own syntax
# follows them (so "TO RESOLVE THIS" in an old all-caps body is left alone).  One
# regex, scanned from each newline: found on "\n" + text.
_LINE_START = re.compile(
    r"\n(?:"
    r"(?P<FM>FM)(?=\s+(?:AMEMBASSY|AMCONSUL|AMCONGEN|SECSTATE|USMISSION|USDEL|USINT|USLO|AIT|SECDEF|"
    r"CDR|CJCS|JOINT STAFF|DIRNSA|CIA|DIA|USCINC|HQ|USEU|USNATO|USUN|USOFFICE|DEPT|WHITE HOUSE|"
    r"AMEMB|[A-Z/]+ WASHDC))"
    r"|(?P<DE>DE)(?=\s+R[A-Z]{3,6}\s+#)"
    r"|(?P<TO>TO|INFO)(?=\s+R[A-Z]{3,6}/)"
    r"|(?P<BT>BT)(?=[ \t]*(?:\n|$))"
    r"|(?P<prec>ZZ|OO|PP|RR|Z|O|P|R)(?=\s+(?:R[A-Z]{4,6}(?:\s|$)|\d{6}Z\s))"
    r"|(?P<vzczc>VZCZC)(?=[A-Z0-9]*(?:\n|$))"
    r"|(?P<label>TAGS|SUBJECT|SUBJ|REFS?)(?=\s*:)"
    r")"
)
_PRECEDENCE_WORD = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
_LABEL_PART = {"TAGS": "TAGS", "SUBJECT": "SUBJECT", "SUBJ": "SUBJECT", "REF": "REF", "REFS": "REF"}
_REPEATED = re.compile(r"ZN(?:Y ([CS])\1{4}|R (U)\2{4})(?!\w)")
_SPACED = re.compile(
    r"(?:C O N F I D E N T I A L|S E C R E T|U N C L A S(?: S I F I E D)?|"
    r"T O P\s+S E C R E T|L I M I T E D\s+O F F I C I A L\s+U S E)\b"
)


def marking(code: str) -> Term | None:
    """The meaning of a portion marking such as "S/NF", "(C)" or "U//FOUO"."""
    if not isinstance(code, str):
        return None
    m = _MARKING.fullmatch("(" + code.strip().strip("()").strip() + ")")
    return _marking_term(m) if m else None


def _marking_term(m: re.Match[str]) -> Term | None:
    table = _markings()
    level = table["level"][m.group(1)]
    caveats = [c.strip() for c in re.split(r"/+", m.group(2) or "") if c.strip()]
    said = []
    for c in caveats:
        word = c.split()[0]
        if word not in table["caveat"]:
            return None  # "1.5 (C/D)" lists reasons; it is not a marking
        said.append(table["caveat"][word])
    meaning = f"Portion marking: {level}" + ("; " + "; ".join(said) if said else "")
    code = m.group(1) + "".join("/" + c for c in caveats)
    return Term(f"({code})", "marking", meaning, "Classification of this paragraph alone.")


def _reason_term(m: re.Match[str]) -> Term:
    letters = sorted({x.lower() for x in _REASON_LETTER.findall(m.group(2))})
    section = "1.4" if m.group(1) == "4" else "1.5"
    order = "E.O. 12958 as amended" if section == "1.4" else "E.O. 12958 (1995 text)"
    meaning = "Classified because it concerns " + "; ".join(_markings()["reason"][x] for x in letters)
    name = f"{section} ({') ('.join(letters)})"
    return Term(name, "reason", meaning, f"Reasons listed in section {section} of {order}.")


def _dtg_term(text: str, m: re.Match[str]) -> tuple[int, Term] | None:
    start = m.start() - 6
    digits = text[start:m.start()]
    if start < 0 or not (digits.isascii() and digits.isdigit()) or not _starts_token(text, start):
        return None
    day, hh, mm = digits[:2], digits[2:4], digits[4:]
    mon, year = m.groups()
    if not (1 <= int(day) <= 31 and int(hh) <= 23 and int(mm) <= 59):
        return None
    if len(year) == 2:
        year = ("19" if int(year) > 50 else "20") + year
    meaning = f"Date-time group: {int(day)} {mon.title()} {year}, {hh}:{mm} UTC"
    note = "Day, hour and minute in Zulu (UTC) time, month, year."
    return start, Term(text[start:m.end()], "routing", meaning, note)


def _starts_token(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_.&'’")


def _pattern_spans(text: str) -> list[tuple[int, int, Term]]:
    spans: list[tuple[int, int, Term]] = []
    parts = _parts_by_name()
    for m in _MARKING.finditer(text):
        mark = _marking_term(m)
        if mark is not None:
            spans.append((m.start(), m.end(), mark))
    for m in _REASON.finditer(text):
        if not _starts_token(text, m.start()):
            continue
        spans.append((m.start(), m.end(), _reason_term(m)))
    for m in _DTG.finditer(text):
        dtg = _dtg_term(text, m)
        if dtg is not None:
            spans.append((dtg[0], m.end(), dtg[1]))
    for m in _EO.finditer(text):
        if not _starts_token(text, m.start()):
            continue
        known = term(f"E.O. {m.group(1)}")
        t = known or Term(f"E.O. {m.group(1)}", "declassification", f"Executive Order {m.group(1)}")
        spans.append((m.start(), m.end(), t))
    for m in _SIXX.finditer(text):
        if not _starts_token(text, m.start()):
            continue
        base = term(f"X{m.group(1)}")
        if base is not None:
            t = Term(m.group(), base.kind, base.meaning, "E.O. 12958 section 1.6 exemption.")
            spans.append((m.start(), m.end(), t))
    for m in _SECTION.finditer(text):
        if not _starts_token(text, m.start()):
            continue
        spans.append((m.start(), m.end(), parts["SECTION"]))
    for m in _LINE_START.finditer("\n" + text):
        kind = m.lastgroup or ""
        start, end = m.start(kind) - 1, m.end(kind) - 1  # offsets in text, not in "\n" + text
        word = m.group(kind)
        if kind in ("FM", "DE", "TO", "BT"):
            p = parts[word]
            spans.append((start, end, Term(p.term, "routing", p.meaning, p.note)))
        elif kind == "prec":
            level = _PRECEDENCE_WORD[word[0]].title()
            spans.append((start, end, Term(word, "precedence", f"Precedence: {level}",
                                           "Precedence letters: Z flash, O immediate, P priority, R routine.")))
        elif kind == "vzczc":
            spans.append((start, end, term("VZCZC")))
        elif kind == "label":
            spans.append((start, end, parts[_LABEL_PART[word]]))
    for m in _REPEATED.finditer(text):
        g = 1 if m.group(1) else 2
        level = {"C": "Confidential", "S": "Secret", "U": "Unclassified"}[m.group(g)]
        s, e = m.start(g), m.end()
        spans.append((s, e, Term(text[s:e], "routing", f"Classification repeated in the header: {level}")))
    for m in _SPACED.finditer(text):
        if not _starts_token(text, m.start()):
            continue
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
    tag_spans, tag_lines = _tags_line_spans(text)
    spans = _pattern_spans(text)
    spans.extend(_index().scan(text, code))
    if tag_lines:  # inside a TAGS line, codes are tags: PM is Panama there, not a Prime Minister
        spans = [sp for sp in spans if not any(a <= sp[0] < b for a, b in tag_lines)]
    return _merge(tag_spans + spans)


def _merge(spans: list[tuple[int, int, Term]]) -> list[tuple[int, int, Term]]:
    """Left to right, longest first at equal starts, earlier in ``spans`` on ties; no overlaps."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1], i))
    out: list[tuple[int, int, Term]] = []
    last = 0
    for i in order:
        s, e, t = spans[i]
        if s >= last:
            out.append((s, e, t))
            last = e
    return out


# "TAGS: PGOV, PREL, KZ" (also "TAGS PGOV" at a line start); the list ends at the end
# of the line or where a collapsed page runs on into "SUBJECT:".  The regex starts with
# the literal (quick to scan for); where the label stands is checked in code.
_TAGS_LINE = re.compile(r"(TAGS?)(:)?(?(2)|(?=[ \t]+[A-Z]{2}))[ \t]*([^\n]*)")
_TAGS_END = re.compile(r"[ \t]+SUBJ(?:ECT)?\b")
_TAG_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9&'./-]*")


def _tags_line_spans(text: str) -> tuple[list[tuple[int, int, Term]], list[tuple[int, int]]]:
    """Each known code of a TAGS line as a "tag" term, and where the lines' codes are."""
    spans: list[tuple[int, int, Term]] = []
    lines: list[tuple[int, int]] = []
    if "TAG" not in text:
        return spans, lines
    label = _parts_by_name()["TAGS"]
    for m in _TAGS_LINE.finditer(text):
        at = m.start()
        if at and (text[at - 1].isalnum() or text[at - 1] == "_"):
            continue
        if m.group(2) is None and text[text.rfind("\n", 0, at) + 1:at].strip():
            continue  # "TAGS PGOV" without a colon counts only at the start of a line
        body, body_start = m.group(3), m.start(3)
        cut = _TAGS_END.search(body)
        if cut:
            body = body[:cut.start()]
        spans.append((at, m.end(1), label))
        lines.append((body_start, body_start + len(body)))
        toks = list(_TAG_TOKEN.finditer(body))
        i = 0
        while i < len(toks):
            first = toks[i]
            pair = f"{first.group()} {toks[i + 1].group()}" if i + 1 < len(toks) else ""
            if pair and tag(pair):  # two-word organization tags: AER LINGUS
                info, last = tag(pair), toks[i + 1]
            else:
                info, last = tag(first.group().rstrip(".")), first
            i += 2 if last is not first else 1
            if info is None or (len(info.code) == 2 and not first.group().isupper()):
                continue  # two-letter codes are written in capitals: "in" or "to" in free text are words
            start, end = body_start + first.start(), body_start + last.end()
            note = f"{info.kind.capitalize()} tag." + (f" {info.note}" if info.note else "")
            spans.append((start, end, Term(info.code, "tag", info.meaning, note)))
    return spans, lines


def reasons() -> tuple[Term, ...]:
    """The reasons (a) to (h) for classifying, as cables cite them ("1.4 (b) and (d)")."""
    return tuple(Term(f"({k})", "reason", v[0].upper() + v[1:]) for k, v in sorted(_markings()["reason"].items()))


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
