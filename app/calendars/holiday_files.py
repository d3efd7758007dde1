"""Reading holiday lists uploaded by administrators, and the national list.

Two formats are accepted:

* CSV (``.csv``), UTF-8 (a byte-order mark is fine), with a header line
  ``date,name`` (other columns are ignored, column order is free, ``;`` or tab
  may separate values instead of ``,``), one holiday per line, dates as
  ``YYYY-MM-DD``; names may be in Khmer or English. Blank lines are skipped.
* iCalendar (``.ics``): every VEVENT with a DTSTART (date or date-time) and a
  SUMMARY is a holiday; an event over several days (all-day DTEND, which is
  exclusive, or a DURATION) gives one holiday per day. Date-times are read in
  the office timezone (``Asia/Phnom_Penh`` unless told otherwise). Cancelled
  events are skipped; repeating events (RRULE/RDATE) are refused.

The format is chosen by the file extension; a file with another extension is
read as iCalendar when it contains ``BEGIN:VCALENDAR`` and as CSV otherwise.

Duplicate dates: a date may appear more than once (in 2026 Visak Bochea falls
on Labour Day). The result holds each date once, its names joined with
``" / "`` in the order first seen; the same name repeated for a date is kept
once (a joined name longer than 200 characters is cut with "…"). The result
is sorted by date.

Any problem raises ``HolidayFileError`` whose message says what to fix and
where (a CSV line number, or an iCalendar event number and name).
"""
from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from flask_babel import gettext as _

MAX_HOLIDAY_FILE_BYTES = 1024 * 1024
MAX_HOLIDAY_NAME_LENGTH = 200
MAX_EVENT_DAYS = 366
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
NATIONAL_HOLIDAYS_CSV = Path(__file__).with_name("data") / "kh_public_holidays.csv"

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ICALENDAR_EXTENSIONS = (".ics", ".ical", ".icalendar")


@dataclass(frozen=True)
class Holiday:
    """A day off: its date and its name (as written in the file)."""

    day: date
    name: str


class HolidayFileError(ValueError):
    """A holiday file cannot be used; the message says what to fix and where."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_holidays(filename: str, content: bytes, *,
                   timezone: str = "Asia/Phnom_Penh") -> list[Holiday]:
    """The holidays in an uploaded CSV or iCalendar file, sorted by date.

    ``timezone`` is used only to place iCalendar date-times on a local date.
    Raises ``HolidayFileError`` for a file over 1 MB, an empty file, a file
    with no holidays, or any line or event that cannot be read.
    """
    if len(content) > MAX_HOLIDAY_FILE_BYTES:
        raise HolidayFileError(
            _("the file is %(size)s MB; holiday files may be at most 1 MB: upload one year of holidays at a time",
              size=f"{len(content) / (1024 * 1024):.1f}"))
    if not content.strip():
        raise HolidayFileError(_("the file is empty: upload a CSV with the header 'date,name' or an .ics calendar"))
    if _looks_like_icalendar(filename, content):
        holidays = _parse_icalendar(content, ZoneInfo(timezone))
    else:
        holidays = _parse_csv(filename, content)
    if not holidays:
        raise HolidayFileError(_("no holidays found in file"))
    return _merge_same_day(holidays)


@functools.cache
def _national_holidays() -> tuple[Holiday, ...]:
    content = NATIONAL_HOLIDAYS_CSV.read_bytes()
    return tuple(parse_holidays(NATIONAL_HOLIDAYS_CSV.name, content))


def national_holidays() -> list[Holiday]:
    """Cambodia's public holidays shipped with the application (2026–2027)."""
    return list(_national_holidays())


# --- CSV -------------------------------------------------------------------

def _parse_csv(filename: str, content: bytes) -> list[Holiday]:
    text = _decode_utf8(filename, content)
    lines = text.splitlines()
    first_line = next((line for line in lines if line.strip()), "")
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    holidays: list[Holiday] = []
    columns = None
    try:
        for row in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if columns is None:
                columns = _header_columns(filename, line, cells)
                continue
            holidays.append(_holiday_from_row(line, cells, columns))
    except csv.Error as error:
        raise HolidayFileError(_("line %(line)s: %(error)s; check the quotes on that line", line=reader.line_num,
                                 error=error)) from error
    if columns is None:
        raise HolidayFileError(_("no holidays found in file"))
    return holidays


def _decode_utf8(filename: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[:error.start].count(b"\n") + 1
        if not filename.lower().endswith(".csv"):
            raise HolidayFileError(
                _("'%(file)s' is neither a CSV file (date,name) nor an iCalendar (.ics) file: export the holidays "
                  "as 'CSV UTF-8' or .ics", file=filename)) from error
        raise HolidayFileError(_("line %(line)s is not UTF-8 text: save the file as 'CSV UTF-8' and upload it again",
                                 line=line)) from error


def _header_columns(filename: str, line: int, cells: list[str]) -> tuple[int, int]:
    names = [cell.lower() for cell in cells]
    if "date" in names and "name" in names:
        return names.index("date"), names.index("name")
    found = ",".join(cells)
    if _ISO_DATE.fullmatch(cells[0]):
        raise HolidayFileError(_("line %(line)s: the first line must be the header 'date,name'; add it above "
                                 "'%(found)s'", line=line, found=_shorten(found)))
    raise HolidayFileError(_("line %(line)s: the header must name the columns 'date' and 'name' (found "
                             "'%(found)s') in '%(file)s'", line=line, found=_shorten(found), file=filename))


def _holiday_from_row(line: int, cells: list[str], columns: tuple[int, int]) -> Holiday:
    date_column, name_column = columns
    needed = max(columns) + 1
    if len(cells) < needed:
        raise HolidayFileError(_("line %(line)s: expected a date and a name, found only '%(found)s'", line=line,
                                 found=_shorten(",".join(cells))))
    where = _("line %(line)s", line=line)
    day = _iso_date(cells[date_column], where)
    return Holiday(day, _checked_name(cells[name_column], day, where))


def _iso_date(text: str, where: str) -> date:
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        raise HolidayFileError(_("%(where)s: '%(text)s' is not a date (use YYYY-MM-DD)", where=where,
                                 text=_shorten(text)))
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        raise HolidayFileError(_("%(where)s: '%(text)s' is not a date (use YYYY-MM-DD)", where=where,
                                 text=text)) from None
    _check_year(day, text, where)
    return day


# --- iCalendar -------------------------------------------------------------

def _looks_like_icalendar(filename: str, content: bytes) -> bool:
    extension = Path(filename or "").suffix.lower()
    if extension == ".csv":
        return False
    if extension in _ICALENDAR_EXTENSIONS:
        return True
    return b"BEGIN:VCALENDAR" in content[:4096].upper()


def _parse_icalendar(content: bytes, zone: ZoneInfo) -> list[Holiday]:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        # Always bytes: icalendar reads a *str* without line breaks as a file path.
        components = icalendar.Calendar.from_ical(content, multiple=True)
    except Exception as error:
        raise HolidayFileError(_("the .ics file could not be read (%(error)s); export it again from your calendar "
                                 "program", error=_shorten(str(error)))) from error
    holidays: list[Holiday] = []
    number = 0
    for component in components:
        for event in component.walk("VEVENT"):
            number += 1
            holidays.extend(_holidays_from_event(event, number, zone))
    return holidays


def _holidays_from_event(event, number: int, zone: ZoneInfo) -> list[Holiday]:
    summary = event.get("SUMMARY")
    label = (_("event %(number)s ('%(summary)s')", number=number, summary=_shorten(str(summary))) if summary
             else _("event %(number)s", number=number))
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return []
    if "RRULE" in event or "RDATE" in event:
        raise HolidayFileError(_("%(event)s repeats (RRULE/RDATE); repeating events are not supported: export each "
                                 "year's holidays as single events", event=label))
    if "DTSTART" not in event:
        raise HolidayFileError(_("%(event)s has no start date (DTSTART); add one", event=label))
    first = _event_moment(event, "DTSTART", label)
    first_day = _local_day(first, zone)
    _check_year(first_day, first_day.isoformat(), label)
    last_day = _last_day(event, first, first_day, label, zone)
    days = (last_day - first_day).days + 1
    if days > MAX_EVENT_DAYS:
        raise HolidayFileError(_("%(event)s lasts %(days)s days, more than %(limit)s: check its end date (DTEND) or "
                                 "split it", event=label, days=days, limit=MAX_EVENT_DAYS))
    name = _checked_name(str(summary or ""), first_day, label)
    return [Holiday(first_day + timedelta(days=i), name) for i in range(days)]


def _event_moment(event, key: str, label: str) -> date | datetime:
    prop = event.get(key)
    if isinstance(prop, icalendar.vBroken):
        raise HolidayFileError(_("%(event)s: %(key)s '%(value)s' is not a date or date-time", event=label, key=key,
                                 value=_shorten(str(prop))))
    value = prop.dt
    if not isinstance(value, date):
        raise HolidayFileError(_("%(event)s: %(key)s '%(value)s' is not a date or date-time", event=label, key=key,
                                 value=_shorten(str(prop.to_ical(), "utf-8"))))
    return value


def _last_day(event, first, first_day: date, label: str, zone: ZoneInfo) -> date:
    """The last day an event covers; DTEND is exclusive, DURATION adds to DTSTART."""
    if "DTEND" in event:
        end = _event_moment(event, "DTEND", label)
    elif "DURATION" in event:
        duration = event.get("DURATION")
        if isinstance(duration, icalendar.vBroken) or not isinstance(
                getattr(duration, "dt", None), timedelta):
            raise HolidayFileError(_("%(event)s: DURATION '%(value)s' is not a duration such as P3D", event=label,
                                     value=_shorten(str(duration))))
        end = first + duration.dt
    else:
        return first_day
    if isinstance(end, datetime) != isinstance(first, datetime):
        raise HolidayFileError(_("%(event)s: DTSTART and DTEND must both be dates or both date-times", event=label))
    if isinstance(end, datetime):
        end, first = _aware(end, zone), _aware(first, zone)
        if end <= first:
            return first_day
        return _local_day(end - timedelta(microseconds=1), zone)
    if end <= first:
        return first_day
    return end - timedelta(days=1)


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _local_day(moment: date | datetime, zone: ZoneInfo) -> date:
    if isinstance(moment, datetime):
        return _aware(moment, zone).astimezone(zone).date()
    return moment


# --- shared ----------------------------------------------------------------

def _checked_name(name: str, day: date, where: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise HolidayFileError(_("%(where)s: the holiday on %(day)s has no name", where=where, day=day.isoformat()))
    if len(name) > MAX_HOLIDAY_NAME_LENGTH:
        raise HolidayFileError(_("%(where)s: the name of the holiday on %(day)s is %(length)s characters long; "
                                 "shorten it to at most %(limit)s", where=where, day=day.isoformat(),
                                 length=len(name), limit=MAX_HOLIDAY_NAME_LENGTH))
    return name


def _check_year(day: date, text: str, where: str) -> None:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise HolidayFileError(_("%(where)s: '%(text)s' is not between %(first)s and %(last)s; check the year",
                                 where=where, text=text, first=EARLIEST_YEAR, last=LATEST_YEAR))


def _merge_same_day(holidays: list[Holiday]) -> list[Holiday]:
    names_by_day: dict[date, list[str]] = {}
    for holiday in holidays:
        names = names_by_day.setdefault(holiday.day, [])
        if holiday.name not in names:
            names.append(holiday.name)
    return [Holiday(day, _shorten(" / ".join(names), MAX_HOLIDAY_NAME_LENGTH))
            for day, names in sorted(names_by_day.items())]


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
