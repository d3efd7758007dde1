import functools
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, select
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
    # Read through form(): every write to a case needs one form, and the whole set is large.
    forms: Mapped[dict] = mapped_column(JSON, default=dict, deferred=True)
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
        """The version's form of that name. Read once per process, as its spec is (cases.state.procedure_of):
        a deployed version never changes, and its deployment time keeps an id reused after a rollback or a
        restored backup apart."""
        if not filename:
            return None
        if "forms" in self.__dict__ or self.deployed_at is None:  # already read, or not deployed yet
            return self.forms.get(filename)
        return _deployed_forms(self.id, self.deployed_at, self.sha256).get(filename)

    @property
    def service_standard_days(self) -> int | None:
        """The published deadline in working days, as the diagram states it."""
        days = self.properties.get("service_standard_days")
        return int(days) if days is not None and str(days).isdigit() else None

    def summary(self) -> dict:
        return {"key": self.key, "name": self.name, "version": self.version}


@functools.lru_cache(maxsize=64)
def _deployed_forms(definition_id: int, deployed_at: datetime, sha256: str) -> dict:
    return db.session.scalar(select(ProcessDefinition.forms).where(ProcessDefinition.id == definition_id))


class FormDraft(db.Model):
    """A form edited in the browser; it overrides the file of the same name in forms/ at deploy."""
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), unique=True)
    schema: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    updated_by: Mapped[User | None] = relationship()
