"""Socket.IO events: following a workshop live, and the fast write path for notes and dots.

Each handler is thin: it finds the actor the same way the HTTP API does, calls the same
rule, and answers through the acknowledgement in the API's shape plus the HTTP `status`
the same request would have got. Changes themselves are pushed by `changes.py`.
"""
from __future__ import annotations

import functools
import logging

from flask import request
from flask_socketio import join_room, leave_room, rooms

from .. import changes, contributions, votes
from ..database import begin_write
from ..errors import MESSAGES
from ..extensions import db, socketio
from ..floods import Flooded
from ..inputs import int_field, require_mapping
from ..problems import Problem
from .access import actor_for, find_workshop, limit_floods

log = logging.getLogger(__name__)


def answers(handler):
    """Turn a handler's result or `Problem` into the acknowledgement the client waits for."""

    @functools.wraps(handler)
    def wrapper(data=None):
        try:
            data = require_mapping(data)
            if isinstance(data.get("code"), str):
                limit_floods(data["code"])
            return {"ok": True, **handler(data)}
        except Problem as problem:
            db.session.rollback()
            errors = [{"field": problem.field, "message": str(problem.message)}] if problem.field else []
            answer = {"ok": False, "status": problem.status, "error": str(problem.message), "errors": errors}
            if isinstance(problem, Flooded):
                answer["retry_after"] = problem.retry_after
            return answer
        except Exception:  # the socket must answer, never leave a phone waiting
            db.session.rollback()
            log.exception("Socket event %s failed", handler.__name__)
            return {"ok": False, "status": 500, "error": str(MESSAGES[500]), "errors": []}

    return wrapper


def _context(data):
    code = data.get("code")
    if not isinstance(code, str):
        raise Problem(MESSAGES[404], status=404)
    workshop = find_workshop(code)
    return workshop, actor_for(workshop)


@socketio.on("watch")
@answers
def watch(data):
    """A wall or phone follows a workshop: `{"code", "since"}`.

    Answers with what changed after `since` (see `changes.changes_since`); from then on
    the socket receives every `change` event of the workshop for its audience.
    """
    workshop, actor = _context(data)
    audience = changes.STAFF if actor.is_staff else changes.PUBLIC
    for joined in rooms():
        if joined != request.sid:  # one workshop per socket
            leave_room(joined)
    # Join before reading: a change committed in between then arrives both ways and the
    # client drops the copy by its number, instead of falling through the gap.
    join_room(changes.room(workshop.id, audience))
    since = int_field(data, "since", required=False) or 0
    return changes.changes_since(workshop, since, audience)


@socketio.on("add_item")
@answers
def add_item(data):
    """A sticky note over the socket (pictures come over HTTP): the fields of POST /items."""
    begin_write()  # before the first read, so nothing read has to be read again under the lock
    workshop, actor = _context(data)
    if data.get("kind", "note") != "note":
        raise Problem(MESSAGES[400], field="kind", status=422)
    result = contributions.submit(workshop, actor, data)
    return {"status": 201 if result.created else 200, "item": changes.own_item_state(result.item, workshop.join_code)}


@socketio.on("cast_dot")
@answers
def cast_dot(data):
    """A dot over the socket: the fields of POST /dots."""
    begin_write()
    workshop, actor = _context(data)
    result = votes.cast(workshop, actor, data)
    return {"status": 201 if result.created else 200, "dot": votes.dot_state(result.item)}
