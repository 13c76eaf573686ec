"""The follow-up tracker (seuranta, issue 6): rows from the development ideas, their status
log, what participants see, and the facilitator's page."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
from flask import render_template
from sqlalchemy import func, select

from tests.conftest import PASSWORD, ApiClient, Facilitator
from tests.html_forms import post_forms
from tests.xss_corpus import PAYLOADS, assert_harmless
from workshop import followup, ideas, report
from workshop.extensions import db
from workshop.models import Change, DevelopmentTarget, IdeaAnswer, Role, TargetStatus
from workshop.problems import Problem


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def two_ideas(room):
    """Two development ideas in the room's workshop, in their order."""
    yield [ideas.create(room.workshop, room.staff, {"statement": statement})
           for statement in ("The day centre opens at 8 on weekdays", "A quiet room for resting")]


@pytest.fixture
def draft(room):
    """The room's report draft (so follow-up changes are pushed as the report's)."""
    yield report.create_draft(room.workshop, room.staff)


def report_changes(workshop) -> int:
    """How many changes of the report entity the workshop has logged."""
    return db.session.scalar(select(func.count()).select_from(Change).where(
        Change.workshop_id == workshop.id, Change.entity == "report"))


def refused(action, status: int, field: str | None = None) -> Problem:
    """Run `action`, assert it is refused with `status` (and `field`), return the refusal."""
    with pytest.raises(Problem) as caught:
        action()
    assert caught.value.status == status
    if field is not None:
        assert caught.value.field == field
    return caught.value


def main_of(html: str) -> str:
    """The page's own content, without the layout (its script tags are the app's own)."""
    return html[html.index("<main"):html.index("</main>")]


def without_our_tags(html: str) -> str:
    """`html` minus the tags the templates write themselves (forms posting to this app,
    disclosure widgets), so what is left of a dangerous kind can only come from the text."""
    html = re.sub(r'<form method="post" action="/(facilitator|r)/[^"<>]*"[^<>]*>', "", html)
    return html.replace("<details open>", "").replace("<details>", "")


# -- rows from the ideas ---------------------------------------------------------------------


def test_rows_are_made_from_the_ideas_once_each_in_their_order(room, two_ideas):
    made = followup.create_from_ideas(room.workshop, room.staff)

    assert [row.target for row in made] == [idea.statement for idea in two_ideas]
    assert [row.idea_id for row in made] == [idea.id for idea in two_ideas]
    assert all(row.status is TargetStatus.PLANNED and row.actions == "" for row in made)
    # Again: nothing new. A new idea then gets its row, after the others.
    assert followup.create_from_ideas(room.workshop, room.staff) == []
    third = ideas.create(room.workshop, room.staff, {"statement": "Free coffee"})
    assert [row.idea_id for row in followup.create_from_ideas(room.workshop, room.staff)] == [third.id]
    assert [row.target for row in followup.targets_of(room.workshop)] == [
        "The day centre opens at 8 on weekdays", "A quiet room for resting", "Free coffee"]
    assert db.session.scalar(select(func.count()).select_from(DevelopmentTarget)) == 3


def test_managements_answer_prefills_actions_and_schedule(room, two_ideas, draft):
    db.session.add(IdeaAnswer(report_id=draft.id, idea_id=two_ideas[0].id,
                              action="We try longer hours in the spring", schedule="From March 2027"))
    db.session.commit()

    first, second = followup.create_from_ideas(room.workshop, room.staff)

    assert (first.actions, first.schedule) == ("We try longer hours in the spring", "From March 2027")
    assert (second.actions, second.schedule) == ("", "")


def test_a_removed_idea_gets_no_row(room, two_ideas):
    ideas.remove(room.workshop, room.staff, two_ideas[0].id)
    assert [row.idea_id for row in followup.create_from_ideas(room.workshop, room.staff)] == [two_ideas[1].id]


# -- validation ------------------------------------------------------------------------------


def test_a_row_typed_by_hand_keeps_every_column(room):
    target = followup.add_target(room.workshop, room.staff, {
        "target": " Peer support on Fridays ", "partners": "The parish", "actions": "Find two peers\nTrain them",
        "responsible": "Head of the day centre", "schedule": "Autumn 2027", "indicator": "Visitors on Fridays",
        "done_on": ""})
    assert (target.target, target.actions, target.done_on) == ("Peer support on Fridays",
                                                                "Find two peers\nTrain them", None)
    assert target.workshop_id == room.workshop.id


@pytest.mark.parametrize("data, field", [
    ({}, "target"),
    ({"target": "   "}, "target"),
    ({"target": "x" * 301}, "target"),
    ({"target": "ok", "partners": "x" * 301}, "partners"),
    ({"target": "ok", "actions": "x" * 2001}, "actions"),
    ({"target": "ok", "responsible": "x" * 201}, "responsible"),
    ({"target": "ok", "schedule": ["not", "text"]}, "schedule"),
    ({"target": "ok", "done_on": "31.5.2027"}, "done_on"),
    ({"target": "ok", "done_on": "2027-02-30"}, "done_on"),
    ({"target": "ok", "done_on": "2027-5-3"}, "done_on"),
    ({"target": "ok", "done_on": 20270531}, "done_on"),
])
def test_bad_input_is_refused_and_writes_nothing(room, data, field):
    refused(lambda: followup.add_target(room.workshop, room.staff, data), 422, field)
    assert followup.targets_of(room.workshop) == []


def test_an_update_changes_only_the_columns_given(room):
    target = followup.add_target(room.workshop, room.staff, {"target": "Peer support", "partners": "The parish"})
    followup.update_target(room.workshop, room.staff, target.id, {"schedule": "Spring", "done_on": "2027-05-31"})
    assert (target.target, target.partners, target.schedule, target.done_on) == (
        "Peer support", "The parish", "Spring", date(2027, 5, 31))
    refused(lambda: followup.update_target(room.workshop, room.staff, target.id, {"target": ""}), 422, "target")
    refused(lambda: followup.update_target(room.workshop, room.staff, target.id, {"done_on": "tomorrow"}),
            422, "done_on")


def test_will_not_be_done_needs_a_reason(room):
    target = followup.add_target(room.workshop, room.staff, {"target": "Peer support"})
    refused(lambda: followup.set_status(room.workshop, room.staff, target.id, {"status": "not_done"}), 422, "note")
    refused(lambda: followup.set_status(room.workshop, room.staff, target.id, {"status": "finished"}), 422, "status")
    refused(lambda: followup.set_status(room.workshop, room.staff, target.id, {}), 422, "status")
    refused(lambda: followup.set_status(room.workshop, room.staff, target.id,
                                        {"status": "in_progress", "note": "x" * 501}), 422, "note")
    assert target.status is TargetStatus.PLANNED and followup.updates_of([target]) == {}

    followup.set_status(room.workshop, room.staff, target.id, {"status": "not_done", "note": "No money this year"})
    assert target.status is TargetStatus.NOT_DONE


def test_only_staff_may_keep_the_tracker_and_only_their_workshops_rows(room, make_workshop):
    participant = room.participant()
    target = followup.add_target(room.workshop, room.staff, {"target": "Peer support"})
    refused(lambda: followup.create_from_ideas(room.workshop, participant), 403)
    refused(lambda: followup.add_target(room.workshop, participant, {"target": "x"}), 403)
    refused(lambda: followup.update_target(room.workshop, participant, target.id, {"target": "x"}), 403)
    refused(lambda: followup.set_status(room.workshop, participant, target.id, {"status": "done"}), 403)

    from workshop.workshops import create_workshop

    other = create_workshop("Toinen", "Kallio")
    refused(lambda: followup.update_target(other, room.staff, target.id, {"target": "x"}), 404)
    refused(lambda: followup.set_status(other, room.staff, target.id, {"status": "done"}), 404)
    refused(lambda: followup.set_status(room.workshop, room.staff, 2**80, {"status": "done"}), 404)


# -- the status log --------------------------------------------------------------------------


def test_status_changes_are_logged_newest_first_and_done_gets_a_date(room):
    target = followup.add_target(room.workshop, room.staff, {"target": "Peer support"})
    followup.set_status(room.workshop, room.staff, target.id, {"status": "in_progress", "note": "Two peers found"})
    followup.set_status(room.workshop, room.staff, target.id, {"status": "done", "note": "Started in May"})
    assert target.done_on == followup.today()

    states = followup.public_states(room.workshop)
    assert [(u["status"], u["note"]) for u in states[0]["updates"]] == [
        ("done", "Started in May"), ("in_progress", "Two peers found")]
    assert states[0]["status_label"] == dict(followup.status_labels())["done"]

    # Not done after all: the date goes with it. A date given by hand is kept when done.
    followup.set_status(room.workshop, room.staff, target.id, {"status": "in_progress", "note": "Paused"})
    assert target.done_on is None
    followup.update_target(room.workshop, room.staff, target.id, {"done_on": "2027-01-15"})
    followup.set_status(room.workshop, room.staff, target.id, {"status": "done"})
    assert target.done_on == date(2027, 1, 15)


def test_what_participants_see_names_no_account(room):
    target = followup.add_target(room.workshop, room.staff, {"target": "Peer support", "responsible": "Day centre"})
    followup.set_status(room.workshop, room.staff, target.id, {"status": "in_progress", "note": "Begun"})

    states = followup.public_states(room.workshop)

    assert set(states[0]) == {"id", "target", "partners", "actions", "responsible", "schedule", "indicator",
                              "status", "status_label", "done_on", "updated_at", "updates"}
    assert set(states[0]["updates"][0]) == {"status", "status_label", "note", "at"}
    assert "paula" not in json.dumps(states)  # the facilitator's account name


def test_status_labels_speak_the_current_language(app_context):
    from flask_babel import force_locale

    with force_locale("en"):
        assert followup.status_labels() == [("planned", "Planned"), ("in_progress", "In progress"),
                                            ("done", "Done"), ("not_done", "Will not be done")]


def test_a_change_is_pushed_as_the_reports_only_when_there_is_a_report(room, pushed):
    target = followup.add_target(room.workshop, room.staff, {"target": "Peer support"})
    assert report_changes(room.workshop) == 0 and pushed == []

    draft = report.create_draft(room.workshop, room.staff)
    before = report_changes(room.workshop)
    followup.set_status(room.workshop, room.staff, target.id, {"status": "in_progress", "note": "Begun"})

    assert report_changes(room.workshop) == before + 1
    states = [data["entity"] for _to, _event, data in pushed if data["entity"]["type"] == "report"]
    assert states[-1]["id"] == draft.id
    assert states[-1]["follow_up"][0]["updates"][0]["note"] == "Begun"


# -- HTTP: who may see what ------------------------------------------------------------------


def quick_account(app, name: str, role: Role) -> Facilitator:
    """An account with a one-round hash (see conftest's `facilitator`)."""
    from unittest import mock

    from werkzeug.security import generate_password_hash

    from workshop.accounts import create_account

    with app.app_context(), mock.patch("workshop.accounts.generate_password_hash",
                                       lambda password: generate_password_hash(password, method="pbkdf2:sha256:1")):
        create_account(name, PASSWORD, role)
    return Facilitator(name, PASSWORD)


@pytest.fixture
def visitor(app, facilitator):
    """`visitor(who)`: a client that is nobody, an outreach worker, or the facilitator."""

    def make(who: str):
        client = app.test_client()
        if who == "worker":
            assert quick_account(app, "ville", Role.WORKER).login(client).status_code == 303
        elif who == "facilitator":
            assert facilitator.login(client).status_code == 303
        return client

    yield make


@pytest.mark.parametrize("page", ["follow-up", "feedback"])
@pytest.mark.parametrize("who, status", [("anonymous", 302), ("worker", 403), ("facilitator", 200)])
def test_only_a_facilitator_opens_the_pages(visitor, workshop, page, who, status):
    response = visitor(who).get(f"/facilitator/workshops/{workshop['id']}/report/{page}")
    assert response.status_code == status
    if who == "anonymous":
        assert "/facilitator/login" in response.headers["Location"]


@pytest.mark.parametrize("who, status", [("this workshop's participant", 200), ("another workshop's participant", 403),
                                         ("nobody", 403), ("facilitator", 200)])
def test_the_api_serves_this_workshops_participants_and_staff(app, phone, make_workshop, workshop, visitor, who,
                                                              status):
    with app.app_context():
        from workshop.models import Workshop

        followup.add_target(db.session.get(Workshop, workshop["id"]), staff_actor(app), {"target": "Peer support"})
    if who == "this workshop's participant":
        client = phone()
    elif who == "another workshop's participant":
        client = ApiClient(phone(make_workshop(title="Toinen")["code"]).client, workshop["code"])
    else:
        client = ApiClient(visitor("facilitator" if who == "facilitator" else "anonymous"), workshop["code"])

    response = client.get("/follow-up")

    assert response.status_code == status
    if status == 200:
        assert [row["target"] for row in response.get_json()["targets"]] == ["Peer support"]


def staff_actor(app):
    """A facilitator as the rules see one (an account with no login)."""
    from workshop.actors import Actor
    from workshop.models import Account

    account = db.session.scalar(select(Account).where(Account.username == "paula"))
    if account is None:
        account = Account(username="paula", username_key="paula", password_hash="!")
        db.session.add(account)
        db.session.commit()
    return Actor(account=account)


# -- HTTP: the facilitator's page ------------------------------------------------------------


@pytest.fixture
def tracker_page(logged_in, workshop, app):
    """The logged-in facilitator's client, the page's address, and two ideas to follow."""
    with app.app_context():
        from workshop.models import Workshop

        item = db.session.get(Workshop, workshop["id"])
        for statement in ("The day centre opens at 8", "A quiet room"):
            ideas.create(item, staff_actor(app), {"statement": statement})
    yield logged_in, f"/facilitator/workshops/{workshop['id']}/report/follow-up"


def target_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(DevelopmentTarget.id).order_by(DevelopmentTarget.position)))


def test_the_facilitator_makes_rows_from_the_ideas_and_sees_them_in_the_table(app, tracker_page):
    client, url = tracker_page
    page = client.get(url).get_data(as_text=True)
    assert "2 kehittämisideaa on vielä ilman riviä." in page  # the workshop speaks Finnish

    response = client.post(url, data={"action": "from_ideas"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#targets-heading")

    page = client.get(url).get_data(as_text=True)
    table = page[page.index("<table"):page.index("</table>")]
    assert "<caption" in table and "The day centre opens at 8" in table and "A quiet room" in table
    assert len(re.findall(r'<th scope="col">', table)) == 8
    assert 'name="action" value="from_ideas"' not in page  # every idea has its row now


def test_the_facilitator_adds_edits_and_moves_a_row(app, tracker_page):
    client, url = tracker_page
    response = client.post(url, data={"action": "add", "new-action": "add", "new-target": "Peer support",
                                      "new-responsible": "Head of the day centre"})
    assert response.status_code == 303
    (target_id,) = target_ids(app)

    response = client.post(url, data={"action": "edit", "target_id": str(target_id), "edit-%d-target" % target_id:
                                      "Peer support on Fridays", "edit-%d-done_on" % target_id: ""})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#target-{target_id}")
    response = client.post(url, data={"action": "status", "target_id": str(target_id),
                                      f"status-{target_id}-status": "done", f"status-{target_id}-note": "It works"})
    assert response.status_code == 303

    page = client.get(url).get_data(as_text=True)
    assert "Peer support on Fridays" in page and "It works" in page
    with app.app_context():
        target = db.session.get(DevelopmentTarget, target_id)
        assert target.status is TargetStatus.DONE and target.done_on == followup.today()
        assert target.responsible == ""  # an edit form sends every column: the emptied one is emptied


def test_a_refused_form_comes_back_with_the_reason_beside_the_field(app, tracker_page):
    client, url = tracker_page
    client.post(url, data={"action": "add", "new-target": "Peer support"})
    (target_id,) = target_ids(app)

    response = client.post(url, data={"action": "status", "target_id": str(target_id),
                                      f"status-{target_id}-status": "not_done", f"status-{target_id}-note": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="field__error" id="status-{target_id}-note-error">([^<]+)</p>', page)
    assert error is not None
    assert f'aria-describedby="status-{target_id}-note-hint status-{target_id}-note-error"' in page

    response = client.post(url, data={"action": "add", "new-target": "x", "new-done_on": "31.12.2027"})
    assert response.status_code == 422
    assert 'id="new-done_on-error"' in response.get_data(as_text=True)
    assert 'value="31.12.2027"' in response.get_data(as_text=True)  # what was typed is kept
    assert target_ids(app) == [target_id]


def test_a_post_without_a_known_action_changes_nothing(app, tracker_page):
    client, url = tracker_page
    for data in ({}, {"action": "delete"}, {"action": "edit", "target_id": "x"}):
        response = client.post(url, data=data)
        assert response.status_code == 303
    assert target_ids(app) == []


def test_the_page_needs_its_form_token(app_factory, facilitator, make_workshop):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    workshop = make_workshop()
    page = client.get("/facilitator/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/facilitator/login", data={"username": "anna", "password": PASSWORD, "csrf_token": token})

    response = client.post(f"/facilitator/workshops/{workshop['id']}/report/follow-up",
                           data={"action": "add", "new-target": "Peer support"})
    assert response.status_code == 400
    assert target_ids(app) == []


def test_every_form_works_with_the_names_the_page_gives_it(app_factory, facilitator, make_workshop):
    """Posted as a browser posts them: the fields the page renders, with the form token."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    workshop = make_workshop()
    page = client.get("/facilitator/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/facilitator/login", data={"username": "anna", "password": PASSWORD, "csrf_token": token})
    url = f"/facilitator/workshops/{workshop['id']}/report/follow-up"

    (add,) = [form for form in post_forms(client.get(url).get_data(as_text=True)) if "add-heading" in form["action"]]
    assert client.post(add["action"], data={**add["fields"], "new-target": "Peer support"}).status_code == 303
    (target_id,) = target_ids(app)
    forms = post_forms(client.get(url).get_data(as_text=True))
    (status,) = [form for form in forms if f"status-{target_id}-status" in form["fields"]]
    response = client.post(status["action"], data={**status["fields"], f"status-{target_id}-status": "in_progress"})
    assert response.status_code == 303
    (edit,) = [form for form in forms if f"edit-{target_id}-target" in form["fields"]]
    response = client.post(edit["action"], data={**edit["fields"], f"edit-{target_id}-target": "Peer support group"})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(DevelopmentTarget, target_id)
        assert (row.target, row.status) == ("Peer support group", TargetStatus.IN_PROGRESS)


# -- hostile text ----------------------------------------------------------------------------


def test_hostile_text_in_the_tracker_is_shown_as_text(app, tracker_page):
    client, url = tracker_page
    for payload in PAYLOADS:
        data = {"action": "add", "new-target": payload[:300]}
        for column in ("partners", "actions", "responsible", "schedule", "indicator"):
            data[f"new-{column}"] = payload
        assert client.post(url, data=data).status_code == 303
    first = target_ids(app)[0]
    client.post(url, data={"action": "status", "target_id": str(first), f"status-{first}-status": "not_done",
                           f"status-{first}-note": " ".join(PAYLOADS)[:500]})

    page = main_of(client.get(url).get_data(as_text=True))
    assert "&lt;script&gt;" in page
    assert_harmless(without_our_tags(page))

    with app.test_request_context():
        from workshop.models import Workshop

        states = followup.public_states(db.session.get(Workshop, 1))
        exported = render_template("report/_follow_up.html", targets=states)
    assert "&lt;script&gt;" in exported
    assert_harmless(exported)


def test_the_reports_follow_up_part_is_a_captioned_table_with_headings_from_h3(app_context, room):
    target = followup.add_target(room.workshop, room.staff, {"target": "Peer support", "done_on": "2027-05-31"})
    followup.set_status(room.workshop, room.staff, target.id, {"status": "in_progress", "note": "Begun"})
    with app_context.test_request_context():
        html = render_template("report/_follow_up.html", targets=followup.public_states(room.workshop))
    assert "<caption>" in html and "<button" not in html and "<form" not in html
    assert re.findall(r"<h(\d)", html) == ["3", "4"]
    assert "Begun" in html and "Peer support" in html
