"""The HTTP JSON API, documented in docs/api.md. Thin: find the actor, call a rule, answer.

Every answer is `{"ok": true, ...}` or the one error shape of `errors.py`. A write answers
201 when it created something and 200 when it was a repeat of something already stored.
"""
from __future__ import annotations

from flask import request

from flask_babel import lazy_gettext as _l

from .. import changes, contributions, feedback, images, kiosk, phases, surveys, topics, votes, wall
from ..database import defer_write_lock
from ..extensions import csrf
from ..inputs import bool_field
from ..participant.views import keep_device_token
from ..problems import Problem
from ..workshops import join, new_device_token
from . import bp
from .access import SAFE_METHODS, limit_floods, require_same_site
from .common import body, context, ok

# The API is protected from cross-site use by the header check in `require_same_site` and
# SameSite cookies instead of form tokens: the offline outbox replays requests hours
# later, from a page that may have been reloaded since, where a form token would be stale.
csrf.exempt(bp)


@bp.before_request
def _same_site_only():
    require_same_site()
    if request.method not in SAFE_METHODS:
        limit_floods(request.view_args["code"])


@bp.get("/changes")
def changes_since(code: str):
    """Catch-up and first load: the current state of everything changed after `since`."""
    workshop, actor = context(code)
    since = request.args.get("since", "0")
    since = int(since) if since.isdigit() and len(since) < 16 else 0
    audience = changes.STAFF if actor.is_staff else changes.PUBLIC
    return ok(**changes.changes_since(workshop, since, audience))


@bp.get("/mine")
def mine(code: str):
    """What this participant sent and may change: items and topics not taken back, dots,
    the latest answer to each survey and the latest feedback on each phase."""
    workshop, actor = context(code)
    return ok(items=[changes.own_item_state(item, code) for item in contributions.own_items(workshop, actor)],
              dots=[votes.dot_state(dot) for dot in votes.own_dots(workshop, actor)],
              topics=[topics.own_topic_state(topic) for topic in topics.own_topics(workshop, actor)],
              answers={str(survey_id): answer for survey_id, answer in surveys.own_answers(workshop, actor).items()},
              feedback=feedback.own_feedback(workshop, actor))


@bp.post("/items")
@defer_write_lock
def add_item(code: str):
    """A note (JSON), or a drawing or photo (multipart with an `image` file)."""
    workshop, actor = context(code)
    image = None
    if not request.is_json:
        upload = request.files.get("image")
        image = upload.read() if upload is not None else None
    result = contributions.submit(workshop, actor, body(), image)
    return ok(201 if result.created else 200, item=changes.own_item_state(result.item, code))


@bp.delete("/items/<item_uuid>")
def withdraw_item(code: str, item_uuid: str):
    """Take back one's own item."""
    workshop, actor = context(code)
    item = contributions.withdraw(workshop, actor, item_uuid)
    return ok(item=changes.own_item_state(item, code))


@bp.patch("/items/<int:item_id>")
def update_item(code: str, item_id: int):
    """Staff: move an item to a board or theme, hide or restore it."""
    workshop, actor = context(code)
    item = wall.update_item(workshop, actor, item_id, body())
    return ok(item=changes.item_state(item, changes.STAFF, code))


@bp.post("/boards")
def add_board(code: str):
    """Staff: add a board."""
    workshop, actor = context(code)
    return ok(201, board=changes.board_state(wall.create_board(workshop, actor, body())))


@bp.patch("/boards/<int:board_id>")
def update_board(code: str, board_id: int):
    """Staff: rename, lock or unlock a board."""
    workshop, actor = context(code)
    return ok(board=changes.board_state(wall.update_board(workshop, actor, board_id, body())))


@bp.post("/themes")
def add_theme(code: str):
    """Staff: form a theme, optionally with items in it."""
    workshop, actor = context(code)
    return ok(201, theme=changes.theme_state(wall.create_theme(workshop, actor, body())))


@bp.patch("/themes/<int:theme_id>")
def update_theme(code: str, theme_id: int):
    """Staff: rename a theme or describe it (`name`, `description`)."""
    workshop, actor = context(code)
    return ok(theme=changes.theme_state(wall.update_theme(workshop, actor, theme_id, body())))


@bp.delete("/themes/<int:theme_id>")
def remove_theme(code: str, theme_id: int):
    """Staff: dissolve a theme; its items return to their boards."""
    workshop, actor = context(code)
    return ok(theme=changes.theme_state(wall.remove_theme(workshop, actor, theme_id)))


@bp.patch("")
def update_workshop(code: str):
    """Staff: the workshop's live settings, any of `reveal_mode` (hide until revealed),
    `phase` (one step), `feedback_phase` (ask for feedback on a phase, or null) and
    `projector` (what the presenter wall shows)."""
    workshop, actor = context(code)
    return ok(workshop=changes.workshop_state(phases.update_settings(workshop, actor, body())))


@bp.post("/reveal")
def reveal(code: str):
    """Staff: show every item waiting to be revealed."""
    workshop, actor = context(code)
    return ok(revealed=wall.reveal_all(workshop, actor))


@bp.post("/questions")
def add_question(code: str):
    """Staff: start a dot vote."""
    workshop, actor = context(code)
    question = votes.create_question(workshop, actor, body())
    return ok(201, question=changes.question_state(question, changes.dot_counts([question.id])))


@bp.patch("/questions/<int:question_id>")
def update_question(code: str, question_id: int):
    """Staff: open or close a dot vote."""
    workshop, actor = context(code)
    # No default: a PATCH without "open" must not close the vote.
    question = votes.set_open(workshop, actor, question_id, bool_field(body(), "open", default=None))
    return ok(question=changes.question_state(question, changes.dot_counts([question.id])))


@bp.post("/dots")
def cast_dot(code: str):
    """Put a dot on an option (staff: on behalf of someone in the room)."""
    workshop, actor = context(code)
    result = votes.cast(workshop, actor, body())
    return ok(201 if result.created else 200, dot=votes.dot_state(result.item))


@bp.patch("/dots/<dot_uuid>")
def move_dot(code: str, dot_uuid: str):
    """Move one's own dot to another option of the same question."""
    workshop, actor = context(code)
    return ok(dot=votes.dot_state(votes.move(workshop, actor, dot_uuid, body())))


@bp.delete("/dots/<dot_uuid>")
def remove_dot(code: str, dot_uuid: str):
    """Take one's own dot back."""
    workshop, actor = context(code)
    votes.take_back(workshop, actor, dot_uuid)
    return ok()


@bp.post("/next-person")
def next_person(code: str):
    """The shared tablet only: forget this person and start the next as a new participant."""
    workshop, actor = context(code)
    if not kiosk.is_kiosk(workshop):
        raise Problem(_l("Only the shared tablet can do this."), status=403)
    participant, token = join(workshop, new_device_token())
    response = ok(201)
    keep_device_token(response, token)
    return response


@bp.get("/media/<name>")
def media(code: str, name: str):
    """A stored picture, for the workshop's participants and staff only."""
    workshop, actor = context(code)
    path = images.media_path(contributions.media_dir(), name)
    # Pictures never change under a name; a phone may keep them, a shared cache may not.
    return images.send_picture(path if contributions.may_see_picture(workshop, actor, name) else None,
                               "private, max-age=31536000, immutable")

