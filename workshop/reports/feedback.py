"""Readers' feedback: the public page's form, and the facilitator's moderation page.

A reader sends feedback from the published report's page (`/r/<key>`) with an ordinary
form (CSRF-protected). Sends are limited per network (`READER_FEEDBACK_PER_NETWORK`), so a
script cannot bury the facilitator; the network address is only a short-lived key of the
rate limiter, never stored with the feedback. The facilitator approves or rejects each one
on `/feedback`; approved feedback is shown on the public page, the wall and the phones.
"""
from __future__ import annotations

from functools import wraps

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_limiter import RateLimitExceeded
from flask_wtf import FlaskForm
from wtforms import HiddenField

from .. import reader_feedback, report
from ..actors import Actor
from ..extensions import limiter
from ..problems import Problem
from . import bp, public_bp


class DecisionForm(FlaskForm):
    """Approve or reject one piece of feedback (the button pressed says which)."""

    feedback_id = HiddenField()


@bp.route("/feedback", methods=["GET", "POST"], endpoint="feedback")
def feedback_page():
    """Feedback waiting to be read (approve / reject), and what is shown now."""
    workshop = g.workshop
    found = report.report_of(workshop)
    if request.method == "POST":
        form = DecisionForm()
        decision = request.form.get("decision")
        feedback_id = form.feedback_id.data or ""
        if found is None or not form.validate_on_submit() or decision not in ("approve", "reject") or not (
                feedback_id.isdigit() and len(feedback_id) < 16):
            flash(_("Something in the request was not right. Please try again."), "error")
        else:
            try:
                reader_feedback.decide(workshop, Actor(account=current_user._get_current_object()), int(feedback_id),
                                       decision == "approve")
            except Problem as problem:
                flash(str(problem.message), "error")
            else:
                flash(_("The feedback is shown to everyone.") if decision == "approve"
                      else _("The feedback is not shown."))
        return redirect(url_for("report.feedback", _anchor="pending-heading"), code=303)
    return render_template(
        "report/feedback.html", report=found, form=DecisionForm(formdata=None),
        pending=reader_feedback.pending(found) if found else [],
        approved=reader_feedback.approved(found) if found else [],
        rejected=reader_feedback.rejected(found) if found else [])


def _feedback_limit() -> str:
    return current_app.config["READER_FEEDBACK_PER_NETWORK"]


def _friendly_when_limited(view):
    """Answer a spent rate limit with a message about feedback, not about guessing."""

    @wraps(view)
    def guarded(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except RateLimitExceeded:
            raise Problem(_l("Thank you! A lot of feedback has come from this network just now. "
                             "Please wait a while and send yours again."), status=429) from None

    return guarded


@public_bp.post("/r/<key>/feedback")
@_friendly_when_limited
@limiter.limit(_feedback_limit)
def send_feedback(key: str):
    """A reader's feedback on the published report: stored for the facilitator to read."""
    found = reader_feedback.published_report(key)  # 404 unless published
    try:
        reader_feedback.send(found, request.form)
    except Problem as problem:
        if problem.status != 422:
            raise
        # Only an empty or too long text gets here (the form itself asks for 1–2000).
        flash(str(problem.message), "error")
    else:
        flash(_("Thank you — the facilitator reads feedback before it is shown."))
    return redirect(url_for("published.report", key=key, _anchor="feedback"), code=303)
