"""Private links to a report: for management's answer, and for invited readers of a comment round.

The facilitator makes a link for the person responsible for the service ("answer") or for
a reader outside the group ("reader"), who comments in the rounds without joining the
workshop. The link carries an unguessable token (`secrets.token_urlsafe(32)`, 256 bits);
only its SHA-256 is stored, so the database (or a backup of it) cannot give a working link
away, and the link itself is shown once, when it is made. A token is found by looking up
its hash, an exact match on a unique index: nothing is compared character by character, so
the time an answer takes tells nothing about how close a guess was.

An unknown, expired or withdrawn link gets one and the same answer, so trying links
teaches nothing about which ones exist.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .actors import Actor
from .database import begin_write
from .extensions import db
from .inputs import choice_field, is_id, text_field
from .models import Report, ReportLink, Workshop, utcnow
from .problems import Problem
from .report import require_report

ANSWER = "answer"
READER = "reader"
PURPOSES = (ANSWER, READER)
#: How long a link works, in days, unless the facilitator says otherwise; and the limits.
DEFAULT_DAYS = 30
MIN_DAYS, MAX_DAYS = 1, 90
LABEL_MAX_LENGTH = 120
#: Where each kind of link leads (the public pages in `reports/links.py` have these routes).
#: Written out rather than built with `url_for`, so a link can be made outside a request.
PATHS = {ANSWER: "/answer/{token}", READER: "/read/{token}"}


def token_hash(token: str) -> str:
    """The SHA-256 of a link's token, as stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_link(workshop: Workshop, actor: Actor, purpose: str, label: str = "",
                days: int | str | None = DEFAULT_DAYS) -> tuple[ReportLink, str]:
    """Make a private link to the workshop's report for `purpose` ("answer" or "reader"),
    for whom `label` says (a role, e.g. "Service manager"), working for `days` (1–90).

    Returns the link's row and its path with the token (e.g. "/answer/…"): the only time
    the token is known, so the caller shows it now or never.

    :raise Problem: 403 not staff; 404 no draft yet; 422 a bad purpose, label or number of days.
    """
    actor.require_staff()
    fields = {"purpose": purpose, "label": label, "days": days}
    purpose = choice_field(fields, "purpose", PURPOSES)
    label = text_field(fields, "label", LABEL_MAX_LENGTH, required=False,
                       too_long_message=_l("This can have at most %(limit)s characters.", limit=LABEL_MAX_LENGTH))
    days = _days(days)
    begin_write(workshop)
    report = require_report(workshop)
    token = secrets.token_urlsafe(32)
    link = ReportLink(report_id=report.id, purpose=purpose, token_hash=token_hash(token), label=label,
                      expires_at=utcnow() + timedelta(days=days))
    db.session.add(link)
    db.session.commit()  # nothing to push: links are the facilitator's business only
    return link, PATHS[purpose].format(token=token)


def link_for_token(token: str, purpose: str) -> ReportLink:
    """The working link of `purpose` whose token this is.

    :raise Problem: (404) unknown, expired or withdrawn, all with the same friendly answer.
    """
    link = None
    if isinstance(token, str) and 0 < len(token) <= 100:
        link = db.session.scalar(select(ReportLink).where(ReportLink.token_hash == token_hash(token)))
    if link is None or link.purpose != purpose or not is_working(link):
        raise Problem(_l("This link does not work: it may have expired or been withdrawn. Ask the person who "
                         "sent it to you for a new link."), status=404)
    return link


def is_working(link: ReportLink) -> bool:
    """Whether a link still opens its page: not withdrawn and not expired."""
    return link.revoked_at is None and link.expires_at > utcnow()


def revoke(workshop: Workshop, actor: Actor, link_id: int) -> ReportLink:
    """Withdraw a link at once (twice is fine). What was written through it stays.

    :raise Problem: 403 not staff; 404 no such link for this workshop's report.
    """
    actor.require_staff()
    begin_write(workshop)
    link = db.session.get(ReportLink, link_id) if is_id(link_id) else None
    report = require_report(workshop)
    if link is None or link.report_id != report.id:
        raise Problem(_l("This link was not found. Please reload the page."), status=404)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
    db.session.commit()
    return link


def links_of(report: Report, purpose: str | None = None) -> list[ReportLink]:
    """The report's links (of `purpose`, if given), newest first, withdrawn and expired too."""
    query = select(ReportLink).where(ReportLink.report_id == report.id)
    if purpose is not None:
        query = query.where(ReportLink.purpose == purpose)
    return list(db.session.scalars(query.order_by(ReportLink.id.desc())))


def _days(value) -> int:
    if value is None or value == "":
        return DEFAULT_DAYS
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 6:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_DAYS <= value <= MAX_DAYS:
        raise Problem(_l("A link can work for %(least)s to %(most)s days.", least=MIN_DAYS, most=MAX_DAYS),
                      field="days", status=422)
    return value
