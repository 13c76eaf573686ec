"""Who is asking, for the API and the socket: a participant by device cookie, or staff.

Participants are recognised by the anonymous device cookie they got when they joined;
staff by their login. Cross-site requests are refused: the API's cookies are SameSite=Lax
and every write must carry the `X-Requested-With` header, which a page on another site
cannot add without a CORS preflight that this server never grants.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..actors import Actor
from ..extensions import db
from ..models import Role, Workshop
from ..problems import Problem
from ..workshops import participant_for

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def find_workshop(code: str) -> Workshop:
    """The workshop with exactly this join code. :raise Problem: (404) there is none."""
    workshop = db.session.scalar(select(Workshop).where(Workshop.join_code == code)) if len(code) <= 16 else None
    if workshop is None:
        raise Problem(_l("There is no workshop with this code. Check the code on the screen and try again."),
                      status=404)
    return workshop


def device_token() -> str | None:
    """The anonymous device token from this request's cookie, if any."""
    return request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])


def actor_for(workshop: Workshop) -> Actor:
    """The staff member logged in, or this device's participant in `workshop`.

    :raise Problem: (403) neither: the device has not joined this workshop.
    """
    if current_user.is_authenticated and current_user.role == Role.FACILITATOR:
        return Actor(account=current_user._get_current_object())
    # Anyone else (an outreach worker's login, or nobody) takes part as this device.
    participant = participant_for(workshop, device_token())
    if participant is None:
        raise Problem(_l("Join the workshop first: scan the QR code or type the code."), status=403)
    return Actor(participant=participant)


def require_same_site() -> None:
    """:raise Problem: (403) a write without the API header, or from another site's page."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    # Hosts are compared, not schemes: behind a TLS-terminating proxy the app sees http.
    if not request.headers.get("X-Requested-With") or (origin and urlsplit(origin).netloc != request.host):
        raise Problem(_l("Something in the request was not right. Please try again."), status=403)
