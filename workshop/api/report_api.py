"""The report's API for phones and the editor: read the report, suggest, caption, save a section.

Thin, like `views.py`: find the actor, call a rule in `report.py`, answer. Comments on a
round are in `rounds_api.py`, the follow-up in `followup_api.py`.
"""
from __future__ import annotations

from flask import jsonify, url_for

from .. import changes, report, report_render
from ..actors import Actor
from ..models import Report, Workshop
from . import bp
from .common import body, context, ok


@bp.get("/report")
def read_report(code: str):
    """The report as this person sees it: `report` is null before the draft exists.

    Participants get the text (each section rendered, with its sentences for "suggest a
    change"), the open round's frozen text and comments, their own suggestions with the
    facilitator's answer, management's answer, readers' feedback and the follow-up.
    """
    workshop, actor = context(code)
    found = report.report_of(workshop)
    if found is None:
        return ok(report=None)
    return ok(report=reader_view(workshop, found, actor))


def reader_view(workshop: Workshop, found: Report, actor: Actor) -> dict:
    """Everything the phone's report screen shows, in one answer (it is cached for offline)."""
    from .. import report_rounds

    pictures = report_render.pictures_of(workshop)

    def picture_src(picture: report_render.Picture) -> str:
        return url_for("api.media", code=workshop.join_code, name=picture.thumb_name or picture.image_name)

    def rendered(section_id: int, kind: str, title: str, text: str, version: int) -> dict:
        return {"id": section_id, "kind": kind, "title": title, "version": version,
                "html": str(report_render.to_html(text, pictures, picture_src)),
                "speech": report_render.plain_text(text), "sentences": report.sentences_of(text)}

    view = report.report_state(found)
    view["sections"] = [rendered(s.id, s.kind.value, s.title, s.body, s.version) for s in report.live_sections(found)]
    current = report_rounds.current_round(found)
    view["round_sections"] = ([rendered(part["section_id"], part["kind"], part["title"], part["body"],
                                        part["version"]) for part in report_rounds.snapshot_of(current)]
                              if current is not None else [])
    view["comments"] = report_rounds.comment_states(found, actor)
    view["suggestions"] = report.own_suggestions(found, actor)
    return view


@bp.post("/report/suggestions")
def suggest(code: str):
    """A participant's "add a sentence" or "suggest a change" (`uuid`, `section_id`,
    `kind`, `text`, `quote`): 201, or 200 for a repeat of the same UUID."""
    workshop, actor = context(code)
    sent = report.suggest(workshop, actor, body())
    return ok(201 if sent.created else 200, suggestion=report.suggestion_state(sent.item))


@bp.patch("/report/pictures/<int:item_id>")
def caption_picture(code: str, item_id: int):
    """Change a picture's caption (`caption`): staff any, a participant their own."""
    workshop, actor = context(code)
    item = report.set_caption(workshop, actor, item_id, body())
    return ok(item=changes.item_state(item, changes.STAFF if actor.is_staff else changes.PUBLIC, workshop.join_code))


@bp.put("/report/sections/<int:section_id>")
def save_section(code: str, section_id: int):
    """Staff: save a section (`base_version`, `title`, `body`). A save based on an old
    version answers 409 with `current` (the section now) and `yours` (what was sent)."""
    workshop, actor = context(code)
    try:
        section = report.save_section(workshop, actor, section_id, body())
    except report.VersionConflict as conflict:
        response = jsonify(ok=False, error=str(conflict.message), errors=[], current=conflict.current,
                           yours=conflict.yours)
        response.status_code = 409
        return response
    return ok(section=report.section_state(section))


@bp.post("/report/preview")
def preview(code: str):
    """Staff: a section's Markdown (`body`) rendered as the report will show it."""
    workshop, actor = context(code)
    actor.require_staff()
    text = report.preview_text(body())
    pictures = report_render.pictures_of(workshop)
    html = report_render.to_html(text, pictures, lambda picture: url_for(
        "api.media", code=workshop.join_code, name=picture.thumb_name or picture.image_name))
    return ok(html=str(html))
