"""Facilitators log in here; the very first account is created here too (first-run setup)."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/facilitator")

from . import views  # noqa: E402,F401  (registers the routes on bp)
