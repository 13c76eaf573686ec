"""Joining a workshop anonymously, by QR code or by typing the code."""
from __future__ import annotations

from flask import current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import joincodes
from ..database import begin_write
from ..extensions import limiter
from ..models import Workshop
from ..problems import Problem
from ..ratelimits import config_limit, failed_attempt, mark_failed_attempt, whole_server_key
from .. import kiosk, phases, topics
from ..client_strings import strings_for_scripts
from ..contributions import NOTE_MAX_LENGTH, note_colour_labels
from ..workshops import find_by_code, join, participant_for
from . import bp
from .forms import JoinForm


def _phase_names() -> dict[str, str]:
    return {phase.value: name for phase, name in phases.phase_names().items()}


def _device_token() -> str | None:
    return request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])


def _already_joined() -> bool:
    # A phone that already joined this workshop is let through even while the guessing
    # budget is spent: someone guessing codes must not lock the room out.
    code = request.view_args.get("code") if request.view_args else None
    workshop = find_by_code(code) if code else None
    return workshop is not None and participant_for(workshop, _device_token()) is not None


# Failed join attempts (wrong, malformed or closed codes) from the typed form and from
# links share one budget per network and one for the whole server.
_failures_per_network = limiter.shared_limit(
    config_limit("JOIN_FAILURES_PER_NETWORK"), scope="join-failures-network",
    deduct_when=failed_attempt, exempt_when=_already_joined)
_failures_global = limiter.shared_limit(
    config_limit("JOIN_FAILURES_GLOBAL"), scope="join-failures-global", key_func=whole_server_key,
    deduct_when=failed_attempt, exempt_when=_already_joined)


def _code_key() -> str:
    return "join-code:" + joincodes.normalise((request.view_args or {}).get("code", ""))


@bp.get("/")
def front():
    """The front page: type the code from the screen, or scan the QR code."""
    return render_template("participant/front.html", form=JoinForm())


@bp.post("/join")
@_failures_per_network
@_failures_global
def join_typed():
    """A typed code: on to the workshop, or back to the form with what went wrong."""
    form = JoinForm()
    if form.validate_on_submit():
        workshop = find_by_code(form.code.data)
        if workshop is not None and workshop.is_open:
            return redirect(url_for("participant.join_link", code=workshop.join_code), code=303)
        mark_failed_attempt()
        form.code.errors = [_ended_message() if workshop else _not_found_message()]
    return render_template("participant/front.html", form=form), 422


@bp.get("/j/<code>")
@_failures_per_network
@_failures_global
@limiter.limit(config_limit("JOINS_PER_WORKSHOP"), key_func=_code_key, exempt_when=_already_joined)
def join_link(code: str):
    """The QR code's target: join the workshop and show the participant page.

    Joining is safe to repeat: the same device stays the same anonymous participant.
    """
    begin_write()  # a GET that writes: take SQLite's write lock before the first read
    workshop = find_by_code(code)
    if workshop is None:
        mark_failed_attempt()
        return _join_problem(_not_found_message(), 404)
    if code != workshop.join_code:  # typed by hand in lower case or with a space
        return redirect(url_for("participant.join_link", code=workshop.join_code))
    g.workshop_language = workshop.language
    try:
        participant, token = join(workshop, _device_token())
    except Problem as problem:
        mark_failed_attempt()
        return _join_problem(_ended_message(), problem.status, workshop)
    response = make_response(render_template(
        "participant/workshop.html", workshop=workshop, participant=participant, kiosk=kiosk.is_kiosk(workshop),
        strings=strings_for_scripts(), note_max_length=NOTE_MAX_LENGTH, note_colours=note_colour_labels(),
        topic_max_length=topics.PROPOSAL_MAX_LENGTH, smileys=phases.smiley_labels(),
        participation_ways=phases.participation_way_labels(), phase_names=_phase_names(),
        activities=phases.activities_by_phase()))
    keep_device_token(response, token)
    return response


@bp.get("/kiosk/<token>")
def kiosk_link(token: str):
    """The facilitator's link that makes this device the workshop's shared tablet."""
    workshop = kiosk.workshop_for_token(token)
    if workshop is None:
        return _join_problem(_not_found_message(), 404)
    response = redirect(url_for("participant.join_link", code=workshop.join_code))
    kiosk.remember(response, token)
    return response


def keep_device_token(response, token: str) -> None:
    """Give the device its anonymous token for a month (see DEVICE_COOKIE_MAX_AGE)."""
    config = current_app.config
    response.set_cookie(
        config["DEVICE_COOKIE_NAME"], token, max_age=config["DEVICE_COOKIE_MAX_AGE"], httponly=True,
        samesite="Lax", secure=config["SESSION_COOKIE_SECURE"], path="/",
    )
    # The page is this device's own: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-store"


def _not_found_message() -> str:
    return _("There is no workshop with this code. Check the code on the screen and try again.")


def _ended_message() -> str:
    return _("This workshop has ended. Thank you for taking part!")


def _join_problem(message: str, status: int, workshop: Workshop | None = None):
    return render_template("participant/join_problem.html", message=message, workshop=workshop,
                           form=JoinForm()), status
