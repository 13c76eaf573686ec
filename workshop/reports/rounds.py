"""The facilitator's comment rounds: open and close rounds, read and answer the comments,
compare two rounds' texts, and invite readers. Thin: the rules are in `report_rounds`."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField

from .. import report_links, report_rounds
from ..actors import Actor
from ..changes import media_url
from ..forms import show_problem
from ..problems import Problem
from ..report import report_of
from ..report_render import pictures_of, to_html
from . import bp
from .links import ConfirmForm, LinkForm, absolute_link


class OpenRoundForm(FlaskForm):
    """A new comment round, with an optional closing time."""

    closes_at = StringField(_l("Closes at (optional)"), render_kw={"type": "datetime-local"},
                            description=_l("Leave empty to close the round yourself."))


class ReplyForm(FlaskForm):
    """The facilitator's answer to one comment: taken into account or not, and a short reply."""

    status = RadioField(_l("What was done with the comment"), validate_choice=False,
                        choices=[SelectChoice("addressed", _l("Taken into account")),
                                 SelectChoice("not_taken", _l("Not taken"))])
    reply = TextAreaField(_l("Reply (the commenter and the group see it)"),
                          render_kw={"maxlength": report_rounds.REPLY_MAX_LENGTH, "rows": 2})


@bp.route("/rounds", methods=["GET", "POST"])
def rounds():
    """The report's comment rounds: open the next, close the open one, invite readers."""
    report = report_of(g.workshop)
    forms = {"open": OpenRoundForm(prefix="open"), "close": ConfirmForm(prefix="close"),
             "link": LinkForm(prefix="reader")}
    new_link, status = None, 200
    if report is not None and request.method == "POST":
        action = request.form.get("action")
        form = forms.get(action)
        status = 422
        if form is not None and form.validate_on_submit():
            try:
                if action == "link":
                    link, path = report_links.create_link(g.workshop, _staff(), report_links.READER,
                                                          form.label.data, form.days.data)
                    # Shown in this answer only: the token is kept nowhere it could be shown again.
                    new_link = {"label": link.label, "url": absolute_link(path), "expires_at": link.expires_at}
                    status = 201
                else:
                    flash(_open_or_close(action, form, report))
                    return redirect(url_for("report.rounds"), code=303)
            except Problem as problem:
                show_problem(form, problem)
    return render_template(
        "report/rounds.html", report=report, rounds=report_rounds.rounds_of(report) if report else [],
        current=report_rounds.current_round(report) if report else None, is_open=report_rounds.is_open,
        open_form=forms["open"], close_form=forms["close"], link_form=forms["link"], new_link=new_link,
        links=report_links.links_of(report, report_links.READER) if report else [],
        revoke_form=ConfirmForm(prefix="revoke"), is_working=report_links.is_working), status


def _open_or_close(action: str, form, report) -> str:
    """Open the next round or close the open one; what to tell the facilitator."""
    if action == "open":
        opened = report_rounds.open_round(g.workshop, _staff(), {"closes_at": form.closes_at.data})
        return _("Comment round %(number)s is open. Its text is frozen as it is now.", number=opened.number)
    open_now = report_rounds.current_round(report)
    if open_now is None:
        return _("No comment round is open now.")
    report_rounds.close_round(g.workshop, _staff(), open_now.id)
    return _("Comment round %(number)s is closed.", number=open_now.number)


@bp.get("/rounds/<int:number>", endpoint="round")
def round_page(number: int):
    """One round: its frozen text, and per section its comments with +1s and a reply form."""
    report = report_of(g.workshop)
    if report is None:
        return render_template("report/round.html", report=None, number=number)
    found = report_rounds.find_round(report, number)
    pictures = pictures_of(g.workshop)
    sections = report_rounds.snapshot_of(found)
    bodies = {section["section_id"]: to_html(section["body"], pictures,
                                             lambda picture: media_url(g.workshop.join_code, picture.image_name))
              for section in sections}
    comments: dict[int, list[dict]] = {}
    for state in report_rounds.round_comment_states(found, _staff()):
        comments.setdefault(state["section_id"], []).append(state)
    return render_template("report/round.html", report=report, found=found, number=number, sections=sections,
                           bodies=bodies, comments=comments, open=report_rounds.is_open(found),
                           reply_form=ReplyForm, confirm=ConfirmForm(prefix="hide"))


@bp.post("/rounds/<int:number>/comments/<int:comment_id>/reply")
def reply_comment(number: int, comment_id: int):
    """Mark a comment addressed or not taken, with a reply."""
    form = ReplyForm(prefix=f"reply-{comment_id}")
    if form.validate_on_submit():
        _apply(lambda: report_rounds.reply(g.workshop, _staff(), comment_id,
                                           {"status": form.status.data, "reply": form.reply.data}),
               _("The reply was saved."))
    return redirect(url_for("report.round", number=number, _anchor=f"comment-{comment_id}"), code=303)


@bp.post("/rounds/<int:number>/comments/<int:comment_id>/hide")
def hide_comment(number: int, comment_id: int):
    """Hide a comment from everyone but staff, or show it again."""
    if ConfirmForm(prefix="hide").validate_on_submit():
        hidden = request.form.get("hidden") == "1"
        _apply(lambda: report_rounds.hide_comment(g.workshop, _staff(), comment_id, hidden),
               _("The comment is hidden.") if hidden else _("The comment is shown again."))
    return redirect(url_for("report.round", number=number, _anchor=f"comment-{comment_id}"), code=303)


@bp.get("/rounds/diff")
def diff():
    """What changed in the text between two rounds (`a` and `b`, by default the last two)."""
    report = report_of(g.workshop)
    if report is None:
        return render_template("report/diff.html", report=None)
    numbers = [found.number for found in report_rounds.rounds_of(report)]
    b = _number_arg("b", numbers[-1] if numbers else None)
    a = _number_arg("a", numbers[-2] if len(numbers) > 1 else None)
    sections = report_rounds.round_diff(report, a, b) if a is not None and b is not None else None
    return render_template("report/diff.html", report=report, numbers=numbers, a=a, b=b, sections=sections)


def _number_arg(name: str, default: int | None) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 9 else default


def _staff() -> Actor:
    return Actor(account=current_user._get_current_object())


def _apply(action, done_message: str) -> None:
    """Run a rule for a form and say how it went."""
    try:
        action()
    except Problem as problem:
        flash(str(problem.message), "error")
    else:
        flash(done_message)
