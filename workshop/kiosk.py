"""The centre's shared tablet ("kiosk"): one device, one person after another.

The facilitator opens a signed link on the tablet; it leaves a cookie that marks the
device as that workshop's shared tablet. On such a device "Next person" swaps the device
token for a fresh one, so the next person is a new anonymous participant: their dots are
their own and they never see the previous person's notes as "yours". No table is needed:
the link is the workshop id signed with the app's secret key.
"""
from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from .extensions import db
from .models import Workshop

COOKIE_NAME = "kuulluksi_kiosk"
_SALT = "kuulluksi-kiosk"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def token_for(workshop: Workshop) -> str:
    """The token in the facilitator's "open on the shared tablet" link."""
    return _serializer().dumps(workshop.id)


def workshop_for_token(token: str) -> Workshop | None:
    """The open workshop a kiosk token names, or None if it is forged or the workshop ended."""
    try:
        workshop_id = _serializer().loads(token)
    except BadSignature:
        return None
    workshop = db.session.get(Workshop, workshop_id) if isinstance(workshop_id, int) else None
    return workshop if workshop is not None and workshop.is_open else None


def remember(response, token: str) -> None:
    """Mark this device as the shared tablet (for as long as the device cookie lasts)."""
    config = current_app.config
    response.set_cookie(COOKIE_NAME, token, max_age=config["DEVICE_COOKIE_MAX_AGE"], httponly=True,
                        samesite="Lax", secure=config["SESSION_COOKIE_SECURE"], path="/")


def is_kiosk(workshop: Workshop) -> bool:
    """Whether this request comes from the shared tablet of `workshop`."""
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return False
    try:
        return _serializer().loads(token) == workshop.id
    except BadSignature:
        return False
