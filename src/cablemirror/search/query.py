"""The query language: string -> ``Query`` (a syntax tree), and back.

Grammar (docs/search.md explains it for users)::

    query    := sequence
    sequence := (disjunction | "AND")*           implicit AND between operands
    disjunction := unary ("OR" unary)*           OR binds tighter than AND
    unary    := "NOT" unary | "-" primary | primary
    primary  := "(" sequence ")" | PHRASE ["*"] | field | WORD
    field    := NAME (":" | "=" | ">" | ">=" | "<" | "<=") (VALUE | PHRASE | "(" sequence ")")

``OR``, ``AND`` and ``NOT`` are operators only in capitals; lower-case they are
words.  Unquoted words that are too common to search (``text.STOPWORDS``) and
tokens with no letters or digits are ignored and reported in ``Query.ignored``.
Every problem is a ``QuerySyntaxError`` with a position and a hint.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field as dc_field
from datetime import date

from .dates import DateValueError, day_after, day_before, period
from .errors import QuerySyntaxError
from .fields import (
    BOUND_WORDS,
    CABLE_FIELDS,
    DATE,
    MAX_NUMBER,
    NUMBER,
    TEXT,
    FieldSpec,
    FieldTable,
    ValueProblem,
    normalize_keyword,
)
from .nodes import (
    PRIMARY_DATE_FIELD,
    QUOTE_CHARS,
    And,
    DateRange,
    EmptyDateRange,
    Field,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    conj,
    conjuncts,
    disj,
    format_node,
    intersect,
    negate,
    walk,
)
from .text import is_stopword, words

MAX_QUERY_LENGTH = 2000
MAX_DEPTH = 32  # nested parentheses and negations; deeper is surely not meant
MIN_PREFIX = 2  # letters before '*': shorter prefixes expand to most of the index

_FIELD_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)(>=|<=|:|>|<|=)(.*)$", re.S)
_OPERATORS = ("OR", "AND", "NOT")
_EXAMPLES = 'for example: harassment "civil society" -tag:PGOV origin:almaty from:2005'


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "word" | "phrase" | "(" | ")"
    text: str  # a phrase's text is what is between its quotes
    start: int
    end: int


def _blank(c: str) -> bool:
    """Spaces, and characters no one can mean: controls (NUL ends SQL strings) and lone surrogates."""
    return c.isspace() or unicodedata.category(c) in ("Cc", "Cs")


def _lex(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if _blank(c):
            i += 1
        elif c in "()":
            out.append(_Token(c, c, i, i + 1))
            i += 1
        elif c in QUOTE_CHARS:
            j = i + 1
            while j < n and text[j] not in QUOTE_CHARS:
                j += 1
            if j >= n:
                raise QuerySyntaxError(
                    "this quote is never closed",
                    i,
                    hint='add a closing " after the phrase, or remove this one',
                    query=text,
                )
            out.append(_Token("phrase", text[i + 1 : j], i, j + 1))
            i = j + 1
        else:
            j = i
            while j < n and not _blank(text[j]) and text[j] not in "()" and text[j] not in QUOTE_CHARS:
                j += 1
            out.append(_Token("word", text[i:j], i, j))
            i = j
    return out


class _Parser:
    def __init__(self, text: str, table: FieldTable) -> None:
        self.text = text
        self.table = table
        self.toks = _lex(text)
        self.i = 0
        self.ignored: list[str] = []
        # Inside ``tag:( ... )`` every bare value belongs to that field.
        self.ctx: tuple[FieldSpec, str | None, str] | None = None

    # -- helpers ----------------------------------------------------------------
    def error(self, message: str, position: int, hint: str | None = None, length: int = 1) -> QuerySyntaxError:
        return QuerySyntaxError(message, position, hint=hint, query=self.text, length=length)

    def peek(self) -> _Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> _Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    @staticmethod
    def is_op(tok: _Token | None, *names: str) -> bool:
        return tok is not None and tok.kind == "word" and tok.text in names

    def ends_operand(self, tok: _Token | None) -> bool:
        """Nothing that can start an operand: end, ')' or a binary operator."""
        return tok is None or tok.kind == ")" or self.is_op(tok, "OR", "AND")

    # -- grammar ----------------------------------------------------------------
    def parse(self) -> Node | None:
        return self.sequence(None, 0)

    def sequence(self, opener: _Token | None, depth: int) -> Node | None:
        items: list[tuple[Node, int]] = []
        operands = 0
        while True:
            tok = self.peek()
            if tok is None:
                if opener is not None:
                    raise self.error(
                        "this '(' is never closed",
                        opener.start,
                        hint="add ')' where the group ends, or remove the '('",
                    )
                break
            if tok.kind == ")":
                if opener is not None:
                    break
                raise self.error(
                    "this ')' has no matching '('",
                    tok.start,
                    hint="remove it, or add '(' where the group starts",
                )
            if self.is_op(tok, "AND"):
                if operands == 0:
                    raise self.error(
                        "AND needs something before it",
                        tok.start,
                        hint="remove AND, or add a word before it; words are joined by AND anyway",
                    )
                self.next()
                if self.ends_operand(self.peek()):
                    raise self.error(
                        "AND needs something after it",
                        tok.start,
                        length=3,
                        hint="add a word after AND, or remove it",
                    )
                continue
            if self.is_op(tok, "OR"):
                raise self.error(
                    "OR needs something before it",
                    tok.start,
                    length=2,
                    hint="add a word before OR (a OR b), or remove it; lower-case 'or' is searched as a word",
                )
            start = tok.start
            node = self.disjunction(depth)
            operands += 1
            if node is not None:
                items.append((node, start))
        self.check_ranges(items)
        try:
            return conj(*(n for n, _ in items))
        except EmptyDateRange as exc:  # check_ranges catches these first, with a position
            raise self.error(f"the dates exclude each other: {exc}", opener.start if opener else 0) from None

    def disjunction(self, depth: int) -> Node | None:
        nodes = [self.unary(depth)]
        while self.is_op(self.peek(), "OR"):
            op = self.next()
            nxt = self.peek()
            if nxt is None or nxt.kind == ")":
                raise self.error(
                    "OR needs something after it",
                    op.start,
                    length=2,
                    hint="add a word after OR, or remove it",
                )
            if self.is_op(nxt, "OR", "AND"):
                raise self.error(
                    f"OR is followed by {nxt.text}",
                    nxt.start,
                    length=len(nxt.text),
                    hint="remove one of the two operators",
                )
            nodes.append(self.unary(depth))
        return disj(*nodes)

    def unary(self, depth: int) -> Node | None:
        tok = self.peek()
        assert tok is not None
        if depth > MAX_DEPTH:
            raise self.error(
                f"the query nests more than {MAX_DEPTH} levels deep",
                tok.start,
                hint="remove some parentheses or NOTs",
            )
        if self.is_op(tok, "NOT"):
            self.next()
            if self.ends_operand(self.peek()):
                raise self.error(
                    "NOT needs something after it",
                    tok.start,
                    length=3,
                    hint="write NOT word (or -word), or remove NOT",
                )
            return negate(self.unary(depth + 1))
        if tok.kind == "word" and tok.text.startswith("-"):
            return self.minus(depth)
        return self.primary(depth)

    def minus(self, depth: int) -> Node | None:
        tok = self.next()
        if tok.text.startswith("--"):
            raise self.error("two minus signs", tok.start, length=2, hint="write one to exclude: -word")
        if tok.text == "-":
            nxt = self.peek()
            if nxt is not None and nxt.start == tok.end and nxt.kind in ("phrase", "("):
                return negate(self.primary(depth + 1))
            raise self.error(
                "a lone '-' excludes nothing",
                tok.start,
                hint='write it right against what to exclude (-word, -"a phrase", -tag:PGOV), or remove it',
            )
        return negate(self.chunk(_Token("word", tok.text[1:], tok.start + 1, tok.end), depth + 1))

    def primary(self, depth: int) -> Node | None:
        tok = self.next()
        if tok.kind == "(":
            return self.group(tok, depth)
        if tok.kind == "phrase":
            return self.phrase(tok)
        if tok.kind == ")" or self.is_op(tok, "OR", "AND"):  # callers check; kept as a guard
            raise self.error(f"unexpected '{tok.text}'", tok.start)
        return self.chunk(tok, depth)

    def group(self, opener: _Token, depth: int) -> Node | None:
        if depth >= MAX_DEPTH:
            raise self.error(
                f"the query nests more than {MAX_DEPTH} levels deep",
                opener.start,
                hint="remove some parentheses",
            )
        nxt = self.peek()
        if nxt is not None and nxt.kind == ")":
            raise self.error("empty parentheses", opener.start, length=2, hint="put words inside them, or remove them")
        node = self.sequence(opener, depth + 1)
        self.next()  # the ')'
        return node

    def check_ranges(self, items: list[tuple[Node, int]]) -> None:
        """Date bounds ANDed together must leave some day (``from:2007 to:2005`` leaves none)."""
        acc: dict[str, DateRange] = {}
        for node, start in items:
            for n in conjuncts(node):
                if not isinstance(n, DateRange):
                    continue
                if n.field not in acc:
                    acc[n.field] = n
                    continue
                try:
                    acc[n.field] = intersect(acc[n.field], n)
                except EmptyDateRange as exc:
                    raise self.error(
                        f"the dates exclude each other: {exc}", start, hint="check that from: is before to:"
                    ) from None

    # -- leaves -----------------------------------------------------------------
    def split_star(self, text: str, start: int) -> tuple[str, bool]:
        core = text.rstrip("*")
        if "*" in core:
            raise self.error(
                "'*' can only end a word",
                start + core.index("*"),
                hint="write the start of a word then *, like elect*",
            )
        if not core and text:
            raise self.error(
                "a lone '*' matches nothing in particular",
                start,
                hint="write the start of a word before it, like elect*",
            )
        return core, len(core) != len(text)

    def glued_star(self, tok: _Token) -> bool:
        nxt = self.peek()
        if nxt is None or nxt.kind != "word" or nxt.start != tok.end or not nxt.text.startswith("*"):
            return False
        if nxt.text.strip("*"):
            raise self.error("'*' can only end a word", nxt.start, hint="leave a space after the *, or remove it")
        self.next()
        return True

    def phrase(self, tok: _Token) -> Node | None:
        prefix = self.glued_star(tok)
        if self.ctx is not None:
            spec, bound, op = self.ctx
            return self.make(spec, bound, op, tok.text, prefix, tok.start + 1)
        ws = words(tok.text)
        if not ws:
            if not tok.text.strip():
                raise self.error(
                    "empty quotes",
                    tok.start,
                    length=2,
                    hint="put words between the quotes, or remove them",
                )
            self.ignored.append(f'"{tok.text}"')
            return None
        return self.text_node(ws, prefix, True, tok)

    def text_node(self, ws: list[str], prefix: bool, quoted: bool, tok: _Token) -> Node | None:
        if prefix and len(ws[-1]) < MIN_PREFIX:
            raise self.error(
                f"'{ws[-1]}*' is too short to search for", tok.start, length=tok.end - tok.start,
                hint=f"write at least {MIN_PREFIX} letters before the *",
            )
        if len(ws) == 1:
            if not quoted and not prefix and is_stopword(ws[0]):
                self.ignored.append(tok.text)
                return None
            return Term(ws[0], prefix)
        return Phrase(tuple(ws), prefix)

    def chunk(self, tok: _Token, depth: int) -> Node | None:
        """A word token without its leading '-': a field condition or a word."""
        m = _FIELD_RE.match(tok.text)
        if m:
            name, op, rest = m.groups()
            lname = name.lower()
            if (lname in BOUND_WORDS and self.table.has_bounds) or lname in self.table:
                return self.field(tok, name, op, rest, depth)
            # "ICELAND:" and "http://..." are words that happen to hold a colon.
            if not (op == ":" and (rest == "" or rest.startswith("/"))):
                suggestion = self.table.suggest(lname)
                hint = f"did you mean {suggestion}:? " if suggestion else ""
                hint += f"Fields are {', '.join(self.table.field_names())}. "
                hint += f'To search for the text itself, put it in quotes: "{tok.text}"'
                raise self.error(f"unknown field '{name}'", tok.start, hint=hint, length=len(name))
        core, prefix = self.split_star(tok.text, tok.start)
        if self.ctx is not None:
            spec, bound, op = self.ctx
            return self.make(spec, bound, op, core, prefix, tok.start)
        ws = words(core)
        if not ws:
            self.ignored.append(tok.text)
            return None
        return self.text_node(ws, prefix, False, tok)

    def field(self, tok: _Token, name: str, op: str, rest: str, depth: int) -> Node | None:
        lname = name.lower()
        value_pos = tok.start + len(name) + len(op)
        bound: str | None = None
        if lname in BOUND_WORDS:
            bound = lname
            spec = self.table[PRIMARY_DATE_FIELD]
            if op != ":":
                raise self.error(
                    f"write {lname}: followed by a date",
                    tok.start + len(name),
                    hint=f"for example {lname}:2005-08",
                )
        else:
            spec = self.table[lname]
        if rest:
            core, prefix = self.split_star(rest, value_pos)
            return self.make(spec, bound, op, core, prefix, value_pos)
        # A value right after the colon; leniently also after a space ("subject: iceland").
        nxt = self.peek()
        glued = nxt is not None and nxt.start == tok.end
        if nxt is not None and nxt.kind == "phrase":
            self.next()
            return self.make(spec, bound, op, nxt.text, self.glued_star(nxt), nxt.start + 1)
        if nxt is not None and nxt.kind == "(":
            if spec.kind == NUMBER and op not in (":", "="):
                raise self.error(
                    f"{name}{op} cannot take a group",
                    nxt.start,
                    hint=f"write {name}{op}N, like {spec.example}",
                )
            self.next()
            saved, self.ctx = self.ctx, (spec, bound, op)
            try:
                return self.group(nxt, depth)
            finally:
                self.ctx = saved
        if (
            nxt is not None
            and not glued
            and nxt.kind == "word"
            and nxt.text not in _OPERATORS
            and not nxt.text.startswith("-")
            and not _FIELD_RE.match(nxt.text)
        ):
            self.next()
            core, prefix = self.split_star(nxt.text, nxt.start)
            return self.make(spec, bound, op, core, prefix, nxt.start)
        raise self.error(
            f"{name}{op} needs a value",
            tok.start,
            length=tok.end - tok.start,
            hint=f"for example {spec.example}",
        )

    def make(self, spec: FieldSpec, bound: str | None, op: str, raw: str, prefix: bool, pos: int) -> Node:
        """The node for one field condition; ``pos`` is where ``raw`` starts in the query."""
        shown = bound or spec.name
        if spec.kind == DATE:
            return self.make_date(spec, bound, op, raw, prefix, pos)
        if prefix and not spec.prefix:
            raise self.error(
                f"{shown}: does not take '*'",
                pos + len(raw),
                hint=f"write the whole value, for example {spec.example}",
            )
        if spec.kind == NUMBER:
            value = raw.strip()
            if not value.isascii() or not value.isdigit():
                raise self.error(
                    f"{shown} needs a whole number, not '{raw}'",
                    pos,
                    length=len(raw) or 1,
                    hint=f"for example {spec.example}",
                )
            number = int(value)
            if number > MAX_NUMBER:
                raise self.error(f"{number} is larger than any {shown} count", pos, length=len(raw))
            return Field(spec.name, str(number), "=" if op == ":" else op)
        if op not in (":", "="):
            raise self.error(
                f"{shown} cannot be compared with '{op}'", pos - len(op), length=len(op),
                hint=f"only numbers and dates compare; write {shown}:value",
            )
        if spec.kind == TEXT:
            ws = words(raw)
            if not ws:
                raise self.error(f"{shown}: needs words to look for", pos, hint=f"for example {spec.example}")
            if prefix and len(ws[-1]) < MIN_PREFIX:
                raise self.error(
                    f"'{ws[-1]}*' is too short to search for",
                    pos,
                    hint=f"write at least {MIN_PREFIX} letters before the *",
                )
            return Field(spec.name, " ".join(ws), ":", prefix)
        normalize = (spec.normalize_prefix or spec.normalize) if prefix else spec.normalize
        try:
            value = (normalize or normalize_keyword)(raw)
        except ValueProblem as exc:
            raise self.error(f"{shown}: {exc}", pos, length=len(raw) or 1, hint=f"for example {spec.example}") from None
        return Field(spec.name, value, ":", prefix)

    def make_date(self, spec: FieldSpec, bound: str | None, op: str, raw: str, prefix: bool, pos: int) -> Node:
        shown = bound or spec.name
        if prefix:
            raise self.error(
                f"{shown}: dates take no '*'",
                pos + len(raw),
                hint=f"{shown}:{raw} already covers the whole period",
            )
        try:
            first, last = period(raw)
        except DateValueError as exc:
            raise self.error(
                f"{shown}: {exc}",
                pos,
                length=len(raw) or 1,
                hint=f"for example {shown}:2005-08",
            ) from None
        start: date | None = None
        end: date | None = None
        if bound == "from" or op == ">=":
            start = first
        elif bound == "to" or op == "<=":
            end = last
        elif op in (":", "="):
            start, end = first, last
        elif op == ">":
            start = day_after(last)
        elif op == "<":
            end = day_before(first)
        if start is None and end is None:
            raise self.error(f"no date is {op} {raw}", pos, hint="use a later or earlier date")
        return DateRange(start.isoformat() if start else None, end.isoformat() if end else None, spec.name)


# ---------------------------------------------------------------------------
# The public object


@dataclass(frozen=True)
class Query:
    """A parsed query: ``root`` is the tree (None for the empty query)."""

    root: Node | None
    fields: FieldTable = dc_field(default=CABLE_FIELDS, compare=False, repr=False)
    # Unquoted words too common to search, and tokens without letters or digits.
    ignored: tuple[str, ...] = dc_field(default=(), compare=False)

    def __str__(self) -> str:
        return format_node(self.root)

    @property
    def is_empty(self) -> bool:
        return self.root is None

    def text_terms(self) -> tuple[Term | Phrase, ...]:
        """The words and phrases a hit contains, to highlight in snippets (not the excluded ones)."""
        out: list[Term | Phrase] = []
        stack: list[tuple[Node, bool]] = [(self.root, True)] if self.root is not None else []
        while stack:
            node, positive = stack.pop()
            if isinstance(node, Not):
                stack.append((node.child, not positive))
            elif isinstance(node, (And, Or)):
                stack.extend((c, positive) for c in reversed(node.children))
            elif positive and isinstance(node, (Term, Phrase)):
                out.append(node)
        return tuple(dict.fromkeys(out))

    def filters(self) -> tuple[Field | DateRange, ...]:
        """The field conditions every hit meets (top-level, not negated): the active facets."""
        return tuple(n for n in conjuncts(self.root) if isinstance(n, (Field, DateRange)))

    def with_filter(self, name: str, value: object, op: str = ":", *, exclude: bool = False) -> "Query":
        """This query narrowed by one more condition (``exclude``: by its negation), for facet links."""
        node = build_filter(self.fields, name, value, op)
        try:
            root = conj(self.root, negate(node) if exclude else node)
        except EmptyDateRange as exc:
            raise QuerySyntaxError(f"the dates exclude each other: {exc}", 0, query=str(value)) from None
        return Query(root, self.fields, self.ignored)

    def without_filter(self, name: str, value: object | None = None) -> "Query":
        """This query without a top-level condition on ``name`` (with ``value``, only that one).

        ``from``/``to`` remove one bound of the date range and keep the other.
        """
        lname = name.lower()
        target = build_filter(self.fields, name, value) if value is not None and lname not in BOUND_WORDS else None
        fname = self.fields[PRIMARY_DATE_FIELD].name if lname in BOUND_WORDS else self._spec(name).name
        kept: list[Node] = []
        for n in conjuncts(self.root):
            if target is not None:
                if n == target:
                    continue
            elif isinstance(n, DateRange) and n.field == fname:
                if lname == "from" and n.end is not None:
                    n = DateRange(None, n.end, n.field)
                elif lname == "to" and n.start is not None:
                    n = DateRange(n.start, None, n.field)
                else:
                    continue
            elif isinstance(n, Field) and n.name == fname:
                continue
            kept.append(n)
        return Query(conj(*kept), self.fields, self.ignored)

    def has_filter(self, name: str, value: object, op: str = ":") -> bool:
        """True when ``name:value`` is one of ``filters()`` (a facet to show as active)."""
        try:
            node = build_filter(self.fields, name, value, op)
        except QuerySyntaxError:
            return False
        return node in self.filters()

    def nodes(self) -> list[Node]:
        return list(walk(self.root))

    def _spec(self, name: str) -> FieldSpec:
        spec = self.fields.get(name)
        if spec is None:
            raise QuerySyntaxError(
                f"unknown field '{name}'",
                0,
                hint=f"fields are {', '.join(self.fields.field_names())}",
            )
        return spec


def build_filter(table: FieldTable, name: str, value: object, op: str = ":", *, prefix: bool = False) -> Node:
    """One field condition from a name and a raw value (as a facet holds it), normalised.

    ``prefix`` asks for ``name:value*`` (e.g. a link to every id starting 05ALMATY).
    """
    raw = str(value)
    lname = name.lower()
    p = _Parser("", table)
    p.text = raw  # errors point into the value
    if lname in BOUND_WORDS and table.has_bounds:
        return p.make(table[PRIMARY_DATE_FIELD], lname, ":", raw, prefix, 0)
    spec = table.get(lname)
    if spec is None:
        raise QuerySyntaxError(f"unknown field '{name}'", 0, hint=f"fields are {', '.join(table.field_names())}")
    if op not in (":", "=", ">", ">=", "<", "<="):
        raise QuerySyntaxError(f"unknown operator '{op}'", 0)
    return p.make(spec, None, op, raw, prefix, 0)


def parse_query(text: str, fields: FieldTable = CABLE_FIELDS) -> Query:
    """Parse ``text``; raises QuerySyntaxError (only) when it is not a valid query.

    The empty (or blank) string is the empty query: ``is_empty`` is True.
    """
    if not isinstance(text, str):
        raise TypeError(f"a query is a str, not {type(text).__name__}")
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            f"the query is too long ({len(text)} characters, at most {MAX_QUERY_LENGTH})",
            MAX_QUERY_LENGTH, hint="shorten it", query=text,
        )
    parser = _Parser(text, fields)
    root = parser.parse()
    if root is None and text.strip():
        first = len(text) - len(text.lstrip())
        common = [w for w in parser.ignored if words(w) and all(is_stopword(x) for x in words(w))]
        if common:
            one = len(common) == 1
            raise QuerySyntaxError(
                f"nothing to search for: {', '.join(common)} {'is' if one else 'are'} too common to search on "
                f"{'its' if one else 'their'} own",
                first,
                hint=f'add a more specific word, or put a word in quotes to search for it anyway ("{words(common[0])[0]}"); '
                f"{_EXAMPLES}",
                query=text,
            )
        raise QuerySyntaxError(
            "nothing to search for: the query has no letters or digits", first,
            hint=f"write words to look for; {_EXAMPLES}", query=text,
        )
    return Query(root, fields, tuple(parser.ignored))
