"""Stories of an administrator uploading holiday lists, and the national list."""
from datetime import date

import pytest

from app.calendars.holiday_files import (
    Holiday,
    HolidayFileError,
    national_holidays,
    parse_holidays,
)


def ics(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//One Window//test//EN"]
    for number, event in enumerate(events, start=1):
        lines += ["BEGIN:VEVENT", f"UID:event-{number}@test", "DTSTAMP:20250901T000000Z"]
        lines += [line.strip() for line in event.strip().splitlines()]
        lines += ["END:VEVENT"]
    lines += ["END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


# --- CSV -----------------------------------------------------------------------

def test_a_csv_with_khmer_names_saved_by_excel_with_a_bom_is_read():
    content = "date,name\n2026-04-14,ពិធីបុណ្យចូលឆ្នាំថ្មីប្រពៃណីជាតិ\n2026-01-07,Victory Day\n"
    holidays = parse_holidays("holidays.csv", b"\xef\xbb\xbf" + content.encode())
    assert holidays == [Holiday(date(2026, 1, 7), "Victory Day"),
                        Holiday(date(2026, 4, 14), "ពិធីបុណ្យចូលឆ្នាំថ្មីប្រពៃណីជាតិ")]


def test_a_csv_with_columns_in_another_order_and_a_notes_column_is_read():
    content = b"Name;Date;Notes\r\nOffice training;2026-03-16;all staff\r\n"
    assert parse_holidays("closures.csv", content) == [Holiday(date(2026, 3, 16), "Office training")]


def test_blank_lines_and_spaces_around_values_are_ignored():
    content = b"date,name\n\n 2026-11-09 , Independence Day \n\n"
    assert parse_holidays("h.csv", content) == [Holiday(date(2026, 11, 9), "Independence Day")]


def test_a_name_with_a_comma_can_be_quoted():
    content = b'date,name\n2026-10-29,"Coronation Day, King Norodom Sihamoni"\n'
    assert parse_holidays("h.csv", content)[0].name == "Coronation Day, King Norodom Sihamoni"


def test_a_csv_with_a_bad_date_gives_the_line_number():
    content = b"date,name\n2026-01-01,New Year\n\n2026-13-01,Thirteenth month\n"
    with pytest.raises(HolidayFileError) as error:
        parse_holidays("holidays.csv", content)
    assert str(error.value) == "line 4: '2026-13-01' is not a date (use YYYY-MM-DD)"


def test_a_date_written_the_excel_way_is_refused_with_the_expected_format():
    with pytest.raises(HolidayFileError, match=r"line 2: '14/04/2026' is not a date \(use YYYY-MM-DD\)"):
        parse_holidays("holidays.csv", b"date,name\n14/04/2026,Khmer New Year\n")


def test_a_typo_in_the_year_is_caught():
    with pytest.raises(HolidayFileError, match="line 2: '0226-04-14' is not between 1900 and 2100"):
        parse_holidays("holidays.csv", b"date,name\n0226-04-14,Khmer New Year\n")


def test_a_holiday_without_a_name_is_refused_with_its_line():
    with pytest.raises(HolidayFileError, match="line 3: the holiday on 2026-05-14 has no name"):
        parse_holidays("holidays.csv", b"date,name\n2026-05-01,Labour Day\n2026-05-14,\n")


def test_a_line_with_only_a_date_is_refused_with_its_line():
    with pytest.raises(HolidayFileError, match="line 2: expected a date and a name"):
        parse_holidays("holidays.csv", b"date,name\n2026-05-14\n")


def test_a_csv_without_the_header_asks_for_it():
    with pytest.raises(HolidayFileError, match="line 1: the first line must be the header 'date,name'"):
        parse_holidays("holidays.csv", b"2026-05-14,King's Birthday\n")


def test_a_csv_with_other_column_names_says_which_are_needed():
    with pytest.raises(HolidayFileError, match="line 1: the header must name the columns 'date' and 'name'"):
        parse_holidays("holidays.csv", b"day,holiday\n2026-05-14,King's Birthday\n")


def test_a_csv_with_only_the_header_has_no_holidays():
    with pytest.raises(HolidayFileError, match="^no holidays found in file$"):
        parse_holidays("holidays.csv", b"date,name\n")


def test_an_empty_file_is_refused():
    with pytest.raises(HolidayFileError, match="the file is empty"):
        parse_holidays("holidays.csv", b"  \n")


def test_a_csv_not_saved_as_utf8_gives_the_line_and_how_to_save_it():
    content = "date,name\n2026-01-01,New Year\n2026-12-25,Noël\n".encode("cp1252")
    with pytest.raises(HolidayFileError, match="line 3 is not UTF-8 text: save the file as 'CSV UTF-8'"):
        parse_holidays("holidays.csv", content)


def test_a_spreadsheet_uploaded_instead_of_a_csv_is_refused():
    with pytest.raises(HolidayFileError, match="neither a CSV file .* nor an iCalendar"):
        parse_holidays("holidays.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe")


def test_a_file_over_one_megabyte_is_refused():
    content = b"date,name\n" + b"2026-01-01,New Year\n" * 60_000
    assert len(content) > 1024 * 1024
    with pytest.raises(HolidayFileError, match="at most 1 MB"):
        parse_holidays("holidays.csv", content)


def test_a_name_longer_than_200_characters_is_refused():
    content = ("date,name\n2026-01-01," + "x" * 201 + "\n").encode()
    with pytest.raises(HolidayFileError, match="line 2: .* 201 characters long; shorten it to at most 200"):
        parse_holidays("holidays.csv", content)


def test_two_holidays_on_one_day_are_kept_once_with_both_names():
    content = b"date,name\n2026-05-01,Labour Day\n2026-05-01,Visak Bochea\n2026-05-01,Labour Day\n"
    assert parse_holidays("holidays.csv", content) == [
        Holiday(date(2026, 5, 1), "Labour Day / Visak Bochea")]


def test_a_file_without_extension_is_read_as_csv():
    assert parse_holidays("holidays", b"date,name\n2026-09-24,Constitution Day\n") == [
        Holiday(date(2026, 9, 24), "Constitution Day")]


# --- iCalendar -----------------------------------------------------------------

def test_an_ics_with_a_three_day_event_gives_three_holidays():
    content = ics("""
        DTSTART;VALUE=DATE:20261010
        DTEND;VALUE=DATE:20261013
        SUMMARY:Pchum Ben
    """)
    assert parse_holidays("kh.ics", content) == [
        Holiday(date(2026, 10, 10), "Pchum Ben"),
        Holiday(date(2026, 10, 11), "Pchum Ben"),
        Holiday(date(2026, 10, 12), "Pchum Ben"),
    ]


def test_an_all_day_event_without_an_end_is_one_day():
    content = ics("DTSTART;VALUE=DATE:20261109\nSUMMARY:Independence Day")
    assert parse_holidays("kh.ics", content) == [Holiday(date(2026, 11, 9), "Independence Day")]


def test_an_event_with_a_duration_covers_each_of_its_days():
    content = ics("DTSTART;VALUE=DATE:20261123\nDURATION:P3D\nSUMMARY:Water Festival")
    assert [h.day for h in parse_holidays("kh.ics", content)] == [
        date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]


def test_event_times_in_utc_are_placed_on_the_phnom_penh_date():
    content = ics("""
        DTSTART:20260413T170000Z
        DTEND:20260416T170000Z
        SUMMARY:Khmer New Year
    """)
    assert [h.day for h in parse_holidays("kh.ics", content)] == [
        date(2026, 4, 14), date(2026, 4, 15), date(2026, 4, 16)]


def test_an_ics_with_khmer_names_and_several_events_is_read_and_sorted():
    content = ics("DTSTART;VALUE=DATE:20261229\nSUMMARY:ទិវាសន្តិភាព",
                  "DTSTART;VALUE=DATE:20260107\nSUMMARY:Victory Day")
    assert parse_holidays("kh.ics", content) == [
        Holiday(date(2026, 1, 7), "Victory Day"), Holiday(date(2026, 12, 29), "ទិវាសន្តិភាព")]


def test_a_cancelled_event_is_not_a_holiday():
    content = ics("DTSTART;VALUE=DATE:20260101\nSUMMARY:New Year",
                  "DTSTART;VALUE=DATE:20260102\nSUMMARY:Bridge day\nSTATUS:CANCELLED")
    assert parse_holidays("kh.ics", content) == [Holiday(date(2026, 1, 1), "New Year")]


def test_a_repeating_event_is_refused():
    content = ics("DTSTART;VALUE=DATE:20261109\nRRULE:FREQ=YEARLY\nSUMMARY:Independence Day")
    with pytest.raises(HolidayFileError, match=r"event 1 \('Independence Day'\) repeats"):
        parse_holidays("kh.ics", content)


def test_an_event_with_a_broken_date_names_the_event():
    content = ics("DTSTART;VALUE=DATE:20260101\nSUMMARY:New Year",
                  "DTSTART;VALUE=DATE:20261301\nSUMMARY:Thirteenth month")
    with pytest.raises(HolidayFileError, match=r"event 2 \('Thirteenth month'\): DTSTART '20261301' is not a date"):
        parse_holidays("kh.ics", content)


def test_an_event_without_a_start_is_refused():
    with pytest.raises(HolidayFileError, match=r"event 1 \('Mystery'\) has no start date \(DTSTART\)"):
        parse_holidays("kh.ics", ics("SUMMARY:Mystery"))


def test_an_event_without_a_name_is_refused():
    with pytest.raises(HolidayFileError, match="event 1: the holiday on 2026-01-01 has no name"):
        parse_holidays("kh.ics", ics("DTSTART;VALUE=DATE:20260101"))


def test_an_event_lasting_more_than_a_year_is_refused():
    content = ics("DTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20280101\nSUMMARY:Closed")
    with pytest.raises(HolidayFileError, match="lasts 730 days"):
        parse_holidays("kh.ics", content)


def test_an_ics_without_events_has_no_holidays():
    with pytest.raises(HolidayFileError, match="^no holidays found in file$"):
        parse_holidays("kh.ics", ics())


def test_an_unreadable_ics_asks_to_export_it_again():
    with pytest.raises(HolidayFileError, match="export it again"):
        parse_holidays("kh.ics", b"this is not a calendar\r\n")


def test_a_calendar_saved_with_another_extension_is_recognised():
    content = ics("DTSTART;VALUE=DATE:20260924\nSUMMARY:Constitution Day")
    assert parse_holidays("download.txt", content) == [Holiday(date(2026, 9, 24), "Constitution Day")]


def test_an_ics_over_one_megabyte_is_refused():
    with pytest.raises(HolidayFileError, match="at most 1 MB"):
        parse_holidays("kh.ics", ics() + b" " * (1024 * 1024))


# --- the national list shipped with the application ------------------------------

def test_the_national_list_covers_2026_and_2027_with_each_date_once():
    holidays = national_holidays()
    days = [h.day for h in holidays]
    assert days == sorted(set(days))
    assert {d.year for d in days} == {2026, 2027}
    assert sum(d.year == 2026 for d in days) == 21
    assert sum(d.year == 2027 for d in days) == 22


@pytest.mark.parametrize("day", [
    date(2026, 1, 7), date(2026, 4, 14), date(2026, 4, 15), date(2026, 4, 16), date(2026, 5, 5),
    date(2026, 5, 14), date(2026, 9, 24), date(2026, 10, 10), date(2026, 10, 12), date(2026, 10, 15),
    date(2026, 11, 9), date(2026, 11, 24), date(2026, 12, 29), date(2027, 5, 20), date(2027, 11, 14),
])
def test_the_national_list_includes_the_main_holidays(day):
    assert day in {h.day for h in national_holidays()}


def test_visak_bochea_2026_falls_on_labour_day():
    may_day = next(h for h in national_holidays() if h.day == date(2026, 5, 1))
    assert may_day.name == "International Labour Day / Visak Bochea Day"


def test_the_national_list_cannot_be_changed_by_a_caller():
    national_holidays().clear()
    assert national_holidays()
