"""The working group's pages (issue 7): tagging reports and street notes, the themes, and
the regional development-target tracker.

- `/summary/reports`: the period's reports, untagged first; each opens
- `/summary/reports/<id>`: the report (never the reporter's name or contact) and its tags;
- `/summary/street-notes`: the period's street notes, each with its themes;
- `/summary/themes`: add, rename, follow, conclude, delete or merge themes;
- `/summary/targets`: the regional tracker beside the workshops' rows.

Working-group members use the forms; directors (let in by the blueprint too) read the
same pages without forms, and a POST from them is refused (403). The rules are in
`themes.py` and `followup.py`. A refused form shows the page again with the message
beside the field (422); success flashes and goes back to the same place (303), keeping
the chosen period. Each form names its `action` and the row it is about in plain hidden
fields, and its own fields carry a prefix with the row's id so ids stay unique.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from .. import followup, periods, themes
from ..extensions import db
from ..forms import TrackerColumnsForm, show_problem
from ..models import DevelopmentTarget, Observation, StreetNote, SummaryTheme
from ..observation_labels import (category_labels, nature_labels, observed_how_labels, professional_group_labels,
                                  status_labels, support_need_labels)
from ..problems import Problem
from . import summary_bp

#: The query arguments a page keeps when it sends the browser back after a POST.
KEPT_ARGS = ("from", "to", "untagged")


# -- forms ------------------------------------------------------------------------------


class ButtonForm(FlaskForm):
    """A form that is only a button (follow, unfollow, delete): its CSRF token."""


class TagForm(FlaskForm):
    """A report's tags: support needs and themes (checkboxes), and a new theme's name."""

    # The rules check the values (422 beside the fieldset), not WTForms.
    needs = SelectMultipleField(_l("Support needs"), validate_choice=False)
    theme_ids = SelectMultipleField(_l("Themes"), validate_choice=False)
    new_theme = StringField(_l("New theme"), render_kw={"maxlength": themes.NAME_MAX_LENGTH},
                            description=_l("A theme that is not on the list yet. An existing name is used as it is."))


class NoteThemesForm(FlaskForm):
    """A street note's themes."""

    theme_ids = SelectMultipleField(_l("Themes"), validate_choice=False)
    new_theme = StringField(_l("New theme"), render_kw={"maxlength": themes.NAME_MAX_LENGTH},
                            description=_l("A theme that is not on the list yet. An existing name is used as it is."))


class ThemeNameForm(FlaskForm):
    """A theme's name, to add a theme or rename one."""

    name = StringField(_l("Name of the theme"), render_kw={"maxlength": themes.NAME_MAX_LENGTH})


class ConclusionForm(FlaskForm):
    """The working group's conclusion of a theme."""

    conclusion = TextAreaField(_l("Conclusion"), render_kw={"maxlength": themes.CONCLUSION_MAX_LENGTH, "rows": 4},
                               description=_l("What the working group concludes of this theme, for the summary."))


class MergeForm(FlaskForm):
    """The theme to merge a theme into."""

    into = SelectField(_l("Merge into"), validate_choice=False,
                       description=_l("Its reports, street notes and development targets move to the theme you "
                                      "choose, and this theme is removed."))


class TargetForm(TrackerColumnsForm):
    """A regional row's columns, with the region's own examples."""

    partners = StringField(_l("Partners"), render_kw={"maxlength": followup.FIELD_LIMITS["partners"]},
                           description=_l("Who works on it, e.g. the housing office, a cross-sector group"))
    responsible = StringField(_l("Responsible"), render_kw={"maxlength": followup.FIELD_LIMITS["responsible"]},
                              description=_l("A role rather than a person's name, e.g. Director of social services"))


class StatusForm(FlaskForm):
    """A regional row's new status and its note."""

    status = SelectField(_l("Status"))
    note = TextAreaField(_l("Note on the change"), render_kw={"maxlength": followup.NOTE_MAX_LENGTH, "rows": 2},
                         description=_l("What happened? Required when it will not be done: say why."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = followup.status_labels()


# -- shared pieces ----------------------------------------------------------------------


def _may_write() -> bool:
    return themes.is_working_group(current_user)


def _require_write() -> None:
    # Directors pass the blueprint's check; they read, and only the working group writes.
    if not _may_write():
        abort(403)


def _period() -> tuple[periods.Period, Problem | None]:
    """The period asked for, or the current half-year and the refusal of a bad one."""
    try:
        return periods.parse_period(request.args), None
    except Problem as problem:
        return periods.half_year_of(periods.local_today()), problem


def _kept_args() -> dict:
    return {name: value for name, value in request.args.items() if name in KEPT_ARGS}


def _back(endpoint: str, anchor: str | None = None, **values):
    """Go back to `endpoint` with the period of the page the form was on (303)."""
    return redirect(url_for(endpoint, **values, **_kept_args(), _anchor=anchor), code=303)


def _bad_request():
    # A missing CSRF token, an unknown action or a mangled id: say so at the top of the page.
    flash(_("Something in the request was not right. Please try again."), "error")
    return redirect(request.full_path if request.query_string else request.path, code=303)


def _posted_id(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdigit() and len(value) < 16 else None


def _labels() -> dict:
    """Every enum's names in the current language, by value, for the templates."""
    return {"nature": dict(nature_labels()), "category": dict(category_labels()), "need": dict(support_need_labels()),
            "status": dict(status_labels()), "group": dict(professional_group_labels()),
            "observed_how": dict(observed_how_labels()), "target_status": dict(followup.status_labels())}


def _refuse(problem: Problem, form: FlaskForm) -> None:
    """Show a rule's refusal on `form`; a missing row or a forbidden action ends the request."""
    if problem.status in (403, 404):
        abort(problem.status)
    show_problem(form, problem)


# -- reports ----------------------------------------------------------------------------


@summary_bp.get("/reports", endpoint="reports")
def reports_page():
    """The period's reports, untagged first, or only the untagged; each links to its tags."""
    period, problem = _period()
    untagged_only = request.args.get("untagged") == "1"
    reports = themes.reports_in(period, untagged_only=untagged_only)
    total, untagged = themes.count_reports_in(period)
    html = render_template("observe/tag_reports.html", period=period, period_problem=problem,
                           untagged_only=untagged_only, reports=reports,
                           tags=themes.report_tags([report.id for report in reports]), total=total, untagged=untagged,
                           limit=themes.LIST_LIMIT, labels=_labels(), shortened=themes.shortened, args=_kept_args())
    return html, 422 if problem else 200


@summary_bp.route("/reports/<int:observation_id>", methods=["GET", "POST"], endpoint="report")
def report_page(observation_id: int):
    """One report's fields (never the reporter's name or contact) and its tag form."""
    observation = db.session.get(Observation, observation_id)  # the route's ids are bounded (IdConverter)
    if observation is None:
        abort(404)
    form = None
    if request.method == "POST":
        _require_write()
        form = TagForm()
        if not form.validate_on_submit():
            return _bad_request()
        try:
            themes.set_report_tags(current_user, observation_id, needs=form.needs.data or [],
                                   theme_ids=form.theme_ids.data or [], new_theme=form.new_theme.data or "")
        except Problem as problem:
            _refuse(problem, form)
        else:
            flash(_("The tags were saved."))
            return _back("summary.report", "tags-heading", observation_id=observation_id)
    tags = themes.report_tags([observation.id])[observation.id]
    if form is None:
        form = TagForm(formdata=None, needs=[need.value for need in tags.needs],
                       theme_ids=[str(theme.id) for theme in tags.themes])
    period, _problem = _period()
    targets = list(db.session.scalars(select(DevelopmentTarget).where(DevelopmentTarget.observation_id == observation.id)
                                      .order_by(DevelopmentTarget.id)))
    html = render_template("observe/tag_report.html", observation=observation, tags=tags, form=form,
                           chosen_needs=set(form.needs.data or []), chosen_themes=set(form.theme_ids.data or []),
                           need_choices=support_need_labels(), all_themes=themes.all_themes(),
                           next_report=themes.next_untagged(period, but=observation.id), targets=targets,
                           may_write=_may_write(), labels=_labels(), args=_kept_args())
    return html, 422 if form.errors or form.form_errors else 200


# -- street notes -----------------------------------------------------------------------


@summary_bp.route("/street-notes", methods=["GET", "POST"], endpoint="street_notes")
def street_notes_page():
    """The period's street notes, each with a form for its themes."""
    refused: tuple[int, NoteThemesForm] | None = None
    if request.method == "POST":
        _require_write()
        note_id = _posted_id("note_id")
        if note_id is None or request.form.get("action") != "themes":
            return _bad_request()
        form = NoteThemesForm(prefix=f"note-{note_id}")
        if not form.validate_on_submit():
            return _bad_request()
        try:
            themes.set_street_note_themes(current_user, note_id, theme_ids=form.theme_ids.data or [],
                                          new_theme=form.new_theme.data or "")
        except Problem as problem:
            _refuse(problem, form)
            refused = (note_id, form)
        else:
            flash(_("The themes of the street note were saved."))
            return _back("summary.street_notes", f"note-{note_id}")
    period, problem = _period()
    notes = themes.street_notes_in(period)
    if refused is not None and refused[0] not in {note.id for note in notes}:
        # Refused for a note outside the period shown: show it too, with its message.
        refused_note = db.session.get(StreetNote, refused[0])
        if refused_note is not None:
            notes.insert(0, refused_note)
    note_themes = themes.street_note_themes([note.id for note in notes])
    rows = []
    for note in notes:
        if refused is not None and refused[0] == note.id:
            form = refused[1]
        else:
            form = NoteThemesForm(formdata=None, prefix=f"note-{note.id}",
                                  theme_ids=[str(theme.id) for theme in note_themes[note.id]])
        rows.append({"note": note, "themes": note_themes[note.id], "form": form,
                     "chosen": set(form.theme_ids.data or [])})
    html = render_template("observe/tag_street_notes.html", period=period, period_problem=problem, rows=rows,
                           all_themes=themes.all_themes(), limit=themes.LIST_LIMIT, may_write=_may_write(),
                           labels=_labels(), args=_kept_args())
    return html, 422 if refused or problem else 200


# -- themes -----------------------------------------------------------------------------

_THEME_FORMS = {"add": ThemeNameForm, "rename": ThemeNameForm, "follow": ButtonForm, "unfollow": ButtonForm,
                "conclusion": ConclusionForm, "delete": ButtonForm, "merge": MergeForm}


@summary_bp.route("/themes", methods=["GET", "POST"], endpoint="themes")
def themes_page():
    """The themes: add, rename, follow or not, conclude, delete an unused one or merge."""
    refused: tuple[str, int | None, FlaskForm] | None = None
    if request.method == "POST":
        _require_write()
        action = request.form.get("action")
        theme_id = _posted_id("theme_id")
        if action not in _THEME_FORMS or (action != "add" and theme_id is None):
            return _bad_request()
        form = _theme_form(action, theme_id)
        if not form.validate_on_submit():
            return _bad_request()
        try:
            anchor, message = _apply_theme(action, theme_id, form)
        except Problem as problem:
            _refuse(problem, form)
            refused = (action, theme_id, form)
        else:
            flash(message)
            return _back("summary.themes", anchor)
    return _themes_page(refused), 422 if refused else 200


def _theme_form(action: str, theme_id: int | None) -> FlaskForm:
    """The posted form of `action`. A form that is only a button has no fields to keep
    apart, so it has no prefix (its CSRF token is written without an id)."""
    factory = _THEME_FORMS[action]
    if factory is ButtonForm:
        return ButtonForm()
    return factory(prefix="new" if action == "add" else f"{action}-{theme_id}")


def _apply_theme(action: str, theme_id: int | None, form: FlaskForm) -> tuple[str, str]:
    """Run the rule for a valid theme form; return the anchor to go back to and the message."""
    if action == "add":
        theme = themes.add_theme(current_user, {"name": form.name.data})
        return f"theme-{theme.id}", _("The theme was added.")
    if action == "rename":
        themes.rename_theme(current_user, theme_id, {"name": form.name.data})
        return f"theme-{theme_id}", _("The theme was renamed.")
    if action in ("follow", "unfollow"):
        themes.set_followed(current_user, theme_id, action == "follow")
        return f"theme-{theme_id}", (_("The theme is followed now.") if action == "follow"
                                     else _("The theme is no longer followed."))
    if action == "conclusion":
        themes.set_conclusion(current_user, theme_id, {"conclusion": form.conclusion.data})
        return f"theme-{theme_id}", _("The conclusion was saved.")
    if action == "delete":
        themes.delete_theme(current_user, theme_id)
        return "themes-heading", _("The theme was deleted.")
    into_id = int(form.into.data) if (form.into.data or "").isdigit() and len(form.into.data) < 16 else None
    into = themes.merge_theme(current_user, theme_id, into_id)
    return f"theme-{into.id}", _("The themes were merged into “%(name)s”.", name=into.name)


def _themes_page(refused: tuple[str, int | None, FlaskForm] | None) -> str:
    """The page, with the refused form (if any) in place of its empty twin."""
    action, refused_id, refused_form = refused or (None, None, None)
    listed = themes.all_themes()
    uses = themes.theme_uses()
    rows = []
    for theme in listed:
        def form_for(name: str, factory):
            if refused_form is not None and action == name and refused_id == theme.id:
                return refused_form
            return factory()

        merge = form_for("merge", lambda: MergeForm(formdata=None, prefix=f"merge-{theme.id}"))
        merge.into.choices = [("", _("Choose a theme"))] + [(str(other.id), other.name) for other in listed
                                                             if other.id != theme.id]
        used = uses.get(theme.id, {"reports": 0, "notes": 0, "targets": 0})
        rows.append({
            "theme": theme, "uses": used, "in_use": any(used.values()),
            "rename": form_for("rename", lambda: ThemeNameForm(formdata=None, prefix=f"rename-{theme.id}",
                                                               name=theme.name)),
            "conclusion": form_for("conclusion", lambda: ConclusionForm(formdata=None, prefix=f"conclusion-{theme.id}",
                                                                        conclusion=theme.conclusion)),
            "merge": merge, "open": refused_id == theme.id and action in ("rename", "conclusion", "merge"),
            # A refused button (delete a theme in use) says why beside the theme.
            "button_errors": refused_form.form_errors if refused_form is not None and refused_id == theme.id
            and _THEME_FORMS[action] is ButtonForm else [],
        })
    add = refused_form if action == "add" else ThemeNameForm(formdata=None, prefix="new")
    return render_template("observe/themes.html", rows=rows, add_form=add, may_write=_may_write())


# -- the regional development targets ---------------------------------------------------


@summary_bp.route("/targets", methods=["GET", "POST"], endpoint="targets")
def targets_page():
    """The tracker: every row (regional first), forms for the regional rows, a row to add."""
    refused: tuple[str, int | None, FlaskForm] | None = None
    if request.method == "POST":
        _require_write()
        action = request.form.get("action")
        target_id = _posted_id("target_id")
        if action not in ("add", "edit", "status") or (action != "add" and target_id is None):
            return _bad_request()
        form = (TargetForm(prefix="new") if action == "add" else TargetForm(prefix=f"edit-{target_id}")
                if action == "edit" else StatusForm(prefix=f"status-{target_id}"))
        if not form.validate_on_submit():
            return _bad_request()
        try:
            anchor, message = _apply_target(action, target_id, form)
        except Problem as problem:
            _refuse(problem, form)
            refused = (action, target_id, form)
        else:
            flash(message)
            return redirect(url_for("summary.targets", _anchor=anchor), code=303)
    return _targets_page(refused), 422 if refused else 200


def _apply_target(action: str, target_id: int | None, form: FlaskForm) -> tuple[str, str]:
    if action == "add":
        data = _columns(form)
        for name in ("observation_id", "summary_theme_id"):
            data[name] = request.form.get(name, "")
        target = followup.add_regional_target(current_user, data)
        return f"target-{target.id}", _("The row was added.")
    if action == "edit":
        followup.update_regional_target(current_user, target_id, _columns(form))
        return f"target-{target_id}", _("The row was saved.")
    followup.set_regional_status(current_user, target_id, {"status": form.status.data, "note": form.note.data})
    return f"target-{target_id}", _("The status was changed.")


def _columns(form: TargetForm) -> dict:
    return {name: getattr(form, name).data or "" for name in (*followup.FIELD_LIMITS, "done_on")}


def _targets_page(refused: tuple[str, int | None, FlaskForm] | None) -> str:
    action, refused_id, refused_form = refused or (None, None, None)
    targets = followup.all_targets()
    sources = followup.target_sources(targets)
    updates = followup.updates_of([target for target in targets if target.workshop_id is None])
    regional = []
    for target in targets:
        if target.workshop_id is not None:
            continue
        refused_here = refused_id == target.id
        if refused_here and action == "edit":
            edit = refused_form
        else:
            edit = TargetForm(formdata=None, prefix=f"edit-{target.id}", obj=target)
            edit.done_on.data = target.done_on.isoformat() if target.done_on else ""
        status = refused_form if refused_here and action == "status" else StatusForm(
            formdata=None, prefix=f"status-{target.id}", status=target.status.value)
        regional.append({"target": target, "updates": updates[target.id], "edit": edit, "status": status,
                         "edit_open": refused_here and action == "edit", "source": sources[target.id]})
    source = _new_source(refused_form if action == "add" else None)
    if action == "add":
        add = refused_form
    else:
        add = TargetForm(formdata=None, prefix="new", target=source["prefill"])
    return render_template("observe/targets.html", targets=targets, sources=sources, regional=regional, add_form=add,
                           new_source=source, may_write=_may_write(), labels=_labels())


def _new_source(refused_form: FlaskForm | None) -> dict:
    """Where the row being added comes from: a report or a theme named in the address
    (a link from the report's or the theme's page), or what a refused form carried."""
    values = request.form if refused_form is not None else request.args
    found = {"observation": None, "theme": None, "prefill": ""}
    observation_id = values.get("observation_id", "")
    theme_id = values.get("summary_theme_id", values.get("theme_id", ""))
    if observation_id.isdigit() and len(observation_id) < 16:
        found["observation"] = db.session.get(Observation, int(observation_id))
        if found["observation"] is not None:
            found["prefill"] = themes.shortened(found["observation"].proposal, followup.FIELD_LIMITS["target"])
    if theme_id.isdigit() and len(theme_id) < 16:
        found["theme"] = db.session.get(SummaryTheme, int(theme_id))
        if found["theme"] is not None and not found["prefill"]:
            found["prefill"] = found["theme"].name
    return found
