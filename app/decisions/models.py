from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db


class DecisionDefinition(db.Model):
    """One deployed version of a decision table (DMN), kept exactly as deployed."""
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    dmn_xml: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    deployed_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("key", "version", name="uq_decision_definition_key_version"),)

    def summary(self) -> dict:
        return {"key": self.key, "name": self.name, "version": self.version}
