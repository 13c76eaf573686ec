"""Hostile text for every field a report shows: each must come out as harmless text.

Used by the report's tests (draft, comments, captions, exports). A payload is harmless
when the rendered page has no element, attribute or URL that runs script: the checks are
`assert_harmless` below, on the HTML a user would load.
"""
from __future__ import annotations

from html.parser import HTMLParser

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x\" onerror=\"alert(1)](picture:1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "{{ 7*7 }} {% raw %}",
    "<<script>script>alert(1)<</script>/script>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "![remote](http://tracker.example/pixel.png)",
]

#: Elements that run script, load another document or change where the page's links go.
DANGEROUS_TAGS = {"script", "iframe", "frame", "object", "embed", "svg", "math", "style", "form", "meta", "base",
                  "details", "link", "applet", "template", "audio", "video", "source"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcset", "poster", "xlink:href", "background"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_harmless(html: str, trusted: tuple[str, ...] = ()) -> None:
    """Fail if `html` (minus the `trusted` parts the page itself adds, such as its own
    scripts) has an element that could run script, an event handler, a script URL, or a
    picture loaded from outside. The HTML is parsed as a browser would (entities decoded),
    so escaped text that merely *shows* a payload passes."""
    for part in trusted:
        html = html.replace(part, "")
    parser = _Elements()
    parser.feed(str(html))
    parser.close()
    for tag, attrs in parser.found:
        assert tag not in DANGEROUS_TAGS, f"<{tag}> in the page: {attrs}"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name}={value!r} on <{tag}>"
            if name in _URL_ATTRIBUTES and value:
                url = "".join(value.split()).lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:text", "data:application")), \
                    f"script URL {value!r} in <{tag} {name}>"
                if tag == "img":
                    assert not url.startswith(("http:", "https:", "//")), f"remote picture {value!r}"


def assert_not_injected(page: str) -> None:
    """Fail if any payload with markup appears in a whole page as markup (unescaped).

    For whole pages, whose own chrome has forms and scripts `assert_harmless` would
    rightly flag; the user's text must only ever be there escaped."""
    for payload in PAYLOADS:
        if "<" in payload:
            assert payload not in page, f"unescaped payload {payload!r} in the page"
