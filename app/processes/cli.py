from pathlib import Path

import click
from flask import Blueprint

from ..errors import cli_errors
from ..extensions import db
from .services import deploy, deploy_directory

bpmn_cli = Blueprint("bpmn", __name__, cli_group="bpmn")


@bpmn_cli.cli.command("deploy")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@cli_errors
def deploy_command(files):
    """Validate and deploy diagrams (default: every file in bpmn/). All or nothing."""
    if files:
        deployments = deploy([(path.name, path.read_bytes()) for path in files])
    else:
        deployments = deploy_directory()
    db.session.commit()
    for d in deployments:
        state = "deployed" if d.created else "unchanged"
        click.echo(f"{d.definition.key} version {d.definition.version}: {state} ({d.definition.filename})")
