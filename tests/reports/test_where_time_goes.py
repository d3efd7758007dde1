"""Where December's time went at Kampong Siem: each step's waiting and working time, the applicant's
send-back time shown apart, each officer's pace, escalations by level and step, and the work still
standing at each step of the licence."""
import pytest
from report_world import at, december, office

from app.reports.channels import channel_mix
from app.reports.service_standards import Period
from app.reports.steps import escalations_by_step, time_per_officer, time_per_step, waiting_at_steps
from app.timers.services import sweep
from support import local

DECEMBER = Period(local(2026, 12, 1), local(2027, 1, 1))


@pytest.fixture
def kps(database):
    december()
    return [office("KPS").id]


def test_each_step_shows_its_waiting_and_working_time_and_the_send_back_apart(kps):
    assert [r.as_dict() for r in time_per_step(DECEMBER, kps, "commercial_licence")] == [
        {"process": "commercial_licence", "task": "check_documents", "name": "Check documents and take the official fee",
         "send_back": False, "done": 3, "median_waiting_hours": 1.0, "median_working_hours": 0.0,
         "median_total_hours": 1.0},
        {"process": "commercial_licence", "task": "hand_over", "name": "Hand over the signed document", "send_back": False,
         "done": 3, "median_waiting_hours": 1.0, "median_working_hours": 0.0, "median_total_hours": 1.0},
        {"process": "commercial_licence", "task": "sign_licence", "name": "Sign the licence", "send_back": False,
         "done": 3, "median_waiting_hours": 24.0, "median_working_hours": 0.0, "median_total_hours": 24.0},
        {"process": "commercial_licence", "task": "technical_review", "name": "Review the application",
         "send_back": False, "done": 4, "median_waiting_hours": 23.0, "median_working_hours": 0.0,
         "median_total_hours": 23.0},
        {"process": "commercial_licence", "task": "applicant_corrections",
         "name": "Record applicant's corrections", "send_back": True, "done": 1, "median_waiting_hours": 96.0,
         "median_working_hours": 0.0, "median_total_hours": 96.0},
    ]


def test_each_officer_shows_how_much_they_finished_and_how_long_it_took(kps):
    assert [r.as_dict() for r in time_per_officer(DECEMBER, kps, None)] == [
        {"officer": "dara", "done": 6, "median_total_hours": 1.0},
        {"officer": "sokha", "done": 4, "median_total_hours": 23.0},
        {"officer": "vanna", "done": 3, "median_total_hours": 24.0},
    ]


def test_the_review_left_past_its_deadline_is_escalated_to_the_chief(kps):
    at(local(2026, 12, 15, 9), sweep)
    assert [r.as_dict() for r in escalations_by_step(DECEMBER, kps, None)] == [
        {"process": "commercial_licence", "level": 1, "task": "technical_review", "escalations": 1}]


def test_the_heatmap_counts_the_work_standing_at_each_step_and_how_long_it_has_waited(kps):
    assert [r.as_dict() for r in waiting_at_steps("commercial_licence", kps, local(2027, 1, 5, 9))] == [
        {"task": "check_documents", "name": "Check documents and take the official fee", "waiting": 1, "overdue": 1, "median_hours": 120.0, "oldest_hours": 120.0},
        {"task": "technical_review", "name": "Review the application", "waiting": 1, "overdue": 1, "median_hours": 695.0, "oldest_hours": 695.0},
    ]


def test_the_channel_mix_counts_cases_by_the_month_they_started_on_the_office_clock(kps):
    autumn = Period(local(2026, 11, 1), local(2027, 1, 1))
    assert [r.as_dict() for r in channel_mix(autumn, kps, local(2027, 1, 5))] == [
        {"month": "2026-11", "channel": "counter", "cases": 1},
        {"month": "2026-12", "channel": "counter", "cases": 3},
        {"month": "2026-12", "channel": "online", "cases": 1}]
