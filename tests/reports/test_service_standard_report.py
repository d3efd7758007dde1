"""The service-standard report counts December as the office lived it: what started, what finished
and how much of it on time, how long it took, and what was still open and overdue at the end."""
import pytest
from report_world import DECEMBER, KPS_DECEMBER, december

from app.reports.service_standards import Period, service_standards
from support import local


@pytest.fixture
def played(database):
    return december()


def test_a_finished_case_knows_how_many_working_days_it_took_without_its_stopped_clock(played):
    assert round(played["A"].working_days_taken, 4) == 2.25 and played["A"].on_time is True
    assert round(played["B"].working_days_taken, 4) == 11.0417 and played["B"].on_time is False
    assert played["B"].paused_working_seconds == 2 * 24 * 3600
    assert played["E"].working_days_taken == 2.0 and played["E"].on_time is True


def test_december_at_kampong_siem_matches_the_figures_worked_out_by_hand(played):
    rows = service_standards(Period(local(2026, 12, 1), local(2027, 1, 1)), None, None, local(2027, 1, 5))
    assert [r.as_dict() for r in rows if r.office == "KPS"] == [KPS_DECEMBER]
