from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Office
from ..db import UTCDateTime, utcnow
from ..extensions import db


class ServiceCounter(db.Model):
    """A counter of the front office, where a called ticket is served."""
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. KPS-1
    name: Mapped[str] = mapped_column(String(100))

    office: Mapped[Office] = relationship()


class TicketSequence(db.Model):
    """The last ticket number given out per office and day."""
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class QueueTicket(db.Model):
    """One person waiting for one service: issued, called to a counter, served (or gone).

    status: waiting, called (at a counter now), served, no_show.
    """
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    service: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(12))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("service_counter.id"))
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), unique=True)

    office: Mapped[Office] = relationship()
    counter: Mapped[ServiceCounter | None] = relationship()

    __table_args__ = (
        UniqueConstraint("office_id", "day", "number", name="uq_queue_ticket_office_day_number"),
        Index("ix_queue_ticket_waiting", "office_id", "status", "issued_at"),
        Index("ix_queue_ticket_finished", "office_id", "finished_at"),
    )

    @property
    def waited_seconds(self) -> int | None:
        return int((self.called_at - self.issued_at).total_seconds()) if self.called_at else None

    @property
    def served_seconds(self) -> int | None:
        if self.called_at and self.finished_at:
            return int((self.finished_at - self.called_at).total_seconds())
        return None
