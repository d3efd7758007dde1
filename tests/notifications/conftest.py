"""Fixtures for the notification stories: a real SMTP server on 127.0.0.1 (aiosmtpd) and
the app's SMTP settings pointed at it for one test."""
import pytest

from smtp_helpers import OFFICE_SENDER, MailServer


@pytest.fixture
def smtp_settings(app, monkeypatch):
    """Set SMTP settings for this test only (app.config lives for the whole session)."""
    def configure(**settings):
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
    configure(SMTP_HOST="", SMTP_USER="", SMTP_PASSWORD="", SMTP_STARTTLS=False, MAIL_FROM=OFFICE_SENDER)
    return configure


@pytest.fixture
def mail_server(smtp_settings):
    """The office's mail server, running; the app is configured to send through it."""
    server = MailServer()
    server.start()
    smtp_settings(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port)
    yield server
    server.stop()
