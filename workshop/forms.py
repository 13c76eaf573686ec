"""Shared form pieces: every form is a Flask-WTF form, so every POST carries a CSRF token."""
from __future__ import annotations

from flask_wtf import FlaskForm

from .problems import Problem


def show_problem(form: FlaskForm, problem: Problem) -> None:
    """Put a rule's refusal beside the field it is about (or at the top of the form)."""
    field = getattr(form, problem.field, None) if problem.field else None
    if field is not None:
        field.errors = [*field.errors, str(problem.message)]
    else:
        form.form_errors.append(str(problem.message))
