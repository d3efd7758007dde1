"""What December's citizens said and how long they queued at Kampong Siem: two ratings of finished
licences (3.5 on average, the comments for the chief only) and three tickets called to the counter."""
from datetime import timedelta

import pytest
from report_world import at, december, office

from app.feedback.services import rate_case
from app.queue.services import add_counter, call_next, issue_ticket
from app.reports.citizens import comments, queue_waits, ratings
from app.reports.service_standards import Period
from support import local, user

DECEMBER = Period(local(2026, 12, 1), local(2027, 1, 1))


@pytest.fixture
def said(database):
    played = december()
    kps = office("KPS")
    at(local(2026, 12, 4, 9), rate_case, played["A"], 5, "Quick and polite")
    at(local(2026, 12, 22, 9), rate_case, played["B"], 2, "Took too long")
    counter = add_counter(kps, "Counter 1").code
    for minutes_waited, issued in ((5, local(2026, 12, 14, 8)), (20, local(2026, 12, 14, 9)),
                                   (12, local(2026, 12, 15, 8))):
        at(issued, issue_ticket, kps, "commercial_licence")
        at(issued + timedelta(minutes=minutes_waited), call_next, user("dara"), counter)
    return [kps.id]


def test_ratings_are_averaged_per_service_and_the_comments_kept_for_the_chief(said):
    assert [r.as_dict() for r in ratings(DECEMBER, said)] == [
        {"service": "commercial_licence", "ratings": 2, "average": 3.5}]
    assert [(c.rating, c.comment) for c in comments(DECEMBER, said)] == [(2, "Took too long"), (5, "Quick and polite")]


def test_the_wait_from_ticket_to_counter_is_measured_per_service(said):
    assert [r.as_dict() for r in queue_waits(DECEMBER, said)] == [
        {"service": "commercial_licence", "called": 3, "median_wait_minutes": 12.0, "longest_wait_minutes": 20.0}]
