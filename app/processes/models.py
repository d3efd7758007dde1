from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db


class ProcessDefinition(db.Model):
    """One deployed version of a procedure: the diagram exactly as deployed, with its forms."""
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    # Read by the designer and the case diagram only; running cases use workflow_spec.
    bpmn_xml: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    # The engine's spec of the diagram (and its subprocesses), stored once for all its cases.
    workflow_spec: Mapped[str | None] = mapped_column(Text, deferred=True)
    forms: Mapped[dict] = mapped_column(JSON, default=dict)
    properties: Mapped[dict] = mapped_column(JSON, default=dict)
    start_form: Mapped[str | None] = mapped_column(String(200))
    # Resolved at deploy, so a case keeps what its version was deployed with: every procedure it
    # calls (directly or through another) and every decision table it evaluates, key -> version.
    calls: Mapped[dict] = mapped_column(JSON, default=dict)
    decisions: Mapped[dict] = mapped_column(JSON, default=dict)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    deployed_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("key", "version", name="uq_process_definition_key_version"),)

    @property
    def jurisdiction(self) -> str:
        """Whose cases this procedure makes: the diagram's process property, the OWSO's by default."""
        return self.properties.get("jurisdiction") or "owso"

    def form(self, filename: str | None) -> dict | None:
        return self.forms.get(filename) if filename else None

    @property
    def service_standard_days(self) -> int | None:
        """The published deadline in working days, as the diagram states it."""
        days = self.properties.get("service_standard_days")
        return int(days) if days is not None and str(days).isdigit() else None

    def summary(self) -> dict:
        return {"key": self.key, "name": self.name, "version": self.version}


class FormDraft(db.Model):
    """A form edited in the browser; it overrides the file of the same name in forms/ at deploy."""
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), unique=True)
    schema: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    updated_by: Mapped[User | None] = relationship()
