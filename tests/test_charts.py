"""The summaries' SVG bar charts: well-formed, named for screen readers, numbers as text,
patterns for print, nothing from outside."""
from __future__ import annotations

import pytest
from defusedxml import ElementTree
from flask_babel import force_locale

from workshop.charts import bar_chart


@pytest.fixture(autouse=True)
def _english(app_context):
    with force_locale("en"):
        yield


def parse(svg) -> ElementTree:
    """The chart as XML (defusedxml refuses entities and external references)."""
    return ElementTree.fromstring(str(svg))


def texts(root) -> list[str]:
    return [element.text for element in root.iter("text")]


def test_a_simple_chart_names_itself_and_writes_every_number():
    svg = bar_chart("By nature", [("Positive", 3), ("Negative", 12), ("Other", 0)], chart_id="chart-nature",
                    description="The same numbers are in the table.")
    root = parse(svg)
    assert root.tag == "svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-nature-title chart-nature-desc"
    assert root.find("title").get("id") == "chart-nature-title" and root.find("title").text == "By nature"
    assert root.find("desc").text == "The same numbers are in the table."
    assert texts(root) == ["Positive", "3", "Negative", "12", "Other", "0"]
    bars = [rect for rect in root.iter("rect") if rect.get("stroke")]
    # The largest fills the room; a zero draws no bar but still says 0.
    assert len(bars) == 2 and float(bars[1].get("width")) > float(bars[0].get("width")) * 3.9


def test_a_grouped_chart_has_a_legend_and_a_pattern_per_series():
    svg = bar_chart("By category", [("Social problems", [2, 2]), ("Client work", [0, 1])], chart_id="chart-cat",
                    series=["Professionals' reports", "Street notes"])
    root = parse(svg)
    assert texts(root)[:2] == ["Professionals' reports", "Street notes"]
    assert texts(root)[2:] == ["Social problems", "2", "2", "Client work", "0", "1"]
    patterns = [pattern.get("id") for pattern in root.iter("pattern")]
    assert patterns == ["chart-cat-hatch"]
    fills = {rect.get("fill") for rect in root.iter("rect") if rect.get("stroke")}
    assert fills == {"#1d3557", "url(#chart-cat-hatch)"}  # solid and hatched, both outlined in black


def test_text_is_escaped_and_nothing_is_loaded_or_run():
    svg = str(bar_chart('<script>alert("x")</script> & "Ahdistus"', [("<img src=http://evil.example/x>", 1)],
                        chart_id="chart-x"))
    root = parse(svg)
    assert root.find("title").text == '<script>alert("x")</script> & "Ahdistus"'
    assert "<script" not in svg and "<img" not in svg
    assert "http" not in svg.replace("http://evil.example/x", "")
    assert not any(element.get("href") or element.get("{http://www.w3.org/1999/xlink}href") for element in root.iter())
    assert "style=" not in svg  # the pages' Content-Security-Policy allows no style attributes


def test_long_labels_wrap_onto_lines():
    long = "10. Physical, cognitive, mental or social functional capacity and something more to say about it"
    root = parse(bar_chart("Needs", [(long, 4)], chart_id="chart-needs"))
    lines = texts(root)[:-1]
    assert len(lines) == 2 and " ".join(lines) == long


def test_an_empty_chart_says_so():
    root = parse(bar_chart("Joys", [], chart_id="chart-joys"))
    assert texts(root) == ["Nothing to show."]


def test_two_charts_never_share_an_id():
    first = parse(bar_chart("A", [("x", [1, 2, 3, 4])], chart_id="chart-a", series=["1", "2", "3", "4"]))
    second = parse(bar_chart("B", [("x", [1, 2, 3, 4])], chart_id="chart-b", series=["1", "2", "3", "4"]))
    ids = [element.get("id") for root in (first, second) for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids)) == 10  # title, desc and three patterns each


@pytest.mark.parametrize("chart_id", ["", "1chart", "chart one", 'x" onload="y'])
def test_a_bad_chart_id_is_refused(chart_id):
    with pytest.raises(ValueError):
        bar_chart("A", [("x", 1)], chart_id=chart_id)


def test_each_row_needs_a_value_per_series():
    with pytest.raises(ValueError):
        bar_chart("A", [("x", [1])], chart_id="chart-a", series=["one", "two"])
