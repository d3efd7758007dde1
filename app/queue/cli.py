import click
from flask import Blueprint

from ..accounts.services import find_office
from ..errors import cli_errors
from ..extensions import db
from .services import add_counter

queue_cli = Blueprint("queue_cli", __name__, cli_group="queue")


@queue_cli.cli.command("add-counter")
@click.argument("office_code")
@click.argument("name")
@cli_errors
def add_counter_command(office_code, name):
    """Add a counter NAME (e.g. "Counter 1") to the office; prints its code for the API."""
    counter = add_counter(find_office(office_code), name)
    db.session.commit()
    click.echo(f"{counter.code}: {counter.name}")
