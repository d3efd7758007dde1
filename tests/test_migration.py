"""A procedure is redeployed: the designer moves its running cases to the new version in bulk. A dry run
says which cases can move and, for each that cannot, why; the real run moves each case on its own,
with its work and deadlines re-projected and the move written into its history."""
from pathlib import Path

import time_machine
from flask_babel import force_locale
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.cases import work_items
from app.cases.models import Case, Timer
from app.cases.presenters import history_line
from app.cases.write_path import start_case
from app.extensions import db
from app.processes.services import deploy

from support import TEST_DIAGRAMS, licence_in_review, local, open_item, user

V1 = (TEST_DIAGRAMS / "scripted.bpmn").read_bytes()


def scripted(script: str = "fee_riel = floor_area * 1000") -> bytes:
    return V1.replace(b"SCRIPT", script.encode())


def without_hand_over(script: str = "fee_riel = floor_area * 1000") -> bytes:
    """Version 2: the fee is computed and the case ends; 'Hand over' is gone, the first step renamed."""
    xml = scripted(script)
    for old, new in [
        (b"<bpmn:flowNodeRef>hand_over</bpmn:flowNodeRef>", b""),
        (b'<bpmn:userTask id="hand_over" name="Hand over"><bpmn:incoming>flow_3</bpmn:incoming>'
         b'<bpmn:outgoing>flow_4</bpmn:outgoing></bpmn:userTask>', b""),
        (b'<bpmn:endEvent id="end"><bpmn:incoming>flow_4</bpmn:incoming>', b'<bpmn:endEvent id="end"><bpmn:incoming>flow_3</bpmn:incoming>'),
        (b'<bpmn:sequenceFlow id="flow_3" sourceRef="compute_fee" targetRef="hand_over" />',
         b'<bpmn:sequenceFlow id="flow_3" sourceRef="compute_fee" targetRef="end" />'),
        (b'<bpmn:sequenceFlow id="flow_4" sourceRef="hand_over" targetRef="end" />', b""),
        (b'name="Record the floor area"', b'name="Record the floor area in square metres"'),
    ]:
        assert old in xml
        xml = xml.replace(old, new)
    return xml


def two_fee_cases():
    """One case still at its first step, one already waiting at 'Hand over'."""
    deploy([("scripted.bpmn", scripted())])
    dara = user("dara")
    early = start_case("scripted_fee", {}, dara, dara.office)
    late = start_case("scripted_fee", {}, dara, dara.office)
    work_items.complete(dara, late.open_items[0].id, {"floor_area": 80})
    deploy([("scripted.bpmn", without_hand_over())])
    return early, late


def test_a_dry_run_says_which_cases_can_move_and_why_the_others_cannot(api, database):
    early, late = two_fee_cases()
    answer = api.as_user("designer").post("/api/v1/processes/scripted_fee/migrations", json={"dry_run": True})
    assert answer.status_code == 200
    assert answer.get_json() == {
        "process": "scripted_fee", "to_version": 2, "dry_run": True, "movable": [early.number],
        "blocked": [{"case_number": late.number,
                     "reason": "its current step 'Hand over' (hand_over) does not exist in version 2"}]}
    assert (early.definition.version, late.definition.version) == (1, 1)
    assert "case_migrated" not in kinds(early)


def test_the_real_run_moves_the_case_renames_its_work_and_the_new_version_runs_it(api, database):
    early, late = two_fee_cases()
    item_id = early.open_items[0].id
    answer = api.as_user("designer").post("/api/v1/processes/scripted_fee/migrations",
                                          json={"to_version": 2, "dry_run": False})
    assert answer.get_json()["movable"] == [early.number]
    assert (early.definition.version, late.definition.version) == (2, 1)
    assert [(i.id, i.name) for i in early.open_items] == [(item_id, "Record the floor area in square metres")]
    migrated = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == early.id,
                                                           AuditEvent.kind == "case_migrated")).one()
    assert migrated.actor.username == "designer"
    assert migrated.summary == f"Case {early.number} moved from version 1 to version 2 of Fee computed by a script"
    with force_locale("km"):  # a Khmer reader of the case page (the test procedure's name has no Khmer)
        assert history_line(migrated, early) == (f"សំណុំឯកសារលេខ {early.number} ត្រូវបានផ្លាស់ពីកំណែទី ១ ទៅកំណែទី ២ "
                                                 "នៃ Fee computed by a script")
    case = work_items.complete(user("dara"), item_id, {"floor_area": 120})
    assert (case.status, case.data["fee_riel"]) == ("completed", 120000)  # no 'Hand over' in version 2


def test_the_command_line_moves_cases_and_says_what_stayed(runner, database):
    early, late = two_fee_cases()
    dry = runner.invoke(args=["cases", "migrate", "scripted_fee", "--dry-run"])
    assert dry.exit_code == 0
    assert dry.output == (f"{early.number}: can move to version 2\n"
                          f"{late.number}: stays, because its current step 'Hand over' (hand_over) does not "
                          "exist in version 2\n1 case(s) can move to version 2, 1 cannot\n")
    assert early.definition.version == 1
    real = runner.invoke(args=["cases", "migrate", "scripted_fee", "--to", "2"])
    assert real.output.splitlines()[-1] == "1 case(s) moved to version 2, 1 cannot"
    db.session.expire_all()
    assert db.session.get(Case, early.id).definition.version == 2
    unknown = runner.invoke(args=["cases", "migrate", "scripted_fee", "--to", "7"])
    assert unknown.exit_code == 1 and "'scripted_fee' has no version 7; its latest is version 2." in unknown.output


def test_a_review_keeps_its_deadlines_and_its_officer_when_the_licence_procedure_is_redeployed(kampong_siem, api):
    case = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    review = open_item(case, "technical_review")
    work_items.claim(user("sokha"), review.id)
    timers = {(t.element_id, t.fires_at) for t in db.session.scalars(select(Timer).where(Timer.case_id == case.id))}
    xml = Path("bpmn/commercial_licence.bpmn").read_bytes()
    deploy([("commercial_licence.bpmn",
             xml.replace(b'name="Review the application"', b'name="Review the application and the premises"'))])
    with time_machine.travel(local(2026, 12, 9, 9, 0), tick=False):
        answer = api.as_user("designer").post("/api/v1/processes/commercial_licence/migrations",
                                              json={"dry_run": False})
    assert answer.get_json()["movable"] == [case.number]
    assert case.definition.version == 2
    assert (review.status, review.name, review.assignee.username, review.due_at) == (
        "open", "Review the application and the premises", "sokha", local(2026, 12, 15, 10, 0))
    assert {(t.element_id, t.fires_at) for t in db.session.scalars(
        select(Timer).where(Timer.case_id == case.id))} == timers


def test_a_case_stopped_by_a_wrong_script_moves_to_the_corrected_version_and_is_retried(api, database):
    deploy([("scripted.bpmn", scripted("fee_riel = floor_area * rate"))])
    dara = user("dara")
    case = start_case("scripted_fee", {}, dara, dara.office)
    work_items.complete(dara, case.open_items[0].id, {"floor_area": 120})
    assert case.status == "error"
    deploy([("scripted.bpmn", scripted("fee_riel = floor_area * 1000"))])
    api.as_user("designer")
    moved = api.post("/api/v1/processes/scripted_fee/migrations", json={"dry_run": False}).get_json()
    assert moved["movable"] == [case.number]
    retried = api.post(f"/api/v1/cases/{case.id}/retry")
    assert retried.status_code == 200
    assert (case.status, case.data["fee_riel"], [i.task for i in case.open_items]) == (
        "running", 120000, ["hand_over"])


def test_migrating_needs_a_designer_a_known_procedure_and_a_version_number(api, database):
    assert api.as_user("dara").post("/api/v1/processes/commercial_licence/migrations",
                                    json={"dry_run": True}).status_code == 403
    api.as_user("designer")
    unknown = api.post("/api/v1/processes/no_such_thing/migrations", json={"dry_run": True})
    assert unknown.status_code == 404
    no_version = api.post("/api/v1/processes/commercial_licence/migrations", json={"to_version": 99})
    assert no_version.status_code == 404
    assert no_version.get_json()["error"] == "'commercial_licence' has no version 99; its latest is version 1."
    assert api.post("/api/v1/processes/commercial_licence/migrations",
                    json={"to_version": "2"}).status_code == 400
    assert api.post("/api/v1/processes/commercial_licence/migrations",
                    json={"dry_run": "yes"}).status_code == 400


def kinds(case) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.case_id == case.id)))


def test_the_designer_checks_and_moves_the_cases_from_the_designer_area(client, auth, database):
    from support import csrf_token_from
    early, late = two_fee_cases()
    auth.login("designer")
    page = client.get("/designer/procedures/scripted_fee/migrate")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"<li>{early.number}</li>" in html
    assert f"<td>{late.number}</td><td>its current step &#39;Hand over&#39; (hand_over) does not exist in version 2</td>" in html
    moved = client.post("/designer/procedures/scripted_fee/migrate",
                        data={"csrf_token": csrf_token_from(html), "to": "2"}, follow_redirects=True)
    assert "1 case(s) moved to version 2; 1 could not move." in moved.get_data(as_text=True)
    assert (early.definition.version, late.definition.version) == (2, 1)
    auth.login("dara")
    assert client.get("/designer/procedures/scripted_fee/migrate").status_code == 403
