import click
from flask import Blueprint

from .services import email_configured, pending_count, send_pending

notifications_cli = Blueprint("notifications_cli", __name__, cli_group="notifications")


@notifications_cli.cli.command("send")
@click.option("--batch", default=50, show_default=True, help="Send at most this many emails.")
def send_command(batch):
    """Send the notification emails that are due now and print how many were sent and failed."""
    if not email_configured():
        click.echo(f"Email is not configured (set SMTP_HOST); {pending_count()} email(s) wait.")
        return
    sent, failed = send_pending(batch=batch)
    click.echo(f"{sent} email(s) sent, {failed} failed (retried later); {pending_count()} still pending.")
