"""The handlers' pages (issue 7): the inbox and one report with its progress log.

- `handling.inbox`, GET `/handling/`: the reports routed to the supervisor or director,
  newest first, with a tab for each status and its count.
- `handling.report`, GET/POST `/handling/reports/<id>`: every field of the report, the
  progress log, and for its handlers the form to change the status or add a note, and
  "I have told them" for each change the reporter is still to be told about. Each form
  POSTs back with an `action` ("status" or "told"); a refusal shows the page again with
  the message beside the field (422), success flashes and redirects (303).

The blueprint lets only handlers and directors in; the rules (`processing.py`) decide
which reports each one sees, and a report that is not theirs is "not found" (404).
"""
from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField

from .. import notices, processing
from ..extensions import db
from ..forms import show_problem
from ..models import Observation, ObservationEvent, ObservationStatus
from ..observation_labels import (category_labels, forwarded_labels, label, nature_labels, observed_how_labels,
                                  professional_group_labels, role_labels, status_labels)
from ..problems import Problem
from . import bp

log = logging.getLogger(__name__)


class StatusForm(FlaskForm):
    """A new status (or none: a note alone), where it is forwarded, and the reporter's note.

    The choices are not checked here (`validate_choice=False`): the rules say what is
    wrong in words, beside the field.
    """

    action = HiddenField(default="status")
    status = SelectField(_l("New status"), validate_choice=False)
    forwarded_to = SelectField(_l("Forwarded to (required when forwarding)"), validate_choice=False)
    note = TextAreaField(
        _l("Note for the reporter"), render_kw={"maxlength": processing.NOTE_MAX_LENGTH, "rows": 4},
        description=_l("The reporter sees this note on the tracking page, so write it for them. Required when "
                       "closing (say why), when opening again, and for a note alone. At most %(limit)s characters.",
                       limit=processing.NOTE_MAX_LENGTH))

    def __init__(self, *args, observation: Observation, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(status_labels())
        self.status.choices = [("", _("Keep the status: only add the note to the log"))] + [
            (status.value, names[status.value]) for status in processing.allowed_statuses(observation.status)]
        self.forwarded_to.choices = [("", _("Not forwarded"))] + forwarded_labels()


class ToldForm(FlaskForm):
    """"I have told them": the reporter was told about a log entry by hand."""

    action = HiddenField(default="told")
    event_id = HiddenField()


@bp.get("/", endpoint="inbox")
def inbox_page():
    """The inbox: tabs by status with counts, and the reports of the chosen tab, newest first."""
    account = current_user._get_current_object()
    found = processing.inbox(account, request.args.get("status") or None)
    filter_names = {processing.OPEN_FILTER: _("Open"), processing.ALL_FILTER: _("All"), **dict(status_labels())}
    tabs = [(name, filter_names[name], found.counts[name]) for name in processing.inbox_filters()]
    return render_template(
        "observe/inbox.html", inbox=found, tabs=tabs, filter_name=filter_names[found.filter],
        units=processing.units_of(account), limit=processing.INBOX_LIMIT, labels=_labels())


@bp.route("/reports/<int:observation_id>", methods=["GET", "POST"], endpoint="report")
def report_page(observation_id: int):
    """One report: its fields, its progress log, and (for its handlers) the forms."""
    account = current_user._get_current_object()
    observation = processing.report_for(account, observation_id)  # 404 when not theirs
    refused = None
    if request.method == "POST":
        action = request.form.get("action")
        form = (StatusForm(observation=observation) if action == "status"
                else ToldForm() if action == "told" else None)
        if form is None or not form.validate_on_submit():
            # A missing CSRF token or an unknown action: say so at the top of the page.
            flash(_("Something in the request was not right. Please try again."), "error")
            return redirect(url_for("handling.report", observation_id=observation_id), code=303)
        try:
            anchor = _apply(action, form, observation)
        except Problem as problem:
            db.session.rollback()  # nothing was written: let go of the write lock before the page
            if problem.status == 409:  # told twice (a double click, or a colleague was quicker)
                flash(str(problem.message))
                return redirect(url_for("handling.report", observation_id=observation_id, _anchor="tell-heading"),
                                code=303)
            if problem.status != 422:
                raise
            show_problem(form, problem)
            refused = form
        else:
            return redirect(url_for("handling.report", observation_id=observation_id, _anchor=anchor), code=303)
    return _page(observation, refused), 422 if refused else 200


def _apply(action: str, form: FlaskForm, observation: Observation) -> str:
    """Run the rule for a valid form, flash what happened; return the anchor to go back to."""
    account = current_user._get_current_object()
    if action == "told":
        notices.mark_told(account, observation.id, _int(form.event_id.data))
        flash(_("Marked as told."))
        return "tell-heading"
    before = (observation.status, observation.forwarded_to)
    event = processing.change_status(account, observation.id, {
        "status": form.status.data or "", "forwarded_to": form.forwarded_to.data or "", "note": form.note.data or ""})
    event_id = event.id
    changed = (event.status, event.forwarded_to) != before
    message = _("The status was changed.") if changed else _("The note was added to the log.")
    _deliver()
    notice = db.session.get(ObservationEvent, event_id).notice
    if notice == "sent":
        message += " " + _("The reporter was told by e-mail.")
    elif notice == "failed":
        message += " " + _("The e-mail to the reporter could not be sent: please tell them yourself.")
    elif notice in processing.UNTOLD_NOTICES:
        message += " " + _("Please tell the reporter: see “Tell the reporter” below.")
    flash(message)
    return "log-heading"


def _deliver() -> None:
    """Tell reporters by e-mail now; a failure here must never undo the change just saved."""
    try:
        notices.deliver_pending()
    except Exception:  # noqa: BLE001  (the change is committed; the handler sees what is untold)
        db.session.rollback()
        log.exception("Delivering the notices to reporters failed")


def _int(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 16 else None


def _labels() -> dict:
    """Every choice's name in the current language, by kind, for the templates."""
    return {"status": dict(status_labels()), "forwarded": dict(forwarded_labels()),
            "nature": dict(nature_labels()), "category": dict(category_labels()),
            "group": dict(professional_group_labels()), "observed_how": dict(observed_how_labels()),
            "role": dict(role_labels())}


def _page(observation: Observation, refused: FlaskForm | None) -> str:
    account = current_user._get_current_object()
    handles = processing.may_handle(account, observation)
    status_form = refused if isinstance(refused, StatusForm) else StatusForm(
        formdata=None, observation=observation, action="status")
    untold = processing.untold_events(observation) if handles else []
    return render_template(
        "observe/handling_report.html", observation=observation, log=processing.log_of(observation),
        handles=handles, status_form=status_form, untold=untold, labels=_labels(),
        final=observation.status not in processing.OPEN_STATUSES, notice_names=_notice_names(),
        what_happened=notices.what_happened, label=label,
        forwarded=observation.status is ObservationStatus.FORWARDED)


def _notice_names() -> dict[str, str]:
    """What each notice state means, for the log's last column."""
    return {"": _("No contact details"), "pending": _("To be told"), "sending": _("Being sent by e-mail"),
            "sent": _("Sent by e-mail"), "told": _("Told by the handler"),
            "failed": _("The e-mail could not be sent")}
