from pathlib import Path

import click
from flask import Blueprint

from ..accounts.services import find_office
from ..errors import cli_errors
from ..extensions import db
from .holiday_files import NATIONAL_HOLIDAYS_CSV
from .services import import_holiday_file, import_national_holidays

holidays_cli = Blueprint("holidays", __name__, cli_group="holidays")


@holidays_cli.cli.command("import")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--office", "office_code", help="Import the file as this office's own closures.")
@click.option("--national", is_flag=True, help="Load Cambodia's public holidays shipped with One Window "
                                               "(the default when no FILE is given).")
@cli_errors
def import_command(file, office_code, national):
    """Import holidays from a CSV (date,name) or iCalendar (.ics) FILE.

    Without --office the days are national holidays (every office is closed); with it,
    they are that office's own closures. Without FILE, the shipped national list is loaded.
    Importing the same file again adds nothing; a bad file imports nothing.
    """
    if file is not None and national:
        raise click.UsageError("Give a FILE or --national, not both.")
    if file is None:
        if office_code:
            raise click.UsageError("--office needs a FILE of that office's closures.")
        added, updated = import_national_holidays()
        what = f"national holidays from {NATIONAL_HOLIDAYS_CSV.name} (shipped with One Window)"
    else:
        office = find_office(office_code.strip().upper()) if office_code else None
        added, updated = import_holiday_file(file.name, file.read_bytes(), office)
        what = (f"closures of {office.code}" if office else "national holidays") + f" from {file.name}"
    db.session.commit()
    click.echo(f"Imported {what}: {added} added, {updated} updated.")
