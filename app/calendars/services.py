from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from ..accounts.models import Office
from ..engine import ScriptHelpers
from ..extensions import db
from .models import Holiday
from .working_time import OfficeCalendar, add_working_days, iso_duration_until


def office_calendar(office: Office) -> OfficeCalendar:
    days = db.session.scalars(select(Holiday.day).where(
        or_(Holiday.office_id.is_(None), Holiday.office_id == office.id)))
    weekend = frozenset(int(d) for d in office.weekend_days.split(",") if d.strip())
    return OfficeCalendar(timezone=office.timezone, weekend=weekend, holidays=frozenset(days))


def script_helpers(calendar: OfficeCalendar) -> ScriptHelpers:
    """The helpers a case's scripts and timers may call, in its office's calendar."""
    def working_days(n):
        start = datetime.now(timezone.utc)
        return iso_duration_until(start, add_working_days(calendar, start, n))

    def today():
        return datetime.now(ZoneInfo(calendar.timezone)).date().isoformat()

    return ScriptHelpers(working_days=working_days, today=today)
