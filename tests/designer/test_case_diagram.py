"""Staff see a case on its diagram: the path it took, the work open now, the work overdue.
A diagram drawn without layout (no BPMNDI) deploys, runs, and is drawn all the same."""
import html
import json
import re
from datetime import timedelta

import time_machine
from lxml import etree
from sqlalchemy import select

from app.accounts.models import User
from app.cases import work_items
from app.cases.write_path import start_case
from app.db import utcnow

from designer_support import LICENCE
from office_data import APPLICATION, HAND_OVER, INTAKE, REVIEW_APPROVE, SIGN


def staff(database, username):
    return database.scalars(select(User).where(User.username == username)).one()


def diagram_of(page: str) -> dict:
    div = re.search(r'<div id="case-diagram"(.*?)></div>', page, re.S).group(1)
    return {name: html.unescape(double or single) for name, double, single in
            re.findall(r'data-([a-z-]+)=(?:"([^"]*)"|\'([^\']*)\')', div)}


def test_the_case_page_marks_the_path_taken_the_open_work_and_the_overdue_work(client, auth, database):
    dara = staff(database, "dara")
    case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    work_items.complete(dara, case.open_items[0].id, INTAKE)
    auth.login("dara")

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    diagram = diagram_of(page)
    assert diagram["xml-url"] == f"/cases/{case.id}/diagram.bpmn"
    assert {"start_application", "check_documents", "intake_gateway", "review_start"} <= set(
        json.loads(diagram["completed"]))
    assert "technical_review" not in json.loads(diagram["completed"])
    assert json.loads(diagram["current"]) == ["technical_review"]
    assert json.loads(diagram["overdue"]) == []
    assert "build/viewer.js" in page and "build/bpmn-js.css" in page

    with time_machine.travel(utcnow() + timedelta(days=30)):
        late = diagram_of(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert json.loads(late["overdue"]) == ["technical_review"]


def test_the_diagram_xml_is_served_to_those_who_may_see_the_case(client, auth, database):
    dara = staff(database, "dara")
    case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    assert client.get(f"/cases/{case.id}/diagram.bpmn").status_code == 302  # to the sign-in page
    for username, status in (("dara", 200), ("governor", 200), ("bopha", 404), ("theary", 404)):
        auth.login(username)
        response = client.get(f"/cases/{case.id}/diagram.bpmn")
        assert response.status_code == status, username
        if status == 200:
            assert response.data == LICENCE and response.mimetype == "application/xml"


def without_layout(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for diagram in root.findall("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram"):
        root.remove(diagram)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_diagram_without_bpmndi_deploys_and_runs_a_case_to_the_end(api, database):
    bare = without_layout(LICENCE)
    assert b"BPMNShape" not in bare
    response = api.as_user("designer").post("/api/v1/processes?filename=commercial_licence.bpmn", data=bare,
                                            content_type="application/xml")
    assert response.status_code == 201 and response.get_json()["version"] == 2

    dara, sokha, vanna = (staff(database, u) for u in ("dara", "sokha", "vanna"))
    case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    assert case.definition.version == 2
    for who, task, data in ((dara, "check_documents", INTAKE), (sokha, "technical_review", REVIEW_APPROVE),
                            (vanna, "sign_licence", SIGN), (dara, "hand_over", HAND_OVER)):
        [item] = [i for i in case.open_items if i.task == task]
        work_items.complete(who, item.id, data)
    assert case.status == "completed" and case.data["licence_number"] == SIGN["licence_number"]
