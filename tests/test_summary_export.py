"""The summary's downloads: the CSV's counts, the self-contained HTML file and the PDF.

The data set is test_summaries' (see its docstring for every row and the counts by hand).
"""
from __future__ import annotations

import csv
import io
import subprocess
from html.parser import HTMLParser

import pytest
from defusedxml import ElementTree

from workshop import summary_export

from .test_summaries import seed

H1_QUERY = "from=2025-01-01&to=2025-06-30"


@pytest.fixture
def working_group(client, organisation):
    """The client logged in as the working group's wilma, speaking English, with the data set."""
    with client.application.app_context():
        ids = seed(organisation)
    with client.session_transaction() as session:
        session["lang"] = "en"
    organisation.accounts["wilma"].login(client)
    client.ids = ids
    return client


def read_csv(response) -> list[dict]:
    data = response.get_data()
    assert data.startswith("\ufeff".encode()), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def count(rows, section, key, column) -> int:
    found = [row for row in rows if (row["section"], row["key"], row["column"]) == (section, key, column)]
    assert len(found) == 1, (section, key, column)
    return int(found[0]["count"])


def test_csv_has_every_count_with_the_period_and_scope(working_group):
    response = working_group.get(f"/summary/summary.csv?{H1_QUERY}&scope=region")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="summary-2025-01-01-2025-06-30-region.csv"'
    assert "no-store" in response.headers["Cache-Control"]
    rows = read_csv(response)
    assert list(rows[0]) == list(summary_export.CSV_HEADER)
    assert {(row["period_from"], row["period_to"], row["scope"]) for row in rows} == {
        ("2025-01-01", "2025-06-30", "region")}
    ids = working_group.ids
    assert count(rows, "sources", "reports", "reports") == 8
    assert count(rows, "sources", "street_notes", "street_notes") == 4
    assert count(rows, "sources", "workshops", "workshops") == 2
    assert count(rows, "nature", "negative", "reports") == 4
    assert count(rows, "nature", "negative", "street_notes") == 2
    assert count(rows, "nature", "negative", "total") == 6
    assert count(rows, "category", "social_problems", "total") == 4
    assert count(rows, "area", f"area:{ids.areas['Pori']}", "reports") == 5
    assert count(rows, "area", "name:Keskusta", "street_notes") == 1
    assert count(rows, "service", f"service:{ids.services['SP']}", "positive") == 2
    assert count(rows, "sector", f"sector:{ids.sectors['F']}", "negative") == 3
    assert count(rows, "unit", f"unit:{ids.units['L']}", "total") == 2
    assert count(rows, "support_need", "housing", "negative") == 2
    assert count(rows, "support_need", "untagged", "total") == 2
    assert count(rows, "joys", f"theme:{ids.themes['T2']}", "total") == 3
    assert count(rows, "concerns", f"theme:{ids.themes['T1']}", "street_notes") == 2
    assert count(rows, "weak_signals", f"theme:{ids.themes['T1']}", "2025-Q1") == 3
    assert count(rows, "weak_signals", f"theme:{ids.themes['T3']}", "2024-Q2") == 0
    assert count(rows, "workshop_themes", f"workshop:{ids.workshop_id}:theme:{ids.workshop_themes['Kahvi']}",
                 "workshops") == 2
    labels = {(row["section"], row["key"]): row["label"] for row in rows}
    assert labels[("nature", "negative")] == "Negative"
    assert labels[("area", f"area:{ids.areas['Pori']}")] == "Pori"
    assert labels[("joys", f"theme:{ids.themes['T2']}")] == "Yhteistyö toimii"


def test_csv_of_a_unit_scope_and_typed_text_that_looks_like_a_formula(working_group):
    from workshop.extensions import db
    from workshop.models import SummaryTheme

    with working_group.application.app_context():
        theme = db.session.get(SummaryTheme, working_group.ids.themes["T5"])
        theme.name = "=HYPERLINK(\"http://evil.example\")"
        db.session.commit()
    unit = working_group.ids.units["L"]
    response = working_group.get(f"/summary/summary.csv?{H1_QUERY}&scope=unit:{unit}")
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="summary-2025-01-01-2025-06-30-unit-lastensuojelu-perhe-ja-sosiaalipalvelut.csv"'
    rows = read_csv(response)
    assert {row["scope"] for row in rows} == {f"unit:{unit}"}
    assert count(rows, "sources", "reports", "reports") == 2
    assert not [row for row in rows if row["column"] == "street_notes"]  # not in a unit's scope
    assert count(rows, "nature", "positive", "reports") == 1
    formula = [row["label"] for row in rows if row["key"] == f"theme:{working_group.ids.themes['T5']}"]
    assert formula and all(label.startswith("'=") for label in formula)


class Document(HTMLParser):
    """What the checks need of an HTML document: tags, references, headings, text."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []
        self.headings: list[int] = []
        self.lang = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        for name in ("src", "href", "xlink:href", "data", "action"):
            if attributes.get(name):
                self.references.append(attributes[name])
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))

    def handle_data(self, data):
        self.text.append(data)


def test_html_file_is_self_contained_with_tables_and_charts(working_group):
    response = working_group.get(f"/summary/summary.html?{H1_QUERY}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="summary-2025-01-01-2025-06-30-region.html"'
    html = response.get_data(as_text=True)
    document = Document()
    document.feed(html)
    assert document.lang == "en"
    assert "link" not in document.tags and "script" not in document.tags and "img" not in document.tags
    assert document.references == []  # nothing to fetch: no src, no href
    assert "http" not in html  # not even in the style sheet: fonts are data: URIs
    assert "@font-face" in html and "data:font/woff2;base64," in html and "@media print" in html
    assert document.headings[0] == 1
    assert all(following - previous <= 1 for previous, following in zip(document.headings, document.headings[1:]))
    assert document.tags.count("table") >= 10 and document.tags.count("caption") == document.tags.count("table")
    assert document.tags.count("svg") >= 10
    for svg in html.split("<svg")[1:]:
        ElementTree.fromstring("<svg" + svg.split("</svg>")[0] + "</svg>")  # each chart is well-formed XML
    text = " ".join(document.text)
    assert "Summary of social reporting" in text and "The whole region" in text
    assert "Johtopäätös: Asunnottomuus" in text and "Päiväkeskus Kalliola" in text
    # No report's number: it is the reporter's key to their tracking page.
    assert "TEST-" not in html


def test_pdf_has_the_numbers(working_group, tmp_path):
    response = working_group.get(f"/summary/summary.pdf?{H1_QUERY}")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="summary-2025-01-01-2025-06-30-region.pdf"'
    data = response.get_data()
    assert data.startswith(b"%PDF")
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Summary of social reporting" in text
    assert "Asunnottomuus" in text and "Yhteistyö toimii" in text and "Q2 2025" in text
    # The nature table's negative row: 4 reports, 2 street notes, 6 in all.
    assert any(line.split()[:1] == ["Negative"] and line.split()[-3:] == ["4", "2", "6"]
               for line in text.splitlines())
    # The sources table: 8 reports, 4 street notes, 2 workshop themes.
    lines = [line.split() for line in text.splitlines()]
    assert ["Professionals'", "reports", "8", "reports"] in lines
    assert ["Street", "notes", "4", "notes"] in lines and ["Workshops", "2", "themes"] in lines
