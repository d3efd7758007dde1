from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Office, User
from ..catalogue.models import ServiceVersion
from ..db import CompressedText, UTCDateTime, utcnow
from ..extensions import db
from ..processes.models import ProcessDefinition

# What staff read for each status code (the API keeps the codes).
CASE_STATUSES = {"running": _l("in progress"), "completed": _l("completed"), "error": _l("stopped by an error")}
WORK_ITEM_STATUSES = {"open": _l("open"), "completed": _l("done"), "cancelled": _l("cancelled")}


def partial(condition: str) -> dict:
    """An index over the rows that meet `condition` only, on both databases."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


class Case(db.Model):
    """One application or complaint: a running diagram; the case keeps its own task state, its
    process definition the diagram's spec."""
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    process_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)  # running, completed, error
    channel: Mapped[str] = mapped_column(String(20), default="counter")  # counter (in person), phone, online
    # The catalogue entry in force when the case started: its fee and service standard bind the case.
    service_version_id: Mapped[int | None] = mapped_column(ForeignKey("service_version.id"), index=True)
    # With the number, lets the applicant see the public view of the case. Kept readable so the
    # office can reprint a receipt; it opens nothing that the office's own staff cannot already see.
    access_code: Mapped[str | None] = mapped_column(String(20))
    # Who applied online, how to reach them and the language they wrote in: {name, phone, email, language}.
    applicant: Mapped[dict] = mapped_column(JSON, default=dict)
    # A replayed online application carries the same key and finds this case instead of making another.
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    # The published service standard: the start plus the catalogue's working days, later by the
    # working time the clock was stopped.
    promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whose case it is: "owso", or "ombudsman" for complaints (see app/permissions.py).
    jurisdiction: Mapped[str] = mapped_column(String(20), default="owso", index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # The engine's task state without the spec (a few KB compressed), needed only by the write
    # path: lists and inboxes never load it.
    workflow_state: Mapped[str] = mapped_column(CompressedText, deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    # An incident: the element the engine stopped at, and since when (see app/incidents/).
    error_element: Mapped[str | None] = mapped_column(String(100))
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set while the case waits on the applicant: its deadline timers are paused.
    clock_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Working time the clock has stood still in earlier pauses: not the office's time.
    paused_working_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    # The published standard the case runs under (the catalogue entry in force when it started).
    service_standard_days: Mapped[int | None]
    # Set when the case ends, so reports aggregate instead of replaying calendars.
    working_days_taken: Mapped[float | None]
    on_time: Mapped[bool | None]
    # The earliest deadline of the case's work not done on time (see standards.overdue_from): the
    # case is overdue at any moment from then on, so reports count overdue cases from the index.
    overdue_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    office: Mapped[Office] = relationship()
    definition: Mapped[ProcessDefinition] = relationship()
    started_by: Mapped[User | None] = relationship()
    service_version: Mapped[ServiceVersion | None] = relationship()
    work_items: Mapped[list["WorkItem"]] = relationship(back_populates="case", order_by="WorkItem.id")

    __mapper_args__ = {"version_id_col": version}
    # The reports read these columns only: from the indexes, never the rows, which carry the case's
    # state and data. Cases started in a period, cases finished in a period, a work item's case.
    __table_args__ = (
        Index("ix_case_reports_started", "jurisdiction", "started_at", "process_definition_id", "office_id",
              "channel", "status", "completed_at"),
        Index("ix_case_reports_completed", "jurisdiction", "completed_at", "process_definition_id", "office_id",
              "on_time", "working_days_taken", "started_at", "status", "overdue_from"),
        Index("ix_case_kind", "id", "jurisdiction", "process_definition_id"),
    )

    @property
    def open_items(self) -> list["WorkItem"]:
        return [item for item in self.work_items if item.status == "open"]


class CaseCounter(db.Model):
    """The last case number given out per series, office and year, so numbers never repeat.

    The series is "" for the OWSO's own cases (KPS-2026-00042) and "OMB" for complaints to the
    Ombudsman (OMB-KPS-2026-00001), which are counted apart.
    """
    series: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class WorkItem(db.Model):
    """Projection of one READY user task: who may do it, where, and by when."""
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    task: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    form: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, completed, cancelled
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_stopped: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When its current holder took it: before that the work waited, after it was worked on.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    # Escalation work (for the chief or the governor) points at the overdue work it is about.
    escalation_of_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"), index=True)
    escalation_level: Mapped[int | None]  # 1st, 2nd escalation of that work (chief, then governor)
    late_by_seconds: Mapped[int | None]

    case: Mapped[Case] = relationship(back_populates="work_items")
    escalation_of: Mapped["WorkItem | None"] = relationship(remote_side=[id], foreign_keys=[escalation_of_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    __table_args__ = (
        # The inbox's keyset pages by (due_at, id), one range of these per role.
        Index("ix_work_item_inbox_office", "status", "role", "office_id", "due_at", "id"),
        Index("ix_work_item_inbox_district", "status", "role", "district_id", "due_at", "id"),
        # The reports: finished work of a period, escalations of a period, whether a case ran late. Finished
        # and open work are indexed apart, so a case pays only for the entries of the work it has.
        Index("ix_work_item_done", "status", "closed_at", "escalation_of_id", "case_id", "office_id", "task",
              "clock_stopped", "created_at", "claimed_at", "closed_by_id", "name", **partial("status = 'completed'")),
        Index("ix_work_item_escalations", "escalation_level", "created_at"),
        Index("ix_work_item_case_deadline", "case_id", "due_at", "created_at", "closed_at"),
        Index("ix_work_item_open_steps", "status", "task", "name", "created_at", "due_at", "case_id", "office_id",
              **partial("status = 'open'")),
        UniqueConstraint("case_id", "task_id", name="uq_work_item_case_task"),
    )

    def overdue(self, now: datetime) -> bool:
        return self.status == "open" and self.due_at is not None and self.due_at <= now


class Timer(db.Model):
    """Projection of one WAITING timer event; the sweep reads only this table."""
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(100))
    attached_to: Mapped[str | None] = mapped_column(String(100))
    fires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (UniqueConstraint("case_id", "task_id", name="uq_timer_case_task"),)
