"""Forms for creating and renaming workshops."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from ..i18n import LANGUAGES
from ..votes import MAX_DOTS_PER_PERSON
from ..wall import BOARD_TITLE_MAX_LENGTH
from ..workshops import MAX_PLACE_LENGTH, MAX_TITLE_LENGTH


class WorkshopForm(FlaskForm):
    """A new workshop: its name, where it is held, and the language phones start in."""

    title = StringField(
        _l("Name of the workshop"),
        validators=[InputRequired(_l("Give the workshop a name.")), Length(max=MAX_TITLE_LENGTH)],
        description=_l("For example: Our day centre, spring 2027"),
    )
    place = StringField(_l("Place"), validators=[Length(max=MAX_PLACE_LENGTH)],
                        description=_l("For example: Day centre Kalliola"))
    language = SelectField(
        _l("Language of the participants' pages"),
        # Each language named in itself, marked with its language for screen readers.
        choices=[SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGES.items()],
        default="fi",
    )


class RenameForm(FlaskForm):
    """A new name for a workshop."""

    title = StringField(
        _l("Name of the workshop"),
        validators=[InputRequired(_l("Give the workshop a name.")), Length(max=MAX_TITLE_LENGTH)],
    )


class ConfirmForm(FlaskForm):
    """An empty form: a button whose POST carries the CSRF token (close, reopen)."""


class BoardForm(FlaskForm):
    """A new board (a flip-chart column) with its prompt."""

    title = StringField(_l("Name of the board"), validators=[InputRequired(_l("Give the board a name.")),
                                                               Length(max=BOARD_TITLE_MAX_LENGTH)],
                        description=_l("For example: What would help you?"))


class QuestionForm(FlaskForm):
    """A new dot vote: the question, its options one per line, and the dots each person has."""

    title = StringField(_l("Question"), validators=[InputRequired(_l("Write the question first."))],
                        description=_l("For example: Which topic shall we report on?"))
    options = TextAreaField(_l("Options, one on each line"), validators=[InputRequired(
        _l("Give at least two options, each on its own line."))])
    dots_per_person = IntegerField(_l("Dots for each person"), default=3,
                                   validators=[NumberRange(1, MAX_DOTS_PER_PERSON)])


class DeleteWorkshopForm(FlaskForm):
    """Deleting a workshop for good: the facilitator types its join code to confirm."""

    code = StringField(
        _l("The workshop's code"),
        validators=[InputRequired(_l("Type the workshop's code to confirm."))],
        description=_l("Type the code shown above. This makes sure you delete the right workshop."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
