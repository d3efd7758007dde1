import sys

import click
import sqlalchemy as sa
from flask import Blueprint

from ..extensions import db
from .services import history_breaks

audit_cli = Blueprint("audit", __name__, cli_group="audit")


@audit_cli.cli.command("verify")
def verify_command():
    """Check every case's hash-chained history; name each one that was changed or cut."""
    breaks = list(history_breaks())
    # The case table by name: audit sits below cases and does not import it.
    cases = sa.table("case", sa.column("id"), sa.column("number"))
    numbers = dict(db.session.execute(sa.select(cases.c.id, cases.c.number).where(
        cases.c.id.in_([b.case_id for b in breaks if b.case_id is not None]))).all())
    for found in breaks:
        where = (f"case {numbers.get(found.case_id, '?')} (id {found.case_id})" if found.case_id is not None
                 else "an event without a case")
        at = f" at event {found.event_id}" if found.event_id is not None else ""
        click.echo(f"{where}: {found.problem}{at}")
    if breaks:
        click.echo(f"{len(breaks)} histories do not verify", err=True)
        sys.exit(1)
    click.echo("every history verifies")
