"""The privacy notice (issue 9): what Kuulluksi keeps about whom, in plain words, at `/privacy`.

Public on purpose: a participant reads it before joining, a professional before filing a
report, with no account and no login. The facts that differ between installations (how
long raw contributions are kept, whom to ask) come from the settings, never from the text.
"""
from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import views  # noqa: E402,F401  (registers the route on bp)
