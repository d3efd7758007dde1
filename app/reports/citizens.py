"""What citizens said and how long they queued: ratings per service (comments for the chief only,
never published) and the wait from ticket to counter per service."""
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..feedback.models import Feedback
from ..queue.models import QueueTicket
from .service_standards import Period
from .sql import SecondsBetween, percentiles


@dataclass
class RatingRow:
    service: str
    ratings: int
    average: float

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Comment:
    service: str
    rating: int
    comment: str
    at: datetime


def _in(query, column_office, column_time, period: Period, offices):
    query = query.where(column_time >= period.start, column_time < period.end)
    return query.where(column_office.in_(offices)) if offices is not None else query


def ratings(period: Period, offices: list[int] | None) -> list[RatingRow]:
    query = _in(select(Feedback.service, func.count(), func.avg(Feedback.rating)), Feedback.office_id,
                Feedback.created_at, period, offices).group_by(Feedback.service).order_by(Feedback.service)
    return [RatingRow(service, n, round(float(average), 2)) for service, n, average in db.session.execute(query)]


def comments(period: Period, offices: list[int] | None, limit: int = 50) -> list[Comment]:
    query = _in(select(Feedback.service, Feedback.rating, Feedback.comment, Feedback.created_at), Feedback.office_id,
                Feedback.created_at, period, offices).where(Feedback.comment.is_not(None))
    return [Comment(*row) for row in db.session.execute(query.order_by(Feedback.created_at.desc()).limit(limit))]


def average_ratings(period: Period, offices: list[int] | None) -> dict[int, float]:
    query = _in(select(Feedback.office_id, func.avg(Feedback.rating)), Feedback.office_id, Feedback.created_at,
                period, offices).group_by(Feedback.office_id)
    return {office_id: round(float(average), 2) for office_id, average in db.session.execute(query)}


@dataclass
class QueueRow:
    service: str
    called: int
    median_wait_minutes: float
    longest_wait_minutes: float

    def as_dict(self) -> dict:
        return asdict(self)


def queue_waits(period: Period, offices: list[int] | None) -> list[QueueRow]:
    waits = _in(select(QueueTicket.service.label("service"),
                       SecondsBetween(QueueTicket.issued_at, QueueTicket.called_at).label("value")),
                QueueTicket.office_id, QueueTicket.issued_at, period, offices).where(
        QueueTicket.called_at.is_not(None)).subquery()
    totals = {service: (n, longest) for service, n, longest in db.session.execute(
        select(waits.c.service, func.count(), func.max(waits.c.value)).group_by(waits.c.service))}
    medians = dict(db.session.execute(percentiles(waits, ["service"], wanted=(50,))).all())
    return [QueueRow(service, n, round(medians[service] / 60, 1), round(longest / 60, 1))
            for service, (n, longest) in sorted(totals.items())]
