"""Bad input, property-based: every JSON endpoint and socket event against hostile bodies.

For each JSON write of the app (found in `app.url_map`, so a new one cannot be forgotten)
and each Socket.IO event, Hypothesis builds bodies from the endpoint's real fields, mixing
valid values with wrong types, huge and empty values, unicode edge cases, unknown fields,
deep nesting, wrong top-level types and raw text that is not JSON at all. Whatever comes:

- the answer is never a server error, and it is the API's one JSON error shape with a
  message in the asker's language (a Swedish phone gets Swedish);
- a refusal (4xx) leaves every table exactly as it was (a fingerprint of every row);
- an accepted text reads back exactly as sent, after the documented tidying (NULs and
  lone surrogates removed, blanks around it trimmed, one-line fields on one line).

Profiles: "ci" (the default: few examples, derandomized, fast) and "thorough" (500 random
examples per endpoint), chosen with HYPOTHESIS_PROFILE=thorough.
"""
from __future__ import annotations

import hashlib
import inspect
import io
import json
import os
import re
import shutil
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from babel.messages.mofile import read_mo
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from workshop import phases, report, report_rounds
from workshop import create_app
from workshop.actors import Actor
from workshop.extensions import db, limiter, socketio
from workshop.models import Account, Workshop

from .conftest import API_HEADERS, FORM_KEY, PASSWORD, POSTGRES_SERVER, ApiClient, make_config, make_picture

settings.register_profile(
    "ci", max_examples=20, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "thorough", max_examples=500, database=None, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
#: Applied to this module's tests only: loading a profile globally would change other modules' tests.
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# -- what the app offers ------------------------------------------------------------------------

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_READS_JSON = re.compile(r"\bbody\(\)|get_json|request\.json\b")


def json_writes(app) -> set[tuple[str, str]]:
    """(method, rule) of every write that takes a JSON body: the whole API under /api/ and
    any other view that reads one (the street notes, the observation form's API)."""
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        reads_json = bool(_READS_JSON.search(inspect.getsource(inspect.unwrap(view))))
        if rule.rule.startswith("/api/") or reads_json:
            found |= {(method, rule.rule) for method in rule.methods & WRITE_METHODS}
    return found


def socket_events() -> set[str]:
    """Every event a client may emit (the connection's own events aside)."""
    return set(socketio.server.handlers.get("/", {})) - {"connect", "disconnect"}


# -- the endpoints' fields ----------------------------------------------------------------------
# A field's kind says what a valid value looks like; see `valid_values`. Scene keys ("board",
# "option", …) name ids that exist in the test's workshop.

@dataclass(frozen=True)
class Endpoint:
    """One JSON write: its fields, who may call it, and where an accepted text reads back."""

    method: str
    rule: str
    fields: dict = field(default_factory=dict)
    who: tuple[str, ...] = ("staff",)
    #: request field -> (path in the answer, kept on one line)
    echo: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule}"


W = "/api/w/<code>"
UUID, BOOL, DATE, WRITTEN_AT, PHASE = "uuid", "bool", "date", "written_at", "phase"
BOTH = ("participant", "staff")


def text(limit: int) -> tuple:
    return ("text", limit)


def one_of(*choices: str) -> tuple:
    return ("choice", choices)


def an(key: str) -> tuple:
    return ("id", key)


def ids(key: str) -> tuple:
    return ("ids", key)


def number(low: int, high: int) -> tuple:
    return ("int", low, high)


TEXTS = ("texts", 200)
CATEGORIES = ("own_services", "other_services", "network_cooperation", "own_resources", "other_resources",
              "internal_processes", "cross_sector_processes", "client_work", "client_needs", "social_problems")
PHASE_NAMES = tuple(phase.value for phase in phases.ORDER)

ENDPOINTS = [
    Endpoint("PATCH", W, {"reveal_mode": BOOL, "phase": PHASE, "feedback_phase": PHASE,
                          "projector": one_of("wall", "explainer", "topics", "ideas", "participation",
                                              "survey-1", "question-1", "question-0")}),
    Endpoint("POST", W + "/items", {"uuid": UUID, "kind": one_of("note", "drawing", "photo"), "board_id": an("board"),
                                    "text": text(200), "colour": one_of("yellow", "pink", "blue", "green", "orange"),
                                    "from_paper": BOOL}, BOTH, {"text": (("item", "text"), False)}),
    Endpoint("DELETE", W + "/items/<item_uuid>", {}, BOTH),
    Endpoint("PATCH", W + "/items/<int:item_id>", {"board_id": an("board"), "theme_id": an("theme"), "hidden": BOOL}),
    Endpoint("POST", W + "/boards", {"title": text(120)}, echo={"title": (("board", "title"), True)}),
    Endpoint("PATCH", W + "/boards/<int:board_id>", {"title": text(120), "locked": BOOL},
             echo={"title": (("board", "title"), True)}),
    Endpoint("POST", W + "/themes", {"name": text(120), "item_ids": ids("item")},
             echo={"name": (("theme", "name"), True)}),
    Endpoint("PATCH", W + "/themes/<int:theme_id>", {"name": text(120), "description": text(500)},
             echo={"name": (("theme", "name"), True), "description": (("theme", "description"), False)}),
    Endpoint("DELETE", W + "/themes/<int:theme_id>"),
    Endpoint("POST", W + "/reveal"),
    Endpoint("POST", W + "/questions", {"title": text(200), "options": TEXTS, "dots_per_person": number(0, 11)},
             echo={"title": (("question", "title"), False)}),
    Endpoint("PATCH", W + "/questions/<int:question_id>", {"open": BOOL}),
    Endpoint("POST", W + "/dots", {"uuid": UUID, "option_id": an("option")}, BOTH),
    Endpoint("PATCH", W + "/dots/<dot_uuid>", {"option_id": an("option")}, BOTH),
    Endpoint("DELETE", W + "/dots/<dot_uuid>", {}, BOTH),
    Endpoint("POST", W + "/next-person", {}, BOTH),
    Endpoint("POST", W + "/gatherings", {"title": text(120), "place": text(200), "held_on": DATE},
             echo={"title": (("gathering", "title"), False), "place": (("gathering", "place"), False)}),
    Endpoint("PATCH", W + "/gatherings/<int:gathering_id>",
             {"title": text(120), "place": text(200), "held_on": DATE, "log": text(2000),
              "participant_count": number(0, 10_001), "current": BOOL},
             echo={"title": (("gathering", "title"), False), "log": (("gathering", "log"), False)}),
    Endpoint("POST", W + "/topics", {"uuid": UUID, "text": text(120)}, BOTH, {"text": (("topic", "text"), True)}),
    Endpoint("DELETE", W + "/topics/<topic_uuid>", {}, BOTH),
    Endpoint("PATCH", W + "/topics/<int:topic_id>", {"hidden": BOOL}),
    Endpoint("POST", W + "/topics/vote", {"dots_per_person": number(0, 11), "title": text(200)}),
    Endpoint("PUT", W + "/topic", {"option_id": an("option"), "text": text(200)}),
    Endpoint("POST", W + "/surveys", {"kind": one_of("choice", "multi", "scale", "text"), "title": text(200),
                                      "options": TEXTS, "purpose": one_of("general", "participation")}),
    Endpoint("PATCH", W + "/surveys/<int:survey_id>", {"open": BOOL}),
    Endpoint("POST", W + "/surveys/<int:survey_id>/answers",
             {"uuid": UUID, "choices": ids("survey_option"), "scale": number(0, 6), "text": text(300)}, BOTH,
             {"text": (("answer", "text"), False)}),
    Endpoint("POST", W + "/ideas", {"statement": text(300), "theme_ids": ids("theme"), "item_ids": ids("item")},
             echo={"statement": (("idea", "statement"), False)}),
    Endpoint("PATCH", W + "/ideas/<int:idea_id>", {"statement": text(300), "theme_ids": ids("theme"),
                                                   "item_ids": ids("item")},
             echo={"statement": (("idea", "statement"), False)}),
    Endpoint("DELETE", W + "/ideas/<int:idea_id>"),
    Endpoint("POST", W + "/ideas/vote", {"dots_per_person": number(0, 11), "title": text(200)}),
    Endpoint("POST", W + "/feedback", {"uuid": UUID, "phase": PHASE, "rating": number(0, 6),
                                       "way": one_of("", "talking", "notes", "listening"), "comment": text(300)},
             BOTH, {"comment": (("feedback", "comment"), False)}),
    Endpoint("POST", W + "/report/suggestions", {"uuid": UUID, "section_id": an("section"),
                                                 "kind": one_of("add", "change"), "text": text(1000),
                                                 "quote": text(300)}, BOTH,
             {"text": (("suggestion", "text"), False)}),
    Endpoint("PATCH", W + "/report/pictures/<int:item_id>", {"caption": text(200)}, BOTH,
             {"caption": (("item", "text"), False)}),
    Endpoint("PUT", W + "/report/sections/<int:section_id>", {"base_version": number(0, 3), "title": text(200),
                                                              "body": text(1000)},
             echo={"title": (("section", "title"), False), "body": (("section", "body"), False)}),
    Endpoint("POST", W + "/report/preview", {"body": text(1000)}),
    Endpoint("POST", W + "/report/comments", {"uuid": UUID, "section_id": an("section"), "text": text(1000)}, BOTH,
             {"text": (("comment", "text"), False)}),
    Endpoint("PUT", W + "/report/comments/<int:comment_id>/agree", {}, BOTH),
    Endpoint("DELETE", W + "/report/comments/<int:comment_id>/agree", {}, BOTH),
    Endpoint("POST", W + "/report/comments/<int:comment_id>/reply",
             {"status": one_of("addressed", "not_taken"), "reply": text(500)},
             echo={"reply": (("comment", "reply"), False)}),
    Endpoint("POST", W + "/report/comments/<int:comment_id>/hide", {"hidden": BOOL}),
    Endpoint("POST", "/api/street/notes",
             {"uuid": UUID, "text": text(500), "nature": one_of("positive", "negative", "other"),
              "category": one_of(*CATEGORIES), "area": one_of("", "Keskusta", "Itäinen alue"),
              "workshop_id": an("workshop"), "topic": text(200), "written_at": WRITTEN_AT},
             echo={"text": (("note", "text"), False)}),
    Endpoint("POST", "/api/street/notes/<int:note_id>/wall", {"workshop_id": an("workshop"), "board_id": an("board")}),
    Endpoint("POST", "/observe/<form_key>/reports",
             {"uuid": UUID, "unit": an("unit"), "nature": one_of("positive", "negative", "other"),
              "description": text(4000), "category": one_of(*CATEGORIES), "proposal": text(4000),
              "available": one_of("yes", "no", ""), "professional_group": one_of("social_care", "health_care", "other"),
              "by_team": BOOL, "reporter_name": text(120), "contact": one_of("anna@example.org", "040 123 4567"),
              "area": an("area"), "area_detail": text(200), "service": an("service"), "service_detail": text(200),
              "observed_how": one_of("own_work", "team_meeting", "network", "outside_work", "other_role"),
              "observed_detail": text(200), "written_at": WRITTEN_AT}, ("anyone",)),
]

#: Socket events: their fields (besides "code") and where an accepted text reads back.
SOCKET_EVENTS = {
    "watch": Endpoint("EMIT", "watch", {"since": number(0, 100)}, BOTH),
    "add_item": Endpoint("EMIT", "add_item", ENDPOINTS[1].fields, BOTH, {"text": (("item", "text"), False)}),
    "cast_dot": Endpoint("EMIT", "cast_dot", {"uuid": UUID, "option_id": an("option")}, BOTH),
}

#: URL parameters: the scene's ids or UUIDs of that kind.
PATH_KEYS = {"item_id": "item", "board_id": "board", "theme_id": "theme", "question_id": "question",
             "gathering_id": "gathering", "topic_id": "topic", "survey_id": "survey", "idea_id": "idea",
             "section_id": "section", "comment_id": "comment", "note_id": "street_note",
             "item_uuid": "item_uuid", "dot_uuid": "dot_uuid", "topic_uuid": "topic_uuid",
             "code": "code", "form_key": "form_key"}


# -- hostile values -----------------------------------------------------------------------------

#: Characters that have broken text handling somewhere: NUL, lone surrogates (sent as JSON
#: escapes), the right-to-left override, zero-width joiner, an emoji ZWJ family, combining
#: marks, the byte-order mark, non-characters, line and paragraph separators.
UNICODE_EDGES = ["\x00", "\ud800", "\udfff", "\ud83d", "\u202e", "\u200d", "👩\u200d👩\u200d👧\u200d👦", "e\u0301\u0302",
                 "\ufeff", "\uffff", "\ufffe", "\U0010ffff", "\u2028", "\u2029", "\r\n", "\t", "\x1b[31m", "Å", "ß",
                 "<script>alert(1)</script>", "' OR 1=1 --", "%s%n", "{{7*7}}"]
#: (what, how many times): made when drawn, so that no strategy's repr holds 100 kB.
HUGE = [("a", 100_000), ("ä", 100_001), ("😀", 50_000), (" ", 100_000), ("\u0301", 100_000), ("\x00", 10_000),
        ("\ud800", 5_000), ("kahvi ", 20_000), ("x\u200d", 30_000)]
huge_texts = st.sampled_from(HUGE).map(lambda recipe: recipe[0] * recipe[1])
edge_texts = st.lists(st.sampled_from(UNICODE_EDGES) | st.text(max_size=5), min_size=1, max_size=8).map("".join)
deep_values = st.integers(1, 300).map(lambda depth: json.loads("[" * depth + "]" * depth)) | \
    st.integers(1, 300).map(lambda depth: json.loads('{"a":' * depth + "1" + "}" * depth))
NASTY_SCALARS = [None, True, False, 0, -1, -0.0, 1.5, 2**53, 2**63, 2**80, -2**80, 1e308, float("nan"), float("inf"),
                 float("-inf"), "", " ", "0", "12", " 7 ", "-3", "1e3", "99999999999999999999", "true", "null", "NaN"]
nasty_values = st.one_of(
    st.sampled_from(NASTY_SCALARS), edge_texts, huge_texts, deep_values,
    st.lists(st.sampled_from(NASTY_SCALARS) | edge_texts, max_size=4),
    st.dictionaries(st.text(max_size=4), st.sampled_from(NASTY_SCALARS), max_size=3),
    st.integers(), st.floats())
#: Text as people type it, with the edges mixed in.
typed_text = st.lists(st.characters(codec="utf-8") | st.sampled_from(UNICODE_EDGES), max_size=40).map("".join)
FIXED_UUIDS = ["5b1f0c3e-8d67-4c5e-9a0e-2f3b7c1d9e10", "5B1F0C3E-8D67-4C5E-9A0E-2F3B7C1D9E10",
               "00000000-0000-0000-0000-000000000000", "{5b1f0c3e-8d67-4c5e-9a0e-2f3b7c1d9e10}"]


def valid_values(kind, scene: Scene) -> st.SearchStrategy:
    """Values of `kind` as a well-behaved client sends them (including the limits' edges)."""
    if kind == UUID:
        return st.sampled_from(FIXED_UUIDS + scene.ids.get("own_uuid", [])) | st.uuids().map(str)
    if kind == BOOL:
        return st.booleans()
    if kind == DATE:
        return st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(date.isoformat)
    if kind == WRITTEN_AT:
        return st.integers(-100 * 24 * 60, 20).map(lambda minutes: (
            datetime.now(timezone(timedelta(hours=2))) + timedelta(minutes=minutes)).isoformat())
    if kind == PHASE:
        return st.sampled_from(PHASE_NAMES) | st.none()
    if kind[0] == "text":
        limit = kind[1]
        # At the limit, one over it, and at it once the blanks around are trimmed.
        return typed_text | st.sampled_from([(0, limit, 0), (0, limit + 1, 0), (1, limit, 2)]).map(
            lambda spec: " " * spec[0] + "x" * spec[1] + " \n"[:spec[2]])
    if kind[0] == "texts":
        return st.lists(typed_text, max_size=25) | typed_text.map(lambda t: t + "\nToinen\nKolmas")
    if kind[0] == "choice":
        return st.sampled_from(kind[1])
    if kind[0] == "id":
        return st.sampled_from(scene.ids[kind[1]])
    if kind[0] == "ids":
        return st.lists(st.sampled_from(scene.ids[kind[1]]), max_size=3)
    if kind[0] == "int":
        return st.integers(kind[1], kind[2]) | st.integers(kind[1], kind[2]).map(str)
    raise AssertionError(kind)


#: The hostile values every field gets in turn (see the endpoint test).
SHARPEST = ["\ud800\x00", 2**80, [[{}]]]


def plain_body(endpoint: Endpoint, scene: Scene) -> dict:
    """A valid body as a well-behaved client sends it (the first choice of each field)."""
    plain = {UUID: lambda: str(uuid.uuid4()), BOOL: lambda: True, DATE: lambda: "2026-11-23", PHASE: lambda: "mapping",
             WRITTEN_AT: lambda: datetime.now(timezone.utc).isoformat()}
    body = {}
    for name, kind in endpoint.fields.items():
        if kind in plain:
            body[name] = plain[kind]()
        elif kind[0] in ("text", "texts"):
            body[name] = "Kahvi on hyvää" if kind[0] == "text" else ["Kahvi", "Tee"]
        elif kind[0] in ("choice", "id"):
            body[name] = kind[1][0] if kind[0] == "choice" else scene.ids[kind[1]][0]
        elif kind[0] == "ids":
            body[name] = scene.ids[kind[1]][:1]
        else:
            body[name] = kind[1] + 1
    return body


def bodies(endpoint: Endpoint, scene: Scene) -> st.SearchStrategy:
    """A JSON object with the endpoint's fields (each valid or hostile, each maybe left out)
    and perhaps fields it does not know."""
    fields = {name: valid_values(kind, scene) | nasty_values for name, kind in endpoint.fields.items()}
    return st.fixed_dictionaries({}, optional=fields) | st.builds(
        lambda known, unknown: {**unknown, **known},
        st.fixed_dictionaries({}, optional=fields),
        st.dictionaries(st.text(max_size=10) | st.sampled_from(["__proto__", "id", "workshop_id", "ok"]),
                        nasty_values, max_size=3))


#: Bodies that are not a JSON object at all, or not JSON (the deep ones made when drawn).
RAW_BODIES = [b"NaN", b"Infinity", b"-Infinity", b'{"text": NaN}', b'{"board_id": Infinity}', b"", b"{", b"}",
              b'{"a": 1}{"b": 2}', b"\xff\xfe{\x00}\x00", b'{"text": "\xed\xa0\x80"}', b'{"text": "\xc3"}',
              b"\xef\xbb\xbf{}", b'{"text": "\\ud800"}', b'{"uuid": "\\u0000"}', b"null", b"[]", b'"text"', b"42",
              b"true", b'{"__proto__": {"a": 1}}']
raw_bodies = st.sampled_from(RAW_BODIES) | st.sampled_from([
    lambda: b"[" * 100_000 + b"]" * 100_000, lambda: b'{"a":' * 50_000,
    lambda: b'{"text": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"]).map(lambda make: make())


@dataclass
class Request:
    """What is sent: the body's bytes and their content type."""

    data: bytes
    content_type: str
    sent: dict | None = None  # the JSON object as the server will read it, if it is one

    def __repr__(self) -> str:  # a failing example is shown with this: keep 100 kB bodies readable
        shown = self.data[:300] + (b"...(%d bytes)" % len(self.data) if len(self.data) > 300 else b"")
        return f"Request({shown!r}, {self.content_type!r})"


def encode(body: dict, how: str) -> Request:
    """`body` as JSON (ASCII with escapes, so lone surrogates travel as "\\ud800"), as a
    form, or as JSON labelled as plain text."""
    text_ = json.dumps(body, ensure_ascii=True, allow_nan=True)
    if how == "form":
        flat = {key: value if isinstance(value, str) else json.dumps(value) for key, value in body.items()}
        flat = {key.encode("utf-8", "surrogatepass"): value.encode("utf-8", "surrogatepass")
                for key, value in flat.items()}
        return Request(urllib.parse.urlencode(flat).encode(), "application/x-www-form-urlencoded")
    if how == "plain":
        return Request(text_.encode(), "text/plain")
    return Request(text_.encode(), "application/json", json.loads(text_))


def requests_for(endpoint: Endpoint, scene: Scene) -> st.SearchStrategy:
    """A body: mostly a JSON object of the endpoint's fields, else a wrong top-level type,
    raw text, a form or mislabelled JSON."""
    objects = bodies(endpoint, scene)
    return st.one_of(
        objects.map(lambda body: encode(body, "json")),
        objects.map(lambda body: encode(body, "json")),
        objects.map(lambda body: encode(body, "json")),
        (nasty_values | st.lists(objects, max_size=2)).map(
            lambda value: Request(json.dumps(value, allow_nan=True).encode(), "application/json")),
        raw_bodies.map(lambda raw: Request(raw, "application/json")),
        objects.map(lambda body: encode(body, "form")),
        objects.map(lambda body: encode(body, "plain")))


def path_values(name: str, scene: Scene) -> st.SearchStrategy:
    """A URL parameter: an id or UUID of the scene, or something no such thing has."""
    real = st.sampled_from(scene.ids[PATH_KEYS[name]])
    if name in ("code", "form_key"):
        return st.one_of(real, real, real, st.sampled_from(["k7m4px", "ZZZZZZ", "%00", "😀", "a" * 300]))
    odd = st.sampled_from(["0", "99999999999999999999999", str(2**63), "-1", "1.5", "%00", "%E2%80%AE", "😀",
                           "a" * 300, "00000000-0000-0000-0000-000000000000", "%F0%9F%98%80"])
    return st.one_of(real.map(str), real.map(str), real.map(str), odd)


def paths(endpoint: Endpoint, scene: Scene) -> st.SearchStrategy:
    """The endpoint's address with its parameters filled in."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", endpoint.rule)
    return st.tuples(*(path_values(name, scene) for name in names)).map(lambda values: re.sub(
        r"<(?:\w+:)?\w+>", lambda _m, it=iter(values): urllib.parse.quote(str(next(it)), safe="%"),
        endpoint.rule))


# -- the scene: one workshop with something of everything ---------------------------------------

@dataclass
class Scene:
    """The app and its clients, and the ids of what exists (the strategies draw from them)."""

    app: object
    clients: dict
    ids: dict
    language: dict  # who -> the language their answers must be in


def _created(response, key: str) -> dict:
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return response.get_json()[key]


def build_scene(app) -> tuple[dict, dict]:
    """Fill `app`'s empty database: an open workshop with boards, notes, a photo, a theme, a
    vote with dots, surveys, a gathering, a topic, an idea, a report draft with an open
    comment round and a comment, a street note and the organisation's reporting form; a
    Swedish-speaking participant's phone and a logged-in facilitator.

    Returns the ids of what was made and the cookies of the phone and the facilitator.
    """
    from unittest import mock

    from werkzeug.security import generate_password_hash

    from workshop.accounts import create_account
    from workshop.models import Area, Organisation, Sector, Service, Unit
    from workshop.workshops import create_workshop

    with app.app_context(), mock.patch("workshop.accounts.generate_password_hash",
                                       lambda password: generate_password_hash(password, method="pbkdf2:sha256:1")):
        account = create_account("anna", PASSWORD)
        code = create_workshop("Päiväkeskus Kalliola", "Kallio").join_code
        sector = Sector(name="Perhe- ja sosiaalipalvelut", director_id=account.id, position=1)
        units = [Unit(sector=sector, name="Aikuissosiaalityö", supervisor_id=account.id, position=1)]
        areas = [Area(name="Pori", position=1)]
        services = [Service(name="Päihdepalvelut", position=1)]
        db.session.add_all([Organisation(name="Satakunnan hyvinvointialue", form_key=FORM_KEY), sector, *units,
                            *areas, *services])
        db.session.commit()
        org_ids = {"unit": [unit.id for unit in units] + [0], "area": [area.id for area in areas] + [0],
                   "service": [service.id for service in services] + [0]}
    staff = ApiClient(app.test_client(), code)
    assert staff.client.post("/facilitator/login", data={"username": "anna", "password": PASSWORD}).status_code == 303
    alice = ApiClient(app.test_client(), code)
    assert alice.client.get(f"/j/{code}").status_code == 200
    assert alice.client.post("/language", data={"lang": "sv"}).status_code == 303
    boards = [board["id"] for board in staff.boards()]
    notes = [_created(alice.note(f"Lappu {n}", boards[0]), "item") for n in range(2)]
    photo = _created(staff.post("/items", data={"uuid": str(uuid.uuid4()), "kind": "photo", "board_id": boards[1],
                                                "text": "Kuva", "image": (io.BytesIO(make_picture("JPEG")), "k.jpg")},
                                json=None, content_type="multipart/form-data"), "item")
    theme = _created(staff.post("/themes", json={"name": "Ruoka", "item_ids": [notes[0]["id"]]}), "theme")
    question = _created(staff.post("/questions", json={"title": "Mikä ensin?", "options": ["A", "B", "C"]}),
                        "question")
    dot = _created(alice.post("/dots", json={"uuid": str(uuid.uuid4()), "option_id": question["options"][0]["id"]}),
                   "dot")
    surveys = [_created(staff.post("/surveys", json={"kind": kind, "title": f"Kysymys {kind}",
                                                     "options": ["Kyllä", "Ei", "Ehkä"]}), "survey")
               for kind in ("choice", "multi", "scale", "text")]
    gathering = _created(staff.post("/gatherings", json={"title": "Ilta", "place": "Kallio"}), "gathering")
    topic = _created(alice.post("/topics", json={"uuid": str(uuid.uuid4()), "text": "Asuminen"}), "topic")
    idea = _created(staff.post("/ideas", json={"statement": "Lisää kahvia", "theme_ids": [theme["id"]],
                                               "item_ids": [notes[1]["id"]]}), "idea")
    with app.app_context():
        found = db.session.scalar(select(Workshop).where(Workshop.join_code == code))
        by = Actor(account=db.session.scalar(select(Account).where(Account.username == "anna")))
        sections = [section.id for section in report.live_sections(report.create_draft(found, by))]
        report_rounds.open_round(found, by, {})
        workshop_id = found.id
    comment = _created(alice.post("/report/comments", json={"uuid": str(uuid.uuid4()), "section_id": sections[0],
                                                            "text": "Hyvä kohta"}), "comment")
    street_note = _created(staff.client.post("/api/street/notes", headers=API_HEADERS, json={
        "uuid": str(uuid.uuid4()), "text": "Asunnottomia enemmän", "nature": "negative", "category": "client_needs",
        "area": "", "written_at": datetime.now(timezone.utc).isoformat()}), "note")
    ids = {"code": [code], "workshop": [workshop_id, 0, 2**53 - 1], "board": boards + [0, 2**53 - 1],
           "item": [note["id"] for note in notes] + [photo["id"], 2**53 - 1], "theme": [theme["id"], 0],
           "question": [question["id"], 0], "option": [option["id"] for option in question["options"]] + [0],
           "survey": [survey["id"] for survey in surveys],
           "survey_option": [option["id"] for survey in surveys for option in survey["options"]] + [0],
           "gathering": [gathering["id"]], "topic": [topic["id"]], "idea": [idea["id"]], "section": sections + [0],
           "comment": [comment["id"]], "street_note": [street_note["id"], 0],
           "item_uuid": [note["uuid"] for note in notes], "dot_uuid": [dot["uuid"]], "topic_uuid": [topic["uuid"]],
           "own_uuid": [notes[0]["uuid"], dot["uuid"], topic["uuid"]], "form_key": [FORM_KEY], **org_ids}
    cookies = {"participant": {name: alice.client.get_cookie(name).value for name in (DEVICE, SESSION)},
               "staff": {SESSION: staff.client.get_cookie(SESSION).value}, "anyone": {}}
    return ids, cookies


DEVICE, SESSION = "kuulluksi_device", "kuulluksi_session"


@pytest.fixture(scope="module")
def scene_template(tmp_path_factory, migrated_database):
    """The scene built once for the module on SQLite: its data directory (database and
    pictures), ids and cookies. Each test works on a copy of it."""
    if POSTGRES_SERVER:
        yield None  # one shared database there: each test builds its own scene
        return
    directory = tmp_path_factory.mktemp("scene")
    config = make_config(directory)
    shutil.copyfile(migrated_database, config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    app = create_app(config)
    ids, cookies = build_scene(app)
    with app.app_context():
        db.engine.dispose()
    limiter.reset()
    yield directory, ids, cookies


@pytest.fixture
def scene(scene_template, app_factory, tmp_path) -> Scene:
    """A fresh copy of the scene for this test, on its own database and app."""
    if scene_template is None:
        app = app_factory()
        ids, cookies = build_scene(app)
    else:
        directory, ids, cookies = scene_template
        shutil.copytree(directory / "sessions", tmp_path / "sessions", dirs_exist_ok=True)
        app = app_factory(SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "sessions" / "scene.sqlite3"))
        shutil.copyfile(directory / "sessions" / "kuulluksi.sqlite3", tmp_path / "sessions" / "scene.sqlite3")
        with app.app_context():
            db.engine.dispose()  # nothing may have the file open from before the copy
        ids = {key: list(values) for key, values in ids.items()}
    clients = {}
    for who, jar in cookies.items():
        clients[who] = app.test_client()
        for name, value in jar.items():
            clients[who].set_cookie(name, value)
    return Scene(app, clients, ids, {"participant": "sv", "staff": "fi", "anyone": "fi"})


# -- what must hold -----------------------------------------------------------------------------

def fingerprint(app) -> str:
    """A digest of every row of every table: any write changes it."""
    digest = hashlib.sha256()
    with app.app_context(), db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            # The driver's own SQL: compiling a select per table per example cost more than reading.
            rows = connection.exec_driver_sql(f'SELECT * FROM "{table.name}"').all()
            digest.update(table.name.encode() + repr(sorted(map(repr, rows))).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _untranslated_english(language: str) -> frozenset[str]:
    """English messages that have a translation in `language`: seen as they are, they were
    not translated for the asker."""
    path = os.path.join(os.path.dirname(__file__), "..", "workshop", "translations", language, "LC_MESSAGES",
                        "messages.mo")
    with open(path, "rb") as handle:
        catalog = read_mo(handle)
    return frozenset(message.id for message in catalog if isinstance(message.id, str) and message.id
                     and message.string and message.string != message.id)


ENGLISH = {language: _untranslated_english(language) for language in ("fi", "sv")}


def assert_error_shape(answer: dict, language: str, context: str) -> None:
    """The one error shape, with a message for a person in their own language."""
    assert answer.get("ok") is False, context
    assert isinstance(answer.get("error"), str) and answer["error"].strip(), context
    assert answer["error"] not in ENGLISH[language], f"not in {language}: {answer['error']!r} ({context})"
    assert isinstance(answer.get("errors"), list), context
    for error in answer["errors"]:
        assert isinstance(error.get("message"), str) and error["message"].strip(), context
        assert error["message"] not in ENGLISH[language], f"not in {language}: {error['message']!r} ({context})"


def stored_as(value: str, one_line: bool) -> str:
    """The documented tidying of a text: NULs and lone surrogates removed, Windows line
    ends made plain, blanks around it trimmed (and one-line fields on one line)."""
    value = re.sub("[\ud800-\udfff]", "", value.replace("\x00", "")).replace("\r\n", "\n").strip()
    return " ".join(value.split()) if one_line else value


def assert_reads_back(endpoint: Endpoint, sent: dict | None, answer: dict, context: str) -> None:
    """Every text the endpoint echoes is the text sent, tidied as documented."""
    if not isinstance(sent, dict):
        return
    for name, (path, one_line) in endpoint.echo.items():
        if not isinstance(sent.get(name), str):
            continue
        if endpoint.rule.endswith("/surveys") and sent.get("purpose") == "participation":
            continue  # the participation survey has its own title (documented)
        stored = answer
        for key in path:
            stored = stored[key]
        if stored is None and endpoint.rule.endswith("/answers"):
            continue  # a choice or scale survey ignores a text (documented)
        assert stored == stored_as(sent[name], one_line), f"{name} did not read back ({context})"


def context_of(endpoint_name: str, path: str, request: Request, who: str, status, answer) -> str:
    return f"{who} {endpoint_name} {path} {request!r} -> {status} {str(answer)[:300]}"


# -- the tests ----------------------------------------------------------------------------------

def test_every_json_endpoint_and_socket_event_is_covered(app):
    """A new JSON endpoint or event must get its fields here, or this fails."""
    assert json_writes(app) == {(endpoint.method, endpoint.rule) for endpoint in ENDPOINTS}
    assert socket_events() == set(SOCKET_EVENTS)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_no_bad_body_makes_a_server_error_or_a_partial_write(endpoint, scene):
    state = {"fingerprint": fingerprint(scene.app)}

    def send(who: str, path: str, sent: Request) -> None:
        headers = dict(API_HEADERS, **{"Content-Type": sent.content_type})
        response = scene.clients[who].open(path, method=endpoint.method, data=sent.data, headers=headers)
        answer = response.get_json(silent=True)
        context = context_of(endpoint.name, path, sent, who, response.status_code, answer or response.data[:300])
        assert response.status_code < 500, context
        assert response.mimetype == "application/json" and isinstance(answer, dict), context
        after = fingerprint(scene.app)
        if response.status_code >= 400:
            assert_error_shape(answer, scene.language[who], context)
            assert after == state["fingerprint"], "a refused request changed the database: " + context
        else:
            assert answer["ok"] is True, context
            assert_reads_back(endpoint, sent.sent, answer, context)
        state["fingerprint"] = after

    # First every field in turn with the values that break code most often, the rest valid:
    # twenty random examples alone may never put a lone surrogate into the one field that fails.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(scene.ids[PATH_KEYS[match[1]]][0]), endpoint.rule)
    for name in endpoint.fields:
        for value in SHARPEST:
            send(endpoint.who[0], path, encode({**plain_body(endpoint, scene), name: value}, "json"))

    @PROFILE
    @given(data=st.data())
    def check(data):
        who = data.draw(st.sampled_from(endpoint.who), label="who")
        send(who, data.draw(paths(endpoint, scene), label="path"), data.draw(requests_for(endpoint, scene),
                                                                              label="body"))

    check()


@pytest.mark.parametrize("event", sorted(SOCKET_EVENTS))
def test_no_bad_event_makes_a_server_error_or_a_partial_write(event, scene):
    endpoint = SOCKET_EVENTS[event]
    socketio.server.async_handlers = False  # each event handled before emit() returns, as in conftest's `connect`
    sockets = {who: socketio.test_client(scene.app, flask_test_client=scene.clients[who]) for who in endpoint.who}
    assert all(socket.is_connected() for socket in sockets.values())
    state = {"fingerprint": fingerprint(scene.app)}
    codes = st.sampled_from(scene.ids["code"] * 4 + ["ZZZZZZ", "k7m4px", ""]) | nasty_values

    def emit(who: str, payload) -> None:
        ack = sockets[who].emit(event, payload, callback=True)
        context = f"{who} {event} {str(payload)[:300]} -> {str(ack)[:300]}"
        assert isinstance(ack, dict), context
        after = fingerprint(scene.app)
        if ack.get("ok") is True:
            assert ack.get("status", 200) < 300, context
            assert_reads_back(endpoint, payload, ack, context)
        else:
            assert 400 <= ack["status"] < 500, context
            assert_error_shape(ack, scene.language[who], context)
            assert after == state["fingerprint"], "a refused event changed the database: " + context
        state["fingerprint"] = after

    for name in ["code", *endpoint.fields]:  # as for HTTP: each field in turn with the sharpest values
        for value in SHARPEST:
            body = {"code": scene.ids["code"][0], **plain_body(endpoint, scene), name: value}
            emit(endpoint.who[0], json.loads(json.dumps(body)))

    @PROFILE
    @given(data=st.data())
    def check(data):
        who = data.draw(st.sampled_from(endpoint.who), label="who")
        body = data.draw(st.builds(lambda fields, code: {**fields, "code": code}, bodies(endpoint, scene), codes),
                         label="body")
        # The socket carries JSON too: what the server reads is what survives the round trip.
        sent = json.loads(json.dumps(body, allow_nan=True))
        emit(who, data.draw(st.sampled_from([sent, sent, sent, None, [sent], "text", 42]), label="payload"))

    check()


def test_the_expected_tidying_is_the_documented_one():
    """The tidying the checks above expect, on its own (so a wrong expectation shows here)."""
    assert stored_as("  a\x00b\ud800\r\nc  ", one_line=False) == "ab\nc"
    assert stored_as(" Kahvi \n on  hyvää ", one_line=True) == "Kahvi on hyvää"
