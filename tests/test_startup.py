"""What `make run` prints: where the facilitator and the phones should go."""
from workshop import qr, startup


def test_banner_names_both_addresses_and_draws_the_qr_code(app, monkeypatch):
    monkeypatch.setattr(startup, "lan_address", lambda: "192.168.43.12")
    text = startup.banner(app, 5000)
    assert "Ohjaaja, avaa tällä tietokoneella: http://localhost:5000/facilitator/" in text
    assert "Saman wifin puhelimet käyttävät osoitetta: http://192.168.43.12:5000/" in text
    # The terminal's QR code is the phones' address (test_qr decodes what qr draws).
    assert qr.terminal("http://192.168.43.12:5000/") in text


def test_banner_uses_the_configured_address(app_factory, monkeypatch):
    monkeypatch.setattr(startup, "lan_address", lambda: "192.168.43.12")
    app = app_factory(JOIN_BASE_URL="https://raportti.alue.fi")
    assert "https://raportti.alue.fi/" in startup.banner(app, 5000)


def test_banner_without_a_network_says_what_to_do(app, monkeypatch):
    monkeypatch.setattr(startup, "lan_address", lambda: None)
    text = startup.banner(app, 5000)
    assert "yhdistä se wifiin" in text
    assert "█" not in text


def test_secret_key_is_made_once_and_kept(tmp_path):
    from workshop.config import load_or_create_secret_key

    first = load_or_create_secret_key(str(tmp_path))
    assert len(first) == 64
    assert load_or_create_secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_settings(monkeypatch):
    from workshop.config import from_environment

    settings = from_environment({"DATABASE_URL": "postgresql+psycopg://db/k", "SESSION_COOKIE_SECURE": "true",
                                 "PORT": "5000"})
    assert settings == {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/k", "SESSION_COOKIE_SECURE": True}
