import click
from flask import Blueprint
from sqlalchemy import select

from ..accounts.models import Office
from ..errors import NotFound, cli_errors
from ..extensions import db
from . import keys
from .services import published_keys

certificates_cli = Blueprint("certificates_cli", __name__, cli_group="certificates")


@certificates_cli.cli.command("rotate-key")
@click.argument("office_code")
@cli_errors
def rotate_key(office_code):
    """Retire OFFICE_CODE's signing key and make a new one (old certificates still verify)."""
    office = db.session.scalars(select(Office).where(Office.code == office_code)).first()
    if office is None:
        raise NotFound(f"There is no office {office_code!r}.")
    key = keys.new_key(office)
    db.session.commit()
    click.echo(f"{office.code} now signs with {key.key_id}; its private key is {keys.key_dir() / key.key_id}.pem")


@certificates_cli.cli.command("keys")
def list_keys():
    """List every published signing key."""
    for key in published_keys():
        state = f"retired {key['retired_at']}" if key["retired_at"] else "active"
        click.echo(f"{key['office']}  {key['key_id']}  {state}  {key['public_key']}")
