"""One JSON error shape, one error page, and the security headers on every response."""
import pytest

from workshop.security import CONTENT_SECURITY_POLICY


def test_api_errors_have_the_one_json_shape(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json() == {"ok": False, "error": "Sivua ei löytynyt.", "errors": []}


def test_a_program_asking_for_json_gets_json(client):
    response = client.get("/nothing-here", headers={"Accept": "application/json"})
    assert response.get_json()["ok"] is False


def test_people_get_the_error_page_in_their_language(client):
    response = client.get("/nothing-here")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<h1>Sivua ei löytynyt.</h1>" in page
    assert 'href="/"' in page  # a way back


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_a_too_large_body_is_413_not_a_crash(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/join", data={"code": "x" * 5000})
    assert response.status_code == 413
    assert "Tiedosto on liian suuri." in response.get_data(as_text=True)


def test_an_unexpected_error_is_a_friendly_500(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("bug")

    response = app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.get_json()["error"].startswith("Meillä meni jotain vikaan.")


@pytest.mark.parametrize("path", [
    "/", "/j/WWWWWW", "/facilitator/login", "/static/css/app.css", "/privacy", "/no-such-page",
    "/api/w/WWWWWW/changes",  # the API's JSON, here its 404
    "/socket.io/?EIO=4&transport=polling",  # the Socket.IO transport, answered in front of Flask
])
def test_security_headers_are_on_every_response(client, facilitator, path):
    with client.get(path) as response:  # a static file is streamed: close it
        headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_session_cookie_is_httponly_and_samesite(client, facilitator):
    facilitator.login(client)
    cookie = client.get_cookie("kuulluksi_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_no_page_loads_anything_from_another_host(client):
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for path in list((root / "templates").rglob("*.html")) + list((root / "static").rglob("*.css")):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r'(?:src|href)="https?://|url\(["\']?https?://|@import', source), path
