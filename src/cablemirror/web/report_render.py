"""A report's summary -> safe HTML, with the military abbreviations explained.

SIGACT summaries are terse military prose (``TF ... REPORTS IED STRIKE IVO COP ...,
2X WIA``).  Every abbreviation the war-log glossary knows
(``warlogs.glossary.find_terms``: IED, IVO, TIC, grid references, clock times, counts)
becomes an ``<abbr>`` whose explanation shows on hover and on keyboard focus, as the
cable page does for its terms.  Everything else is escaped by ``escape_text`` (control
characters and direction marks made visible): markup in a summary stays text.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from ..warlogs.glossary import find_terms
from .render import Highlighter, escape_text

__all__ = ["render_summary"]


@lru_cache(maxsize=4096)
def _open_tag(meaning: str, note: str | None) -> str:
    tip = escape(meaning + (" — " + note if note else ""))
    return f'<abbr class="term k-military" tabindex="0" title="{tip}" data-tip="{tip}">'


def _marked(text: str, hl: Highlighter) -> str:
    """Escaped ``text`` with the words of a search in ``<mark>``."""
    spans = hl.spans(text) if hl else []
    if not spans:
        return str(escape_text(text))
    out, last = [], 0
    for s, e in spans:
        out.append(str(escape_text(text[last:s])))
        out.append(f"<mark>{escape_text(text[s:e])}</mark>")
        last = e
    out.append(str(escape_text(text[last:])))
    return "".join(out)


def render_summary(text: str, *, highlight: Highlighter | None = None) -> Markup:
    """The summary as HTML (line breaks kept by the page's CSS), abbreviations explained."""
    if not text:
        return Markup("")
    hl = highlight or Highlighter()
    out: list[str] = []
    last = 0
    for start, end, term in find_terms(text):
        out.append(_marked(text[last:start], hl))
        out.append(_open_tag(term.meaning, term.note) + _marked(text[start:end], hl) + "</abbr>")
        last = end
    out.append(_marked(text[last:], hl))
    return Markup("".join(out))
