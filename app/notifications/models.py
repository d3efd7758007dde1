from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db


class Notification(db.Model):
    """A message to one person: staff see theirs in the app, also emailed when SMTP is configured;
    a citizen (no account: user_id empty) gets it at ``address`` by email or SMS (``medium``).

    email_status is the delivery status whatever the medium: "none" (no address, or the medium
    is not configured), "pending" (to send or retry), "sent", "failed" (gave up after the last
    attempt; still visible as failed).
    """
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(200))  # a citizen's email address or E.164 phone
    medium: Mapped[str] = mapped_column(String(10), default="email")  # email, sms
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    kind: Mapped[str] = mapped_column(String(40))
    # What it says is told from its kind and these (numbers, names, keys), in the reader's language,
    # whenever it is shown or sent (services.told); never stored as words.
    params: Mapped[dict | None] = mapped_column(JSON)
    # Only rows from before notifications kept their parameters, of a kind whose words the migration
    # could not read back: the words they were recorded with (in English).
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_status: Mapped[str] = mapped_column(String(20), default="none")
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_last_error: Mapped[str | None] = mapped_column(Text)
    email_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()
    # Named, not imported: cases sit above notifications (they notify), so this package never imports them.
    case = relationship("Case")

    __table_args__ = (Index("ix_notification_outbox", "email_status", "email_next_attempt_at"),)
