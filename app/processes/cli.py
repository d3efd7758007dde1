from pathlib import Path

import click
from flask import Blueprint

from ..decisions.services import DecisionDeployment
from ..errors import cli_errors
from ..extensions import db
from .services import deploy, deploy_directory

bpmn_cli = Blueprint("bpmn", __name__, cli_group="bpmn")


@bpmn_cli.cli.command("deploy")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@cli_errors
def deploy_command(files):
    """Validate and deploy diagrams and .dmn decision tables (default: every file in bpmn/), all
    together: a diagram may call a procedure or evaluate a table deployed in the same run. All or nothing."""
    if files:
        deployments = deploy([(path.name, path.read_bytes()) for path in files])
    else:
        deployments = deploy_directory()
    db.session.commit()
    for d in deployments:
        state = "deployed" if d.created else "unchanged"
        kind = "decision table " if isinstance(d, DecisionDeployment) else ""
        click.echo(f"{kind}{d.definition.key} version {d.definition.version}: {state} ({d.definition.filename})")
