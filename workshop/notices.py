"""Telling a reporter who left contact details what happened to their report (issue 7).

Each progress-log entry of a report with a contact starts with the notice "pending"
(`processing.change_status`). `deliver_pending()` then e-mails every pending entry whose
report's contact is an e-mail address, when a mail server is set (`MAIL_SERVER`): one
plain-text message in the organisation's language (`BABEL_DEFAULT_LOCALE`) with the report
number, the new status, the note and the tracking page's address. A sent entry becomes
"sent", a refused or unreachable server makes it "failed" (the handler sees it and tells
the reporter another way). Without a mail server, or for a phone number, the entry stays
"pending": the handler's page says whom to tell and what, and "I have told them"
(`mark_told`) makes it "told".

An entry is claimed ("sending", in its own short commit) before its message goes out, so
two requests delivering at once never send one message twice, and the database is not
locked while the mail server answers. An entry left "sending" by a process that stopped
mid-way is listed for the handler like a pending one.

Addresses never go into the log: a mail server's refusal often quotes the address.
"""
from __future__ import annotations

import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.routing import BuildError

from . import processing
from .database import begin_write
from .extensions import db
from .inputs import is_id
from .models import Account, Observation, ObservationEvent, ObservationStatus, utcnow
from .observation_labels import forwarded_labels, label, status_labels
from .problems import Problem

log = logging.getLogger(__name__)

#: Seconds to wait for the mail server before the message counts as failed.
SMTP_TIMEOUT = 10
#: One address and nothing else (no spaces, so no header can be smuggled in).
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+")


def email_address(contact: str) -> str | None:
    """The contact as an e-mail address, or None when it is something else (a phone number).

    Only a contact that is one address as a whole counts: a contact with other words in it
    is left to the handler rather than guessed at.
    """
    contact = (contact or "").strip()
    return contact if _EMAIL.fullmatch(contact) else None


def mail_configured() -> bool:
    """Whether a mail server is set for telling reporters by e-mail."""
    return bool(current_app.config.get("MAIL_SERVER"))


def deliver_pending() -> dict[str, int]:
    """E-mail every pending notice that can be e-mailed; return how many were "sent" and "failed".

    Never raises for a mail server's trouble: each message that cannot be sent is marked
    "failed" and the others are still tried. Call it after the change is committed: it
    works in short transactions of its own.
    """
    done = {"sent": 0, "failed": 0}
    if not mail_configured():
        return done
    pending = db.session.execute(
        select(ObservationEvent.id, Observation.contact)
        .join(Observation, Observation.id == ObservationEvent.observation_id)
        .where(ObservationEvent.notice == "pending", Observation.contact != "")
        .order_by(ObservationEvent.id)).all()
    db.session.commit()  # ends the read: each message below has its own short transactions
    for event_id, contact in pending:
        address = email_address(contact)
        if address is None or not _claim(event_id):
            continue
        event = db.session.get(ObservationEvent, event_id)
        message = _message(event, address)
        db.session.commit()  # nothing is held open while the mail server answers
        try:
            _send(message)
        except (smtplib.SMTPException, OSError) as error:
            # The error's text may quote the address: only its kind and code go to the log.
            log.warning("Telling the reporter of log entry %s by e-mail failed: %s %s", event_id,
                        type(error).__name__, getattr(error, "smtp_code", ""))
            outcome = "failed"
        else:
            outcome = "sent"
        _finish(event_id, outcome)
        done[outcome] += 1
    return done


def _claim(event_id: int) -> bool:
    """Mark the entry "sending" if it is still pending; False when someone else took it."""
    begin_write()
    claimed = db.session.execute(
        update(ObservationEvent).where(ObservationEvent.id == event_id, ObservationEvent.notice == "pending")
        .values(notice="sending", noticed_at=utcnow())).rowcount
    db.session.commit()
    return claimed == 1


def _finish(event_id: int, outcome: str) -> None:
    begin_write()
    db.session.execute(update(ObservationEvent).where(ObservationEvent.id == event_id)
                       .values(notice=outcome, noticed_at=utcnow()))
    db.session.commit()


def _send(message: EmailMessage) -> None:
    """Hand one message to the configured mail server."""
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=SMTP_TIMEOUT) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def _message(event: ObservationEvent, address: str) -> EmailMessage:
    """The plain-text message about one log entry, in the organisation's language."""
    observation = db.session.get(Observation, event.observation_id)
    config = current_app.config
    with force_locale(config.get("BABEL_DEFAULT_LOCALE") or "fi"):
        subject, body = message_text(observation, event)
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "kuulluksi@localhost"
    message["To"] = address
    message["Subject"] = subject
    # The sender's domain, not the host's name: looking that up can hang on a laptop offline.
    message["Message-ID"] = make_msgid(domain=message["From"].rpartition("@")[2].strip(">") or "localhost")
    message.set_content(body)
    return message


def what_happened(event: ObservationEvent) -> str:
    """The entry's news in one line, in the current language: the status (and where to)."""
    status = label(status_labels(), event.status)
    if event.status is ObservationStatus.FORWARDED and event.forwarded_to is not None:
        return _("%(status)s: %(where)s", status=status, where=label(forwarded_labels(), event.forwarded_to))
    return status


def message_text(observation: Observation, event: ObservationEvent) -> tuple[str, str]:
    """The subject and body telling the reporter about `event`, in the current language."""
    subject = _("Your report %(number)s: %(status)s", number=observation.number,
                status=label(status_labels(), event.status))
    lines = [_("Hello,"), "",
             _("There is news about the social reporting report you made. Its number is %(number)s.",
               number=observation.number), "",
             _("Status: %(status)s", status=what_happened(event))]
    if event.note:
        lines += ["", _("Note from the person handling it:"), event.note]
    tracking = tracking_address()
    lines += [""]
    if tracking:
        lines.append(_("You can follow the report with its number on the tracking page: %(address)s",
                       address=tracking))
    else:
        lines.append(_("You can follow the report with its number on the tracking page of the reporting form."))
    lines += ["", _("This message was sent automatically. Please do not answer it.")]
    return subject, "\n".join(lines) + "\n"


def tracking_address() -> str | None:
    """The tracking page's full address, or None when it cannot be made here."""
    try:
        return url_for("observe.track", _external=True)
    except (BuildError, RuntimeError):
        # No tracking page in this build, or no request to take the host from (and no
        # SERVER_NAME): the message still says where to look.
        return None


def mark_told(account: Account, observation_id, event_id) -> ObservationEvent:
    """Record that a handler told the reporter about a log entry by hand ("told").

    :raise Problem: 404 the report is not the account's to see, or the entry is not its;
        403 seen but not handled by it; 409 the reporter was already told about it.
    """
    begin_write()
    observation = processing.report_for(account, observation_id)
    if not processing.may_handle(account, observation):
        raise Problem(_l("Only the unit's supervisor and the director handle this report."), status=403)
    event = db.session.get(ObservationEvent, event_id) if is_id(event_id) else None
    if event is None or event.observation_id != observation.id:
        raise Problem(_l("This entry of the progress log was not found. Please reload the page."), status=404)
    if event.notice not in processing.UNTOLD_NOTICES:
        raise Problem(_l("The reporter has already been told about this."), status=409)
    event.notice = "told"
    event.noticed_at = utcnow()
    db.session.commit()
    return event
