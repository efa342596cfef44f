"""A small Markdown renderer for the project's own documentation pages.

Only what docs/search.md uses: headings, paragraphs, tables, fenced code, bullet
lists, and inline code, bold, italics and links.  Everything is escaped first; the
only markup in the output is made here.  ``link_examples`` turns the query in the
first column of a table (in backticks) into a link that runs it, so every example
of the help page can be tried with one click.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from markupsafe import Markup, escape

__all__ = ["render", "inline"]

_SKIP_SECTIONS = ("for developers",)  # not for readers of the website
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def _slug(text: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) or "section"


def _plain(text: str) -> str:
    out = str(escape(text))
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)

    def link(m: re.Match[str]) -> str:
        href = m.group(2)
        if not (href.startswith(("/", "#", "https://", "http://")) or re.fullmatch(r"[\w./-]+", href)):
            return m.group(0)
        return f'<a href="{href}">{m.group(1)}</a>'

    return _LINK.sub(link, out)


def inline(text: str, *, example_link: bool = False) -> str:
    """One line of Markdown as HTML (code spans are taken literally)."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if len(part) >= 2 and part.startswith("`") and part.endswith("`"):
            code = part[1:-1]
            html = f"<code>{escape(code)}</code>"
            if example_link and code.strip():
                href = "/search?" + urlencode({"q": code})
                html = f'<a class="example" href="{escape(href)}">{html}</a>'
            out.append(html)
        else:
            out.append(_plain(part))
    return "".join(out)


def _cells(line: str) -> list[str]:
    """The cells of a table row; a '|' inside backticks belongs to the cell."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells, cur, in_code = [], [], False
    for ch in body:
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    cells.append("".join(cur).strip())
    return cells


def render(text: str, *, link_examples: bool = False) -> tuple[Markup, list[tuple[int, str, str]]]:
    """(HTML, table of contents as (level, id, title)).  Headings start at h2: the
    page has its own h1."""
    lines = text.splitlines()
    out: list[str] = []
    toc: list[tuple[int, str, str]] = []
    used: set[str] = set()
    i = 0
    para: list[str] = []
    skipping_level = 0

    def flush() -> None:
        if para:
            out.append("<p>" + " ".join(inline(p) for p in para) + "</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            level = len(heading.group(1))
            title = heading.group(2).strip()
            if skipping_level and level > skipping_level:
                i += 1
                continue
            skipping_level = 0
            if title.lower() in _SKIP_SECTIONS:
                flush()
                skipping_level = level
                i += 1
                continue
        elif skipping_level:
            i += 1
            continue
        if heading:
            flush()
            if level == 1:  # the document's title: the page's h1 says it already
                i += 1
                continue
            anchor = _slug(title)
            while anchor in used:
                anchor += "-"
            used.add(anchor)
            toc.append((level, anchor, re.sub(r"[`*]", "", title)))
            out.append(f'<h{level} id="{anchor}">{inline(title)}</h{level}>')
            i += 1
        elif line.startswith("```"):
            flush()
            j = i + 1
            code = []
            while j < len(lines) and not lines[j].startswith("```"):
                code.append(lines[j])
                j += 1
            out.append(f'<pre class="code"><code>{escape(chr(10).join(code))}</code></pre>')
            i = j + 1
        elif line.lstrip().startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            out.append(_table(rows, link_examples))
        elif re.match(r"^\s*[-*]\s+", line):
            flush()
            items = []
            while i < len(lines) and (re.match(r"^\s*[-*]\s+", lines[i]) or (lines[i].startswith("  ") and lines[i].strip())):
                if re.match(r"^\s*[-*]\s+", lines[i]):
                    items.append(re.sub(r"^\s*[-*]\s+", "", lines[i]))
                else:
                    items[-1] += " " + lines[i].strip()
                i += 1
            out.append("<ul>" + "".join(f"<li>{inline(it)}</li>" for it in items) + "</ul>")
        elif not line.strip():
            flush()
            i += 1
        else:
            para.append(line.strip())
            i += 1
    flush()
    return Markup("\n".join(out)), toc


def _table(rows: list[list[str]], link_examples: bool) -> str:
    if len(rows) >= 2 and all(re.fullmatch(r":?-{3,}:?", c.strip()) for c in rows[1] if c.strip()):
        head, body = rows[0], rows[2:]
    else:
        head, body = [], rows
    html = ['<div class="table-wrap"><table class="doc">']
    if head:
        html.append("<thead><tr>" + "".join(f'<th scope="col">{inline(c)}</th>' for c in head) + "</tr></thead>")
    html.append("<tbody>")
    for row in body:
        cells = []
        for k, c in enumerate(row):
            cells.append(f"<td>{inline(c, example_link=link_examples and k == 0)}</td>")
        html.append("<tr>" + "".join(cells) + "</tr>")
    html.append("</tbody></table></div>")
    return "".join(html)
