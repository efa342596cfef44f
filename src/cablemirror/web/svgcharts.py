"""Bar charts as SVG drawn by the server (readable without script; no inline style,
which the site's Content-Security-Policy forbids: colours are CSS classes).

``stacked_months`` draws one bar per month with a segment per series (report types,
or groups of people), a month axis with years marked, and collapses runs of more than
``GAP_MONTHS`` empty months into a break (a report dated 1970 among 2004-2009 must not
squeeze six years into a sliver).  ``simple_bars`` draws one series (reports per year).
Every bar links to the reports it counts; the numbers themselves are given beside the
charts as tables, which is what screen readers use (the charts are hidden from them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from markupsafe import Markup, escape

__all__ = ["Segment", "MonthBar", "month_slots", "stacked_months", "simple_bars", "GAP_MONTHS"]

GAP_MONTHS = 12
WIDTH = 1000.0
HEIGHT = 220.0
AXIS = 34.0  # room under the bars for the labels
LEFT = 46.0  # room for the value axis
TOP = 14.0  # room above the tallest bar for its value label
MAX_SLOT = 90.0  # the widest slot of a bar
LABEL_GAP = 40.0  # the least room between two year labels


@dataclass(frozen=True, slots=True)
class Segment:
    series: int  # index of the series (its colour class s0, s1, ...)
    value: int
    label: str  # what the segment is, e.g. "Enemy Action"


@dataclass(frozen=True, slots=True)
class MonthBar:
    month: str  # "2008-07"
    segments: tuple[Segment, ...]
    url: str

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


def _months_between(a: str, b: str) -> int:
    ya, ma = int(a[:4]), int(a[5:7])
    yb, mb = int(b[:4]), int(b[5:7])
    return (yb - ya) * 12 + (mb - ma)


def _next_month(m: str) -> str:
    y, mo = int(m[:4]), int(m[5:7])
    return f"{y + (mo == 12):04d}-{mo % 12 + 1:02d}"


def month_slots(months: Sequence[str]) -> list[str | None]:
    """The x-axis slots for these months (sorted, "YYYY-MM"): every month from the first
    to the last, except that a run of more than GAP_MONTHS empty months is one None."""
    slots: list[str | None] = []
    for i, m in enumerate(months):
        if i:
            gap = _months_between(months[i - 1], m) - 1
            if gap > GAP_MONTHS:
                slots.append(None)
            else:
                cur = _next_month(months[i - 1])
                for _ in range(gap):
                    slots.append(cur)
                    cur = _next_month(cur)
        slots.append(m)
    return slots


def _nice_max(peak: int) -> int:
    """A round number at or above ``peak`` for the top of the value axis."""
    if peak <= 5:
        return max(peak, 1)
    magnitude = 10 ** (len(str(peak)) - 1)
    for f in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if f * magnitude >= peak:
            return int(f * magnitude)
    return peak


def _f(v: float) -> str:
    return f"{v:.1f}"


def stacked_months(bars: Sequence[MonthBar], *, unit: Callable[[int], str], label: str) -> Markup:
    """One bar per month (stacked segments), months without data as empty slots."""
    by_month = {b.month: b for b in bars if b.total}
    if not by_month:
        return Markup("")
    slots = month_slots(sorted(by_month))
    peak = _nice_max(max(b.total for b in by_month.values()))
    slot = (WIDTH - LEFT) / len(slots)
    out = [
        f'<svg class="chart-svg stacked" viewBox="0 {-TOP:.0f} {WIDTH:.0f} {HEIGHT + AXIS + TOP:.0f}" role="img" '
        f'aria-label="{escape(label)}" focusable="false">'
    ]
    for frac in (0.5, 1.0):  # grid lines with their values
        y = HEIGHT - HEIGHT * frac
        out.append(f'<line class="grid" x1="{LEFT:.0f}" y1="{_f(y)}" x2="{WIDTH:.0f}" y2="{_f(y)}"/>')
        out.append(f'<text class="value" x="{LEFT - 6:.0f}" y="{_f(y + 4)}" text-anchor="end">{int(peak * frac):,}</text>')
    last_year = None
    last_label = -1e9  # x of the last year written: labels closer than LABEL_GAP would overlap
    for i, m in enumerate(slots):
        x = LEFT + i * slot
        if m is None:
            out.append(f'<text class="gap" x="{_f(x + slot / 2)}" y="{_f(HEIGHT - 4)}" text-anchor="middle">⋯</text>')
            last_year = None
            continue
        if m[:4] != last_year:
            out.append(f'<line class="tick" x1="{_f(x)}" y1="{_f(HEIGHT)}" x2="{_f(x)}" y2="{_f(HEIGHT + 5)}"/>')
            # A year at the right edge, or too close to the last one, is named by its bars' titles only.
            if x < WIDTH - LABEL_GAP and x - last_label >= LABEL_GAP:
                out.append(f'<text class="label" x="{_f(x + 1)}" y="{_f(HEIGHT + 18)}">{m[:4]}</text>')
                last_label = x
            last_year = m[:4]
        bar = by_month.get(m)
        if bar is None:
            continue
        y = HEIGHT
        title = f"{m}: {unit(bar.total)}" + "".join(
            f"; {s.label} {s.value:,}" for s in bar.segments if s.value
        )
        parts = []
        for s in bar.segments:
            if not s.value:
                continue
            h = s.value / peak * HEIGHT
            y -= h
            parts.append(
                f'<rect class="s{s.series}" x="{_f(x + slot * 0.1)}" y="{_f(y)}" width="{_f(max(slot * 0.8, 0.6))}" '
                f'height="{_f(max(h, 0.6))}"/>'
            )
        out.append(f'<a href="{escape(bar.url)}" tabindex="-1"><g><title>{escape(title)}</title>{"".join(parts)}</g></a>')
    out.append(f'<line class="axis" x1="{LEFT:.0f}" y1="{HEIGHT:.0f}" x2="{WIDTH:.0f}" y2="{HEIGHT:.0f}"/>')
    out.append("</svg>")
    return Markup("".join(out))


def simple_bars(rows: Sequence[tuple[str, int, str]], *, unit: Callable[[int], str], label: str) -> Markup:
    """One bar per (label, count, url), e.g. reports per year."""
    rows = [r for r in rows if r[1]]
    if not rows:
        return Markup("")
    peak = _nice_max(max(n for _, n, _ in rows))
    slot = min((WIDTH - LEFT) / len(rows), MAX_SLOT)  # a bar or two stay bars, not a wall
    h_total = HEIGHT * 0.6
    out = [
        f'<svg class="chart-svg bars" viewBox="0 {-TOP:.0f} {WIDTH:.0f} {h_total + AXIS + TOP:.0f}" role="img" '
        f'aria-label="{escape(label)}" focusable="false">'
    ]
    for i, (text, n, url) in enumerate(rows):
        x = LEFT + i * slot
        h = n / peak * h_total
        out.append(
            f'<a href="{escape(url)}" tabindex="-1"><rect class="s0" x="{_f(x + slot * 0.15)}" y="{_f(h_total - h)}" '
            f'width="{_f(slot * 0.7)}" height="{_f(max(h, 1))}"><title>{escape(text)}: {escape(unit(n))}</title></rect>'
            f'<text class="label" x="{_f(x + slot / 2)}" y="{_f(h_total + 18)}" text-anchor="middle">{escape(text)}</text></a>'
        )
    out.append(f'<line class="axis" x1="{LEFT:.0f}" y1="{_f(h_total)}" x2="{WIDTH:.0f}" y2="{_f(h_total)}"/>')
    out.append(f'<line class="grid" x1="{LEFT:.0f}" y1="0" x2="{WIDTH:.0f}" y2="0"/>')
    out.append(f'<text class="value" x="{LEFT - 6:.0f}" y="4" text-anchor="end">{peak:,}</text>')
    out.append("</svg>")
    return Markup("".join(out))
