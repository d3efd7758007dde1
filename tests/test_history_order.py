"""The history reads cause before effect, in the order things happened."""
import time_machine
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.cases import work_items
from app.extensions import db
from app.supervision.services import add_note, reassign
from app.timers.services import sweep

from office_data import HAND_OVER, REVIEW_APPROVE, SIGN
from support import licence_in_review, local, open_item, user


def _history(case) -> list[tuple[str, str]]:
    return [(e.kind, e.summary) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.at, AuditEvent.id))]


def test_a_licence_reads_from_registration_to_hand_over_each_cause_before_its_effect(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    with time_machine.travel(local(2026, 12, 15, 10, 1), tick=False):
        sweep()
    with time_machine.travel(local(2026, 12, 15, 11, 0), tick=False):
        work_items.complete(user("sokha"), open_item(case, "technical_review").id, REVIEW_APPROVE)
        work_items.complete(user("vanna"), open_item(case, "sign_licence").id, SIGN)
        work_items.complete(user("dara"), open_item(case, "hand_over").id, HAND_OVER)
    history = _history(case)
    assert [kind for kind, _ in history] == [
        "case_started", "fee_paid", "work_item_completed", "timer_fired", "escalated", "notified", "work_item_completed",
        "work_item_completed", "certificate_issued", "citizen_notified", "work_item_completed", "case_completed"]
    assert history[-2][1] == "Dara completed 'Hand over the signed document'"
    assert history[-1][1] == f"Case {case.number} is complete"
    assert history[3][1] == "Timer(s) back_office_processing_deadline fired"
    assert history[4][1].startswith("Escalated to OWSO chief: 'Review the application'")


def test_claims_reassignments_and_notes_each_move_the_case_version_and_are_recorded(kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    review = open_item(case, "technical_review")
    versions = [case.version]
    with time_machine.travel(local(2026, 12, 8, 9, 0), tick=False):
        work_items.claim(user("sokha"), review.id)
        versions.append(case.version)
        reassign(user("vanna"), review.id, user("sokha").id, "keep it with Sokha")
        versions.append(case.version)
        add_note(user("vanna"), case.id, "Applicant called to ask")
        versions.append(case.version)
        work_items.release(user("sokha"), review.id)
        versions.append(case.version)
    assert versions == list(range(versions[0], versions[0] + 5))
    assert [kind for kind, _ in _history(case)][-5:] == [
        "work_item_claimed", "work_item_reassigned", "notified", "note", "work_item_released"]
