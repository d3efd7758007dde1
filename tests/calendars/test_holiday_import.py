"""Stories of an administrator loading holiday lists from the command line, and what the
offices' deadlines make of them."""
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from app.accounts.services import find_office
from app.audit.models import AuditEvent
from app.calendars.holiday_files import Holiday as ParsedHoliday
from app.calendars.holiday_files import national_holidays
from app.calendars.models import Holiday
from app.calendars.services import import_holidays, office_calendar
from app.calendars.working_time import add_working_days

PP = "Asia/Phnom_Penh"


def holidays_in(database, office_code=None):
    scope = Holiday.office_id.is_(None) if office_code is None else Holiday.office_id == find_office(office_code).id
    return {h.day: h.name for h in database.scalars(select(Holiday).where(scope))}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_shipped_cambodian_holidays_load_once_however_often_the_command_runs(runner, database):
    shipped = national_holidays()

    first = runner.invoke(args=["holidays", "import"])
    assert first.exit_code == 0, first.output
    assert f"{len(shipped)} added, 0 updated" in first.output
    assert "kh_public_holidays.csv" in first.output

    again = runner.invoke(args=["holidays", "import", "--national"])
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated" in again.output

    national = holidays_in(database)
    assert len(national) == len(shipped)
    assert national[date(2026, 5, 1)] == "International Labour Day / Visak Bochea Day"
    assert database.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.kind == "holidays_imported")) == 1


def test_an_office_imports_its_own_closures_which_other_offices_do_not_share(runner, database, tmp_path):
    closures = write(tmp_path, "srk-closures.csv",
                     "date,name\n2026-12-03,Staff training\n2026-12-04,Staff training\n")

    result = runner.invoke(args=["holidays", "import", closures, "--office", "srk"])

    assert result.exit_code == 0, result.output
    assert "closures of SRK from srk-closures.csv: 2 added, 0 updated" in result.output
    assert holidays_in(database, "SRK") == {date(2026, 12, 3): "Staff training", date(2026, 12, 4): "Staff training"}
    assert holidays_in(database) == {}
    assert date(2026, 12, 3) in office_calendar(find_office("SRK")).holidays
    assert date(2026, 12, 3) not in office_calendar(find_office("KPS")).holidays


def test_importing_a_corrected_file_renames_a_day_and_keeps_one_row(runner, database, tmp_path):
    runner.invoke(args=["holidays", "import", write(tmp_path, "h.csv", "date,name\n2026-11-09,Independence\n")])
    corrected = write(tmp_path, "h2.csv", "date,name\n2026-11-09,Independence Day\n2026-11-23,Water Festival\n")

    result = runner.invoke(args=["holidays", "import", corrected])

    assert result.exit_code == 0, result.output
    assert "national holidays from h2.csv: 1 added, 1 updated" in result.output
    assert holidays_in(database) == {date(2026, 11, 9): "Independence Day", date(2026, 11, 23): "Water Festival"}


def test_a_bad_file_imports_nothing_and_says_what_to_fix(runner, database, tmp_path):
    bad = write(tmp_path, "holidays.csv", "date,name\n2026-01-01,New Year\n2026-13-01,Thirteenth month\n")

    result = runner.invoke(args=["holidays", "import", bad])

    assert result.exit_code == 1
    assert "line 3: '2026-13-01' is not a date (use YYYY-MM-DD)" in result.output
    assert "Nothing was imported" in result.output
    assert holidays_in(database) == {}


def test_an_icalendar_export_is_imported_with_one_day_per_day_of_the_event(runner, database, tmp_path):
    ics = write(tmp_path, "pchum-ben.ics", "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
        "BEGIN:VEVENT", "UID:1@test", "DTSTAMP:20260101T000000Z", "SUMMARY:Pchum Ben Festival",
        "DTSTART;VALUE=DATE:20261010", "DTEND;VALUE=DATE:20261013", "END:VEVENT",
        "END:VCALENDAR", ""]))

    result = runner.invoke(args=["holidays", "import", ics, "--office", "BTB"])

    assert result.exit_code == 0, result.output
    assert sorted(holidays_in(database, "BTB")) == [date(2026, 10, 10), date(2026, 10, 11), date(2026, 10, 12)]


def test_wrong_combinations_of_arguments_are_refused(runner, database, tmp_path):
    closures = write(tmp_path, "c.csv", "date,name\n2026-12-03,Staff training\n")

    unknown_office = runner.invoke(args=["holidays", "import", closures, "--office", "XYZ"])
    assert unknown_office.exit_code == 1 and "There is no office with the code XYZ" in unknown_office.output
    both = runner.invoke(args=["holidays", "import", closures, "--national"])
    assert both.exit_code == 2 and "not both" in both.output
    office_without_file = runner.invoke(args=["holidays", "import", "--office", "KPS"])
    assert office_without_file.exit_code == 2
    assert holidays_in(database) == {} and holidays_in(database, "KPS") == {}


def test_a_deadline_steps_over_the_national_holidays_and_the_offices_own_closure(database):
    kps = find_office("KPS")
    # Friday 6 November 2026, 10:00 in Phnom Penh; a 3-working-day standard.
    received = datetime(2026, 11, 6, 3, 0, tzinfo=timezone.utc)
    assert add_working_days(office_calendar(kps), received, 3) == datetime(2026, 11, 11, 3, 0, tzinfo=timezone.utc)

    added, updated = import_holidays([ParsedHoliday(date(2026, 11, 9), "Independence Day")])
    assert (added, updated) == (1, 0)
    import_holidays([ParsedHoliday(date(2026, 11, 10), "Office move")], office=kps)

    # Monday is Independence Day and Tuesday the office moves: due on Thursday instead.
    assert add_working_days(office_calendar(kps), received, 3) == datetime(2026, 11, 13, 3, 0, tzinfo=timezone.utc)
    # Srei Santhor does not move: only the national holiday counts there.
    srk = find_office("SRK")
    assert add_working_days(office_calendar(srk), received, 3) == datetime(2026, 11, 12, 3, 0, tzinfo=timezone.utc)
    assert import_holidays([ParsedHoliday(date(2026, 11, 9), "Independence Day")]) == (0, 0)
