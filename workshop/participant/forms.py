"""The form where a join code is typed."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length


class JoinForm(FlaskForm):
    """The join code, as typed from the projector or the poster."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(_l("Type the code you see on the screen.")), Length(max=32)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "autocorrect": "off", "inputmode": "text", "enterkeyhint": "go"},
    )
