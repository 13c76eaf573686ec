"""Workshop list, creation, renaming, closing, and what is shown to the room."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import joincodes, kiosk, phases, qr, votes, wall
from ..actors import Actor
from ..client_strings import strings_for_scripts
from ..contributions import NOTE_MAX_LENGTH
from ..extensions import db
from ..forms import show_problem
from ..models import Workshop
from ..network import lan_address, public_base_url
from ..problems import Problem
from ..votes import questions_of
from ..workshops import close_workshop, create_workshop, list_workshops, rename_workshop, reopen_workshop
from . import bp
from .forms import BoardForm, ConfirmForm, QuestionForm, RenameForm, WorkshopForm


def _workshop_or_404(workshop_id: int) -> Workshop:
    """:raise 404: no workshop with this id."""
    return db.get_or_404(Workshop, workshop_id)


def join_base_url() -> str:
    """The site's address for phones (with a trailing slash): the LAN address via localhost."""
    return public_base_url(request.host_url, current_app.config["JOIN_BASE_URL"], lan_address())


def join_url(workshop: Workshop, base: str | None = None) -> str:
    """The address a phone opens to join `workshop`, on `base` (default: `join_base_url()`)."""
    return (base or join_base_url()) + url_for("participant.join_link", code=workshop.join_code).lstrip("/")


def _room_view(template: str, workshop: Workshop, **context) -> str:
    """Render a page about joining `workshop`: its join URL, the base to type, the code."""
    base = join_base_url()
    return render_template(template, workshop=workshop, join_url=join_url(workshop, base),
                           join_base=base.rstrip("/"), code=joincodes.display(workshop.join_code), **context)


@bp.route("/", methods=["GET", "POST"])
def index():
    """The facilitator's home: their workshops, and a form to start a new one."""
    form = WorkshopForm()
    if form.validate_on_submit():
        try:
            workshop = create_workshop(form.title.data, form.place.data or "", form.language.data,
                                       created_by=current_user._get_current_object())
        except Problem as problem:
            show_problem(form, problem)
        else:
            flash(_("The workshop was created."))
            return redirect(url_for("facilitator.workshop", workshop_id=workshop.id), code=303)
    status = 422 if form.errors else 200
    return _index_page(form), status


@bp.route("/workshops/<int:workshop_id>", methods=["GET", "POST"])
def workshop(workshop_id: int):
    """One workshop: its join code and links for the room, and renaming it."""
    item = _workshop_or_404(workshop_id)
    form = RenameForm(obj=item)
    if form.validate_on_submit():
        try:
            rename_workshop(item, form.title.data)
        except Problem as problem:
            show_problem(form, problem)
        else:
            flash(_("The name was changed."))
            return redirect(url_for("facilitator.workshop", workshop_id=item.id), code=303)
    status = 422 if form.errors else 200
    return _room_view("facilitator/workshop.html", item, form=form, confirm=ConfirmForm(), board_form=BoardForm(),
                      question_form=QuestionForm(), boards=wall.boards(item), questions=questions_of(item),
                      kiosk_url=kiosk_url(item)), status


@bp.route("/workshops/<int:workshop_id>/close", methods=["GET", "POST"])
def close(workshop_id: int):
    """Ask for confirmation, then close the workshop to new participants."""
    item = _workshop_or_404(workshop_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        close_workshop(item)
        flash(_("The workshop was closed. You can open it again if you need to."))
        return redirect(url_for("facilitator.workshop", workshop_id=item.id), code=303)
    return render_template("facilitator/close.html", workshop=item, form=form)


@bp.post("/workshops/<int:workshop_id>/reopen")
def reopen(workshop_id: int):
    """Open a closed workshop again; its join code works again."""
    item = _workshop_or_404(workshop_id)
    if ConfirmForm().validate_on_submit():
        reopen_workshop(item)
        flash(_("The workshop is open again."))
    return redirect(url_for("facilitator.workshop", workshop_id=item.id), code=303)


@bp.get("/workshops/<int:workshop_id>/projector")
def projector(workshop_id: int):
    """A page for the projector: a very large QR code, the code in large letters, one line."""
    item = _workshop_or_404(workshop_id)
    with force_locale(item.language):  # the room reads it: the workshop's language
        return _room_view("facilitator/projector.html", item)


@bp.get("/workshops/<int:workshop_id>/wall")
def live_wall(workshop_id: int):
    """The live flip-chart wall for the projector, with the facilitator's tools."""
    item = _workshop_or_404(workshop_id)
    with force_locale(item.language):
        return _room_view("facilitator/wall.html", item, strings=strings_for_scripts(),
                          note_max_length=NOTE_MAX_LENGTH, present=request.args.get("present") == "1",
                          smileys=phases.smiley_labels(),
                          phase_names={phase.value: name for phase, name in phases.phase_names().items()})


@bp.post("/workshops/<int:workshop_id>/boards")
def add_board(workshop_id: int):
    """Add a board to the wall."""
    item = _workshop_or_404(workshop_id)
    form = BoardForm()
    if form.validate_on_submit():
        _apply(lambda: wall.create_board(item, _staff(), {"title": form.title.data}), _("The board was added."))
    else:
        _flash_errors(form)
    return _back_to(item, "boards-heading")


@bp.post("/workshops/<int:workshop_id>/boards/<int:board_id>/lock")
def lock_board(workshop_id: int, board_id: int):
    """Lock a board (no new notes, nothing taken back) or unlock it."""
    item = _workshop_or_404(workshop_id)
    if ConfirmForm().validate_on_submit():
        locked = request.form.get("locked") == "1"
        _apply(lambda: wall.update_board(item, _staff(), board_id, {"locked": locked}),
               _("The board was locked.") if locked else _("The board was opened."))
    return _back_to(item, "boards-heading")


@bp.post("/workshops/<int:workshop_id>/questions")
def add_question(workshop_id: int):
    """Start a dot vote."""
    item = _workshop_or_404(workshop_id)
    form = QuestionForm()
    if form.validate_on_submit():
        data = {"title": form.title.data, "options": form.options.data, "dots_per_person": form.dots_per_person.data}
        _apply(lambda: votes.create_question(item, _staff(), data), _("The vote was started."))
    else:
        _flash_errors(form)
    return _back_to(item, "votes-heading")


@bp.post("/workshops/<int:workshop_id>/questions/<int:question_id>/open")
def open_question(workshop_id: int, question_id: int):
    """Open or close a dot vote."""
    item = _workshop_or_404(workshop_id)
    if ConfirmForm().validate_on_submit():
        is_open = request.form.get("open") == "1"
        _apply(lambda: votes.set_open(item, _staff(), question_id, is_open),
               _("Voting is open.") if is_open else _("Voting is closed."))
    return _back_to(item, "votes-heading")


@bp.get("/workshops/<int:workshop_id>/kiosk-qr.svg")
def kiosk_qr_code(workshop_id: int):
    """The shared tablet's link as a QR code, for the tablet's camera."""
    item = _workshop_or_404(workshop_id)
    response = Response(qr.svg(kiosk_url(item)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def kiosk_url(workshop: Workshop) -> str:
    """The address that makes a device this workshop's shared tablet."""
    return join_base_url() + url_for("participant.kiosk_link", token=kiosk.token_for(workshop)).lstrip("/")


def _staff() -> Actor:
    return Actor(account=current_user._get_current_object())


def _apply(action, done_message: str) -> None:
    """Run a rule for the facilitator's form and say how it went."""
    try:
        action()
    except Problem as problem:
        flash(str(problem.message), "error")
    else:
        flash(done_message)


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


def _back_to(workshop: Workshop, anchor: str):
    return redirect(url_for("facilitator.workshop", workshop_id=workshop.id, _anchor=anchor), code=303)


@bp.get("/workshops/<int:workshop_id>/poster")
def poster(workshop_id: int):
    """The same as an A4 poster to print and put on the wall."""
    item = _workshop_or_404(workshop_id)
    with force_locale(item.language):
        return _room_view("facilitator/poster.html", item)


@bp.get("/workshops/<int:workshop_id>/qr.svg")
def qr_code(workshop_id: int):
    """The join URL as an SVG QR code."""
    item = _workshop_or_404(workshop_id)
    response = Response(qr.svg(join_url(item)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"  # the LAN address can change
    return response


@bp.get("/workshops/<int:workshop_id>/run")
def run(workshop_id: int):
    """Run the workshop (issue 4): the facilitator's control panel and dashboard.

    The page is a shell in the facilitator's own language; `static/js/run.js` follows the
    workshop live and drives it through the JSON API. The phases' names and the ways of
    taking part come from the rules, so the page names them as the phones do.
    """
    # Imported here so that this view stays one self-contained addition to the module.
    from ..phases import ORDER, participation_way_labels, phase_names, smiley_labels

    item = _workshop_or_404(workshop_id)
    names = phase_names()
    return render_template("facilitator/run.html", workshop=item, code=joincodes.display(item.join_code),
                           phases=[(phase.value, names[phase]) for phase in ORDER],
                           ways=dict(participation_way_labels()),
                           smileys={value: {"face": face, "words": words} for value, face, words in smiley_labels()},
                           strings=strings_for_scripts())


# -- Outreach workers (issue 5): their accounts, and keeping them out of the facilitator's side.
# Imports are inside the functions, as in run(), so this stays one self-contained addition.


@bp.before_request
def _facilitators_only():
    """Outreach workers and the social-reporting roles log in on the same page: the
    facilitator's home sends them to their own role's home, and everything else here is
    refused.

    :raise 403: someone not a facilitator asked for any other facilitator page.
    """
    from flask import abort

    from ..observe import home_endpoint

    if current_user.is_authenticated and not current_user.is_facilitator:
        if request.endpoint == "facilitator.index" and request.method == "GET":
            return redirect(url_for(home_endpoint(current_user)))
        abort(403)
    return None


@bp.post("/workers")
def add_worker():
    """Create an outreach worker's account (they log in on the phone with it)."""
    from ..accounts import create_account
    from ..auth.forms import AccountForm
    from ..models import Role

    worker_form = AccountForm(prefix="worker")
    if worker_form.validate_on_submit():
        try:
            account = create_account(worker_form.username.data, worker_form.password.data, Role.WORKER)
        except Problem as problem:
            show_problem(worker_form, problem)
        else:
            flash(_("The account %(name)s was created for an outreach worker. Tell them the name and the "
                    "password.", name=account.username))
            return redirect(url_for("facilitator.index", _anchor="workers-heading"), code=303)
    return _index_page(WorkshopForm(formdata=None), worker_form), 422


def _index_page(form, worker_form=None) -> str:
    """The facilitator's home with its forms: a new workshop and a new worker's account."""
    from ..accounts import accounts_with_role
    from ..auth.forms import AccountForm
    from ..models import Role

    return render_template("facilitator/index.html", form=form, workshops=list_workshops(),
                           worker_form=worker_form or AccountForm(prefix="worker", formdata=None),
                           workers=accounts_with_role(Role.WORKER))


# -- The data's lifecycle (issue 9): deleting a workshop, and the audit log.
# Imports are inside the functions, as above, so this stays one self-contained addition.


@bp.route("/workshops/<int:workshop_id>/delete", methods=["GET", "POST"])
def delete(workshop_id: int):
    """Say what deleting the workshop loses; delete it once its join code is typed."""
    from .. import lifecycle
    from .forms import DeleteWorkshopForm

    item = _workshop_or_404(workshop_id)
    form = DeleteWorkshopForm()
    if form.validate_on_submit():
        title = item.title
        try:
            lifecycle.delete_workshop(item, current_user._get_current_object(), form.code.data)
        except Problem as problem:
            show_problem(form, problem)
        else:
            flash(_("The workshop “%(title)s” and everything in it were deleted.", title=title))
            return redirect(url_for("facilitator.index"), code=303)
    status = 422 if form.errors else 200
    return render_template("facilitator/delete.html", workshop=item, form=form,
                           contents=lifecycle.contents_of(item), code=joincodes.display(item.join_code),
                           archive_command=lifecycle.archive_command(item)), status


@bp.get("/audit")
def audit():
    """The audit log: who deleted, purged, exported or imported which workshop, newest first."""
    from .. import lifecycle

    return render_template("facilitator/audit.html", events=lifecycle.audit_events(),
                           details_of=lifecycle.event_details, action_label=lifecycle.action_label,
                           detail_label=lifecycle.detail_label)
