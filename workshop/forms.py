"""Shared form pieces: every form is a Flask-WTF form, so every POST carries a CSRF token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from .followup import FIELD_LIMITS
from .problems import Problem


def show_problem(form: FlaskForm, problem: Problem) -> None:
    """Put a rule's refusal beside the field it is about (or at the top of the form)."""
    field = getattr(form, problem.field, None) if problem.field else None
    if field is not None:
        field.errors = [*field.errors, str(problem.message)]
    else:
        form.form_errors.append(str(problem.message))


class TrackerColumnsForm(FlaskForm):
    """The columns of a development target (the follow-up tracker), to add a row or edit one;
    the workshop's page and the working group's regional tracker add their own fields and
    examples. Lengths are checked by the rules (`followup.py`)."""

    target = TextAreaField(_l("Development target"), render_kw={"maxlength": FIELD_LIMITS["target"], "rows": 2})
    partners = StringField(_l("Partners"), render_kw={"maxlength": FIELD_LIMITS["partners"]},
                           description=_l("Who works on it with the service, e.g. the housing office"))
    actions = TextAreaField(_l("Actions"), render_kw={"maxlength": FIELD_LIMITS["actions"], "rows": 3})
    responsible = StringField(_l("Responsible"), render_kw={"maxlength": FIELD_LIMITS["responsible"]},
                              description=_l("A role rather than a person's name, e.g. Head of the day centre"))
    schedule = StringField(_l("Schedule"), render_kw={"maxlength": FIELD_LIMITS["schedule"]})
    indicator = StringField(_l("Indicator / how it is followed"), render_kw={"maxlength": FIELD_LIMITS["indicator"]})
    done_on = StringField(_l("Done on"), render_kw={"type": "date"},
                          description=_l("Year-month-day. Leave empty if it is not done."))
