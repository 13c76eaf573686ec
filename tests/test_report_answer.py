"""Management's answer (johdon vastaus): saved through the private link, shown everywhere sanitised.

First the rules called directly, then management's page behind the link, then where the
answer shows: the facilitator's page and the report's pushed state.
"""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from workshop import ideas, report, report_answer, report_links
from workshop.actors import Actor
from workshop.extensions import db
from workshop.models import Account, IdeaAnswer, Report, Workshop, utcnow
from workshop.problems import Problem

from .xss_corpus import PAYLOADS, assert_harmless


def refused(call, *args) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args)
    return caught.value


@pytest.fixture
def answering(room):
    """Two development ideas, the draft, and management's link: `(report, link, ideas)`."""
    made = [ideas.create(room.workshop, room.staff, {"statement": statement})
            for statement in ("Päiväkeskus auki lauantaisin", "Lisää sosiaalityöntekijöitä")]
    drafted = report.create_draft(room.workshop, room.staff)
    link, _path = report_links.create_link(room.workshop, room.staff, "answer", "Johtaja", 10)
    yield drafted, link, made


def answer(made, **fields) -> dict:
    return {"by": "Aikuissosiaalityön päällikkö", "text": "Kiitos raportista.",
            "ideas": [{"idea_id": made[0].id, "action": "Kokeilu keväällä", "schedule": "Maaliskuu 2027"}], **fields}


# -- The rules ----------------------------------------------------------------------------------


def test_the_answer_is_saved_and_read_back(room, answering, pushed):
    drafted, link, made = answering
    assert report_answer.answer_state(drafted) is None
    report_answer.save_answer(drafted, link, answer(made))
    state = report_answer.answer_state(drafted)
    assert state["by"] == "Aikuissosiaalityön päällikkö"
    assert state["text_html"] == "<p>Kiitos raportista.</p>"
    assert state["ideas"] == [
        {"idea_id": made[0].id, "statement": "Päiväkeskus auki lauantaisin", "action": "Kokeilu keväällä",
         "schedule": "Maaliskuu 2027"},
        {"idea_id": made[1].id, "statement": "Lisää sosiaalityöntekijöitä", "action": "", "schedule": ""}]
    # The wall and the phones are told, with the answer in the report's state.
    [announced] = [data["entity"] for _to, _event, data in pushed if data["entity"]["type"] == "report"][-1:]
    assert announced["answer"] == state


def test_saving_again_updates_and_keeps_the_first_answer_time(room, answering):
    drafted, link, made = answering
    report_answer.save_answer(drafted, link, answer(made))
    first_time = drafted.answered_at
    report_answer.save_answer(drafted, link, answer(made, text="Muutettu.", ideas=[
        {"idea_id": made[0].id, "action": "Aloitetaan heti", "schedule": "Tammikuu"},
        {"idea_id": made[1].id, "action": "Selvitetään", "schedule": ""}]))
    assert drafted.answered_at == first_time
    state = report_answer.answer_state(drafted)
    assert state["text_html"] == "<p>Muutettu.</p>"
    assert [(i["action"], i["schedule"]) for i in state["ideas"]] == [("Aloitetaan heti", "Tammikuu"),
                                                                      ("Selvitetään", "")]
    assert len(db.session.scalars(select(IdeaAnswer)).all()) == 2


@pytest.mark.parametrize("fields, field", [
    ({"by": ""}, "by"),
    ({"by": "x" * 201}, "by"),
    ({"text": "x" * 10_001}, "text"),
    ({"text": "", "ideas": []}, "text"),
    ({"ideas": "kaikki"}, "ideas"),
    ({"ideas": [{"idea_id": 999_999, "action": "Jotain"}]}, "ideas"),
])
def test_an_answer_needs_a_role_and_something_said(room, answering, fields, field):
    drafted, link, made = answering
    problem = refused(report_answer.save_answer, drafted, link, answer(made, **fields))
    assert (problem.status, problem.field) == (422, field)
    assert drafted.answered_at is None


def test_a_too_long_action_is_named_after_its_idea(room, answering):
    drafted, link, made = answering
    problem = refused(report_answer.save_answer, drafted, link,
                      answer(made, ideas=[{"idea_id": made[1].id, "action": "x" * 2001}]))
    assert problem.field == f"action-{made[1].id}"


@pytest.mark.parametrize("spoil", ["expired", "revoked", "reader"])
def test_only_a_working_answer_link_saves(room, answering, spoil):
    drafted, link, made = answering
    if spoil == "expired":
        link.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    elif spoil == "revoked":
        report_links.revoke(room.workshop, room.staff, link.id)
    else:
        link, _path = report_links.create_link(room.workshop, room.staff, "reader", "", 5)
    assert refused(report_answer.save_answer, drafted, link, answer(made)).status == 404
    assert drafted.answered_at is None


def test_hostile_answers_are_sanitised(room, answering):
    drafted, link, made = answering
    for payload in PAYLOADS:
        report_answer.save_answer(drafted, link, answer(made, text=payload, by=payload[:200]))
        assert_harmless(report_answer.answer_state(drafted)["text_html"])


# -- Management's page --------------------------------------------------------------------------


@pytest.fixture
def seeded(app, workshop):
    """The HTTP workshop with two ideas, a draft and management's link; yields the link's path."""
    with app.app_context():
        account = Account(username="paula", username_key="paula", password_hash="!")
        db.session.add(account)
        db.session.commit()
        found = db.session.get(Workshop, workshop["id"])
        staff = Actor(account=account)
        made = [ideas.create(found, staff, {"statement": s}) for s in ("Auki lauantaisin", "Lisää ruokaa")]
        drafted = report.create_draft(found, staff)
        report.live_sections(drafted)[0].body = "Tämä on raportin teksti."
        db.session.commit()
        _link, path = report_links.create_link(found, staff, "answer", "Johtaja", 10)
        seeded = {"path": path, "ideas": [idea.id for idea in made]}
    yield seeded


def form(seeded, **fields) -> dict:
    first, second = seeded["ideas"]
    return {"by": "Palvelujohtaja", "text": "Hyvä raportti.\n\nToimimme näin.",
            f"action-{first}": "Kokeillaan", f"schedule-{first}": "Syksyllä",
            f"action-{second}": "", f"schedule-{second}": "", **fields}


def test_management_reads_the_report_and_answers(app, client, seeded):
    page = client.get(seeded["path"])
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "Tämä on raportin teksti." in text and "Auki lauantaisin" in text
    assert '<meta name="referrer" content="no-referrer">' in text
    assert f'<label class="field__label" for="action-{seeded["ideas"][0]}">' in text

    saved = client.post(seeded["path"], data=form(seeded))
    assert saved.status_code == 303
    page = client.get(saved.location).get_data(as_text=True)
    assert "Kiitos! Vastauksesi tallennettiin." in page  # "Thank you! Your answer was saved."
    assert "Palvelujohtaja" in page and "<p>Toimimme näin.</p>" in page and "Syksyllä" in page
    assert ">Kokeillaan</textarea>" in page  # the form holds the answer, to change it
    with app.app_context():
        found = db.session.scalar(select(Report))
        state = report_answer.answer_state(found)
        assert state["ideas"][0]["action"] == "Kokeillaan" and state["by"] == "Palvelujohtaja"


def test_a_refused_answer_keeps_what_was_written(client, seeded):
    first = seeded["ideas"][0]
    refused_page = client.post(seeded["path"], data=form(seeded, by="", **{f"schedule-{first}": "x" * 201}))
    assert refused_page.status_code == 422
    # "Write who answers, …" in the workshop's Finnish.
    page = refused_page.get_data(as_text=True)
    assert "Kirjoita, kuka vastaa" in page and ">Kokeillaan</textarea>" in page
    refused_page = client.post(seeded["path"], data=form(seeded, **{f"schedule-{first}": "x" * 201}))
    page = refused_page.get_data(as_text=True)
    assert f'id="schedule-{first}-error"' in page


def test_an_expired_link_cannot_answer(app, client, seeded):
    with app.app_context():
        db.session.execute(report_links.ReportLink.__table__.update().values(expires_at=utcnow() - timedelta(1)))
        db.session.commit()
    assert client.get(seeded["path"]).status_code == 404
    assert client.post(seeded["path"], data=form(seeded)).status_code == 404


def test_the_facilitator_sees_the_answer(logged_in, client, workshop, seeded):
    url = f"/facilitator/workshops/{workshop['id']}/report/answer"
    # "Management has not answered yet." and "Answered by: …" in the workshop's Finnish.
    assert "Johto ei ole vielä vastannut." in logged_in.get(url).get_data(as_text=True)
    client.post(seeded["path"], data=form(seeded))
    page = logged_in.get(url).get_data(as_text=True)
    assert "Vastaaja: Palvelujohtaja" in page and "Kokeillaan" in page


def test_hostile_answers_are_harmless_on_the_pages(logged_in, client, workshop, seeded):
    for payload in PAYLOADS:
        assert client.post(seeded["path"], data=form(seeded, text=payload, by=payload[:200],
                                                      **{f"action-{seeded['ideas'][0]}": payload})).status_code == 303
        for page in (client.get(seeded["path"]), logged_in.get(f"/facilitator/workshops/{workshop['id']}/report/answer")):
            text = page.get_data(as_text=True)
            [shown] = re.findall(r'<div class="report-answer">.*?</dl>\s*</div>', text, re.S)
            assert_harmless(shown)
