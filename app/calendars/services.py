"""Office calendars in the database: holidays (national and per office), timezones and working weeks.

Write functions flush and audit; the caller (a request, a CLI command) commits once.
"""
import functools
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from sqlalchemy import String, bindparam, cast, func, or_, select, text

from ..accounts.models import Office
from ..audit.services import record
from ..db import forget_memo, transaction_memo
from ..engine import MAX_WORKING_DAYS, ScriptHelpers
from ..errors import NotFound, Rejected
from ..extensions import db
from . import holiday_files
from .holiday_files import EARLIEST_YEAR, LATEST_YEAR, MAX_HOLIDAY_NAME_LENGTH, HolidayFileError
from .models import Holiday
from .working_time import OfficeCalendar, add_working_days, iso_duration_until

_HOLIDAY_LOCK = 46548  # an arbitrary constant, the first key of the advisory lock on a holiday list
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- reading ----------------------------------------------------------------------------

def office_calendar(office: Office) -> OfficeCalendar:
    known = _known_holidays()
    if office.id not in known:
        known[office.id] = frozenset(db.session.scalars(_DAYS_OFF, {"office_id": office.id}))
    return OfficeCalendar(timezone=office.timezone, weekend=weekend_of(office), holidays=known[office.id])


def holidays_column(office_id_column):
    """An office's holidays (national and its own) as a column of a statement that reads its cases:
    ISO dates joined by commas, None when there are none. See remember_holidays."""
    return (select(func.aggregate_strings(cast(Holiday.day, String), ","))
            .where(_days_off(office_id_column)).scalar_subquery())


def remember_holidays(office_id: int, joined: str | None) -> None:
    """The office's holidays as a caller read them in this transaction (holidays_column), so that its
    calendar is not read again."""
    _known_holidays().setdefault(office_id, frozenset(date.fromisoformat(day) for day in joined.split(","))
                                 if joined else frozenset())


def _days_off(office_id):
    return or_(Holiday.office_id.is_(None), Holiday.office_id == office_id)


_DAYS_OFF = select(Holiday.day).where(_days_off(bindparam("office_id")))  # built once


def _known_holidays() -> dict:
    # Per transaction, and forgotten as soon as this transaction changes a holiday.
    return transaction_memo(db.session, "holidays")


def _forget_holidays() -> None:
    forget_memo(db.session, "holidays")


def weekend_of(office: Office) -> frozenset[int]:
    """The weekday numbers (Monday=0) on which the office is closed every week."""
    return frozenset(int(d) for d in office.weekend_days.split(",") if d.strip())


def script_helpers(calendar: OfficeCalendar, service: dict | None = None) -> ScriptHelpers:
    """The helpers a case's scripts and timers may call, in its office's calendar, with its service."""
    def working_days(n):
        if isinstance(n, (int, float)) and n > MAX_WORKING_DAYS:
            raise ValueError(f"a timer counts at most {MAX_WORKING_DAYS} working days; this one asked for more")
        start = datetime.now(timezone.utc)
        return iso_duration_until(start, add_working_days(calendar, start, n))

    def today():
        return datetime.now(ZoneInfo(calendar.timezone)).date().isoformat()

    return ScriptHelpers(working_days=working_days, today=today, service=service)


def holidays_for(office: Office | None, year: int | None = None) -> list[Holiday]:
    """The holidays of one scope (national when ``office`` is None, else that office's own), by date."""
    query = select(Holiday).where(_scope(office)).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
    return list(db.session.scalars(query))


def holiday_years(office: Office) -> list[int]:
    """The years that have a national holiday or one of the office's closures, in order."""
    days = db.session.execute(
        select(func.min(Holiday.day), func.max(Holiday.day))
        .where(or_(Holiday.office_id.is_(None), Holiday.office_id == office.id))).one()
    if days[0] is None:
        return []
    return list(range(days[0].year, days[1].year + 1))


# --- holidays ---------------------------------------------------------------------------

def import_holidays(holidays: list[holiday_files.Holiday], office: Office | None = None, actor=None,
                    source: str | None = None) -> tuple[int, int]:
    """Store parsed holidays as national holidays (``office`` None) or as one office's closures.

    Idempotent: a day already present keeps its one row, renamed when the name differs;
    importing the same list again changes nothing. Returns (added, updated).
    """
    if not holidays:
        return 0, 0
    _lock_scope(office)
    days = [h.day for h in holidays]
    existing = {row.day: row for row in db.session.scalars(
        select(Holiday).where(_scope(office), Holiday.day >= min(days), Holiday.day <= max(days)))}
    added = updated = 0
    for holiday in holidays:
        row = existing.get(holiday.day)
        if row is None:
            row = Holiday(day=holiday.day, name=holiday.name, office_id=office.id if office else None)
            db.session.add(row)
            existing[holiday.day] = row
            added += 1
        elif row.name != holiday.name:
            row.name = holiday.name
            updated += 1
    db.session.flush()
    _forget_holidays()
    if added or updated:
        record("holidays_imported",
               f"{_scope_label(office)}: {added} added, {updated} renamed"
               + (f" from {source}" if source else ""),
               actor=actor, office=office.code if office else None, added=added, updated=updated,
               source=source, first=min(days).isoformat(), last=max(days).isoformat())
    return added, updated


def import_holiday_file(filename: str, content: bytes, office: Office | None = None,
                        actor=None) -> tuple[int, int]:
    """Read a CSV or iCalendar file and import it; a bad file imports nothing (Rejected)."""
    try:
        holidays = holiday_files.parse_holidays(
            filename, content, timezone=office.timezone if office else "Asia/Phnom_Penh")
    except HolidayFileError as error:
        raise Rejected(_("Nothing was imported from %(file)s: %(problem)s.", file=filename or _("the file"),
                         problem=error.message)) from error
    return import_holidays(holidays, office, actor, source=filename)


def import_national_holidays(actor=None) -> tuple[int, int]:
    """Load Cambodia's public holidays shipped with One Window (the default of `flask holidays import`)."""
    return import_holidays(holiday_files.national_holidays(), None, actor,
                           source=holiday_files.NATIONAL_HOLIDAYS_CSV.name)


def add_holiday(day: date | str, name: str, office: Office | None = None, actor=None) -> Holiday:
    """Add one national holiday (``office`` None) or one closure of an office."""
    day = _checked_day(day)
    name = " ".join((name or "").split())
    problems = {}
    if not name:
        problems["name"] = _("Give the holiday a name, e.g. Khmer New Year.")
    elif len(name) > MAX_HOLIDAY_NAME_LENGTH:
        problems["name"] = _("Shorten the name to at most %(limit)s characters.", limit=MAX_HOLIDAY_NAME_LENGTH)
    if problems:
        raise Rejected(_("The holiday was not added."), details=problems)
    _lock_scope(office)
    existing = db.session.scalars(select(Holiday).where(_scope(office), Holiday.day == day)).first()
    if existing is not None:
        raise Rejected(_("The holiday was not added."), details={
            "day": _("%(day)s is already in the list (%(name)s); remove it first to rename it.", day=day.isoformat(),
                     name=existing.name)})
    holiday = Holiday(day=day, name=name, office_id=office.id if office else None)
    db.session.add(holiday)
    db.session.flush()
    _forget_holidays()
    record("holiday_added", f"{_scope_label(office)}: {day.isoformat()} {name} added", actor=actor,
           office=office.code if office else None, day=day.isoformat(), name=name)
    return holiday


def remove_holiday(holiday_id: int, actor=None) -> Holiday:
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None:
        raise NotFound(_("That holiday is not in the list (any more)."))
    office = db.session.get(Office, holiday.office_id) if holiday.office_id else None
    db.session.delete(holiday)
    db.session.flush()
    _forget_holidays()
    record("holiday_removed", f"{_scope_label(office)}: {holiday.day.isoformat()} {holiday.name} removed",
           actor=actor, office=office.code if office else None, day=holiday.day.isoformat(), name=holiday.name)
    return holiday


# --- timezone and working week ----------------------------------------------------------

def set_office_calendar(office: Office, timezone_name: str, closed_days, actor=None) -> Office:
    """Set an office's timezone and the weekdays it is closed every week (Monday=0 ... Sunday=6)."""
    timezone_name = (timezone_name or "").strip()
    problems = {}
    if not _is_timezone(timezone_name):
        problems["timezone"] = (_("'%(name)s' is not a timezone name; use an IANA name such as Asia/Phnom_Penh.",
                                  name=timezone_name) if timezone_name else
                                _("Give the office's timezone, e.g. Asia/Phnom_Penh."))
    try:
        closed = sorted({int(d) for d in closed_days})
    except (TypeError, ValueError):
        closed = None
    if closed is None or not all(0 <= d <= 6 for d in closed):
        problems["weekend_days"] = _("Closed days are weekdays Monday to Sunday.")
    elif len(closed) == 7:
        problems["weekend_days"] = _("An office must work at least one day a week; untick a day.")
    if problems:
        raise Rejected(_("The calendar of %(office)s was not changed.", office=office.code), details=problems)
    before = {"timezone": office.timezone, "weekend_days": office.weekend_days}
    after = {"timezone": timezone_name, "weekend_days": ",".join(str(d) for d in closed)}
    if before == after:
        return office
    office.timezone, office.weekend_days = after["timezone"], after["weekend_days"]
    db.session.flush()
    record("office_calendar_changed",
           f"{office.code}: timezone {office.timezone}, closed on "
           f"{', '.join(WEEKDAYS[d] for d in closed) or 'no weekday'}",
           actor=actor, office=office.code, before=before, after=after)
    return office


@functools.cache
def known_timezones() -> tuple[str, ...]:
    """Every IANA timezone name this machine knows (read once: the lookup walks the tz database)."""
    return tuple(sorted(available_timezones()))


# --- helpers ----------------------------------------------------------------------------

def _scope(office: Office | None):
    return Holiday.office_id.is_(None) if office is None else Holiday.office_id == office.id


def _scope_label(office: Office | None) -> str:
    return "National holidays" if office is None else f"Closures of {office.code}"


def _lock_scope(office: Office | None) -> None:
    """On PostgreSQL, one writer at a time per holiday list until commit.

    The unique constraint (day, office_id) does not stop two national rows for one day
    (NULLs are distinct), so two imports running at once could both add a day.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(CAST(:list AS integer), CAST(:scope AS integer))"),
                           {"list": _HOLIDAY_LOCK, "scope": office.id if office else 0})


def _checked_day(day: date | str) -> date:
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day.strip())
        except ValueError:
            raise Rejected(_("The holiday was not added."),
                           details={"day": _("'%(day)s' is not a date; use YYYY-MM-DD.", day=day)}) from None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise Rejected(_("The holiday was not added."),
                       details={"day": _("%(day)s is not between %(first)s and %(last)s.", day=day.isoformat(),
                                         first=EARLIEST_YEAR, last=LATEST_YEAR)})
    return day


def _is_timezone(name: str) -> bool:
    if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in known_timezones()
