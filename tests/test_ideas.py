"""Phase 2's development ideas: written from the themes and notes, linked to them, ranked.

First the rules called directly (no HTTP), then the API, then the live push.
"""
import inspect
import uuid

import pytest
from sqlalchemy import func, select

from workshop import changes, contributions, ideas, votes, wall
from workshop.changes import PUBLIC, STAFF, changes_since
from workshop.extensions import db
from workshop.models import Idea, idea_item, idea_theme
from workshop.problems import Problem
from workshop.workshops import close_workshop, create_workshop

from .conftest import ApiClient, refusal


def refused(call, *args) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args)
    return caught.value


def count(table) -> int:
    return db.session.scalar(select(func.count()).select_from(table))


def state_of(workshop, entity, entity_id, audience):
    """The entity's state in a full catch-up for `audience`."""
    [state] = [c for c in changes_since(workshop, 0, audience)["changes"]
               if c["type"] == entity and c["id"] == entity_id]
    return state


@pytest.fixture
def wall_with_themes(room):
    """Three notes, two of them in a theme "Aukiolo", and a second theme "Ruoka"."""
    alice = room.participant()
    notes = [room.note(alice, text).item for text in ("Auki myöhään", "Auki viikonloppuna", "Kahvi")]
    opening = wall.create_theme(room.workshop, room.staff, {"name": "Aukiolo", "item_ids": [n.id for n in notes[:2]]})
    food = wall.create_theme(room.workshop, room.staff, {"name": "Ruoka", "item_ids": [notes[2].id]})
    yield {"notes": notes, "themes": [opening, food], "alice": alice}


def new_idea(room, statement="Päiväkeskus auki myös lauantaisin", **links):
    return ideas.create(room.workshop, room.staff, {"statement": statement, **links})


# -- who may ---------------------------------------------------------------------------------


#: Every rule that acts for someone, called with arguments that suit staff.
RULES = {
    "create": lambda room, actor, idea: ideas.create(room.workshop, actor, {"statement": "Lisää kahvia"}),
    "update": lambda room, actor, idea: ideas.update(room.workshop, actor, idea.id, {"statement": "Uusi"}),
    "remove": lambda room, actor, idea: ideas.remove(room.workshop, actor, idea.id),
    "start_vote": lambda room, actor, idea: ideas.start_vote(room.workshop, actor, {}),
}


def test_the_rights_matrix_covers_every_rule_that_acts_for_someone():
    rules = {name for name, function in vars(ideas).items()
             if inspect.isfunction(function) and function.__module__ == ideas.__name__
             and "actor" in inspect.signature(function).parameters}
    assert rules == set(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_participants_cannot_work_on_ideas(room, rule):
    first = new_idea(room, "Eka")
    new_idea(room, "Toka")
    before = room.workshop.last_seq
    assert refused(RULES[rule], room, room.participant(), first).status == 403
    assert room.workshop.last_seq == before


@pytest.mark.parametrize("rule", sorted(RULES))
def test_staff_may_do_all_of_it_even_after_the_end(room, rule):
    first = new_idea(room, "Eka")
    new_idea(room, "Toka")
    close_workshop(room.workshop)
    before = room.workshop.last_seq
    RULES[rule](room, room.staff, first)
    assert room.workshop.last_seq > before


# -- writing ideas ---------------------------------------------------------------------------------


def test_an_idea_is_linked_to_its_themes_and_notes(room, wall_with_themes, pushed):
    notes, (opening, food) = wall_with_themes["notes"], wall_with_themes["themes"]
    pushed.clear()
    idea = new_idea(room, "  Auki myös lauantaisin ", theme_ids=[food.id, opening.id, food.id],
                    item_ids=[notes[1].id, notes[0].id])
    assert idea.statement == "Auki myös lauantaisin"
    assert [t.id for t in idea.themes] == [opening.id, food.id]  # in the wall's order, once each
    assert [i.id for i in idea.items] == sorted([notes[0].id, notes[1].id])
    expected = {"type": "idea", "id": idea.id, "statement": "Auki myös lauantaisin", "position": 1,
                "theme_ids": [opening.id, food.id], "item_ids": sorted([notes[0].id, notes[1].id])}
    assert [data["entity"] for _to, _event, data in pushed] == [expected, expected]  # both audiences
    assert ideas.idea_state(idea, STAFF) == expected


def test_ideas_come_in_order(room):
    first, second, third = new_idea(room, "A"), new_idea(room, "B"), new_idea(room, "C")
    assert [i.position for i in (first, second, third)] == [1, 2, 3]
    ideas.remove(room.workshop, room.staff, second.id)
    assert ideas.ideas_of(room.workshop) == [first, third]
    assert new_idea(room, "D").position == 4


def test_an_idea_needs_no_links(room):
    idea = new_idea(room, "Lisää kahvia", theme_ids=None)
    assert (ideas.idea_state(idea, PUBLIC)["theme_ids"], ideas.idea_state(idea, PUBLIC)["item_ids"]) == ([], [])


@pytest.fixture
def foreign(room):
    """A theme and a note of another workshop."""
    other = create_workshop("Katutyö")
    note = contributions.submit(other, room.staff, {"uuid": str(uuid.uuid4()), "kind": "note", "text": "Muualla",
                                                    "board_id": wall.boards(other)[0].id}).item
    theme = wall.create_theme(other, room.staff, {"name": "Muualla"})
    yield {"theme": theme, "note": note}


BAD_LINKS = [
    ({"statement": ""}, "statement"),
    ({"statement": " \n "}, "statement"),
    ({"statement": "x" * 301}, "statement"),
    ({"statement": ["x"]}, "statement"),
    ({"statement": "Hyvä", "theme_ids": "1"}, "theme_ids"),
    ({"statement": "Hyvä", "theme_ids": {"1": 1}}, "theme_ids"),
    ({"statement": "Hyvä", "theme_ids": [True]}, "theme_ids"),
    ({"statement": "Hyvä", "theme_ids": [1.0]}, "theme_ids"),
    ({"statement": "Hyvä", "theme_ids": ["1"]}, "theme_ids"),
    ({"statement": "Hyvä", "theme_ids": [None]}, "theme_ids"),
    ({"statement": "Hyvä", "theme_ids": [-1]}, "theme_ids"),
    ({"statement": "Hyvä", "theme_ids": [2**63]}, "theme_ids"),
    ({"statement": "Hyvä", "theme_ids": [999999]}, "theme_ids"),
    ({"statement": "Hyvä", "item_ids": 5}, "item_ids"),
    ({"statement": "Hyvä", "item_ids": [False]}, "item_ids"),
    ({"statement": "Hyvä", "item_ids": list(range(1, ideas.MAX_LINKS + 2))}, "item_ids"),
    ({"statement": "Hyvä", "item_ids": [999999]}, "item_ids"),
    ({"statement": "Hyvä", "item_ids": [[1]]}, "item_ids"),
]


@pytest.mark.parametrize("data, field", BAD_LINKS)
def test_bad_input_is_refused_and_writes_nothing(room, wall_with_themes, data, field):
    before = room.workshop.last_seq
    problem = refused(ideas.create, room.workshop, room.staff, data)
    assert (problem.status, problem.field) == (422, field)
    assert count(Idea) == 0 and count(idea_theme) == 0 and count(idea_item) == 0
    assert room.workshop.last_seq == before


def test_themes_and_notes_of_another_workshop_are_refused(room, wall_with_themes, foreign):
    mine = wall_with_themes["themes"][0]
    for data, field in (({"theme_ids": [mine.id, foreign["theme"].id]}, "theme_ids"),
                        ({"item_ids": [wall_with_themes["notes"][0].id, foreign["note"].id]}, "item_ids")):
        problem = refused(ideas.create, room.workshop, room.staff, {"statement": "Hyvä", **data})
        assert (problem.status, problem.field) == (422, field)
    assert count(Idea) == 0


def test_dissolved_themes_and_taken_back_notes_cannot_be_linked(room, wall_with_themes):
    opening = wall_with_themes["themes"][0]
    wall.remove_theme(room.workshop, room.staff, opening.id)
    note = wall_with_themes["notes"][2]
    contributions.withdraw(room.workshop, wall_with_themes["alice"], note.uuid)
    assert refused(ideas.create, room.workshop, room.staff, {"statement": "A", "theme_ids": [opening.id]}).field \
        == "theme_ids"
    assert refused(ideas.create, room.workshop, room.staff, {"statement": "A", "item_ids": [note.id]}).field \
        == "item_ids"


def test_an_idea_is_changed_field_by_field(room, wall_with_themes):
    notes, (opening, food) = wall_with_themes["notes"], wall_with_themes["themes"]
    idea = new_idea(room, "Auki", theme_ids=[opening.id], item_ids=[notes[0].id])
    ideas.update(room.workshop, room.staff, idea.id, {"statement": "Auki lauantaisin"})
    assert (idea.statement, [t.id for t in idea.themes], [i.id for i in idea.items]) == (
        "Auki lauantaisin", [opening.id], [notes[0].id])
    ideas.update(room.workshop, room.staff, idea.id, {"theme_ids": [food.id], "item_ids": []})
    assert state_of(room.workshop, "idea", idea.id, PUBLIC) == {
        "type": "idea", "id": idea.id, "statement": "Auki lauantaisin", "position": 1, "theme_ids": [food.id],
        "item_ids": []}
    ideas.update(room.workshop, room.staff, idea.id, {"item_ids": None})  # null: no notes
    assert idea.items == []


@pytest.mark.parametrize("data, field", [(d, f) for d, f in BAD_LINKS if "item_ids" in d or "theme_ids" in d]
                         + [({"statement": None}, "statement")])
def test_a_bad_change_changes_nothing(room, wall_with_themes, data, field):
    notes, opening = wall_with_themes["notes"], wall_with_themes["themes"][0]
    idea = new_idea(room, "Auki", theme_ids=[opening.id], item_ids=[notes[0].id])
    before = room.workshop.last_seq
    problem = refused(ideas.update, room.workshop, room.staff, idea.id, data)
    assert (problem.status, problem.field) == (422, field)
    db.session.expire_all()
    assert (idea.statement, [t.id for t in idea.themes], [i.id for i in idea.items]) == (
        "Auki", [opening.id], [notes[0].id])
    assert room.workshop.last_seq == before


def test_an_idea_of_another_workshop_or_removed_is_not_found(room):
    other = create_workshop("Katutyö")
    foreign = ideas.create(other, room.staff, {"statement": "Muualla"})
    removed = new_idea(room)
    ideas.remove(room.workshop, room.staff, removed.id)
    for idea_id in (foreign.id, removed.id, 999999, 2**70, True, "1"):
        assert refused(ideas.update, room.workshop, room.staff, idea_id, {"statement": "X"}).status == 404
    for idea_id in (foreign.id, 999999, 2**70):
        assert refused(ideas.remove, room.workshop, room.staff, idea_id).status == 404
    assert foreign.removed_at is None and foreign.statement == "Muualla"


def test_removing_leaves_a_tombstone_and_twice_is_fine(room, wall_with_themes, pushed):
    idea = new_idea(room, theme_ids=[wall_with_themes["themes"][0].id])
    pushed.clear()
    ideas.remove(room.workshop, room.staff, idea.id)
    assert idea.removed_at is not None and db.session.get(Idea, idea.id) is not None
    gone = {"type": "idea", "id": idea.id, "gone": True}
    assert [data["entity"] for _to, _event, data in pushed] == [gone, gone]
    assert state_of(room.workshop, "idea", idea.id, STAFF) == gone
    pushed.clear()
    assert ideas.remove(room.workshop, room.staff, idea.id) is idea
    assert pushed == []


def test_the_public_does_not_see_links_to_hidden_notes(room, wall_with_themes):
    notes, opening = wall_with_themes["notes"], wall_with_themes["themes"][0]
    idea = new_idea(room, item_ids=[notes[0].id, notes[1].id], theme_ids=[opening.id])
    wall.update_item(room.workshop, room.staff, notes[1].id, {"hidden": True})
    assert ideas.idea_state(idea, PUBLIC)["item_ids"] == [notes[0].id]
    assert ideas.idea_state(idea, STAFF)["item_ids"] == [notes[0].id, notes[1].id]
    # A hidden note may be linked by the facilitator, who sees it.
    ideas.update(room.workshop, room.staff, idea.id, {"item_ids": [notes[1].id]})
    assert ideas.idea_state(idea, PUBLIC)["item_ids"] == []


def test_links_to_what_has_left_the_wall_are_left_out(room, wall_with_themes):
    notes, (opening, food) = wall_with_themes["notes"], wall_with_themes["themes"]
    idea = new_idea(room, item_ids=[notes[0].id, notes[2].id], theme_ids=[opening.id, food.id])
    contributions.withdraw(room.workshop, wall_with_themes["alice"], notes[2].uuid)
    wall.remove_theme(room.workshop, room.staff, food.id)
    for audience in (PUBLIC, STAFF):
        state = ideas.idea_state(idea, audience)
        assert (state["theme_ids"], state["item_ids"]) == ([opening.id], [notes[0].id])


def test_a_catch_up_counts_links_for_all_ideas_at_once(room, wall_with_themes):
    notes, (opening, food) = wall_with_themes["notes"], wall_with_themes["themes"]
    first = new_idea(room, "A", theme_ids=[opening.id], item_ids=[notes[0].id])
    second = new_idea(room, "B", theme_ids=[food.id])
    removed = new_idea(room, "C")
    ideas.remove(room.workshop, room.staff, removed.id)
    db.session.expire_all()
    states = {s["id"]: s for s in changes_since(room.workshop, 0, PUBLIC)["changes"] if s["type"] == "idea"}
    assert (states[first.id]["theme_ids"], states[first.id]["item_ids"]) == ([opening.id], [notes[0].id])
    assert (states[second.id]["theme_ids"], states[second.id]["item_ids"]) == ([food.id], [])
    assert states[removed.id] == {"type": "idea", "id": removed.id, "gone": True}


# -- ranking -------------------------------------------------------------------------------------


def test_the_ideas_are_ranked_with_a_dot_vote(room, pushed):
    first, removed, second = new_idea(room, "Auki lauantaisin"), new_idea(room, "Poistettu"), new_idea(room, "x" * 300)
    ideas.remove(room.workshop, room.staff, removed.id)
    pushed.clear()
    question = ideas.start_vote(room.workshop, room.staff, {"dots_per_person": 5})
    assert (question.purpose, question.dots_per_person) == ("ideas", 5)
    assert [(o.idea_id, o.position) for o in question.options] == [(first.id, 0), (second.id, 1)]
    assert question.options[0].label == "Auki lauantaisin"
    assert question.options[1].label == "x" * 199 + "…"  # an option label holds 200 characters
    assert [data["entity"]["type"] for _to, _event, data in pushed] == ["question", "question"]
    alice = room.participant()
    votes.cast(room.workshop, alice, {"uuid": str(uuid.uuid4()), "option_id": question.options[0].id})
    state = changes.question_state(question, changes.dot_counts([question.id]))
    assert [option["dots"] for option in state["options"]] == [1, 0]


def test_the_idea_vote_title_is_in_the_workshops_language_unless_given(app_context):
    from workshop.actors import Actor
    from workshop.models import Account

    account = Account(username="paula", username_key="paula", password_hash="!")
    db.session.add(account)
    english = create_workshop("Street work", language="en")
    staff = Actor(account=account)
    for statement in ("Open on Saturdays", "More coffee"):
        ideas.create(english, staff, {"statement": statement})
    assert ideas.start_vote(english, staff, {}).title == "Which ideas matter most?"
    assert ideas.start_vote(english, staff, {"title": "Tärkeimmät?"}).title == "Tärkeimmät?"


def test_a_vote_needs_two_ideas_and_holds_at_most_twenty(room):
    assert refused(ideas.start_vote, room.workshop, room.staff, {}).status == 422
    new_idea(room, "Ainoa")
    assert refused(ideas.start_vote, room.workshop, room.staff, {}).status == 422
    for n in range(votes.MAX_OPTIONS):
        new_idea(room, f"Idea {n}")
    assert refused(ideas.start_vote, room.workshop, room.staff, {}).status == 422
    assert votes.questions_of(room.workshop) == []


@pytest.mark.parametrize("data", [{"dots_per_person": 0}, {"dots_per_person": 11}, {"dots_per_person": False},
                                  {"dots_per_person": "3.5"}, {"title": {"x": 1}}, [1]])
def test_bad_vote_settings_are_refused(room, data):
    new_idea(room, "A")
    new_idea(room, "B")
    assert refused(ideas.start_vote, room.workshop, room.staff, data).status in (400, 422)
    assert votes.questions_of(room.workshop) == []


# -- the API ---------------------------------------------------------------------------------


@pytest.fixture
def themed(alice, staff) -> dict:
    """A note in a theme, made over the API."""
    item = alice.note("Auki myöhään").get_json()["item"]
    theme = staff.post("/themes", json={"name": "Aukiolo", "item_ids": [item["id"]]}).get_json()["theme"]
    yield {"item": item, "theme": theme}


def test_ideas_over_the_api(alice, staff, themed):
    created = staff.post("/ideas", json={"statement": "Auki lauantaisin", "theme_ids": [themed["theme"]["id"]],
                                         "item_ids": [themed["item"]["id"]]})
    assert created.status_code == 201
    idea = created.get_json()["idea"]
    assert idea == {"type": "idea", "id": idea["id"], "statement": "Auki lauantaisin", "position": 1,
                    "theme_ids": [themed["theme"]["id"]], "item_ids": [themed["item"]["id"]]}
    staff.post("/ideas", json={"statement": "Lisää kahvia"})
    changed = staff.patch(f"/ideas/{idea['id']}", json={"statement": "Auki myös lauantaisin", "item_ids": []})
    assert changed.status_code == 200
    assert (changed.get_json()["idea"]["statement"], changed.get_json()["idea"]["item_ids"]) == (
        "Auki myös lauantaisin", [])
    seen = sorted((c for c in alice.get("/changes").get_json()["changes"] if c["type"] == "idea"),
                  key=lambda c: c["position"])
    assert [c["statement"] for c in seen] == ["Auki myös lauantaisin", "Lisää kahvia"]
    started = staff.post("/ideas/vote", json={"title": "Mikä tärkeintä?"})
    assert started.status_code == 201
    question = started.get_json()["question"]
    assert question["title"] == "Mikä tärkeintä?" and question["dots_per_person"] == 3
    assert [o["label"] for o in question["options"]] == ["Auki myös lauantaisin", "Lisää kahvia"]
    removed = staff.delete(f"/ideas/{idea['id']}")
    assert removed.status_code == 200 and removed.get_json()["idea"] == {"type": "idea", "id": idea["id"],
                                                                         "gone": True}
    assert staff.delete(f"/ideas/{idea['id']}").status_code == 200
    refusal(staff.patch(f"/ideas/{idea['id']}", json={"statement": "X"}), 404)
    refusal(staff.post("/ideas/vote", json={}), 422)  # one idea left


def test_the_public_catch_up_leaves_out_hidden_notes(alice, staff, themed):
    other = alice.note("Toinen").get_json()["item"]
    idea = staff.post("/ideas", json={"statement": "A", "item_ids": [themed["item"]["id"], other["id"]]}
                      ).get_json()["idea"]
    staff.patch(f"/items/{other['id']}", json={"hidden": True})
    [public] = [c for c in alice.get("/changes").get_json()["changes"] if c["type"] == "idea"]
    [seen] = [c for c in staff.get("/changes").get_json()["changes"] if c["type"] == "idea"]
    assert public["item_ids"] == [themed["item"]["id"]]
    assert seen["item_ids"] == sorted([themed["item"]["id"], other["id"]])
    assert public["id"] == seen["id"] == idea["id"]


@pytest.mark.parametrize("data, field", [(d, f) for d, f in BAD_LINKS if f != "item_ids" or d["item_ids"] != [999999]]
                         + [({"statement": "A", "item_ids": [2**53]}, "item_ids")])
def test_bad_ideas_over_the_api_are_422(staff, data, field):
    before = staff.get("/changes").get_json()["last_seq"]
    refusal(staff.post("/ideas", json=data), 422, field)
    assert staff.get("/changes").get_json()["last_seq"] == before


def test_ids_of_another_workshop_are_422_over_the_api(app, staff, themed, make_workshop, phone):
    other = make_workshop("Katutyö")
    there = ApiClient(staff.client, other["code"])
    theme = there.post("/themes", json={"name": "Muualla"}).get_json()["theme"]
    item = phone(other["code"]).note("Muualla", board=there.boards()[0]["id"]).get_json()["item"]
    refusal(staff.post("/ideas", json={"statement": "A", "theme_ids": [theme["id"]]}), 422, "theme_ids")
    refusal(staff.post("/ideas", json={"statement": "A", "item_ids": [item["id"]]}), 422, "item_ids")
    idea = there.post("/ideas", json={"statement": "Muualla"}).get_json()["idea"]
    refusal(staff.patch(f"/ideas/{idea['id']}", json={"statement": "Täällä"}), 404)
    refusal(staff.delete(f"/ideas/{idea['id']}"), 404)


STAFF_ONLY = [
    ("post", "/ideas", {"statement": "A"}),
    ("patch", "/ideas/{idea}", {"statement": "B"}),
    ("delete", "/ideas/{idea}", None),
    ("post", "/ideas/vote", {}),
]


@pytest.mark.parametrize("method, path, data", STAFF_ONLY, ids=[f"{m} {p}" for m, p, _ in STAFF_ONLY])
def test_participants_get_403(alice, staff, method, path, data):
    first = staff.post("/ideas", json={"statement": "Eka"}).get_json()["idea"]
    staff.post("/ideas", json={"statement": "Toka"})
    before = alice.get("/changes").get_json()["last_seq"]
    kwargs = {} if data is None else {"json": data}
    refusal(getattr(alice, method)(path.format(idea=first["id"]), **kwargs), 403)
    assert alice.get("/changes").get_json()["last_seq"] == before


@pytest.mark.parametrize("method, path, data", STAFF_ONLY, ids=[f"{m} {p}" for m, p, _ in STAFF_ONLY])
def test_a_phone_of_another_workshop_is_403(phone, make_workshop, staff, workshop, method, path, data):
    first = staff.post("/ideas", json={"statement": "Eka"}).get_json()["idea"]
    stranger = ApiClient(phone(make_workshop("Katutyö")["code"]).client, workshop["code"])
    kwargs = {} if data is None else {"json": data}
    refusal(getattr(stranger, method)(path.format(idea=first["id"]), **kwargs), 403)


STRANGE_BODIES = [
    [1, 2, 3], "text", None, {},
    {"statement": {"a": 1}, "theme_ids": "1,2", "item_ids": {"1": 1}, "dots_per_person": "many", "title": 1.5},
    {"statement": "\x00" * 400, "theme_ids": [2**63], "item_ids": [True], "dots_per_person": 2**63, "title": "\ud800"},
    {"statement": "a" * 10_000, "theme_ids": [[1]], "item_ids": [1.5], "dots_per_person": True, "title": None},
    {"statement": "Hyvä", "theme_ids": list(range(10_000)), "item_ids": None},
]


def test_no_500_from_any_idea_endpoint(alice, staff):
    requests = [("post", "/ideas"), ("patch", "/ideas/{id}"), ("delete", "/ideas/{id}"), ("post", "/ideas/vote")]
    checked = 0
    for actor in (alice, staff):
        for method, path in requests:
            for idea_id in ("1", str(10**25)):
                for data in STRANGE_BODIES:
                    response = getattr(actor, method)(path.format(id=idea_id), json=data) if method != "delete" \
                        else actor.delete(path.format(id=idea_id))
                    assert response.status_code < 500, (method, path, data, response.get_json())
                    assert response.is_json
                    checked += 1
    assert checked == 2 * 4 * 2 * len(STRANGE_BODIES)
    assert [c for c in staff.get("/changes").get_json()["changes"] if c["type"] == "idea"] == []
