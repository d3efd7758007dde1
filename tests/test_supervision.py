"""The chief and the governor watch the deadlines: overdue work is on their desks and on
the API, and they can reassign it, extend it with a reason, and note what they did."""
from datetime import datetime

import time_machine
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import set_language
from app.administration.services import create_user
from app.audit.models import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import told
from app.supervision import services as supervision
from app.timers.services import sweep

from support import PASSWORD, PHNOM_PENH, csrf_token_from, licence_in_review, local, open_item, user


def overdue_review(office):
    case = licence_in_review(office, local(2026, 12, 7, 9, 0))
    with time_machine.travel(local(2026, 12, 16, 9, 0), tick=False):
        assert sweep().fired == 1
    return case


def test_the_chief_and_governor_see_overdue_work_on_the_api(kampong_siem, api):
    case = overdue_review(kampong_siem)
    with time_machine.travel(local(2026, 12, 16, 10, 0), tick=False):
        chief_view = api.as_user("vanna").get("/api/v1/escalations").get_json()
        governor_view = api.as_user("governor").get("/api/v1/escalations").get_json()
        other_chief_view = api.as_user("chan").get("/api/v1/escalations").get_json()  # same district, other office
        assert api.as_user("dara").get("/api/v1/escalations").status_code == 403
    mine = [row for row in chief_view if row["case_id"] == case.id]
    assert [row["task"] for row in mine] == ["technical_review"]
    assert mine[0]["working_days_late"] == 1.0
    assert mine[0]["escalations"][0]["role"] == "owso_chief"
    assert any(row["case_id"] == case.id for row in governor_view)
    assert not any(row["case_id"] == case.id for row in other_chief_view)


def test_escalation_notifies_the_chief_in_the_app(kampong_siem):
    case = overdue_review(kampong_siem)
    notes = db.session.scalars(select(Notification).join(User).where(User.username == "vanna")).all()
    assert [told(n).subject for n in notes if n.kind == "escalation"] == [
        f"Escalated to OWSO chief: 'Review the application' on case {case.number} passed its deadline of "
        "2026-12-15 10:00"]


def test_a_khmer_reading_chief_reads_the_escalation_in_the_case_history_in_khmer(kampong_siem, client, auth):
    case = overdue_review(kampong_siem)
    set_language(user("vanna"), "km")
    auth.login("vanna")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert (f" · បានបញ្ជូនទៅ ប្រធានការិយាល័យច្រកចេញចូលតែមួយ៖ 'ពិនិត្យពាក្យស្នើសុំ' លើសំណុំឯកសារលេខ {case.number} "
            "បានហួសកាលកំណត់ ថ្ងៃទី ១៥ ខែធ្នូ ឆ្នាំ ២០២៦ ម៉ោង ១០:០០</li>").replace("'", "&#39;") in page
    assert (f" · បានជូនដំណឹងដល់ vanna៖ បានបញ្ជូនទៅ ប្រធានការិយាល័យច្រកចេញចូលតែមួយ៖ 'ពិនិត្យពាក្យស្នើសុំ' លើសំណុំឯកសារលេខ "
            f"{case.number} បានហួសកាលកំណត់ ថ្ងៃទី ១៥ ខែធ្នូ ឆ្នាំ ២០២៦ ម៉ោង ១០:០០</li>").replace("'", "&#39;") in page


def test_a_khmer_reading_chief_reads_her_reassignment_and_extension_in_the_case_history_in_khmer(
        kampong_siem, client, auth):
    case = overdue_review(kampong_siem)
    review = open_item(case, "technical_review")
    rith = create_user("rith", PASSWORD, ["back_office"], "KPS", full_name="Keo Rith")
    with time_machine.travel(local(2026, 12, 16, 10, 0), tick=False):
        supervision.reassign(user("vanna"), review.id, rith.id, "Sokha is on leave")
        supervision.extend_deadline(user("vanna"), review.id, local(2026, 12, 22, 17, 0), "Inspector ill this week")
    set_language(user("vanna"), "km")
    auth.login("vanna")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True).replace("&#39;", "'")
    assert " · Vanna · Vanna បានប្រគល់ 'ពិនិត្យពាក្យស្នើសុំ' ទៅ Keo Rith៖ Sokha is on leave</li>" in page
    assert (" · Vanna · Vanna បានពន្យារ 'ពិនិត្យពាក្យស្នើសុំ' ពី ថ្ងៃទី ១៥ ខែធ្នូ ឆ្នាំ ២០២៦ ម៉ោង ១០:០០ ដល់ "
            "ថ្ងៃទី ២២ ខែធ្នូ ឆ្នាំ ២០២៦ ម៉ោង ១៧:០០៖ Inspector ill this week</li>") in page


def test_the_chief_extends_a_deadline_with_a_reason_visible_in_the_history(kampong_siem):
    case = overdue_review(kampong_siem)
    review = open_item(case, "technical_review")
    vanna = user("vanna")
    with time_machine.travel(local(2026, 12, 16, 10, 0), tick=False):
        supervision.extend_deadline(vanna, review.id, local(2026, 12, 22, 17, 0), "Inspector ill this week")
        assert review.due_at == local(2026, 12, 22, 17, 0)
        assert not review.overdue(datetime.now(PHNOM_PENH))
    summaries = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.case_id == case.id, AuditEvent.kind == "deadline_extended")).all()
    assert len(summaries) == 1 and "Inspector ill this week" in summaries[0]
    # The governor's threshold moved with it: nothing new fires before the new deadline.
    with time_machine.travel(local(2026, 12, 21, 12, 0), tick=False):
        assert sweep().fired == 0


def test_the_chief_reassigns_work_to_another_officer(kampong_siem):
    create_user("mealea", PASSWORD, ["back_office"], "KPS")
    case = overdue_review(kampong_siem)
    review = open_item(case, "technical_review")
    supervision.reassign(user("vanna"), review.id, user("mealea").id, "Sokha is on leave")
    assert review.assignee.username == "mealea"
    kinds = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.case_id == case.id)).all()
    assert "work_item_reassigned" in kinds


def test_the_chiefs_desk_page_groups_late_work_and_takes_a_note(kampong_siem, client, auth):
    case = overdue_review(kampong_siem)
    with time_machine.travel(local(2026, 12, 16, 10, 0), tick=True):
        auth.login("vanna")
        page = client.get("/supervision/")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and case.number in html and "1 working day late" in html
        response = client.post(f"/supervision/cases/{case.id}/notes",
                               data={"text": "Called the back office", "csrf_token": csrf_token_from(html)})
        assert response.status_code == 302
    notes = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.kind == "note")).all()
    assert any("Called the back office" in n for n in notes)


def test_the_governors_desk_shows_each_offices_on_time_rate(kampong_siem, client, auth):
    overdue_review(kampong_siem)
    with time_machine.travel(local(2026, 12, 16, 10, 0), tick=True):
        auth.login("governor")
        html = client.get("/supervision/").get_data(as_text=True)
    assert "On time this month" in html and "Kampong Siem OWSO" in html and "Srei Santhor OWSO" in html


def test_a_front_office_officer_has_no_desk(client, auth):
    auth.login("dara")
    assert client.get("/supervision/").status_code == 403


def test_the_chiefs_desk_asks_the_database_the_same_number_of_times_for_one_late_case_or_five(auth, kampong_siem):
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)

    auth.login("vanna")

    def desk_statements(late_cases: int) -> int:
        for n in range(late_cases):
            licence_in_review(kampong_siem, local(2026, 12, 1, 9, n))
        with time_machine.travel(local(2026, 12, 10, 12, 0), tick=False):
            auth.client.get("/supervision/")  # the signed-in user is loaded once; count what the rows cost
            with counting() as statements:
                page = auth.client.get("/supervision/")
        assert page.status_code == 200
        return len(statements)

    one = desk_statements(1)
    assert desk_statements(4) == one  # five late cases now
