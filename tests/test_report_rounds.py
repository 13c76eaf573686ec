"""Comment rounds (kommenttikierros): rounds, comments, +1s, replies, moderation and diffs.

First the rules called directly (no HTTP), then the phones' API, then the facilitator's pages.
"""
import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from workshop import report, report_rounds
from workshop.actors import Actor
from workshop.extensions import db
from workshop.models import Account, Comment, CommentAgreement, CommentRound, ReportSection, Workshop, utcnow
from workshop.problems import Problem
from workshop.workshops import close_workshop

from .conftest import refusal
from .xss_corpus import PAYLOADS, assert_harmless


def refused(call, *args) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args)
    return caught.value


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def comment_body(section_id: int, text: str = "Tämä kohta on tärkeä") -> dict:
    return {"uuid": str(uuid.uuid4()), "section_id": section_id, "text": text}


def first_section(found_report) -> ReportSection:
    return report.live_sections(found_report)[0]


def set_body(section: ReportSection, body: str) -> None:
    """Edit a section's text directly (the editor's rules are tested elsewhere)."""
    section.body = body
    section.version += 1
    db.session.commit()


@pytest.fixture
def drafted(room):
    """The room with its report draft made."""
    made = report.create_draft(room.workshop, room.staff)
    yield made


@pytest.fixture
def opened(room, drafted):
    """The draft with comment round 1 open."""
    yield report_rounds.open_round(room.workshop, room.staff, {})


# -- Rounds -----------------------------------------------------------------------------------


def test_a_round_freezes_the_text_while_it_is_edited(room, drafted, opened):
    section = first_section(drafted)
    before = section.body
    set_body(section, "Kokonaan uusi teksti.")
    frozen = {part["section_id"]: part for part in report_rounds.snapshot_of(opened)}
    assert frozen[section.id]["body"] == before
    assert frozen[section.id]["version"] == 1
    assert [part["section_id"] for part in report_rounds.snapshot_of(opened)] == \
        [s.id for s in report.live_sections(drafted)]
    assert opened.number == 1
    assert report_rounds.round_state(drafted) == {"number": 1, "closes_at": None, "open": True}


def test_a_second_round_cannot_open_while_one_is_open(room, drafted, opened):
    problem = refused(report_rounds.open_round, room.workshop, room.staff, {})
    assert problem.status == 409
    assert count(CommentRound) == 1


def test_closing_and_opening_the_next_round_numbers_it(room, drafted, opened):
    report_rounds.close_round(room.workshop, room.staff, opened.id)
    report_rounds.close_round(room.workshop, room.staff, opened.id)  # twice is fine
    assert report_rounds.current_round(drafted) is None
    assert report_rounds.round_state(drafted)["open"] is False
    second = report_rounds.open_round(room.workshop, room.staff, {"closes_at": "2999-01-01"})
    assert second.number == 2
    assert second.closes_at.year == 2999


def test_no_round_before_the_draft(room):
    assert refused(report_rounds.open_round, room.workshop, room.staff, {}).status == 404


@pytest.mark.parametrize("closes_at", ["2000-01-01T10:00", "2000-01-01", "tomorrow", "2999-13-01", 5])
def test_a_closing_time_must_be_a_time_in_the_future(room, drafted, closes_at):
    problem = refused(report_rounds.open_round, room.workshop, room.staff, {"closes_at": closes_at})
    assert (problem.status, problem.field) == (422, "closes_at")


def test_a_comment_after_the_closing_time_is_refused(room, drafted):
    opened = report_rounds.open_round(room.workshop, room.staff, {"closes_at": "2999-01-01T12:00"})
    opened.closes_at = utcnow() - timedelta(minutes=1)  # time has passed
    db.session.commit()
    problem = refused(report_rounds.add_comment, room.workshop, room.participant(),
                      comment_body(first_section(drafted).id))
    assert problem.status == 410
    assert "Kommenttikierros ei ole nyt auki" in str(problem.message)  # "No comment round is open now", in Finnish
    assert report_rounds.round_state(drafted)["open"] is False
    # The next round may open: the passed one counts as closed from its closing time.
    assert report_rounds.open_round(room.workshop, room.staff, {}).number == 2
    assert opened.closed_at is not None


def test_only_staff_open_and_close_rounds(room, drafted, opened):
    alice = room.participant()
    assert refused(report_rounds.open_round, room.workshop, alice, {}).status == 403
    assert refused(report_rounds.close_round, room.workshop, alice, opened.id).status == 403


# -- Comments ---------------------------------------------------------------------------------


def test_a_comment_needs_a_section_of_the_round_and_some_text(room, drafted, opened):
    alice = room.participant()
    section = first_section(drafted)
    assert refused(report_rounds.add_comment, room.workshop, alice, comment_body(section.id, "  ")).field == "text"
    assert refused(report_rounds.add_comment, room.workshop, alice, comment_body(section.id, "x" * 1001)).field == "text"
    assert refused(report_rounds.add_comment, room.workshop, alice, comment_body(999_999)).field == "section_id"
    # A section added after the round opened is not in its text.
    added = ReportSection(report_id=drafted.id, kind=section.kind, position=99, title="Uusi", body="")
    db.session.add(added)
    db.session.commit()
    assert refused(report_rounds.add_comment, room.workshop, alice, comment_body(added.id)).status == 422
    assert count(Comment) == 0


def test_a_participant_of_a_closed_workshop_still_comments_during_a_round(room, drafted, opened):
    alice = room.participant()
    close_workshop(room.workshop)
    submitted = report_rounds.add_comment(room.workshop, alice, comment_body(first_section(drafted).id))
    assert submitted.created


def test_a_resend_is_the_same_comment_and_another_content_is_refused(room, drafted, opened):
    alice, bob = room.participant(), room.participant()
    body = comment_body(first_section(drafted).id)
    first = report_rounds.add_comment(room.workshop, alice, body)
    again = report_rounds.add_comment(room.workshop, alice, body)
    assert (first.created, again.created, again.item.id) == (True, False, first.item.id)
    assert refused(report_rounds.add_comment, room.workshop, alice, {**body, "text": "Toinen"}).status == 409
    assert refused(report_rounds.add_comment, room.workshop, bob, body).status == 409
    # The round closed since: the outbox's late resend is still answered with the comment.
    report_rounds.close_round(room.workshop, room.staff, opened.id)
    assert report_rounds.add_comment(room.workshop, alice, body).item.id == first.item.id
    assert count(Comment) == 1


def test_agreeing_is_once_each_and_never_with_oneself(room, drafted, opened):
    alice, bob, carol = room.participant(), room.participant(), room.participant()
    comment = report_rounds.add_comment(room.workshop, alice, comment_body(first_section(drafted).id)).item
    for _ in range(2):
        report_rounds.agree(room.workshop, bob, comment.id)
    report_rounds.agree(room.workshop, carol, comment.id)
    report_rounds.agree(room.workshop, room.staff, comment.id)
    assert refused(report_rounds.agree, room.workshop, alice, comment.id).status == 422
    assert report_rounds.comment_state(comment, bob)["agree_count"] == 3
    report_rounds.take_back_agreement(room.workshop, carol, comment.id)
    report_rounds.take_back_agreement(room.workshop, carol, comment.id)  # twice is fine
    by_bob, by_carol = report_rounds.comment_state(comment, bob), report_rounds.comment_state(comment, carol)
    assert (by_bob["agree_count"], by_bob["agreed_by_me"], by_carol["agreed_by_me"]) == (2, True, False)
    assert count(CommentAgreement) == 2


def test_agreeing_ends_with_the_round(room, drafted, opened):
    alice, bob = room.participant(), room.participant()
    comment = report_rounds.add_comment(room.workshop, alice, comment_body(first_section(drafted).id)).item
    report_rounds.close_round(room.workshop, room.staff, opened.id)
    assert refused(report_rounds.agree, room.workshop, bob, comment.id).status == 410


def test_the_reply_is_seen_by_the_commenter_and_the_group_but_never_the_author(room, drafted, opened):
    alice, bob = room.participant(), room.participant()
    comment = report_rounds.add_comment(room.workshop, alice, comment_body(first_section(drafted).id)).item
    report_rounds.close_round(room.workshop, room.staff, opened.id)
    # Replying works after the round closed.
    report_rounds.reply(room.workshop, room.staff, comment.id, {"status": "addressed", "reply": "Korjattu tekstiin."})
    [mine] = report_rounds.comment_states(drafted, alice)
    assert mine["mine"] is True
    assert (mine["status"], mine["reply"], mine["text"]) == ("addressed", "Korjattu tekstiin.", "Tämä kohta on tärkeä")
    [theirs] = report_rounds.comment_states(drafted, bob)
    assert theirs["mine"] is False and theirs["reply"] == "Korjattu tekstiin."
    assert set(theirs) == {"id", "round", "section_id", "section_title", "text", "agree_count", "agreed_by_me",
                           "mine", "status", "reply"}


@pytest.mark.parametrize("data, field", [({"status": "done"}, "status"), ({}, "status"),
                                         ({"status": "not_taken", "reply": "x" * 501}, "reply")])
def test_a_reply_needs_a_status_and_a_short_text(room, drafted, opened, data, field):
    comment = report_rounds.add_comment(room.workshop, room.participant(),
                                        comment_body(first_section(drafted).id)).item
    assert refused(report_rounds.reply, room.workshop, room.staff, comment.id, data).field == field
    assert refused(report_rounds.reply, room.workshop, room.participant(), comment.id,
                   {"status": "addressed"}).status == 403


def test_a_hidden_comment_is_shown_to_staff_only(room, drafted, opened):
    alice, bob = room.participant(), room.participant()
    comment = report_rounds.add_comment(room.workshop, alice, comment_body(first_section(drafted).id, "Ruma")).item
    report_rounds.hide_comment(room.workshop, room.staff, comment.id)
    assert report_rounds.comment_states(drafted, bob) == []
    assert report_rounds.comment_states(drafted, alice) == []
    [seen] = report_rounds.comment_states(drafted, room.staff)
    assert seen["hidden"] is True
    assert refused(report_rounds.agree, room.workshop, bob, comment.id).status == 404
    report_rounds.hide_comment(room.workshop, room.staff, comment.id, hidden=False)
    assert len(report_rounds.comment_states(drafted, bob)) == 1


def test_the_phone_sees_the_open_round_and_the_latest_closed_one(room, drafted, opened):
    alice = room.participant()
    section = first_section(drafted)
    report_rounds.add_comment(room.workshop, alice, comment_body(section.id, "Kierros 1"))
    report_rounds.close_round(room.workshop, room.staff, opened.id)
    second = report_rounds.open_round(room.workshop, room.staff, {})
    report_rounds.add_comment(room.workshop, alice, comment_body(section.id, "Kierros 2"))
    report_rounds.close_round(room.workshop, room.staff, second.id)
    report_rounds.open_round(room.workshop, room.staff, {})
    report_rounds.add_comment(room.workshop, alice, comment_body(section.id, "Kierros 3"))
    assert [(c["round"], c["text"]) for c in report_rounds.comment_states(drafted, alice)] == \
        [(2, "Kierros 2"), (3, "Kierros 3")]


def test_a_round_change_reaches_the_walls(room, drafted, pushed):
    report_rounds.open_round(room.workshop, room.staff, {})
    [state] = [data["entity"] for _to, _event, data in pushed if data["entity"]["type"] == "report"][-1:]
    assert state["round"] == {"number": 1, "closes_at": None, "open": True}


# -- Comparing two rounds ---------------------------------------------------------------------


def test_the_diff_shows_a_changed_sentence_as_removed_and_added(room, drafted):
    sections = report.live_sections(drafted)
    changed, removed = sections[0], sections[1]
    set_body(changed, "Päiväkeskus on auki arkisin. Kahvi on hyvää.")
    first = report_rounds.open_round(room.workshop, room.staff, {})
    report_rounds.close_round(room.workshop, room.staff, first.id)
    set_body(changed, "Päiväkeskus on auki joka päivä. Kahvi on hyvää.")
    changed.title = "Miten raportti tehtiin"
    removed.removed_at = utcnow()
    added = ReportSection(report_id=drafted.id, kind=removed.kind, position=50, title="Lisätty", body="Uusi osa.")
    db.session.add(added)
    db.session.commit()
    report_rounds.open_round(room.workshop, room.staff, {})
    diff = {part["section_id"]: part for part in report_rounds.round_diff(drafted, 1, 2)}
    assert diff[changed.id]["change"] == "changed"
    assert diff[changed.id]["segments"] == [("same", "Päiväkeskus on auki"), ("removed", "arkisin."),
                                            ("added", "joka päivä."), ("same", "Kahvi on hyvää.")]
    assert diff[removed.id]["change"] == "removed"
    assert diff[added.id] == {"section_id": added.id, "title": "Lisätty", "old_title": None, "change": "added",
                              "segments": [("added", "Uusi osa.")]}
    unchanged = [part for part in diff.values() if part["section_id"] not in (changed.id, removed.id, added.id)]
    assert unchanged and all(part["change"] == "same" for part in unchanged)
    # The removed section stays where it was: right after the section it followed.
    order = [part["section_id"] for part in report_rounds.round_diff(drafted, 1, 2)]
    assert order.index(removed.id) == order.index(changed.id) + 1
    assert refused(report_rounds.round_diff, drafted, 1, 7).status == 404


# -- The phones' API ---------------------------------------------------------------------------


@pytest.fixture
def api_round(app, workshop):
    """The HTTP workshop with its draft and round 1 open; yields the first section's id."""
    with app.app_context():
        account = Account(username="paula", username_key="paula", password_hash="!")
        db.session.add(account)
        db.session.commit()
        found = db.session.get(Workshop, workshop["id"])
        staff = Actor(account=account)
        drafted = report.create_draft(found, staff)
        report_rounds.open_round(found, staff, {})
        section_id = first_section(drafted).id
    # Outside the app context: each request must have its own (and its own login).
    yield section_id


def test_two_phones_comment_agree_and_see_the_reply(app, alice, phone, staff, api_round):
    bob = phone()
    body = comment_body(api_round, "Lisää aukioloaikoja")
    created = alice.post("/report/comments", json=body)
    assert created.status_code == 201
    comment = created.get_json()["comment"]
    assert (comment["mine"], comment["text"], comment["agree_count"]) == (True, "Lisää aukioloaikoja", 0)
    resent = alice.post("/report/comments", json=body)  # the outbox sends again
    assert resent.status_code == 200 and resent.get_json()["comment"]["id"] == comment["id"]
    assert bob.post("/report/comments", json=comment_body(api_round, "Hyvä raportti")).status_code == 201
    with app.app_context():
        assert count(Comment) == 2

    for _ in range(2):
        agreed = bob.put(f"/report/comments/{comment['id']}/agree")
        assert agreed.status_code == 200
    assert agreed.get_json()["comment"]["agree_count"] == 1 and agreed.get_json()["comment"]["agreed_by_me"]
    refusal(alice.put(f"/report/comments/{comment['id']}/agree"), 422)
    assert bob.delete(f"/report/comments/{comment['id']}/agree").get_json()["comment"]["agree_count"] == 0
    bob.put(f"/report/comments/{comment['id']}/agree")

    replied = staff.post(f"/report/comments/{comment['id']}/reply", json={"status": "addressed", "reply": "Selvä!"})
    assert replied.status_code == 200
    seen = {c["text"]: c for c in alice.get("/report/comments").get_json()["comments"]}
    assert (seen["Lisää aukioloaikoja"]["reply"], seen["Lisää aukioloaikoja"]["agree_count"]) == ("Selvä!", 1)
    assert seen["Lisää aukioloaikoja"]["mine"] and not seen["Hyvä raportti"]["mine"]
    assert alice.get("/report/comments").get_json()["round"] == {"number": 1, "closes_at": None, "open": True}


def test_a_hidden_comment_leaves_the_phones(alice, phone, staff, api_round):
    comment = alice.post("/report/comments", json=comment_body(api_round, "Ruma")).get_json()["comment"]
    assert staff.post(f"/report/comments/{comment['id']}/hide", json={}).get_json()["comment"]["hidden"] is True
    assert phone().get("/report/comments").get_json()["comments"] == []
    assert alice.get("/report/comments").get_json()["comments"] == []
    refusal(phone().put(f"/report/comments/{comment['id']}/agree"), 404)


@pytest.mark.parametrize("who, status", [("anonymous", 403), ("participant", 403), ("worker", 403),
                                         ("facilitator", 200)])
def test_only_staff_reply_through_the_api(app, client, alice, phone, api_round, facilitator, who, status):
    from workshop.accounts import create_account
    from workshop.models import Role

    from .conftest import ApiClient

    comment = alice.post("/report/comments", json=comment_body(api_round)).get_json()["comment"]
    if who == "participant":
        asking = phone()
    else:
        asking = ApiClient(client, alice.code)
        if who == "worker":
            with app.app_context():
                create_account("walter", "correct horse battery", Role.WORKER)
            client.post("/facilitator/login", data={"username": "walter", "password": "correct horse battery"})
        elif who == "facilitator":
            facilitator.login(client)
    answer = asking.post(f"/report/comments/{comment['id']}/reply", json={"status": "not_taken", "reply": "Ei nyt"})
    assert answer.status_code == status
    if who != "participant":  # a participant may read the comments; the others have not joined
        assert asking.get("/report/comments").status_code == (200 if who == "facilitator" else 403)


def test_a_comment_without_a_round_is_refused_kindly(app, alice, staff, api_round):
    with app.app_context():
        db.session.execute(CommentRound.__table__.update().values(closed_at=utcnow()))
        db.session.commit()
    body = refusal(alice.post("/report/comments", json=comment_body(api_round)), 410)
    assert "Kommenttikierros ei ole nyt auki" in body["error"]  # "No comment round is open now", in Finnish


# -- The facilitator's pages ---------------------------------------------------------------------


def report_url(workshop, path=""):
    return f"/facilitator/workshops/{workshop['id']}/report{path}"


@pytest.mark.parametrize("path", ["/rounds", "/rounds/1", "/rounds/diff"])
@pytest.mark.parametrize("who, status", [("anonymous", 302), ("participant", 302), ("worker", 403),
                                         ("facilitator", 200)])
def test_the_round_pages_are_the_facilitators(app, client, workshop, facilitator, api_round, path, who, status):
    from workshop.accounts import create_account
    from workshop.models import Role

    if who == "participant":
        client.get(f"/j/{workshop['code']}")
    elif who == "worker":
        with app.app_context():
            create_account("walter", "correct horse battery", Role.WORKER)
        client.post("/facilitator/login", data={"username": "walter", "password": "correct horse battery"})
    elif who == "facilitator":
        facilitator.login(client)
    assert client.get(report_url(workshop, path)).status_code == status


def test_without_a_draft_the_rounds_page_says_so(logged_in, workshop):
    page = logged_in.get(report_url(workshop, "/rounds")).get_data(as_text=True)
    assert "Raportin luonnosta ei vielä ole." in page  # "There is no report draft yet."
    assert report_url(workshop, "/") in page


def test_the_facilitator_runs_a_round_from_the_pages(app, logged_in, alice, workshop, api_round):
    url = report_url(workshop, "/rounds")
    page = logged_in.get(url).get_data(as_text=True)
    # The workshop speaks Finnish: "Round 1 is open", "Close round 1", "Open round 2",
    # "The closing time must be in the future.", "It closes on", "Changes since round 1", "No changes".
    assert "Kierros 1 on auki" in page and "Sulje kierros 1" in page
    assert logged_in.post(url, data={"action": "close"}).status_code == 303
    page = logged_in.get(url).get_data(as_text=True)
    assert "Avaa kierros 2" in page
    refused_open = logged_in.post(url, data={"action": "open", "open-closes_at": "2001-01-01T10:00"})
    assert refused_open.status_code == 422
    assert "Sulkemisajan pitää olla tulevaisuudessa." in refused_open.get_data(as_text=True)
    assert logged_in.post(url, data={"action": "open", "open-closes_at": "2999-06-01T12:00"}).status_code == 303
    page = logged_in.get(url).get_data(as_text=True)
    assert "Kierros 2 on auki" in page and "Se sulkeutuu" in page
    assert "Muutokset kierroksen 1 jälkeen" in page
    diff = logged_in.get(report_url(workshop, "/rounds/diff?a=1&b=2")).get_data(as_text=True)
    assert "Ei muutoksia" in diff


def test_the_round_page_shows_comments_and_takes_replies(app, logged_in, alice, workshop, api_round):
    comment = alice.post("/report/comments", json=comment_body(api_round, "Kahvia enemmän")).get_json()["comment"]
    url = report_url(workshop, "/rounds/1")
    page = logged_in.get(url).get_data(as_text=True)
    assert "Kahvia enemmän" in page and "0 henkilöä on samaa mieltä" in page  # "0 people agree"
    replied = logged_in.post(report_url(workshop, f"/rounds/1/comments/{comment['id']}/reply"),
                             data={f"reply-{comment['id']}-status": "not_taken",
                                   f"reply-{comment['id']}-reply": "Budjetti ei riitä"})
    assert replied.status_code == 303
    assert alice.get("/report/comments").get_json()["comments"][0]["reply"] == "Budjetti ei riitä"
    hidden = logged_in.post(report_url(workshop, f"/rounds/1/comments/{comment['id']}/hide"), data={"hidden": "1"})
    assert hidden.status_code == 303
    # "Hidden from everyone but you"
    assert "Piilotettu kaikilta muilta paitsi sinulta" in logged_in.get(url).get_data(as_text=True)
    assert alice.get("/report/comments").get_json()["comments"] == []


def test_the_diff_page_is_understandable_without_colour(app, logged_in, workshop, api_round):
    with app.app_context():
        section = db.session.get(ReportSection, api_round)
        found = report.report_of(db.session.get(Workshop, workshop["id"]))
        staff = Actor(account=db.session.scalar(select(Account).where(Account.username == "paula")))
        for text in ("Aamulla on kylmä.", "Aamulla on lämmin."):  # rounds 2 and 3
            report_rounds.close_round(found.workshop, staff, report_rounds.current_round(found).id)
            set_body(section, text)
            report_rounds.open_round(found.workshop, staff, {})
    page = logged_in.get(report_url(workshop, "/rounds/diff")).get_data(as_text=True)  # the last two rounds
    # A screen reader announces "removed:" and "added:", in the workshop's Finnish.
    assert '<del><span class="visually-hidden">poistettu: </span>kylmä.</del>' in page
    assert '<ins><span class="visually-hidden">lisätty: </span>lämmin.</ins>' in page


def test_hostile_comments_are_harmless_on_the_pages(app, logged_in, alice, workshop, api_round):
    for payload in PAYLOADS:
        assert alice.post("/report/comments", json=comment_body(api_round, payload)).status_code == 201
    page = logged_in.get(report_url(workshop, "/rounds/1")).get_data(as_text=True)
    comments = page[page.index('<ul class="comment-list">'):]
    # Every form on the page is the facilitator's own (reply, hide): not from a comment.
    assert_harmless(comments, trusted=("<form ",))
    assert "&lt;script&gt;" in comments
    with app.app_context():
        snapshot = json.loads(db.session.scalar(select(CommentRound.snapshot)))
    assert snapshot
