"""Command-line tools: `flask --app workshop facilitator create NAME [--role worker]`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _

from .accounts import create_account
from .models import Role
from .problems import Problem

facilitator_cli = AppGroup("facilitator", help="Manage facilitator accounts.")


@facilitator_cli.command("create")
@click.argument("name")
@click.password_option(help="The password (asked twice if not given).")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.FACILITATOR.value,
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


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    app.cli.add_command(facilitator_cli)
