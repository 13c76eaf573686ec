"""Issue 9: hostile text through every field a person can type, checked where it is shown.

Each field gets the whole XSS corpus (`tests/xss_corpus.py`) through the real API or form,
as a phone, a worker, a handler, the working group or the admin would send it; then every
page, JSON answer and export that shows the field is fetched and must show the payloads
as plain text: nothing a payload brings may become an element, an event handler or a
script URL. JSON is checked to carry the text exactly (the scripts put it into the page
with `textContent`; `test_scripts_put_no_typed_text_into_html` keeps it that way), PDFs
by their extracted text and their actions, CSV by its cells (formula injection).

`test_every_text_column_is_covered` fails when a text column of `workshop/models.py` is
neither covered here, nor by a named report test, nor listed as not typed by anyone.
"""
from __future__ import annotations

import csv
import io
import re
import subprocess
import uuid
import zlib
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import String, Text, select

from workshop.extensions import db

from .conftest import API_HEADERS, FORM_KEY, ApiClient, make_picture
from .xss_corpus import PAYLOADS, assert_not_injected

ROOT = Path(__file__).resolve().parent.parent

# -- what is checked ----------------------------------------------------------------------------

#: Elements no page of the app has of its own: from a payload they would load or run something.
_NEVER_IN_A_PAGE = {"iframe", "frame", "object", "embed", "applet", "base", "math", "mglyph", "mtext"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcset", "poster", "xlink:href", "background"}
_SCRIPT_URL = ("javascript:", "vbscript:", "data:text", "data:application")


class _Page(HTMLParser):
    """A page as a browser reads it: its elements, its text, and its scripts' and styles' text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.code: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        self._in_code = tag in ("script", "style")
        self.text.extend(value for _name, value in attrs if value)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))
        self.text.extend(value for _name, value in attrs if value)

    def handle_endtag(self, tag):
        self._in_code = False

    def handle_data(self, data):
        (self.code if self._in_code else self.text).append(data)


def _read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def assert_safe(html: str, where: str) -> None:
    """Fail if a whole page (`where` names it) carries anything a payload could have made:
    a payload unescaped (`assert_not_injected`), an event handler, a script URL, a picture
    from elsewhere, an element no page of ours has, or a payload's code in a script or style."""
    try:
        assert_not_injected(html)
    except AssertionError as error:
        raise AssertionError(f"{where}: {error}") from None
    page = _read(html)
    for tag, attrs in page.elements:
        assert tag not in _NEVER_IN_A_PAGE, f"{where}: <{tag} {attrs}> in the page"
        for name, value in attrs:
            assert not name.startswith("on"), f"{where}: event handler {name}={value!r} on <{tag}>"
            if tag == "meta" and name == "http-equiv":
                assert (value or "").lower() != "refresh", f"{where}: a refresh <meta> in the page"
            if name in _URL_ATTRIBUTES and value:
                url = "".join(value.split()).lower()
                assert not url.startswith(_SCRIPT_URL), f"{where}: script URL {value!r} in <{tag} {name}>"
                if tag == "img":
                    assert url != "x" and not url.startswith(("http:", "https:", "//")), \
                        f"{where}: picture from {value!r}"
    code = "".join(page.code)
    assert "alert(" not in code and "javascript:" not in code, f"{where}: a payload's code in a script or style"


def assert_shown(html: str, payloads, where: str) -> None:
    """Fail unless each of `payloads` is in the page as text a person reads (or in a form
    field's value), exactly as typed: neither dropped nor turned into markup."""
    text = _squeezed("".join(_read(html).text))
    missing = [payload for payload in payloads if _squeezed(payload) not in text]
    assert not missing, f"{where}: not shown as text: {missing}"


def _suffixed(suffix: str, payloads=PAYLOADS) -> list[str]:
    """The corpus with `suffix` after each payload: tells apart fields filled at the same time."""
    return [payload + suffix for payload in payloads]


def _numbered() -> list[str]:
    """The corpus numbered, for names that must differ whatever their case."""
    return [f"{payload} #{index}" for index, payload in enumerate(PAYLOADS)]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def assert_json_carries(response, payloads, where: str) -> None:
    """Fail unless `response` is JSON (never HTML a browser would render) holding each payload
    exactly as typed in some string of it."""
    assert response.status_code == 200, f"{where}: {response.status_code}"
    assert response.mimetype == "application/json", f"{where}: served as {response.mimetype}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", f"{where}: may be sniffed as HTML"
    strings = _strings(response.get_json())
    missing = [payload for payload in payloads if not any(payload in text for text in strings)]
    assert not missing, f"{where}: not in the JSON as typed: {missing}"


def pdf_objects(pdf: bytes) -> str:
    """The PDF's objects as text, its compressed streams (object streams too) inflated."""
    parts = [pdf.decode("latin-1")]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream.group(1)).decode("latin-1"))
        except zlib.error:
            pass
    return "\n".join(parts)


def assert_pdf_safe(pdf: bytes, payloads, where: str, tmp_path: Path) -> None:
    """Fail unless the PDF's text shows each payload and the PDF has no script and no link
    a payload made (WeasyPrint turns an `<a href>` into a /URI action)."""
    assert pdf.startswith(b"%PDF"), where
    path = tmp_path / "export.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    flat = "".join(text.split())
    missing = [payload for payload in payloads if "".join(payload.split()) not in flat]
    assert not missing, f"{where}: not in the PDF's text: {missing}"
    objects = pdf_objects(pdf)
    assert "/JavaScript" not in objects and not re.search(r"/JS\b", objects), f"{where}: JavaScript in the PDF"
    for uri in re.findall(r"/URI\s*\((.*?)\)", objects):
        assert not uri.lower().startswith(("javascript", "data:", "vbscript")) and "tracker.example" not in uri, \
            f"{where}: a link to {uri!r} in the PDF"


#: What a spreadsheet takes for the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def assert_csv_safe(data: bytes, payloads, where: str) -> list[list[str]]:
    """Fail unless the CSV holds each payload in some cell and no cell starts a formula
    (a cell that would is written with a leading apostrophe, which a spreadsheet hides)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(FORMULA_STARTS), f"{where}: the cell {cell!r} starts a formula"
    missing = [payload for payload in payloads if not any(payload in cell for cell in cells)]
    assert not missing, f"{where}: not in any cell: {missing}"
    return rows


# -- who sends and who reads -----------------------------------------------------------------


def _login(app, account) -> object:
    client = app.test_client()
    assert account.login(client).status_code == 303
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def _get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response.get_data(as_text=True)


def _check_pages(client, urls, payloads=(), shown_in=()) -> None:
    """Fetch each page: every one safe; those in `shown_in` show every payload as text."""
    for url in urls:
        html = _get(client, url)
        assert_safe(html, url)
        if url in shown_in:
            assert_shown(html, payloads, url)


def _posted(response, status=(200, 201, 303)):
    """`response`, after checking the write was taken (the body says why if not)."""
    assert response.status_code in status, response.get_data(as_text=True)[:500]
    return response


def _workshop_pages(workshop_id: int) -> list[str]:
    base = f"/facilitator/workshops/{workshop_id}"
    return [base, f"{base}/projector", f"{base}/poster", f"{base}/wall", f"{base}/run", f"{base}/close"]


class Room:
    """A workshop with the facilitator (`staff`) and phones, on the API."""

    def __init__(self, app, logged_in, make_workshop, phone, title: str = "Päiväkeskus Kalliola"):
        made = make_workshop(title=title)
        self.app, self.id, self.code = app, made["id"], made["code"]
        self.staff = ApiClient(logged_in, self.code)
        self.logged_in = logged_in
        self._phone = phone
        self.alice = phone(self.code)

    def phone(self) -> ApiClient:
        return self._phone(self.code)

    def check(self, payloads, pages=(), json=("staff changes", "phone changes")) -> None:
        """The facilitator's `pages` of the workshop ("" its page, "/run") safe and showing the
        payloads; the JSON answers named in `json` carrying them. (The wall, the run page and
        the phone draw typed text from the JSON with textContent: see
        `test_scripts_put_no_typed_text_into_html` and tests/browser/test_xss_wall.py.)"""
        for page in pages:
            where = f"/facilitator/workshops/{self.id}{page}"
            html = _get(self.logged_in, where)
            assert_safe(html, where)
            assert_shown(html, payloads, where)
        answers = {"staff changes": (self.staff, "/changes"), "phone changes": (self.alice, "/changes"),
                   "mine": (self.alice, "/mine"), "feedback": (self.staff, "/feedback")}
        for name in json:
            who, path = answers[name]
            assert_json_carries(who.get(path), payloads, name)


@pytest.fixture
def room(app, logged_in, make_workshop, phone):
    """A workshop, its logged-in facilitator and a phone (`Room`)."""
    return Room(app, logged_in, make_workshop, phone)


# -- the workshop's fields ------------------------------------------------------------------------


#: A handful of the corpus, one of each kind, for fields that hold one value a page shows at a time.
HANDFUL = [PAYLOADS[index] for index in (0, 1, 2, 11, 12, 13, 19, 21)]


def test_workshop_titles_and_places(app, logged_in, phone):
    """Typed on the facilitator's home; shown there, on every page about the workshop and on
    the phones."""
    ids = []
    for payload in PAYLOADS:
        response = _posted(logged_in.post("/facilitator/", data={"title": payload, "place": payload + " place",
                                                                 "language": "fi"}), (303,))
        ids.append(int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1]))
    _check_pages(logged_in, ["/facilitator/"], [*PAYLOADS, *_suffixed(" place")], ["/facilitator/"])
    from workshop.models import Workshop

    for payload, workshop_id in zip(PAYLOADS, ids):
        if payload not in HANDFUL:
            continue
        pages = _workshop_pages(workshop_id)
        _check_pages(logged_in, pages, [payload], pages)
        _check_pages(logged_in, [pages[2]], [payload + " place"], [pages[2]])  # the poster
        with app.app_context():
            code = db.session.get(Workshop, workshop_id).join_code
        participant = phone(code)
        html = _get(participant.client, f"/j/{code}")
        assert_safe(html, "the participant's page")
        assert_shown(html, [payload], "the participant's page")
        assert_json_carries(participant.get("/changes"), [payload], "the phone's changes")
    # Renaming goes through the workshop page's own form.
    renamed = _posted(logged_in.post(f"/facilitator/workshops/{ids[0]}", data={"title": PAYLOADS[1]}), (303,))
    _check_pages(logged_in, [renamed.headers["Location"]], [PAYLOADS[1]], [renamed.headers["Location"]])


def test_deleted_workshops_titles_in_the_messages_and_the_audit_log(app, logged_in):
    """Deleting a workshop names it on the confirmation page, in the message after, and in
    the audit log (which keeps a copy of the title)."""
    from workshop.models import Workshop

    for payload in HANDFUL:
        response = _posted(logged_in.post("/facilitator/", data={"title": payload, "language": "fi"}), (303,))
        workshop_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        with app.app_context():
            code = db.session.get(Workshop, workshop_id).join_code
        page = f"/facilitator/workshops/{workshop_id}/delete"
        _check_pages(logged_in, [page], [payload], [page])
        _posted(logged_in.post(page, data={"code": code}), (303,))
        _check_pages(logged_in, ["/facilitator/"], [payload], ["/facilitator/"])  # the message says which
    _check_pages(logged_in, ["/facilitator/audit"], HANDFUL, ["/facilitator/audit"])


def test_board_titles(app, logged_in, make_workshop, phone):
    """Added on the wall (API) and on the workshop page (form); a wall has at most 12 boards."""
    for start in range(0, len(PAYLOADS), 9):
        chunk = PAYLOADS[start:start + 9]
        room = Room(app, logged_in, make_workshop, phone)
        for index, payload in enumerate(chunk):
            if index % 2:
                _posted(room.staff.post("/boards", json={"title": payload}))
            else:
                _posted(logged_in.post(f"/facilitator/workshops/{room.id}/boards", data={"title": payload}))
        room.check(chunk, pages=("",))


def test_notes_captions_and_paper_notes(room):
    """Notes from phones, captions of drawings, notes typed in by the facilitator from paper."""
    for payload in PAYLOADS:
        _posted(room.alice.note(payload))
    board = str(room.alice.boards()[1]["id"])
    for payload in HANDFUL:
        _posted(room.staff.note(payload + " paper", from_paper=True))
        data = {"uuid": str(uuid.uuid4()), "kind": "drawing", "text": payload + " caption", "board_id": board,
                "image": (io.BytesIO(make_picture()), "d.png")}
        _posted(room.alice.client.post(room.alice.url("/items"), data=data, headers=API_HEADERS,
                                       content_type="multipart/form-data"))
    room.check(PAYLOADS, json=("staff changes", "phone changes", "mine"))
    room.check([payload + suffix for payload in HANDFUL for suffix in (" paper", " caption")])


def test_theme_names_and_descriptions(room):
    for payload in PAYLOADS:
        theme = _posted(room.staff.post("/themes", json={"name": payload})).get_json()["theme"]
        _posted(room.staff.patch(f"/themes/{theme['id']}", json={"description": payload + " kuvaus"}))
    room.check([*PAYLOADS, *_suffixed(" kuvaus")])


def test_topics_the_topic_vote_and_the_confirmed_topic(room):
    """Proposals from phones, the vote on them (options take the proposals' text; at most 20
    in a vote), the topic as confirmed."""
    for payload in PAYLOADS[:20]:
        _posted(room.alice.post("/topics", json={"uuid": str(uuid.uuid4()), "text": payload}))
    question = _posted(room.staff.post("/topics/vote", json={"title": PAYLOADS[20]})).get_json()["question"]
    # Proposals differing only in case are one option.
    assert {option["label"].casefold() for option in question["options"]} == {p.casefold() for p in PAYLOADS[:20]}
    for payload in PAYLOADS[20:]:
        _posted(room.alice.post("/topics", json={"uuid": str(uuid.uuid4()), "text": payload}))
    room.check(PAYLOADS, json=("staff changes", "phone changes", "mine"))
    for payload in HANDFUL:
        _posted(room.staff.put("/topic", json={"text": payload}))
        room.check([payload], pages=("/run",))


def test_dot_votes_their_titles_and_options(room):
    """A vote made on the wall (API) and one made on the workshop page (form)."""
    for index, payload in enumerate(PAYLOADS):
        if index % 2:
            _posted(room.staff.post("/questions", json={"title": payload, "options": [payload + " A", "B"]}))
        else:
            _posted(room.logged_in.post(f"/facilitator/workshops/{room.id}/questions",
                                        data={"title": payload, "options": f"{payload} A\nB", "dots_per_person": "3"}))
    room.check(PAYLOADS, pages=("",))
    room.check(_suffixed(" A"))


def test_surveys_their_options_and_text_answers(room):
    for payload in PAYLOADS:
        _posted(room.staff.post("/surveys", json={"kind": "choice", "title": payload, "options": [payload + " A", "B"]}))
    asked = _posted(room.staff.post("/surveys", json={"kind": "text", "title": "Mitä ajattelet?"})).get_json()
    survey_id = asked["survey"]["id"]
    for payload in PAYLOADS:
        _posted(room.phone().post(f"/surveys/{survey_id}/answers",
                                  json={"uuid": str(uuid.uuid4()), "text": payload + " vastaus"}))
    room.check([*PAYLOADS, *_suffixed(" A")])
    room.check(_suffixed(" vastaus"), json=("staff changes",))


def test_development_ideas(room):
    for payload in PAYLOADS:
        _posted(room.staff.post("/ideas", json={"statement": payload}))
    room.check(PAYLOADS, json=("staff changes", "phone changes"))


def test_phase_feedback_comments(room):
    _posted(room.staff.patch("", json={"feedback_phase": "mapping"}))
    for payload in PAYLOADS:
        _posted(room.phone().post("/feedback", json={"uuid": str(uuid.uuid4()), "phase": "mapping", "rating": 2,
                                                     "comment": payload}))
    room.check(PAYLOADS, json=("feedback",))


def test_gatherings_their_places_and_logs(room):
    for payload in PAYLOADS:
        gathering = _posted(room.staff.post("/gatherings", json={"title": payload, "place": payload + " paikka"}))
        _posted(room.staff.patch(f"/gatherings/{gathering.get_json()['gathering']['id']}",
                                 json={"log": payload + " loki"}))
    room.check([*PAYLOADS, *_suffixed(" paikka"), *_suffixed(" loki")], json=("staff changes",))


# -- street notes ------------------------------------------------------------------------------


def test_street_notes_and_their_topics(app, organisation, make_account, logged_in, make_workshop):
    """A worker's notes on their page, the facilitator's list, the working group's tagging
    page, and on a wall once the facilitator pulled one there."""
    worker = _login(app, make_account("ville", "worker"))
    written = datetime.now(timezone.utc).isoformat()
    for payload in PAYLOADS:
        _posted(worker.post("/api/street/notes", headers=API_HEADERS, json={
            "uuid": str(uuid.uuid4()), "text": payload, "topic": payload + " aihe", "nature": "negative",
            "category": "social_problems", "written_at": written}))
    topics = _suffixed(" aihe")
    _check_pages(worker, ["/street/"], [*PAYLOADS, *topics], ["/street/"])
    _check_pages(logged_in, ["/street/notes"], [*PAYLOADS, *topics], ["/street/notes"])
    wilma = _login(app, organisation.accounts["wilma"])
    _check_pages(wilma, ["/summary/street-notes"], PAYLOADS, ["/summary/street-notes"])
    for who in (worker, logged_in):  # the worker's own list (their outbox's view), every note
        assert_json_carries(who.get("/api/street/notes"), [*PAYLOADS, *topics], "the street notes' JSON")
    made = make_workshop(title="Katutyö")
    staff = ApiClient(logged_in, made["code"])
    board = staff.boards()[0]["id"]
    notes = logged_in.get("/api/street/notes").get_json()["notes"]
    for note in notes:
        _posted(logged_in.post(f"/api/street/notes/{note['id']}/wall", headers=API_HEADERS,
                               json={"workshop_id": made["id"], "board_id": board}))
    assert_json_carries(staff.get("/changes"), PAYLOADS, "the wall's changes")


# -- professionals' social reporting ----------------------------------------------------------------

#: E-mail-shaped payloads for the reporter's contact (a contact must be an address or a number).
CONTACTS = ["<script>alert(1)</script>@x.fi", "\"><svg/onload=alert(1)>@x.fi", "'><img/src=x/onerror=alert(1)>@x.fi",
            "<a/href=javascript:alert(1)>x</a>@x.fi", "{{7*7}}@x.fi"]


def file_reports(client, organisation, payloads, **fields) -> list[str]:
    """File a negative report per payload through the form's API: every text field the payload
    with the field's name after it. Returns the report numbers."""
    numbers = []
    for index, payload in enumerate(payloads):
        body = {"uuid": str(uuid.uuid4()), "written_at": datetime.now(timezone.utc).isoformat(),
                "unit": organisation.units["Aikuissosiaalityö"], "nature": "negative", "category": "own_resources",
                "description": payload, "proposal": payload + " proposal", "reporter_name": payload + " name",
                "contact": CONTACTS[index % len(CONTACTS)], "area": organisation.areas["Ulvila"],
                "area_detail": payload + " area", "service": organisation.services["Päihdepalvelut"],
                "service_detail": payload + " service", "observed_how": "own_work",
                "observed_detail": payload + " observed", **fields}
        response = _posted(client.post(f"/observe/{FORM_KEY}/reports", json=body, headers=API_HEADERS), (201,))
        numbers.append(response.get_json()["report"]["number"])
    return numbers


def _report_ids(app) -> list[int]:
    from workshop.models import Observation

    with app.app_context():
        return list(db.session.scalars(select(Observation.id).order_by(Observation.id)))


def test_professional_reports_every_field(app, organisation):
    """The reporter's form; the handler's inbox and report page (the name and contact only
    there), the working group's list and tagging page, and the reporter's tracking page."""
    numbers = file_reports(app.test_client(), organisation, PAYLOADS)
    ids = _report_ids(app)
    hanna = _login(app, organisation.accounts["hanna"])
    wilma = _login(app, organisation.accounts["wilma"])
    _check_pages(hanna, ["/handling/"])  # numbers, units and states: nothing the reporter typed
    for index, (payload, report_id) in enumerate(zip(PAYLOADS, ids)):
        fields = [payload, *(payload + suffix for suffix in (" proposal", " area", " service", " observed"))]
        _check_pages(hanna, [f"/handling/reports/{report_id}"], [*fields, payload + " name",
                                                                 CONTACTS[index % len(CONTACTS)]],
                     [f"/handling/reports/{report_id}"])
        _check_pages(wilma, [f"/summary/reports/{report_id}"], fields, [f"/summary/reports/{report_id}"])
    _check_pages(wilma, ["/summary/reports", "/summary/", "/summary/summary.html"])
    tracker = app.test_client()
    for number in numbers[:3]:
        page = _posted(tracker.post("/observe/track", data={"number": number}), (200,)).get_data(as_text=True)
        assert_safe(page, "the tracking page")


def test_handlers_notes_on_the_log(app, organisation):
    """A handler's notes: on the report's page, the reporter's tracking page and the working
    group's page."""
    (number,) = file_reports(app.test_client(), organisation, ["Asiakkaat jonottavat"])
    (report_id,) = _report_ids(app)
    hanna = _login(app, organisation.accounts["hanna"])
    for payload in PAYLOADS:
        _posted(hanna.post(f"/handling/reports/{report_id}", data={"action": "status", "status": "", "note": payload}),
                (303,))
    _check_pages(hanna, [f"/handling/reports/{report_id}", "/handling/"], PAYLOADS, [f"/handling/reports/{report_id}"])
    tracked = _posted(app.test_client().post("/observe/track", data={"number": number}), (200,))
    assert_safe(tracked.get_data(as_text=True), "the tracking page")
    assert_shown(tracked.get_data(as_text=True), PAYLOADS, "the tracking page")
    wilma = _login(app, organisation.accounts["wilma"])
    _check_pages(wilma, [f"/summary/reports/{report_id}"])


def _summary_theme_ids(app) -> dict[str, int]:
    from workshop.models import SummaryTheme

    with app.app_context():
        return {theme.name: theme.id for theme in db.session.scalars(select(SummaryTheme))}


def check_summary(client, payloads, tmp_path=None, *, in_csv=True) -> None:
    """The summary page and its exports (the PDF with a `tmp_path`): safe, and showing `payloads`."""
    _check_pages(client, ["/summary/"], payloads, ["/summary/"])
    exported = client.get("/summary/summary.html")
    assert exported.status_code == 200
    assert_safe(exported.get_data(as_text=True), "the summary's HTML file")
    assert_shown(exported.get_data(as_text=True), payloads, "the summary's HTML file")
    spreadsheet = client.get("/summary/summary.csv")
    assert spreadsheet.status_code == 200
    assert_csv_safe(spreadsheet.data, payloads if in_csv else (), "the summary's CSV")
    if tmp_path is not None:  # seconds of layout: once is enough
        pdf = client.get("/summary/summary.pdf")
        assert pdf.status_code == 200
        assert_pdf_safe(pdf.data, payloads, "the summary's PDF", tmp_path)


def test_summary_theme_names_and_conclusions(app, organisation):
    """Themes made while tagging a report and on the themes page; their conclusions; followed
    ones (weak signals). All in the summary and its CSV, HTML and PDF."""
    file_reports(app.test_client(), organisation, PAYLOADS)
    wilma = _login(app, organisation.accounts["wilma"])
    names = _numbered()  # a theme's name is unique whatever its case
    for payload, report_id in zip(names, _report_ids(app)):
        _posted(wilma.post(f"/summary/reports/{report_id}", data={"new_theme": payload, "needs": ["housing"]}),
                (303,))
    formula = '=HYPERLINK("http://x.example","Klikkaa")'
    _posted(wilma.post("/summary/themes", data={"action": "add", "new-name": formula}), (303,))
    themes = _summary_theme_ids(app)
    _posted(wilma.post("/summary/themes", data={"action": "follow", "theme_id": str(themes[formula])}), (303,))
    for payload in names:
        theme_id = themes[payload]
        _posted(wilma.post("/summary/themes", data={"action": "conclusion", "theme_id": str(theme_id),
                                                     f"conclusion-{theme_id}-conclusion": payload + " conclusion"}),
                (303,))
    for payload in names[:4]:
        _posted(wilma.post("/summary/themes", data={"action": "follow", "theme_id": str(themes[payload])}), (303,))
    _check_pages(wilma, ["/summary/themes"], [*names, *(name + " conclusion" for name in names)], ["/summary/themes"])
    _check_pages(wilma, ["/summary/reports", f"/summary/reports/{_report_ids(app)[0]}"])
    check_summary(wilma, [*names, *(name + " conclusion" for name in names)], in_csv=False)
    rows = assert_csv_safe(wilma.get("/summary/summary.csv").data, names, "the summary's CSV")
    assert "'" + formula in {cell for row in rows for cell in row}  # a followed theme: a weak signal's row


def test_the_summary_pdf_shows_typed_names_as_text(app, organisation, tmp_path):
    """The PDF (seconds of layout, so a handful): theme names, conclusions, an area's name."""
    aatu = _login(app, organisation.accounts["aatu"])
    _posted(aatu.post("/org/areas", data={"action": "area-add", "area-add-name": HANDFUL[0] + " area"}), (303,))
    area = _org_ids(app)["area"][HANDFUL[0] + " area"]
    file_reports(app.test_client(), organisation, HANDFUL, area=area)
    wilma = _login(app, organisation.accounts["wilma"])
    for payload, report_id in zip(HANDFUL, _report_ids(app)):
        _posted(wilma.post(f"/summary/reports/{report_id}", data={"new_theme": payload}), (303,))
    for payload, theme_id in _summary_theme_ids(app).items():
        _posted(wilma.post("/summary/themes", data={"action": "conclusion", "theme_id": str(theme_id),
                                                     f"conclusion-{theme_id}-conclusion": payload + " conclusion"}),
                (303,))
    check_summary(wilma, [*HANDFUL, *(payload + " conclusion" for payload in HANDFUL), HANDFUL[0] + " area"],
                  tmp_path, in_csv=False)


def test_regional_development_targets(app, organisation):
    """The working group's tracker rows and status notes: its page and the summary's files."""
    file_reports(app.test_client(), organisation, ["Asiakkaat jonottavat"])
    wilma = _login(app, organisation.accounts["wilma"])
    columns = ("target", "partners", "actions", "responsible", "schedule", "indicator")
    for payload in PAYLOADS:
        _posted(wilma.post("/summary/targets", data={"action": "add", **{
            f"new-{column}": payload if column == "target" else f"{payload} {column}" for column in columns}}), (303,))
    from workshop.models import DevelopmentTarget

    with app.app_context():
        target_ids = list(db.session.scalars(select(DevelopmentTarget.id).order_by(DevelopmentTarget.id)))
    for payload, target_id in zip(PAYLOADS, target_ids):
        _posted(wilma.post("/summary/targets", data={"action": "status", "target_id": str(target_id),
                                                      f"status-{target_id}-status": "in_progress",
                                                      f"status-{target_id}-note": payload + " note"}), (303,))
    shown = [*PAYLOADS, *(f"{payload} {column}" for payload in PAYLOADS for column in columns[1:]),
             *_suffixed(" note")]
    _check_pages(wilma, ["/summary/targets"], shown, ["/summary/targets"])
    exported = wilma.get("/summary/summary.html").get_data(as_text=True)
    assert_safe(exported, "the summary's HTML file")


def test_organisation_names_typed_and_imported(app, organisation, runner, tmp_path):
    """Names the admin types on the settings pages or imports from a CSV file: on the settings
    pages, the reporter's form, the handler's pages and the summary with its files."""
    aatu = _login(app, organisation.accounts["aatu"])
    named = _numbered()
    _posted(aatu.post("/org/", data={"action": "organisation-name", "organisation-name": named[0]}), (303,))
    sector = organisation.sectors["Terveyspalvelut"]
    for name in named[:len(HANDFUL)]:  # a handful: each sector's row has a form listing every sector
        _posted(aatu.post("/org/units", data={"action": "sector-add", "sector-add-name": name + " sector"}), (303,))
    for name in named:
        _posted(aatu.post("/org/units", data={"action": "unit-add", "unit-add-name": name + " unit",
                                              "unit-add-sector": str(sector)}), (303,))
        _posted(aatu.post("/org/areas", data={"action": "area-add", "area-add-name": name + " area"}), (303,))
        _posted(aatu.post("/org/services", data={"action": "service-add", "service-add-name": name + " service"}),
                (303,))
    imported = io.StringIO()
    writer = csv.writer(imported)
    writer.writerow(["kind", "name", "parent", "account", "active"])
    for name in named:
        writer.writerow(["area", name + " imported", "", "", ""])
        writer.writerow(["service", name + " imported", "", "", ""])
    path = tmp_path / "org.csv"
    path.write_text(imported.getvalue(), encoding="utf-8")
    with app.app_context():
        result = runner.invoke(args=["org", "import", str(path)])
    assert result.exit_code == 0, result.output

    _check_pages(aatu, ["/org/"], [named[0]], ["/org/"])
    _check_pages(aatu, ["/org/units"], [*(name + " sector" for name in named[:len(HANDFUL)]),
                                        *(name + " unit" for name in named)],
                 ["/org/units"])
    for page, suffixes in (("/org/areas", (" area", " imported")), ("/org/services", (" service", " imported"))):
        _check_pages(aatu, [page], [name + suffix for name in named for suffix in suffixes], [page])
    _check_pages(aatu, ["/org/accounts"])
    form = _get(app.test_client(), f"/observe/{FORM_KEY}")
    assert_safe(form, "the reporter's form")
    assert_shown(form, [name + suffix for name in named for suffix in (" unit", " area", " service", " imported")],
                 "the reporter's form")

    # Names a spreadsheet would take for formulas (OWASP's CSV injection examples).
    formulas = ["=1+1", "+SUM(1;1)", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]
    for formula in formulas:
        _posted(aatu.post("/org/areas", data={"action": "area-add", "area-add-name": formula}), (303,))

    # A report in each new unit, area and service puts the names into the summary's breakdowns.
    ids = _org_ids(app)
    client = app.test_client()
    for name in named:
        file_reports(client, organisation, ["Jonot"], unit=ids["unit"][name + " unit"],
                     area=ids["area"][name + " imported"], service=ids["service"][name + " service"])
    for formula in formulas:
        file_reports(client, organisation, ["Jonot"], area=ids["area"][formula])
    teo = _login(app, organisation.accounts["teo"])  # the director of the sector the units are in
    _check_pages(teo, ["/handling/"], [name + " unit" for name in named], ["/handling/"])
    for report_id in _report_ids(app)[:3]:
        _check_pages(teo, [f"/handling/reports/{report_id}"])
    wilma = _login(app, organisation.accounts["wilma"])
    check_summary(wilma, [name + " unit" for name in named] + [name + " imported" for name in named]
                  + [name + " service" for name in named])
    cells = {cell for row in assert_csv_safe(wilma.get("/summary/summary.csv").data, formulas, "the summary's CSV")
             for cell in row}
    assert {"'" + formula for formula in formulas} <= cells


def _org_ids(app) -> dict[str, dict[str, int]]:
    from workshop.models import Area, Service, Unit

    with app.app_context():
        return {kind: {row.name: row.id for row in db.session.scalars(select(model))}
                for kind, model in (("unit", Unit), ("area", Area), ("service", Service))}


#: Accounts' names: a handful (each account costs a password hash).
USERNAMES = [payload for payload in HANDFUL if len(payload) <= 60]


def test_account_names(app, organisation, logged_in, monkeypatch):
    """User names the admin gives handlers and the facilitator gives outreach workers."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("workshop.accounts.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))
    aatu = _login(app, organisation.accounts["aatu"])
    for payload in USERNAMES:
        _posted(aatu.post("/org/accounts", data={
            "action": "account-add", "account-add-username": payload, "account-add-role": "handler",
            "account-add-password": "correct horse battery", "account-add-password_again": "correct horse battery"}),
                (303,))
        _posted(logged_in.post("/facilitator/workers", data={
            "worker-username": payload + " w", "worker-password": "correct horse battery",
            "worker-confirm": "correct horse battery"}), (303,))
    _check_pages(aatu, ["/org/accounts", "/org/units"], USERNAMES, ["/org/accounts", "/org/units"])
    _check_pages(logged_in, ["/facilitator/"], [name + " w" for name in USERNAMES], ["/facilitator/"])


# -- the report's own words (titles, suggestions, replies, links) -------------------------------------


def test_report_titles_sections_suggestions_replies_and_links(room):
    """The report's fields its own tests do not send the corpus through: its title, sections'
    titles and saved versions, participants' suggestions and the reasons for declining them,
    replies to comments, the links' labels and management's schedules. A handful of the
    corpus each: every one is a request of its own, and the report's pages are long."""
    from urllib.parse import urlsplit

    staff, alice, facilitator = room.staff, room.alice, room.logged_in
    base = f"/facilitator/workshops/{room.id}/report"
    _posted(alice.note("Kahvi on hyvää"))
    ideas = [_posted(staff.post("/ideas", json={"statement": f"Idea {index}"})).get_json()["idea"]["id"]
             for index in range(len(HANDFUL))]
    _posted(facilitator.post(base + "/draft"), (303,))
    for payload in HANDFUL:
        _posted(facilitator.post(base + "/sections", data={"title": payload + " section"}), (303,))
    sections = staff.get("/report").get_json()["report"]["sections"]
    first = sections[0]
    version = first["version"]
    for payload in HANDFUL:
        saved = _posted(staff.put(f"/report/sections/{first['id']}",
                                  json={"base_version": version, "title": payload + " version", "body": payload + " body"}))
        version = saved.get_json()["section"]["version"]
    for payload in HANDFUL:
        _posted(alice.post("/report/suggestions", json={"uuid": str(uuid.uuid4()), "section_id": first["id"],
                                                        "kind": "change", "quote": payload + " quote",
                                                        "text": payload + " suggestion"}))
    _check_pages(facilitator, [base + "/"], [*_suffixed(" suggestion", HANDFUL), *_suffixed(" quote", HANDFUL)], [base + "/"])
    suggestions = alice.get("/report").get_json()["report"]["suggestions"]
    for payload, suggestion in zip(HANDFUL, suggestions):
        _posted(facilitator.post(f"{base}/suggestions/{suggestion['id']}/decline",
                                 data={"reason": payload + " reason"}), (303,))
    _posted(facilitator.post(base + "/rounds", data={"action": "open"}), (303,))
    for payload in HANDFUL:
        comment = _posted(alice.post("/report/comments", json={"uuid": str(uuid.uuid4()), "section_id": first["id"],
                                                               "text": "Tärkeä kohta"})).get_json()["comment"]
        _posted(staff.post(f"/report/comments/{comment['id']}/reply",
                           json={"status": "addressed", "reply": payload + " reply"}))
    reader_paths = []
    for payload in HANDFUL:
        made = _posted(facilitator.post(base + "/rounds", data={"action": "link", "reader-label": payload + " reader",
                                                                "reader-days": "3"}), (201,))
        reader_paths += [urlsplit(url).path for url in re.findall(r'value="(http://[^"]+/read/[^"]+)"',
                                                                  made.get_data(as_text=True))]
    assert_safe(made.get_data(as_text=True), "the rounds page with a new link")
    for payload in HANDFUL:
        made = _posted(facilitator.post(base + "/answer", data={"answer-label": payload + " answerer",
                                                                "answer-days": "7"}), (201,))
        assert_safe(made.get_data(as_text=True), "the answer links page with a new link")
    answer_path = urlsplit(re.findall(r'value="(http://[^"]+/answer/[^"]+)"', made.get_data(as_text=True))[0]).path
    management = room.app.test_client()
    _posted(management.post(answer_path, data={"by": "Palvelujohtaja", "text": "Hyvä.", **{
        f"schedule-{idea_id}": payload + " schedule" for payload, idea_id in zip(HANDFUL, ideas)}}), (303,))
    _check_pages(management, [answer_path], _suffixed(" schedule", HANDFUL), [answer_path])
    _check_pages(facilitator, [base + "/answer"], _suffixed(" schedule", HANDFUL), [base + "/answer"])
    for payload in HANDFUL:
        _posted(facilitator.post(base + "/title", data={"title": payload + " title"}), (303,))
        _check_pages(facilitator, [base + "/"], [payload + " title"], [base + "/"])
    _check_pages(facilitator, [base + "/export"])

    _check_pages(facilitator, [base + "/"], _suffixed(" section", HANDFUL), [base + "/"])
    from .xss_corpus import assert_harmless

    for section in staff.get("/report").get_json()["report"]["sections"]:
        assert_harmless(section["html"])  # the saved Markdown, rendered and sanitised
    history = f"{base}/sections/{first['id']}/history"
    _check_pages(facilitator, [history, f"{base}/sections/{first['id']}"], _suffixed(" version", HANDFUL), [history])
    _check_pages(facilitator, [base + "/rounds", base + "/rounds/1"], _suffixed(" reader", HANDFUL), [base + "/rounds"])
    _check_pages(facilitator, [base + "/rounds/1"], _suffixed(" reply", HANDFUL), [base + "/rounds/1"])
    _check_pages(facilitator, [base + "/answer"], [payload + " answerer" for payload in HANDFUL], [base + "/answer"])
    mine = alice.get("/report")
    assert_json_carries(mine, [*_suffixed(" suggestion", HANDFUL), *_suffixed(" reason", HANDFUL), *_suffixed(" quote", HANDFUL)],
                        "the phone's report")
    assert_json_carries(alice.get("/report/comments"), _suffixed(" reply", HANDFUL), "the phone's comments")
    reader = room.app.test_client()
    _check_pages(reader, reader_paths[:1], _suffixed(" reply", HANDFUL), reader_paths[:1])


# -- every text column is accounted for --------------------------------------------------------------

#: Text columns checked by the tests above (table.column).
COVERED_HERE = {
    "workshop.title": test_workshop_titles_and_places, "workshop.place": test_workshop_titles_and_places,
    "workshop.topic": test_topics_the_topic_vote_and_the_confirmed_topic,
    "topic_proposal.text": test_topics_the_topic_vote_and_the_confirmed_topic,
    "board.title": test_board_titles,
    "item.text": test_notes_captions_and_paper_notes,
    "theme.name": test_theme_names_and_descriptions, "theme.description": test_theme_names_and_descriptions,
    "question.title": test_dot_votes_their_titles_and_options, "option.label": test_dot_votes_their_titles_and_options,
    "survey.title": test_surveys_their_options_and_text_answers,
    "survey_option.label": test_surveys_their_options_and_text_answers,
    "survey_answer.text": test_surveys_their_options_and_text_answers,
    "idea.statement": test_development_ideas,
    "phase_feedback.comment": test_phase_feedback_comments,
    "gathering.title": test_gatherings_their_places_and_logs, "gathering.place": test_gatherings_their_places_and_logs,
    "gathering.log": test_gatherings_their_places_and_logs,
    "street_note.text": test_street_notes_and_their_topics, "street_note.topic": test_street_notes_and_their_topics,
    **{f"observation.{column}": test_professional_reports_every_field
       for column in ("description", "proposal", "reporter_name", "contact", "area_detail", "service_detail",
                      "observed_detail")},
    "observation_event.note": test_handlers_notes_on_the_log,
    "summary_theme.name": test_summary_theme_names_and_conclusions,
    "summary_theme.conclusion": test_summary_theme_names_and_conclusions,
    **{f"development_target.{column}": test_regional_development_targets
       for column in ("target", "partners", "actions", "responsible", "schedule", "indicator")},
    "target_update.note": test_regional_development_targets,
    **{f"{table}.name": test_organisation_names_typed_and_imported
       for table in ("organisation", "org_sector", "org_unit", "org_area", "org_service")},
    "account.username": test_account_names,
    "audit_event.subject": test_deleted_workshops_titles_in_the_messages_and_the_audit_log,
    **{column: test_report_titles_sections_suggestions_replies_and_links for column in (
        "report.title", "report_section.title", "section_version.title", "section_version.body",
        "suggestion.quote", "suggestion.text", "suggestion.reason", "comment.reply", "report_link.label",
        "idea_answer.schedule")},
}

#: Text columns whose hostile text the report's own tests check (file::test).
COVERED_BY_REPORT_TESTS = {
    "report_section.body": "test_report_draft.py::test_hostile_text_in_notes_captions_and_sections_renders_harmless",
    "comment.text": "test_report_rounds.py::test_hostile_comments_are_harmless_on_the_pages",
    "reader_feedback.text": "test_reader_feedback.py::test_hostile_feedback_is_shown_as_text",
    "report.answer_text": "test_report_answer.py::test_hostile_answers_are_harmless_on_the_pages",
    "report.answer_by": "test_report_answer.py::test_hostile_answers_are_harmless_on_the_pages",
    "idea_answer.action": "test_report_answer.py::test_hostile_answers_are_harmless_on_the_pages",
}

#: Text columns nobody types, and why.
NOT_TYPED = {
    "account.username_key": "the user name folded for look-ups; the name itself is covered",
    "audit_event.account_name": "a copy of the account's user name (covered as account.username)",
    "audit_event.action": "the app's own action names",
    "audit_event.details": "the app's own JSON of counts",
    "account.password_hash": "a hash, never shown",
    "organisation.form_key": "made by the app (secrets), part of an address",
    "workshop.language": "one of the app's languages (a select, checked)",
    "workshop.join_code": "made by the app from its own alphabet",
    "workshop.projector": "one of the app's own screen names (checked in phases.show_on_projector)",
    "change.entity": "the app's own entity names",
    "participant.token_hash": "a hash, never shown",
    "question.purpose": "the app's own purposes (general, topics, ideas)",
    "survey.purpose": "the app's own purposes (general, participation)",
    "survey_option.key": "the app's own participation ways",
    "survey_answer.choices": "option ids the app checks",
    "phase_feedback.way": "one of the app's participation ways (choice_field)",
    "report.public_key": "made by the app (secrets)",
    "report_link.purpose": "answer or reader, the app's own",
    "report_link.token_hash": "a hash, never shown",
    "reader_feedback.status": "the app's own states",
    "comment.status": "the app's own states",
    "suggestion.kind": "add or change, checked",
    "suggestion.status": "the app's own states",
    "observation.number": "made by the app from its own alphabet",
    "observation_event.notice": "the app's own notice states",
    "street_note.area": "chosen from the deployment's STREET_AREAS list (checked), not typed",
    "section_version.note": "the app's own words for why a version was saved (draft, restored, suggestion)",
    "comment_round.snapshot": "a frozen copy of the sections' titles and texts, covered as those",
    "item.colour": "one of the app's note colours (checked)",
    **{f"{table}.{column}": "made by the phone or the app (a UUID, a hash, a stored file's random name)"
       for table, columns in {"item": ("uuid", "body_hash", "image_name", "thumb_name"),
                              "street_note": ("uuid", "body_hash", "image_name", "thumb_name"),
                              "observation": ("uuid", "body_hash"), "phase_feedback": ("uuid", "body_hash"),
                              "survey_answer": ("uuid", "body_hash"), "topic_proposal": ("uuid", "body_hash"),
                              "comment": ("uuid", "body_hash"), "suggestion": ("uuid", "body_hash"),
                              "dot": ("uuid", "body_hash")}.items()
       for column in columns},
}


def _text_columns() -> set[str]:
    from importlib import import_module

    from sqlalchemy import Enum

    import_module("workshop.models")  # every table registered in the metadata

    return {f"{table.name}.{column.name}" for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, (String, Text)) and not isinstance(column.type, Enum)}


def test_every_text_column_is_covered():
    """A new text column must get a test here (or in the report's tests), or be listed as not
    typed by anyone, with the reason."""
    columns = _text_columns()
    accounted = set(COVERED_HERE) | set(COVERED_BY_REPORT_TESTS) | set(NOT_TYPED)
    assert not columns - accounted, f"text columns no hostile-text test covers: {sorted(columns - accounted)}"
    assert not accounted - columns, f"listed but not in models.py: {sorted(accounted - columns)}"
    assert not set(COVERED_HERE) & set(NOT_TYPED)


@pytest.mark.parametrize("column", sorted(COVERED_BY_REPORT_TESTS))
def test_the_report_tests_named_check_the_corpus(column):
    file_name, test_name = COVERED_BY_REPORT_TESTS[column].split("::")
    source = (ROOT / "tests" / file_name).read_text(encoding="utf-8")
    start = source.find(f"def {test_name}(")
    assert start >= 0, f"{file_name} has no {test_name}"
    body = source[source.rfind("\n\n", 0, start):source.find("\ndef ", start + 1)]  # with its decorators
    assert "PAYLOADS" in body and "assert_harmless" in body


# -- the scripts ---------------------------------------------------------------------------------

#: Every place a script sets HTML, and why what it sets is safe. Anything else must use
#: textContent (or build elements), so typed text from the JSON above stays text.
SCRIPT_HTML_SINKS = {
    ("phone-report.js", "text.innerHTML = answer.text_html"): "management's answer, sanitised by the server (nh3)",
    ("phone-report.js", "text.innerHTML = section.html"): "a report section, sanitised by the server (nh3)",
    ("report-editor.js", "preview.innerHTML = answer.html"): "the editor's preview, sanitised by the server (nh3)",
}
_SINK = re.compile(r"[^\n;]*(?:\.innerHTML\s*\+?=|\.outerHTML\s*\+?=|insertAdjacentHTML\(|document\.write|"
                   r"createContextualFragment|\.srcdoc\s*=|new Function\(|\beval\()[^\n;]*")


def test_scripts_put_no_typed_text_into_html():
    found = set()
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        for match in _SINK.finditer(path.read_text(encoding="utf-8")):
            known = [key for key in SCRIPT_HTML_SINKS if key[0] == path.name and key[1] in match.group(0)]
            assert known, f"{path.name}: {match.group(0).strip()!r} puts HTML into the page"
            found.update(known)
    assert found == set(SCRIPT_HTML_SINKS), f"listed but gone: {set(SCRIPT_HTML_SINKS) - found}"


# -- the checks themselves ----------------------------------------------------------------------


@pytest.mark.parametrize("page", [
    "<p><img src=x onerror=alert(1)></p>",
    "<p><svg onload=alert(1)></svg></p>",
    '<a href=" javascript:alert(1)">x</a>',
    "<iframe></iframe>",
    '<meta http-equiv="Refresh" content="0;url=/">',
    "<script>alert(1)</script>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<img src="http://tracker.example/pixel.png" alt="">',
])
def test_the_page_check_catches_what_a_payload_would_make(page):
    with pytest.raises(AssertionError):
        assert_safe(f"<!doctype html><main>{page}</main>", "a page")


def test_the_other_checks_catch_text_that_is_missing_or_unsafe(tmp_path):
    escaped = "<p>&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;</p>"
    assert_safe(escaped, "a page")
    assert_shown(escaped, [PAYLOADS[0]], "a page")
    with pytest.raises(AssertionError):
        assert_shown("<p>&lt;script&gt;</p>", [PAYLOADS[0]], "a page")
    with pytest.raises(AssertionError):
        assert_csv_safe("label;count\r\n=1+1;2\r\n".encode(), (), "a CSV")
    assert_csv_safe("label;count\r\n'=1+1;2\r\n".encode(), ["=1+1"], "a CSV")
    assert "/URI (javascript:alert(1))" in pdf_objects(b"1 0 obj << /A << /S /URI /URI (javascript:alert(1)) >> >>")
