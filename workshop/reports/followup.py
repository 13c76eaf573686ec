"""The facilitator's follow-up (seuranta) page: the tracker of the development targets.

One address, `/follow-up`: GET shows the table and the forms; each form POSTs back to it
with an `action` (make rows from the ideas, add a row, edit a row, change a row's status).
A refusal shows the page again with the message beside the field (422); success flashes
and goes back to the row (303), so a reload never sends a form twice.

The page works without a report draft: the tracker is about the ideas.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField

from .. import followup, ideas
from ..actors import Actor
from ..forms import TrackerColumnsForm, show_problem
from ..problems import Problem
from . import bp


class FromIdeasForm(FlaskForm):
    """A button: make a row for each development idea that has none."""

    action = HiddenField(default="from_ideas")


class TargetForm(TrackerColumnsForm):
    """A row's columns, to add a row or edit one."""

    action = HiddenField()
    target_id = HiddenField()


class StatusForm(FlaskForm):
    """A row's new status and the note participants read."""

    action = HiddenField(default="status")
    target_id = HiddenField()
    status = SelectField(_l("Status"))
    note = TextAreaField(_l("Note for the participants"), render_kw={"maxlength": followup.NOTE_MAX_LENGTH, "rows": 2},
                         description=_l("What happened? Required when it will not be done: say why."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = followup.status_labels()


@bp.route("/follow-up", methods=["GET", "POST"], endpoint="followup")
def followup_page():
    """The tracker: the table, a row for each idea, adding and editing rows, status changes."""
    failed = None  # the form that was refused, shown again with its messages
    if request.method == "POST":
        action = request.form.get("action")
        form = _posted_form(action)
        if form is not None and form.validate_on_submit():
            try:
                anchor, message = _apply(action, form)
            except Problem as problem:
                show_problem(form, problem)
                failed = (action, form)
            else:
                flash(message)
                return redirect(url_for("report.followup", _anchor=anchor), code=303)
        else:
            # A missing CSRF token or an unknown action: say so at the top of the page.
            flash(_("Something in the request was not right. Please try again."), "error")
            return redirect(url_for("report.followup"), code=303)
    return _page(failed), 422 if failed else 200


def _posted_form(action: str | None) -> FlaskForm | None:
    if action == "from_ideas":
        return FromIdeasForm()
    if action == "add":
        return TargetForm(prefix="new")
    if action in ("edit", "status"):
        # Each row has its own forms, named by a prefix with the row's id.
        target_id = request.form.get("target_id", "")
        if not target_id.isdigit() or len(target_id) > 15:
            return None
        return TargetForm(prefix=f"edit-{target_id}") if action == "edit" else StatusForm(prefix=f"status-{target_id}")
    return None


def _apply(action: str, form: FlaskForm) -> tuple[str, str]:
    """Run the rule for a valid form; return the page anchor to go back to and the message."""
    workshop, actor = g.workshop, Actor(account=current_user._get_current_object())
    if action == "from_ideas":
        made = followup.create_from_ideas(workshop, actor)
        if not made:
            return "targets-heading", _("Every development idea has a row already.")
        return "targets-heading", ngettext("A row was made for %(num)d development idea.",
                                           "Rows were made for %(num)d development ideas.", len(made))
    if action == "add":
        target = followup.add_target(workshop, actor, _columns(form))
        return f"target-{target.id}", _("The row was added.")
    target_id = int(request.form["target_id"])
    if action == "edit":
        followup.update_target(workshop, actor, target_id, _columns(form))
        return f"target-{target_id}", _("The row was saved.")
    followup.set_status(workshop, actor, target_id, {"status": form.status.data, "note": form.note.data})
    return f"target-{target_id}", _("The status was changed.")


def _columns(form: TargetForm) -> dict:
    return {name: getattr(form, name).data or "" for name in (*followup.FIELD_LIMITS, "done_on")}


def _page(failed: tuple[str, FlaskForm] | None) -> str:
    """The page, with the refused form (if any) in place of its empty twin."""
    workshop = g.workshop
    targets = followup.targets_of(workshop)
    updates = followup.updates_of(targets)
    action, form = failed or (None, None)
    refused_id = request.form.get("target_id") if form is not None else None
    rows = []
    for target in targets:
        refused_here = refused_id == str(target.id)
        # The forms shown empty are not bound to a refused POST's fields (formdata=None).
        edit = form if refused_here and action == "edit" else _edit_form(target)
        status = form if refused_here and action == "status" else StatusForm(
            formdata=None, prefix=f"status-{target.id}", target_id=target.id, status=target.status.value)
        rows.append({"target": target, "updates": updates[target.id], "edit": edit, "status": status,
                     "edit_open": refused_here and action == "edit"})
    followed = {target.idea_id for target in targets}
    unfollowed = [idea for idea in ideas.ideas_of(workshop) if idea.id not in followed]
    add = form if action == "add" else TargetForm(formdata=None, prefix="new", action="add")
    return render_template("report/followup.html", rows=rows, add_form=add, from_ideas_form=FromIdeasForm(formdata=None),
                           unfollowed_count=len(unfollowed), status_names=dict(followup.status_labels()))


def _edit_form(target) -> TargetForm:
    form = TargetForm(formdata=None, prefix=f"edit-{target.id}", obj=target, action="edit", target_id=target.id)
    form.done_on.data = target.done_on.isoformat() if target.done_on else ""
    return form


@bp.app_template_filter("iso_date")
def iso_date(value: str | None) -> str:
    """An ISO date or time (as `followup.public_states()` gives) as a date in the current language."""
    if not value:
        return ""
    if len(value) == 10:
        return format_date(date.fromisoformat(value))
    # A moment (UTC) is shown as the date it was where the service is.
    return format_date(datetime.fromisoformat(value))
