"""Street notes (issue 5): outreach workers write them offline; facilitators read, count and
pull them onto walls. The rules, the JSON API the outbox replays to, the pages, the accounts."""
from __future__ import annotations

import io
import json
import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from tests.conftest import API_HEADERS, PASSWORD, ApiClient, Facilitator, gps_photo, refusal, requires_sqlite
from workshop.extensions import db
from workshop.models import Account, Item, Role, StreetNote

NOTES = "/api/street/notes"


def now() -> datetime:
    return datetime.now(timezone.utc)


def note_body(**fields) -> dict:
    """A valid street note with a fresh UUID, written a minute ago."""
    body = {"uuid": str(uuid.uuid4()), "text": "Nuori ilman asuntoa kysyi yöpaikkaa", "nature": "negative",
            "category": "social_problems", "area": "Keskusta",
            "written_at": (now() - timedelta(minutes=1)).isoformat()}
    body.update(fields)
    return body


def fetch(client, url: str) -> tuple[int, str, bytes]:
    """GET a picture: its status, type and bytes (the served file is closed again)."""
    with client.get(url) as response:
        return response.status_code, response.mimetype, response.data


class StreetClient:
    """A test client speaking the street API, as the page's script and the outbox do."""

    def __init__(self, client):
        self.client = client

    def post(self, json=None, **kwargs):
        return self.client.post(NOTES, json=json, headers=API_HEADERS, **kwargs)

    def note(self, **fields):
        return self.post(note_body(**fields))

    def with_photo(self, photo: bytes, **fields):
        """Multipart, as the form sends a note with a photo."""
        data = {key: ("" if value is None else str(value)) for key, value in note_body(**fields).items()}
        data["image"] = (io.BytesIO(photo), "IMG_0001.jpg", "image/jpeg")
        return self.client.post(NOTES, data=data, headers=API_HEADERS, content_type="multipart/form-data")

    def notes(self, **args):
        return self.client.get(NOTES, query_string=args)

    def pull(self, note_id: int, **fields):
        return self.client.post(f"{NOTES}/{note_id}/wall", json=fields, headers=API_HEADERS)


def quick_account(app, name: str, role: Role) -> Facilitator:
    """An account whose password is hashed with one cheap round (see conftest's facilitator)."""
    from unittest import mock

    from werkzeug.security import generate_password_hash

    from workshop.accounts import create_account

    with app.app_context(), mock.patch("workshop.accounts.generate_password_hash",
                                       lambda password: generate_password_hash(password, method="pbkdf2:sha256:1")):
        create_account(name, PASSWORD, role)
    return Facilitator(name, PASSWORD)


@pytest.fixture
def worker_login(app):
    """`worker_login(name)`: a new outreach worker's account and a client logged in as them."""

    def login(name: str = "ville") -> StreetClient:
        account = quick_account(app, name, Role.WORKER)
        client = app.test_client()
        assert account.login(client).status_code == 303
        return StreetClient(client)

    return login


@pytest.fixture
def ville(worker_login) -> StreetClient:
    return worker_login("ville")


@pytest.fixture
def anna(logged_in) -> StreetClient:
    """The facilitator (conftest's "anna"), on the street API."""
    return StreetClient(logged_in)


# -- rules, without HTTP ----------------------------------------------------------------


@pytest.fixture
def people(room):
    """The actors the rules see: a worker, the room's facilitator, and a participant."""
    from workshop.actors import Actor

    room.staff.account.role = Role.FACILITATOR
    worker = Account(username="ville", username_key="ville", password_hash="!", role=Role.WORKER)
    db.session.add(worker)
    db.session.commit()
    return {"worker": Actor(account=worker), "facilitator": room.staff, "participant": room.participant()}


def test_a_worker_and_a_facilitator_may_file_and_a_participant_may_not(people):
    from workshop import street
    from workshop.problems import Problem

    assert street.file_note(people["worker"], note_body()).created
    assert street.file_note(people["facilitator"], note_body()).created
    with pytest.raises(Problem) as refused:
        street.file_note(people["participant"], note_body())
    assert refused.value.status == 403
    with pytest.raises(Problem):
        street.own_notes(people["participant"])


def test_a_replay_is_answered_even_once_the_time_window_has_passed(people):
    # The outbox may replay a note whose answer got lost, long after it was stored; the
    # stored note comes back instead of "too old" (which would mark it failed on the phone).
    from workshop import street

    written = now() - timedelta(days=89)
    body = note_body(written_at=written.isoformat())
    first = street.file_note(people["worker"], body)
    again = street.file_note(people["worker"], body, now=now() + timedelta(days=30))
    assert first.created and not again.created and again.note.id == first.note.id


def test_a_replay_is_answered_even_if_the_area_was_taken_off_the_list(people, app):
    from workshop import street

    body = note_body(area="Keskusta")
    first = street.file_note(people["worker"], body)
    app.config["STREET_AREAS"] = ["Kallio"]
    assert street.file_note(people["worker"], body).note.id == first.note.id
    from workshop.problems import Problem

    with pytest.raises(Problem) as refused:
        street.file_note(people["worker"], note_body(area="Keskusta"))
    assert refused.value.field == "area"


@pytest.mark.parametrize(("length", "expected"), [(200, 200), (201, None), (500, None)])
def test_a_long_note_is_shortened_on_a_wall_at_a_word_break(length, expected):
    from workshop.street import _shortened

    text = ("sana " * 200)[:length]
    short = _shortened(text, 200)
    assert len(short) <= 200
    if expected:
        assert short == text
    else:
        assert short.endswith("…") and short[:-1] == short[:-1].rstrip() and "sana" in short


# -- filing over the API: idempotent like the wall ---------------------------------------


def test_the_same_note_twice_is_stored_once_and_other_content_is_a_conflict(ville, app):
    body = note_body()
    first = ville.post(body)
    assert first.status_code == 201
    note = first.get_json()["note"]
    assert note["uuid"] == body["uuid"] and note["mine"] is True and note["text"] == body["text"]
    again = ville.post(body)
    assert again.status_code == 200 and again.get_json()["note"]["id"] == note["id"]
    refusal(ville.post(body | {"text": "Toinen teksti"}), 409, "uuid")
    refusal(ville.post(body | {"written_at": now().isoformat()}), 409, "uuid")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(StreetNote)) == 1


def test_the_same_moment_in_another_offset_is_the_same_note(ville):
    moment = (now() - timedelta(hours=1)).replace(microsecond=0)
    body = note_body(written_at=moment.isoformat().replace("+00:00", "Z"))
    assert ville.post(body).status_code == 201
    helsinki = moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    assert ville.post(body | {"written_at": helsinki}).status_code == 200


def test_two_workers_may_use_the_same_uuid(ville, worker_login):
    body = note_body()
    assert ville.post(body).status_code == 201
    assert worker_login("maija").post(body).status_code == 201


def test_the_time_is_the_time_it_was_written_not_sent(ville, app):
    written = (now() - timedelta(days=20)).replace(microsecond=0)
    answer = ville.note(written_at=written.isoformat()).get_json()["note"]
    assert datetime.fromisoformat(answer["written_at"]) == written
    assert datetime.fromisoformat(answer["created_at"]) > written + timedelta(days=19)


def test_what_is_stored(ville, app, make_workshop):
    workshop = make_workshop()
    answer = ville.note(text="  Kaksi riviä\r\nteksti\x00ä  ", nature="positive", category="client_needs", area="",
                        workshop_id=workshop["id"], topic="Asunnottomuus")
    assert answer.status_code == 201
    with app.app_context():
        note = db.session.scalars(select(StreetNote)).one()
        assert note.text == "Kaksi riviä\ntekstiä"
        assert (note.nature.value, note.category.value, note.area) == ("positive", "client_needs", "")
        assert (note.workshop_id, note.topic) == (workshop["id"], "Asunnottomuus")
        assert note.account.username == "ville" and note.image_name is None
        # No coordinates, no device: the table has no column that could hold them.
        columns = set(StreetNote.__table__.columns.keys())
        assert not {"latitude", "longitude", "gps", "user_agent", "ip", "device"} & columns


#: Times relative to the moment the test runs (a parameter is made when tests are collected).
TOO_OLD, TOO_FAR_AHEAD = timedelta(days=-91), timedelta(minutes=11)


def _field_cases():
    long = "x" * 501
    return [
        ({"uuid": "not-a-uuid"}, "uuid"), ({"uuid": None}, "uuid"), ({"uuid": 12}, "uuid"), ({"uuid": ["x"]}, "uuid"),
        ({"text": ""}, "text"), ({"text": "   "}, "text"), ({"text": long}, "text"), ({"text": 5}, "text"),
        ({"text": ["a"]}, "text"), ({"text": {"a": 1}}, "text"),
        ({"nature": ""}, "nature"), ({"nature": None}, "nature"), ({"nature": "good"}, "nature"),
        ({"nature": 1}, "nature"), ({"nature": ["positive"]}, "nature"),
        ({"category": ""}, "category"), ({"category": "crime"}, "category"), ({"category": 3}, "category"),
        ({"category": {"x": 1}}, "category"),
        ({"area": "Marsin alue"}, "area"), ({"area": 7}, "area"), ({"area": "x" * 81}, "area"),
        ({"workshop_id": 999}, "workshop_id"), ({"workshop_id": "abc"}, "workshop_id"),
        ({"workshop_id": -1}, "workshop_id"), ({"workshop_id": True}, "workshop_id"),
        ({"workshop_id": 1.5}, "workshop_id"), ({"workshop_id": 2**64}, "workshop_id"),
        ({"topic": "t" * 201}, "topic"), ({"topic": ["t"]}, "topic"),
        ({"written_at": None}, "written_at"), ({"written_at": ""}, "written_at"),
        ({"written_at": "yesterday"}, "written_at"), ({"written_at": 1732345678}, "written_at"),
        ({"written_at": "2026-11-23T10:00:00"}, "written_at"),  # no offset: could be hours off
        ({"written_at": "0001-01-01T00:00:00+05:00"}, "written_at"),
        ({"written_at": "9999-12-31T23:59:59-05:00"}, "written_at"),
        ({"written_at": ["2026-11-23T10:00:00Z"]}, "written_at"),
        ({"written_at": "x" * 100}, "written_at"),
        ({"written_at": TOO_OLD}, "written_at"), ({"written_at": TOO_FAR_AHEAD}, "written_at"),
    ]


@pytest.mark.parametrize(("fields", "field"), _field_cases(), ids=lambda value: repr(value)[:40])
def test_every_field_is_checked_and_named(ville, fields, field):
    fields = {name: (now() + value).isoformat() if isinstance(value, timedelta) else value
              for name, value in fields.items()}
    refusal(ville.note(**fields), 422, field)


@pytest.mark.parametrize("minutes", [-60 * 24 * 89, 9])
def test_times_inside_the_window_are_taken(ville, minutes):
    # A phone's clock a few minutes fast is normal; 89 days in the outbox is allowed.
    assert ville.note(written_at=(now() + timedelta(minutes=minutes)).isoformat()).status_code == 201


@pytest.mark.parametrize("payload", [[], "text", 5, None, [{"uuid": "x"}]])
def test_a_body_that_is_not_an_object_is_refused(ville, payload):
    response = ville.client.post(NOTES, data=json.dumps(payload), headers=API_HEADERS,
                                 content_type="application/json")
    assert response.status_code in (400, 422) and response.get_json()["ok"] is False


def test_a_form_post_is_read_like_json(ville):
    data = {key: str(value) for key, value in note_body().items()} | {"workshop_id": ""}
    response = ville.client.post(NOTES, data=data, headers=API_HEADERS)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["note"]["workshop_id"] is None


def test_writes_need_the_api_header_and_this_site(ville):
    assert ville.client.post(NOTES, json=note_body()).status_code == 403
    foreign = ville.client.post(NOTES, json=note_body(), headers=API_HEADERS | {"Origin": "https://evil.example"})
    refusal(foreign, 403)
    # From this site's own page (its Origin) it is taken.
    same_site = API_HEADERS | {"Origin": "http://localhost"}
    assert ville.client.post(NOTES, json=note_body(), headers=same_site).status_code == 201


def test_the_api_needs_no_form_token(app_factory):
    # The outbox replays long after the page's form token went stale: the header check
    # and SameSite cookies protect the API instead.
    app = app_factory(WTF_CSRF_ENABLED=True)
    quick_account(app, "ville", Role.WORKER)
    client = app.test_client()
    # Logging in needs the token even here: fetch the form first.
    page = client.get("/facilitator/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/facilitator/login", data={"username": "ville", "password": PASSWORD,
                                                   "csrf_token": token}).status_code == 303
    assert StreetClient(client).note().status_code == 201


# -- who may do what ----------------------------------------------------------------------


def test_anonymous_requests_are_refused(client, app):
    refusal(client.get(NOTES), 401)
    refusal(client.post(NOTES, json=note_body(), headers=API_HEADERS), 401)
    refusal(client.post(f"{NOTES}/1/wall", json={}, headers=API_HEADERS), 401)
    for path in ("/street/", "/street/notes"):
        response = client.get(path)
        assert response.status_code == 302 and "/facilitator/login" in response.headers["Location"]


def test_a_participants_phone_is_refused(alice):
    # A participant has a workshop's device cookie and never a login.
    body = refusal(alice.client.post(NOTES, json=note_body(), headers=API_HEADERS), 403)
    assert "katuhavaintoja" in body["error"]
    refusal(alice.client.get(NOTES), 403)
    assert alice.client.get("/street/").status_code == 302


def test_a_worker_sees_only_their_own_notes_newest_written_first(ville, worker_login, anna):
    older = ville.note(text="Vanhempi", written_at=(now() - timedelta(days=2)).isoformat()).get_json()["note"]
    newer = ville.note(text="Uudempi", written_at=(now() - timedelta(hours=1)).isoformat()).get_json()["note"]
    maija = worker_login("maija")
    maija.note(text="Maijan havainto")
    anna.note(text="Ohjaajan havainto")
    mine = ville.notes().get_json()["notes"]
    assert [note["id"] for note in mine] == [newer["id"], older["id"]]
    # Filters are the facilitators'; a worker's list stays their own.
    assert [note["text"] for note in ville.notes(area="", category="client_work").get_json()["notes"]] == [
        "Uudempi", "Vanhempi"]
    page = ville.client.get("/street/").get_data(as_text=True)
    assert page.index("Uudempi") < page.index("Vanhempi")
    assert "Maijan havainto" not in page and "Ohjaajan havainto" not in page
    assert [note["text"] for note in maija.notes().get_json()["notes"]] == ["Maijan havainto"]


def test_a_worker_stays_out_of_the_facilitators_side(ville, make_workshop):
    workshop = make_workshop()
    # After logging in, the facilitator's home sends a worker to their own page.
    home = ville.client.get("/facilitator/")
    assert home.status_code == 302 and home.headers["Location"] == "/street/"
    for path in (f"/facilitator/workshops/{workshop['id']}", f"/facilitator/workshops/{workshop['id']}/wall",
                 "/street/notes"):
        assert ville.client.get(path).status_code == 403, path
    assert ville.client.post("/facilitator/", data={"title": "Oma työpaja"}).status_code == 403
    assert ville.client.post("/facilitator/workers", data={"worker-username": "x"}).status_code == 403
    note = ville.note().get_json()["note"]
    refusal(ville.pull(note["id"], workshop_id=workshop["id"], board_id=1), 403)
    assert ville.client.post(f"/street/notes/{note['id']}/wall", data={"target": "1:1"}).status_code == 403


def test_a_workers_login_outlives_the_browser_and_a_facilitators_does_not(ville, anna):
    # The outbox may send days later, after the phone's browser was closed in between.
    cookie = ville.client.get("/street/").headers.get("Set-Cookie", "")
    assert "kuulluksi_session=" in cookie and "Expires=" in cookie
    assert "Expires=" not in anna.client.get("/street/").headers.get("Set-Cookie", "")


def test_the_workers_account_form_carries_its_own_form_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    quick_account(app, "anna", Role.FACILITATOR)
    client = app.test_client()

    def token(page: str, name: str = "csrf_token") -> str:
        return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)

    login = client.get("/facilitator/login").get_data(as_text=True)
    client.post("/facilitator/login", data={"username": "anna", "password": PASSWORD, "csrf_token": token(login)})
    home = client.get("/facilitator/").get_data(as_text=True)
    data = {"worker-username": "ville", "worker-password": PASSWORD, "worker-confirm": PASSWORD}
    assert client.post("/facilitator/workers", data=data).status_code == 400  # no token: refused
    created = client.post("/facilitator/workers", data=data | {"worker-csrf_token": token(home, "worker-csrf_token")})
    assert created.status_code == 303


def test_a_worker_can_log_out(ville):
    assert ville.client.post("/facilitator/logout").status_code == 303
    assert ville.client.get("/street/").status_code == 302


# -- the facilitators' list: filters and counts ---------------------------------------------


@pytest.fixture
def spread(ville, worker_login, app):
    """Notes over areas, categories, natures and days; returns the day two days ago."""
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Helsinki"
    maija = worker_login("maija")
    today = now().replace(hour=10, minute=0, second=0, microsecond=0)
    if today > now():
        today -= timedelta(days=1)
    ville.note(text="a", area="Keskusta", category="social_problems", nature="negative",
               written_at=(today - timedelta(days=2)).isoformat())
    ville.note(text="b", area="Keskusta", category="client_needs", nature="positive",
               written_at=(today - timedelta(days=1)).isoformat())
    maija.note(text="c", area="Itäinen alue", category="social_problems", nature="negative",
               written_at=today.isoformat())
    maija.note(text="d", area="", category="own_services", nature="other", written_at=today.isoformat())
    return (today - timedelta(days=2)).date()


def texts(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [note["text"] for note in response.get_json()["notes"]]


def test_facilitators_see_every_note_with_filters(anna, spread):
    assert sorted(texts(anna.notes())) == ["a", "b", "c", "d"]
    assert sorted(texts(anna.notes(area="Keskusta"))) == ["a", "b"]
    assert sorted(texts(anna.notes(category="social_problems"))) == ["a", "c"]
    assert sorted(texts(anna.notes(nature="negative", area="Itäinen alue"))) == ["c"]
    first = spread
    assert texts(anna.notes(since=first.isoformat(), until=first.isoformat())) == ["a"]
    assert sorted(texts(anna.notes(since=(first + timedelta(days=1)).isoformat()))) == ["b", "c", "d"]
    assert texts(anna.notes(until=(first - timedelta(days=1)).isoformat())) == []
    assert texts(anna.notes(mine="1")) == []  # the facilitator wrote none


def test_the_counts_are_per_area_category_and_nature_for_the_period(anna, spread):
    counts = anna.notes(since=spread.isoformat()).get_json()["counts"]
    assert counts["total"] == 4
    assert counts["area"] == {"Keskusta": 2, "Itäinen alue": 1, "": 1}
    assert counts["category"]["social_problems"] == 2 and counts["category"]["network_cooperation"] == 0
    assert len(counts["category"]) == 10
    assert counts["nature"] == {"positive": 1, "negative": 2, "other": 1}
    # Each breakdown keeps the other choices but not its own: with an area chosen, the
    # areas still show how the period spread over all of them.
    chosen = anna.notes(area="Keskusta", nature="negative").get_json()["counts"]
    assert chosen["total"] == 1
    assert chosen["area"] == {"Keskusta": 1, "Itäinen alue": 1}
    assert chosen["nature"] == {"positive": 1, "negative": 1, "other": 0}
    assert chosen["category"]["social_problems"] == 1
    later = anna.notes(since=(spread + timedelta(days=1)).isoformat()).get_json()["counts"]
    assert later["total"] == 3 and later["area"]["Keskusta"] == 1


@pytest.mark.parametrize("args", [{"category": "crime"}, {"nature": "good"}, {"since": "23.11.2026"},
                                  {"until": "2026-13-01"}, {"since": "2026-11-20", "until": "2026-11-19"},
                                  {"area": "x" * 200}])
def test_wrong_filters_are_refused_not_a_crash(anna, args):
    refusal(anna.notes(**args), 422)
    page = anna.client.get("/street/notes", query_string=args)
    assert page.status_code == 422 and 'role="alert"' in page.get_data(as_text=True)


def test_the_facilitators_page_shows_filters_counts_and_notes(anna, spread):
    page = anna.client.get("/street/notes", query_string={"area": "Keskusta"}).get_data(as_text=True)
    assert '<option value="Keskusta" selected>' in page
    assert re.search(r"Näytettyjä katuhavaintoja: 2", page)
    assert '<th scope="row">Itäinen alue</th><td class="number">1</td>' in page
    assert "Sosiaaliset ongelmat" in page and "Negatiivinen" in page
    shown = re.findall(r'<p class="street-note__text" id="note-\d+-text">(.*?)</p>', page)
    assert sorted(shown) == ["a", "b"]


# -- photos ------------------------------------------------------------------------------------


def test_a_photo_is_stored_without_its_location_and_camera(ville, worker_login, anna, app):
    photo = gps_photo()
    answer = ville.with_photo(photo)
    assert answer.status_code == 201, answer.get_json()
    image = answer.get_json()["note"]["image"]
    assert image["width"] == 40 and image["height"] == 20
    status, mimetype, data = fetch(ville.client, image["url"])
    assert status == 200 and mimetype == "image/jpeg"
    for data in (data, fetch(ville.client, image["thumb_url"])[2]):
        stored = Image.open(io.BytesIO(data))
        assert not stored.getexif()
        assert b"PhoneMaker" not in data and b"Secret" not in data and b"GPS" not in data
    # The author and facilitators see it; another worker does not.
    assert fetch(anna.client, image["url"])[0] == 200
    assert fetch(worker_login("maija").client, image["url"])[0] == 404
    assert fetch(ville.client, "/api/street/media/..%2Fsecret_key")[0] == 404
    # The same photo again is a repeat; no second file is kept.
    media = Path(app.config["MEDIA_DIR"])
    files = sorted(path.name for path in media.iterdir())
    body = answer.get_json()["note"]
    again = ville.client.post(NOTES, headers=API_HEADERS, content_type="multipart/form-data", data={
        "uuid": body["uuid"], "text": body["text"], "nature": body["nature"], "category": body["category"],
        "area": body["area"], "written_at": body["written_at"], "image": (io.BytesIO(photo), "a.jpg")})
    assert again.status_code == 200 and again.get_json()["note"]["id"] == body["id"]
    assert sorted(path.name for path in media.iterdir()) == files


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_kept(ville, app):
    refusal(ville.with_photo(b"GIF89a not really"), 422, "image")
    refusal(ville.with_photo(gps_photo(), text=""), 422, "text")
    assert list(Path(app.config["MEDIA_DIR"]).iterdir()) == []
    with app.app_context():
        assert db.session.scalars(select(StreetNote)).all() == []


def test_a_photo_is_deleted_again_when_the_row_cannot_be_stored(ville, app, monkeypatch):
    from workshop.extensions import db as database

    def broken_commit():
        raise RuntimeError("disk full")

    monkeypatch.setattr(database.session, "commit", broken_commit)
    assert ville.with_photo(gps_photo()).status_code == 500
    monkeypatch.undo()
    assert list(Path(app.config["MEDIA_DIR"]).iterdir()) == []


def test_an_empty_file_part_is_no_photo(ville):
    data = {key: str(value) for key, value in note_body().items()}
    data["image"] = (io.BytesIO(b""), "")
    response = ville.client.post(NOTES, data=data, headers=API_HEADERS, content_type="multipart/form-data")
    assert response.status_code == 201 and response.get_json()["note"]["image"] is None


# -- onto a workshop's wall ------------------------------------------------------------------------


def test_pulling_a_note_onto_a_wall_is_idempotent_and_shows_on_its_changes(ville, anna, workshop, app):
    note = ville.note(text="Ruoka-apu loppui kesken", nature="negative").get_json()["note"]
    staff = ApiClient(anna.client, workshop["code"])
    boards = staff.boards()
    first = anna.pull(note["id"], workshop_id=workshop["id"], board_id=boards[1]["id"])
    assert first.status_code == 201, first.get_json()
    item = first.get_json()["item"]
    assert (item["kind"], item["text"], item["from_paper"], item["board_id"]) == (
        "note", "Ruoka-apu loppui kesken", True, boards[1]["id"])
    assert item["colour"] == "pink"  # negative: its nature shows on the wall too
    again = anna.pull(note["id"], workshop_id=workshop["id"], board_id=boards[1]["id"])
    assert again.status_code == 200 and again.get_json()["item"]["id"] == item["id"]
    on_wall = [change for change in staff.get("/changes").get_json()["changes"] if change["type"] == "item"]
    assert [change["id"] for change in on_wall] == [item["id"]]
    other_board = refusal(anna.pull(note["id"], workshop_id=workshop["id"], board_id=boards[0]["id"]), 409)
    assert "seinällä" in other_board["error"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Item)) == 1


def test_the_same_note_can_go_on_two_workshops_walls(ville, anna, make_workshop):
    first, second = make_workshop(title="Kevät"), make_workshop(title="Syksy")
    note = ville.note().get_json()["note"]
    items = []
    for workshop in (first, second):
        board = ApiClient(anna.client, workshop["code"]).boards()[0]
        response = anna.pull(note["id"], workshop_id=workshop["id"], board_id=board["id"])
        assert response.status_code == 201
        items.append(response.get_json()["item"]["id"])
    assert items[0] != items[1]


def test_a_photo_note_becomes_a_photo_with_its_text_as_caption(ville, anna, workshop):
    note = ville.with_photo(gps_photo(), text="Teltta puistossa " * 20).get_json()["note"]
    board = ApiClient(anna.client, workshop["code"]).boards()[0]
    response = anna.pull(note["id"], workshop_id=workshop["id"], board_id=board["id"])
    assert response.status_code == 201, response.get_json()
    item = response.get_json()["item"]
    assert item["kind"] == "photo" and item["image"]["width"] == 40
    assert item["text"].startswith("Teltta puistossa") and item["text"].endswith("…") and len(item["text"]) <= 200
    status, _type, data = fetch(anna.client, item["image"]["url"])
    assert status == 200 and not Image.open(io.BytesIO(data)).getexif()
    assert anna.pull(note["id"], workshop_id=workshop["id"], board_id=board["id"]).status_code == 200


@pytest.mark.parametrize(("fields", "status"), [({"workshop_id": 999, "board_id": 1}, 404),
                                                ({"workshop_id": 1, "board_id": 999}, 404),
                                                ({"workshop_id": "x", "board_id": 1}, 422),
                                                ({"board_id": 1}, 422), ({"workshop_id": 1}, 422)])
def test_pulling_checks_its_input(ville, anna, workshop, fields, status):
    note = ville.note().get_json()["note"]
    refusal(anna.pull(note["id"], **fields), status)


def test_pulling_a_note_that_does_not_exist(anna, workshop):
    refusal(anna.pull(12345, workshop_id=workshop["id"], board_id=1), 404)
    refusal(anna.client.post(f"{NOTES}/1/wall", data="[]", headers=API_HEADERS, content_type="application/json"), 400)


def test_the_list_page_puts_a_note_on_a_wall(ville, anna, workshop, app):
    note = ville.note(workshop_id=workshop["id"]).get_json()["note"]
    page = anna.client.get("/street/notes").get_data(as_text=True)
    assert f'<option value="{workshop["id"]}:1" selected>' in page  # the note's own workshop first
    posted = anna.client.post(f"/street/notes/{note['id']}/wall",
                              data={"target": f"{workshop['id']}:2", "next": "/street/notes?area=Keskusta"})
    assert posted.status_code == 303
    assert posted.headers["Location"] == f"/street/notes?area=Keskusta#note-{note['id']}"
    shown = anna.client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "on nyt työpajan Päiväkeskus Kalliola seinällä" in shown
    again = anna.client.post(f"/street/notes/{note['id']}/wall", data={"target": f"{workshop['id']}:2"},
                             follow_redirects=True).get_data(as_text=True)
    assert "oli jo työpajan Päiväkeskus Kalliola seinällä" in again
    wrong = anna.client.post(f"/street/notes/{note['id']}/wall", data={"target": "nonsense"},
                             follow_redirects=True)
    assert wrong.status_code == 200 and "alert--error" in wrong.get_data(as_text=True)
    # A crafted "next" cannot send the facilitator to another site.
    away = anna.client.post(f"/street/notes/{note['id']}/wall", data={"target": "1:2", "next": "//evil.example/"})
    assert away.headers["Location"].startswith("/street/notes#")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Item)) == 1


# -- workers' accounts -------------------------------------------------------------------------------


def test_a_facilitator_creates_a_workers_account_on_the_home_page(logged_in, app):
    page = logged_in.get("/facilitator/").get_data(as_text=True)
    assert 'id="workers-heading"' in page and 'name="worker-username"' in page
    assert 'href="/street/notes"' in page
    created = logged_in.post("/facilitator/workers", data={"worker-username": "Ville",
                                                           "worker-password": "correct horse battery",
                                                           "worker-confirm": "correct horse battery"})
    assert created.status_code == 303 and created.headers["Location"] == "/facilitator/#workers-heading"
    page = logged_in.get("/facilitator/").get_data(as_text=True)
    assert "Ville" in page and "luotiin" in page
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.username == "Ville"))
        assert account.role == Role.WORKER
    phone = app.test_client()
    assert phone.post("/facilitator/login", data={"username": "ville", "password": "correct horse battery"},
                      follow_redirects=True).request.path == "/street/"


@pytest.mark.parametrize(("data", "message"), [
    ({"worker-username": "", "worker-password": "correct horse battery", "worker-confirm": "correct horse battery"},
     "Anna käyttäjätunnus."),
    ({"worker-username": "anna", "worker-password": "correct horse battery",
      "worker-confirm": "correct horse battery"}, "Käyttäjätunnus on jo käytössä."),
    ({"worker-username": "ville", "worker-password": "short", "worker-confirm": "short"}, "vähintään 10"),
    ({"worker-username": "ville", "worker-password": "correct horse battery", "worker-confirm": "other"},
     "Salasanat eivät ole samat."),
])
def test_a_workers_account_form_shows_its_errors(logged_in, app, data, message):
    response = logged_in.post("/facilitator/workers", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Account).where(Account.role == Role.WORKER)) == 0


def test_the_command_line_creates_a_workers_account(runner, app):
    result = runner.invoke(args=["facilitator", "create", "Ville", "--role", "worker", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Ville" in result.output and "Etsivän" in result.output
    plain = runner.invoke(args=["facilitator", "create", "Anna", "--password", PASSWORD])
    assert plain.exit_code == 0 and "Ohjaajan" in plain.output
    wrong = runner.invoke(args=["facilitator", "create", "Eve", "--role", "admin", "--password", PASSWORD])
    assert wrong.exit_code != 0
    with app.app_context():
        roles = dict(db.session.execute(select(Account.username, Account.role)).tuples().all())
    assert roles == {"Ville": Role.WORKER, "Anna": Role.FACILITATOR}


@requires_sqlite
def test_the_migration_keeps_every_authors_link(app_context):
    # Adding the worker role recreates the account table on SQLite; with foreign keys on,
    # dropping the old table would have emptied every ON DELETE SET NULL link to it.
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    downgrade(revision="0004")
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO account (id, username, username_key, password_hash, role, active, "
                                "created_at) VALUES (7, 'paula', 'paula', '!', 'facilitator', 1, '2026-01-01')"))
        connection.execute(text("INSERT INTO workshop (id, title, place, language, phase, join_code, created_by_id, "
                                "created_at, last_seq, reveal_mode, topic, projector) VALUES (5, 't', '', 'fi', "
                                "'mapping', 'QWERTY', 7, '2026-01-01', 0, 0, '', 'wall')"))
    upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT created_by_id FROM workshop WHERE id = 5")).scalar() == 7
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        connection.execute(text("INSERT INTO account (username, username_key, password_hash, role, active, "
                                "created_at) VALUES ('ville', 'ville', '!', 'worker', 1, '2026-01-01')"))
        connection.commit()
    downgrade(revision="0004")  # the worker goes, the facilitator's links stay
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT username FROM account")).scalars().all() == ["paula"]
        assert connection.execute(text("SELECT created_by_id FROM workshop WHERE id = 5")).scalar() == 7
    upgrade()


def test_the_areas_come_from_the_environment():
    from workshop.config import Defaults, from_environment

    assert from_environment({"STREET_AREAS": " Kallio, Vallila ,, Sörnäinen "})["STREET_AREAS"] == [
        "Kallio", "Vallila", "Sörnäinen"]
    assert "Keskusta" in Defaults.STREET_AREAS and len(Defaults.STREET_AREAS) == 5


def test_the_form_offers_the_deployments_areas(app_factory):
    app = app_factory(STREET_AREAS=["Kallio", "Vallila"])
    quick_account(app, "ville", Role.WORKER)
    client = app.test_client()
    Facilitator("ville", PASSWORD).login(client)
    page = client.get("/street/").get_data(as_text=True)
    assert '<option value="Kallio">Kallio</option>' in page and "Keskusta" not in page
    refusal(StreetClient(client).note(area="Keskusta"), 422, "area")
    assert StreetClient(client).note(area="Vallila").status_code == 201


# -- the pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "heading", "nature"), [("fi", "Uusi katuhavainto", "Positiivinen"),
                                                         ("sv", "Ny gatuobservation", "Positiv"),
                                                         ("en", "New street note", "Positive")])
def test_the_workers_page_in_each_language(ville, lang, heading, nature):
    with ville.client.session_transaction() as session:
        session["lang"] = lang
    ville.note(text="Havainto")
    page = ville.client.get("/street/").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and heading in page and nature in page
    assert 'capture="environment"' in page and 'type="radio" name="nature"' in page
    assert 'src="/static/js/street.js"' in page and 'href="/static/css/street.css"' in page
    assert '<script type="application/json" id="strings">' in page
    assert "Havainto" in page
    assert "http://" not in page.split("<body", 1)[1] and "https://" not in page  # nothing from a CDN


@pytest.mark.parametrize(("lang", "heading", "category"), [("fi", "Katuhavainnot", "Verkostoyhteistyö"),
                                                          ("sv", "Gatuobservationer", "Nätverkssamarbete"),
                                                          ("en", "Street notes", "Network cooperation")])
def test_the_facilitators_page_in_each_language(anna, ville, workshop, lang, heading, category):
    ville.note()
    with anna.client.session_transaction() as session:
        session["lang"] = lang
    page = anna.client.get("/street/notes").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and f"<h1>{heading}</h1>" in page and category in page
    assert '<caption>' in page and 'scope="row"' in page and 'name="target"' in page


def test_every_form_control_has_a_label(ville, anna, workshop):
    ville.note()
    for client, path in ((ville.client, "/street/"), (anna.client, "/street/notes")):
        page = client.get(path).get_data(as_text=True)
        ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|radio|submit)")[^>]*\bid="([^"]+)"', page)
        assert ids, path
        for control in ids:
            assert f'for="{control}"' in page, f"{path}: {control} has no label"
