"""The facilitator's pages over HTTP: first run, login, workshops, projector and poster."""
import re

import pytest
from sqlalchemy import select

from workshop.extensions import db
from workshop.models import Account, Workshop

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}
NEW_ACCOUNT = {"username": "anna", "password": "correct horse battery", "confirm": "correct horse battery"}


def test_first_visit_offers_to_create_the_first_account(client, app):
    response = client.get("/facilitator/", follow_redirects=True, environ_base=LOCAL)
    assert "Luo ensimmäinen ohjaajan tunnus" in response.get_data(as_text=True)
    created = client.post("/facilitator/setup", data=NEW_ACCOUNT, environ_base=LOCAL)
    assert created.status_code == 303 and created.headers["Location"] == "/facilitator/"
    assert "Tervetuloa! Tunnuksesi on valmis." in client.get("/facilitator/").get_data(as_text=True)
    # ...and only then: once an account exists the setup page is gone.
    assert client.get("/facilitator/setup", environ_base=LOCAL).status_code == 404
    assert app.test_client().post("/facilitator/setup", data=NEW_ACCOUNT | {"username": "eve"},
                                  environ_base=LOCAL).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(Account.username)).all() == ["anna"]


def test_first_account_only_from_the_computer_itself(client, app):
    response = client.post("/facilitator/setup", data=NEW_ACCOUNT, environ_base={"REMOTE_ADDR": "192.168.43.50"})
    assert response.status_code == 403
    assert "flask --app workshop facilitator create" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Account)).all() == []


def test_setup_form_errors_are_shown_and_nothing_is_saved(client, app):
    response = client.post("/facilitator/setup", environ_base=LOCAL,
                           data={"username": "anna", "password": "short", "confirm": "other"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Salasanassa pitää olla vähintään 10 merkkiä." in page
    assert 'aria-invalid="true"' in page
    with app.app_context():
        assert db.session.scalars(select(Account)).all() == []


def test_wrong_password_is_refused_with_a_message(client, facilitator):
    response = client.post("/facilitator/login", data={"username": "anna", "password": "wrong password"})
    assert response.status_code == 422
    assert "Käyttäjätunnus tai salasana on väärin." in response.get_data(as_text=True)
    assert client.get("/facilitator/").status_code == 302


def test_cli_creates_an_account(runner, app):
    result = runner.invoke(args=["facilitator", "create", "Maija", "--password", "correct horse battery"])
    assert result.exit_code == 0, result.output
    assert "Maija" in result.output
    again = runner.invoke(args=["facilitator", "create", "maija", "--password", "correct horse battery"])
    assert again.exit_code != 0 and "käytössä" in again.output
    short = runner.invoke(args=["facilitator", "create", "Pekka", "--password", "short"])
    assert short.exit_code != 0
    with app.app_context():
        assert db.session.scalars(select(Account.username)).all() == ["Maija"]


def test_create_rename_close_and_reopen_a_workshop(logged_in, app):
    created = logged_in.post("/facilitator/", data={"title": "Kevään työpaja", "place": "Kalliola", "language": "fi"})
    assert created.status_code == 303
    page = logged_in.get(created.headers["Location"]).get_data(as_text=True)
    assert "Kevään työpaja" in page and "Työpaja luotiin." in page
    code = re.search(r'class="join-code">([A-Z0-9 ]+)<', page).group(1)
    assert len(code.replace(" ", "")) == 6
    assert "Kevään työpaja" in logged_in.get("/facilitator/").get_data(as_text=True)

    renamed = logged_in.post("/facilitator/workshops/1", data={"title": "Syksyn työpaja"})
    assert renamed.status_code == 303
    assert "Syksyn työpaja" in logged_in.get("/facilitator/workshops/1").get_data(as_text=True)

    confirm = logged_in.get("/facilitator/workshops/1/close").get_data(as_text=True)
    assert "Suljetaanko työpaja?" in confirm
    assert logged_in.post("/facilitator/workshops/1/close").status_code == 303
    with app.app_context():
        assert db.session.get(Workshop, 1).closed_at is not None
    assert logged_in.post("/facilitator/workshops/1/reopen").status_code == 303
    with app.app_context():
        assert db.session.get(Workshop, 1).closed_at is None


@pytest.mark.parametrize("data", [{"title": ""}, {"title": "   "}, {"title": "x" * 300}, {"title": "Ok", "language": "xx"},
                                  {"title": "Ok", "place": "y" * 300}])
def test_bad_workshop_input_is_explained_and_nothing_stored(logged_in, app, data):
    response = logged_in.post("/facilitator/", data={"language": "fi", **data})
    assert response.status_code == 422
    assert 'class="field__error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Workshop)).all() == []


def test_a_blank_new_name_is_refused_and_the_old_one_kept(logged_in, make_workshop, app):
    workshop = make_workshop(title="Vanha nimi")
    response = logged_in.post(f"/facilitator/workshops/{workshop['id']}", data={"title": "   "})
    assert response.status_code == 422
    assert "Anna työpajalle nimi." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Workshop, workshop["id"]).title == "Vanha nimi"


def test_unknown_workshop_is_a_friendly_404(logged_in):
    response = logged_in.get("/facilitator/workshops/999")
    assert response.status_code == 404
    assert "Sivua ei löytynyt." in response.get_data(as_text=True)


def test_projector_and_poster_show_the_code_and_the_lan_address(logged_in, make_workshop, monkeypatch):
    import workshop.facilitator.views as views

    monkeypatch.setattr(views, "lan_address", lambda: "192.168.43.12")
    workshop = make_workshop(language="sv")
    display = workshop["code"][:3] + " " + workshop["code"][3:]
    for path in ("projector", "poster"):
        page = logged_in.get(f"/facilitator/workshops/{workshop['id']}/{path}",
                             base_url="http://localhost:5000").get_data(as_text=True)
        assert display in page
        assert "http://192.168.43.12:5000" in page
        assert '<html lang="sv">' in page  # the room's language, not the facilitator's
        assert "Rikta telefonens kamera mot koden" in page
    svg = logged_in.get(f"/facilitator/workshops/{workshop['id']}/qr.svg")
    assert svg.mimetype == "image/svg+xml"


def test_forms_refuse_a_post_without_the_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/facilitator/setup", data=NEW_ACCOUNT, environ_base=LOCAL)
    assert response.status_code == 400
    assert "Sivu oli auki liian kauan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Account)).all() == []
    # With the token from the form, the same post goes through.
    form = client.get("/facilitator/setup", environ_base=LOCAL).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    ok = client.post("/facilitator/setup", data=NEW_ACCOUNT | {"csrf_token": token}, environ_base=LOCAL)
    assert ok.status_code == 303


def test_login_starts_a_fresh_session(client, facilitator):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["lang"] = "sv"
    facilitator.login(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "sv"
        assert session["_user_id"]


def test_logout(logged_in):
    response = logged_in.post("/facilitator/logout")
    assert response.status_code == 303
    assert logged_in.get("/facilitator/").status_code == 302
