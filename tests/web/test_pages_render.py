"""web.render: cable text -> safe, well-nested HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablemirror.web.render import (
    MARK_CLOSE,
    MARK_OPEN,
    Highlighter,
    diff_html,
    escape_text,
    marked_snippet,
    paragraph_starts,
    redaction_spans,
    render_text,
)
from cablemirror.web.worddiff import word_diff

VOID = {"br", "img", "input", "meta", "link", "hr"}


class _Nesting(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Nesting:
    p = _Nesting()
    p.feed(str(html))
    p.close()
    assert not p.errors, p.errors[:5]
    assert not p.stack, f"left open: {p.stack}"
    return p


def visible_text(html: str) -> str:
    """The text a reader sees, without the ¶ permalinks."""
    p = parse(html)
    return "".join(p.text).replace("¶", "")


BODY = (
    "C O N F I D E N T I A L SECTION 01 OF 02 EXAMPLEVILLE 000123\n"
    "\n"
    "SIPDIS\n"
    "\n"
    "E.O. 12958: DECL: 08/18/2015\n"
    "TAGS: PGOV PREL KZ\n"
    "SUBJECT: KAZAKHSTAN: OPPOSITION LEADER ON HARASSMENT\n"
    "\n"
    "REF: A. 05 ALMATY 2778\n"
    "     B. STATE 1234\n"
    "\n"
    "Classified By: Ambassador A. N. Example, reasons 1.4 (b) and (d).\n"
    "\n"
    "1. (C) Summary: The GOK continued its campaign of\n"
    "harassment against the opposition. End summary.\n"
    "\n"
    "2. (SBU) XXXXXXXXXXXX told us that the elections\n"
    "would be held in December.\n"
    "\n"
    "3. (C) Comment: Elected officials were not available. End comment.\n"
    "\n"
    "EXAMPLE\n"
)
PARAGRAPHS = [
    (1, "Summary: The GOK continued its campaign of harassment against the opposition. End summary."),
    (2, "XXXXXXXXXXXX told us that the elections would be held in December."),
    (3, "Comment: Elected officials were not available. End comment."),
]
REFS = [
    {"bullet": "A", "value": "05 ALMATY 2778", "kind": "cable", "id": "05ALMATY2778", "stored": True, "title": "T"},
    {"bullet": "B", "value": "STATE 1234", "kind": "cable", "id": "05STATE1234", "stored": False},
]


def render_body(**kw):
    args = dict(country="KZ", paragraphs=PARAGRAPHS, references=REFS, signed_by=["EXAMPLE"])
    args.update(kw)
    return render_text(BODY, **args)


def test_text_is_kept_exactly():
    out = render_body(highlight=Highlighter.from_param("elect*"))
    assert visible_text(out.html) == BODY


def test_paragraph_blocks_and_permalinks():
    out = render_body()
    assert out.anchors == (1, 2, 3)
    html = str(out.html)
    for n in (1, 2, 3):
        assert f'<div class="par" id="par{n}"><a class="pilcrow" href="#par{n}" aria-label="Link to paragraph {n}">¶</a>{n}.' in html
    # the preamble is its own block, before paragraph 1
    assert html.startswith('<div class="block">')
    assert html.index("TAGS") < html.index('id="par1"')


def test_parts_get_anchors_for_the_guide():
    parts = render_body().parts
    for key in ("classification", "captions", "eo", "tags", "subject", "ref", "classified-by", "reasons",
                "marking", "signature"):
        assert key in parts, key
    html = str(render_body().html)
    for anchor in parts.values():
        assert html.count(f'id="{anchor}"') == 1


def test_glossary_terms_are_abbr_reachable_by_keyboard():
    p = parse(render_body().html)
    abbrs = [a for tag, a in p.tags if tag == "abbr"]
    assert abbrs and all(a.get("tabindex") == "0" and a.get("title") for a in abbrs)
    by_class = {a["class"].split()[0] for a in abbrs}
    assert by_class == {"term", "marking"}
    gok = [a for a in abbrs if "Kazakhstan" in (a.get("title") or "")]
    assert gok, "GOK in a Kazakhstan cable means its government"


def test_portion_markings_are_set_apart():
    html = str(render_body().html)
    assert 'class="marking k-marking"' in html
    assert ">(C)</abbr>" in html and ">(SBU)</abbr>" in html


def test_redactions_are_labelled_blocks():
    html = str(render_body().html)
    assert '<span class="redacted" role="img" aria-label="redacted (12 characters)"' in html
    assert redaction_spans("TAXXXXI XXXX's XXXXX") == [(8, 12), (15, 20)]
    assert redaction_spans("XXXXAB") == []


def test_references_link_to_cited_cables_and_mark_missing_ones():
    html = str(render_body().html)
    assert '<a class="ref" href="/cable/05ALMATY2778" title="05ALMATY2778: T">05 ALMATY 2778</a>' in html
    assert '<a class="ref missing" href="/cable/05STATE1234" title="05STATE1234: known but not in this mirror">' in html


def test_highlight_marks_words_inside_other_markup():
    out = render_body(highlight=Highlighter.from_param("harassment gok elect*"))
    html = str(out.html)
    assert "<mark>harassment</mark>" in html
    assert "<mark>elections</mark>" in html and "<mark>Elected</mark>" in html
    # a highlighted glossary term: the mark is inside the abbr, so both stay well nested
    assert ">GOK</abbr>" not in html and "<mark>GOK</mark></abbr>" in html
    parse(html)


@pytest.mark.parametrize(
    "param, text, expected",
    [
        ("election", "ELECTIONS elected electorate", ["ELECTIONS", "elected"]),
        ("Élection", "élections", ["élections"]),
        ("elect*", "electorate select", ["electorate"]),
        ("civil society", "Civil-society", ["Civil", "society"]),
        ("<script>", "script", ["script"]),
        ("", "anything", []),
        ("e*", "every", []),  # too short a prefix: ignored, like the query language
    ],
)
def test_highlighter(param, text, expected):
    spans = Highlighter.from_param(param).spans(text)
    assert [text[s:e] for s, e in spans] == expected


def test_paragraph_starts_on_wrapped_text():
    starts = paragraph_starts(BODY, PARAGRAPHS)
    assert [n for n, _ in starts] == [1, 2, 3]
    for n, at in starts:
        assert BODY[at:].startswith(f"{n}. (")
    assert paragraph_starts(BODY, [(1, "not in the text at all")]) == []


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</pre></div></main><script>x</script>",
    "{{ 7*7 }} {% raw %} ${x}",
    "a\x00b\x07c\x1bd\x7fe\x85f",
    "\u202eevil\u202c \u2066x\u2069 \u200f",
    "lone \ud800 surrogate",
    "&amp; &lt; &#x3c;",
    MARK_OPEN + "unbalanced",
    "x" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_text(text):
    out = render_text(text + "\nXXXXXXX GOK (C) TAGS: PGOV\n", country="KZ")
    html = str(out.html)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    parse(html)
    html.encode("utf-8")  # no lone surrogate reaches the response


def test_controls_and_direction_marks_are_visible():
    html = str(escape_text("a\x07b\u202ec\ud800"))
    assert "\x07" not in html and "\u202e" not in html and "\ud800" not in html
    assert "␇" in html and "[RLO]" in html and "\ufffd" in html
    assert str(escape_text("<b>\"'&")) == "&lt;b&gt;&#34;&#39;&amp;"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aGOK XC()\n.1234<>&\"'TAGS:PGOV") + [MARK_OPEN, MARK_CLOSE, "\u202e", "\x00"]), max_size=300),
       st.text(alphabet="gok ac*", max_size=12))
def test_any_text_renders_well_nested_and_complete(text, hl):
    paragraphs = [(i + 1, chunk) for i, chunk in enumerate(text.split("\n\n")[1:4])]
    out = render_text(text, country="KZ", paragraphs=paragraphs, highlight=Highlighter.from_param(hl))
    shown = visible_text(out.html)
    # what was escaped or made visible is the only difference from the input
    if not any(c in text for c in "\x00\u202e"):
        assert shown == text


def test_marked_snippet_is_balanced_and_escaped():
    s = f"…the {MARK_OPEN}<b>hit</b>{MARK_CLOSE} and {MARK_CLOSE}stray {MARK_OPEN}open"
    html = str(marked_snippet(s))
    assert html == "…the <mark>&lt;b&gt;hit&lt;/b&gt;</mark> and stray <mark>open</mark>"
    parse(html)


def test_diff_html_marks_insertions_and_deletions():
    d = word_diff("the <old> text\nhere", "the new text here <b>")
    html = str(diff_html(d["ops"]))
    assert '<del title="only in the older version">&lt;old&gt; </del>' in html
    assert "<ins" in html and "&lt;b&gt;" in html
    parse(html)
