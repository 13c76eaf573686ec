"""The privacy notice (issue 9): public, in the chosen language, true to this installation's
settings, well-formed for screen readers, and linked from where people decide to take part."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from workshop.privacy.views import notice_facts

#: A sentence of the notice already in the catalogs, as each language shows it.
NO_NAME_ASKED = {"fi": "Emme kysy nimeäsi.", "sv": "Vi frågar inte efter ditt namn.", "en": "We do not ask your name."}


class Outline(HTMLParser):
    """What a screen reader relies on: the page's language, its headings and its links."""

    def __init__(self, html: str):
        super().__init__()
        self.lang: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.links: list[tuple[str, str]] = []
        self.ids: list[str] = []
        self._open: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "html":
            self.lang = attributes.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self._open = [tag, ""]
        elif tag == "a":
            self._open = [tag, "", attributes.get("href", "")]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if self._open is None or tag != self._open[0]:
            return
        if tag == "a":
            self.links.append((self._open[2], " ".join(self._open[1].split())))
        else:
            self.headings.append((int(tag[1]), " ".join(self._open[1].split())))
        self._open = None


def read_notice(client, lang: str = "en") -> str:
    """The notice as a browser that chose `lang` on the language switch sees it."""
    with client.session_transaction() as session:
        session["lang"] = lang
    response = client.get("/privacy")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_anyone_reads_the_notice_in_their_language_without_logging_in(client, lang):
    response = client.get("/privacy")  # first without a chosen language: Finnish
    assert response.status_code == 200 and '<html lang="fi">' in response.get_data(as_text=True)
    page = read_notice(client, lang)
    assert f'<html lang="{lang}">' in page
    assert NO_NAME_ASKED[lang] in page


def test_reading_the_notice_gives_the_phone_no_device_code(app, client):
    client.get("/privacy")
    assert client.get_cookie(app.config["DEVICE_COOKIE_NAME"]) is None


def test_the_notice_has_one_title_and_every_heading_asks_a_question(client):
    outline = Outline(read_notice(client))
    assert outline.lang == "en"
    levels = [level for level, _ in outline.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:])), outline.headings
    questions = [text for level, text in outline.headings if level == 2]
    assert len(questions) >= 8 and all(text.endswith("?") for text in questions), questions
    assert len(outline.ids) == len(set(outline.ids)), "an id is used twice"


@pytest.mark.parametrize("days, expected", [
    (None, "Notes, drawings, photos, dots and answers are kept until the facilitator deletes the workshop."),
    (1, "Notes, drawings, photos, dots and answers are deleted 1 day after the workshop ends."),
    (30, "Notes, drawings, photos, dots and answers are deleted 30 days after the workshop ends."),
])
def test_the_notice_says_how_long_contributions_are_kept(app_factory, days, expected):
    page = read_notice(app_factory(RETENTION_DAYS=days).test_client())
    assert expected in page
    assert "The published report stays public." in page
    assert "If the facilitator deletes the whole workshop, its report is deleted too." in page
    other = "after the workshop ends" if days is None else "until the facilitator deletes the workshop"
    assert other not in page


def test_the_notice_says_how_long_the_device_code_lasts(app, client):
    days = app.config["DEVICE_COOKIE_MAX_AGE"] // (24 * 3600)
    assert f"The code disappears from your phone after {days} days." in read_notice(client)


def test_a_cookie_lasting_part_of_a_day_longer_is_counted_as_a_whole_day():
    assert notice_facts({"DEVICE_COOKIE_MAX_AGE": 30 * 24 * 3600}).device_cookie_days == 30
    assert notice_facts({"DEVICE_COOKIE_MAX_AGE": 30 * 24 * 3600 + 3600}).device_cookie_days == 31


@pytest.mark.parametrize("contact, shown", [
    ("tietosuoja@alue.fi", '<a href="mailto:tietosuoja@alue.fi">tietosuoja@alue.fi</a>'),
    ("https://hyvinvointialue.fi/tietosuoja", '<a href="https://hyvinvointialue.fi/tietosuoja">'),
    ("Tietosuojavastaava, puh. 040 123 4567", "<strong>Tietosuojavastaava, puh. 040 123 4567</strong>"),
    ("<script>alert(1)</script>", "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>"),
])
def test_the_notice_names_the_privacy_contact_when_one_is_set(app_factory, contact, shown):
    page = read_notice(app_factory(PRIVACY_CONTACT=contact).test_client())
    assert "Questions about your data:" in page and shown in page
    assert "You can also ask the facilitator or the staff of the centre." in page


def test_without_a_privacy_contact_the_notice_sends_people_to_the_facilitator(client):
    page = read_notice(client)
    assert "Ask the facilitator or the staff of the centre." in page
    assert "Questions about your data:" not in page


def links_to_the_notice(client, url: str) -> list[str]:
    """The texts of the links to the notice on the page at `url`, read in English."""
    with client.session_transaction() as session:
        session["lang"] = "en"
    response = client.get(url)
    assert response.status_code == 200
    return [text for href, text in Outline(response.get_data(as_text=True)).links if href == "/privacy"]


def test_the_front_page_links_to_the_notice(client):
    assert links_to_the_notice(client, "/") == ["How we handle your data"]


def test_the_page_a_phone_joins_on_links_to_the_notice(client, workshop):
    assert links_to_the_notice(client, f"/j/{workshop['code']}") == ["How we handle your data"]


def test_the_observation_form_links_to_the_notice(client, organisation):
    assert links_to_the_notice(client, f"/observe/{organisation.form_key}") == ["How we handle your data"]
