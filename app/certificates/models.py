from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..accounts.models import Office, User
from ..cases.models import Case
from ..db import UTCDateTime, utcnow
from ..extensions import db


class SigningKey(db.Model):
    """An office's Ed25519 key. The private half lives on disk under instance/; the public half
    is published here for ever, so certificates signed before a rotation still verify."""
    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, base64url
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    office: Mapped[Office] = relationship()


class Certificate(db.Model):
    """A licence, permit or civil-status certificate issued when the signing step completed."""
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    service: Mapped[str] = mapped_column(String(100))
    holder: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    register_number: Mapped[str | None] = mapped_column(String(60))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    signatory: Mapped[str] = mapped_column(String(200))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    key_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    # Rendered once, on the first download, and kept: the document handed over never changes.
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()
    office: Mapped[Office] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def status(self, today: date) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.valid_until is not None and self.valid_until < today:
            return "expired"
        return "valid"
