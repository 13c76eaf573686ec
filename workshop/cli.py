"""Command-line tools.

- `flask --app workshop facilitator create NAME [--role worker]`
- `flask --app workshop org import FILE [--check]`: the organisation of professionals'
  social reporting from a CSV or YAML file (docs/organisation.md)
- `flask --app workshop org account NAME --role handler|director|working_group|admin`
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from . import org
from .accounts import create_account
from .models import Role
from .observation_labels import role_labels
from .problems import Problem

facilitator_cli = AppGroup("facilitator", help="Manage facilitator accounts.")


@facilitator_cli.command("create")
@click.argument("name")
@click.password_option(help="The password (asked twice if not given).")
@click.option("--role", type=click.Choice([Role.FACILITATOR.value, Role.WORKER.value]), default=Role.FACILITATOR.value,
              show_default=True, help="worker: a street outreach worker, who only writes street notes.")
def create_facilitator(name: str, password: str, role: str) -> None:
    """Create a facilitator account (or with --role worker, an outreach worker's) called NAME."""
    try:
        create_account(name, password, Role(role))
    except Problem as problem:
        raise click.ClickException(str(problem.message)) from None
    if role == Role.WORKER.value:
        click.echo(_("Outreach worker account %(name)s was created.", name=name.strip()))
    else:
        click.echo(_("Facilitator account %(name)s was created.", name=name.strip()))


org_cli = AppGroup("org", help="The organisation of professionals' social reporting, and its accounts.")


@org_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--check", is_flag=True, help="Only check the file and say what would change; write nothing.")
def import_organisation(file: str, check: bool) -> None:
    """Merge the sectors, units, areas and services in FILE (.csv, .yaml or .yml) into the
    settings. Nothing is deleted; a file with any error is not imported at all."""
    with open(file, "rb") as opened:
        content = opened.read()
    try:
        summary = org.import_settings(content, file, dry_run=check)
    except org.ImportRefused as refused:
        for error in refused.errors:
            click.echo(error, err=True)
        click.echo(ngettext("The file has %(num)d error. Nothing was imported.",
                            "The file has %(num)d errors. Nothing was imported.", len(refused.errors)), err=True)
        raise click.exceptions.Exit(1) from None
    names = {"organisation": _("Organisation"), "sector": _("Sectors"), "unit": _("Units"), "area": _("Areas"),
             "service": _("Services")}
    if check:
        click.echo(_("The file has no errors. Importing it would change this (nothing was written):"))
    else:
        click.echo(_("The file was imported."))
    for kind, counts in summary.counts.items():
        if any(counts.values()):
            click.echo("  " + _("%(kind)s: %(added)d added, %(updated)d updated, %(unchanged)d unchanged",
                                kind=names[kind], **counts))


@org_cli.command("account")
@click.argument("name")
@click.password_option(help="The password (asked twice if not given).")
@click.option("--role", type=click.Choice([role.value for role in org.SETTINGS_ROLES]), required=True,
              help="handler: a unit's supervisor; director: a sector's director; working_group: writes the "
                   "summaries; admin: keeps the organisation settings.")
def create_org_account(name: str, password: str, role: str) -> None:
    """Create an account called NAME for professionals' social reporting (the first admin, say)."""
    try:
        org.create_staff_account({"username": name, "password": password, "role": role})
    except Problem as problem:
        raise click.ClickException(str(problem.message)) from None
    labels = dict(role_labels())
    click.echo(_("The account %(name)s (%(role)s) was created.", name=name.strip(), role=labels[role]))


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    app.cli.add_command(facilitator_cli)
    app.cli.add_command(org_cli)
