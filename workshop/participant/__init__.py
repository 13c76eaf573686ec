"""The participant's side: the front page where a code is typed, and the QR join link."""
from flask import Blueprint

bp = Blueprint("participant", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
