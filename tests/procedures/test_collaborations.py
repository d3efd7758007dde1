"""Two pools exchange messages: the OWSO asks the provincial department for its opinion
and waits; the department's back office gives it; the opinion comes back to the front
office, who informs the applicant. Both pools are one procedure with one entry process,
and each pool's lanes are roles like everywhere else."""
import re

import pytest

from app.errors import Rejected
from app.processes.services import deploy

from procedure_support import DIAGRAMS, start, work_through

OPINION = (DIAGRAMS / "provincial_opinion.bpmn").read_bytes()


def test_the_department_is_asked_gives_its_opinion_and_the_applicant_is_informed(database):
    [deployment] = deploy([("provincial_opinion.bpmn", OPINION)])
    assert (deployment.definition.key, deployment.definition.name) == (
        "provincial_opinion", "Permit with the provincial department's opinion")
    case = start("provincial_opinion")
    assert [(i.task, i.role) for i in case.open_items] == [("register_request", "front_office")]
    case = work_through(case, "register_request", data={"plot_number": "KPS-0412"})
    # the request travelled: the department's back office has the work, the OWSO waits for it
    assert [(i.task, i.role, i.office_id) for i in case.open_items] == [("give_opinion", "back_office", case.office_id)]
    case = work_through(case, "give_opinion", data={"opinion": "no objection"})
    assert [(i.task, i.role) for i in case.open_items] == [("inform_applicant", "front_office")]
    assert case.data["department_reply"] == {"opinion": "no objection", "plot": "KPS-0412"}
    case = work_through(case, "inform_applicant")
    assert case.status == "completed"


def test_a_pool_whose_lane_is_not_a_role_is_refused_on_that_lane(database):
    xml = OPINION.replace(b'name="back_office"', b'name="provincial_officer"')
    with pytest.raises(Rejected) as refused:
        deploy([("provincial_opinion.bpmn", xml)])
    [problem] = refused.value.details
    assert problem["element_id"] == "department_back_office"
    assert problem["message"].startswith("Lane 'provincial_officer' is not a role; use one of front_office,")


def test_pools_that_could_both_start_a_case_must_say_which_one_does(database):
    # the department's pool starts on its own instead of on the OWSO's message
    plain = re.sub(rb'(<bpmn:startEvent id="request_received"[^>]*>.*?)<bpmn:messageEventDefinition.*?'
                   rb'</bpmn:messageEventDefinition>', rb"\1", OPINION, flags=re.S)
    with pytest.raises(Rejected) as refused:
        deploy([("provincial_opinion.bpmn", plain)])
    assert [p["message"] for p in refused.value.details] == [
        "This diagram holds 2 executable processes and does not say which one a case starts in "
        "(provincial_opinion, department_opinion): give that process the property entryProcess = true, "
        "call the others from it, or start them by a message."]
    stated = plain.replace(b'<bpmn:laneSet id="owso_lanes">', b'<bpmn:extensionElements><spiffworkflow:properties>'
                           b'<spiffworkflow:property name="entryProcess" value="true"/></spiffworkflow:properties>'
                           b'</bpmn:extensionElements><bpmn:laneSet id="owso_lanes">')
    [deployment] = deploy([("provincial_opinion.bpmn", stated)])
    assert deployment.definition.key == "provincial_opinion"
