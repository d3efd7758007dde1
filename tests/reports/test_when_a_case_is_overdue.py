"""A case records the moment it is overdue from, so the reports count overdue cases from an index:
the deadline of its open work, taken back when the work is done in time, kept when it was late, moved
when the chief extends it, and worked out the same way for cases that existed before the record."""

import time_machine
from flask_migrate import downgrade, upgrade

from app.cases import work_items
from app.cases.models import Case
from app.extensions import db
from app.supervision import services as supervision
from app.timers.services import sweep
from office_data import REVIEW_APPROVE, SIGN
from support import build_world, licence_in_review, local, open_item, user

BEFORE = "e5a9c3d7f1b8"  # the head before Case.overdue_from


def test_a_licence_in_review_is_overdue_from_the_review_deadline(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    review = open_item(case, "technical_review")
    assert review.due_at is not None
    assert case.overdue_from == review.due_at


def test_a_review_done_in_time_takes_the_moment_back_and_the_signature_deadline_counts(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    with time_machine.travel(local(2026, 12, 8, 10, 0), tick=False):
        work_items.complete(user("sokha"), open_item(case, "technical_review").id, REVIEW_APPROVE)
    assert case.overdue_from == open_item(case, "sign_licence").due_at


def test_a_review_done_late_keeps_the_case_overdue_from_its_deadline_to_the_end(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    review = open_item(case, "technical_review")
    deadline = review.due_at
    with time_machine.travel(local(2026, 12, 16, 9, 0), tick=False):
        assert sweep().fired == 1  # the chief is told
    with time_machine.travel(local(2026, 12, 17, 9, 0), tick=False):
        work_items.complete(user("sokha"), review.id, REVIEW_APPROVE)
    with time_machine.travel(local(2026, 12, 17, 11, 0), tick=False):
        work_items.complete(user("vanna"), open_item(case, "sign_licence").id, SIGN)
    assert review.closed_at > deadline
    assert case.overdue_from == deadline


def test_the_chief_extending_the_review_moves_the_moment_to_the_new_deadline(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    review = open_item(case, "technical_review")
    with time_machine.travel(local(2026, 12, 10, 10, 0), tick=False):
        supervision.extend_deadline(user("vanna"), review.id, local(2026, 12, 22, 17, 0), "Inspector ill")
    assert case.overdue_from == review.due_at == local(2026, 12, 22, 17, 0)


def test_cases_from_before_the_record_get_the_same_moment_from_their_work_when_the_office_upgrades(fresh_app):
    upgrade()
    build_world()
    office = user("dara").office
    in_time = licence_in_review(office, local(2026, 12, 7, 9, 0))
    late = licence_in_review(office, local(2026, 12, 7, 9, 30))
    late_review = open_item(late, "technical_review")
    with time_machine.travel(local(2026, 12, 17, 9, 0), tick=False):
        work_items.complete(user("sokha"), late_review.id, REVIEW_APPROVE)
    db.session.commit()
    expected = {in_time.id: open_item(in_time, "technical_review").due_at, late.id: late_review.due_at}
    assert {in_time.id: in_time.overdue_from, late.id: late.overdue_from} == expected
    db.session.remove()

    downgrade(revision=BEFORE)
    db.session.remove()
    upgrade()
    assert {case_id: db.session.get(Case, case_id).overdue_from for case_id in expected} == expected
