"""The report draft, its sections' versions, and participants' suggestions (rules, no server)."""
from __future__ import annotations

import uuid
import pytest

from tests.conftest import make_picture
from tests.xss_corpus import PAYLOADS, assert_harmless
from workshop import gatherings, ideas, report, wall
from workshop.contributions import submit
from workshop.models import Phase, SectionKind, SectionVersion
from workshop.problems import Problem
from workshop.report_render import pictures_of, to_html


@pytest.fixture
def seeded(room):
    """A workshop with two themes, notes (one hidden), a drawing, a gathering and an idea."""
    facilitator = room.staff
    workshop = room.workshop
    workshop.topic = "Päiväkeskuksen aukioloajat"
    alice, bob = room.participant(), room.participant()
    coffee = wall.create_theme(workshop, facilitator, {"name": "Kahvi"})
    wall.update_theme(workshop, facilitator, coffee.id, {"description": "Kahvista puhuttiin paljon."})
    hours = wall.create_theme(workshop, facilitator, {"name": "Aukioloajat"})
    notes = {
        "kahvi": room.note(alice, "Kahvi on *hyvää* [linkki](javascript:alert(1))").item,
        "aamu": room.note(bob, "Aamulla ovet auki jo kahdeksalta").item,
        "piilo": room.note(bob, "Tämä on loukkaava").item,
        "irrallinen": room.note(alice, "# Ei teemaa").item,
    }
    drawing = submit(workshop, alice, {"uuid": str(uuid.uuid4()), "kind": "drawing", "text": "Kuppi ja aurinko",
                                       "board_id": room.boards[0].id}, make_picture()).item
    for item, theme in ((notes["kahvi"], coffee), (notes["aamu"], hours), (notes["piilo"], hours), (drawing, coffee)):
        wall.update_item(workshop, facilitator, item.id, {"theme_id": theme.id})
    wall.update_item(workshop, facilitator, notes["piilo"].id, {"hidden": True})
    first = gatherings.create(workshop, facilitator, {"title": "Ensimmäinen tapaaminen", "place": "Kalliola",
                                                      "held_on": "2026-11-02"})
    gatherings.update(workshop, facilitator, first.id, {"participant_count": 9})
    ideas.create(workshop, facilitator, {"statement": "Aukeaa kahdeksalta", "theme_ids": [hours.id]})
    return room, notes, drawing, coffee, hours


def sections_by_kind(draft):
    return {(section.kind, section.title): section for section in report.live_sections(draft)}


def test_the_draft_has_the_models_parts_in_order(seeded):
    room, notes, drawing, coffee, hours = seeded
    draft = report.create_draft(room.workshop, room.staff)
    sections = report.live_sections(draft)
    assert [(s.kind, s.title) for s in sections] == [
        (SectionKind.METHOD, "Miten tämä raportti tehtiin"), (SectionKind.THEME, "Kahvi"),
        (SectionKind.THEME, "Aukioloajat"), (SectionKind.OTHER, "Muuta, mitä sanottiin"),
        (SectionKind.IDEAS, "Kehittämisideat"), (SectionKind.ANSWER, "Johdon vastaus"),
        (SectionKind.FOLLOW_UP, "Seuranta")]
    assert draft.title == "Päiväkeskus Kalliola"
    assert all(s.version == 1 for s in sections)


def test_the_method_section_tells_how_the_report_was_made(seeded):
    room, *_ = seeded
    method = report.live_sections(report.create_draft(room.workshop, room.staff))[0].body
    assert "Päiväkeskuksen aukioloajat" in method
    assert "02.11.2026, Ensimmäinen tapaaminen, Kalliola — 9 osallistujaa" in method
    # Two phones joined; 3 notes and a drawing remain (the hidden note is not counted).
    assert "2 laitetta liittyi nimettömästi" in method and "3 lappua" in method and "1 piirrosta" in method


def test_theme_sections_quote_the_participants_words_and_show_their_pictures(seeded):
    room, notes, drawing, coffee, hours = seeded
    sections = report.live_sections(report.create_draft(room.workshop, room.staff))
    coffee_text = sections[1].body
    assert coffee_text.startswith("Kahvista puhuttiin paljon.")
    assert f"![](picture:{drawing.id})" in coffee_text
    html = to_html(coffee_text, pictures_of(room.workshop), lambda picture: f"/p/{picture.image_name}")
    # The words exactly as written: no emphasis, and the link shows as text, not a link.
    assert "<blockquote>\n<p>Kahvi on *hyvää* [linkki](javascript:alert(1))</p>\n</blockquote>" in html
    assert "<em>" not in html and "<a" not in html
    assert f'<img alt="Kuppi ja aurinko" height="48" src="/p/{drawing.image_name}" width="64">' in html
    assert "<figcaption>Kuppi ja aurinko</figcaption>" in html


def test_hidden_and_taken_back_notes_stay_out_of_the_draft(seeded):
    room, notes, drawing, coffee, hours = seeded
    draft = report.create_draft(room.workshop, room.staff)
    everything = "\n".join(section.body for section in report.live_sections(draft))
    assert "loukkaava" not in everything
    assert "Aamulla ovet auki jo kahdeksalta" in everything


def test_a_note_without_a_theme_is_quoted_as_text_not_a_heading(seeded):
    room, *_ = seeded
    other = sections_by_kind(report.create_draft(room.workshop, room.staff))[(SectionKind.OTHER,
                                                                             "Muuta, mitä sanottiin")]
    html = to_html(other.body, {}, str)
    assert "<h3>" not in html and "# Ei teemaa" in html


def test_ideas_section_lists_the_ideas_with_where_they_were_heard(seeded):
    room, *_ = seeded
    ideas_section = sections_by_kind(report.create_draft(room.workshop, room.staff))[(SectionKind.IDEAS,
                                                                                      "Kehittämisideat")]
    assert ideas_section.body == "1. Aukeaa kahdeksalta (kuultu: Aukioloajat)"


def test_the_draft_is_made_once_and_only_by_staff(seeded):
    room, *_ = seeded
    with pytest.raises(Problem) as refused:
        report.create_draft(room.workshop, room.participant())
    assert refused.value.status == 403
    report.create_draft(room.workshop, room.staff)
    with pytest.raises(Problem) as again:
        report.create_draft(room.workshop, room.staff)
    assert again.value.status == 409


# -- versions ----------------------------------------------------------------------------


@pytest.fixture
def draft(seeded):
    room = seeded[0]
    return room, report.create_draft(room.workshop, room.staff)


def test_a_save_makes_a_new_version_and_keeps_the_old(draft):
    room, made = draft
    section = report.live_sections(made)[1]
    report.save_section(room.workshop, room.staff, section.id, {"base_version": 1, "title": "Kahvi",
                                                                 "body": "Uusi teksti."})
    assert (section.version, section.body) == (2, "Uusi teksti.")
    assert [v.version for v in report.versions_of(section)] == [2, 1]


def test_saving_the_same_text_makes_no_new_version(draft):
    room, made = draft
    section = report.live_sections(made)[1]
    report.save_section(room.workshop, room.staff, section.id,
                        {"base_version": 1, "title": section.title, "body": section.body + "\n"})
    assert section.version == 1


def test_a_save_from_an_old_version_is_refused_with_both_texts(draft):
    room, made = draft
    section = report.live_sections(made)[1]
    report.save_section(room.workshop, room.staff, section.id, {"base_version": 1, "title": "Kahvi",
                                                                 "body": "Ensimmäisen tallennus."})
    with pytest.raises(report.VersionConflict) as conflict:
        report.save_section(room.workshop, room.staff, section.id, {"base_version": 1, "title": "Kahvi",
                                                                     "body": "Toisen tallennus."})
    assert conflict.value.status == 409
    assert conflict.value.current["body"] == "Ensimmäisen tallennus." and conflict.value.current["version"] == 2
    assert conflict.value.yours["body"] == "Toisen tallennus."
    assert section.body == "Ensimmäisen tallennus."  # nothing overwritten


def test_any_version_can_be_restored_as_a_new_version(draft):
    room, made = draft
    section = report.live_sections(made)[1]
    original = section.body
    report.save_section(room.workshop, room.staff, section.id, {"base_version": 1, "title": "K", "body": "x"})
    report.restore(room.workshop, room.staff, section.id, 1)
    assert (section.version, section.title, section.body) == (3, "Kahvi", original)
    assert report.versions_of(section)[0].note == "palautettu versio 1"


@pytest.mark.parametrize("data, field", [
    ({"title": "x", "body": "y"}, "base_version"),
    ({"base_version": 1, "title": "", "body": "y"}, "title"),
    ({"base_version": 1, "title": "x" * 201, "body": "y"}, "title"),
    ({"base_version": 1, "title": "x"}, "body"),
    ({"base_version": 1, "title": "x", "body": "y" * 200_001}, "body"),
    ({"base_version": "yksi", "title": "x", "body": "y"}, "base_version"),
])
def test_bad_saves_are_refused_and_change_nothing(draft, data, field):
    room, made = draft
    section = report.live_sections(made)[1]
    with pytest.raises(Problem) as refused:
        report.save_section(room.workshop, room.staff, section.id, data)
    assert (refused.value.status, refused.value.field) == (422, field)
    assert section.version == 1


def test_participants_cannot_edit_sections(draft):
    room, made = draft
    section = report.live_sections(made)[1]
    with pytest.raises(Problem) as refused:
        report.save_section(room.workshop, room.participant(), section.id,
                            {"base_version": 1, "title": "x", "body": "y"})
    assert refused.value.status == 403


def test_sections_can_be_added_before_the_answer_and_removed(draft):
    room, made = draft
    added = report.add_section(room.workshop, room.staff, {"title": "Lopuksi", "body": "Kiitos."})
    kinds = [s.kind for s in report.live_sections(made)]
    assert kinds[-3:] == [SectionKind.OTHER, SectionKind.ANSWER, SectionKind.FOLLOW_UP]
    report.remove_section(room.workshop, room.staff, added.id)
    assert added not in report.live_sections(made)
    with pytest.raises(Problem) as refused:
        report.remove_section(room.workshop, room.staff, report.live_sections(made)[0].id)
    assert refused.value.status == 422


# -- suggestions from phones -------------------------------------------------------------


def test_sentences_are_offered_exactly_as_they_are_in_the_text():
    body = "Kahvi on hyvää. Se on ilmaista!\n\n> Lainaus tässä\n\n- Listan kohta\n\n![](picture:3)"
    assert report.sentences_of(body) == ["Kahvi on hyvää.", "Se on ilmaista!", "Lainaus tässä", "Listan kohta"]
    assert all(sentence in body for sentence in report.sentences_of(body))


def suggestion(section, kind="add", text="Lisäksi tarvitaan sohva.", quote=""):
    return {"uuid": str(uuid.uuid4()), "section_id": section.id, "kind": kind, "text": text, "quote": quote}


def test_an_added_sentence_goes_to_the_end_when_accepted(draft):
    room, made = draft
    section = report.live_sections(made)[2]
    participant = room.participant()
    sent = report.suggest(room.workshop, participant, suggestion(section))
    report.accept(room.workshop, room.staff, sent.item.id)
    assert section.body.endswith("\n\nLisäksi tarvitaan sohva.") and section.version == 2
    assert report.own_suggestions(made, participant)[0]["status"] == "accepted"


def test_a_change_replaces_its_sentence_when_accepted(draft):
    room, made = draft
    section = report.live_sections(made)[1]
    report.save_section(room.workshop, room.staff, section.id,
                        {"base_version": 1, "title": "Kahvi", "body": "Kahvi loppuu usein. Se harmittaa."})
    sent = report.suggest(room.workshop, room.participant(),
                          suggestion(section, "change", "Kahvi loppuu joka aamu.", "Kahvi loppuu usein."))
    report.accept(room.workshop, room.staff, sent.item.id)
    assert section.body == "Kahvi loppuu joka aamu. Se harmittaa."


def test_a_change_to_a_sentence_edited_since_asks_for_a_hand_edit(draft):
    room, made = draft
    section = report.live_sections(made)[1]
    report.save_section(room.workshop, room.staff, section.id,
                        {"base_version": 1, "title": "Kahvi", "body": "Kahvi loppuu usein."})
    sent = report.suggest(room.workshop, room.participant(),
                          suggestion(section, "change", "Kahvi loppuu aina.", "Kahvi loppuu usein."))
    report.save_section(room.workshop, room.staff, section.id,
                        {"base_version": 2, "title": "Kahvi", "body": "Kahvia ei ole."})
    with pytest.raises(Problem) as refused:
        report.accept(room.workshop, room.staff, sent.item.id)
    assert refused.value.status == 409 and section.body == "Kahvia ei ole."
    report.mark_accepted(room.workshop, room.staff, sent.item.id)
    assert sent.item.status == "accepted"


def test_a_declined_suggestion_carries_the_reason_to_its_author_only(draft):
    room, made = draft
    section = report.live_sections(made)[1]
    author, other = room.participant(), room.participant()
    sent = report.suggest(room.workshop, author, suggestion(section))
    with pytest.raises(Problem) as no_reason:
        report.decline(room.workshop, room.staff, sent.item.id, {"reason": ""})
    assert no_reason.value.field == "reason"
    report.decline(room.workshop, room.staff, sent.item.id, {"reason": "Sama asia on jo tekstissä."})
    assert report.own_suggestions(made, author) == [{
        "id": sent.item.id, "uuid": sent.item.uuid, "section_id": section.id, "kind": "add", "quote": "",
        "text": "Lisäksi tarvitaan sohva.", "status": "declined", "reason": "Sama asia on jo tekstissä."}]
    assert report.own_suggestions(made, other) == []
    with pytest.raises(Problem) as twice:
        report.accept(room.workshop, room.staff, sent.item.id)
    assert twice.value.status == 409


def test_a_resent_suggestion_is_stored_once(draft):
    room, made = draft
    section = report.live_sections(made)[1]
    participant = room.participant()
    data = suggestion(section)
    first = report.suggest(room.workshop, participant, data)
    again = report.suggest(room.workshop, participant, data)
    assert (first.created, again.created, again.item.id) == (True, False, first.item.id)
    assert len(report.suggestions_of(made)) == 1


@pytest.mark.parametrize("data, field", [
    ({"kind": "add", "text": ""}, "text"),
    ({"kind": "add", "text": "x" * 1001}, "text"),
    ({"kind": "change", "text": "x", "quote": ""}, "quote"),
    ({"kind": "rewrite", "text": "x"}, "kind"),
])
def test_bad_suggestions_are_refused(draft, data, field):
    room, made = draft
    section = report.live_sections(made)[1]
    with pytest.raises(Problem) as refused:
        report.suggest(room.workshop, room.participant(), {"uuid": str(uuid.uuid4()), "section_id": section.id,
                                                           **data})
    assert (refused.value.status, refused.value.field) == (422, field)


# -- captions ----------------------------------------------------------------------------


def test_the_author_and_staff_can_caption_a_picture_others_cannot(seeded):
    room, notes, drawing, *_ = seeded
    from workshop.actors import Actor
    from workshop.extensions import db
    from workshop.models import Participant

    owner = Actor(participant=db.session.get(Participant, drawing.participant_id))
    report.set_caption(room.workshop, owner, drawing.id, {"caption": "Aamukahvi"})
    assert drawing.text == "Aamukahvi"
    report.set_caption(room.workshop, room.staff, drawing.id, {"caption": "Aamukahvi auringossa"})
    assert pictures_of(room.workshop)[drawing.id].caption == "Aamukahvi auringossa"
    with pytest.raises(Problem) as refused:
        report.set_caption(room.workshop, room.participant(), drawing.id, {"caption": "Minun"})
    assert refused.value.status == 404
    with pytest.raises(Problem):
        report.set_caption(room.workshop, room.staff, notes["kahvi"].id, {"caption": "ei kuva"})


# -- safety ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_in_notes_captions_and_sections_renders_harmless(room, payload):
    alice = room.participant()
    drawing = submit(room.workshop, alice, {"uuid": str(uuid.uuid4()), "kind": "drawing", "text": payload[:200],
                                            "board_id": room.boards[0].id}, make_picture()).item
    room.note(alice, payload[:200])
    draft = report.create_draft(room.workshop, room.staff)
    pictures = pictures_of(room.workshop)
    for section in report.live_sections(draft):
        assert_harmless(to_html(section.body, pictures, lambda p: f"/p/{p.image_name}"))
    # The facilitator's own text is Markdown too: the same holds for it.
    assert_harmless(to_html(payload + f"\n\n![]({'picture'}:{drawing.id})", pictures, lambda p: "/p/x.png"))


def test_escaped_words_read_back_exactly():
    words = r"1. *ei* _kursiivia_ [linkki](x) <b> \ # ! | > - + `koodi`"
    html = to_html(f"> {report.escape_markdown(words)}", {}, str)
    assert html == ("<blockquote>\n<p>1. *ei* _kursiivia_ [linkki](x) &lt;b&gt; \\ # ! | &gt; - + `koodi`</p>\n"
                    "</blockquote>")
    assert to_html(report.escape_markdown("# - 2) x"), {}, str) == "<p># - 2) x</p>"


def test_the_report_is_news_for_walls_and_phones(seeded, pushed):
    room, *_ = seeded
    room.workshop.phase = Phase.PUBLICATION
    made = report.create_draft(room.workshop, room.staff)
    states = [data["entity"] for _to, _event, data in pushed if data["entity"]["type"] == "report"]
    assert states and states[-1]["id"] == made.id and states[-1]["published"] is False
    assert report.phase_allows_report(room.workshop)


def test_the_draft_is_version_1_of_every_section(draft):
    room, made = draft
    from sqlalchemy import func, select

    from workshop.extensions import db

    count = db.session.scalar(select(func.count()).select_from(SectionVersion))
    assert count == len(report.live_sections(made))


def test_the_reports_news_is_made_once_for_both_audiences(seeded, pushed, monkeypatch):
    room, *_ = seeded
    made = report.create_draft(room.workshop, room.staff)
    calls = []
    real = report.report_state
    monkeypatch.setattr(report, "report_state", lambda found: calls.append(found.id) or real(found))
    report.set_title(room.workshop, room.staff, {"title": "Uusi nimi"})
    assert calls == [made.id]
    sent = [data["entity"] for _to, _event, data in pushed if data["entity"]["type"] == "report"]
    assert sent[-1] == sent[-2] and sent[-1]["title"] == "Uusi nimi"  # the staff room's and the public one's
