"""Command-line tools: `flask --app workshop facilitator create NAME`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _

from .accounts import create_account
from .problems import Problem

facilitator_cli = AppGroup("facilitator", help="Manage facilitator accounts.")


@facilitator_cli.command("create")
@click.argument("name")
@click.password_option(help="The password (asked twice if not given).")
def create_facilitator(name: str, password: str) -> None:
    """Create a facilitator account called NAME."""
    try:
        create_account(name, password)
    except Problem as problem:
        raise click.ClickException(str(problem.message)) from None
    click.echo(_("Facilitator account %(name)s was created.", name=name.strip()))


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    app.cli.add_command(facilitator_cli)
