"""The report's exported files: the self-contained HTML, the tagged PDF and the zipped Markdown.

Each format is checked for what a reader gets (the words, the pictures, the headings, the
language) and for what must never be in it: hidden notes and pictures, the join code, an
account's name, a participant's token, anything that loads from outside, anything that runs.
"""
from __future__ import annotations

import io
import re
import subprocess
import uuid
import zipfile
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from workshop import report, report_export, wall
from workshop.contributions import submit
from workshop.extensions import db
from workshop.models import Participant, ReportSection, SectionKind

from .conftest import make_picture
from .xss_corpus import PAYLOADS, assert_harmless

KEPT_NOTE = "Aamupuuro loppuu kesken"
HIDDEN_NOTE = "Salainen huomautus jonka ohjaaja piilotti"
KEPT_CAPTION = "Penkki puistossa"
HIDDEN_CAPTION = "Piilotettu piirros"
TOPIC = "Päiväkeskuksen aamut"


@dataclass
class Seeded:
    """A workshop with a report draft: a kept note and drawing, a hidden note and drawing."""

    room: object
    report: object
    drawing: object
    hidden_drawing: object
    secrets: list[str]  # what must never appear in anything published


def drawing(room, actor, caption: str, colour=(30, 60, 200)):
    """Submit a drawing (a real PNG) with `caption`, as `actor`."""
    data = {"uuid": str(uuid.uuid4()), "kind": "drawing", "text": caption, "board_id": room.boards[0].id}
    return submit(room.workshop, actor, data, image=make_picture("PNG", (300, 500), colour)).item


def seed_report(room, notes: tuple[str, ...] = (), captions: tuple[str, ...] = ()) -> Seeded:
    """Seed `room` with notes and drawings in one theme, hide some, and create the draft."""
    alice, bob = room.participant(), room.participant()
    kept = room.note(alice, KEPT_NOTE).item
    hidden = room.note(bob, HIDDEN_NOTE).item
    shown_drawing = drawing(room, alice, KEPT_CAPTION)
    hidden_drawing = drawing(room, bob, HIDDEN_CAPTION, colour=(200, 30, 30))
    extra = [room.note(alice, text).item for text in notes] + [drawing(room, bob, text) for text in captions]
    wall.create_theme(room.workshop, room.staff, {"name": "Ruoka", "item_ids": [
        kept.id, hidden.id, shown_drawing.id, hidden_drawing.id, *(item.id for item in extra)]})
    for item in (hidden, hidden_drawing):
        wall.update_item(room.workshop, room.staff, item.id, {"hidden": True})
    room.workshop.topic = TOPIC
    db.session.commit()
    draft = report.create_draft(room.workshop, room.staff)
    tokens = list(db.session.scalars(select(Participant.token_hash).where(
        Participant.workshop_id == room.workshop.id)))
    return Seeded(room, draft, shown_drawing, hidden_drawing,
                  [HIDDEN_NOTE, HIDDEN_CAPTION, hidden_drawing.image_name, hidden_drawing.thumb_name,
                   room.workshop.join_code, room.staff.account.username, *tokens])


@pytest.fixture
def seeded(room, app):
    """The seeded report, inside a request context (the public page needs one)."""
    with app.test_request_context("/"):
        yield seed_report(room)


def section(seeded: Seeded, kind: SectionKind) -> ReportSection:
    """The draft's first section of `kind`."""
    return next(part for part in report.live_sections(seeded.report) if part.kind == kind)


class Outline(HTMLParser):
    """What a reader's tools see in HTML: headings, images, styles, external references."""

    def __init__(self, html: str):
        super().__init__()
        self.lang = None
        self.headings: list[int] = []
        self.images: list[dict] = []
        self.stylesheets: list[str] = []
        self.scripts = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(attributes)
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes.get("href", ""))
        elif tag == "script":
            self.scripts += 1


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as `pdftotext` reads it."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_tool(tool: str, pdf: bytes, tmp_path: Path) -> str:
    """What a poppler tool (`pdfinfo`, `pdfimages -list`) says about the PDF."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run([*tool.split(), str(path)], check=True, capture_output=True, text=True).stdout


def squeezed(text: str) -> str:
    """`text` without any whitespace: a PDF breaks lines wherever it likes."""
    return re.sub(r"\s+", "", text)


# -- the HTML file ------------------------------------------------------------------------------


def test_the_html_file_is_in_the_workshops_language_with_headings_in_order(seeded):
    html = report_export.document_html(seeded.report, target="file")
    outline = Outline(html)
    assert outline.lang == "fi"
    assert f"<title>{seeded.report.title}</title>" in html
    assert outline.headings[0] == 1 and outline.headings.count(1) == 1
    assert outline.headings[1] == 2
    # No level is skipped going down, whatever the sections' texts say.
    assert all(after <= before + 1 for before, after in zip(outline.headings, outline.headings[1:]))
    titles = [part.title for part in report.live_sections(seeded.report)]
    assert all(f">{title}</h2>" in html for title in titles)
    assert TOPIC in html and KEPT_NOTE in html


def test_the_html_file_is_self_contained(seeded):
    html = report_export.document_html(seeded.report, target="file")
    outline = Outline(html)
    assert outline.images, "the drawing is in the file"
    for image in outline.images:
        assert image["alt"].strip()
        assert image["src"].startswith("data:image/png;base64,")
    assert outline.stylesheets == [] and outline.scripts == 0
    assert "<style>" in html and ".report-document" in html and "@page" in html and "@media print" in html
    # Fonts are inlined too: nothing is requested when the file is opened.
    assert all(url.strip("\"' ").startswith("data:") for url in re.findall(r"url\(([^)]*)\)", html))
    assert re.search(r"(src|href)=\"(?!data:|#|https?://|mailto:)", html) is None
    assert re.search(r"src=\"https?:", html) is None


def test_the_html_file_shows_the_drawing_with_its_caption(seeded):
    html = report_export.document_html(seeded.report, target="file")
    image = next(image for image in Outline(html).images if image["alt"] == KEPT_CAPTION)
    assert len(image["src"]) > 200
    assert f"<figcaption>{KEPT_CAPTION}</figcaption>" in html


def test_nothing_hidden_or_identifying_is_in_any_format(seeded, tmp_path):
    # A picture hidden after the draft was made, and still named in the text, leaves too.
    theme_section = section(seeded, SectionKind.THEME)
    theme_section.body += f"\n\n![Vanha viittaus](picture:{seeded.hidden_drawing.id})\n"
    db.session.commit()
    html = report_export.document_html(seeded.report, target="file")
    markdown, files = report_export.export_markdown(seeded.report)
    text = pdf_text(report_export.export_pdf(seeded.report), tmp_path)
    archive = report_export.export_markdown_zip(seeded.report)
    for secret in seeded.secrets:
        assert secret not in html
        assert secret not in markdown
        assert squeezed(secret) not in squeezed(text)
        assert secret.encode() not in archive
    assert "Vanha viittaus" not in html and "Vanha viittaus" not in markdown
    assert KEPT_NOTE in html and KEPT_NOTE in markdown and KEPT_NOTE in text


def test_managements_answer_and_the_follow_up_are_in_every_format(seeded, tmp_path):
    from datetime import date

    from workshop.models import DevelopmentTarget, TargetStatus, utcnow

    draft = seeded.report
    draft.answer_by, draft.answered_at = "Palvelupäällikkö", utcnow()
    # The answer shows a picture: it must be addressed as the document's own, never by the
    # workshop's media URL (which names the join code).
    draft.answer_text = f"Aamupuuroa lisätään syksyllä.\n\n![](picture:{seeded.drawing.id})"
    db.session.add(DevelopmentTarget(workshop_id=seeded.room.workshop.id, target="Puuroa riittää kaikille",
                                     responsible="Keittiö", status=TargetStatus.DONE, done_on=date(2027, 5, 2)))
    db.session.commit()
    html = report_export.document_html(draft, target="file")
    text = pdf_text(report_export.export_pdf(draft), tmp_path)
    markdown, _ = report_export.export_markdown(draft)
    for words in ("Aamupuuroa lisätään syksyllä.", "Puuroa riittää kaikille", "Palvelupäällikkö", "Keittiö"):
        assert words in html and words in markdown
    for words in ("Aamupuuroa lisätään syksyllä.", "Palvelupäällikkö", "Keittiö"):  # a table cell wraps
        assert squeezed(words) in squeezed(text)
    assert seeded.room.workshop.join_code not in html
    assert all(image["src"].startswith("data:image/png;base64,") for image in Outline(html).images)
    assert "2027-05-02" in markdown


# -- the PDF ------------------------------------------------------------------------------------


def test_the_pdf_has_the_sections_the_notes_and_the_pictures(seeded, tmp_path):
    pdf = report_export.export_pdf(seeded.report)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    for part in report.live_sections(seeded.report):
        assert squeezed(part.title) in squeezed(text)
    assert KEPT_NOTE in text and KEPT_CAPTION in text
    images = pdf_tool("pdfimages -list", pdf, tmp_path).splitlines()[2:]
    assert len(images) == 1, images  # the kept drawing; the hidden one is not there
    info = pdf_tool("pdfinfo", pdf, tmp_path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info  # PDF/UA: a structure tree with alt texts
    assert re.search(r"^Page size:.*\(A4\)$", info, re.M), info
    assert "1/1" in squeezed(text) or "1/2" in squeezed(text)  # page numbers in the footer


def test_the_pdf_pages_render_with_the_drawing(seeded, tmp_path):
    pdf = report_export.export_pdf(seeded.report)
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
                   check=True)
    from PIL import Image

    blue = 0
    for page in sorted(tmp_path.glob("page*.png")):
        with Image.open(page) as image:
            pixels = image.convert("RGB").tobytes()
            blue += sum(1 for i in range(0, len(pixels), 3)
                        if pixels[i + 2] > 150 and pixels[i] < 90 and pixels[i + 1] < 110)
    assert blue > 50, "the blue drawing is drawn on a page"


def test_the_pdf_fetcher_reads_only_the_reports_own_files(seeded, app):
    import weasyprint

    picture = report_export.shown_pictures(seeded.report)[seeded.drawing.id]
    own = (Path(app.config["MEDIA_DIR"]) / picture.thumb_name).resolve().as_uri()
    fetcher = report_export._local_files_fetcher(weasyprint, {own: "image/png"})
    assert fetcher(own).read().startswith(b"\x89PNG")
    hidden = (Path(app.config["MEDIA_DIR"]) / seeded.hidden_drawing.image_name).resolve().as_uri()
    for url in ("http://127.0.0.1:9/pixel.png", "https://tracker.example/x.png", "file:///etc/passwd", hidden,
                own + "?x", "data:image/png;base64,iVBORw0KGgo="):
        with pytest.raises(ValueError):
            fetcher(url)


def test_the_pdf_loads_nothing_the_document_names_from_elsewhere(seeded, monkeypatch, tmp_path):
    asked = []
    real = report_export._local_files_fetcher

    def watched(weasyprint, allowed):
        fetcher = real(weasyprint, allowed)
        fetch = fetcher.fetch
        fetcher.fetch = lambda url, headers=None: asked.append(url) or fetch(url, headers)
        return fetcher

    original = report_export.document_html

    def with_outside_images(report_row, *, target):
        html = original(report_row, target=target)
        return html.replace("</main>", '<img src="http://127.0.0.1:9/x.png" alt="x">'
                                       '<img src="file:///etc/hostname" alt="y"></main>')

    monkeypatch.setattr(report_export, "_local_files_fetcher", watched)
    monkeypatch.setattr(report_export, "document_html", with_outside_images)
    pdf = report_export.export_pdf(seeded.report)
    assert "http://127.0.0.1:9/x.png" in asked and "file:///etc/hostname" in asked  # asked, and refused:
    assert len(pdf_tool("pdfimages -list", pdf, tmp_path).splitlines()[2:]) == 1


# -- the zipped Markdown ------------------------------------------------------------------------


def test_the_zip_has_the_markdown_and_its_pictures(seeded):
    archive = zipfile.ZipFile(io.BytesIO(report_export.export_markdown_zip(seeded.report)))
    names = archive.namelist()
    assert names[0] == "report.md"
    text = archive.read("report.md").decode("utf-8")
    assert text.startswith(f"# {seeded.report.title}\n")
    assert "picture:" not in text
    linked = re.findall(r"!\[([^\]]*)\]\((images/[^)]+)\)", text)
    assert [alt for alt, _ in linked] == [KEPT_CAPTION]
    assert [name for _, name in linked] == [name for name in names if name.startswith("images/")]
    assert archive.read(linked[0][1]).startswith(b"\x89PNG")
    assert f"> {KEPT_NOTE}" in text
    for part in report.live_sections(seeded.report):
        assert f"## {part.title}" in text


# -- hostile text -------------------------------------------------------------------------------


@pytest.fixture
def hostile(room, app):
    """A report with every payload in a note, in a caption and in a section's text."""
    with app.test_request_context("/"):
        seeded = seed_report(room, notes=tuple(PAYLOADS), captions=tuple(PAYLOADS[:5]))
        body = section(seeded, SectionKind.IDEAS)
        body.body = "\n\n".join(PAYLOADS)
        db.session.commit()
        yield seeded


def test_payloads_in_notes_captions_and_text_are_harmless_in_the_html_file(hostile):
    html = report_export.document_html(hostile.report, target="file")
    head, body = html.split("<body", 1)
    assert_harmless("<body" + body)  # the head is the template's own: its charset, its style sheet
    assert Outline(html).scripts == 0 and head.count("<style>") == 1


def test_payloads_are_plain_text_in_the_pdf(hostile, tmp_path):
    text = squeezed(pdf_text(report_export.export_pdf(hostile.report), tmp_path))
    for payload in PAYLOADS:
        # Each note is quoted as written (a character reference such as &#106; may show as
        # the character it stands for: it is text either way, never markup).
        assert squeezed(payload) in text or squeezed(unescape(payload)) in text, payload


# -- files on disk ------------------------------------------------------------------------------


def test_the_files_are_written_to_the_exports_folder(seeded, app):
    written = report_export.write_exports(seeded.report)
    folder = Path(app.config["EXPORTS_DIR"]) / f"{seeded.room.workshop.id}-paivakeskus-kalliola"
    assert written == {"html": folder / "paivakeskus-kalliola.html", "pdf": folder / "paivakeskus-kalliola.pdf",
                       "zip": folder / "paivakeskus-kalliola.zip"}
    assert written["pdf"].read_bytes().startswith(b"%PDF-")
    assert [exported.format for exported in report_export.exported_files(seeded.report)] == ["html", "pdf", "zip"]
    assert sorted(path.name for path in folder.iterdir()) == sorted(path.name for path in written.values())


@pytest.mark.parametrize("title, expected", [
    ("Päiväkeskus Kalliola", "paivakeskus-kalliola"),
    ("../../etc/passwd", "etc-passwd"),
    ("Åbo — höst 2027!", "abo-host-2027"),
    ("***", "report"),
    ("x" * 300, "x" * 60),
])
def test_file_names_are_safe(title, expected):
    assert report_export.slug(title) == expected
