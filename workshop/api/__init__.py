"""The JSON API and the Socket.IO events: the phones', the walls' and the outbox's way in.

Every write goes through the same rules modules (`contributions`, `votes`, `wall`); the
views and handlers here only find out who is asking and turn the answer into JSON.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/w/<code>")

from . import (events, feedback_api, followup_api, ideas_api, phases, report_api, rounds_api, surveys_api,  # noqa: E402,F401
               topics_api, views)  # (routes, handlers)
