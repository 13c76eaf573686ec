"""docs/openapi.yaml against the app: the document stays true, and Schemathesis finds no
answer that breaks it.

Schemathesis 4 runs in-process on the Flask app (WSGI, no server): for each operation it
generates requests from the document, sends them with a joined phone's device cookie (or
the facilitator's login for staff operations) and checks that no answer is a server
error, and that each status code, content type and body is one the document declares.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import schemathesis
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from .conftest import API_HEADERS
from .test_properties import PROFILE

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml"
SCHEMA = schemathesis.openapi.from_path(DOCUMENT)
# Fuzzing (valid and invalid data) and the document's examples; the coverage phase's
# exhaustive boundary cases took minutes for ~60 operations, past this module's budget.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _shape(path: str) -> str:
    """A path with its parameters' names left out: Flask's `<int:item_id>` and OpenAPI's
    `{item}` are the same place."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_every_api_address_is_documented_and_every_documented_one_exists(app):
    served = {(method.lower(), _shape(rule.rule)) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    with open(DOCUMENT, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    documented = {(method, _shape(path)) for path, item in document["paths"].items() for method in item
                  if method in HTTP_METHODS}
    assert served - documented == set(), "served but not in docs/openapi.yaml"
    assert documented - served == set(), "in docs/openapi.yaml but not served"


@pytest.fixture
def callers(app, workshop, facilitator, phone) -> dict:
    """The cookies of a phone that joined the workshop and of a logged-in facilitator."""
    alice = phone()
    staff = app.test_client()
    assert facilitator.login(staff).status_code == 303
    return {"device": {"kuulluksi_device": alice.client.get_cookie("kuulluksi_device").value},
            "staff": {"kuulluksi_session": staff.get_cookie("kuulluksi_session").value}}


#: One test per documented operation, with its own id: Schemathesis' own `parametrize` gives
#: every operation the same node id, and pytest-xdist (make test) would run only one of them.
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.label for operation in OPERATIONS])
def test_the_api_answers_as_documented(operation, app, workshop, callers):
    staff_only = operation.definition.raw.get("security") == [{"staff": []}]
    cookies = callers["staff" if staff_only else "device"]
    strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    strategies += operation.get_strategies_from_examples()

    @settings(PROFILE, max_examples=max(PROFILE.max_examples // 2, 1))
    @given(case=st.one_of(strategies))
    def answers_as_documented(case):
        if "code" in (case.path_parameters or {}):
            case.path_parameters["code"] = workshop["code"]  # a made-up code is only ever a 404
        case.call_and_validate(app=app, headers=dict(API_HEADERS), cookies=cookies, checks=CHECKS)

    answers_as_documented()
