"""Joining as an anonymous participant: by QR link or typed code, and what goes wrong."""
import pytest
from sqlalchemy import select

from workshop.extensions import db
from workshop.models import Participant

PHONE_UA = "Mozilla/5.0 (Linux; Android 8.1.0; Nokia 2.1) TestPhone/1.0"
PHONE = {"REMOTE_ADDR": "192.168.43.77", "HTTP_USER_AGENT": PHONE_UA}


def _participants(app):
    with app.app_context():
        return db.session.scalars(select(Participant)).all()


def test_the_qr_link_lands_on_the_participant_page_in_finnish(client, app, make_workshop):
    workshop = make_workshop()
    response = client.get(f"/j/{workshop['code']}", environ_base=PHONE, headers={"Accept-Language": "en-US,en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fi">' in page
    assert "Kirjoita lappu" in page and "Minä vain kuuntelen" in page
    assert "Kukaan ei tiedä, kuka olet" in page
    assert "Päiväkeskus Kalliola" in page
    main = page.split("<main")[1]
    assert 'name="name"' not in main and "autocomplete=\"name\"" not in main  # no name asked
    cookie = client.get_cookie("kuulluksi_device")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert len(_participants(app)) == 1


def test_joining_again_is_the_same_participant(client, app, make_workshop):
    workshop = make_workshop()
    client.get(f"/j/{workshop['code']}")
    client.get(f"/j/{workshop['code']}")
    assert len(_participants(app)) == 1
    app.test_client().get(f"/j/{workshop['code']}")  # another phone
    assert len(_participants(app)) == 2


def test_the_workshop_language_is_used_and_the_switch_changes_it(client, make_workshop):
    workshop = make_workshop(language="sv")
    page = client.get(f"/j/{workshop['code']}").get_data(as_text=True)
    assert '<html lang="sv">' in page and "Skriv en lapp" in page
    switched = client.post("/language", data={"lang": "en", "next": f"/j/{workshop['code']}"})
    assert switched.status_code == 303 and switched.headers["Location"] == f"/j/{workshop['code']}"
    assert "Write a note" in client.get(f"/j/{workshop['code']}").get_data(as_text=True)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "\\\\evil"])
def test_the_language_switch_never_redirects_elsewhere(client, next_url):
    response = client.post("/language", data={"lang": "sv", "next": next_url})
    assert response.headers["Location"] == "/"


def test_a_typed_code_is_forgiving(client, make_workshop):
    workshop = make_workshop()
    typed = workshop["code"][:3].lower() + " " + workshop["code"][3:].lower()
    response = client.post("/join", data={"code": typed})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/j/{workshop['code']}"
    lower = client.get(f"/j/{workshop['code'].lower()}")
    assert lower.status_code == 302 and lower.headers["Location"] == f"/j/{workshop['code']}"


def test_a_wrong_code_gets_a_friendly_message(client, app, make_workshop):
    make_workshop()
    response = client.get("/j/WWWWWW")
    assert response.status_code == 404
    assert "Tällä koodilla ei löydy työpajaa." in response.get_data(as_text=True)
    typed = client.post("/join", data={"code": "WWWWWW"})
    assert typed.status_code == 422
    assert "Tällä koodilla ei löydy työpajaa." in typed.get_data(as_text=True)
    empty = client.post("/join", data={"code": ""})
    assert "Kirjoita koodi, jonka näet näytöllä." in empty.get_data(as_text=True)
    assert _participants(app) == []


def test_a_closed_workshop_says_it_has_ended(client, app, make_workshop):
    workshop = make_workshop(closed=True)
    response = client.get(f"/j/{workshop['code']}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "Tämä työpaja on päättynyt. Kiitos osallistumisesta!" in page
    typed = client.post("/join", data={"code": workshop["code"]})
    assert "Tämä työpaja on päättynyt." in typed.get_data(as_text=True)
    assert _participants(app) == []
    assert client.get_cookie("kuulluksi_device") is None


def test_nothing_identifying_the_phone_is_stored(client, app, tmp_path, make_workshop):
    workshop = make_workshop()
    client.get(f"/j/{workshop['code']}", environ_base=PHONE)
    with app.app_context():
        db.engine.dispose()  # checkpoint-free: read the files as they are
    stored = b"".join(path.read_bytes() for path in (tmp_path / "sessions").glob("kuulluksi.sqlite3*"))
    assert b"192.168.43.77" not in stored
    assert b"TestPhone" not in stored and b"Nokia" not in stored
    token = client.get_cookie("kuulluksi_device").value
    assert token.encode() not in stored  # only its hash


class TestGuessingIsLimited:
    """Wrong codes are limited per network and for the whole server; right codes pass."""

    def test_wrong_codes_from_one_network_are_stopped(self, app_factory, make_workshop):
        app = app_factory(JOIN_FAILURES_PER_NETWORK="5 per 10 minutes", JOIN_FAILURES_GLOBAL="1000 per hour")
        client = app.test_client()
        statuses = [client.get(f"/j/WWWWW{c}", environ_base=PHONE).status_code for c in "ACEFHJ"]
        assert statuses == [404] * 5 + [429]
        blocked = client.post("/join", data={"code": "WWWWWW"}, environ_base=PHONE)
        assert blocked.status_code == 429
        assert "Liian monta yritystä lyhyessä ajassa." in blocked.get_data(as_text=True)
        # Another network is not affected by this one's budget.
        other = client.get("/j/WWWWWW", environ_base={"REMOTE_ADDR": "10.1.2.3"})
        assert other.status_code == 404

    def test_the_whole_server_has_a_budget_even_across_networks(self, app_factory):
        app = app_factory(JOIN_FAILURES_PER_NETWORK="1000 per hour", JOIN_FAILURES_GLOBAL="4 per hour")
        client = app.test_client()
        statuses = [client.get("/j/WWWWWW", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
                    for n in range(6)]
        assert statuses == [404] * 4 + [429] * 2

    def test_right_codes_do_not_use_the_budget(self, app_factory, make_workshop):
        app = app_factory(JOIN_FAILURES_PER_NETWORK="3 per 10 minutes")
        workshop = make_workshop()
        for _ in range(10):  # a room of people joining from the centre's one address
            assert app.test_client().get(f"/j/{workshop['code']}", environ_base=PHONE).status_code == 200

    def test_a_phone_that_already_joined_gets_through_while_the_budget_is_spent(self, app_factory, make_workshop):
        app = app_factory(JOIN_FAILURES_PER_NETWORK="1000 per hour", JOIN_FAILURES_GLOBAL="2 per hour")
        workshop = make_workshop()
        phone = app.test_client()
        assert phone.get(f"/j/{workshop['code']}").status_code == 200
        attacker = app.test_client()
        for _ in range(3):
            attacker.get("/j/WWWWWW", environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert app.test_client().get(f"/j/{workshop['code']}").status_code == 429  # a new phone waits
        assert phone.get(f"/j/{workshop['code']}").status_code == 200  # a joined one does not

    def test_joins_of_one_workshop_are_limited(self, app_factory, make_workshop):
        app = app_factory(JOINS_PER_WORKSHOP="3 per minute")
        workshop, other = make_workshop(), make_workshop(title="Toinen")
        statuses = [app.test_client().get(f"/j/{workshop['code']}").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert app.test_client().get(f"/j/{other['code']}").status_code == 200

    def test_a_phone_that_joined_opens_its_workshop_again_whatever_the_limit(self, app_factory, make_workshop):
        # Reloading the page (or the service worker keeping it for offline use) is not a new join.
        app = app_factory(JOINS_PER_WORKSHOP="2 per minute")
        workshop = make_workshop()
        phone = app.test_client()
        statuses = [phone.get(f"/j/{workshop['code']}").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 200]
        assert app.test_client().get(f"/j/{workshop['code']}").status_code == 200  # 1 of 2 used by the phone
        assert app.test_client().get(f"/j/{workshop['code']}").status_code == 429


def test_login_guessing_is_limited_per_account(app_factory, facilitator):
    app = app_factory(LOGIN_FAILURES_PER_ACCOUNT="3 per hour")
    statuses = [app.test_client().post("/facilitator/login",
                                       data={"username": "anna", "password": "wrong password"},
                                       environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(4)]
    assert statuses == [422, 422, 422, 429]
