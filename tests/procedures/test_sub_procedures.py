"""Procedures share steps: the licence and the permit both end with the shared hand-over,
called as a sub-procedure. The work inside belongs to the calling case's office, roles,
deadlines and escalations; a case keeps the sub-procedure version it started with; a call
that goes nowhere or round in a circle is refused at deploy with the element and the path."""
import html
import json
import re
from pathlib import Path

import pytest
import time_machine

from app.errors import Rejected
from app.processes.services import callers_of, deploy, find_latest_version
from app.timers.services import sweep

from office_data import APPLICATION, HAND_OVER, INTAKE, REVIEW_APPROVE, SIGN
from procedure_support import call, diagram, line_of, process, start, user_task, work_through
from support import local

HAND_OVER_BPMN = (Path(__file__).resolve().parents[2] / "bpmn" / "hand_over_document.bpmn").read_bytes()


def signed_licence(at):
    with time_machine.travel(at, tick=False):
        case = start("commercial_licence", APPLICATION)
        work_through(case, "check_documents", data=INTAKE)
        work_through(case, "technical_review", data=REVIEW_APPROVE)
        return work_through(case, "sign_licence", data=SIGN)


def test_a_signed_licence_is_handed_over_by_the_front_office_of_its_office_within_two_working_days(database):
    case = signed_licence(local(2026, 12, 3, 9, 0))  # a Thursday
    [hand_over] = case.open_items
    assert (hand_over.task, hand_over.role, hand_over.office_id) == ("hand_over", "front_office", case.office_id)
    assert hand_over.name == "Hand over the signed document" and hand_over.form == "hand_over.schema.json"
    assert hand_over.due_at == local(2026, 12, 7, 9, 0)  # Fri 4, (weekend), Mon 7
    case = work_through(case, "hand_over", data=HAND_OVER)
    assert case.status == "completed"
    assert case.data["received_by"] == "Sok Chanthy"
    assert case.definition.calls == {"hand_over_document": 1}


def test_an_overdue_hand_over_reaches_the_chief_of_the_calling_office(database):
    case = signed_licence(local(2026, 12, 3, 9, 0))
    hand_over = case.open_items[0]
    with time_machine.travel(local(2026, 12, 7, 9, 0, 30), tick=False):
        assert sweep().fired == 1
    follow_up = next(i for i in case.open_items if i.task == "hand_over_chief_followup")
    assert (follow_up.role, follow_up.office_id, follow_up.escalation_level) == ("owso_chief", case.office_id, 1)
    assert follow_up.escalation_of_id == hand_over.id and follow_up.late_by_seconds == 30


def test_a_running_case_keeps_the_hand_over_it_started_with_and_new_cases_get_the_new_one(database):
    running = start("commercial_licence", APPLICATION)
    renamed = HAND_OVER_BPMN.replace(b'name="Hand over the signed document"', b'name="Hand over, check the ID"')
    deployments = deploy([("hand_over_document.bpmn", renamed)])
    # the new sub-procedure, and each procedure calling it deployed again to use it
    assert [(d.definition.key, d.definition.version, d.created) for d in deployments] == [
        ("hand_over_document", 2, True), ("commercial_licence", 2, True), ("construction_permit", 2, True)]
    assert find_latest_version("commercial_licence").calls == {"hand_over_document": 2}

    fresh = start("commercial_licence", APPLICATION)
    for case in (running, fresh):
        work_through(case, "check_documents", data=INTAKE)
        work_through(case, "technical_review", data=REVIEW_APPROVE)
        work_through(case, "sign_licence", data=SIGN)
    assert running.definition.version == 1 and running.open_items[0].name == "Hand over the signed document"
    assert fresh.definition.version == 2 and fresh.open_items[0].name == "Hand over, check the ID"


def test_the_designer_sees_which_procedures_use_the_hand_over(database):
    assert [d.key for d in callers_of("hand_over_document")] == ["commercial_licence", "construction_permit"]
    assert callers_of("commercial_licence") == []


def test_a_call_to_a_procedure_nobody_deployed_is_refused_with_the_element_and_its_line(database):
    xml = diagram(process("market_stall", user_task("register"), call("inspect_site", "site_inspection")))
    with pytest.raises(Rejected) as refused:
        deploy([("market_stall.bpmn", xml)])
    [problem] = refused.value.details
    assert (problem["element_id"], problem["line"], problem["file"]) == (
        "inspect_site", line_of(xml, 'id="inspect_site"'), "market_stall.bpmn")
    assert problem["message"] == ("Call activity 'inspect_site' calls 'site_inspection', which is neither a process "
                                  "of this diagram nor a deployed procedure: deploy it first, deploy both together, "
                                  "or fix the called element.")
    assert find_latest_version("market_stall") is None


def test_a_procedure_that_calls_itself_is_refused_with_the_path(database):
    xml = diagram(process("market_stall", user_task("register"), call("again", "market_stall")))
    with pytest.raises(Rejected) as refused:
        deploy([("market_stall.bpmn", xml)])
    [problem] = refused.value.details
    assert problem["element_id"] == "again"
    assert "market_stall → market_stall" in problem["message"]


def test_two_procedures_calling_each_other_are_refused_with_the_cycle(database):
    first = diagram(process("stall_permit", user_task("register"), call("ask_inspection", "stall_inspection")))
    second = diagram(process("stall_inspection", user_task("inspect"), call("back_to_permit", "stall_permit")))
    with pytest.raises(Rejected) as refused:
        deploy([("stall_permit.bpmn", first), ("stall_inspection.bpmn", second)])
    paths = sorted((p["file"], p["element_id"], p["message"].split(": ")[1].split(".")[0])
                   for p in refused.value.details)
    assert paths == [("stall_inspection.bpmn", "back_to_permit", "stall_inspection → stall_permit → stall_inspection"),
                     ("stall_permit.bpmn", "ask_inspection", "stall_permit → stall_inspection → stall_permit")]


def test_a_sub_procedure_deployed_together_with_its_caller_runs_inside_it(database):
    inspection = diagram(process("stall_inspection", user_task("inspect", "Inspect the stall"), lane="back_office"))
    permit = diagram(process("stall_permit", user_task("register"), call("ask_inspection", "stall_inspection"),
                             user_task("hand_over_permit")))
    deployed = deploy([("stall_permit.bpmn", permit), ("stall_inspection.bpmn", inspection)])
    assert [(d.definition.key, d.definition.version) for d in deployed] == [("stall_permit", 1), ("stall_inspection", 1)]
    assert deployed[0].definition.calls == {"stall_inspection": 1}
    case = work_through(start("stall_permit"), "register")
    assert [(i.task, i.role) for i in case.open_items] == [("inspect", "back_office")]
    case = work_through(case, "inspect", "hand_over_permit")
    assert case.status == "completed"


def test_a_main_process_and_the_process_it_calls_live_in_one_diagram(database):
    xml = diagram(process("stall_permit", user_task("register"), call("ask_inspection", "stall_inspection")),
                  process("stall_inspection", user_task("inspect"), lane="back_office"))
    [deployment] = deploy([("stall_permit.bpmn", xml)])
    assert deployment.definition.key == "stall_permit" and deployment.definition.calls == {}
    case = work_through(start("stall_permit"), "register", "inspect")
    assert case.status == "completed"


def test_the_designer_page_of_the_hand_over_lists_the_procedures_calling_it(auth, client, database):
    auth.login("designer")
    page = client.get("/designer/procedures/hand_over_document").get_data(as_text=True)
    used_by = page[page.index('<section id="used-by">'):page.index("</section>")]
    assert re.findall(r'<li><a href="/designer/procedures/(\w+)">', used_by) == [
        "commercial_licence", "construction_permit"]
    assert "version 1 calls version 1" in used_by
    licence = client.get("/designer/procedures/commercial_licence").get_data(as_text=True)
    assert "No procedure calls this one." in licence
    assert re.sub(r"\s+", " ", re.search(r'<p id="uses">(.*?)</p>', licence, re.S).group(1)).strip() == (
        'Version 1 uses: <a href="/designer/procedures/hand_over_document"><code>hand_over_document</code></a> '
        "version 1, decision table commercial_licence_fee version 1")


def diagrams_of(page: str) -> dict:
    """Each drawn diagram on a case page, by its element id: where its XML is, what is coloured."""
    found = {}
    for attributes in re.findall(r'<div (?:id="case-diagram"|class="ow-sub-procedure-diagram")(.*?)></div>', page,
                                 re.S):
        data = {name: html.unescape(value) for name, value in re.findall(r"data-([a-z-]+)='([^']*)'", attributes)}
        data.update(re.findall(r'data-(xml-url)="([^"]*)"', attributes))
        found[re.search(r'id="([^"]+)"', attributes).group(1) if 'id="' in attributes else "case-diagram"] = {
            key: json.loads(value) if key != "xml-url" else value for key, value in data.items()}
    return found


def test_the_case_page_shows_where_inside_the_sub_procedure_the_case_is(auth, client, database):
    case = signed_licence(local(2026, 12, 3, 9, 0))
    auth.login("dara")
    with time_machine.travel(local(2026, 12, 8, 9, 0), tick=False):  # the hand-over is a day late
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    drawn = diagrams_of(page)
    assert list(drawn) == ["case-diagram", "sub-procedure-hand_over_document"]
    main, inside = drawn["case-diagram"], drawn["sub-procedure-hand_over_document"]
    assert (main["current"], main["overdue"]) == (["hand_over_licence"], [])
    assert {"sign_licence", "work_out_fee"} <= set(main["completed"]) and "hand_over" not in main["completed"]
    assert (inside["current"], inside["overdue"]) == (["hand_over"], ["hand_over"])
    assert inside["completed"] == ["hand_over_start"]
    assert "Inside the sub-procedure Hand over a signed document, version 1" in page
    response = client.get(inside["xml-url"])
    assert (response.status_code, response.data) == (200, HAND_OVER_BPMN)
    assert client.get(f"/cases/{case.id}/sub-procedures/commercial_licence/diagram.bpmn").status_code == 404
    auth.login("bopha")  # another office
    assert client.get(inside["xml-url"]).status_code == 404


def test_a_deadline_on_the_call_activity_is_the_deadline_of_the_work_inside(database):
    inspection = diagram(process("stall_inspection", user_task("inspect"), lane="back_office"))
    permit = diagram(process("stall_permit", call("ask_inspection", "stall_inspection")).replace(
        "</bpmn:process>", '<bpmn:boundaryEvent id="inspection_deadline" cancelActivity="false" '
        'attachedToRef="ask_inspection"><bpmn:timerEventDefinition><bpmn:timeDuration '
        'xsi:type="bpmn:tFormalExpression">working_days(3)</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:boundaryEvent></bpmn:process>'))
    permit = permit.replace(b"<bpmn:flowNodeRef>ask_inspection</bpmn:flowNodeRef>",
                            b"<bpmn:flowNodeRef>ask_inspection</bpmn:flowNodeRef>"
                            b"<bpmn:flowNodeRef>inspection_deadline</bpmn:flowNodeRef>")
    deploy([("stall_permit.bpmn", permit), ("stall_inspection.bpmn", inspection)])
    with time_machine.travel(local(2026, 12, 3, 9, 0), tick=False):  # a Thursday
        case = start("stall_permit")
    [inspect] = case.open_items
    assert (inspect.task, inspect.role, inspect.due_at) == ("inspect", "back_office", local(2026, 12, 8, 9, 0))
