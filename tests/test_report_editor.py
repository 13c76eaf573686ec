"""The report editor's pages and the report's API for phones, through HTTP."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import make_picture, refusal
from tests.xss_corpus import PAYLOADS, assert_harmless, assert_not_injected


def editor_url(workshop, path: str = "/") -> str:
    return f"/facilitator/workshops/{workshop['id']}/report{path}"


def form_token(client, url: str) -> str:
    page = client.get(url)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    return found.group(1)


@pytest.fixture
def drafted(logged_in, workshop, alice, staff):
    """A workshop with a note and a drawing (by alice), and its report draft."""
    alice.note("Kahvi on hyvää")
    board = alice.boards()[0]["id"]
    drawn = alice.post("/items", data={"uuid": str(uuid.uuid4()), "kind": "drawing", "text": "Aurinko",
                                       "board_id": str(board),
                                       "image": (__import__("io").BytesIO(make_picture()), "d.png")},
                       content_type="multipart/form-data")
    assert drawn.status_code == 201, drawn.get_data(as_text=True)
    token = form_token(logged_in, editor_url(workshop))
    created = logged_in.post(editor_url(workshop, "/draft"), data={"csrf_token": token})
    assert created.status_code == 303
    sections = staff.get("/report").get_json()["report"]["sections"]
    return sections, drawn.get_json()["item"]


def test_before_the_draft_the_page_offers_to_create_it(logged_in, workshop):
    page = logged_in.get(editor_url(workshop)).get_data(as_text=True)
    assert "Luo raportin luonnos" in page or "Create the report draft" in page


def test_the_draft_page_shows_every_section_with_the_participants_words(logged_in, workshop, drafted):
    page = logged_in.get(editor_url(workshop)).get_data(as_text=True)
    assert "Kahvi on hyvää" in page
    assert 'alt="Aurinko"' in page


def test_two_editors_saving_the_same_section_the_second_gets_both_texts(app, facilitator, logged_in, workshop,
                                                                         drafted):
    sections, _ = drafted
    section = sections[1]
    url = editor_url(workshop, f"/sections/{section['id']}")
    laptop_token = form_token(logged_in, url)
    tablet = app.test_client()
    facilitator.login(tablet)
    tablet_token = form_token(tablet, url)
    first = logged_in.post(url, data={"csrf_token": laptop_token, "title": section["title"], "body": "Läppäriltä.",
                                      "base_version": "1"})
    assert first.status_code == 303
    second = tablet.post(url, data={"csrf_token": tablet_token, "title": section["title"], "body": "Tabletilta.",
                                    "base_version": "1"})
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Läppäriltä." in page and "Tabletilta." in page
    # The merged save is based on the version the tablet has now seen.
    assert 'name="base_version" type="hidden" value="2"' in page or 'value="2"' in page
    merged = tablet.post(url, data={"csrf_token": tablet_token, "title": section["title"],
                                    "body": "Läppäriltä. Tabletilta.", "base_version": "2"})
    assert merged.status_code == 303
    history = logged_in.get(editor_url(workshop, f"/sections/{section['id']}/history")).get_data(as_text=True)
    assert "Läppäriltä. Tabletilta." in history and "Läppäriltä." in history


def test_an_old_version_is_restored_from_the_history(logged_in, workshop, drafted, staff):
    sections, _ = drafted
    section = sections[1]
    saved = staff.put(f"/report/sections/{section['id']}", json={"base_version": 1, "title": "Uusi",
                                                                   "body": "Uusi teksti"})
    assert saved.status_code == 200 and saved.get_json()["section"]["version"] == 2
    token = form_token(logged_in, editor_url(workshop, f"/sections/{section['id']}/history"))
    restored = logged_in.post(editor_url(workshop, f"/sections/{section['id']}/restore/1"),
                              data={"csrf_token": token})
    assert restored.status_code == 303
    now = staff.get("/report").get_json()["report"]["sections"][1]
    assert (now["title"], now["version"]) == (section["title"], 3)


def test_the_api_answers_a_stale_save_with_both_texts(staff, drafted):
    sections, _ = drafted
    section = sections[1]
    staff.put(f"/report/sections/{section['id']}", json={"base_version": 1, "title": "A", "body": "eka"})
    stale = staff.put(f"/report/sections/{section['id']}", json={"base_version": 1, "title": "A", "body": "toka"})
    assert stale.status_code == 409
    answer = stale.get_json()
    assert answer["ok"] is False and answer["current"]["body"] == "eka" and answer["yours"]["body"] == "toka"


def test_a_phone_reads_the_report_and_suggests_a_sentence(alice, staff, logged_in, workshop, drafted):
    sections, _ = drafted
    theme = next(s for s in alice.get("/report").get_json()["report"]["sections"] if "Kahvi on hyvää" in s["html"])
    assert theme["speech"] and "Kahvi on hyvää" in theme["sentences"]
    sent = {"uuid": str(uuid.uuid4()), "section_id": theme["id"], "kind": "change", "quote": "Kahvi on hyvää",
            "text": "Kahvi on tosi hyvää"}
    first = alice.post("/report/suggestions", json=sent)
    again = alice.post("/report/suggestions", json=sent)
    assert (first.status_code, again.status_code) == (201, 200)
    editor = logged_in.get(editor_url(workshop)).get_data(as_text=True)
    assert "Kahvi on tosi hyvää" in editor
    suggestion_id = first.get_json()["suggestion"]["id"]
    token = form_token(logged_in, editor_url(workshop))
    declined = logged_in.post(editor_url(workshop, f"/suggestions/{suggestion_id}/decline"),
                              data={"csrf_token": token, "reason": "Pidetään alkuperäinen."})
    assert declined.status_code == 303
    mine = alice.get("/report").get_json()["report"]["suggestions"]
    assert mine[0]["status"] == "declined" and mine[0]["reason"] == "Pidetään alkuperäinen."


def test_accepting_a_suggestion_puts_it_in_the_text(alice, staff, logged_in, workshop, drafted):
    sections, _ = drafted
    theme = sections[1]
    sent = alice.post("/report/suggestions", json={"uuid": str(uuid.uuid4()), "section_id": theme["id"],
                                                   "kind": "add", "text": "Sohva puuttuu."})
    token = form_token(logged_in, editor_url(workshop))
    accepted = logged_in.post(editor_url(workshop, f"/suggestions/{sent.get_json()['suggestion']['id']}/accept"),
                              data={"csrf_token": token})
    assert accepted.status_code == 303
    assert "Sohva puuttuu." in staff.get("/report").get_json()["report"]["sections"][1]["html"]


@pytest.mark.parametrize("section_id", ["\ud800", "kolmas", None, [1], 1.5, True])
def test_a_suggestion_for_a_section_that_is_no_number_is_refused_kindly(alice, drafted, section_id):
    sent = alice.post("/report/suggestions", json={"uuid": str(uuid.uuid4()), "section_id": section_id,
                                                   "kind": "add", "text": "Sohva puuttuu."})
    refusal(sent, 422, "section_id")
    assert alice.get("/report").get_json()["report"]["suggestions"] == []


def test_a_suggestion_names_its_section_as_a_number_or_its_digits(alice, drafted):
    sections, _ = drafted
    body = {"uuid": str(uuid.uuid4()), "section_id": str(sections[1]["id"]), "kind": "add", "text": "Sohva puuttuu."}
    assert alice.post("/report/suggestions", json=body).status_code == 201
    assert alice.post("/report/suggestions", json={**body, "section_id": sections[1]["id"]}).status_code == 200


def test_a_participant_captions_their_own_drawing_but_not_anothers(alice, phone, drafted, staff):
    _, drawing = drafted
    assert alice.patch(f"/report/pictures/{drawing['id']}", json={"caption": "Aamuaurinko"}).status_code == 200
    assert phone().patch(f"/report/pictures/{drawing['id']}", json={"caption": "Minun"}).status_code == 404
    html = "".join(s["html"] for s in staff.get("/report").get_json()["report"]["sections"])
    assert 'alt="Aamuaurinko"' in html


def test_the_preview_is_sanitised_and_for_staff_only(staff, alice, drafted):
    shown = staff.post("/report/preview", json={"body": "**hei** <script>alert(1)</script>"})
    assert shown.get_json()["html"] == "<p><strong>hei</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert alice.post("/report/preview", json={"body": "x"}).status_code == 403


def test_phones_get_no_report_before_the_draft(alice):
    assert alice.get("/report").get_json() == {"ok": True, "report": None}


def test_the_section_form_shows_a_friendly_error_for_a_missing_title(logged_in, workshop, drafted):
    sections, _ = drafted
    url = editor_url(workshop, f"/sections/{sections[1]['id']}")
    token = form_token(logged_in, url)
    answer = logged_in.post(url, data={"csrf_token": token, "title": "", "body": "x", "base_version": "1"})
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in answer.get_data(as_text=True)


@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("worker", 403), ("facilitator", 200)])
@pytest.mark.parametrize("path", ["/", "/sections/1", "/sections/1/history"])
def test_only_facilitators_open_the_editor(app, facilitator, workshop, who, expected, path):
    from workshop.models import Role
    from tests.test_street import quick_account

    client = app.test_client()
    if who == "facilitator":
        facilitator.login(client)
        if path != "/":
            token = form_token(client, editor_url(workshop))
            client.post(editor_url(workshop, "/draft"), data={"csrf_token": token})
    elif who == "worker":
        assert quick_account(app, "ville", Role.WORKER).login(client).status_code == 303
    answer = client.get(editor_url(workshop, path))
    assert answer.status_code == expected


def test_an_unknown_workshop_is_a_404_for_a_facilitator(logged_in):
    assert logged_in.get("/facilitator/workshops/999/report/").status_code == 404


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_notes_and_captions_are_harmless_in_the_editor(logged_in, workshop, alice, staff, payload):
    alice.note(payload[:200])
    token = form_token(logged_in, editor_url(workshop))
    logged_in.post(editor_url(workshop, "/draft"), data={"csrf_token": token})
    page = logged_in.get(editor_url(workshop)).get_data(as_text=True)
    assert_not_injected(page)
    for section in staff.get("/report").get_json()["report"]["sections"]:
        assert_harmless(section["html"])


def test_the_workshop_page_links_to_its_report(logged_in, workshop):
    page = logged_in.get(f"/facilitator/workshops/{workshop['id']}").get_data(as_text=True)
    assert f'href="{editor_url(workshop)}">Raportti</a>' in page
