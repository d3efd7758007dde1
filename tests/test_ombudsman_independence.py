"""A complaint to the District Ombudsman stays the Ombudsman's: its own number series, unseen by
the office complained about, answered by the OWSO through one work item that never names the
complainant without consent, and supervised by the Ombudsman's own supervisor."""
import time_machine
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.db import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.supervision.services import complaint_counts, desk
from app.timers.services import Sweep, sweep

from office_data import APPLICATION, COMPLAINT, OWSO_RESPONSE
from support import complaint_awaiting_response, complaint_received, local, open_item, user


def test_complaints_are_numbered_in_the_ombudsmans_own_series(api, kampong_siem):
    def start(username, process, data, **extra):
        answer = api.as_user(username).post("/api/v1/cases", json={"process": process, "data": data, **extra})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    def following(number: str) -> str:
        head, _, sequence = number.rpartition("-")
        return f"{head}-{int(sequence) + 1:05d}"

    licence = start("dara", "commercial_licence", APPLICATION)
    complaint = start("ombudsman", "ombudsman_complaint", COMPLAINT, channel="phone")
    second = start("ombudsman", "ombudsman_complaint", COMPLAINT)
    next_licence = start("dara", "commercial_licence", APPLICATION)
    assert complaint["number"].startswith(f"OMB-KPS-{utcnow().year}-")
    assert (second["number"], next_licence["number"]) == (following(complaint["number"]),
                                                           following(licence["number"]))
    case = api.as_user("ombudsman").get(f"/api/v1/cases/{complaint['id']}").get_json()
    assert (case["channel"], case["data"]["complainant_name"]) == ("phone", "Chea Sophal")


def test_only_roles_whose_work_it_is_start_each_kind_of_case(api, kampong_siem):
    for username in ("designer", "admin", "governor", "ombudsman"):
        answer = api.as_user(username).post("/api/v1/cases", json={"process": "commercial_licence",
                                                                    "data": APPLICATION})
        assert answer.status_code == 403, username
        assert answer.get_json()["error"] == ("Only a Front-office officer starts a case of "
                                              "'Commercial licence for a small business'.")
    refused = api.as_user("dara").post("/api/v1/cases", json={"process": "ombudsman_complaint", "data": COMPLAINT})
    assert refused.status_code == 403
    assert refused.get_json()["error"] == ("Only a District Ombudsman starts a case of "
                                           "'Complaint to the District Ombudsman'.")
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.kind == "case_started")) is None


def test_the_ombudsman_registers_a_complaint_received_by_phone_on_a_page(auth, kampong_siem):
    auth.login("ombudsman")
    choices = auth.client.get("/cases/new").get_data(as_text=True)
    assert "Complaint to the District Ombudsman" in choices and "Commercial licence" not in choices
    page = auth.post("/cases/new/ombudsman_complaint", form_page="/cases/new/ombudsman_complaint", data={
        "channel": "phone", "complaint_text": "Nobody answered my licence for six weeks.",
        "complaint_subject": "delay_beyond_the_published_deadline"})
    assert page.status_code == 302
    shown = auth.client.get(page.headers["Location"]).get_data(as_text=True)
    assert f"Case OMB-KPS-{utcnow().year}-" in shown and "Nobody answered my licence" in shown
    auth.login("dara")
    assert auth.client.get("/cases/new/ombudsman_complaint").status_code == 403


def test_the_chief_answers_through_a_work_item_that_hides_who_complained(auth, api, kampong_siem):
    case = complaint_awaiting_response(kampong_siem, local(2026, 12, 7, 9, 0))
    response = open_item(case, "owso_chief_response")
    inbox = api.as_user("vanna").get("/api/v1/inbox").get_json()
    assert [(i["case_number"], i["task"]) for i in inbox] == [(case.number, "owso_chief_response")]

    auth.login("vanna")
    page = auth.client.get(f"/work-items/{response.id}").get_data(as_text=True)
    assert "asked me for 50,000 riel" in page and "Informal payment asked" in page and "KPS-2026-00007" in page
    assert "Chea Sophal" not in page and "017 222 333" not in page
    assert auth.client.get(f"/cases/{case.id}").status_code == 404
    assert auth.client.get(f"/cases/{case.id}/diagram.bpmn").status_code == 404

    answered = api.as_user("vanna").post(f"/api/v1/work-items/{response.id}/complete", json={"data": OWSO_RESPONSE})
    assert answered.status_code == 200
    assert answered.get_json()["data"] == {
        "complaint_text": COMPLAINT["complaint_text"], "complaint_subject": COMPLAINT["complaint_subject"],
        "complaint_category": "informal_payment", "related_case_number": "KPS-2026-00007"}
    assert open_item(case, "investigate_complaint").role == "ombudsman"


def test_a_complainant_who_agreed_is_named_to_the_office(auth, kampong_siem):
    case = complaint_awaiting_response(kampong_siem, local(2026, 12, 7, 9, 0), share_identity=True)
    auth.login("vanna")
    page = auth.client.get(f"/work-items/{open_item(case, 'owso_chief_response').id}").get_data(as_text=True)
    assert "Chea Sophal" in page and "017 222 333" in page


def test_the_office_complained_about_never_finds_the_complaint(auth, api, kampong_siem):
    case = complaint_awaiting_response(kampong_siem, local(2026, 12, 7, 9, 0))
    registration = next(i for i in case.work_items if i.task == "register_complaint")
    for username in ("dara", "vanna", "governor", "designer"):
        assert api.as_user(username).get(f"/api/v1/work-items/{registration.id}").status_code == 404
        found = api.as_user(username).get("/api/v1/cases?q=Chea").get_json()
        assert found["cases"] == []
    auth.login("dara")
    assert auth.client.get("/cases/?number=OMB").get_data(as_text=True).count("OMB-KPS") == 0
    assert [c["number"] for c in api.as_user("ombudsman").get("/api/v1/cases?q=Chea").get_json()["cases"]] == [
        case.number]


def test_the_ombudsmans_overdue_work_goes_to_the_ombudsman_supervisor_never_the_chief(kampong_siem):
    # Received Monday 7 December at 9:00; registering is due in two working days: Thursday 10 at 9:00
    # (the office is closed on Wednesday 9).
    case = complaint_received(kampong_siem, local(2026, 12, 7, 9, 0))
    registration = open_item(case, "register_complaint")
    assert registration.due_at == local(2026, 12, 10, 9, 0)
    with time_machine.travel(local(2026, 12, 10, 9, 1), tick=False):
        assert sweep() == Sweep(fired=1, failed=0)
        vanna_desk = desk(user("vanna"))
        supervisor_desk = desk(user("chanthou"))
    followup = open_item(case, "register_complaint_director_followup")
    assert (followup.role, followup.escalation_level, followup.escalation_of_id) == (
        "ombudsman_supervisor", 1, registration.id)
    assert [row.item.id for row in vanna_desk] == []
    assert [row.item.id for row in supervisor_desk] == [registration.id]
    told = db.session.scalars(select(Notification.user_id).where(Notification.case_id == case.id,
                                                                 Notification.kind == "escalation")).all()
    assert told == [user("chanthou").id]


def test_the_chief_can_neither_reassign_nor_extend_the_ombudsmans_work(auth, kampong_siem):
    case = complaint_received(kampong_siem, local(2026, 12, 7, 9, 0))
    registration = open_item(case, "register_complaint")
    auth.login("vanna")
    extend = auth.post(f"/supervision/work-items/{registration.id}/extend",
                       data={"new_due": "2026-12-20", "reason": "busy week"}, form_page="/supervision/")
    reassign = auth.post(f"/supervision/work-items/{registration.id}/reassign",
                         data={"officer": user("ombudsman").id, "reason": "x"}, form_page="/supervision/")
    assert (extend.status_code, reassign.status_code) == (404, 404)
    assert registration.due_at == local(2026, 12, 10, 9, 0)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.kind.in_(
        ["deadline_extended", "work_item_reassigned"]))) is None


def test_the_governor_counts_complaints_and_their_deadlines_without_reading_them(auth, kampong_siem):
    complaint_awaiting_response(kampong_siem, local(2026, 12, 7, 9, 0))
    complaint_received(kampong_siem, local(2026, 12, 7, 10, 0))
    with time_machine.travel(local(2026, 12, 10, 9, 30), tick=False):
        counts = complaint_counts(user("governor"))
        auth.login("governor")
        page = auth.client.get("/supervision/").get_data(as_text=True)
    assert [(c.office.code, c.open, c.overdue, c.next_deadline) for c in counts] == [
        ("KPS", 2, 0, local(2026, 12, 10, 10, 0))]
    assert complaint_counts(user("vanna")) == []
    assert "Complaints to the District Ombudsman" in page
    assert "50,000 riel" not in page and "Chea Sophal" not in page
