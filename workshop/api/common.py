"""What every API view needs: who is asking, the request body, and the answer's shape."""
from __future__ import annotations

from flask import jsonify, make_response, request

from ..actors import Actor
from ..inputs import require_mapping
from ..models import Workshop
from .access import actor_for, find_workshop


def context(code: str) -> tuple[Workshop, Actor]:
    """The workshop of the URL's code and who is asking (403/404 as a `Problem`)."""
    workshop = find_workshop(code)
    return workshop, actor_for(workshop)


def body() -> dict:
    """The request's JSON object, or its form fields. :raise Problem: (400) neither."""
    if not request.is_json:
        return require_mapping(request.form)
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes ("[[[[…"): no client sends that
        data = None
    return require_mapping(data)


def ok(status: int = 200, **payload):
    """The answer `{"ok": true, ...payload}` with `status`."""
    return make_response(jsonify(ok=True, **payload), status)
