"""Shared fixtures: a fresh app on its own migrated SQLite file for every test."""
from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy
from flask import Flask
from jinja2 import BytecodeCache

from workshop import create_app
from workshop.accounts import create_account
from workshop.extensions import db, limiter
from workshop.startup import apply_migrations
from workshop.workshops import create_workshop

from .servers import postgres_admin

PASSWORD = "correct horse battery"


def make_config(tmp_path, **overrides) -> dict:
    """Settings for a test app whose data lives under `tmp_path` only."""
    sessions = tmp_path / "sessions"
    sessions.mkdir(exist_ok=True)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "SESSIONS_DIR": str(sessions),
        "EXPORTS_DIR": str(tmp_path / "exports"),
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(sessions / "kuulluksi.sqlite3"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests post faster than people: the flood limits have their own tests (test_floods.py).
        "DEVICE_WRITE_BURST": 100_000,
        "WORKSHOP_WRITE_BURST": 100_000,
        "JOIN_BASE_URL": None,
        # Tests serve with Werkzeug's threads; the deployed server's mode is benchmarked.
        "SOCKETIO_ASYNC_MODE": "threading",
    }
    config.update(overrides)
    return config


#: A PostgreSQL server to run the tests against instead of SQLite files, e.g.
#: `postgresql+psycopg://postgres@127.0.0.1` (one migrated database, emptied after each test).
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "").rstrip("/")
#: For a test about SQLite itself (its pragmas, its write lock, its file on disk).
requires_sqlite = pytest.mark.skipif(bool(POSTGRES_SERVER), reason="about SQLite itself; the tests run on PostgreSQL")


class PostgresTestDatabase:
    """One migrated PostgreSQL database for the whole run, emptied after every test.

    A database per test (CREATE … TEMPLATE, then DROP) cost the server about 0.25 s a test,
    nearly all of it waiting for the disk; deleting the few rows a test wrote and restarting
    the id sequences costs about 5 ms and leaves the same empty, migrated database. The
    deletes skip the foreign-key triggers (session_replication_role), so their order does
    not matter: TEST_POSTGRES_URL's user must be a superuser of that test server.
    """

    def __init__(self, url: str):
        self.url = url
        self.engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
        with self.engine.connect() as connection:
            tables = connection.exec_driver_sql(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'").scalars().all()
            sequences = connection.exec_driver_sql(
                "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'").scalars().all()
        self._emptying = "; ".join(
            ["SET LOCAL session_replication_role = replica", *(f"DELETE FROM {table}" for table in tables),
             "SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in sequences)])

    def empty(self) -> None:
        """Delete every row but the migration's version, and restart every id sequence."""
        with self.engine.begin() as connection:
            connection.exec_driver_sql(self._emptying)

    def close(self) -> None:
        """Let go of the database (before it is dropped)."""
        self.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database with every migration applied, made once for the run: the path of a SQLite
    file each test copies, or with TEST_POSTGRES_URL a `PostgresTestDatabase`."""
    directory = tmp_path_factory.mktemp("template")
    overrides = {}
    if POSTGRES_SERVER:
        name = f"kuulluksi_test_{uuid.uuid4().hex[:12]}"
        postgres_admin(POSTGRES_SERVER, f"CREATE DATABASE {name}")
        overrides["SQLALCHEMY_DATABASE_URI"] = f"{POSTGRES_SERVER}/{name}"
    app = create_app(make_config(directory, **overrides))
    apply_migrations(app)
    with app.app_context():
        db.engine.dispose()
    if not POSTGRES_SERVER:
        yield directory / "sessions" / "kuulluksi.sqlite3"
        return
    database = PostgresTestDatabase(overrides["SQLALCHEMY_DATABASE_URI"])
    yield database
    database.close()
    postgres_admin(POSTGRES_SERVER, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class SharedTemplateCache(BytecodeCache):
    """Compiled templates kept for every test app of the run.

    Each app has its own Jinja environment and would compile every template it renders
    anew: a quarter of the time of a test that opens a page. A template is recompiled
    when its source changes (the cache is keyed by the source's checksum).
    """

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = SharedTemplateCache()


@pytest.fixture
def app_factory(tmp_path, migrated_database):
    """Build apps on a copy of the migrated database; `factory(**settings)` overrides settings."""
    made: list[Flask] = []

    def factory(**overrides) -> Flask:
        if POSTGRES_SERVER:
            overrides.setdefault("SQLALCHEMY_DATABASE_URI", migrated_database.url)
        config = make_config(tmp_path, **overrides)
        target = config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        if not made and not POSTGRES_SERVER:
            shutil.copyfile(migrated_database, target)
        app = create_app(config)
        app.jinja_env.bytecode_cache = _TEMPLATES
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.engine.dispose()
    if POSTGRES_SERVER:
        migrated_database.empty()
    limiter.reset()


@pytest.fixture
def app(app_factory) -> Flask:
    """The app with test settings: CSRF off (it has its own tests), limits in memory."""
    return app_factory()


@pytest.fixture
def app_context(app):
    """Run the test body inside the app's context (for calling the rules directly)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    """A browser-like client with its own cookies."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs `flask` commands against the test app."""
    return app.test_cli_runner()


@dataclass
class Facilitator:
    """A facilitator account in the test database, and a way to log a client in as them."""

    username: str
    password: str

    def login(self, client):
        """Log `client` in and return the response."""
        return client.post("/facilitator/login", data={"username": self.username, "password": self.password})


@pytest.fixture
def facilitator(app) -> Facilitator:
    """A facilitator account (not logged in).

    Its password is hashed with one round of PBKDF2 instead of scrypt: the hash is checked
    the same way at login, and two scrypt hashes a test (make, log in) were a third of the
    time of every test that needs staff.
    """
    from unittest import mock

    from werkzeug.security import generate_password_hash

    def quick_hash(password: str) -> str:
        return generate_password_hash(password, method="pbkdf2:sha256:1")

    with app.app_context(), mock.patch("workshop.accounts.generate_password_hash", quick_hash):
        create_account("anna", PASSWORD)
    return Facilitator("anna", PASSWORD)


def _quick_hash(password: str) -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method="pbkdf2:sha256:1")


@pytest.fixture
def make_account(app):
    """Create a staff account of any role: `make_account("hanna", "handler")` (not logged in)."""
    from unittest import mock

    from workshop.models import Role

    def factory(name: str, role: str = "facilitator") -> Facilitator:
        with app.app_context(), mock.patch("workshop.accounts.generate_password_hash", _quick_hash):
            create_account(name, PASSWORD, Role(role))
        return Facilitator(name, PASSWORD)

    return factory


@dataclass
class Organisation:
    """The seeded organisation of `organisation`: names to ids, and its accounts by name."""

    form_key: str
    sectors: dict[str, int]
    units: dict[str, int]
    areas: dict[str, int]
    services: dict[str, int]
    accounts: dict[str, Facilitator]


#: The form key of the seeded organisation (the form's address is /observe/<form key>).
FORM_KEY = "test-form-key-0123456789abcdefghij"


@pytest.fixture
def organisation(app, make_account) -> Organisation:
    """A small region: two sectors with a director each, three units with a supervisor each,
    two municipalities (one with two areas), three services, a working-group member and an
    admin. Made straight in the database, not through the settings' rules.

    - Perhe- ja sosiaalipalvelut (director dora): Aikuissosiaalityö (hanna), Lastensuojelu (heikki)
    - Terveyspalvelut (director teo): Päihdeklinikka (hilla)
    - areas: Pori > Pori, pohjoinen alue; Pori > Pori, itäinen alue; Ulvila
    - services: Päihdepalvelut, Lastensuojelu, Työikäisten sosiaalipalvelut
    - wilma (working group), aatu (admin)
    """
    from workshop.models import Area, Organisation as OrgRow, Sector, Service, Unit

    accounts = {name: make_account(name, role) for name, role in [
        ("dora", "director"), ("teo", "director"), ("hanna", "handler"), ("heikki", "handler"),
        ("hilla", "handler"), ("wilma", "working_group"), ("aatu", "admin")]}
    with app.app_context():
        from workshop.accounts import username_key
        from workshop.models import Account

        ids = {name: db.session.scalar(db.select(Account.id).where(Account.username_key == username_key(name)))
               for name in accounts}
        db.session.add(OrgRow(name="Satakunnan hyvinvointialue", form_key=FORM_KEY))
        family = Sector(name="Perhe- ja sosiaalipalvelut", director_id=ids["dora"], position=1)
        health = Sector(name="Terveyspalvelut", director_id=ids["teo"], position=2)
        units = [Unit(sector=family, name="Aikuissosiaalityö", supervisor_id=ids["hanna"], position=1),
                 Unit(sector=family, name="Lastensuojelu", supervisor_id=ids["heikki"], position=2),
                 Unit(sector=health, name="Päihdeklinikka", supervisor_id=ids["hilla"], position=1)]
        pori = Area(name="Pori", position=1)
        areas = [pori, Area(name="Pori, pohjoinen alue", municipality=pori, position=2),
                 Area(name="Pori, itäinen alue", municipality=pori, position=3), Area(name="Ulvila", position=4)]
        services = [Service(name=name, position=position) for position, name in enumerate(
            ["Päihdepalvelut", "Lastensuojelu", "Työikäisten sosiaalipalvelut"], start=1)]
        db.session.add_all([family, health, *units, *areas, *services])
        db.session.commit()
        return Organisation(
            form_key=FORM_KEY,
            sectors={sector.name: sector.id for sector in (family, health)},
            units={unit.name: unit.id for unit in units},
            areas={area.name: area.id for area in areas},
            services={service.name: service.id for service in services},
            accounts=accounts,
        )


@pytest.fixture
def logged_in(client, facilitator):
    """A client logged in as a facilitator."""
    response = facilitator.login(client)
    assert response.status_code == 303
    return client


@pytest.fixture
def make_workshop(app):
    """Create workshops in the test database: `make_workshop(title=..., closed=True)`."""

    def factory(title: str = "Päiväkeskus Kalliola", place: str = "Kallio", language: str = "fi",
                closed: bool = False) -> dict:
        from workshop.workshops import close_workshop

        with app.app_context():
            workshop = create_workshop(title, place, language)
            if closed:
                close_workshop(workshop)
            return {"id": workshop.id, "code": workshop.join_code, "title": workshop.title}

    return factory


#: The header every API write carries (see workshop/api/access.py).
API_HEADERS = {"X-Requested-With": "kuulluksi"}


class ApiClient:
    """A test client speaking the JSON API of one workshop, as a browser's fetch would."""

    def __init__(self, client, code: str):
        self.client = client
        self.code = code

    def url(self, path: str) -> str:
        """The API address of `path` in this workshop."""
        return f"/api/w/{self.code}{path}"

    def get(self, path: str, **kwargs):
        return self.client.get(self.url(path), **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(self.url(path), json=json, headers=API_HEADERS, **kwargs)

    def patch(self, path: str, json=None, **kwargs):
        return self.client.patch(self.url(path), json=json, headers=API_HEADERS, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.client.delete(self.url(path), headers=API_HEADERS, **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self.client.put(self.url(path), json=json, headers=API_HEADERS, **kwargs)

    def note(self, text: str = "Kahvi on hyvää", board: int | None = None, **fields):
        """Post a sticky note with a fresh UUID on `board` (the first board by default)."""
        import uuid

        body = {"uuid": str(uuid.uuid4()), "kind": "note", "text": text,
                "board_id": board or self.boards()[0]["id"], **fields}
        return self.post("/items", json=body)

    def boards(self) -> list[dict]:
        """The boards, as a wall gets them."""
        return [c for c in self.get("/changes").get_json()["changes"] if c["type"] == "board"]


@pytest.fixture
def workshop(make_workshop) -> dict:
    """An open workshop with its three default boards."""
    return make_workshop()


@pytest.fixture
def phone(app, workshop):
    """A participant's phone that joined `workshop` by its QR link; speaks its API."""

    def new_phone(code: str | None = None) -> ApiClient:
        client = app.test_client()
        code = code or workshop["code"]
        assert client.get(f"/j/{code}").status_code == 200
        return ApiClient(client, code)

    return new_phone


@pytest.fixture
def alice(phone) -> ApiClient:
    """One participant's phone in the `workshop`."""
    yield phone()


def refusal(response, status: int, field: str | None = None) -> dict:
    """Assert the API's one error shape with `status` (and the `field` named); return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["ok"] is False and body["error"]
    if field is not None:
        assert body["errors"][0]["field"] == field
    return body


@pytest.fixture
def connect(app):
    """`connect(http_client)`: a socket that shares that HTTP client's cookies (device or login)."""
    from workshop.extensions import socketio

    # Handle each event before emit() returns, so the acknowledgement is there to read.
    socketio.server.async_handlers = False
    made = []

    def factory(http_client):
        socket = socketio.test_client(app, flask_test_client=http_client)
        assert socket.is_connected()
        made.append(socket)
        return socket

    yield factory
    for socket in made:
        if socket.is_connected():
            socket.disconnect()


@pytest.fixture
def staff(logged_in, workshop) -> ApiClient:
    """The logged-in facilitator speaking `workshop`'s API."""
    return ApiClient(logged_in, workshop["code"])


# -- the rules called directly, without HTTP ----------------------------------------------


@dataclass
class Room:
    """A workshop as the rules see it, inside an app context: boards, a facilitator, phones."""

    workshop: object
    boards: list
    staff: object

    def participant(self):
        """A new anonymous participant (a phone that joined), as an `Actor`."""
        from workshop.actors import Actor
        from workshop.workshops import join, new_device_token

        participant, _token = join(self.workshop, new_device_token())
        return Actor(participant=participant)

    def note(self, actor, text: str = "Kahvi on hyvää", board=None, **fields):
        """Submit a sticky note with a fresh UUID (on the first board by default)."""
        import uuid

        from workshop.contributions import submit

        data = {"uuid": str(uuid.uuid4()), "kind": "note", "text": text,
                "board_id": (board or self.boards[0]).id, **fields}
        return submit(self.workshop, actor, data)


@pytest.fixture
def room(app_context) -> Room:
    """An open workshop with its default boards and a facilitator, for calling the rules."""
    from workshop.actors import Actor
    from workshop.wall import boards

    from workshop.models import Account

    workshop = create_workshop("Päiväkeskus Kalliola", "Kallio")
    account = Account(username="paula", username_key="paula", password_hash="!")  # no login: no slow hash
    db.session.add(account)
    db.session.commit()
    return Room(workshop, boards(workshop), Actor(account=account))


@pytest.fixture
def pushed(monkeypatch):
    """Every Socket.IO message the app pushes, as `(room, event, data)`, in order."""
    from workshop.extensions import socketio

    messages: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(socketio, "emit", lambda event, data, to=None, **_: messages.append((to, event, data)))
    yield messages


def make_picture(format: str = "PNG", size: tuple[int, int] = (64, 48), colour=(200, 40, 40)) -> bytes:
    """The bytes of a small real picture made by Pillow (a drawing is PNG, a photo JPEG)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format)
    return buffer.getvalue()


def gps_photo(size: tuple[int, int] = (40, 20), colour=(30, 120, 200)) -> bytes:
    """A camera JPEG carrying GPS coordinates and the phone's make and model in its EXIF."""
    import io

    from PIL import ExifTags, Image

    photo = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12 Secret Edition"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (60.0, 10.0, 12.5),
                                  ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (24.0, 56.0, 1.5)}
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", exif=exif)
    raw = buffer.getvalue()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it really carries them
    return raw


@pytest.fixture
def picture():
    """`picture(format, size)`: the bytes of a small real picture."""
    return make_picture
