from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db


class Feedback(db.Model):
    """A citizen's rating of the service, 1 to 5: once per finished case (number + access code),
    or once per queue ticket at the counter's kiosk right after being served."""
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("queue_ticket.id"), unique=True)
    service: Mapped[str] = mapped_column(String(100))
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # tracking, kiosk
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        Index("ix_feedback_office_created", "office_id", "created_at"),
    )
