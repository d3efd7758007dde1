"""A case that cannot go on is never lost and never holds up the others: it becomes an incident that
admins and designers see, with where and why it stopped, and retry once the cause is fixed."""
import re

import time_machine
from sqlalchemy import select

from app.accounts.services import set_language
from app.audit.models import AuditEvent
from app.cases import work_items
from app.cases.models import Case, Timer
from app.cases.write_path import start_case
from app.extensions import db
from app.incidents.services import retry
from app.processes.services import deploy
from app.timers.services import sweep

from support import TEST_DIAGRAMS, csrf_token_from, licence_in_review, local, open_item, user


def poison(case: Case) -> None:
    """What finding 2 stored: case data nested so deep that reading the case back overflows the stack."""
    deep = '{"a": ' * 5000 + "1" + "}" * 5000
    case.workflow_state = case.workflow_state.replace('"data": {', f'"data": {{"nested": {deep}, ', 1)


def history(case) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.kind).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)))


def test_a_case_that_cannot_be_read_becomes_an_incident_and_the_next_cases_timer_still_fires(kampong_siem):
    poisoned = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    healthy = licence_in_review(kampong_siem, local(2026, 12, 7, 11, 0))
    poison(poisoned)
    with time_machine.travel(local(2026, 12, 15, 12, 0, 30), tick=False):
        result = sweep()
        assert (result.fired, result.failed) == (1, 1)
        assert sweep().fired == 0 and sweep().failed == 0  # an incident waits for a person, not every sweep
    assert open_item(healthy, "back_office_processing_chief_followup").role == "owso_chief"
    assert poisoned.status == "error"
    assert poisoned.error.startswith("The case's saved state cannot be read (RecursionError: maximum recursion")
    assert poisoned.failed_at == local(2026, 12, 15, 12, 0, 30)
    assert history(poisoned)[-1] == "case_failed"
    # Its timers are kept: a retry after the repair fires them.
    assert set(db.session.scalars(select(Timer.element_id).where(Timer.case_id == poisoned.id))) == {
        "back_office_processing_deadline", "back_office_processing_governor"}


def test_the_sweep_command_says_how_many_fired_and_how_many_failed(kampong_siem, runner):
    poisoned = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    licence_in_review(kampong_siem, local(2026, 12, 7, 11, 0))
    poison(poisoned)
    with time_machine.travel(local(2026, 12, 15, 12, 0, 30), tick=False):
        result = runner.invoke(args=["timers", "sweep"])
    assert result.exit_code == 0
    assert result.output == "1 timer(s) fired, 1 case(s) failed\n"


def scripted(script: str) -> bytes:
    return (TEST_DIAGRAMS / "scripted.bpmn").read_bytes().replace(b"SCRIPT", script.encode())


def failed_fee_case(database):
    """The fee script reads a rate nobody entered: the case stops at 'Compute the fee'."""
    deploy([("scripted.bpmn", scripted("fee_riel = floor_area * rate"))])
    dara = user("dara")
    with time_machine.travel(local(2026, 12, 7, 9, 0), tick=False):
        case = start_case("scripted_fee", {}, dara, dara.office)
    with time_machine.travel(local(2026, 12, 7, 9, 30), tick=False):
        work_items.complete(dara, case.open_items[0].id, {"floor_area": 120})
    return case


def test_admins_and_designers_see_every_case_in_error_with_where_and_why(api, database):
    case = failed_fee_case(database)
    answer = api.as_user("designer").get("/api/v1/incidents")
    assert answer.status_code == 200
    assert answer.get_json() == [{
        "case_id": case.id, "case_number": case.number, "office": "KPS", "process": "scripted_fee",
        "version": case.definition.version, "element_id": "compute_fee",
        "message": case.error, "since": "2026-12-07T02:30:00+00:00"}]
    assert "name 'rate' is not defined" in case.error
    assert api.as_user("admin").get("/api/v1/incidents").status_code == 200
    refused = api.as_user("dara").get("/api/v1/incidents")
    assert refused.status_code == 403


def test_a_retry_with_the_missing_data_moves_the_case_on_and_is_in_its_history(api, database):
    case = failed_fee_case(database)
    answer = api.as_user("designer").post(f"/api/v1/cases/{case.id}/retry", json={"data": {"rate": 1000}})
    assert answer.status_code == 200
    assert answer.get_json() == {"id": case.id, "number": case.number, "status": "running",
                                 "process": "scripted_fee", "version": case.definition.version}
    assert (case.status, case.error, case.error_element, case.failed_at) == ("running", None, None, None)
    assert case.data["fee_riel"] == 120000
    assert [i.task for i in case.open_items] == ["hand_over"]
    assert history(case)[-1] == "case_retried"
    retried = db.session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.kind == "case_retried")).one()
    assert retried.actor.username == "designer" and retried.data["corrected"] == ["rate"]
    assert api.get("/api/v1/incidents").get_json() == []


def test_a_retry_that_fails_again_stays_an_incident_with_the_new_message(api, database):
    case = failed_fee_case(database)
    answer = api.as_user("admin").post(f"/api/v1/cases/{case.id}/retry", json={"data": {"rate": None}})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"] == f"Case {case.number} failed again: {case.error}"
    assert "unsupported operand" in case.error
    assert body["details"]["element_id"] == "compute_fee"
    listed = api.get("/api/v1/incidents").get_json()
    assert [(i["case_number"], i["message"]) for i in listed] == [(case.number, case.error)]
    assert history(case)[-2:] == ["case_retried", "case_failed"] and history(case).count("case_failed") == 2


def test_only_a_case_in_error_can_be_retried(api, database):
    case = failed_fee_case(database)
    api.as_user("designer").post(f"/api/v1/cases/{case.id}/retry", json={"data": {"rate": 1000}})
    again = api.post(f"/api/v1/cases/{case.id}/retry")
    assert again.status_code == 409
    assert again.get_json()["error"] == (f"Case {case.number} is not in error (running); there is nothing "
                                         "to retry.")
    assert api.post("/api/v1/cases/999999/retry").status_code == 404
    assert api.as_user("dara").post(f"/api/v1/cases/{case.id}/retry").status_code == 403


def test_the_incidents_page_lists_the_case_and_retries_it_with_corrected_data(client, auth, database):
    case = failed_fee_case(database)
    auth.login("admin")
    page = client.get("/incidents/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert case.number in html and "compute_fee" in html and "name &#39;rate&#39; is not defined" in html
    answer = client.post(f"/incidents/{case.id}/retry", data={"csrf_token": csrf_token_from(html),
                                                              "data": '{"rate": 500}'}, follow_redirects=True)
    assert f"Case {case.number} is moving again." in answer.get_data(as_text=True)
    assert case.status == "running" and case.data["fee_riel"] == 60000


def test_an_admin_reading_khmer_reads_the_incident_and_its_retry_in_the_case_history_in_khmer(
        client, auth, database):
    case = failed_fee_case(database)
    retry(case.id, user("admin"), {"rate": 500})
    set_language(user("admin"), "km")
    auth.login("admin")

    page = client.get(f"/cases/{case.id}").get_data(as_text=True).replace("&#39;", "'")

    error = re.search(r"stopped with an error: (.*)", db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.case_id == case.id, AuditEvent.kind == "case_failed")).one()).group(1)
    assert f" · Dara · សំណុំឯកសារលេខ {case.number} បានឈប់ដោយសារកំហុស៖ {error}</li>" in page
    assert f" · Admin · Admin បានព្យាយាមដំណើរការសំណុំឯកសារលេខ {case.number} ម្តងទៀត ដោយកែតម្រូវ rate</li>" in page


def test_staff_who_are_not_admins_or_designers_cannot_open_the_incidents_page(client, auth, database):
    auth.login("dara")
    assert client.get("/incidents/").status_code == 403
