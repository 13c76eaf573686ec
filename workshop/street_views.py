"""Street notes over HTTP: the worker's one-handed page, the facilitators' list, the JSON API.

The pages (/street/...) and the API (/api/street/...) are for logged-in staff only: an
outreach worker or a facilitator. The API is what the page's script sends to, and what the
offline outbox replays hours or weeks later; like the workshop API it is protected from
cross-site use by SameSite cookies and the `X-Requested-With` header on every write
(`require_same_site`), not by form tokens, which would be stale by then. The rules are in
`street.py`; the views only find out who is asking and answer.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import changes, images, street
from .actors import Actor
from .api.access import device_token, require_same_site
from .api.common import body, ok
from .client_strings import strings_for_scripts
from .contributions import media_dir
from .database import defer_write_lock
from .errors import error_response
from .extensions import csrf, login_manager
from .models import Role
from .problems import Problem
from .security import safe_next_url

bp = Blueprint("street", __name__)
api = Blueprint("api", __name__, url_prefix="/api/street")
# See the module docstring: the header check replaces form tokens for the API.
csrf.exempt(api)
bp.register_blueprint(api)


@bp.before_request
def _staff_only():
    """Pages send someone not logged in to the login page; the API answers 401, or 403 to
    a participant's phone (it has a workshop's device cookie, never a login).

    A worker's login is kept in a cookie that outlives the browser (for
    PERMANENT_SESSION_LIFETIME, 31 days by default, counted from the last request): the
    phone's outbox may send what was written offline days later, after the browser was
    closed. A facilitator's stays a browser session (a laptop may be shared).
    """
    if current_user.is_authenticated:
        if current_user.role == Role.WORKER:
            session.permanent = True
        return None
    if request.blueprint == "street.api":
        if device_token():
            raise Problem(_l("Only outreach workers and facilitators can write street notes."), status=403)
        return error_response(401)
    return login_manager.unauthorized()


@api.before_request
def _same_site_only():
    require_same_site()


def _actor() -> Actor:
    return Actor(account=current_user._get_current_object())


def _labels() -> dict:
    """The names of the natures and categories in the current language, for pages and script."""
    return {"nature": dict(street.nature_labels()), "category": dict(street.category_labels())}


# -- pages -----------------------------------------------------------------------------


@bp.get("/street/")
def index():
    """The worker's page: the one-handed form on top, their own notes below.

    The form is sent by `static/js/street.js` through the API (and, offline, the outbox).

    :raise Problem: (403) the account may not write street notes.
    """
    actor = _actor()
    notes = street.own_notes(actor)
    return render_template("street/index.html", notes=notes, labels=_labels(),
                           natures=street.nature_labels(), categories=street.category_labels(),
                           areas=street.areas(), workshops=street.open_workshops(),
                           text_max=street.TEXT_MAX_LENGTH, topic_max=street.TOPIC_MAX_LENGTH,
                           is_facilitator=street.is_facilitator(actor), strings=strings_for_scripts())


@bp.get("/street/notes")
def notes_page():
    """The facilitators' list: every worker's notes by area, category, nature and period,
    with the counts, and a form on each to put it on a workshop's wall.

    :raise Problem: (403) not a facilitator.
    """
    actor = _actor()
    street.require_facilitator(actor)
    problem, status = None, 200
    try:
        filters = street.parse_filters(request.args)
    except Problem as refused:
        problem, status, filters = str(refused.message), 422, street.Filters()
    counts = street.counts(actor, filters)
    # The deployment's areas, and any older ones its notes still name.
    area_choices = street.areas() + sorted({area for area, _count in counts["area"]
                                            if area and area not in street.areas()})
    return render_template("street/notes.html", notes=street.all_notes(actor, filters), counts=counts,
                           filters=filters, problem=problem, labels=_labels(), natures=street.nature_labels(),
                           categories=street.category_labels(), areas=area_choices,
                           choices=street.wall_choices(), limit=street.LIST_LIMIT,
                           is_facilitator=True), status


@bp.post("/street/notes/<int:note_id>/wall")
@defer_write_lock  # the note's photo is decoded again for the wall before the lock is taken
def pull_to_wall(note_id: int):
    """The list's form: put one note on a workshop's board, then back to the list.

    `target` is "<workshop id>:<board id>" from the one select of the form.

    :raise Problem: (403) not a facilitator.
    """
    workshop_id, _sep, board_id = request.form.get("target", "").partition(":")
    try:
        workshop, result = street.put_on_wall(_actor(), note_id, {"workshop_id": workshop_id, "board_id": board_id})
    except Problem as problem:
        if problem.status == 403:
            raise
        flash(str(problem.message), "error")
    else:
        if result.created:
            flash(_("The note is on the wall of the workshop %(title)s now.", title=workshop.title))
        else:
            flash(_("The note was already on the wall of the workshop %(title)s.", title=workshop.title))
    back = safe_next_url(request.form.get("next"), "street.notes_page")
    return redirect(f"{back}#note-{note_id}", code=303)


# -- the JSON API ----------------------------------------------------------------------


@api.post("/notes")
@defer_write_lock  # a photo is decoded before the write lock is taken
def add_note():
    """File a street note: JSON, or multipart with the photo as `image`. 201 stored now,
    200 stored before (a replay), 409 the UUID was used for something else."""
    actor = _actor()
    image = None
    if not request.is_json:
        upload = request.files.get("image")
        image = upload.read() if upload is not None else None
    result = street.file_note(actor, body(), image)
    return ok(201 if result.created else 200, note=street.note_state(result.note, actor))


@api.get("/notes")
def list_notes():
    """A worker's own notes; for a facilitator every note, with the filters `area`,
    `category`, `nature`, `since` and `until` (YYYY-MM-DD) and the counts (`mine=1`: own)."""
    actor = _actor()
    if not street.is_facilitator(actor) or request.args.get("mine") == "1":
        return ok(notes=[street.note_state(note, actor) for note in street.own_notes(actor)])
    filters = street.parse_filters(request.args)
    counts = street.counts(actor, filters)
    return ok(notes=[street.note_state(note, actor) for note in street.all_notes(actor, filters)],
              filters=filters.as_args(),
              counts={"total": counts["total"], "area": dict(counts["area"]), "category": dict(counts["category"]),
                      "nature": dict(counts["nature"])})


@api.post("/notes/<int:note_id>/wall")
@defer_write_lock
def pull_note(note_id: int):
    """Facilitator: put a note on a workshop's board (`workshop_id`, `board_id`). 201 the
    item was made now, 200 it was there already."""
    workshop, result = street.put_on_wall(_actor(), note_id, body())
    return ok(201 if result.created else 200, workshop_id=workshop.id,
              item=changes.item_state(result.item, changes.STAFF, workshop.join_code))


@api.get("/media/<name>")
def media(name: str):
    """A street note's photo, for its author and for facilitators."""
    path = images.media_path(media_dir(), name)
    # Pictures never change under a name; a phone may keep them, a shared cache may not.
    return images.send_picture(path if street.may_see_picture(_actor(), name) else None,
                               "private, max-age=31536000, immutable")
