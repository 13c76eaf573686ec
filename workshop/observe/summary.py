"""The working group's summary (kooste) page and its exports (issue 7).

- GET `/summary/`: the period (`from`, `to`: YYYY-MM-DD, the current half-year by
  default) and scope (`scope`: region, municipality:<id>, unit:<id>, service:<id>) form,
  then every section of the summary, each chart beside its table, and the export links.
  Dates that are not days, or a period that ends before it starts, show the form again
  with the message beside the field (422) and no numbers.
- GET `/summary/summary.csv`, `/summary/summary.html`, `/summary/summary.pdf` with the
  same arguments: the summary as a download (`summary_export.py`); bad arguments answer
  422 with the message.

Only the working group and directors get here: `summary_bp` checks the role before every
request (observe/__init__.py). Everything is read only.
"""
from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _

from .. import periods, summaries, summary_export
from ..problems import Problem
from . import summary_bp


@summary_bp.get("/", endpoint="index")
def index():
    """The summary for the chosen period and scope, or the form with what was wrong."""
    today = periods.local_today()
    errors: dict[str, str] = {}
    period, scope = None, summaries.REGION
    try:
        period = periods.parse_period(request.args, today)
    except Problem as problem:
        errors[problem.field or "from"] = str(problem.message)
    try:
        scope = summaries.parse_scope(request.args.get("scope"))
    except Problem as problem:
        errors[problem.field or "scope"] = str(problem.message)
    if errors:
        # What was typed goes back into the form, to be corrected.
        values = {name: request.args.get(name, "") for name in ("from", "to", "scope")}
        context = {}
    else:
        values = period.as_args() | {"scope": scope.value}
        context = summary_export.page_context(summaries.build_summary(period, scope))
    this_half = periods.half_year_of(today)
    quick_scope = {"scope": scope.value}
    quick_periods = [(this_half.as_args() | quick_scope, _("This half-year")),
                     (summaries.previous_half_year(this_half).as_args() | quick_scope, _("Last half-year"))]
    return render_template("observe/summary.html", errors=errors, values=values,
                           scope_choices=summaries.scope_choices(), quick_periods=quick_periods,
                           export_args=values if not errors else {}, **context), 422 if errors else 200


@summary_bp.get("/summary.csv", endpoint="export_csv")
def export_csv():
    """The summary's counts as a CSV file (see summary_export for its shape)."""
    summary = _requested_summary()
    return _download(summary_export.export_csv(summary), summary, "csv")


@summary_bp.get("/summary.html", endpoint="export_html")
def export_html():
    """The summary as one self-contained HTML file."""
    summary = _requested_summary()
    return _download(summary_export.document_html(summary, target="file").encode("utf-8"), summary, "html")


@summary_bp.get("/summary.pdf", endpoint="export_pdf")
def export_pdf():
    """The summary as a tagged PDF."""
    summary = _requested_summary()
    return _download(summary_export.export_pdf(summary), summary, "pdf")


def _requested_summary() -> summaries.Summary:
    """The summary the query asks for. :raise Problem: (422) a bad period or scope."""
    period = periods.parse_period(request.args)
    return summaries.build_summary(period, summaries.parse_scope(request.args.get("scope")))


def _download(data: bytes, summary: summaries.Summary, format: str) -> Response:
    response = Response(data, content_type=summary_export.CONTENT_TYPES[format])
    response.headers["Content-Disposition"] = f'attachment; filename="{summary_export.file_name(summary, format)}"'
    # Counts of reports are for the working group: no shared cache may keep them.
    response.headers["Cache-Control"] = "private, no-store"
    return response
