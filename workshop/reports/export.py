"""The facilitator's "Publish and export" page: the report's files, and its public page.

GET `/export` shows the files written so far (with their sizes and download links) and
whether the report is published, with its public address and a QR code. Each button is a
form with its CSRF token: POST `/export` writes the files, POST `/publish` and
`/unpublish` put the public page up and take it down. Each answers with a flash message
and a redirect back (303), so a reload never repeats it. GET `/export/<format>`
(html, pdf or zip) downloads a written file.
"""
from __future__ import annotations

from flask import Response, abort, current_app, flash, g, redirect, render_template, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from .. import qr, report_export
from ..actors import Actor
from ..facilitator.forms import ConfirmForm
from ..facilitator.views import join_base_url
from ..problems import Problem
from ..report import report_of, require_report
from . import bp


@bp.get("/export")
def export():
    """The report's files and its publication, or a pointer to the editor before there is a draft."""
    report = report_of(g.workshop)
    files = report_export.exported_files(report) if report is not None else []
    address = public_address(report) if report is not None and report.published_at is not None else None
    return render_template("report/export.html", report=report, form=ConfirmForm(), public_address=address,
                           files=[(exported, size_label(exported.size)) for exported in files],
                           editor_url=_editor_url())


@bp.post("/export")
def write_files():
    """Write the HTML file, the PDF and the zipped Markdown to the exports folder."""
    if ConfirmForm().validate_on_submit():
        try:
            report = require_report(g.workshop)
            report_export.write_exports(report)
        except Problem as problem:
            flash(str(problem.message), "error")
        else:
            flash(_("The files were made. You can download them below."))
    return redirect(url_for("report.export", _anchor="files-heading"), code=303)


@bp.get("/export/<format>")
def download(format: str):
    """Download a written file (`format`: html, pdf or zip) under a safe name."""
    report = require_report(g.workshop)
    exported = report_export.exported_file(report, format)
    response = send_file(exported.path, mimetype=report_export.FORMATS[format][1], as_attachment=True,
                         download_name=report_export.file_name(report, format), max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/publish")
def publish():
    """Put the report on its public page."""
    return _publication(report_export.publish, _("The report is published. Anyone with the address can read it."))


@bp.post("/unpublish")
def unpublish():
    """Take the public page down."""
    return _publication(report_export.unpublish, _("The report is no longer public."))


@bp.get("/export/qr.svg")
def public_qr():
    """The public page's address as a QR code, to show or print for readers."""
    report = require_report(g.workshop)
    if report.published_at is None:
        abort(404)
    response = Response(qr.svg(public_address(report)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"  # the LAN address can change
    return response


def size_label(size: int) -> str:
    """A file's size for people, in kB or MB with the language's decimal mark."""
    if size < 1_000_000:
        return f"{format_decimal(max(1, round(size / 1000)))} kB"
    return f"{format_decimal(round(size / 1_000_000, 1))} MB"


def public_address(report) -> str:
    """The full address of the report's public page, as phones and readers reach this server."""
    return join_base_url() + url_for("published.report", key=report.public_key).lstrip("/")


def _publication(action, done_message: str):
    if ConfirmForm().validate_on_submit():
        try:
            action(g.workshop, Actor(account=current_user._get_current_object()))
        except Problem as problem:
            flash(str(problem.message), "error")
        else:
            flash(done_message)
    return redirect(url_for("report.export", _anchor="publish-heading"), code=303)


def _editor_url() -> str | None:
    # The editor is another part of the report; until it is there, the page just says so.
    if "report.editor" not in current_app.view_functions:
        return None
    try:
        return url_for("report.editor")
    except BuildError:
        return None
