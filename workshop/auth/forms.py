"""Forms for logging in and creating an account."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from ..accounts import MAX_USERNAME_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField(_l("User name"), validators=[InputRequired(_l("Give your user name."))],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Give your password."))],
                             render_kw={"autocomplete": "current-password"})


class AccountForm(FlaskForm):
    """A new account: name and password typed twice."""

    username = StringField(
        _l("User name"),
        validators=[InputRequired(_l("Give a user name.")), Length(max=MAX_USERNAME_LENGTH)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Give a password.")),
            Length(min=MIN_PASSWORD_LENGTH,
                   message=_l("The password must be at least %(count)d characters long.", count=MIN_PASSWORD_LENGTH)),
        ],
        description=_l("At least %(count)d characters. A few words in a row are easy to remember.",
                       count=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[InputRequired(_l("Type the password again.")),
                    EqualTo("password", _l("The passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )
