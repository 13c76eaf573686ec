"""The login wall: every endpoint not on the public list refuses an anonymous request."""
import re

import pytest

#: Endpoints anyone may open without logging in. Adding one here is a decision: say why.
PUBLIC_ENDPOINTS = {
    "static",                    # stylesheets, fonts, scripts
    "participant.front",         # the front page where a code is typed
    "participant.join_typed",    # the typed code is posted here
    "participant.join_link",     # the QR code's target
    "participant.kiosk_link",    # the shared tablet's signed link (a forged one is a 404)
    "language.switch",           # the language buttons on every page
    "auth.login",
    "auth.setup",                # first run only: 404 once an account exists
    "pwa.manifest",              # the installable app: name, icons, colours
    "pwa.service_worker",        # the offline shell: public files only, never data
    "pwa.offline",               # what an unvisited page shows without a connection
    # The report (issue 6): read by anyone once published, or through a private link whose
    # unguessable token is checked by the page itself (an unknown one is a 404).
    "published.report",          # the published report: public on purpose
    "published.picture",         # … its pictures (only those it shows)
    "published.send_feedback",   # … its reader-feedback form (rate-limited)
    "published.answer_page",     # management's answer, through their private link
    "published.answer_picture",
    "published.reader_page",     # an invited reader's comments, through their private link
    "published.reader_picture",
    # Professionals' social reporting (issue 7): the form needs no login; its address holds
    # the organisation's unguessable key (a wrong one is a 404) and OBSERVE_NETWORKS can keep
    # it to the intranet. Filing is rate-limited per network.
    "observe.form",              # the form, and its POST without JavaScript
    "observe.api_file",          # the form's JSON API (the script and the offline outbox)
    "observe.track",             # the report number in, one report's status out (failed lookups limited)
    "privacy.notice",            # the privacy notice (issue 9): read before joining, without a login
}


def _sample_url(rule, code: str = "ABCDEF") -> str:
    """Fill a URL rule's variables with plausible values (`code` for a workshop's code)."""
    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if "int" in converter:
            return "1"
        return code if name == "code" else "4f1c1a52-8d67-4c5e-9a0e-2f3b7c1d9e10"
    return re.sub(r"<(?:(\w+):)?(\w+)>", value, rule.rule)


def _protected_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint not in PUBLIC_ENDPOINTS and not rule.endpoint.startswith("api.")]


def _api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]


def test_the_public_list_names_real_endpoints(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert PUBLIC_ENDPOINTS <= endpoints


def test_there_are_protected_endpoints_to_check(app):
    assert len(_protected_rules(app)) >= 8


def test_every_other_endpoint_refuses_an_anonymous_request(app, client, facilitator, make_workshop):
    make_workshop()  # workshop 1 exists, so a refusal is not just a 404
    checked = []
    for rule in _protected_rules(app):
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in (302, 401), f"{method} {url} answered {response.status_code}"
            if response.status_code == 302:
                assert "/facilitator/login" in response.headers["Location"], f"{method} {url}"
            checked.append((method, url))
    assert checked


def test_the_api_refuses_a_device_that_has_not_joined(app, client, make_workshop):
    # The API is not behind the login wall (participants use it) but behind the device
    # cookie: a stranger who knows the code gets a 403 and learns nothing.
    code = make_workshop()["code"]
    checked = []
    for rule in _api_rules(app):
        url = _sample_url(rule, code)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, headers={"X-Requested-With": "kuulluksi"}, json={})
            assert response.status_code == 403, f"{method} {url} answered {response.status_code}"
            assert response.get_json()["ok"] is False
            checked.append((method, url))
    assert len(checked) >= 15


@pytest.mark.parametrize("path", ["/facilitator/", "/facilitator/workshops/1", "/facilitator/workshops/1/qr.svg"])
def test_the_login_page_brings_you_back(client, facilitator, make_workshop, path):
    make_workshop()
    response = client.get(path)
    assert response.status_code == 302
    login = client.post(response.headers["Location"], data={"username": "anna", "password": facilitator.password})
    assert login.status_code == 303
    assert login.headers["Location"] == path


@pytest.mark.parametrize("method, path, body", [
    ("patch", "", {"phase": "collection"}),
    ("post", "/boards", {"title": "Uusi"}),
    ("post", "/themes", {"name": "Teema"}),
    ("post", "/surveys", {"kind": "text", "title": "Mitä?"}),
    ("get", "/dashboard", None),
])
def test_an_outreach_workers_login_is_not_staff_in_a_workshop(app, client, make_workshop, method, path, body):
    from workshop.accounts import create_account
    from workshop.models import Role

    from .conftest import API_HEADERS

    with app.app_context():
        create_account("ville", "correct horse battery", role=Role.WORKER)
    client.post("/facilitator/login", data={"username": "ville", "password": "correct horse battery"})
    assert client.get("/street/").status_code == 200  # logged in, as an outreach worker
    code = make_workshop()["code"]
    kwargs = {"headers": API_HEADERS} | ({"json": body} if body is not None else {})
    answer = getattr(client, method)(f"/api/w/{code}{path}", **kwargs)
    assert answer.status_code == 403  # not a participant of this workshop either, and never staff
