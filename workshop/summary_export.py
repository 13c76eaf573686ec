"""The summary (kooste) as files: CSV for a spreadsheet, one self-contained HTML file, and a PDF.

The page (`observe/summary.py`) and the files show the same sections from the same
`summaries.Summary`, through one template (`templates/observe/summary_sections.html`):
each count as a chart (`charts.bar_chart`) beside a real table with the same numbers.

- CSV: one number a row, in the "long" shape a spreadsheet's pivot table takes as it is:
  `period_from;period_to;scope;section;key;label;column;column_label;count`. The period
  and the scope are columns of every row, so rows of several summaries can be pasted into
  one sheet and still be told apart. The separator is ";": Excel set to Finnish or
  Swedish (where the decimal separator is a comma) splits a file into columns by ";" when
  it is opened with a double click, and puts a ","-separated file into one column. The file
  starts with a byte-order mark, without which Excel reads UTF-8 as Latin-1 ("PÃ¤ihde").
  Cells that are text someone typed (theme names, area names, workshop titles) never start
  with "=", "+", "-" or "@": a spreadsheet would run them as formulas. The development
  targets and the conclusions are text, not counts: they are in the HTML and the PDF.
- HTML: one file, its style sheet and fonts inlined, the charts inline SVG: opening it
  makes no request at all. It prints well (its own print rules).
- PDF: the same document laid out by WeasyPrint as a tagged PDF (PDF/UA-1), which may read
  the font files and nothing else.
"""
from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from . import charts, report_export
from .serving import run_off_the_loop
from .summaries import Breakdown, Summary

#: The downloadable formats: name → content type.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
#: The document's own style sheet (scoped to `.summary-document`, with the print rules).
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "summary-document.css"
CSV_SEPARATOR = ";"
CSV_HEADER = ("period_from", "period_to", "scope", "section", "key", "label", "column", "column_label", "count")
#: What a spreadsheet would take for the start of a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# -- charts -----------------------------------------------------------------------------------


def breakdown_chart(breakdown: Breakdown) -> Markup:
    """A breakdown's chart: a bar per row, or per row and column when it has several."""
    columns = breakdown.charted_columns
    indexes = [[column.key for column in breakdown.columns].index(column.key) for column in columns]
    description = _table_beside(breakdown.title)
    if len(columns) == 1:
        rows = [(row.label, row.values[indexes[0]]) for row in breakdown.rows]
        return charts.bar_chart(breakdown.title, rows, chart_id=f"chart-{breakdown.key}", description=description)
    rows = [(row.label, [row.values[index] for index in indexes]) for row in breakdown.rows]
    return charts.bar_chart(breakdown.title, rows, chart_id=f"chart-{breakdown.key}",
                            series=[column.label for column in columns], description=description)


def summary_charts(summary: Summary) -> dict[str, Markup]:
    """Every chart of the summary by name: each breakdown's key, "joys", "concerns",
    "weak-<theme id>" and "workshops"."""
    found = {breakdown.key: breakdown_chart(breakdown) for breakdown in summary.breakdowns}
    with_notes = summary.scope.has_street_notes
    series = [summary.source_labels["reports"], summary.source_labels["street_notes"]] if with_notes else []
    for key, title, mentions in (("joys", _l("Themes of joy"), summary.joys),
                                 ("concerns", _l("Themes of concern"), summary.concerns)):
        rows = [(row.name, [row.reports, row.street_notes] if with_notes else row.reports) for row in mentions]
        found[key] = charts.bar_chart(str(title), rows, chart_id=f"chart-{key}", series=series,
                                      description=_table_beside(title))
    for signal in summary.weak_signals:
        title = str(_l("%(theme)s: mentions per quarter", theme=signal.name))
        rows = [(quarter.label, count) for quarter, count in zip(summary.quarters, signal.counts)]
        found[f"weak-{signal.theme_id}"] = charts.bar_chart(title, rows, chart_id=f"chart-weak-{signal.theme_id}",
                                                            description=_table_beside(_l("Weak signals")))
    if summary.workshop_themes:
        rows = [(f"{row.workshop_title}: {row.theme_name}", row.items) for row in summary.workshop_themes]
        found["workshops"] = charts.bar_chart(str(_l("The workshops' themes")), rows, chart_id="chart-workshops",
                                              description=_table_beside(_l("The workshops' themes")))
    return found


def _table_beside(caption) -> str:
    return str(_l("A bar chart. The same numbers are in the table \u201c%(caption)s\u201d beside it.",
                  caption=caption))


def page_context(summary: Summary) -> dict:
    """What `templates/observe/summary_sections.html` needs: the summary and its charts."""
    return {"summary": summary, "charts": summary_charts(summary)}


# -- CSV --------------------------------------------------------------------------------------


def csv_rows(summary: Summary) -> list[tuple]:
    """Every count of the summary as rows of `CSV_HEADER` (without the header)."""
    first = (summary.period.start.isoformat(), summary.period.end.isoformat(), summary.scope.value)
    rows: list[tuple] = []
    for source in summary.sources:
        rows.append(first + ("sources", source.key, source.label, source.key, source.label, source.count))
    for breakdown in summary.breakdowns:
        for row in breakdown.rows:
            for column, value in zip(breakdown.columns, row.values):
                rows.append(first + (breakdown.key, row.key, row.label, column.key, column.label, value))
    labels = summary.source_labels
    total = str(_l("Total"))
    for section, mentions in (("joys", summary.joys), ("concerns", summary.concerns)):
        for row in mentions:
            key = f"theme:{row.theme_id}"
            rows.append(first + (section, key, row.name, "reports", labels["reports"], row.reports))
            if summary.scope.has_street_notes:
                rows.append(first + (section, key, row.name, "street_notes", labels["street_notes"], row.street_notes))
                rows.append(first + (section, key, row.name, "total", total, row.total))
    for signal in summary.weak_signals:
        for quarter, count in zip(summary.quarters, signal.counts):
            rows.append(first + ("weak_signals", f"theme:{signal.theme_id}", signal.name, quarter.key, quarter.label,
                                 count))
    for row in summary.workshop_themes:
        rows.append(first + ("workshop_themes", f"workshop:{row.workshop_id}:theme:{row.theme_id}",
                             f"{row.workshop_title}: {row.theme_name}", "workshops", labels["workshops"], row.items))
    return rows


def export_csv(summary: Summary) -> bytes:
    """The summary's counts as a CSV file (UTF-8 with a byte-order mark, ";"-separated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in csv_rows(summary):
        writer.writerow([_safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _safe_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


# -- HTML and PDF -----------------------------------------------------------------------------


def document_html(summary: Summary, *, target: str = "file") -> str:
    """The summary as one HTML document: "file" (fonts inlined) or "pdf" (fonts as local files)."""
    if target not in ("file", "pdf"):
        raise ValueError(f"unknown target {target!r}")
    return render_template("observe/summary_document.html", stylesheet=Markup(_inline_css(target)),
                           **page_context(summary))


def _inline_css(target: str) -> str:
    """The document's style sheet with the report's fonts: inlined ("file") or as local files ("pdf")."""
    faces = []
    for file_name, weight, unicode_range in report_export.FONTS:
        path = report_export.FONT_DIR / file_name
        if target == "file":
            source = "data:font/woff2;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
        else:
            source = path.resolve().as_uri()
        faces.append(f'@font-face {{ font-family: "Atkinson Hyperlegible"; font-style: normal; '
                     f'font-weight: {weight}; src: url("{source}") format("woff2"); '
                     f'unicode-range: {unicode_range}; }}')
    # "</" never appears in our own CSS, but a style element must never be closable.
    return "\n".join(faces) + "\n" + STYLESHEET.read_text(encoding="utf-8").replace("</", "<\\/")


def export_pdf(summary: Summary) -> bytes:
    """The summary as a tagged PDF (PDF/UA-1, A4, page numbers), charts included.

    WeasyPrint may read the font files and nothing else: the PDF never loads anything
    from the network, whatever a theme's name or a workshop's title says.
    """
    import weasyprint  # imported here: it takes over half a second, and only exports need it

    html = document_html(summary, target="pdf")
    allowed = {(report_export.FONT_DIR / file_name).resolve().as_uri(): "font/woff2"
               for file_name, _weight, _range in report_export.FONTS}
    fetcher = report_export._local_files_fetcher(weasyprint, allowed)
    base_url = report_export.FONT_DIR.resolve().as_uri() + "/"

    def lay_out() -> bytes:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")

    # Seconds of layout for a long summary: off the event loop under gevent (see report_export).
    return run_off_the_loop(lay_out)


def file_name(summary: Summary, format: str) -> str:
    """The download's name: "summary-<from>-<to>-<scope>.<format>", ASCII only."""
    scope = summary.scope.kind if summary.scope.id is None else \
        f"{summary.scope.kind}-{report_export.slug(summary.scope.name)}"
    return f"summary-{summary.period.start.isoformat()}-{summary.period.end.isoformat()}-{scope}.{format}"
