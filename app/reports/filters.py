"""What a report is asked for: a period of office days, an office, a procedure; checked, with a
sentence that says what to fix."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import Office
from ..errors import BadRequest, NotFound
from ..extensions import db
from ..permissions import reported_offices
from .channels import REPORT_ZONE
from .quarters import quarter_containing
from .service_standards import Period


@dataclass(frozen=True)
class ReportFilters:
    first_day: date
    last_day: date
    office: Office | None
    process: str | None
    readable: list[int] | None  # the offices the reader may see (None: every office)

    @property
    def offices(self) -> list[int] | None:
        return [self.office.id] if self.office else self.readable

    @property
    def period(self) -> Period:
        return Period(_midnight(self.first_day), _midnight(self.last_day + timedelta(days=1)))

    def query_args(self) -> dict:
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat(),
                "office": self.office.code if self.office else "", "process": self.process or ""}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), REPORT_ZONE)


def _day(text: str | None, name: str, default: date) -> date:
    if not text:
        return default
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequest(_("Give '%(name)s' as a date like 2026-12-31, not '%(text)s'.", name=name, text=text[:40]))
    if not 2000 <= day.year <= 2100:
        raise BadRequest(_("'%(name)s' must be a date between the years 2000 and 2100.", name=name))
    return day


def report_filters(user, args, today: date) -> ReportFilters:
    """The period defaults to this quarter so far; office and procedure to everything the reader sees."""
    first = _day(args.get("from"), "from", quarter_containing(today).first_day)
    last = _day(args.get("to"), "to", today)
    if last < first:
        raise BadRequest(_("The period ends (%(last)s) before it begins (%(first)s).", last=last, first=first))
    if (last - first).days > 3 * 366:
        raise BadRequest(_("Ask for at most three years at a time."))
    readable = reported_offices(user)
    office = None
    if args.get("office"):
        office = db.session.scalars(select(Office).where(Office.code == args["office"][:32])).first()
        if office is None or (readable is not None and office.id not in readable):
            raise NotFound(_("There is no office %(code)s among the offices you may see.", code=args["office"][:32]))
    return ReportFilters(first, last, office, (args.get("process") or "")[:100] or None, readable)


def readable_offices(filters: ReportFilters) -> list[Office]:
    query = select(Office).order_by(Office.name)
    if filters.readable is not None:
        query = query.where(Office.id.in_(filters.readable))
    return list(db.session.scalars(query))
