"""Service standards are kept: deadlines count working days in the office calendar, the
sweep escalates late work to the chief and then the governor, and a send-back to the
applicant stops the clock."""
import pytest
import time_machine
from sqlalchemy import func, select

import app.timers.services
from app.audit.models import AuditEvent
from app.cases import work_items
from app.cases.models import Timer
from app.extensions import db
from app.timers.services import sweep

from office_data import CORRECTIONS_RECEIVED, REVIEW_SEND_BACK
from support import licence_in_review, local, open_item, user


def test_the_review_is_due_five_working_days_later_skipping_the_weekend_and_the_closure(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    review = open_item(case, "technical_review")
    # Tue 8, (Wed 9 closed), Thu 10, Fri 11, (weekend), Mon 14, Tue 15 at the same hour.
    assert review.due_at == local(2026, 12, 15, 10, 0)


def test_an_overdue_review_reaches_the_chief_at_its_deadline_and_the_governor_three_days_later(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    review = open_item(case, "technical_review")

    with time_machine.travel(local(2026, 12, 15, 9, 59), tick=False):
        assert sweep().fired == 0
    with time_machine.travel(local(2026, 12, 15, 10, 0, 15), tick=False):
        assert sweep().fired == 1
    chief_work = open_item(case, "back_office_processing_chief_followup")
    assert chief_work.role == "owso_chief" and chief_work.escalation_level == 1
    assert chief_work.escalation_of_id == review.id and chief_work.late_by_seconds == 15
    assert review.status == "open" and review.assignee_id is None  # the work stays with its owner
    assert "back_office_processing_governor_followup" not in {i.task for i in case.open_items}

    # The governor's threshold is eight working days: Fri 18 December 10:00.
    with time_machine.travel(local(2026, 12, 18, 9, 0), tick=False):
        assert sweep().fired == 0
    with time_machine.travel(local(2026, 12, 18, 10, 1), tick=False):
        assert sweep().fired == 1
    governor_work = open_item(case, "back_office_processing_governor_followup")
    assert governor_work.role == "district_governor" and governor_work.escalation_level == 2
    escalations = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.case_id == case.id, AuditEvent.kind == "escalated")).all()
    assert len(escalations) == 2 and "Review the application" in escalations[0]


def test_the_sweep_is_idempotent_and_catches_up_after_downtime(kampong_siem):
    first = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    second = licence_in_review(kampong_siem, local(2026, 12, 7, 11, 0))
    # The server was off for a month: both timers of both cases are long overdue.
    with time_machine.travel(local(2027, 1, 11, 8, 0), tick=False):
        assert sweep().fired == 4
        assert sweep().fired == 0
    for case in (first, second):
        assert {"back_office_processing_chief_followup", "back_office_processing_governor_followup"} <= {
            i.task for i in case.open_items}
        fired = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.kind == "timer_fired"))
        assert fired == 1


def test_a_sweeper_that_dies_mid_case_loses_nothing(kampong_siem, monkeypatch):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    db.session.commit()

    def crash(case):
        raise SystemExit("power cut")
    monkeypatch.setattr(app.timers.services, "fire_due_timers", crash)
    with time_machine.travel(local(2026, 12, 15, 12, 0), tick=False), pytest.raises(SystemExit):
        sweep()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Timer).where(Timer.case_id == case.id)) == 2
    monkeypatch.undo()
    with time_machine.travel(local(2026, 12, 15, 12, 0, 15), tick=False):
        assert sweep().fired == 1
    assert open_item(case, "back_office_processing_chief_followup")


def test_sending_back_stops_the_clock_and_the_applicant_reply_resumes_the_time_left(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    sokha, dara = user("sokha"), user("dara")
    # Sent back on Thursday 10 December 10:00, with three working days of the standard left
    # (Fri 11, Mon 14, Tue 15 until 10:00).
    with time_machine.travel(local(2026, 12, 10, 10, 0), tick=False):
        work_items.complete(sokha, open_item(case, "technical_review").id, REVIEW_SEND_BACK)
    assert case.clock_stopped_at is not None
    assert db.session.scalar(select(func.count()).select_from(Timer).where(Timer.case_id == case.id)) == 0
    with time_machine.travel(local(2026, 12, 28, 12, 0), tick=False):
        assert sweep().fired == 0  # the deadline would have passed long ago: the clock was stopped
    # The applicant answers on Monday 28 December at 12:00: three working days remain.
    with time_machine.travel(local(2026, 12, 28, 12, 0), tick=False):
        work_items.complete(dara, open_item(case, "applicant_corrections").id, CORRECTIONS_RECEIVED)
    assert case.clock_stopped_at is None
    review = open_item(case, "technical_review")
    assert review.due_at == local(2026, 12, 31, 12, 0)
    history = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.case_id == case.id)).all()
    assert "clock_stopped" in history and "clock_resumed" in history


def test_the_history_is_stamped_when_things_happen_not_when_they_are_saved(kampong_siem):
    from app.audit.services import record
    with time_machine.travel(local(2026, 12, 7, 9, 0), tick=False):
        record("note", "Applicant called")
    with time_machine.travel(local(2026, 12, 8, 9, 0), tick=False):
        record("note", "Applicant came in")
    db.session.flush()
    stored = db.session.execute(select(AuditEvent.summary, AuditEvent.at).where(AuditEvent.kind == "note")
                                .order_by(AuditEvent.id)).all()
    assert stored == [("Applicant called", local(2026, 12, 7, 9, 0)), ("Applicant came in", local(2026, 12, 8, 9, 0))]
