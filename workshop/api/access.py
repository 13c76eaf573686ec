"""Who is asking, for the API and the socket: a participant by device cookie, or staff.

Participants are recognised by the anonymous device cookie they got when they joined;
staff by their login. Cross-site requests are refused: the API's cookies are SameSite=Lax
and every write must carry the `X-Requested-With` header, which a page on another site
cannot add without a CORS preflight that this server never grants.
"""
from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

import flask_babel
from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from .. import floods
from ..actors import Actor
from ..extensions import db
from ..models import Workshop
from ..problems import Problem
from ..workshops import participant_for

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def find_workshop(code: str) -> Workshop:
    """The workshop with exactly this join code, which then sets this request's language.

    The API's and the socket's answers speak the workshop's language (unless the person
    chose another with the switch: see `i18n.select_locale`), as its participant page
    does; a locale already computed in this request is recomputed.

    :raise Problem: (404) there is none.
    """
    # Codes are short runs of letters and digits: anything else (a lone surrogate from a
    # socket event could not even be sent to the database) is simply no workshop's.
    could_be_code = len(code) <= 16 and code.isascii() and code.isalnum()
    workshop = db.session.scalar(select(Workshop).where(Workshop.join_code == code)) if could_be_code else None
    if workshop is None:
        raise Problem(_l("There is no workshop with this code. Check the code on the screen and try again."),
                      status=404)
    if has_request_context() and not _is_facilitator():
        # A phone reads its answers in the workshop's language, as its pages are; a
        # facilitator's pages (and so their answers) stay in the facilitator's own.
        g.workshop_language = workshop.language
        flask_babel.refresh()
    return workshop


def _is_facilitator() -> bool:
    user = current_user._get_current_object() if has_request_context() else None
    return user is not None and user.is_authenticated and user.is_facilitator


def device_token() -> str | None:
    """The anonymous device token from this request's cookie, if any."""
    return request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])


def actor_for(workshop: Workshop) -> Actor:
    """The staff member logged in, or this device's participant in `workshop`.

    :raise Problem: (403) neither: the device has not joined this workshop.
    """
    if _is_facilitator():
        return Actor(account=current_user._get_current_object())
    # Anyone else (an outreach worker's login, or nobody) takes part as this device.
    participant = participant_for(workshop, device_token())
    if participant is None:
        raise Problem(_l("Join the workshop first: scan the QR code or type the code."), status=403)
    return Actor(participant=participant)


def limit_floods(code: str) -> None:
    """Take one participant's write from the flood buckets (`floods`); staff are never limited.

    :raise floods.Flooded: (429) a bucket is empty, said in the workshop's language.
    """
    if _is_facilitator():
        return
    try:
        floods.take_participant_write(code)
    except floods.Flooded:
        # Only on a refusal: look the workshop up for its language (find_workshop sets it).
        with contextlib.suppress(Problem):
            find_workshop(code)
        raise


def require_same_site() -> None:
    """:raise Problem: (403) a write without the API header, or from another site's page."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    # Hosts are compared, not schemes: behind a TLS-terminating proxy the app sees http.
    if not request.headers.get("X-Requested-With") or (origin and urlsplit(origin).netloc != request.host):
        raise Problem(_l("Something in the request was not right. Please try again."), status=403)
