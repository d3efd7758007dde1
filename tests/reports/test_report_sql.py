"""The reports' own SQL pieces give each statement its own answer: two statements alike but for the
columns or numbers inside a piece are two statements to the database, never one cached for both."""
from datetime import timedelta

from sqlalchemy import literal, select, union_all

from app.cases.models import WorkItem
from app.extensions import db
from app.reports.sql import LocalMonth, Percentile, SecondsBetween
from support import licence_in_review, local, open_item


def test_the_check_took_an_hour_and_its_deadline_was_days_away(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    check = next(i for i in case.work_items if i.task == "check_documents")
    taken = db.session.scalar(select(SecondsBetween(WorkItem.created_at, WorkItem.closed_at))
                              .where(WorkItem.id == check.id))
    review = open_item(case, "technical_review")
    allowed = db.session.scalar(select(SecondsBetween(WorkItem.created_at, WorkItem.due_at))
                                .where(WorkItem.id == review.id))
    assert round(taken) == 3600
    assert round(allowed) == round((review.due_at - review.created_at).total_seconds())


def test_a_check_closed_on_the_last_evening_of_november_is_in_december_fourteen_hours_east(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 11, 30, 18, 30) - timedelta(hours=1))  # 10:30 UTC
    check = next(i for i in case.work_items if i.task == "check_documents")
    in_utc = db.session.scalar(select(LocalMonth(WorkItem.closed_at, 0)).where(WorkItem.id == check.id))
    at_night = db.session.scalar(select(LocalMonth(WorkItem.closed_at, 14 * 60)).where(WorkItem.id == check.id))
    assert (in_utc, at_night) == ("2026-11", "2026-12")


def test_the_median_of_one_to_four_is_two_and_the_largest_is_four(database):
    values = union_all(*[select(literal(n).label("value")) for n in (4, 1, 3, 2)]).subquery()
    median = db.session.scalar(select(Percentile(values.c.value, 50)))
    largest = db.session.scalar(select(Percentile(values.c.value, 100)))
    assert (median, largest) == (2, 4)
