"""The account and workshop rules, called directly (no request, no server)."""
import pytest
from sqlalchemy import select

from workshop.accounts import any_account_exists, authenticate, create_account
from workshop.extensions import db
from workshop.models import Participant, Workshop
from workshop.problems import Problem
from workshop.workshops import (close_workshop, create_workshop, find_by_code, join, list_workshops,
                                rename_workshop, reopen_workshop)


def test_accounts_are_created_and_checked(app_context):
    assert not any_account_exists()
    account = create_account("  Anna ", "correct horse battery")
    assert any_account_exists()
    assert account.username == "Anna"
    assert account.password_hash != "correct horse battery"
    assert authenticate("anna", "correct horse battery") == account  # names are case-insensitive
    assert authenticate("anna", "wrong password!") is None
    assert authenticate("nobody", "correct horse battery") is None


@pytest.mark.parametrize(
    "username, password, field",
    [("", "correct horse battery", "username"), ("x" * 65, "correct horse battery", "username"),
     ("anna", "short", "password")],
)
def test_bad_accounts_are_refused(app_context, username, password, field):
    with pytest.raises(Problem) as caught:
        create_account(username, password)
    assert caught.value.field == field


def test_an_account_name_is_taken_once(app_context):
    create_account("Anna", "correct horse battery")
    with pytest.raises(Problem) as caught:
        create_account("ANNA", "another long password")
    assert caught.value.field == "username"


def test_a_deactivated_account_cannot_log_in(app_context):
    account = create_account("anna", "correct horse battery")
    account.active = False
    db.session.commit()
    assert authenticate("anna", "correct horse battery") is None


def test_workshops_are_created_with_a_unique_code(app_context):
    first = create_workshop("  Päiväkeskus   Kalliola ", "Kallio")
    second = create_workshop("Katutyö", "", "sv")
    assert first.title == "Päiväkeskus Kalliola"  # extra spaces tidied
    assert first.join_code != second.join_code
    assert first.is_open and first.phase.value == "mapping"
    assert find_by_code(first.join_code.lower()) == first
    assert find_by_code(first.join_code[:3] + " " + first.join_code[3:]) == first


@pytest.mark.parametrize(
    "title, place, language, field",
    [("", "", "fi", "title"), ("   ", "", "fi", "title"), ("x" * 201, "", "fi", "title"),
     ("Ok", "x" * 201, "fi", "place"), ("Ok", "", "de", "language")],
)
def test_bad_workshops_are_refused_and_nothing_is_stored(app_context, title, place, language, field):
    with pytest.raises(Problem) as caught:
        create_workshop(title, place, language)
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalars(select(Workshop)).all() == []


def test_rename_close_and_reopen(app_context):
    workshop = create_workshop("Vanha nimi")
    rename_workshop(workshop, "Uusi nimi")
    with pytest.raises(Problem):
        rename_workshop(workshop, " ")
    db.session.rollback()
    assert db.session.get(Workshop, workshop.id).title == "Uusi nimi"
    close_workshop(workshop)
    assert not workshop.is_open and workshop.closed_at is not None
    assert list_workshops()[-1] == workshop  # closed ones last
    reopen_workshop(workshop)
    assert workshop.is_open


def test_joining_twice_from_one_device_is_one_participant(app_context):
    workshop = create_workshop("Työpaja")
    participant, token = join(workshop, None)
    again, same_token = join(workshop, token)
    other, other_token = join(workshop, None)
    assert again.id == participant.id and same_token == token
    assert other.id != participant.id and other_token != token
    stored = db.session.scalars(select(Participant)).all()
    assert len(stored) == 2
    assert all(token not in p.token_hash for p in stored)  # only a hash is kept


def test_a_closed_workshop_cannot_be_joined(app_context):
    workshop = create_workshop("Työpaja")
    close_workshop(workshop)
    with pytest.raises(Problem) as caught:
        join(workshop, None)
    assert caught.value.status == 410
    assert db.session.scalars(select(Participant)).all() == []


def test_unknown_and_malformed_codes_find_nothing(app_context):
    workshop = create_workshop("Työpaja")
    unknown = "ACEFHJ" if workshop.join_code != "ACEFHJ" else "ACEFHK"
    assert find_by_code(unknown) is None
    assert find_by_code("") is None
    assert find_by_code("'; DROP TABLE workshop; --") is None
