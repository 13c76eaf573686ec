"""The admin's organisation settings (issue 7): `/org/`, ADMIN only (checked by the blueprint).

- `org.index` `/org/`: the organisation's name, the form's address and QR code, a new key.
- `org.units` `/org/units`: sectors with their directors, units with their supervisors.
- `org.areas` `/org/areas`: municipalities and the areas inside them.
- `org.services` `/org/services`: the services a reporter chooses from.
- `org.accounts` `/org/accounts`: the accounts of the reporting roles.

Each page's forms POST back to it with an `action` (and the row's `item_id`). A refusal
shows the page again with the message beside the field (422); success flashes and goes
back to the row (303), so a reload never sends a form twice. The rules are in `org.py`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, PasswordField, SelectField, StringField

from .. import org, qr
from ..accounts import MAX_USERNAME_LENGTH, MIN_PASSWORD_LENGTH, accounts_with_role
from ..forms import show_problem
from ..models import Role
from ..network import public_base_url
from ..observation_labels import role_labels
from ..problems import Problem
from . import org_bp


# -- forms ----------------------------------------------------------------------------------
# Lengths and choices are checked by the rules, which say what is wrong beside the field;
# a form here only fails on a missing CSRF token.

def _select(label, description=None) -> SelectField:
    return SelectField(label, description=description, validate_choice=False)


class OrganisationForm(FlaskForm):
    """The organisation's name."""

    name = StringField(_l("Name of the organisation (required)"),
                       render_kw={"maxlength": org.ORGANISATION_NAME_MAX_LENGTH},
                       description=_l("For example: Satakunnan hyvinvointialue. It is shown on the reporting form."))


class RenewKeyForm(FlaskForm):
    """A new form key, after ticking that the old address stops working."""

    confirm = BooleanField(_l("I understand that the old address and QR code stop working at once"))


class ConfirmForm(FlaskForm):
    """An empty form: a button whose POST carries the CSRF token (retire, reactivate)."""


class SectorForm(FlaskForm):
    """A sector's name and director."""

    name = StringField(_l("Name of the sector (required)"), render_kw={"maxlength": org.NAME_MAX_LENGTH})
    director = _select(_l("Director"), _l("Gets every report of the sector's units. Only accounts with the "
                                           "director's role are listed."))


class UnitForm(FlaskForm):
    """A unit's name, sector and supervisor."""

    name = StringField(_l("Name of the unit (required)"), render_kw={"maxlength": org.NAME_MAX_LENGTH})
    sector = _select(_l("Sector (required)"))
    supervisor = _select(_l("Supervisor"), _l("Handles the unit's reports. Only accounts with the supervisor's "
                                               "role are listed."))


class AreaForm(FlaskForm):
    """An area's name and the municipality it is inside."""

    name = StringField(_l("Name of the area (required)"), render_kw={"maxlength": org.NAME_MAX_LENGTH})
    municipality = _select(_l("Inside the municipality"),
                           _l("Choose “None” for a municipality. Areas go one level deep: an area inside a "
                              "municipality cannot have areas inside it."))


class ServiceForm(FlaskForm):
    """A service's name."""

    name = StringField(_l("Name of the service (required)"), render_kw={"maxlength": org.NAME_MAX_LENGTH})


class AccountForm(FlaskForm):
    """A new account of a reporting role: name, role and password typed twice."""

    username = StringField(_l("User name (required)"), render_kw={
        "maxlength": MAX_USERNAME_LENGTH, "autocomplete": "off", "autocapitalize": "none"})
    role = _select(_l("Role (required)"))
    password = PasswordField(_l("Password (required)"), render_kw={"autocomplete": "new-password"},
                             description=_l("At least %(count)d characters. Give it to the person yourself; "
                                            "it is not sent anywhere.", count=MIN_PASSWORD_LENGTH))
    password_again = PasswordField(_l("Password again (required)"), render_kw={"autocomplete": "new-password"})


# -- handling a page's forms ------------------------------------------------------------------


@dataclass
class _Action:
    """What one `action` of a page does: the form it posts and the rule it runs.

    `form(item_id, formdata)` makes the form (`formdata=None`: empty, for showing);
    `run(form, item_id)` returns the anchor to go back to and the message to flash.
    """

    form: Callable
    run: Callable
    needs_item: bool = False


@dataclass
class _Refused:
    action: str
    item_id: int | None
    form: FlaskForm


class _Forms:
    """A page's forms: new empty ones, except the one a refused POST filled in."""

    def __init__(self, actions: dict[str, _Action], refused: _Refused | None):
        self.actions = actions
        self.refused = refused

    def get(self, action: str, item_id: int | None = None) -> FlaskForm:
        """The form of `action` (for row `item_id`), the refused one if it was this."""
        if self.is_refused(action, item_id):
            return self.refused.form
        return self.actions[action].form(item_id, None)

    def is_refused(self, action: str, item_id: int | None = None) -> bool:
        """Whether this form was the refused one (its `<details>` is shown open)."""
        return self.refused is not None and self.refused.action == action and self.refused.item_id == item_id


def _handle(endpoint: str, actions: dict[str, _Action], render: Callable[[_Forms], str]):
    """GET shows the page; POST runs the posted action's rule and answers 303 or 422."""
    refused = None
    if request.method == "POST":
        action_name = request.form.get("action", "")
        action = actions.get(action_name)
        raw_id = request.form.get("item_id", "")
        item_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 16 else None
        form = None
        if action is not None and (item_id is not None or not action.needs_item):
            form = action.form(item_id, request.form)
        if form is None or not form.validate_on_submit():
            # A missing CSRF token (a page left open overnight) or a forged action.
            flash(_("Something in the request was not right. Please try again."), "error")
            return redirect(url_for(endpoint), code=303)
        try:
            anchor, message = action.run(form, item_id)
        except Problem as problem:
            if problem.status == 404:
                flash(str(problem.message), "error")
                return redirect(url_for(endpoint), code=303)
            show_problem(form, problem)
            refused = _Refused(action_name, item_id, form)
        else:
            flash(message)
            return redirect(url_for(endpoint, _anchor=anchor), code=303)
    return render(_Forms(actions, refused)), 422 if refused else 200


def _bound(form_class, prefix: str, formdata, **data) -> FlaskForm:
    """A form with its prefix: bound to the POST, or empty (`formdata=None`) with `data`."""
    if formdata is None:
        return form_class(formdata=None, prefix=prefix, data=data)
    return form_class(prefix=prefix)


def _toggle(kind: str) -> tuple[str, _Action, str, _Action]:
    """The retire and reactivate actions of `kind` (sector, unit, area, service)."""
    def form(item_id, formdata):
        return _bound(ConfirmForm, f"{kind}-toggle-{item_id}", formdata)

    def runner(active: bool):
        def run(_form, item_id):
            row = org.set_active(kind, item_id, active)
            message = (_("%(name)s is on the form again.", name=row.name) if active
                       else _("%(name)s was retired: it is no longer on the form.", name=row.name))
            return f"{kind}-{row.id}", message
        return run

    return (f"{kind}-retire", _Action(form, runner(False), needs_item=True),
            f"{kind}-reactivate", _Action(form, runner(True), needs_item=True))


def _toggles(*kinds: str) -> dict[str, _Action]:
    actions = {}
    for kind in kinds:
        retire, retire_action, reactivate, reactivate_action = _toggle(kind)
        actions[retire], actions[reactivate] = retire_action, reactivate_action
    return actions


def _id_or_empty(value) -> str:
    return "" if value is None else str(value)


def _account_choices(role: Role, current, none_label) -> list[tuple[str, str]]:
    """Active accounts of `role` by name, after "none"; a deactivated current one is kept, marked."""
    choices = [("", str(none_label))]
    for account in accounts_with_role(role):
        if account.active:
            choices.append((str(account.id), account.username))
        elif current is not None and account.id == current:
            choices.append((str(account.id), _("%(name)s (deactivated)", name=account.username)))
    return choices


# -- the overview: name, form address, QR code, new key ---------------------------------------


def form_address(form_key: str) -> str:
    """The reporting form's full address for the intranet link and the QR code.

    On the configured public address (JOIN_BASE_URL), else the one the admin is using.
    """
    base = public_base_url(request.host_url, current_app.config.get("JOIN_BASE_URL"), None)
    if "observe.form" in current_app.view_functions:
        path = url_for("observe.form", form_key=form_key)
    else:  # the form's page is not there yet: its address is fixed by the blueprint
        path = "/observe/" + form_key
    return base + path.lstrip("/")


def _index_actions() -> dict[str, _Action]:
    def name_form(_item_id, formdata):
        found = org.organisation()
        return _bound(OrganisationForm, "organisation", formdata, name=found.name if found else "")

    def rename(form, _item_id):
        org.set_organisation_name({"name": form.name.data})
        return "name-heading", _("The organisation's name was saved.")

    def renew(form, _item_id):
        if not form.confirm.data:
            raise Problem(_l("Tick the box first: the old address stops working."), field="confirm", status=422)
        org.renew_form_key()
        return "address-heading", _("The form has a new address. Update the intranet link and print the new QR code.")

    return {"organisation-name": _Action(name_form, rename),
            "renew-key": _Action(lambda _item_id, formdata: _bound(RenewKeyForm, "renew", formdata), renew)}


@org_bp.route("/", methods=["GET", "POST"], endpoint="index")
def index():
    """The organisation's name, the reporting form's address and QR code, and a new key."""
    def render(forms: _Forms) -> str:
        found = org.ensure_organisation()
        address = form_address(found.form_key)
        return render_template(
            "observe/org_index.html", organisation=found, address=address, qr_svg=Markup(qr.svg(address)),
            name_form=forms.get("organisation-name"), renew_form=forms.get("renew-key"),
            counts={"sectors": len(org.all_sectors()), "units": len(org.all_units()),
                    "areas": sum(1 + len(inner) for _area, inner in org.area_tree()),
                    "services": len(org.all_services()),
                    "accounts": sum(len(accounts) for _role, accounts in org.staff_accounts())})

    return _handle("org.index", _index_actions(), render)


# -- sectors and units ------------------------------------------------------------------------


def _unit_actions() -> dict[str, _Action]:
    sectors = {sector.id: sector for sector in org.all_sectors()}
    units = {unit.id: unit for sector in sectors.values() for unit in sector.units}

    def sector_form(item_id, formdata):
        sector = sectors.get(item_id)
        form = _bound(SectorForm, f"sector-edit-{item_id}" if item_id else "sector-add", formdata,
                      name=sector.name if sector else "", director=_id_or_empty(sector.director_id if sector else None))
        form.director.choices = _account_choices(Role.DIRECTOR, sector.director_id if sector else None,
                                                 _l("No director"))
        return form

    def unit_form(item_id, formdata):
        unit = units.get(item_id)
        form = _bound(UnitForm, f"unit-edit-{item_id}" if item_id else "unit-add", formdata,
                      name=unit.name if unit else "", sector=_id_or_empty(unit.sector_id if unit else None),
                      supervisor=_id_or_empty(unit.supervisor_id if unit else None))
        form.sector.choices = ([] if unit else [("", _("Choose the sector"))]) + [
            (str(sector.id), sector.name if sector.active else _("%(name)s (retired)", name=sector.name))
            for sector in sectors.values() if sector.active or (unit is not None and unit.sector_id == sector.id)]
        form.supervisor.choices = _account_choices(Role.HANDLER, unit.supervisor_id if unit else None,
                                                   _l("No supervisor"))
        return form

    def sector_values(form):
        return {"name": form.name.data, "director": form.director.data}

    def unit_values(form):
        return {"name": form.name.data, "sector": form.sector.data, "supervisor": form.supervisor.data}

    def add_sector(form, _item_id):
        sector = org.add_sector(sector_values(form))
        return f"sector-{sector.id}", _("The sector %(name)s was added.", name=sector.name)

    def edit_sector(form, item_id):
        sector = org.update_sector(item_id, sector_values(form))
        return f"sector-{sector.id}", _("The sector %(name)s was saved.", name=sector.name)

    def add_unit(form, _item_id):
        unit = org.add_unit(unit_values(form))
        return f"unit-{unit.id}", _("The unit %(name)s was added.", name=unit.name)

    def edit_unit(form, item_id):
        unit = org.update_unit(item_id, unit_values(form))
        return f"unit-{unit.id}", _("The unit %(name)s was saved.", name=unit.name)

    return {"sector-add": _Action(sector_form, add_sector), "sector-edit": _Action(sector_form, edit_sector, True),
            "unit-add": _Action(unit_form, add_unit), "unit-edit": _Action(unit_form, edit_unit, True),
            **_toggles("sector", "unit")}


@org_bp.route("/units", methods=["GET", "POST"], endpoint="units")
def units_page():
    """The sectors with their directors and units with their supervisors; add, edit, retire."""
    return _handle("org.units", _unit_actions(),
                   lambda forms: render_template("observe/org_units.html", sectors=org.all_sectors(), forms=forms))


# -- areas ------------------------------------------------------------------------------------


def _area_actions() -> dict[str, _Action]:
    tree = org.area_tree()
    areas = {area.id: area for municipality, inner in tree for area in (municipality, *inner)}

    def area_form(item_id, formdata):
        area = areas.get(item_id)
        form = _bound(AreaForm, f"area-edit-{item_id}" if item_id else "area-add", formdata,
                      name=area.name if area else "", municipality=_id_or_empty(area.municipality_id if area else None))
        current = area.municipality_id if area else None
        form.municipality.choices = [("", _("None: this is a municipality"))] + [
            (str(municipality.id),
             municipality.name if municipality.active else _("%(name)s (retired)", name=municipality.name))
            for municipality, _inner in tree
            if (area is None or municipality.id != area.id) and (municipality.active or municipality.id == current)]
        return form

    def values(form):
        return {"name": form.name.data, "municipality": form.municipality.data}

    def add(form, _item_id):
        area = org.add_area(values(form))
        return f"area-{area.id}", _("The area %(name)s was added.", name=area.name)

    def edit(form, item_id):
        area = org.update_area(item_id, values(form))
        return f"area-{area.id}", _("The area %(name)s was saved.", name=area.name)

    return {"area-add": _Action(area_form, add), "area-edit": _Action(area_form, edit, True), **_toggles("area")}


@org_bp.route("/areas", methods=["GET", "POST"], endpoint="areas")
def areas_page():
    """The municipalities and the areas inside them; add, edit, retire."""
    return _handle("org.areas", _area_actions(),
                   lambda forms: render_template("observe/org_areas.html", tree=org.area_tree(), forms=forms))


# -- services ---------------------------------------------------------------------------------


def _service_actions() -> dict[str, _Action]:
    services = {service.id: service for service in org.all_services()}

    def service_form(item_id, formdata):
        service = services.get(item_id)
        return _bound(ServiceForm, f"service-edit-{item_id}" if item_id else "service-add", formdata,
                      name=service.name if service else "")

    def add(form, _item_id):
        service = org.add_service({"name": form.name.data})
        return f"service-{service.id}", _("The service %(name)s was added.", name=service.name)

    def edit(form, item_id):
        service = org.update_service(item_id, {"name": form.name.data})
        return f"service-{service.id}", _("The service %(name)s was saved.", name=service.name)

    return {"service-add": _Action(service_form, add), "service-edit": _Action(service_form, edit, True),
            **_toggles("service")}


@org_bp.route("/services", methods=["GET", "POST"], endpoint="services")
def services_page():
    """The services a reporter chooses from; add, rename, retire."""
    return _handle("org.services", _service_actions(),
                   lambda forms: render_template("observe/org_services.html", services=org.all_services(),
                                                 forms=forms))


# -- accounts ---------------------------------------------------------------------------------


def _account_actions() -> dict[str, _Action]:
    def account_form(_item_id, formdata):
        form = _bound(AccountForm, "account-add", formdata, role=Role.HANDLER.value)
        labels = dict(role_labels())
        form.role.choices = [(role.value, labels[role.value]) for role in org.SETTINGS_ROLES]
        return form

    def add(form, _item_id):
        account = org.create_staff_account({"username": form.username.data or "", "password": form.password.data or "",
                                            "password_again": form.password_again.data or "",
                                            "role": form.role.data})
        return f"account-{account.id}", _("The account %(name)s was created.", name=account.username)

    def toggle_form(item_id, formdata):
        return _bound(ConfirmForm, f"account-toggle-{item_id}", formdata)

    def runner(active: bool):
        def run(_form, item_id):
            account = org.set_account_active(current_user._get_current_object(), item_id, active)
            message = (_("%(name)s can log in again.", name=account.username) if active
                       else _("%(name)s was deactivated and can no longer log in.", name=account.username))
            return f"account-{account.id}", message
        return run

    return {"account-add": _Action(account_form, add),
            "account-deactivate": _Action(toggle_form, runner(False), True),
            "account-reactivate": _Action(toggle_form, runner(True), True)}


@org_bp.route("/accounts", methods=["GET", "POST"], endpoint="accounts")
def accounts_page():
    """The accounts of the reporting roles, what each receives; add, deactivate, reactivate."""
    def render(forms: _Forms) -> str:
        receives: dict[int, list[str]] = {}
        for sector in org.all_sectors():
            if sector.director_id is not None and sector.active:
                receives.setdefault(sector.director_id, []).append(sector.name)
            for unit in sector.units:
                if unit.supervisor_id is not None and unit.active and sector.active:
                    receives.setdefault(unit.supervisor_id, []).append(unit.name)
        return render_template("observe/org_accounts.html", groups=org.staff_accounts(), receives=receives,
                               role_names=dict(role_labels()), forms=forms)

    return _handle("org.accounts", _account_actions(), render)
