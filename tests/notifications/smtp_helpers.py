"""A real SMTP server for the notification stories (aiosmtpd on 127.0.0.1), and the names
the stories share."""
import socket
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

OFFICE_SENDER = "One Window KPS <owso-kps@example.gov.kh>"


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts; refuses addresses at gone.example."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@gone.example"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class MailServer:
    """A local SMTP server on a fixed free port, which a test can stop and start again."""

    def __init__(self):
        self.port = _free_port()
        self.mailbox = Mailbox()
        self._controller = None

    def start(self):
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self):
        return [message_from_bytes(e.content, policy=default_policy) for e in self.mailbox.envelopes]

    @property
    def recipients(self):
        return [e.rcpt_tos for e in self.mailbox.envelopes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
