"""The privacy notice page and the facts it states that come from the settings."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app, render_template

from . import bp

SECONDS_PER_DAY = 24 * 3600
# Something that can only be an e-mail address becomes a mailto: link; a web address a
# plain link; anything else (a phone number, an office's name) is shown as it is.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_WEB = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class NoticeFacts:
    """What the notice says that depends on this installation's settings."""

    #: Days after a workshop closes before its raw contributions are deleted; None: kept
    #: until the facilitator deletes the workshop.
    retention_days: int | None
    #: Whom to ask about the data (e.g. the data protection officer); None: the facilitator.
    contact: str | None
    #: Where the contact's link goes (mailto: or a web address), or None: shown as text.
    contact_href: str | None
    #: How many days the anonymous device cookie lasts on the phone.
    device_cookie_days: int


def notice_facts(config: Mapping) -> NoticeFacts:
    """The notice's installation-dependent facts, read from `config` (the app's settings)."""
    retention = config.get("RETENTION_DAYS")
    contact = (config.get("PRIVACY_CONTACT") or "").strip() or None
    return NoticeFacts(
        retention_days=int(retention) if retention is not None else None,
        contact=contact,
        contact_href=_contact_href(contact),
        # Rounded up: a cookie that lasts 30 days and an hour must not be called 30 days.
        device_cookie_days=-(-int(config["DEVICE_COOKIE_MAX_AGE"]) // SECONDS_PER_DAY),
    )


def _contact_href(contact: str | None) -> str | None:
    if contact is None:
        return None
    if _EMAIL.fullmatch(contact):
        return "mailto:" + contact
    if _WEB.fullmatch(contact):
        return contact
    return None


@bp.get("/privacy")
def notice():
    """The privacy notice, for anyone, in the language chosen on the switch."""
    return render_template("privacy.html", facts=notice_facts(current_app.config))
