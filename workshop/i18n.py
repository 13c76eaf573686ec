"""Languages: Finnish first, Swedish and English too.

The language shown is the one the person chose with the switch (kept in their session);
otherwise the workshop's language on a participant page; otherwise Finnish. The browser's
own language is deliberately not used: a Finnish speaker's phone is often set to English,
and the facilitator chose the workshop's language for the room.
"""
from __future__ import annotations

from flask import Blueprint, Flask, g, has_request_context, redirect, request, session
from flask_babel import get_locale

from .extensions import babel
from .security import safe_next_url

#: Language code → the language's name in itself (shown on the switch as it is).
LANGUAGES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
DEFAULT_LANGUAGE = "fi"

bp = Blueprint("language", __name__)


def select_locale() -> str:
    """Flask-Babel locale selector (see the module docstring for the order)."""
    if not has_request_context():  # the command line speaks the default language
        return DEFAULT_LANGUAGE
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    workshop_language = g.get("workshop_language")
    if workshop_language in LANGUAGES:
        return workshop_language
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The language code of the page being rendered."""
    return str(get_locale() or DEFAULT_LANGUAGE)


@bp.post("/language")
def switch():
    """The language switch: remember the choice and go back to the page it was made on."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next_url(request.form.get("next")), code=303)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our selector, register the switch and expose the languages."""
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)

    @app.context_processor
    def _languages():
        return {"LANGUAGES": LANGUAGES, "current_language": current_language}
