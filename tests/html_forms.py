"""Reading a page's forms as a browser would send them: their fields' own names and values."""
from __future__ import annotations

from html.parser import HTMLParser


class Forms(HTMLParser):
    """The POST forms of a page: each its action and the names and values of its inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self.forms.append({"action": attrs.get("action"), "fields": {}})
        elif tag in ("input", "textarea", "select") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")


def post_forms(html: str) -> list[dict]:
    """Every POST form of `html`: [{"action": ..., "fields": {name: value}}] in page order."""
    parser = Forms()
    parser.feed(html)
    return parser.forms
