"""The counter queue: tickets per service, called to counters, served; the wait it predicts.

The estimated wait is the people waiting times the mean service time of the office's last
tickets served (RECENT_SERVED, within RECENT_DAYS), divided by the counters that called
someone in the last COUNTERS_ACTIVE_WITHIN; without history it assumes
QUEUE_DEFAULT_SERVICE_MINUTES per person.
"""
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.services import find_office
from ..db import utcnow
from ..errors import BadRequest, NotFound, Rejected
from ..extensions import db
from ..processes.services import latest_versions
from .models import QueueTicket, ServiceCounter, TicketSequence

RECENT_SERVED = 20
RECENT_DAYS = 7
COUNTERS_ACTIVE_WITHIN = timedelta(hours=2)


def office_day(office) -> date:
    return utcnow().astimezone(ZoneInfo(office.timezone)).date()


# --- counters ---------------------------------------------------------------------------

def add_counter(office, name: str) -> ServiceCounter:
    count = db.session.scalar(select(func.count()).select_from(ServiceCounter)
                              .where(ServiceCounter.office_id == office.id)) or 0
    counter = ServiceCounter(office_id=office.id, code=f"{office.code}-{count + 1}", name=name.strip()[:100])
    db.session.add(counter)
    db.session.flush()
    return counter


def counters_of(office) -> list[ServiceCounter]:
    return list(db.session.scalars(select(ServiceCounter).where(ServiceCounter.office_id == office.id)
                                   .order_by(ServiceCounter.id)))


def counter_in_office(user, code) -> ServiceCounter:
    if not isinstance(code, str) or not code.strip():
        raise BadRequest(_("Say which counter calls: {\"counter\": \"KPS-1\"}."))
    counter = db.session.scalars(select(ServiceCounter).where(ServiceCounter.code == code.strip())).first()
    if counter is None or counter.office_id != user.office_id:
        raise NotFound(_("There is no counter '%(code)s' in your office.", code=code.strip()))
    return counter


# --- tickets ----------------------------------------------------------------------------

def queue_services() -> dict[str, str]:
    """The services people queue for: every deployed procedure (key: name)."""
    return {d.key: d.name for d in latest_versions()}


def issue_ticket(office, service) -> QueueTicket:
    services = queue_services()
    if not isinstance(service, str) or not service:
        raise BadRequest(_("Say which service the ticket is for: {\"service\": \"commercial_licence\"}."),
                         {"service": sorted(services)})
    if service not in services:
        raise Rejected(_("There is no service '%(service)s' to queue for.", service=service),
                       {"service": sorted(services)})
    day = office_day(office)
    sequence = db.session.scalars(select(TicketSequence).where(
        TicketSequence.office_id == office.id, TicketSequence.day == day).with_for_update()).first()
    if sequence is None:
        sequence = TicketSequence(office_id=office.id, day=day, last_number=0)
        db.session.add(sequence)
    sequence.last_number += 1
    ticket = QueueTicket(office_id=office.id, service=service, day=day, status="waiting", issued_at=utcnow(),
                         number=f"{_prefix(service)}{sequence.last_number:03d}")
    db.session.add(ticket)
    db.session.flush()
    return ticket


def _prefix(service: str) -> str:
    # One letter a caller can say aloud; numbers stay unique per office and day whatever the letter.
    return (re.sub(r"[^a-z]", "", service.lower())[:1] or "t").upper()


def call_next(user, counter_code) -> QueueTicket | None:
    """The counter finishes whom it was serving and calls the longest-waiting ticket (None: nobody waits)."""
    counter = counter_in_office(user, counter_code)
    now = utcnow()
    for serving in db.session.scalars(select(QueueTicket).where(QueueTicket.counter_id == counter.id,
                                                                QueueTicket.status == "called")):
        serving.status, serving.finished_at = "served", now
    ticket = db.session.scalars(
        select(QueueTicket).where(QueueTicket.office_id == counter.office_id, QueueTicket.status == "waiting",
                                  QueueTicket.day == office_day(counter.office))
        .order_by(QueueTicket.issued_at, QueueTicket.id).limit(1).with_for_update(skip_locked=True)).first()
    if ticket is not None:
        ticket.status, ticket.called_at, ticket.counter_id, ticket.called_by_id = "called", now, counter.id, user.id
    db.session.flush()
    return ticket


def serving_at(counter_code: str) -> QueueTicket | None:
    return db.session.scalars(select(QueueTicket).join(ServiceCounter, QueueTicket.counter_id == ServiceCounter.id)
                              .where(ServiceCounter.code == counter_code, QueueTicket.status == "called")).first()


def ticket_in_office(user, ticket_id: int) -> QueueTicket:
    ticket = db.session.get(QueueTicket, ticket_id)
    if ticket is None or ticket.office_id != user.office_id:
        raise NotFound(_("There is no ticket %(id)s in your office.", id=ticket_id))
    return ticket


def finish(ticket: QueueTicket, case=None) -> QueueTicket:
    """Serving ends: the application was registered (the case records the ticket) or the person left."""
    now = utcnow()
    if ticket.called_at is None:
        ticket.called_at = now  # served straight from the waiting line
    ticket.status = "served"
    ticket.finished_at = ticket.finished_at or now
    if case is not None:
        ticket.case_id = case.id
    db.session.flush()
    return ticket


def ticket_of_case(case) -> QueueTicket | None:
    return db.session.scalars(select(QueueTicket).where(QueueTicket.case_id == case.id)).first()


# --- what the display shows -------------------------------------------------------------

@dataclass
class QueueState:
    office: object
    now_serving: list[dict]
    waiting: int
    estimated_wait_minutes: int
    mean_service_minutes: float

    def as_dict(self) -> dict:
        return {"office": self.office.code, "now_serving": self.now_serving, "waiting": self.waiting,
                "estimated_wait_minutes": self.estimated_wait_minutes,
                "mean_service_minutes": round(self.mean_service_minutes, 1)}


def queue_state(office_code) -> QueueState:
    if not isinstance(office_code, str) or not office_code.strip():
        raise BadRequest(_("Say which office: ?office=KPS."))
    office = find_office(office_code.strip())
    now = utcnow()
    day = office_day(office)
    counters = counters_of(office)
    serving = {t.counter_id: t for t in db.session.scalars(select(QueueTicket).where(
        QueueTicket.office_id == office.id, QueueTicket.status == "called", QueueTicket.day == day))}
    waiting = db.session.scalar(select(func.count()).select_from(QueueTicket).where(
        QueueTicket.office_id == office.id, QueueTicket.status == "waiting", QueueTicket.day == day)) or 0
    mean = mean_service_minutes(office, now)
    active = db.session.scalar(select(func.count(func.distinct(QueueTicket.counter_id))).where(
        QueueTicket.office_id == office.id, QueueTicket.called_at >= now - COUNTERS_ACTIVE_WITHIN)) or 0
    return QueueState(
        office=office,
        now_serving=[{"counter": c.code, "counter_name": c.name,
                      "number": serving[c.id].number if c.id in serving else None,
                      "service": serving[c.id].service if c.id in serving else None} for c in counters],
        waiting=waiting, estimated_wait_minutes=math.ceil(waiting * mean / max(active, 1)),
        mean_service_minutes=mean)


def mean_service_minutes(office, now) -> float:
    recent = list(db.session.execute(
        select(QueueTicket.called_at, QueueTicket.finished_at)
        .where(QueueTicket.office_id == office.id, QueueTicket.finished_at >= now - timedelta(days=RECENT_DAYS),
               QueueTicket.called_at.is_not(None))
        .order_by(QueueTicket.finished_at.desc()).limit(RECENT_SERVED)))
    if not recent:
        return float(current_app.config["QUEUE_DEFAULT_SERVICE_MINUTES"])
    return sum((finished - called).total_seconds() for called, finished in recent) / len(recent) / 60
