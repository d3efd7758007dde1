"""Where time goes: per step and per officer, waiting (not yet taken) apart from working (taken),
send-back time (the applicant's) apart from the office's; escalations by level and step; and the
open work standing at each step of a procedure, for the heatmap on its diagram."""
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..cases.models import Case, WorkItem
from ..db import UTCDateTime
from ..extensions import db
from ..processes.models import ProcessDefinition
from .service_standards import OWSO_CASES, Period
from .sql import SecondsBetween, percentiles

HOUR = 3600.0


@dataclass
class StepRow:
    process: str
    task: str
    name: str
    send_back: bool
    done: int
    median_waiting_hours: float | None
    median_working_hours: float | None
    median_total_hours: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def _hours(value):
    return None if value is None else round(value / HOUR, 2)


def _done_in(period: Period, offices, process):
    """Completed work (not escalation follow-ups) of the period, with its process key."""
    query = (select(WorkItem, ProcessDefinition.key.label("key")).join(Case, WorkItem.case_id == Case.id)
             .join(ProcessDefinition, Case.process_definition_id == ProcessDefinition.id)
             .where(OWSO_CASES, WorkItem.status == "completed", WorkItem.escalation_of_id.is_(None),
                    WorkItem.closed_at >= period.start, WorkItem.closed_at < period.end))
    if offices is not None:
        query = query.where(WorkItem.office_id.in_(offices))
    if process:
        query = query.where(ProcessDefinition.key == process)
    return query


def time_per_step(period: Period, offices: list[int] | None, process: str | None) -> list[StepRow]:
    taken = func.coalesce(WorkItem.claimed_at, WorkItem.closed_at)
    base = _done_in(period, offices, process).with_only_columns(
        ProcessDefinition.key.label("key"), WorkItem.task.label("task"), WorkItem.clock_stopped.label("stopped"),
        WorkItem.name.label("name"),
        SecondsBetween(WorkItem.created_at, taken).label("waiting"),
        SecondsBetween(taken, WorkItem.closed_at).label("working"),
        SecondsBetween(WorkItem.created_at, WorkItem.closed_at).label("total")).subquery()
    # A step keeps its task id across versions; one of its names stands for it.
    rows = db.session.execute(percentiles(base, ["key", "task", "stopped"], wanted=(50,),
                                          values=("waiting", "working", "total"), with_count=True,
                                          also={"name": func.max}))
    return sorted((StepRow(row.key, row.task, row.name, bool(row.stopped), row.n, _hours(row.waiting_p50),
                           _hours(row.working_p50), _hours(row.total_p50)) for row in rows),
                  key=lambda r: (r.process, r.send_back, r.task))


@dataclass
class OfficerRow:
    officer: str
    done: int
    median_total_hours: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def time_per_officer(period: Period, offices: list[int] | None, process: str | None) -> list[OfficerRow]:
    base = _done_in(period, offices, process).where(WorkItem.clock_stopped.is_(False)).with_only_columns(
        WorkItem.closed_by_id.label("officer"),
        SecondsBetween(WorkItem.created_at, WorkItem.closed_at).label("value")).subquery()
    rows = db.session.execute(percentiles(base, ["officer"], wanted=(50,), with_count=True)).all()
    names = dict(db.session.execute(select(User.id, User.username).where(User.id.in_([r.officer for r in rows]))).all())
    return sorted((OfficerRow(names[row.officer], row.n, _hours(row.p50)) for row in rows
                   if row.officer is not None), key=lambda r: r.officer)


@dataclass
class EscalationRow:
    process: str
    level: int
    task: str
    escalations: int

    def as_dict(self) -> dict:
        return asdict(self)


def escalations_by_step(period: Period, offices: list[int] | None, process: str | None) -> list[EscalationRow]:
    late = aliased(WorkItem)
    query = (select(ProcessDefinition.key, WorkItem.escalation_level, late.task, func.count())
             .join(Case, WorkItem.case_id == Case.id)
             .join(ProcessDefinition, Case.process_definition_id == ProcessDefinition.id)
             .join(late, WorkItem.escalation_of_id == late.id)
             .where(OWSO_CASES, WorkItem.escalation_level.is_not(None), WorkItem.created_at >= period.start,
                    WorkItem.created_at < period.end)
             .group_by(ProcessDefinition.key, WorkItem.escalation_level, late.task))
    if offices is not None:
        query = query.where(WorkItem.office_id.in_(offices))
    if process:
        query = query.where(ProcessDefinition.key == process)
    return sorted((EscalationRow(*row) for row in db.session.execute(query)),
                  key=lambda r: (r.process, r.level, r.task))


@dataclass
class WaitingAtStep:
    task: str
    name: str
    waiting: int
    overdue: int
    median_hours: float
    oldest_hours: float

    def as_dict(self) -> dict:
        return asdict(self)


def waiting_at_steps(process: str, offices: list[int] | None, now: datetime) -> list[WaitingAtStep]:
    """Open work of every version of the procedure, by step: how many, how long, how late."""
    query = (select(WorkItem.task.label("task"), WorkItem.name.label("name"), SecondsBetween(WorkItem.created_at, literal(now, UTCDateTime)).label("value"),
                    case((and_(WorkItem.due_at.is_not(None), WorkItem.due_at <= now), 1), else_=0).label("late"))
             .join(Case, WorkItem.case_id == Case.id)
             .join(ProcessDefinition, Case.process_definition_id == ProcessDefinition.id)
             .where(OWSO_CASES, WorkItem.status == "open", ProcessDefinition.key == process))
    if offices is not None:
        query = query.where(WorkItem.office_id.in_(offices))
    rows = db.session.execute(percentiles(query.subquery(), ["task"], wanted=(50, 100), with_count=True,
                                          also={"name": func.max, "late": func.sum}))
    return sorted((WaitingAtStep(row.task, row.name, row.n, row.late, _hours(row.p50), _hours(row.p100))
                   for row in rows), key=lambda r: r.task)
