"""Figures for everyone: the quarterly scorecard of an office, and the public transparency page.
Built from the same aggregates as the reports; nothing personal, no case numbers."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..accounts.models import Office
from ..cases.models import Case, WorkItem
from ..extensions import db
from ..processes.services import latest_versions
from .channels import channels_by_office
from .citizens import average_ratings
from .complaints import complaint_figures
from .quarters import Quarter
from .service_standards import OWSO_CASES, Period, StandardRow, service_standards
from .waivers import waivers


def _rate(done: int, on_time: int) -> float | None:
    return round(on_time / done, 4) if done else None


@dataclass
class ServiceFigures:
    process: str
    name: str
    started: int
    completed: int
    on_time_rate: float | None
    median_working_days: float | None
    open: int
    overdue: int


@dataclass
class OfficeFigures:
    office: str
    name: str
    started: int
    completed: int
    on_time_rate: float | None
    overdue: int
    escalations: int
    channels: dict[str, int]
    services: list[ServiceFigures] = field(default_factory=list)
    complaints: int = 0
    complaints_by_category: dict[str, int] = field(default_factory=dict)
    average_rating: float | None = None


def _escalations(period: Period, office_ids) -> dict[int, int]:
    query = (select(WorkItem.office_id, func.count()).join(Case, WorkItem.case_id == Case.id).where(
        OWSO_CASES, WorkItem.escalation_level.is_not(None), WorkItem.created_at >= period.start,
        WorkItem.created_at < period.end).group_by(WorkItem.office_id))
    if office_ids is not None:
        query = query.where(WorkItem.office_id.in_(office_ids))
    return dict(db.session.execute(query).all())


def office_figures(quarter: Quarter, offices: list[Office], now: datetime) -> list[OfficeFigures]:
    """Per office, the quarter's figures; every office listed, even one with nothing to show."""
    period = quarter.period
    ids = [o.id for o in offices]
    names = {d.key: d.name for d in latest_versions()}
    rows: list[StandardRow] = service_standards(period, ids, None, now)
    escalations = _escalations(period, ids)
    figures = {o.code: OfficeFigures(o.code, o.name, 0, 0, None, 0, escalations.get(o.id, 0), {}) for o in offices}
    on_time: dict[str, int] = {}
    for row in rows:
        target = figures[row.office]
        target.started += row.started
        target.completed += row.completed
        target.overdue += row.overdue
        on_time[row.office] = on_time.get(row.office, 0) + row.completed_on_time
        target.services.append(ServiceFigures(row.process, names.get(row.process, row.process), row.started,
                                              row.completed, row.on_time_rate, row.median_working_days,
                                              row.open, row.overdue))
    for code, target in figures.items():
        target.on_time_rate = _rate(target.completed, on_time.get(code, 0))
    channels = channels_by_office(period, ids)
    rated = average_ratings(period, ids)
    for office in offices:
        figures[office.code].channels = channels.get(office.id, {})
        figures[office.code].average_rating = rated.get(office.id)
    for row in complaint_figures(period, ids).by_category:
        figures[row.office].complaints += row.complaints
        figures[row.office].complaints_by_category[row.key] = row.complaints
    return [figures[o.code] for o in offices]


@dataclass
class Change:
    """A figure this quarter beside the one before it."""
    now: float | int | None
    before: float | int | None

    @property
    def change(self):
        if self.now is None or self.before is None:
            return None
        return round(self.now - self.before, 4)


def scorecard(office: Office, quarter: Quarter, now: datetime) -> dict:
    this, before = office_figures(quarter, [office], now)[0], office_figures(quarter.previous, [office], now)[0]
    earlier = {s.process: s for s in before.services}

    def approved_waivers(period):
        return sum(row.approved for row in waivers(period, [office.id]))
    return {
        "office": this, "quarter": quarter,
        "headline": {key: Change(getattr(this, key), getattr(before, key))
                     for key in ("started", "completed", "on_time_rate", "overdue", "escalations", "complaints",
                                 "average_rating")},
        "services": [(s, Change(s.on_time_rate, earlier[s.process].on_time_rate if s.process in earlier else None),
                      Change(s.median_working_days,
                             earlier[s.process].median_working_days if s.process in earlier else None))
                     for s in this.services],
        "channels": {channel: Change(this.channels.get(channel, 0), before.channels.get(channel, 0))
                     for channel in sorted(set(this.channels) | set(before.channels))},
        "waivers": Change(approved_waivers(quarter.period), approved_waivers(quarter.previous.period)),
    }


def public_performance(quarter: Quarter, now: datetime) -> dict:
    offices = list(db.session.scalars(select(Office).order_by(Office.code)))
    return {"quarter": quarter.label, "from": quarter.first_day.isoformat(), "to": quarter.last_day.isoformat(),
            "offices": [{"office": f.office, "name": f.name, "completed": f.completed, "on_time_rate": f.on_time_rate,
                         "average_rating": f.average_rating,
                         "complaints": {"received": f.complaints, "by_category": f.complaints_by_category},
                         "services": [{"process": s.process, "name": s.name, "completed": s.completed,
                                       "median_working_days": s.median_working_days} for s in f.services]}
                        for f in office_figures(quarter, offices, now)]}
