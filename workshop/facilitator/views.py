"""Workshop list, creation, renaming, closing, and what is shown to the room."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import joincodes, qr
from ..extensions import db
from ..forms import show_problem
from ..models import Workshop
from ..network import lan_address, public_base_url
from ..problems import Problem
from ..workshops import close_workshop, create_workshop, list_workshops, rename_workshop, reopen_workshop
from . import bp
from .forms import ConfirmForm, RenameForm, WorkshopForm


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
    return render_template("facilitator/index.html", form=form, workshops=list_workshops()), status


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
    return _room_view("facilitator/workshop.html", item, form=form, confirm=ConfirmForm()), status


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
