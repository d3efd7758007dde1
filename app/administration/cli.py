import click
from flask import Blueprint

from ..errors import cli_errors
from ..extensions import db
from .services import create_office, create_user

offices_cli = Blueprint("offices", __name__, cli_group="offices")
users_cli = Blueprint("users", __name__, cli_group="users")


@offices_cli.cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--district", "district_code", help="District code; created if new (default: the office code).")
@cli_errors
def create_office_command(code, name, district_code):
    """Add an office (a district OWSO)."""
    office = create_office(code, name, district_code)
    db.session.commit()
    click.echo(f"Office {office.code} ({office.name}) in district {office.district.code}")


@users_cli.cli.command("create")
@click.argument("username")
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--office", "office_code", required=True)
@click.option("--name", "full_name", default="")
@click.option("--email", default=None)
@cli_errors
def create_user_command(username, password, roles, office_code, full_name, email):
    """Add a user with roles in an office."""
    user = create_user(username, password, list(roles), office_code, full_name, email)
    db.session.commit()
    click.echo(f"User {user.username}: {', '.join(sorted(user.roles))} at {user.office.code}")
