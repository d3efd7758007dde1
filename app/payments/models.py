from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db


class ReceiptCounter(db.Model):
    """The last official receipt number per office and year: each office has its own series."""
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class FeeWaiver(db.Model):
    """A reduced or waived fee for one case: asked at the counter with its legal reason, decided by the chief."""
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    fee_due_riel: Mapped[int]
    amount_riel: Mapped[int]  # what the applicant pays instead (0: waived)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="requested")  # requested, approved, refused
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Payment(db.Model):
    """The fee taken for a case, with the official receipt's number."""
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    receipt_number: Mapped[str] = mapped_column(String(40), unique=True)
    amount_riel: Mapped[int]
    fee_due_riel: Mapped[int]
    waiver_id: Mapped[int | None] = mapped_column(ForeignKey("fee_waiver.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()
    waiver: Mapped[FeeWaiver | None] = relationship()
