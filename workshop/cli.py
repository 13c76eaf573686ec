"""Command-line tools.

- `flask --app workshop facilitator create NAME [--role worker]`
- `flask --app workshop org import FILE [--check]`: the organisation of professionals'
  social reporting from a CSV or YAML file (docs/organisation.md)
- `flask --app workshop org account NAME --role handler|director|working_group|admin`
- `flask --app workshop archive export CODE [-o FILE]` and `archive import FILE`: one
  workshop's data, pictures and report files in one zip, to keep or to move (`archive.py`)
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from . import archive, org
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


archive_cli = AppGroup("archive", help="Back up a workshop to one file, and restore it here or on another machine.")


@archive_cli.command("export")
@click.argument("code")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="The file to write (default: kuulluksi-CODE-YYYYMMDD.zip in the current folder).")
def export_archive(code: str, output: str | None) -> None:
    """Write everything of the workshop with the join code CODE into one zip file: its data,
    pictures, report versions and the published report's files.

    Staff accounts are written by their user name only (no passwords): see `archive import`."""
    try:
        exported = archive.export_workshop(code, output)
    except Problem as problem:
        raise click.ClickException(str(problem.message)) from None
    rows = sum(exported.counts.values())
    click.echo(_("The workshop was saved to %(file)s (%(rows)d rows, %(pictures)d picture files).",
                 file=str(exported.path), rows=rows, pictures=exported.pictures))
    if exported.missing_pictures:
        click.echo(ngettext("%(num)d picture file was not found and is not in the archive.",
                            "%(num)d picture files were not found and are not in the archive.",
                            len(exported.missing_pictures)), err=True)


@archive_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--new-code", is_flag=True,
              help="Give the workshop a new join code if a workshop here has its code already.")
@click.option("--owner", metavar="NAME",
              help="The account to link rows to whose account is not on this machine.")
def import_archive(file: str, new_code: bool, owner: str | None) -> None:
    """Restore the workshop in FILE (made by `archive export`) with all its pictures and
    report files. Everything is imported or, on any error, nothing.

    The file is checked first: its checksums, and that it was made at this database's
    migration. Accounts are per machine: a row made by an account (the facilitator who
    created the workshop, a typed-in note, a street note) is linked to the account here with
    the same user name; if there is none, to the --owner account; without --owner it is left
    without an account where it may be, and the import is refused where it may not (a
    street note needs its writer)."""
    try:
        imported = archive.import_workshop(file, new_code=new_code, owner=owner)
    except Problem as problem:
        raise click.ClickException(str(problem.message)) from None
    for warning in imported.warnings:
        click.echo(warning, err=True)
    click.echo(_("The workshop %(title)s was imported with the join code %(code)s (%(rows)d rows, "
                 "%(pictures)d picture files).", title=imported.title, code=imported.code,
                 rows=sum(imported.counts.values()), pictures=imported.pictures))


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    app.cli.add_command(facilitator_cli)
    app.cli.add_command(org_cli)
    app.cli.add_command(archive_cli)
