"""Publication (julkistaminen): the report as files a municipality can use, and its public page.

One template, `templates/report/document.html`, renders the report for three targets:

- "page": the public read-only page on this server (`/r/<key>`), pictures served by URL;
- "file": one self-contained HTML file to upload as it is: the style sheet, the fonts and
  every picture inlined, so opening it makes no request at all;
- "pdf": the same content laid out by WeasyPrint as a tagged PDF (PDF/UA-1), whose only
  resources are local files this module hands it one by one.

The Markdown export is the section texts with picture references turned into file names in
an `images/` folder, zipped.

What goes out is only what the report shows: the live sections, and of the pictures only
those the text refers to that are neither hidden nor taken back (`report_render.pictures_of`).
Nothing in a document names a participant, an account, the join code or a private link.
"""
from __future__ import annotations

import base64
import io
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from . import changes, followup, reader_feedback, report_answer, report_render
from . import report as report_rules
from .actors import Actor
from .contributions import media_dir
from .database import begin_write
from .extensions import db
from .images import media_path, write_durably
from .models import DevelopmentTarget, Idea, IdeaAnswer, Report, SectionKind, Workshop, utcnow
from .problems import Problem
from .report_render import Picture
from .serving import run_off_the_loop

TARGETS = ("page", "file", "pdf")
#: The downloadable formats: name → (file extension, content type).
FORMATS = {
    "html": ("html", "text/html; charset=utf-8"),
    "pdf": ("pdf", "application/pdf"),
    "zip": ("zip", "application/zip"),
}
#: The document's own style sheet (scoped to `.report-document`, with the print rules).
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "report-document.css"
FONT_DIR = STYLESHEET.parent.parent / "fonts" / "atkinson-hyperlegible"
#: The vendored fonts the exported files embed: (file, weight, unicode-range), as app.css has them.
FONTS = (
    ("atkinson-hyperlegible-latin-400-normal.woff2", 400, "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, "
     "U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, "
     "U+2215, U+FEFF, U+FFFD"),
    ("atkinson-hyperlegible-latin-700-normal.woff2", 700, "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, "
     "U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, "
     "U+2215, U+FEFF, U+FFFD"),
    ("atkinson-hyperlegible-latin-ext-400-normal.woff2", 400, "U+0100-02BA, U+02BD-02C5, U+02C7-02CC, "
     "U+02CE-02D7, U+02DD-02FF, U+1D00-1DBF, U+1E00-1E9F, U+1EF2-1EFF, U+2020, U+20A0-20AB, U+20AD-20C0, "
     "U+2113, U+2C60-2C7F, U+A720-A7FF"),
    ("atkinson-hyperlegible-latin-ext-700-normal.woff2", 700, "U+0100-02BA, U+02BD-02C5, U+02C7-02CC, "
     "U+02CE-02D7, U+02DD-02FF, U+1D00-1DBF, U+1E00-1E9F, U+1EF2-1EFF, U+2020, U+20A0-20AB, U+20AD-20C0, "
     "U+2113, U+2C60-2C7F, U+A720-A7FF"),
)
#: The longest part of a folder or file name taken from the report's title.
SLUG_MAX_LENGTH = 60

_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg"}
_HEADING = re.compile(r"<h([3-6])>(.*?)</h\1>", re.S)
_MARKDOWN_PICTURE = re.compile(rf"!\[([^\]\n]*)\]\({report_render.PICTURE_SCHEME}:(\d+)\)")


# -- the document -----------------------------------------------------------------------------


def document_html(report: Report, *, target: str) -> str:
    """The whole report as one HTML document for `target` ("page", "file" or "pdf").

    "page" is the public page (it needs a request: the site's layout and the picture
    URLs); "file" is self-contained; "pdf" names pictures and fonts by local `file:` URLs,
    for `export_pdf` only. Rendered in the workshop's language.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    workshop = report.workshop
    pictures = shown_pictures(report)
    picture_src = _picture_sources(report, target)
    with force_locale(workshop.language):
        context = _document_context(report, pictures, picture_src, target)
        if target != "page":
            return render_template("report/document.html", standalone=True, stylesheet=Markup(_inline_css(target)),
                                   **context)
        article = Markup(render_template("report/document.html", standalone=False, **context))
    # The page around the report, and its feedback form, speak the reader's language.
    return render_template("report/published.html", report=report, document=article,
                           approved_feedback=reader_feedback.approved_states(report))


def shown_pictures(report: Report) -> dict[int, Picture]:
    """The pictures the report shows: referred to by a live section, not hidden, not taken back."""
    available = report_render.pictures_of(report.workshop)
    # Management's answer may show pictures too (report_answer renders its text the same way).
    texts = [section.body for section in report_rules.live_sections(report)] + [report.answer_text]
    referred = {picture_id for text in texts for picture_id in report_render.referenced_pictures(text)}
    return {picture_id: picture for picture_id, picture in available.items() if picture_id in referred}


def public_picture_path(report: Report, name: str) -> Path | None:
    """The file of a picture the published report shows, by its stored name; else None."""
    if report.published_at is None:
        return None
    names = {picture.image_name for picture in shown_pictures(report).values()}
    return media_path(media_dir(), name) if name in names else None


def _document_context(report: Report, pictures: Mapping[int, Picture], picture_src: Callable[[Picture], str],
                      target: str) -> dict:
    sections = report_rules.live_sections(report)
    kinds = {section.kind for section in sections}
    return {
        "report": report,
        "workshop": report.workshop,
        "target": target,
        "sections": sections,
        "bodies": {section.id: headings_in_order(report_render.to_html(section.body, pictures, picture_src))
                   for section in sections},
        "SectionKind": SectionKind,
        # The other parts' pieces, only when the report has their section.
        # The answer's pictures are addressed as the document's own are: never by the
        # workshop's media URL, which names the join code.
        "answer": report_answer.answer_state(report, picture_src) if SectionKind.ANSWER in kinds else None,
        "targets": followup.public_states(report.workshop) if SectionKind.FOLLOW_UP in kinds else None,
    }


def headings_in_order(html: Markup) -> Markup:
    """A section's rendered text with its headings stepping down one level at a time.

    The section's own title is h2; a text whose first heading is `###` (h5 once shifted)
    would skip two levels, which screen-reader users navigate by. Each heading becomes at
    most one level below the one before it (and never above h3). The sanitised HTML has
    no attributes on headings, so the tags are exactly `<hN>` and `</hN>`.
    """
    previous = report_render.FIRST_HEADING_LEVEL - 1

    def relevel(match: re.Match) -> str:
        nonlocal previous
        level = max(report_render.FIRST_HEADING_LEVEL, min(int(match.group(1)), previous + 1))
        previous = level
        return f"<h{level}>{match.group(2)}</h{level}>"

    return Markup(_HEADING.sub(relevel, str(html)))


def _export_file(picture: Picture, target: str) -> str:
    """The stored file an exported document shows for `picture` in `target` ("file", "pdf", "zip").

    The PDF takes the thumbnail (480 px on its longest side): WeasyPrint decodes and
    re-encodes every pixel, and 200 canvas drawings at full size took 38 s against 10 s
    (docs/performance.md, "Report export"); printed at most 12 cm high it is still about
    100 dpi. The HTML file and the zip keep a drawing at full size (its few flat colours
    compress better than the smoothed thumbnail's, and its lines stay sharp) but take a
    photo's thumbnail: a full-size photo is ten times the bytes, in a file meant for upload.
    """
    if target == "pdf" or picture.kind != "drawing":
        return picture.thumb_name or picture.image_name
    return picture.image_name


def _picture_sources(report: Report, target: str) -> Callable[[Picture], str]:
    """How a picture is addressed in `target`: by URL, inlined, or as a local file."""
    if target == "page":
        return lambda picture: url_for("published.picture", key=report.public_key, name=picture.image_name)
    directory = media_dir()
    if target == "pdf":
        return lambda picture: (directory / _export_file(picture, target)).resolve().as_uri()
    inlined: dict[int, str] = {}  # a picture shown twice is read and encoded once

    def data_uri(picture: Picture) -> str:
        if picture.id not in inlined:
            name = _export_file(picture, target)
            path = media_path(directory, name)
            data = path.read_bytes() if path is not None else b""
            inlined[picture.id] = f"data:{_content_type(name)};base64,{base64.b64encode(data).decode('ascii')}"
        return inlined[picture.id]

    return data_uri


def _content_type(name: str) -> str:
    return _CONTENT_TYPES[name.rsplit(".", 1)[-1]]


def _inline_css(target: str) -> str:
    """The document's style sheet with the fonts it needs: inlined ("file") or as local files ("pdf")."""
    faces = []
    for file_name, weight, unicode_range in FONTS:
        path = FONT_DIR / file_name
        if target == "file":
            source = "data:font/woff2;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
        else:
            source = path.resolve().as_uri()
        faces.append(f'@font-face {{ font-family: "Atkinson Hyperlegible"; font-style: normal; '
                     f'font-weight: {weight}; src: url("{source}") format("woff2"); '
                     f'unicode-range: {unicode_range}; }}')
    # "</" can never appear in our own CSS, but a style element must never be closable.
    return "\n".join(faces) + "\n" + STYLESHEET.read_text(encoding="utf-8").replace("</", "<\\/")


# -- PDF --------------------------------------------------------------------------------------


def export_pdf(report: Report) -> bytes:
    """The report as a tagged PDF (PDF/UA-1, A4, page numbers), pictures included.

    WeasyPrint gets the pictures and fonts as local files through a fetcher that knows
    exactly those files and refuses everything else: the PDF never loads anything from
    the network, whatever the text says.
    """
    import weasyprint  # imported here: it takes over half a second, and only exports need it

    html = document_html(report, target="pdf")
    files = [_export_file(picture, "pdf") for picture in shown_pictures(report).values()]
    allowed = {(media_dir() / name).resolve().as_uri(): _content_type(name) for name in files}
    allowed.update({(FONT_DIR / file_name).resolve().as_uri(): "font/woff2" for file_name, _, _ in FONTS})
    fetcher = _local_files_fetcher(weasyprint, allowed)
    base_url = media_dir().resolve().as_uri() + "/"

    def lay_out() -> bytes:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        return document.write_pdf(pdf_variant="pdf/ua-1")

    # Seconds of layout for a big report (docs/performance.md): under gevent it runs in the
    # thread pool, where the interpreter's thread switching still gives every wall and phone
    # its turn, instead of freezing them all for that long. It needs no app context.
    return run_off_the_loop(lay_out)


def _local_files_fetcher(weasyprint, allowed: Mapping[str, str]):
    """A WeasyPrint URL fetcher that reads the `allowed` local files (URL → content type) only."""

    class LocalFilesOnly(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            content_type = allowed.get(url)
            if content_type is None:
                raise ValueError(f"not a file of this report: {url[:80]}")
            path = Path(weasyprint.urls.request.url2pathname(url.removeprefix("file://")))
            return weasyprint.urls.URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return LocalFilesOnly()


# -- Markdown ---------------------------------------------------------------------------------


def export_markdown(report: Report) -> tuple[str, dict[str, Path]]:
    """The report as Markdown, and the picture files it names (`images/<file>` → stored file)."""
    pictures = shown_pictures(report)
    files: dict[str, Path] = {}

    def picture_link(match: re.Match) -> str:
        picture = pictures.get(int(match.group(2)))
        if picture is None:
            return ""  # hidden, taken back or another workshop's: it leaves no trace
        name = _export_file(picture, "zip")
        path = media_path(media_dir(), name)
        if path is None:
            return ""
        files[f"images/{name}"] = path
        alt = (match.group(1) or picture.caption).replace("]", ")").replace("[", "(")
        return f"![{alt}](images/{name})"

    workshop = report.workshop
    with force_locale(workshop.language):
        parts = [f"# {_one_line(report.title)}"]
        if workshop.topic:
            parts.append(str(_l("Topic: %(topic)s", topic=_one_line(workshop.topic))))
        for section in report_rules.live_sections(report):
            parts.append(f"## {_one_line(section.title)}")
            body = _MARKDOWN_PICTURE.sub(picture_link, section.body or "").strip()
            if body:
                parts.append(body)
            if section.kind == SectionKind.ANSWER:
                parts.extend(_answer_markdown(report))
            elif section.kind == SectionKind.FOLLOW_UP:
                parts.extend(_follow_up_markdown(workshop))
    return "\n\n".join(parts) + "\n", files


def export_markdown_zip(report: Report) -> bytes:
    """`report.md` and its `images/` folder, zipped."""
    text, files = export_markdown(report)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.md", text)
        for name, path in files.items():
            # Pictures are compressed already: deflating them again costs time for nothing.
            archive.write(path, name, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def _answer_markdown(report: Report) -> list[str]:
    """Management's answer as Markdown: the general answer, then what will be done per idea."""
    parts = []
    if report.answered_at is not None and report.answer_text.strip():
        parts.append(report.answer_text.strip())
        if report.answer_by.strip():
            parts.append(f"— {_one_line(report.answer_by)}")
    rows = db.session.execute(
        select(Idea.statement, IdeaAnswer.action, IdeaAnswer.schedule).join(Idea, Idea.id == IdeaAnswer.idea_id)
        .where(IdeaAnswer.report_id == report.id, Idea.removed_at.is_(None)).order_by(Idea.position, Idea.id))
    for statement, action, schedule in rows:
        if action.strip() or schedule.strip():
            when = f" ({_one_line(schedule)})" if schedule.strip() else ""
            parts.append(f"- **{_one_line(statement)}**: {_one_line(action)}{when}")
    return parts


def _follow_up_markdown(workshop: Workshop) -> list[str]:
    """The follow-up tracker as a Markdown table (the columns used in practice)."""
    targets = db.session.scalars(select(DevelopmentTarget).where(DevelopmentTarget.workshop_id == workshop.id)
                                 .order_by(DevelopmentTarget.position, DevelopmentTarget.id)).all()
    if not targets:
        return []
    header = [_l("Development target"), _l("Partners"), _l("Actions"), _l("Responsible"), _l("Schedule"),
              _l("How it is followed"), _l("Status"), _l("Done")]
    lines = ["| " + " | ".join(str(title) for title in header) + " |", "|" + " --- |" * len(header)]
    for row in targets:
        cells = [row.target, row.partners, row.actions, row.responsible, row.schedule, row.indicator,
                 str(_status_names().get(row.status.value, row.status.value)),
                 row.done_on.isoformat() if row.done_on else ""]
        lines.append("| " + " | ".join(_one_line(cell).replace("|", "\\|") for cell in cells) + " |")
    return ["\n".join(lines)]


def _status_names() -> dict[str, str]:
    return {"planned": _l("Planned"), "in_progress": _l("In progress"), "done": _l("Done"),
            "not_done": _l("Not done")}


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


# -- files on disk ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedFile:
    """A written export: its format, where it is and how big."""

    format: str
    path: Path
    size: int


def slug(text: str) -> str:
    """`text` as a safe, readable ASCII part of a file name ("Päiväkeskus Kalliola" → "paivakeskus-kalliola")."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:SLUG_MAX_LENGTH].rstrip("-") or "report"


def export_dir(report: Report) -> Path:
    """Where a report's files are written: `<EXPORTS_DIR>/<workshop id>-<slug of the title>/`."""
    return Path(current_app.config["EXPORTS_DIR"]) / f"{report.workshop_id}-{slug(report.title)}"


def file_name(report: Report, format: str) -> str:
    """The file name of one format of the report: the slug of its title and the extension."""
    return f"{slug(report.title)}.{FORMATS[format][0]}"


def write_exports(report: Report) -> dict[str, Path]:
    """Write the HTML file, the PDF and the zipped Markdown into `export_dir(report)`.

    Each file appears whole or not at all (written beside, then renamed over), so a
    municipality's upload or a download never gets half a file.
    """
    contents = {
        "html": document_html(report, target="file").encode("utf-8"),
        "pdf": export_pdf(report),
        "zip": export_markdown_zip(report),
    }
    directory = export_dir(report)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for format, data in contents.items():
        path = directory / file_name(report, format)
        write_durably(path, data)
        written[format] = path
    return written


def exported_files(report: Report) -> list[ExportedFile]:
    """The report's files written so far (in the order of `FORMATS`)."""
    found = []
    for format in FORMATS:
        path = export_dir(report) / file_name(report, format)
        if path.is_file():
            found.append(ExportedFile(format, path, path.stat().st_size))
    return found


def exported_file(report: Report, format: str) -> ExportedFile:
    """One written file of the report.

    :raise Problem: 404 an unknown format, or the file has not been written yet.
    """
    for exported in exported_files(report) if format in FORMATS else []:
        if exported.format == format:
            return exported
    raise Problem(_l("This file has not been made yet. Choose \u201cExport now\u201d first."), status=404)


# -- publishing -------------------------------------------------------------------------------


def publish(workshop: Workshop, actor: Actor) -> Report:
    """Put the report on its public page (`/r/<key>`); the key is made the first time and kept.

    Publishing a published report changes nothing.

    :raise Problem: 403 not staff; 404 no report draft yet.
    """
    actor.require_staff()
    begin_write(workshop)
    report = report_rules.require_report(workshop)
    if report.published_at is None:
        report.published_at = utcnow()
        if report.public_key is None:
            report.public_key = secrets.token_urlsafe(16)
        changes.record(workshop, "report", report.id)
        changes.commit_and_publish()
    else:
        db.session.commit()
    return report


def unpublish(workshop: Workshop, actor: Actor) -> Report:
    """Take the public page down (its address works again if the report is published again).

    :raise Problem: 403 not staff; 404 no report draft yet.
    """
    actor.require_staff()
    begin_write(workshop)
    report = report_rules.require_report(workshop)
    if report.published_at is not None:
        report.published_at = None
        changes.record(workshop, "report", report.id)
        changes.commit_and_publish()
    else:
        db.session.commit()
    return report


def published_report(key: str) -> Report | None:
    """The published report whose public key is `key`, or None (unknown, or not published)."""
    if not isinstance(key, str) or not key or len(key) > 32:
        return None
    report = db.session.scalar(select(Report).where(Report.public_key == key))
    return report if report is not None and report.published_at is not None else None

