"""The service-standard report: per procedure and office, how many cases started, finished, finished
on time, how long they took, and how many are open and overdue. Every figure is one aggregate query
over indexed tables; nothing loads a case."""
import csv
import io
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy import and_, case, func, literal, or_, select

from ..accounts.models import Office
from ..cases.models import Case
from ..extensions import db
from ..permissions import Jurisdiction
from ..processes.models import ProcessDefinition
from .sql import percentiles

# The offices' own work; complaints are the Ombudsman's and are counted apart (reports/complaints.py).
OWSO_CASES = Case.jurisdiction == Jurisdiction.OWSO


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive


@dataclass
class StandardRow:
    process: str
    office: str
    started: int = 0
    completed: int = 0
    completed_on_time: int = 0
    on_time_rate: float | None = None
    median_working_days: float | None = None
    p90_working_days: float | None = None
    open: int = 0
    overdue: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _scoped(query, offices, process):
    query = query.where(OWSO_CASES)
    if offices is not None:
        query = query.where(Case.office_id.in_(offices))
    if process:
        query = query.where(Case.process_definition_id.in_(select(ProcessDefinition.id).where(
            ProcessDefinition.key == process)))
    return query


def procedure_key():
    """A case's procedure key, worked out from its definition id inside the query: joining the
    definitions lets the planner walk the cases once per definition."""
    keys = dict(db.session.execute(select(ProcessDefinition.id, ProcessDefinition.key)).all())
    return case(keys, value=Case.process_definition_id, else_=None) if keys else literal(None)


def service_standards(period: Period, offices: list[int] | None, process: str | None, now: datetime):
    """`offices`: the ids the reader may see (None: every office)."""
    group = (procedure_key().label("key"), Case.office_id)
    rows: dict[tuple, StandardRow] = {}

    def row(key, office_id):
        return rows.setdefault((key, office_id), StandardRow(key, office_id))

    started = _scoped(select(*group, func.count()), offices, process).where(
        Case.started_at >= period.start, Case.started_at < period.end).group_by(*group)
    for key, office_id, count in db.session.execute(started):
        row(key, office_id).started = count

    finished_in_period = and_(Case.completed_at >= period.start, Case.completed_at < period.end)
    finished = _scoped(select(*group, func.count(), func.sum(case((Case.on_time.is_(True), 1), else_=0))),
                       offices, process).where(finished_in_period).group_by(*group)
    for key, office_id, count, on_time in db.session.execute(finished):
        target = row(key, office_id)
        target.completed, target.completed_on_time = count, on_time or 0
        target.on_time_rate = round(target.completed_on_time / count, 4)

    taken = _scoped(select(group[0], Case.office_id.label("office_id"),
                           Case.working_days_taken.label("value")), offices, process).where(
        finished_in_period, Case.working_days_taken.is_not(None)).subquery()
    for key, office_id, p50, p90 in db.session.execute(percentiles(taken, ["key", "office_id"])):
        target = row(key, office_id)
        target.median_working_days, target.p90_working_days = round(p50, 2), round(p90, 2)

    # Open and overdue as they stood at the end of the period (or now, for a period still running).
    moment = min(period.end, now)
    open_then = and_(Case.started_at < moment, or_(Case.completed_at.is_(None), Case.completed_at >= moment),
                     Case.status != "error")
    late = Case.overdue_from <= moment
    standing = _scoped(select(*group, func.count(), func.sum(case((late, 1), else_=0))), offices, process).where(
        open_then).group_by(*group)
    for key, office_id, count, overdue in db.session.execute(standing):
        target = row(key, office_id)
        target.open, target.overdue = count, overdue or 0

    codes = dict(db.session.execute(select(Office.id, Office.code).where(
        Office.id.in_({office_id for _, office_id in rows}))).all())
    for target in rows.values():
        target.office = codes[target.office]
    return sorted(rows.values(), key=lambda r: (r.process, r.office))


def as_csv(rows: list[StandardRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[f.name for f in fields(StandardRow)])
    writer.writeheader()
    writer.writerows(row.as_dict() for row in rows)
    return out.getvalue()
