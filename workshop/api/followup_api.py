"""The API of the follow-up (seuranta): "has anything changed?" for phones and staff.

Thin, like `views.py`: find the actor, call a rule in `followup.py`, answer. The tracker is
written on the facilitator's page (`reports/followup.py`); here it is only read.
"""
from __future__ import annotations

from .. import followup
from . import bp
from .common import context, ok


@bp.get("/follow-up")
def follow_up(code: str):
    """Participants of this workshop and staff: the tracker's rows with their status log."""
    workshop, _actor = context(code)  # a device that has not joined this workshop gets 403
    return ok(targets=followup.public_states(workshop))
