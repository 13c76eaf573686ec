"""Private links to the report, and the pages they open.

The facilitator's side (`bp`): the "Management's answer" page makes a link for the person
responsible, lists the links with their expiry, withdraws them, and shows the answer once
given. Invited readers' links are made on the comment rounds page (`rounds.py`) with the
same form.

The public side (`public_bp`, no login): `/answer/<token>` shows management the report and
takes their answer; `/read/<token>` lets an invited reader comment in the open round. Each
checks its token on every request. The app sends `Referrer-Policy: no-referrer` everywhere
(security.py) and these pages say so again in a meta tag, so a token never leaves in a
Referer header; they are not cached (`no-store`) either, so a shared computer's browser
does not keep them.
"""
from __future__ import annotations

import uuid
from datetime import datetime

import flask_babel
from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from .. import images, report_answer, report_links, report_rounds
from ..actors import Actor
from ..contributions import media_dir
from ..extensions import db
from ..forms import show_problem
from ..ideas import ideas_of
from ..models import Report, SectionKind
from ..problems import Problem
from ..report import live_sections, report_of
from ..report_render import pictures_of, to_html
from . import bp, public_bp


class ConfirmForm(FlaskForm):
    """An empty form: a button whose POST carries the CSRF token (close, revoke, +1)."""


class LinkForm(FlaskForm):
    """A new private link: whom it is for, and for how many days it works."""

    label = StringField(_l("Whom the link is for"), validators=[Length(max=report_links.LABEL_MAX_LENGTH)],
                        description=_l("A role is enough, for example: Head of adult social services"))
    days = IntegerField(_l("Works for how many days"), default=report_links.DEFAULT_DAYS,
                        validators=[Optional(), NumberRange(report_links.MIN_DAYS, report_links.MAX_DAYS)],
                        render_kw={"min": report_links.MIN_DAYS, "max": report_links.MAX_DAYS})


class AnswerForm(FlaskForm):
    """Management's general answer; the answers per idea are fields of their own (`action-ID`)."""

    by = StringField(_l("Who answers"), validators=[Length(max=report_answer.BY_MAX_LENGTH)],
                     description=_l("Your role is enough, for example: Head of adult social services"))
    text = TextAreaField(_l("Your answer to the report"), validators=[Length(max=report_answer.TEXT_MAX_LENGTH)],
                         description=_l("What you think of the report and what you will do. You can use Markdown: "
                                        "a blank line starts a new paragraph."),
                         render_kw={"rows": 10, "maxlength": report_answer.TEXT_MAX_LENGTH})


class CommentForm(FlaskForm):
    """A reader's comment on one section of the round's text."""


def absolute_link(path: str) -> str:
    """The full address of a link's `path` as people outside this computer open it."""
    from ..facilitator.views import join_base_url

    return join_base_url() + path.lstrip("/")


@public_bp.app_template_filter("from_iso")
def from_iso(value: str | None) -> datetime | None:
    """An ISO 8601 time from a state (e.g. `answer.answered_at`) as a datetime for `dateformat`."""
    return datetime.fromisoformat(value) if value else None


# -- The facilitator's side ---------------------------------------------------------------------

@bp.route("/answer", methods=["GET", "POST"])
def answer():
    """Management's answer: make a private link for it, see the links, read the answer."""
    report = report_of(g.workshop)
    form = LinkForm(prefix="answer")
    new_link, status = None, 200
    if report is not None and request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                link, path = report_links.create_link(g.workshop, _staff(), report_links.ANSWER, form.label.data,
                                                      form.days.data)
            except Problem as problem:
                show_problem(form, problem)
            else:
                # Shown in this answer only: the token is kept nowhere it could be shown again.
                new_link = {"label": link.label, "url": absolute_link(path), "expires_at": link.expires_at}
                status = 201
    return render_template(
        "report/answer_links.html", report=report, form=form, new_link=new_link,
        links=report_links.links_of(report, report_links.ANSWER) if report else [],
        revoke_form=ConfirmForm(prefix="revoke"), is_working=report_links.is_working,
        answer=report_answer.answer_state(report) if report else None), status


@bp.post("/links/<int:link_id>/revoke")
def revoke_link(link_id: int):
    """Withdraw a link: it stops working at once."""
    purpose = report_links.ANSWER
    if ConfirmForm(prefix="revoke").validate_on_submit():
        try:
            link = report_links.revoke(g.workshop, _staff(), link_id)
        except Problem as problem:
            flash(str(problem.message), "error")
        else:
            purpose = link.purpose
            flash(_("The link was withdrawn. It no longer works."))
    endpoint = "report.rounds" if purpose == report_links.READER else "report.answer"
    return redirect(url_for(endpoint, _anchor="links-heading"), code=303)


def _staff() -> Actor:
    return Actor(account=current_user._get_current_object())


# -- Management's page ---------------------------------------------------------------------------

@public_bp.route("/answer/<token>", methods=["GET", "POST"])
def answer_page(token: str):
    """The report for management to read, and their answer (again, to change it)."""
    link, report = _open_link(token, report_links.ANSWER)
    ideas = ideas_of(report.workshop)
    form = AnswerForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        status = 422
        values = {idea.id: (request.form.get(f"action-{idea.id}", ""), request.form.get(f"schedule-{idea.id}", ""))
                  for idea in ideas}
        if form.validate_on_submit():
            data = {"by": form.by.data, "text": form.text.data,
                    "ideas": [{"idea_id": idea_id, "action": action, "schedule": schedule}
                              for idea_id, (action, schedule) in values.items()]}
            try:
                report_answer.save_answer(report, link, data)
            except Problem as problem:
                if problem.field and problem.field.startswith(("action-", "schedule-", "ideas")):
                    errors[problem.field] = str(problem.message)
                else:
                    show_problem(form, problem)
            else:
                flash(_("Thank you! Your answer was saved. The participants will see it."))
                return redirect(url_for("published.answer_page", token=token, _anchor="answer-saved"), code=303)
    else:
        stored = report_answer.idea_answers(report)
        values = {idea.id: (stored[idea.id].action, stored[idea.id].schedule) if idea.id in stored else ("", "")
                  for idea in ideas}
        if report.answered_at is not None:
            form.by.data, form.text.data = report.answer_by, report.answer_text
    picture_src = _picture_src("published.answer_picture", token)
    return _private(render_template(
        "report/answer_page.html", report=report, workshop=report.workshop, link=link, form=form, ideas=ideas,
        values=values, errors=errors, document_sections=_document(report, picture_src),
        answer=report_answer.answer_state(report, picture_src), SectionKind=SectionKind), status)


@public_bp.get("/answer/<token>/pictures/<name>")
def answer_picture(token: str, name: str):
    """A picture of the report, for management's page."""
    link, report = _open_link(token, report_links.ANSWER)
    return _picture(report, name)


# -- An invited reader's page --------------------------------------------------------------------

@public_bp.route("/read/<token>", methods=["GET", "POST"])
def reader_page(token: str):
    """The open round's text with a comment form per section and +1 buttons."""
    link, report = _open_link(token, report_links.READER)
    errors: dict[int, str] = {}
    drafts: dict[int, str] = {}
    status = 200
    if request.method == "POST" and CommentForm().validate_on_submit():
        action = request.form.get("action")
        section_id = request.form.get("section_id", "")
        try:
            if action == "comment":
                report_rounds.add_comment(report.workshop, None, {
                    "uuid": request.form.get("uuid"), "section_id": section_id,
                    "text": request.form.get("text", "")}, link)
                flash(_("Thank you! Your comment was saved."))
            elif action in ("agree", "take_back"):
                rule = report_rounds.agree if action == "agree" else report_rounds.take_back_agreement
                rule(report.workshop, None, request.form.get("comment_id", type=int), link)
            return redirect(url_for("published.reader_page", token=token,
                                    _anchor=f"section-{section_id}" if section_id.isdigit() else None), code=303)
        except Problem as problem:
            status = problem.status
            if action == "comment" and section_id.isdigit():
                errors[int(section_id)] = str(problem.message)
                drafts[int(section_id)] = request.form.get("text", "")
            else:
                flash(str(problem.message), "error")
    open_now = report_rounds.current_round(report)
    shown = open_now or report_rounds.latest_closed_round(report)
    sections, bodies, comments = [], {}, {}
    if shown is not None:
        sections = report_rounds.snapshot_of(shown)
        pictures = pictures_of(report.workshop)
        picture_src = _picture_src("published.reader_picture", token)
        bodies = {section["section_id"]: to_html(section["body"], pictures, picture_src) for section in sections}
        for state in report_rounds.round_comment_states(shown, None, link):
            comments.setdefault(state["section_id"], []).append(state)
    return _private(render_template(
        "report/reader_page.html", report=report, workshop=report.workshop, link=link, open_now=open_now,
        shown=shown, sections=sections, bodies=bodies, comments=comments, errors=errors, drafts=drafts,
        form=CommentForm(), new_uuid=lambda: str(uuid.uuid4()), max_length=report_rounds.COMMENT_MAX_LENGTH),
        status)


@public_bp.get("/read/<token>/pictures/<name>")
def reader_picture(token: str, name: str):
    """A picture of the round's text, for an invited reader's page."""
    link, report = _open_link(token, report_links.READER)
    return _picture(report, name)


def _open_link(token: str, purpose: str):
    """The working link and its report, with the page in the workshop's language.

    :raise Problem: (404) an unknown, expired or withdrawn link.
    """
    link = report_links.link_for_token(token, purpose)
    report = db.session.get(Report, link.report_id)
    # The report is in the workshop's language: the page around it speaks it too (unless
    # the reader chose another with the switch).
    g.workshop_language = report.workshop.language
    flask_babel.refresh()
    return link, report


def _document(report: Report, picture_src) -> list[dict]:
    pictures = pictures_of(report.workshop)
    return [{"id": section.id, "kind": section.kind, "title": section.title,
             "html": to_html(section.body, pictures, picture_src)} for section in live_sections(report)]


def _picture_src(endpoint: str, token: str):
    def picture_src(picture) -> str:
        return url_for(endpoint, token=token, name=picture.image_name)
    return picture_src


def _picture(report: Report, name: str):
    """A picture the report may show (not hidden, not taken back), else 404."""
    allowed = {picture.image_name for picture in pictures_of(report.workshop).values()}
    path = images.media_path(media_dir(), name) if name in allowed else None
    # The address holds the link's token: no shared cache may keep it.
    return images.send_picture(path, "private, no-store")


def _private(rendered: str, status: int):
    """A page opened with a private link: never cached, never sending its address on."""
    response = make_response(rendered, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
