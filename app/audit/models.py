from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db


class AuditEvent(db.Model):
    """Append-only: who did what, when, to which case; before/after where it matters."""
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # SHA-256 of this event and the hash of the case's event before it (audit/chain.py).
    hash: Mapped[str] = mapped_column(String(64))

    # Named, not imported: accounts record audit events, so audit never imports accounts.
    actor = relationship("User")


class AuditHead(db.Model):
    """The hash of each case's latest event: without it a cut tail would go unnoticed."""
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
