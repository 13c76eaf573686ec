"""One error shape for the API and one error page for people, for every failure.

API errors are `{"ok": false, "error": "<message in the user's language>", "errors": [...]}`
where `errors` lists `{"field": ..., "message": ...}` for invalid input. People get the
same message on a friendly page with a way back. Nothing answers with a bare 500 trace.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .problems import Problem

log = logging.getLogger(__name__)

#: What a person is told for each status; anything else falls back to the closest family.
MESSAGES = {
    400: _l("Something in the request was not right. Please try again."),
    401: _l("Please log in first."),
    403: _l("You do not have access to this page."),
    404: _l("This page was not found."),
    405: _l("This address cannot be used like that."),
    410: _l("This is no longer available."),
    413: _l("The file is too big. Please send a smaller one."),
    429: _l("Too many tries in a short time. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. What you had already saved is safe."),
}
CSRF_MESSAGE = _l("The page had been open too long. Please try again.")


def wants_json() -> bool:
    """Whether the caller is a program (the API or a script) rather than a person's browser."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str | None = None, errors: list[dict] | None = None) -> Response:
    """Answer an error in the caller's form: the JSON shape or the HTML error page."""
    text = str(message or MESSAGES.get(status) or MESSAGES[500 if status >= 500 else 400])
    if wants_json():
        body = jsonify(ok=False, error=text, errors=errors or [])
    else:
        body = render_template("error.html", status=status, message=text, errors=errors or [])
    return make_response(body, status)


def init_app(app: Flask) -> None:
    """Route every HTTP error and every unexpected exception through `error_response`."""

    @app.errorhandler(Problem)
    def _problem(problem: Problem):
        # A rule refused: say why, naming the field when there is one.
        errors = [{"field": problem.field, "message": str(problem.message)}] if problem.field else []
        response = error_response(problem.status, problem.message, errors)
        if getattr(problem, "retry_after", None):
            response.headers["Retry-After"] = str(problem.retry_after)
        return response

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return error_response(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        response = error_response(error.code or 500)
        # Keep what the exception itself would have sent: Allow on 405, Retry-After on 429.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        # HTTP errors never reach here: Flask picks the more specific handler above.
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(InternalServerError.code)
