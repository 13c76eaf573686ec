"""Forms for creating and renaming workshops."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from ..i18n import LANGUAGES
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
