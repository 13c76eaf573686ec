"""Private links to the report: management's and invited readers', and the pages they open.

First the rules called directly, then the facilitator's link pages, then the public pages
behind the links (the invited reader's; management's page is in test_report_answer.py).
"""
import hashlib
import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from workshop import contributions, report, report_links, report_rounds
from workshop.actors import Actor
from workshop.extensions import db
from workshop.models import Account, Comment, CommentAgreement, ReportLink, Workshop, utcnow
from workshop.problems import Problem

from .conftest import make_picture
from .xss_corpus import PAYLOADS, assert_harmless

#: "This link does not work: it may have expired or been withdrawn." in Finnish, the workshop's language.
UNKNOWN = "Tämä linkki ei toimi: se on ehkä vanhentunut tai peruttu."


def refused(call, *args) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args)
    return caught.value


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[1]


@pytest.fixture
def drafted(room):
    """The room with its report draft made."""
    yield report.create_draft(room.workshop, room.staff)


# -- The rules ----------------------------------------------------------------------------------


def test_only_the_hash_of_the_token_is_stored(room, drafted):
    link, path = report_links.create_link(room.workshop, room.staff, "answer", "Palvelupäällikkö", 14)
    token = token_of(path)
    assert path == f"/answer/{token}" and len(token) >= 43
    stored = db.session.execute(select(ReportLink.__table__)).one()._asdict()
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in stored.values())
    assert stored["label"] == "Palvelupäällikkö"
    assert timedelta(days=13, hours=23) < link.expires_at - utcnow() <= timedelta(days=14)
    assert report_links.link_for_token(token, "answer").id == link.id


def test_a_reader_link_leads_to_the_reader_page_for_thirty_days_by_default(room, drafted):
    link, path = report_links.create_link(room.workshop, room.staff, "reader", "", None)
    assert path.startswith("/read/")
    assert timedelta(days=29) < link.expires_at - utcnow() <= timedelta(days=30)


@pytest.mark.parametrize("days", [0, 91, "many", -1, True, 2.5])
def test_a_link_works_for_one_to_ninety_days(room, drafted, days):
    problem = refused(report_links.create_link, room.workshop, room.staff, "answer", "", days)
    assert (problem.status, problem.field) == (422, "days")


def test_a_link_has_a_known_purpose_and_only_staff_make_or_withdraw_them(room, drafted):
    assert refused(report_links.create_link, room.workshop, room.staff, "admin", "", 5).field == "purpose"
    alice = room.participant()
    assert refused(report_links.create_link, room.workshop, alice, "answer", "", 5).status == 403
    link, _path = report_links.create_link(room.workshop, room.staff, "answer", "", 5)
    assert refused(report_links.revoke, room.workshop, alice, link.id).status == 403
    assert count(ReportLink) == 1


def test_no_link_before_the_draft(room):
    assert refused(report_links.create_link, room.workshop, room.staff, "answer", "", 5).status == 404


@pytest.mark.parametrize("spoil", ["unknown", "expired", "revoked", "other purpose", "empty", "long"])
def test_a_link_that_does_not_work_gets_the_same_answer(room, drafted, spoil):
    link, path = report_links.create_link(room.workshop, room.staff, "answer", "", 5)
    token = token_of(path)
    if spoil == "unknown":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif spoil == "expired":
        link.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    elif spoil == "revoked":
        report_links.revoke(room.workshop, room.staff, link.id)
    elif spoil == "empty":
        token = ""
    elif spoil == "long":
        token = "x" * 5000
    purpose = "reader" if spoil == "other purpose" else "answer"
    problem = refused(report_links.link_for_token, token, purpose)
    assert problem.status == 404 and str(problem.message).startswith(UNKNOWN)


def test_links_are_listed_newest_first_and_withdrawing_twice_is_fine(room, drafted):
    first, _ = report_links.create_link(room.workshop, room.staff, "answer", "A", 5)
    second, _ = report_links.create_link(room.workshop, room.staff, "reader", "B", 5)
    assert [link.id for link in report_links.links_of(drafted)] == [second.id, first.id]
    assert [link.id for link in report_links.links_of(drafted, "answer")] == [first.id]
    report_links.revoke(room.workshop, room.staff, first.id)
    revoked_at = first.revoked_at
    report_links.revoke(room.workshop, room.staff, first.id)
    assert first.revoked_at == revoked_at and not report_links.is_working(first)
    assert refused(report_links.revoke, room.workshop, room.staff, 999).status == 404


# -- Over HTTP: a seeded workshop ---------------------------------------------------------------


@pytest.fixture
def seeded(app, workshop):
    """The HTTP workshop with a drawing, a hidden drawing, a draft, round 1 open and links."""
    with app.app_context():
        account = Account(username="paula", username_key="paula", password_hash="!")
        db.session.add(account)
        db.session.commit()
        found = db.session.get(Workshop, workshop["id"])
        staff = Actor(account=account)
        from workshop.wall import boards, update_item

        board = boards(found)[0]
        drawings = [contributions.submit(found, staff, {"uuid": str(uuid.uuid4()), "kind": "drawing",
                                                        "board_id": board.id, "text": caption},
                                         image=make_picture()).item for caption in ("Kahvikuppi", "Piilotettu")]
        drafted = report.create_draft(found, staff)
        first = report.live_sections(drafted)[0]
        first.body = f"Päiväkeskus on auki.\n\n![](picture:{drawings[0].id})\n\n![](picture:{drawings[1].id})\n"
        db.session.commit()
        update_item(found, staff, drawings[1].id, {"hidden": True})
        report_rounds.open_round(found, staff, {})
        _link, reader_path = report_links.create_link(found, staff, "reader", "Kumppani", 10)
        _link, answer_path = report_links.create_link(found, staff, "answer", "Johtaja", 10)
        seeded = {"section_id": first.id, "reader": reader_path, "answer": answer_path,
                  "picture": drawings[0].image_name, "hidden_picture": drawings[1].image_name}
    yield seeded


def report_url(workshop, path=""):
    return f"/facilitator/workshops/{workshop['id']}/report{path}"


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("participant", 302), ("worker", 403),
                                         ("facilitator", 200)])
def test_the_links_page_is_the_facilitators(app, client, workshop, facilitator, seeded, who, status):
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
    assert client.get(report_url(workshop, "/answer")).status_code == status
    made = client.post(report_url(workshop, "/answer"), data={"answer-label": "Johtaja", "answer-days": "7"})
    assert made.status_code == (201 if who == "facilitator" else status)


def test_the_full_link_is_shown_once_and_can_be_withdrawn(app, logged_in, workshop, seeded):
    made = logged_in.post(report_url(workshop, "/answer"), data={"answer-label": "Vastuuhenkilö", "answer-days": "7"})
    assert made.status_code == 201
    page = made.get_data(as_text=True)
    assert "Kopioi se nyt: se näytetään vain tämän kerran." in page  # "Copy it now: it is shown only this once."
    [url] = re.findall(r'value="(http://[^"]+/answer/[^"]+)"', page)
    token = url.rsplit("/", 1)[1]
    assert token not in logged_in.get(report_url(workshop, "/answer")).get_data(as_text=True)
    assert "Vastuuhenkilö" in logged_in.get(report_url(workshop, "/answer")).get_data(as_text=True)
    assert logged_in.get(f"/answer/{token}").status_code == 200

    with app.app_context():
        link_id = db.session.scalar(select(ReportLink.id).where(ReportLink.label == "Vastuuhenkilö"))
    withdrawn = logged_in.post(report_url(workshop, f"/links/{link_id}/revoke"))
    assert withdrawn.status_code == 303 and withdrawn.location.endswith("/answer#links-heading")
    assert "Peruttu" in logged_in.get(report_url(workshop, "/answer")).get_data(as_text=True)  # "Withdrawn"
    gone = logged_in.get(f"/answer/{token}")
    assert gone.status_code == 404 and UNKNOWN in gone.get_data(as_text=True)


def test_a_bad_number_of_days_is_said_beside_the_field(logged_in, workshop, seeded):
    made = logged_in.post(report_url(workshop, "/answer"), data={"answer-label": "X", "answer-days": "365"})
    assert made.status_code == 422
    assert 'aria-invalid="true"' in made.get_data(as_text=True)


def test_reader_links_are_made_on_the_rounds_page(logged_in, workshop, seeded):
    made = logged_in.post(report_url(workshop, "/rounds"),
                          data={"action": "link", "reader-label": "Naapurikeskus", "reader-days": "3"})
    assert made.status_code == 201
    [url] = re.findall(r'value="(http://[^"]+/read/[^"]+)"', made.get_data(as_text=True))
    assert logged_in.get(urlsplit(url).path).status_code == 200


# -- The invited reader's page ------------------------------------------------------------------


def test_a_wrong_token_is_a_friendly_404_on_every_public_page(client, seeded):
    for path in ("/read/nonsense", "/answer/nonsense", seeded["answer"].replace("/answer/", "/read/"),
                 seeded["reader"].replace("/read/", "/answer/"), "/read/nonsense/pictures/x.png"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert UNKNOWN in answer.get_data(as_text=True)


def test_the_reader_page_is_private(client, seeded):
    page = client.get(seeded["reader"])
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in page.get_data(as_text=True)


def test_a_reader_comments_once_per_form_and_agrees(app, client, alice, seeded):
    page = client.get(seeded["reader"]).get_data(as_text=True)
    assert "Päiväkeskus on auki." in page and "kommenttikierroksella 1" in page  # "… in comment round 1"
    [form_uuid] = re.findall(rf'name="uuid" value="([^"]+)">\s*<input type="hidden" name="section_id" '
                             rf'value="{seeded["section_id"]}"', page)
    form = {"action": "comment", "uuid": form_uuid, "section_id": seeded["section_id"], "text": "Hyvä kohta"}
    for _ in range(2):  # sent twice (a double click, a reload): one comment
        assert client.post(seeded["reader"], data=form).status_code == 303
    with app.app_context():
        assert count(Comment) == 1
        assert db.session.scalar(select(Comment.link_id)) is not None
    page = client.get(seeded["reader"]).get_data(as_text=True)
    assert "Hyvä kohta" in page and "· Kommenttisi" in page  # "· Your comment" beside the reader's own

    phone_comment = alice.post("/report/comments", json={"uuid": str(uuid.uuid4()),
                                                         "section_id": seeded["section_id"],
                                                         "text": "Puhelimesta"}).get_json()["comment"]
    for _ in range(2):
        client.post(seeded["reader"], data={"action": "agree", "comment_id": phone_comment["id"]})
    with app.app_context():
        assert count(CommentAgreement) == 1
    assert "1 henkilö on samaa mieltä" in client.get(seeded["reader"]).get_data(as_text=True)  # "1 person agrees"
    assert alice.get("/report/comments").get_json()["comments"][1]["agree_count"] == 1
    client.post(seeded["reader"], data={"action": "take_back", "comment_id": phone_comment["id"]})
    with app.app_context():
        assert count(CommentAgreement) == 0


def test_an_empty_comment_is_said_beside_its_field(client, seeded):
    answer = client.post(seeded["reader"], data={"action": "comment", "uuid": str(uuid.uuid4()),
                                                 "section_id": seeded["section_id"], "text": "  "})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert f'id="comment-text-{seeded["section_id"]}-error"' in page and "Kirjoita ensin kommenttisi." in page


def test_after_the_round_the_reader_sees_the_replies(app, client, seeded):
    form = {"action": "comment", "uuid": str(uuid.uuid4()), "section_id": seeded["section_id"], "text": "Kysymys"}
    client.post(seeded["reader"], data=form)
    with app.app_context():
        found = db.session.scalar(select(Workshop))
        staff = Actor(account=db.session.scalar(select(Account).where(Account.username == "paula")))
        drafted = report.report_of(found)
        report_rounds.close_round(found, staff, report_rounds.current_round(drafted).id)
        report_rounds.reply(found, staff, db.session.scalar(select(Comment.id)), {"status": "addressed",
                                                                                  "reply": "Vastattu"})
    page = client.get(seeded["reader"]).get_data(as_text=True)
    # "No comment round is open now." and "Taken into account" in the workshop's Finnish.
    assert "Kommenttikierros ei ole nyt auki." in page
    assert "Otettu huomioon" in page and "Vastattu" in page
    assert 'name="text"' not in page
    late = client.post(seeded["reader"], data={**form, "uuid": str(uuid.uuid4())})
    assert late.status_code == 410


def test_the_reader_page_shows_the_reports_pictures_only(client, seeded):
    page = client.get(seeded["reader"]).get_data(as_text=True)
    picture_url = f"{seeded['reader']}/pictures/{seeded['picture']}"
    assert f'src="{picture_url}"' in page and "Kahvikuppi" in page
    assert seeded["hidden_picture"] not in page
    with client.get(picture_url) as shown:
        assert shown.status_code == 200 and shown.mimetype.startswith("image/")
        assert "no-store" in shown.headers["Cache-Control"]
    assert client.get(f"{seeded['reader']}/pictures/{seeded['hidden_picture']}").status_code == 404
    assert client.get(f"{seeded['reader']}/pictures/../../etc/passwd").status_code == 404


def test_hostile_comments_are_harmless_on_the_reader_page(client, alice, seeded):
    for payload in PAYLOADS:
        assert alice.post("/report/comments", json={"uuid": str(uuid.uuid4()), "section_id": seeded["section_id"],
                                                    "text": payload}).status_code == 201
    page = client.get(seeded["reader"]).get_data(as_text=True)
    comments = page[page.index('<ul class="comment-list">'):]
    # The page's own forms (+1, comment) are trusted; what the comments say is not.
    assert_harmless(comments, trusted=("<form ",))
    assert "&lt;script&gt;" in comments
