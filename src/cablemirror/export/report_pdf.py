"""PDF of one war-diary report, with the layout helpers of ``pdf.py``.

The page says what the report page says: the title, every field, the casualty table
(friendly / host nation / civilian / enemy by wounded / killed / detained; a count
the report does not give is a dash, never 0), the summary in a monospace face as the
release wrote it, what cablemirror noticed about the row, and the source (file,
offset, sha256 of the row's bytes) in the footer.  Generated demo data says so in a
band at the top.  The same record always gives the same bytes.
"""

from __future__ import annotations

from typing import Any, Mapping

from .pdf import (
    _BODY,
    _LABEL,
    _LABEL_W,
    _NONE,
    _NOTE,
    _SAFE_URL,
    _TITLE,
    _VALUE,
    RenderedPdf,
    _date,
    _fields,
    _footer_lines,
    _Font,
    _Frame,
    _Geometry,
    _heading,
    _Layout,
    _new_layout,
    _notice,
    _render,
    _Sanitiser,
    _source_parts,
    _stats_note,
    _str,
    _when,
)

__all__ = ["report_pdf", "render_report"]

# (label, record key) of the field table, in the release's column order.
_FIELDS = (
    ("Report key", "report_key"), ("Date occurred", "date"), ("Type", "type"), ("Category", "category"),
    ("Tracking number", "tracking_number"), ("Region", "region"), ("Attack on", "attack_on"),
    ("Complex attack", "complex_attack"), ("Reporting unit", "reporting_unit"), ("Unit name", "unit_name"),
    ("Type of unit", "type_of_unit"), ("MGRS", "mgrs"), ("Latitude", "latitude"), ("Longitude", "longitude"),
    ("Originator group", "originator_group"), ("Updated by group", "updated_by_group"), ("CCIR", "ccir"),
    ("Sigact", "sigact"), ("Affiliation", "affiliation"), ("DColor", "dcolor"), ("Classification", "classification"),
)  # fmt: skip
_GROUPS = (("Friendly forces", "friendly"), ("Host nation forces", "host_nation"), ("Civilians", "civilian"),
           ("Enemy", "enemy"))  # fmt: skip
_THEATRE = {"afghanistan": "Afghan War Diary", "iraq": "Iraq War Logs"}
_COL_W = 28.0  # mm per count column


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:.7f}".rstrip("0").rstrip(".")
    return _str(value)


def _count(value: object) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else _NONE


def _casualties(layout: _Layout, record: Mapping[str, Any]) -> None:
    _heading(layout, "Casualties")
    head = _Font("Helvetica", "B", 8.5)
    x0 = 42.0
    layout.line([(x0 + i * _COL_W, head, t) for i, t in enumerate(("Wounded", "Killed", "Detained"))], head.line_h)
    for label, group in _GROUPS:
        cells = [
            _count(record.get(f"{group}_wia")),
            _count(record.get(f"{group}_kia")),
            _count(record.get("enemy_detained")) if group == "enemy" else "",
        ]
        layout.line([(0.0, _LABEL, label), *((x0 + i * _COL_W, _VALUE, c) for i, c in enumerate(cells))], _VALUE.line_h)
    layout.text(f"{_NONE}: the report does not give this count (an empty or unreadable column).", _NOTE)


def _report_layout(
    record: Mapping[str, Any], site_name: str, url: str | None, g: _Geometry
) -> tuple[_Layout, _Frame, Any]:
    clean = _Sanitiser()
    key = clean(_str(record.get("report_key"))).replace("\n", " ")
    classification = clean(_str(record.get("classification"))).replace("\n", " ")
    source_parts, source_whole = _source_parts(record.get("source"), clean)
    footer = _footer_lines(source_parts, g)
    layout = _new_layout(g, footer)
    site = clean(site_name).replace("\n", " ")
    collection = _THEATRE.get(_str(record.get("theatre")), "War log")

    title = _str(record.get("title")) or f"Report {key}"
    layout.text(clean(title), _TITLE)
    layout.text(f"{collection} report", _NOTE)
    if record.get("generated"):
        _notice(
            layout,
            "Generated demo data: this report was made up by cablemirror's demo generator to show how the "
            "mirror works. None of it is real.",
            _Font("Helvetica", "B", 8.5),
            gray=225,
        )
    layout.gap(2.0)
    rows = [(label, clean(_when(record.get(k)) if k == "date" else _value(record.get(k)))) for label, k in _FIELDS]
    rows.append(("Theatre", clean(_str(record.get("theatre")))))
    if source_whole:
        rows.append(("Source", clean(source_whole)))
    if url:
        rows.append(("Online", clean(url)))
    _fields(layout, rows)
    if url and _SAFE_URL.fullmatch(url):
        url_lines = layout.wrap(clean(url), _VALUE, x=_LABEL_W)
        width = max(_VALUE.width(line) for line in url_lines)
        layout.link(_LABEL_W, width, len(url_lines) * _VALUE.line_h, url)

    _casualties(layout, record)

    _heading(layout, "Summary")
    summary = clean(_str(record.get("summary"))).strip("\n")
    if summary.strip():
        layout.text(summary, _BODY)
    else:
        layout.text("(The report has no summary.)", _NOTE)

    extra = record.get("extra")
    if isinstance(extra, Mapping) and extra:
        _heading(layout, "Other columns of the file")
        _fields(layout, [(clean(_str(k)), clean(_value(v))) for k, v in extra.items()])

    problems = record.get("problems")
    if isinstance(problems, list) and problems:
        _heading(layout, "What cablemirror noticed in this row")
        for p in problems:
            if not isinstance(p, Mapping):
                continue
            where = f" ({_str(p.get('field'))})" if p.get("field") else ""
            value = f": \u201c{_str(p.get('value'))}\u201d" if p.get("value") is not None else ""
            layout.text(clean(f"{_str(p.get('kind'))}{where}{value} \u2014 {_str(p.get('action'))}"), _VALUE, x=4.0)

    _stats_note(layout, clean.stats, "report")
    frame = _Frame(
        head_left=f"{site} \xb7 {key}" if key else site,
        head_right=classification,
        footer=footer,
        title=f"{_str(record.get('report_key'))}: {title}",
        subject=", ".join(x for x in (f"{collection} report", _str(record.get("type")), _str(record.get("category")),
                                      _when(record.get("date"))) if x),  # fmt: skip
        keywords=" ".join(x for x in (_str(record.get("region")), _str(record.get("type"))) if x),
        creator=site_name,
        created=_date(record.get("date")),
    )
    return layout, frame, clean.stats


def render_report(record: Mapping[str, Any], *, site_name: str = "cablemirror", url: str | None = None) -> RenderedPdf:
    """A PDF of one report from its JSON record (``Report.to_dict()``)."""
    if not isinstance(record, Mapping):
        raise TypeError(f"a report PDF needs the record as a dict (Report.to_dict()), not {type(record).__name__}")
    layout, frame, stats = _report_layout(record, site_name, url, _Geometry())
    return _render(layout, frame, stats)


def report_pdf(record: dict, *, site_name: str = "cablemirror", url: str | None = None) -> bytes:
    """A PDF of one war-diary report from its JSON record (the dict of ``Report.to_dict()``)."""
    return render_report(record, site_name=site_name, url=url).data
