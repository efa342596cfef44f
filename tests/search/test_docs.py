"""docs/search.md: every example runs, every field is documented, every error is real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cablemirror.search import CABLE_FIELDS, REPORT_FIELDS, QuerySyntaxError, parse_query

DOC = Path(__file__).resolve().parents[2] / "docs" / "search.md"


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2])}


def _table_rows(body: str) -> list[tuple[str, str]]:
    """(first-column query, second column) of every table row whose first cell is `code`."""
    rows = []
    for line in body.splitlines():
        m = re.match(r"^\| `([^`]+)` \| (.+?) \|", line)
        if m:
            rows.append((m.group(1), m.group(2)))
    return rows


SECTIONS = _sections()
CABLE_EXAMPLES = [q for title in ("Examples", "The language", "Fields of cables") for q, _ in _table_rows(SECTIONS[title])]
REPORT_EXAMPLES = [q for q, _ in _table_rows(SECTIONS["Fields of war-diary reports"])]
ERROR_EXAMPLES = _table_rows(SECTIONS["When a query is wrong"])


def test_the_doc_has_examples():
    assert len(CABLE_EXAMPLES) > 40 and len(REPORT_EXAMPLES) > 15 and len(ERROR_EXAMPLES) > 15


@pytest.mark.parametrize("text", CABLE_EXAMPLES)
def test_cable_examples_parse(text):
    # The language table shows one war-diary comparison (kia>2) among cable examples.
    table = REPORT_FIELDS if text.startswith("kia") else CABLE_FIELDS
    q = parse_query(text, table)
    assert not q.is_empty
    assert parse_query(str(q), table) == q


@pytest.mark.parametrize("text", REPORT_EXAMPLES)
def test_report_examples_parse(text):
    q = parse_query(text, REPORT_FIELDS)
    assert not q.is_empty


@pytest.mark.parametrize("text,message", ERROR_EXAMPLES)
def test_error_examples_fail_as_documented(text, message):
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    assert message in info.value.message


def test_the_shown_error_text_is_real():
    block = re.search(r"`iran orgin:almaty` gives:\n\n```\n(.+?)\n```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("iran orgin:almaty")
    assert " ".join(block.group(1).split()) == " ".join(str(info.value).split())


@pytest.mark.parametrize("table,title", [(CABLE_FIELDS, "Fields of cables"), (REPORT_FIELDS, "Fields of war-diary reports")])
def test_every_field_and_alias_is_documented(table, title):
    body = SECTIONS[title]
    for spec in table:
        for name in (spec.name, *spec.aliases):
            assert f"`{name}`" in body, name


def test_the_documented_common_words_are_the_ignored_ones():
    from cablemirror.search.text import STOPWORDS

    m = re.search(r"Very common words \(\*(.+?)\*\)", SECTIONS["The language"])
    assert m is not None
    assert set(m.group(1).split(", ")) == set(STOPWORDS)
