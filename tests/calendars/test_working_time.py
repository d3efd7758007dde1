"""Stories of deadlines and service clocks in a district One Window office.

Dates are in 2026: Friday 13 March, Khmer New Year 14-16 April (Tue-Thu),
Royal Ploughing Ceremony Tuesday 5 May, Pchum Ben 10-12 October (Sat-Mon).
"""
import time as wall_clock
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from app.calendars.holiday_files import national_holidays
from app.calendars.working_time import (
    OfficeCalendar,
    add_working_days,
    add_working_time,
    is_working_day,
    iso_duration_until,
    next_working_day,
    working_days_between,
    working_time_between,
)

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
UTC = timezone.utc
HOURS = timedelta(hours=1)
DAYS = timedelta(days=1)

OFFICE = OfficeCalendar(holidays=frozenset(h.day for h in national_holidays()))
NO_HOLIDAYS = OfficeCalendar()


def local(year, month, day, hour=0, minute=0, second=0):
    return datetime(year, month, day, hour, minute, second, tzinfo=PHNOM_PENH)


def in_phnom_penh(moment):
    return moment.astimezone(PHNOM_PENH)


# --- which days the office works ----------------------------------------------

def test_the_office_works_monday_to_friday_except_holidays():
    assert is_working_day(OFFICE, date(2026, 3, 13))        # Friday
    assert not is_working_day(OFFICE, date(2026, 3, 14))    # Saturday
    assert not is_working_day(OFFICE, date(2026, 3, 15))    # Sunday
    assert not is_working_day(OFFICE, date(2026, 4, 14))    # Khmer New Year, Tuesday


def test_the_next_working_day_after_khmer_new_year_eve_is_friday():
    assert next_working_day(OFFICE, date(2026, 4, 13)) == date(2026, 4, 17)


def test_an_office_that_opens_on_saturdays_counts_them():
    saturday_office = OfficeCalendar(weekend=frozenset({6}))
    assert is_working_day(saturday_office, date(2026, 3, 14))
    friday = local(2026, 3, 13, 15)
    assert in_phnom_penh(add_working_days(saturday_office, friday, 1)) == local(2026, 3, 14, 15)


def test_an_office_closure_counts_like_a_holiday():
    closed_for_training = OfficeCalendar(holidays={date(2026, 3, 16)})
    friday = local(2026, 3, 13, 15)
    assert in_phnom_penh(add_working_days(closed_for_training, friday, 1)) == local(2026, 3, 17, 15)


# --- deadlines in working days -------------------------------------------------

def test_a_five_working_day_review_started_on_friday_afternoon_is_due_next_friday_afternoon():
    received = local(2026, 3, 13, 15, 30)
    assert in_phnom_penh(add_working_days(OFFICE, received, 5)) == local(2026, 3, 20, 15, 30)


def test_khmer_new_year_pushes_a_deadline_past_the_holiday():
    received = local(2026, 4, 10, 14, 30)                   # Friday before the New Year
    due = add_working_days(OFFICE, received, 5)
    # Mon 13, (Tue-Thu holiday), Fri 17, Mon 20, Tue 21, Wed 22
    assert in_phnom_penh(due) == local(2026, 4, 22, 14, 30)


def test_a_saturday_application_starts_counting_on_monday():
    received = local(2026, 3, 14, 10)                       # Saturday
    assert in_phnom_penh(add_working_days(OFFICE, received, 1)) == local(2026, 3, 17)  # end of Monday
    assert in_phnom_penh(add_working_days(OFFICE, received, 5)) == local(2026, 3, 23)  # end of Friday


def test_an_application_during_pchum_ben_starts_counting_after_the_festival():
    received = local(2026, 10, 11, 9)                       # Sunday, Pchum Ben
    # counting starts Tuesday 13 October 00:00; one working day is all of Tuesday
    assert in_phnom_penh(add_working_days(OFFICE, received, 1)) == local(2026, 10, 14)


def test_a_deadline_ending_on_the_eve_of_a_holiday_is_given_as_the_next_working_morning():
    received = local(2026, 5, 2, 11)                        # Saturday; Tuesday 5 May is a holiday
    # one working day = all of Monday 4 May; it ends at 00:00 on the holiday,
    # which is shown as 00:00 of Wednesday, the same point in working time
    assert in_phnom_penh(add_working_days(OFFICE, received, 1)) == local(2026, 5, 6)


def test_an_application_at_three_in_the_morning_on_saturday_is_a_weekend_application_even_if_utc_says_friday():
    received = datetime(2026, 3, 13, 20, 0, tzinfo=UTC)     # Saturday 03:00 in Phnom Penh
    assert in_phnom_penh(add_working_days(OFFICE, received, 1)) == local(2026, 3, 17)


def test_deadlines_are_given_in_utc_with_the_office_local_time_of_day():
    received = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)      # Friday 15:00 in Phnom Penh
    due = add_working_days(OFFICE, received, 2)
    assert due.tzinfo == UTC
    assert due == datetime(2026, 3, 17, 8, 0, tzinfo=UTC)   # Tuesday 15:00 in Phnom Penh


def test_a_zero_day_standard_is_due_at_once_even_at_the_weekend():
    saturday = local(2026, 3, 14, 10)
    assert add_working_days(OFFICE, saturday, 0) == saturday
    assert add_working_days(OFFICE, saturday, 0).tzinfo == UTC


def test_a_whole_number_written_as_a_float_is_accepted():
    received = local(2026, 3, 13, 15)
    assert add_working_days(OFFICE, received, 5.0) == add_working_days(OFFICE, received, 5)


@pytest.mark.parametrize("bad", [-1, 1.5, "5", None, True, float("nan"), float("inf")])
def test_a_service_standard_must_be_a_whole_number_of_days_of_zero_or_more(bad):
    with pytest.raises(ValueError, match="number of working days"):
        add_working_days(OFFICE, local(2026, 3, 13), bad)


def test_a_naive_start_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(OFFICE, datetime(2026, 3, 13, 15), 5)


def test_a_year_long_standard_is_computed_quickly():
    monday = local(2026, 1, 5, 9)
    assert in_phnom_penh(add_working_days(NO_HOLIDAYS, monday, 365)) == local(2027, 5, 31, 9)   # 73 weeks later
    began = wall_clock.perf_counter()
    for _ in range(100):
        add_working_days(OFFICE, monday, 365)
    assert wall_clock.perf_counter() - began < 2.0


# --- service clocks: working time between two moments ----------------------

def test_paused_time_on_a_weekend_does_not_count():
    paused, resumed = local(2026, 3, 14, 10), local(2026, 3, 15, 18)   # Saturday → Sunday
    assert working_time_between(OFFICE, paused, resumed) == timedelta(0)


def test_a_pause_from_friday_afternoon_to_monday_morning_counts_only_friday_evening_and_monday_morning():
    paused, resumed = local(2026, 3, 13, 16), local(2026, 3, 16, 9)
    assert working_time_between(OFFICE, paused, resumed) == 17 * HOURS


def test_the_khmer_new_year_week_holds_two_working_days():
    assert working_time_between(OFFICE, local(2026, 4, 13), local(2026, 4, 20)) == 2 * DAYS


def test_no_working_time_passes_when_the_end_is_not_after_the_start():
    moment = local(2026, 3, 13, 9)
    assert working_time_between(OFFICE, moment, moment) == timedelta(0)
    assert working_time_between(OFFICE, moment, moment - HOURS) == timedelta(0)


def test_moments_in_different_timezones_are_compared_as_instants():
    start = datetime(2026, 3, 13, 2, 0, tzinfo=UTC)         # Friday 09:00 in Phnom Penh
    end = local(2026, 3, 13, 17)
    assert working_time_between(OFFICE, start, end) == 8 * HOURS


def test_a_case_received_monday_morning_and_done_wednesday_afternoon_took_two_and_a_quarter_working_days():
    assert working_days_between(OFFICE, local(2026, 3, 16, 9), local(2026, 3, 18, 15)) == 2.25


# --- service clocks: resuming a paused clock -------------------------------

def test_a_paused_clock_resumed_after_the_weekend_keeps_its_remaining_time():
    received = local(2026, 3, 9, 9)                          # Monday
    paused = local(2026, 3, 11, 13)                          # Wednesday, waiting for a document
    used = working_time_between(OFFICE, received, paused)
    assert used == 2 * DAYS + 4 * HOURS
    resumed = local(2026, 3, 16, 10)                         # next Monday the citizen brings it
    due = add_working_time(OFFICE, resumed, 5 * DAYS - used)
    # 2 days 20 hours after Monday 10:00: Tuesday 10:00, Wednesday 10:00, then 20 hours → Thursday 06:00
    assert in_phnom_penh(due) == local(2026, 3, 19, 6)


def test_working_time_added_on_friday_evening_continues_on_monday():
    assert in_phnom_penh(add_working_time(OFFICE, local(2026, 3, 13, 22), 4 * HOURS)) == local(2026, 3, 16, 2)


def test_working_time_added_at_the_weekend_starts_on_monday():
    assert in_phnom_penh(add_working_time(OFFICE, local(2026, 3, 14, 12), 3 * HOURS)) == local(2026, 3, 16, 3)


def test_a_negative_amount_of_working_time_is_refused():
    with pytest.raises(ValueError, match="0 or more"):
        add_working_time(OFFICE, local(2026, 3, 13), -HOURS)


def _moments(first, last, step):
    moment = first
    while moment <= last:
        yield moment
        moment += step


AMOUNTS = [timedelta(0), timedelta(seconds=1), 5 * HOURS, DAYS - timedelta(seconds=1), DAYS,
           DAYS + 7 * HOURS, 3 * DAYS, 5 * DAYS + 30 * timedelta(minutes=1), 15 * DAYS]


def test_adding_working_time_then_measuring_it_gives_the_same_amount():
    for start in _moments(local(2026, 4, 8), local(2026, 5, 8), 7 * HOURS + 13 * timedelta(minutes=1)):
        for amount in AMOUNTS:
            end = add_working_time(OFFICE, start, amount)
            assert working_time_between(OFFICE, start, end) == amount, (start, amount)
            assert is_working_day(OFFICE, in_phnom_penh(end).date()) or amount == timedelta(0)


def test_adding_n_working_days_is_adding_n_days_of_working_time():
    for start in _moments(local(2026, 4, 1), local(2026, 5, 20), 5 * HOURS + 17 * timedelta(minutes=1)):
        for n in range(0, 12):
            if n == 0 and not is_working_day(OFFICE, in_phnom_penh(start).date()):
                continue
            assert add_working_days(OFFICE, start, n) == add_working_time(OFFICE, start, n * DAYS), (start, n)


def test_adding_working_days_at_midnight_matches_adding_working_time():
    for start in _moments(local(2026, 9, 28), local(2026, 11, 30), DAYS):
        for n in range(1, 8):
            assert add_working_days(OFFICE, start, n) == add_working_time(OFFICE, start, n * DAYS), (start, n)


# --- timers --------------------------------------------------------------------

def test_the_timer_duration_reaches_the_deadline_in_whole_seconds():
    now = local(2026, 3, 13, 15)
    assert iso_duration_until(now, now + HOURS) == "PT3600S"


def test_a_deadline_already_past_gives_a_timer_that_fires_at_once():
    now = local(2026, 3, 13, 15)
    assert iso_duration_until(now, now - HOURS) == "PT0S"


def test_a_fraction_of_a_second_is_rounded_up_so_the_timer_never_fires_early():
    now = local(2026, 3, 13, 15)
    assert iso_duration_until(now, now + timedelta(seconds=1, milliseconds=200)) == "PT2S"


def test_spiffworkflow_duration_timer_fires_at_the_working_day_deadline():
    now = datetime(2026, 4, 10, 7, 30, tzinfo=UTC)
    deadline = add_working_days(OFFICE, now, 5)
    expression = iso_duration_until(now, deadline)
    parsed = TimerEventDefinition.parse_iso_duration(expression)
    assert now + TimerEventDefinition.get_timedelta_from_start(parsed, now) == deadline


# --- the calendar itself -------------------------------------------------------

def test_an_unknown_timezone_is_refused():
    with pytest.raises(ValueError, match="unknown timezone"):
        OfficeCalendar(timezone="Asia/Phnom_Pen")


def test_an_office_must_work_at_least_one_weekday():
    with pytest.raises(ValueError, match="at least one working weekday"):
        OfficeCalendar(weekend=frozenset(range(7)))


def test_weekend_days_are_weekday_numbers():
    with pytest.raises(ValueError, match="weekday numbers"):
        OfficeCalendar(weekend=frozenset({7}))


def test_holidays_may_be_given_as_any_collection_of_dates():
    calendar = OfficeCalendar(holidays=[date(2026, 1, 1)])
    assert calendar.holidays == frozenset({date(2026, 1, 1)})
    assert hash(calendar)


def test_holidays_given_as_datetimes_are_refused():
    with pytest.raises(ValueError, match="must be dates"):
        OfficeCalendar(holidays={datetime(2026, 1, 1)})
