"""The login wall: every endpoint not on the public list refuses an anonymous request."""
import re

import pytest

#: Endpoints anyone may open without logging in. Adding one here is a decision: say why.
PUBLIC_ENDPOINTS = {
    "static",                    # stylesheets, fonts, scripts
    "participant.front",         # the front page where a code is typed
    "participant.join_typed",    # the typed code is posted here
    "participant.join_link",     # the QR code's target
    "language.switch",           # the language buttons on every page
    "auth.login",
    "auth.setup",                # first run only: 404 once an account exists
}


def _sample_url(rule) -> str:
    """Fill a URL rule's variables with plausible values."""
    def value(match):
        converter = match.group(1) or ""
        return "1" if "int" in converter else "ABCDEF"
    return re.sub(r"<(?:(\w+):)?\w+>", value, rule.rule)


def _protected_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


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


@pytest.mark.parametrize("path", ["/facilitator/", "/facilitator/workshops/1", "/facilitator/workshops/1/qr.svg"])
def test_the_login_page_brings_you_back(client, facilitator, make_workshop, path):
    make_workshop()
    response = client.get(path)
    assert response.status_code == 302
    login = client.post(response.headers["Location"], data={"username": "anna", "password": facilitator.password})
    assert login.status_code == 303
    assert login.headers["Location"] == path
