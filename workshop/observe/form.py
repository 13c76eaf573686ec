"""The professional's reporting form and the tracking page: no login (issue 7).

- `/observe/<form key>`: the form. The organisation's intranet links here (and its QR
  code); an unknown key is a 404. Without JavaScript the form POSTs back to the same
  address and the answer is the thanks page itself, with the report number: never a
  redirect to an address holding the number, which would stay in a shared computer's
  history. With JavaScript (`static/js/observe.js`) it is sent to the JSON API below
  through the phone's outbox, so it also works offline.
- `/observe/<form key>/reports`: the JSON API the script and the outbox send to. Like the
  street notes' API it is protected from other sites by `require_same_site` (the
  `X-Requested-With` header), not by form tokens, which would be stale when an outbox
  replays it days later.
- `/observe/track`: the reporter types the number (POST, so it is never in an address)
  and sees that one report's status and progress log (`observations.tracking_state`).

`OBSERVE_NETWORKS`, when set, keeps every page here to the organisation's own networks.
Filing is limited per network (`OBSERVE_FILINGS_PER_NETWORK`, shared by the page and the
API; a replay of a stored report does not count), and so are failed number lookups
(`TRACKING_FAILURES_PER_NETWORK`), so numbers cannot be tried one after another. The
network address is only the rate limiter's short-lived, keyed key; it is never stored.
"""
from __future__ import annotations

import uuid as uuid_module
from functools import wraps

from flask import g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded

from .. import observation_labels, observations, org
from ..api.access import require_same_site
from ..api.common import body, ok
from ..client_strings import strings_for_scripts
from ..database import defer_write_lock
from ..errors import error_response
from ..extensions import csrf, limiter
from ..models import Observation
from ..problems import Problem
from ..ratelimits import config_limit, failed_attempt, mark_failed_attempt, network_key
from . import public_bp

#: The filing limit's one counter for the page and the API (a team may use either).
FILING_SCOPE = "observe-filing"
NO_STORE = {"Cache-Control": "no-store"}


@public_bp.before_request
def _inside_the_organisation():
    """:raise Problem: (403) `OBSERVE_NETWORKS` is set and the request comes from outside."""
    if not observations.address_allowed(request.remote_addr):
        raise Problem(_l("This form is only open inside the organisation's network. Open it at work, "
                         "from the link on your intranet."), status=403)


@public_bp.errorhandler(Problem)
def _refused(problem: Problem):
    """A refusal in the app's one shape; the API's always as JSON (`errors.py` decides by the
    path or Accept header, and the API is not under /api/: a client that asks for nothing
    in particular must still get JSON)."""
    errors = [{"field": problem.field, "message": str(problem.message)}] if problem.field else []
    if request.endpoint == "observe.api_file":
        return _json_error(problem.status, problem.message, errors)
    return error_response(problem.status, problem.message, errors)


def _json_error(status: int, message, errors: list[dict]):
    return make_response(jsonify(ok=False, error=str(message), errors=errors), status, NO_STORE)


def _not_a_repeat(_response) -> bool:
    # A replay of a stored report (an outbox whose answer was lost, a reload of the thanks
    # page) costs nothing: it files nothing new.
    return not g.get("observation_repeat", False)


_filing_limit = limiter.shared_limit(config_limit("OBSERVE_FILINGS_PER_NETWORK"), scope=FILING_SCOPE,
                                     key_func=network_key, methods=["POST"], deduct_when=_not_a_repeat)
_LIMITED_MESSAGE = _l("Many reports have come from this network just now. Please wait a while and send yours "
                      "again: what you wrote is still here.")


def _report(observation: Observation) -> dict:
    """A stored report as the API answers it: its number and status, nothing else."""
    return {"number": observation.number, "status": observation.status.value,
            "status_label": observation_labels.label(observation_labels.status_labels(), observation.status)}


# -- the form ------------------------------------------------------------------------------


def _render_form(form_key: str, *, values=None, errors=None, status: int = 200, headers=None):
    """The form with `values` typed in and `errors` ({field: message}) beside the fields."""
    values = dict(values or {})
    try:
        values["uuid"] = str(uuid_module.UUID(values.get("uuid") or ""))
    except (ValueError, TypeError):
        values["uuid"] = str(uuid_module.uuid4())  # the no-JS form's replay key (see the module docstring)
    return render_template(
        "observe/form.html", form_key=form_key, values=values, errors=errors or {},
        unit_groups=org.unit_choices(), areas=org.area_choices(), services=org.service_choices(),
        natures=observation_labels.nature_labels(), categories=observation_labels.category_labels(),
        professional_groups=observation_labels.professional_group_labels(),
        hows=observation_labels.observed_how_labels(),
        limits={"description": observations.DESCRIPTION_MAX_LENGTH, "proposal": observations.PROPOSAL_MAX_LENGTH,
                "name": observations.NAME_MAX_LENGTH, "contact": observations.CONTACT_MAX_LENGTH,
                "detail": observations.DETAIL_MAX_LENGTH},
        strings=strings_for_scripts()), status, headers or {}


def _form_limited(view):
    """A spent filing limit answers the form again with everything typed kept (429)."""

    @wraps(view)
    def guarded(form_key: str):
        try:
            return view(form_key)
        except RateLimitExceeded:
            observations.require_form_key(form_key)
            return _render_form(form_key, values=request.form.to_dict(), errors={None: str(_LIMITED_MESSAGE)},
                                status=429, headers=NO_STORE)

    return guarded


@public_bp.route("/<form_key>", methods=["GET", "POST"])
@_form_limited
@_filing_limit
def form(form_key: str):
    """The reporting form; its POST (without JavaScript) files the report and answers the
    thanks page with the report number (200), or the form again with the messages (422).

    :raise Problem: (404) the form key is wrong.
    """
    observations.require_form_key(form_key)
    if request.method == "GET":
        return _render_form(form_key)
    typed = request.form.to_dict()
    try:
        filed = observations.file_observation(request.form, form_key=form_key)
    except observations.Refusals as refused:
        return _render_form(form_key, values=typed, errors=refused.messages(), status=422, headers=NO_STORE)
    except Problem as problem:
        if problem.status != 409:
            raise
        # The same page sent again after its report was stored, with changes (the back
        # button): the form comes back with a new identity, so sending it files a new report.
        typed.pop("uuid", None)
        return _render_form(form_key, values=typed, status=409, headers=NO_STORE, errors={
            None: _("A report was already sent from this page with different content. "
                    "To send this as a new report, press “Send the report” again.")})
    g.observation_repeat = not filed.created
    return render_template("observe/form_thanks.html", form_key=form_key, number=filed.observation.number), \
        200, NO_STORE


# -- the JSON API ------------------------------------------------------------------------------


def _api_limited(view):
    """A spent filing limit answers 429 in the API's shape (the outbox tries again later)."""

    @wraps(view)
    def guarded(form_key: str):
        try:
            return view(form_key)
        except RateLimitExceeded:
            raise Problem(_LIMITED_MESSAGE, status=429) from None

    return guarded


@public_bp.post("/<form_key>/reports")
@csrf.exempt  # see the module docstring: the header check replaces form tokens here
@_api_limited
@_filing_limit
def api_file(form_key: str):
    """File a report (JSON): 201 stored now, 200 stored before (a replay), 409 the UUID was
    used for other content, 422 with every field at fault in `errors`; the answer is
    `{"ok": true, "report": {"number", "status", "status_label"}}`.

    :raise Problem: (403) another site's request; (404) the form key is wrong.
    """
    require_same_site()
    try:
        filed = observations.file_observation(body(), form_key=form_key)
    except observations.Refusals as refused:
        return _json_error(422, refused.message, [{"field": problem.field, "message": str(problem.message)}
                                                  for problem in refused.problems])
    g.observation_repeat = not filed.created
    response = ok(201 if filed.created else 200, report=_report(filed.observation))
    response.headers.update(NO_STORE)
    return response


# -- the tracking page ------------------------------------------------------------------------


def _render_track(*, number: str = "", state=None, problem: str | None = None, status: int = 200):
    return render_template("observe/track.html", number=number, state=state, problem=problem), status, NO_STORE


def _track_limited(view):
    """A spent lookup limit answers the page again with a message (429)."""

    @wraps(view)
    def guarded():
        try:
            return view()
        except RateLimitExceeded:
            return _render_track(number=request.form.get("number", "")[:64], status=429, problem=_(
                "Too many report numbers were tried from this network. Please wait a while and try again."))

    return guarded


@public_bp.route("/track", methods=["GET", "POST"])
@defer_write_lock  # it only reads: no need to hold the write lock
@_track_limited
@limiter.limit(config_limit("TRACKING_FAILURES_PER_NETWORK"), key_func=network_key, methods=["POST"],
               deduct_when=failed_attempt)
def track():
    """Ask for a report number; its POST shows that one report's status and progress log
    (200), or "no report with this number" with the form again (404; counted as a failed
    attempt), or a message about a mistyped number (422)."""
    if request.method == "GET":
        return _render_track()
    typed = request.form.get("number", "")
    typed = typed[:64] if isinstance(typed, str) else ""
    if not typed.strip():
        return _render_track(problem=_("Write the report number first."), status=422)
    if observations.normalise_number(typed) is None:
        # Not a number's shape: nothing was looked up, so nothing was guessed.
        return _render_track(number=typed, status=422, problem=_(
            "This is not a report number. A report number has twelve letters and digits, like 7K4M-9XQ2-HT3P."))
    observation = observations.find_by_number(typed)
    if observation is None:
        mark_failed_attempt()
        return _render_track(number=typed, status=404, problem=_(
            "There is no report with this number. Check the number and try again."))
    return _render_track(number=observation.number, state=observations.tracking_state(observation))

