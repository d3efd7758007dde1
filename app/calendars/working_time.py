"""Working days and working time of a One Window Service Office.

Service standards are deadlines in working days, and service clocks pause and
resume; everything here is a pure function of an ``OfficeCalendar`` (built by
the caller from the database) and timezone-aware datetimes.

The model, used by every function below:

* A day is a *working day* when it is neither a weekend day nor a holiday of
  the office, judged by its date on the office's local wall clock.
* *Working time* is the time on the local wall clock that falls on working
  days; every working day counts whole, 00:00 to 24:00 (24 hours; in zones
  with daylight-saving changes a working day still counts as 24 hours).
  Time on weekends and holidays does not count. (A local time skipped by a
  daylight-saving change is read as if the clock had not changed; Cambodia
  has no daylight saving.)
* One working day of service standard is 24 hours of working time, so a case
  received on a working day at 14:30 with a standard of *n* working days is
  due at 14:30 on the *n*-th following working day.
* Results are never put on a non-working day: a deadline that falls exactly
  at the end of a working day (24:00) is given as 00:00 of the next working
  day, which is the same point in working time.

All results are aware datetimes in UTC; inputs may be in any timezone, but
must be aware (a ``ValueError`` is raised for naive datetimes).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone as dt_timezone
from numbers import Real
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ONE_DAY = timedelta(days=1)
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


@dataclass(frozen=True)
class OfficeCalendar:
    """When an office works: its timezone, weekend days and holidays.

    ``weekend`` holds weekday numbers (Monday=0 … Sunday=6). ``holidays`` is
    the union of national holidays and the office's own closures. Any
    iterable of dates is accepted for ``holidays`` and any iterable of ints
    for ``weekend``; both are stored as frozensets.
    """

    timezone: str = "Asia/Phnom_Penh"
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self):
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ValueError(f"unknown timezone {self.timezone!r}; use an IANA name "
                             f"such as 'Asia/Phnom_Penh'") from error
        weekend = frozenset(self.weekend)
        if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6
                   for d in weekend):
            raise ValueError(f"weekend days must be weekday numbers 0 (Monday) to 6 "
                             f"(Sunday), not {sorted(weekend, key=str)}")
        if len(weekend) == 7:
            raise ValueError("an office calendar needs at least one working weekday")
        holidays = frozenset(self.holidays)
        if not all(isinstance(d, date) and not isinstance(d, datetime) for d in holidays):
            raise ValueError("holidays must be dates (datetime.date), not datetimes or text")
        object.__setattr__(self, "weekend", weekend)
        object.__setattr__(self, "holidays", holidays)


# --- working days ----------------------------------------------------------

def is_working_day(calendar: OfficeCalendar, day: date) -> bool:
    """True when the office works on ``day`` (not a weekend day, not a holiday)."""
    return day.weekday() not in calendar.weekend and day not in calendar.holidays


def next_working_day(calendar: OfficeCalendar, day: date) -> date:
    """The first working day strictly after ``day``."""
    day += ONE_DAY
    while not is_working_day(calendar, day):
        day += ONE_DAY
    return day


def add_working_days(calendar: OfficeCalendar, start: datetime, n: int) -> datetime:
    """The deadline ``n`` working days after ``start``, as an aware UTC datetime.

    ``start`` is converted to the office's local time. Then:

    1. If ``start`` is on a non-working day, counting starts at 00:00 of the
       next working day (a Saturday application is treated as received at the
       very beginning of Monday).
    2. The deadline is the same local time of day on the ``n``-th working day
       after that day, stepping one calendar day at a time and counting only
       working days (a case received Friday 14:30 with n=5 is due the next
       Friday 14:30, or later if holidays fall in between).
    3. A start moved to 00:00 therefore gives a deadline at 00:00 of a working
       day, i.e. the end of the previous working day: a Saturday application
       with n=1 is due at 00:00 Tuesday, the end of Monday; if Tuesday is a
       holiday, at 00:00 of the next working day (same working-time moment).

    ``n`` must be a whole number of days, 0 or more (``5`` and ``5.0`` are
    both accepted); ``n == 0`` returns ``start`` itself (in UTC), even when
    ``start`` is on a non-working day. For ``start`` on a working day this
    equals ``add_working_time(calendar, start, timedelta(days=n))``.
    """
    days = _whole_days(n)
    _require_aware(start, "start")
    if days == 0:
        return start.astimezone(dt_timezone.utc)
    local = _start_of_working_time(calendar, _local_wall_clock(calendar, start))
    day = local.date()
    for _ in range(days):
        day = next_working_day(calendar, day)
    return _to_utc(calendar, datetime.combine(day, local.time()))


# --- working time ----------------------------------------------------------

def working_time_between(calendar: OfficeCalendar, start: datetime,
                         end: datetime) -> timedelta:
    """How much working time lies between ``start`` and ``end``.

    Only time on working days counts, each working day whole (24 hours on the
    local wall clock). Returns ``timedelta(0)`` when ``end <= start``. Used to
    pause and resume service clocks: a clock paused over a weekend loses no
    working time.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return timedelta(0)
    local_start = _local_wall_clock(calendar, start)
    local_end = _local_wall_clock(calendar, end)
    total = timedelta(0)
    day = local_start.date()
    while day <= local_end.date():
        if is_working_day(calendar, day):
            day_start = datetime.combine(day, time())
            overlap = (min(local_end, day_start + ONE_DAY)
                       - max(local_start, day_start))
            if overlap > timedelta(0):
                total += overlap
        day += ONE_DAY
    return total


def add_working_time(calendar: OfficeCalendar, start: datetime,
                     amount: timedelta) -> datetime:
    """The moment when ``amount`` of working time has passed after ``start``.

    The inverse of ``working_time_between``: non-working days are skipped; a
    ``start`` on a non-working day begins at 00:00 of the next working day;
    when the amount runs out exactly at the end of a working day the result
    is 00:00 of the next working day. ``amount`` must be 0 or more; zero
    returns ``start`` itself (in UTC). Returns an aware UTC datetime.

    ``working_time_between(c, s, add_working_time(c, s, a)) == a`` for every
    ``s``, and ``add_working_time(c, s, timedelta(days=n))`` equals
    ``add_working_days(c, s, n)`` for n >= 1 (and for n == 0 when ``s`` is on a
    working day).
    """
    _require_aware(start, "start")
    if not isinstance(amount, timedelta):
        raise ValueError(f"the amount of working time must be a timedelta, not {amount!r}")
    if amount < timedelta(0):
        raise ValueError(f"the amount of working time must be 0 or more, not {amount}")
    if amount == timedelta(0):
        return start.astimezone(dt_timezone.utc)
    local = _start_of_working_time(calendar, _local_wall_clock(calendar, start))
    remaining = amount
    left_today = datetime.combine(local.date() + ONE_DAY, time()) - local
    while remaining > left_today:
        remaining -= left_today
        local = datetime.combine(next_working_day(calendar, local.date()), time())
        left_today = ONE_DAY
    return _to_utc(calendar, _start_of_working_time(calendar, local + remaining))


def working_days_between(calendar: OfficeCalendar, start: datetime,
                         end: datetime) -> float:
    """Working time between ``start`` and ``end`` in working days (for reports)."""
    return working_time_between(calendar, start, end) / ONE_DAY


def iso_duration_until(start: datetime, deadline: datetime) -> str:
    """An ISO 8601 duration ``"PT{seconds}S"`` from ``start`` to ``deadline``.

    Seconds are whole and rounded up, so a timer that adds this duration to
    ``start`` fires at the deadline, never before it; a deadline already past
    gives ``"PT0S"``. Both datetimes must be aware.
    """
    _require_aware(start, "start")
    _require_aware(deadline, "deadline")
    seconds = max(0, math.ceil((deadline - start).total_seconds()))
    return f"PT{seconds}S"


# --- helpers ---------------------------------------------------------------

def _whole_days(n) -> int:
    if isinstance(n, bool) or not isinstance(n, Real):
        raise ValueError(f"the number of working days must be a whole number, not {n!r}")
    if not math.isfinite(n) or n != int(n):
        raise ValueError(f"the number of working days must be a whole number, not {n!r}")
    if n < 0:
        raise ValueError(f"the number of working days must be 0 or more, not {n!r}")
    return int(n)


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime, not {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {moment.isoformat()})")


def _local_wall_clock(calendar: OfficeCalendar, moment: datetime) -> datetime:
    """``moment`` as a naive datetime on the office's local wall clock."""
    return moment.astimezone(ZoneInfo(calendar.timezone)).replace(tzinfo=None)


def _to_utc(calendar: OfficeCalendar, local: datetime) -> datetime:
    return local.replace(tzinfo=ZoneInfo(calendar.timezone)).astimezone(dt_timezone.utc)


def _start_of_working_time(calendar: OfficeCalendar, local: datetime) -> datetime:
    """``local`` if it is on a working day, else 00:00 of the next working day."""
    if is_working_day(calendar, local.date()):
        return local
    return datetime.combine(next_working_day(calendar, local.date()), time())
