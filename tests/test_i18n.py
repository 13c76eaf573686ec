"""Three languages with the same messages, all translated, and no text outside the catalogs."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "workshop" / "translations"
LANGUAGES = ["fi", "sv", "en"]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _catalog(lang):
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _ids(catalog):
    # A plural message's id is (singular, plural); the code is searched by its singular.
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


def _extracted_ids() -> set:
    ids = set()
    method_map = [("workshop/**.py", "python"), ("templates/**.html", "jinja2")]
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS, options_map={"templates/**.html": {}}
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_the_three_catalogs_have_the_same_message_ids():
    fi, sv, en = (_ids(_catalog(lang)) for lang in LANGUAGES)
    assert fi == sv == en
    assert len(fi) > 50


def test_the_catalogs_hold_every_message_in_the_code():
    # A string added in the code but not to the catalogs would show in English to a Finn.
    missing = _extracted_ids() - _ids(_catalog("fi"))
    assert not missing, f"run `make extract-messages` and translate: {sorted(missing)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(lang):
    catalog = _catalog(lang)
    assert not catalog.fuzzy
    for message in catalog:
        if not message.id:
            continue
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(forms), f"{lang}: untranslated {message.id!r}"
        assert "fuzzy" not in message.flags, f"{lang}: fuzzy {message.id!r}"
        placeholders = lambda text: sorted(set(re.findall(r"%\(\w+\)[sd]", text)))  # noqa: E731
        wanted = placeholders(message.id if isinstance(message.id, str) else " ".join(message.id))
        for form in forms:
            assert placeholders(form) == wanted, f"{lang}: {message.id!r}"


#: Words that stay as they are in every language: the product's name, the languages' own
#: names, and a shell command shown to be typed.
UNTRANSLATED = {"Kuulluksi", "flask --app workshop facilitator create NAME"}


@pytest.mark.parametrize("template", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: p.name)
def test_templates_show_no_text_that_is_not_from_the_catalogs(template):
    source = template.read_text(encoding="utf-8")
    # Blocks that only fill in CSS class names are not shown to anyone.
    source = re.sub(r"{%-? block \w*class -?%}.*?{%-? endblock -?%}", " ", source, flags=re.S)
    text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", source, flags=re.S)
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    for word in UNTRANSLATED:
        text = text.replace(word, " ")
    text = re.sub(r"&\w+;|[·:\-–—…|/()]", " ", text)
    leftover = [token for token in text.split() if re.search(r"[^\W\d_]", token)]
    assert not leftover, f"hard-coded text in {template.name}: {leftover}"


def test_attribute_text_in_templates_is_translated_too():
    for template in (ROOT / "templates").rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        for attribute in re.findall(r'(?:alt|aria-label|title|placeholder)="([^"{]+)"', source):
            pytest.fail(f"hard-coded {attribute!r} in {template.name}")


def test_finnish_is_the_default(client):
    page = client.get("/", headers={"Accept-Language": "sv-SE,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="fi">' in page and "Liity työpajaan" in page
