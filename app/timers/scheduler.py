import logging
import os

import click
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from ..notifications.services import outbox_job
from .services import sweep

log = logging.getLogger(__name__)


def _sweep_job(app: Flask) -> None:
    with app.app_context():
        try:
            result = sweep()
        except Exception:
            log.exception("timer sweep failed; the next sweep retries")
            return
        if result.fired or result.failed:
            log.info("timer sweep fired %d timer(s); %d case(s) failed", result.fired, result.failed)


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """The timer sweep, and the email outbox beside it, in a background thread of this process."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(_sweep_job, "interval", args=[app], seconds=app.config["SWEEP_INTERVAL_SECONDS"],
                      id="timer-sweep", max_instances=1, coalesce=True)
    scheduler.add_job(outbox_job, "interval", args=[app], seconds=app.config["OUTBOX_INTERVAL_SECONDS"],
                      id="email-outbox", max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler


def serving_with_flask_run(app: Flask) -> bool:
    """True in the one process that serves `flask run` (the reloader's child, never its parent)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.info_name != "run":
        return False
    return not app.debug or os.environ.get("WERKZEUG_RUN_MAIN") == "true"
