"""Telling a reporter what happened to their report (issue 7): by e-mail through a real
SMTP server (aiosmtpd), or by the handler by hand."""
from __future__ import annotations

import asyncio
import email
import email.policy
import threading

import pytest
from aiosmtpd.controller import Controller
from flask_babel import force_locale
from sqlalchemy import select

from tests.servers import free_port
from tests.test_processing import UNIT, FreshLocaleClient, account, make_report
from workshop import notices, processing
from workshop.extensions import db
from workshop.models import Observation, ObservationEvent
from workshop.problems import Problem
from workshop.observation_labels import label, status_labels


class Mailbox:
    """An aiosmtpd handler that keeps every message, and refuses the recipients in `refuse`."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 <%s>: recipient unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


@pytest.fixture
def mailbox(app):
    """A real SMTP server on this machine, and the app set to send through it."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), loop=asyncio.new_event_loop())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="raportointi@example.fi")
    yield box
    controller.stop()
    controller.loop.close()


@pytest.fixture
def client(app):
    """A browser-like client that chooses each page's language afresh."""
    app.test_client_class = FreshLocaleClient
    return app.test_client()


@pytest.fixture
def region(organisation, app_context):
    """The seeded organisation, in an app context."""
    return organisation


def notice_of(event_id: int) -> ObservationEvent:
    db.session.expire_all()
    return db.session.get(ObservationEvent, event_id)


def test_a_change_is_e_mailed_to_the_reporter(region, mailbox):
    observation_id = make_report(region.units[UNIT], contact="maija@example.fi")
    number = db.session.get(Observation, observation_id).number
    event = processing.change_status(account("hanna"), observation_id, {
        "status": "forwarded", "forwarded_to": "cross_sector", "note": "Viety asunnottomuustyöryhmään."})
    assert event.notice == "pending"

    assert notices.deliver_pending() == {"sent": 1, "failed": 0}

    assert mailbox.recipients == [["maija@example.fi"]]
    message = mailbox.messages[0]
    assert message["To"] == "maija@example.fi" and message["From"] == "raportointi@example.fi"
    with force_locale("fi"):  # the organisation's language (BABEL_DEFAULT_LOCALE)
        forwarded = label(status_labels(), "forwarded")
    assert number in message["Subject"] and forwarded in message["Subject"]
    body = message.get_content()
    assert number in body and forwarded in body and "Viety asunnottomuustyöryhmään." in body
    sent = notice_of(event.id)
    assert sent.notice == "sent" and sent.noticed_at is not None
    # Nothing twice.
    assert notices.deliver_pending() == {"sent": 0, "failed": 0}
    assert len(mailbox.messages) == 1


def test_the_message_names_the_tracking_page_when_it_can(region, app):
    observation_id = make_report(region.units[UNIT], contact="maija@example.fi")
    event = processing.change_status(account("hanna"), observation_id, {"status": "considering"})
    observation = db.session.get(Observation, observation_id)

    with app.test_request_context("/handling/"):
        address = notices.tracking_address()
        _subject, body = notices.message_text(observation, event)
    if address is not None:  # the tracking page is there: its full address
        assert address.startswith("http://localhost/") and address in body
    # Without a request (no host to name) the message still says where to look.
    assert notices.tracking_address() is None
    with force_locale("en"):
        assert "tracking page" in notices.message_text(observation, event)[1]


def test_a_refused_recipient_fails_and_the_others_are_still_sent(region, mailbox, caplog):
    hanna = account("hanna")
    refused_id = make_report(region.units[UNIT], contact="ei.ole@example.fi")
    fine_id = make_report(region.units[UNIT], contact="maija@example.fi")
    mailbox.refuse.add("ei.ole@example.fi")
    refused_event = processing.change_status(hanna, refused_id, {"status": "considering"})
    fine_event = processing.change_status(hanna, fine_id, {"status": "considering"})

    assert notices.deliver_pending() == {"sent": 1, "failed": 1}

    assert notice_of(refused_event.id).notice == "failed"
    assert notice_of(fine_event.id).notice == "sent"
    assert mailbox.recipients == [["maija@example.fi"]]
    # The log says what failed, but never to whom.
    assert "SMTPRecipientsRefused" in caplog.text and "ei.ole" not in caplog.text
    # A failed one is listed for the handler to tell by hand.
    assert [event.id for event in processing.untold_events(db.session.get(Observation, refused_id))] == [
        refused_event.id]


def test_an_unreachable_mail_server_fails(region, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    observation_id = make_report(region.units[UNIT], contact="maija@example.fi")
    event = processing.change_status(account("hanna"), observation_id, {"status": "considering"})

    assert notices.deliver_pending() == {"sent": 0, "failed": 1}
    assert notice_of(event.id).notice == "failed"


def test_without_a_mail_server_or_an_address_it_stays_for_the_handler(region, app, mailbox):
    hanna = account("hanna")
    phone_id = make_report(region.units[UNIT], contact="040 123 4567")
    words_id = make_report(region.units[UNIT], contact="Maija, maija@example.fi")  # not guessed at
    phone = processing.change_status(hanna, phone_id, {"status": "considering"})
    words = processing.change_status(hanna, words_id, {"status": "considering"})
    assert notices.deliver_pending() == {"sent": 0, "failed": 0}

    e_mail_id = make_report(region.units[UNIT], contact="maija@example.fi")
    e_mail = processing.change_status(hanna, e_mail_id, {"status": "considering"})
    app.config["MAIL_SERVER"] = None
    assert notices.deliver_pending() == {"sent": 0, "failed": 0}

    assert [notice_of(event.id).notice for event in (phone, words, e_mail)] == ["pending"] * 3
    assert mailbox.messages == []


def test_the_page_tells_by_e_mail_after_the_change(region, client, mailbox):
    observation_id = make_report(region.units[UNIT], contact="maija@example.fi")
    region.accounts["hanna"].login(client)
    with client.session_transaction() as session:
        session["lang"] = "en"

    response = client.post(f"/handling/reports/{observation_id}", data={
        "action": "status", "status": "action_decided", "note": "Tukiasuntoja lisätään."})

    assert response.status_code == 303
    assert "Tukiasuntoja lisätään." in mailbox.messages[0].get_content()
    html = client.get(f"/handling/reports/{observation_id}").get_data(as_text=True)
    assert "The reporter was told by e-mail." in html and "Sent by e-mail" in html
    assert "Tell the reporter:" not in html


def test_a_broken_delivery_never_undoes_the_change(region, client, monkeypatch):
    def broken():
        raise RuntimeError("the mail module broke")

    monkeypatch.setattr(notices, "deliver_pending", broken)
    observation_id = make_report(region.units[UNIT], contact="maija@example.fi")
    region.accounts["hanna"].login(client)

    response = client.post(f"/handling/reports/{observation_id}", data={"action": "status", "status": "considering"})

    assert response.status_code == 303
    db.session.expire_all()
    event = db.session.scalar(select(ObservationEvent).order_by(ObservationEvent.id.desc()))
    assert event.status.value == "considering" and event.notice == "pending"


def test_marking_as_told(region):
    hanna = account("hanna")
    observation_id = make_report(region.units[UNIT], contact="040 123 4567")
    event = processing.change_status(hanna, observation_id, {"status": "considering"})

    told = notices.mark_told(account("dora"), observation_id, event.id)

    assert told.notice == "told" and told.noticed_at is not None
    with pytest.raises(Problem) as caught:
        notices.mark_told(hanna, observation_id, event.id)
    assert caught.value.status == 409
    with pytest.raises(Problem) as caught:
        notices.mark_told(account("heikki"), observation_id, event.id)
    assert caught.value.status == 404


@pytest.mark.parametrize("contact, address", [
    ("maija@example.fi", "maija@example.fi"),
    ("  maija.meikalainen@sote.example.fi ", "maija.meikalainen@sote.example.fi"),
    ("040 123 4567", None),
    ("Maija, maija@example.fi", None),
    ("maija@example", None),
    ("maija@example.fi\r\nBcc: x@example.fi", None),
    ("", None),
])
def test_what_counts_as_an_e_mail_address(contact, address):
    assert notices.email_address(contact) == address
