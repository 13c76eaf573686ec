"""The report's text: create the draft, edit sections (with the merge view), history,
participants' suggestions and the pictures' captions.

Server-rendered forms, so everything works without JavaScript; `static/js/report-editor.js`
adds the live preview and reading aloud.
"""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from .. import report, report_render
from ..actors import Actor
from ..contributions import CAPTION_MAX_LENGTH
from ..forms import show_problem
from ..problems import Problem
from . import bp


class SectionForm(FlaskForm):
    """A section's title and Markdown text, and the version the edit started from."""

    title = StringField(_l("Title"), validators=[InputRequired(_l("Write a title for the section.")),
                                                 Length(max=report.TITLE_MAX_LENGTH)])
    body = TextAreaField(_l("Text"), description=_l(
        "Markdown: an empty line starts a new paragraph, **bold**, > quote, - list. A picture is ![](picture:12)."))
    base_version = IntegerField(widget=HiddenField.widget)


class NewSectionForm(FlaskForm):
    """A section added by hand (before management's answer)."""

    title = StringField(_l("Title of the new section"), validators=[
        InputRequired(_l("Write a title for the section.")), Length(max=report.TITLE_MAX_LENGTH)])


class ReportTitleForm(FlaskForm):
    """The report's title."""

    title = StringField(_l("Title of the report"), validators=[
        InputRequired(_l("Write a title for the report.")), Length(max=report.TITLE_MAX_LENGTH)])


class DeclineForm(FlaskForm):
    """Why a suggestion is declined (the participant reads it)."""

    reason = StringField(_l("Reason"), validators=[InputRequired(_l("Say briefly why: the participant sees the "
                                                                    "reason.")),
                                                   Length(max=report.REASON_MAX_LENGTH)])


class CaptionForm(FlaskForm):
    """A picture's caption (its alt text in the report)."""

    caption = StringField(_l("Caption"), validators=[Length(max=CAPTION_MAX_LENGTH)])


class ButtonForm(FlaskForm):
    """A button whose POST carries the CSRF token."""


def _actor() -> Actor:
    return Actor(account=current_user._get_current_object())


@bp.get("/")
def editor():
    """The report: create the draft, or every section with its text, suggestions and pictures."""
    found = report.report_of(g.workshop)
    if found is None:
        return render_template("report/start.html", form=ButtonForm())
    return _editor_page(found)


def _editor_page(found, *, title_form=None, new_section_form=None, status: int = 200):
    pictures = report_render.pictures_of(g.workshop)
    sections = report.live_sections(found)
    open_suggestions = report.suggestions_of(found, status="open")
    return render_template(
        "report/editor.html", report=found, sections=sections, rendered=_rendered(sections, pictures),
        speech={section.id: report_render.plain_text(section.body) for section in sections},
        suggestions={section.id: [s for s in open_suggestions if s.section_id == section.id] for section in sections},
        pictures=list(pictures.values()), picture_src=_picture_src, button=ButtonForm(),
        decline_form=DeclineForm(formdata=None), caption_form=CaptionForm(formdata=None),
        title_form=title_form or ReportTitleForm(formdata=None, obj=found),
        new_section_form=new_section_form or NewSectionForm(formdata=None)), status


def _picture_src(picture: report_render.Picture, *, full: bool = False) -> str:
    return url_for("api.media", code=g.workshop.join_code,
                   name=picture.image_name if full or not picture.thumb_name else picture.thumb_name)


def _rendered(sections, pictures) -> dict:
    return {section.id: report_render.to_html(section.body, pictures, _picture_src) for section in sections}


@bp.post("/draft")
def create_draft():
    """Assemble the draft from the workshop."""
    if ButtonForm().validate_on_submit():
        try:
            report.create_draft(g.workshop, _actor())
        except Problem as problem:
            flash(str(problem.message), "error")
        else:
            flash(_("The draft was made from the workshop. Read it through and edit it together."))
    return redirect(url_for("report.editor"), code=303)


@bp.post("/title")
def rename():
    """Change the report's title."""
    found = report.require_report(g.workshop)
    form = ReportTitleForm()
    if form.validate_on_submit():
        try:
            report.set_title(g.workshop, _actor(), {"title": form.title.data})
        except Problem as problem:
            show_problem(form, problem)
        else:
            flash(_("The title was changed."))
            return redirect(url_for("report.editor"), code=303)
    return _editor_page(found, title_form=form, status=422)


@bp.route("/sections/<int:section_id>", methods=["GET", "POST"])
def section(section_id: int):
    """Edit one section. A save based on an old version shows both texts side by side."""
    found = report.find_section(g.workshop, section_id)
    form = SectionForm(obj=found, base_version=found.version) if not FlaskForm().is_submitted() else SectionForm()
    conflict = None
    status = 200
    if form.validate_on_submit():
        try:
            report.save_section(g.workshop, _actor(), section_id, {
                "base_version": form.base_version.data, "title": form.title.data, "body": form.body.data or ""})
        except report.VersionConflict as problem:
            conflict = problem.current
            # The next save is based on what is there now: the person has seen it.
            form.base_version.data = conflict["version"]
            form.base_version.raw_data = [str(conflict["version"])]
            status = 409
        except Problem as problem:
            show_problem(form, problem)
            status = 422
        else:
            flash(_("The section was saved."))
            return redirect(url_for("report.editor") + f"#section-{section_id}", code=303)
    elif form.is_submitted():
        status = 422
    pictures = report_render.pictures_of(g.workshop)
    conflict_html = report_render.to_html(conflict["body"], pictures, _picture_src) if conflict else None
    return render_template("report/section.html", section=found, form=form, conflict=conflict,
                           conflict_html=conflict_html, pictures=list(pictures.values()),
                           picture_src=_picture_src,
                           preview=report_render.to_html(form.body.data or "", pictures, _picture_src)), status


@bp.get("/sections/<int:section_id>/history")
def history(section_id: int):
    """Every saved version of a section, newest first, each with a restore button."""
    found = report.find_section(g.workshop, section_id)
    pictures = report_render.pictures_of(g.workshop)
    versions = report.versions_of(found)
    return render_template("report/history.html", section=found, versions=versions, button=ButtonForm(),
                           rendered={v.version: report_render.to_html(v.body, pictures, _picture_src)
                                     for v in versions})


@bp.post("/sections/<int:section_id>/restore/<int:version>")
def restore(section_id: int, version: int):
    """Make an earlier version the current text (as a new version)."""
    if ButtonForm().validate_on_submit():
        try:
            report.restore(g.workshop, _actor(), section_id, version)
        except Problem as problem:
            flash(str(problem.message), "error")
        else:
            flash(_("Version %(version)s is the text again.", version=version))
    return redirect(url_for("report.history", section_id=section_id), code=303)


@bp.post("/sections")
def add_section():
    """Add a section before management's answer."""
    found = report.require_report(g.workshop)
    form = NewSectionForm()
    if form.validate_on_submit():
        try:
            added = report.add_section(g.workshop, _actor(), {"title": form.title.data})
        except Problem as problem:
            show_problem(form, problem)
        else:
            return redirect(url_for("report.section", section_id=added.id), code=303)
    return _editor_page(found, new_section_form=form, status=422)


@bp.post("/sections/<int:section_id>/remove")
def remove_section(section_id: int):
    """Take a section out of the report (its versions are kept)."""
    if ButtonForm().validate_on_submit():
        try:
            report.remove_section(g.workshop, _actor(), section_id)
        except Problem as problem:
            flash(str(problem.message), "error")
        else:
            flash(_("The section was taken out of the report."))
    return redirect(url_for("report.editor"), code=303)


@bp.post("/suggestions/<int:suggestion_id>/accept", defaults={"by_hand": False})
@bp.post("/suggestions/<int:suggestion_id>/mark-accepted", defaults={"by_hand": True}, endpoint="mark_suggestion")
def accept_suggestion(suggestion_id: int, by_hand: bool):
    """Accept a participant's suggestion: into the text, or marked as worked in by hand."""
    if ButtonForm().validate_on_submit():
        try:
            decided = (report.mark_accepted if by_hand else report.accept)(g.workshop, _actor(), suggestion_id)
        except Problem as problem:
            flash(str(problem.message), "error")
        else:
            flash(_("The suggestion was accepted."))
            return redirect(url_for("report.editor") + f"#section-{decided.section_id}", code=303)
    return redirect(url_for("report.editor"), code=303)


@bp.post("/suggestions/<int:suggestion_id>/decline")
def decline_suggestion(suggestion_id: int):
    """Decline a suggestion with a reason the participant sees."""
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            report.decline(g.workshop, _actor(), suggestion_id, {"reason": form.reason.data})
        except Problem as problem:
            flash(str(problem.message), "error")
        else:
            flash(_("The suggestion was declined. The participant sees your reason."))
    else:
        flash(" ".join(form.reason.errors) or _("Something in the request was not right. Please try again."),
              "error")
    return redirect(url_for("report.editor") + "#suggestions", code=303)


@bp.post("/pictures/<int:item_id>")
def caption(item_id: int):
    """Change a picture's caption."""
    form = CaptionForm()
    if form.validate_on_submit():
        try:
            report.set_caption(g.workshop, _actor(), item_id, {"caption": form.caption.data or ""})
        except Problem as problem:
            flash(str(problem.message), "error")
        else:
            flash(_("The caption was saved."))
    else:
        flash(" ".join(form.caption.errors) or _("Something in the request was not right. Please try again."),
              "error")
    return redirect(url_for("report.editor") + "#pictures", code=303)
