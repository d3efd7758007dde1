import click
from flask import Blueprint

from ..errors import cli_errors
from .migration import migrate_cases

cases_cli = Blueprint("cases_cli", __name__, cli_group="cases")


@cases_cli.cli.command("migrate")
@click.argument("key")
@click.option("--to", "to_version", type=click.IntRange(min=1), help="the version to move to (default: the latest)")
@click.option("--dry-run", is_flag=True, help="only say which cases could move and why the others cannot")
@cli_errors
def migrate_command(key, to_version, dry_run):
    """Move the running cases of procedure KEY to another version, each case in its own transaction."""
    report = migrate_cases(key, to_version, dry_run, actor=None)
    verb = "can move" if dry_run else "moved"
    for number in report.movable:
        click.echo(f"{number}: {verb} to version {report.to_version}")
    for blocked in report.blocked:
        click.echo(f"{blocked['case_number']}: stays, because {blocked['reason']}")
    click.echo(f"{len(report.movable)} case(s) {verb} to version {report.to_version}, "
               f"{len(report.blocked)} cannot")
