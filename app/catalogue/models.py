from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db

# How the citizen brings each required document.
DOCUMENT_MODES = ("upload", "counter", "collection")


class Service(db.Model):
    """One published service; what it promises lives in its versions, the newest is in force."""
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list["ServiceVersion"]] = relationship(back_populates="service",
                                                            order_by="ServiceVersion.version")

    @property
    def current(self) -> "ServiceVersion":
        return self.versions[-1]


class ServiceVersion(db.Model):
    """What the office promised from one moment on. Never changed: an edit adds a version, and a case
    keeps the version that was in force when it started."""
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    version: Mapped[int]
    name_km: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_km: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # {"kind": "fixed", "riel": 100000} or {"kind": "formula", "expression": "..."}; see fees.py.
    fee_rule: Mapped[dict] = mapped_column(JSON)
    # [{"key", "name_km", "name_en", "mode": upload | counter | collection}]
    documents: Mapped[list] = mapped_column(JSON, default=list)
    deadline_working_days: Mapped[int]
    legal_basis_km: Mapped[str] = mapped_column(Text, default="")
    legal_basis_en: Mapped[str] = mapped_column(Text, default="")
    # Offices that do not offer the service; kept as exceptions so that a new office offers everything.
    closed_office_ids: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    service: Mapped[Service] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("service_id", "version", name="uq_service_version_service_version"),)

    def name(self, lang: str) -> str:
        return self.name_km if lang == "km" and self.name_km else self.name_en

    def description(self, lang: str) -> str:
        return self.description_km if lang == "km" and self.description_km else self.description_en

    def legal_basis(self, lang: str) -> str:
        return self.legal_basis_km if lang == "km" and self.legal_basis_km else self.legal_basis_en

    def offered_at(self, office) -> bool:
        return office.id not in self.closed_office_ids

    def script_view(self) -> dict:
        """What diagrams may read as `service.…` in timers and scripts."""
        return {"key": self.service.key, "version": self.version,
                "deadline_working_days": self.deadline_working_days}
