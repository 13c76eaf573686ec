"""The facilitator's "Run the workshop" page (issue 4): who may open it and what it is made of.

What the page does runs in the browser (static/js/run.js against the JSON API); here the
shell is checked: staff only, in every language, every section with its heading, headings
in order, every control labelled, and every string the script asks for handed to it.
"""
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from workshop.client_strings import SCRIPT_STRINGS

ROOT = Path(__file__).resolve().parent.parent
SECTION_HEADINGS = ["Phase", "Show on the projector", "Gatherings", "Topic of the report",
                    "How would you like to take part?", "Surveys", "Themes and development ideas",
                    "Feedback on the phases", "Dashboard"]


class PageStructure(HTMLParser):
    """The headings, sections, labels and form controls of a page, outside <template>s
    (a template's content is not on the page until the script copies it)."""

    def __init__(self):
        super().__init__()
        self.in_template = 0
        self.headings: list[tuple[int, str]] = []
        self.heading: list | None = None
        self.sections = 0
        self.label_for: set[str] = set()
        self.controls: list[dict] = []
        self.current_steps: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        if re.fullmatch(r"h[1-6]", tag):
            self.heading = [int(tag[1]), ""]
        elif tag == "section":
            self.sections += 1
        elif tag == "label" and "for" in attributes:
            self.label_for.add(attributes["for"])
        elif tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append(attributes)
        if attributes.get("aria-current") == "step":
            self.current_steps.append(attributes.get("data-phase"))

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template -= 1
        elif self.heading and tag == f"h{self.heading[0]}":
            self.headings.append((self.heading[0], self.heading[1].strip()))
            self.heading = None

    def handle_data(self, data):
        if self.heading is not None and not self.in_template:
            self.heading[1] += data


def structure(page: str) -> PageStructure:
    parser = PageStructure()
    parser.feed(page)
    return parser


def switch_language(client, lang: str) -> None:
    assert client.post("/language", data={"lang": lang, "next": "/facilitator/"}).status_code == 303


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_page_renders_for_staff_in_every_language(logged_in, make_workshop, lang):
    workshop = make_workshop(title="Päiväkeskus Kalliola")
    switch_language(logged_in, lang)
    response = logged_in.get(f"/facilitator/workshops/{workshop['id']}/run")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert "Päiväkeskus Kalliola" in page
    assert f'data-code="{workshop["code"]}"' in page
    assert workshop["code"][:3] + " " + workshop["code"][3:] in page  # the code as the room reads it
    parsed = structure(page)
    assert parsed.sections == len(SECTION_HEADINGS)
    assert parsed.current_steps == ["mapping"]  # a new workshop starts with the initial mapping
    # The script's strings are there, as JSON, for every key the script uses.
    block = re.search(r'<script type="application/json" id="strings">(.*?)</script>', page, re.S).group(1)
    assert set(json.loads(block)) == set(SCRIPT_STRINGS)
    assert "js/run.js" in page and "css/run.css" in page
    assert "//" not in re.sub(r"https?://localhost", "", " ".join(re.findall(r'(?:src|href)="([^"]+)"', page)))


def test_the_sections_have_their_headings_in_order(logged_in, make_workshop):
    workshop = make_workshop()
    switch_language(logged_in, "en")
    page = logged_in.get(f"/facilitator/workshops/{workshop['id']}/run").get_data(as_text=True)
    parsed = structure(page)
    level_two = [text for level, text in parsed.headings if level == 2]
    for heading in SECTION_HEADINGS:
        assert heading in level_two
    assert [level for level, _text in parsed.headings][0] == 1
    for (before, _b), (after, _a) in zip(parsed.headings, parsed.headings[1:]):
        assert after <= before + 1, f"a heading level skipped: {parsed.headings}"


def test_every_control_on_the_page_has_a_label(logged_in, make_workshop):
    workshop = make_workshop()
    page = logged_in.get(f"/facilitator/workshops/{workshop['id']}/run").get_data(as_text=True)
    parsed = structure(page)
    assert parsed.controls, "the page has its forms"
    for control in parsed.controls:
        assert control.get("id") in parsed.label_for, f"no label for {control}"


def test_the_workshop_page_links_to_it(logged_in, make_workshop):
    workshop = make_workshop()
    page = logged_in.get(f"/facilitator/workshops/{workshop['id']}").get_data(as_text=True)
    assert f'href="/facilitator/workshops/{workshop["id"]}/run"' in page


def test_the_presenter_wall_opens_in_a_new_window(logged_in, make_workshop):
    workshop = make_workshop()
    page = logged_in.get(f"/facilitator/workshops/{workshop['id']}/run").get_data(as_text=True)
    assert re.search(rf'href="/facilitator/workshops/{workshop["id"]}/wall\?present=1" target="_blank"', page)


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(client, make_workshop):
    workshop = make_workshop()
    response = client.get(f"/facilitator/workshops/{workshop['id']}/run")
    assert response.status_code == 302
    assert "/facilitator/login" in response.headers["Location"]


def test_an_unknown_workshop_is_a_404(logged_in):
    assert logged_in.get("/facilitator/workshops/999/run").status_code == 404


def test_every_string_the_script_shows_is_handed_to_it():
    source = (ROOT / "static" / "js" / "run.js").read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', source))
    assert used, "the script shows text"
    missing = used - set(SCRIPT_STRINGS)
    assert not missing, f"add to SCRIPT_STRINGS in workshop/client_strings.py: {sorted(missing)}"
