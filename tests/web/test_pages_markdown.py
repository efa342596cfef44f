"""The small Markdown renderer of the documentation pages."""

from __future__ import annotations

from pathlib import Path

from cablemirror.web.views import markdown

ROOT = Path(__file__).resolve().parents[2]


def test_subset():
    html, toc = markdown.render(
        "# Title\n\nSome *em* and **strong** text with `code <b>` and [a link](/search).\n\n"
        "## Part one\n\n- item `x`\n- item two\n  continued\n\n"
        "| Query | Finds |\n|---|---|\n| `a|b` | pipes in code stay |\n| `tag:X` | *tags* |\n\n"
        "```\n<raw> & code\n```\n\n## Part one\n\n## For developers\n\nhidden\n\n### also hidden\n",
        link_examples=True,
    )
    s = str(html)
    assert "<h1" not in s and "Title" not in s  # the page has its own h1
    assert "<em>em</em>" in s and "<strong>strong</strong>" in s
    assert "<code>code &lt;b&gt;</code>" in s and '<a href="/search">a link</a>' in s
    assert "<li>item two continued</li>" in s
    assert '<td><a class="example" href="/search?q=a%7Cb"><code>a|b</code></a></td><td>pipes in code stay</td>' in s
    assert '<th scope="col">Query</th>' in s
    assert "&lt;raw&gt; &amp; code" in s
    assert [t for _, _, t in toc] == ["Part one", "Part one"]
    assert len({a for _, a, _ in toc}) == 2  # unique anchors
    assert "hidden" not in s


def test_markup_in_the_source_is_text():
    html, _ = markdown.render("<script>alert(1)</script> [x](javascript:alert(1)) <img src=x>\n")
    s = str(html)
    assert "<script" not in s and "<img" not in s and 'href="javascript' not in s


def test_the_search_docs_render():
    path = ROOT / "docs" / "search.md"
    html, toc = markdown.render(path.read_text("utf-8"), link_examples=True)
    titles = [t for _, _, t in toc]
    assert "The language" in titles and "When a query is wrong" in titles
    assert str(html).count("<table") >= 5
