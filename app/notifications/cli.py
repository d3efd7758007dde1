import click
from flask import Blueprint

from .services import email_configured, pending_count, send_pending
from .sms import sms_configured

notifications_cli = Blueprint("notifications_cli", __name__, cli_group="notifications")


@notifications_cli.cli.command("send")
@click.option("--batch", default=50, show_default=True, help="Send at most this many emails (and as many SMS).")
def send_command(batch):
    """Send the notification emails and SMS that are due now and print how many were sent and failed."""
    if not email_configured() and not sms_configured():
        click.echo(f"Neither email (SMTP_HOST) nor SMS (SMS_GATEWAY_URL) is configured; {pending_count()} "
                   "message(s) wait.")
        return
    sent, failed = send_pending(batch=batch)
    click.echo(f"{sent} message(s) sent, {failed} failed (retried later); {pending_count()} still pending.")
