from pathlib import Path

import click
from flask import Blueprint

from ..errors import cli_errors
from ..extensions import db
from .services import seed_catalogue

catalogue_cli = Blueprint("catalogue", __name__, cli_group="catalogue")


@catalogue_cli.cli.command("seed")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@cli_errors
def seed_command(file):
    """Publish the shipped services (catalogue/services.json) that are not in the catalogue yet."""
    added, kept = seed_catalogue(file)
    db.session.commit()
    click.echo(f"{added} service(s) published, {kept} already in the catalogue (left as the administrators made them)")
