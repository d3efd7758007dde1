import time

import click
from flask import Blueprint, current_app

from .scheduler import start_scheduler
from .services import sweep

timers_cli = Blueprint("timers", __name__, cli_group="timers")
scheduler_cli = Blueprint("scheduler", __name__, cli_group="scheduler")


@timers_cli.cli.command("sweep")
def sweep_command():
    """Fire every due timer now; print how many fired and how many cases failed (now incidents)."""
    result = sweep()
    click.echo(f"{result.fired} timer(s) fired, {result.failed} case(s) failed")


@scheduler_cli.cli.command("run")
def scheduler_run_command():
    """Run the timer sweep in this process until stopped (for deployments with several web workers)."""
    scheduler = start_scheduler(current_app._get_current_object())
    click.echo(f"Sweeping every {current_app.config['SWEEP_INTERVAL_SECONDS']} s; Ctrl-C to stop.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        scheduler.shutdown()
