"""Process designers work in the browser: they open a procedure in the modeler, validate,
save drafts and deploy new versions, while the cases already running stay where they are."""
import html
import json
import re
from io import BytesIO

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.cases import work_items
from app.cases.write_path import start_case
from app.designer.models import ProcessDraft
from app.designer.services import template_xml
from app.permissions import WORKFLOW_ROLES
from app.processes.services import latest_version

from designer_support import CHECK_DOCUMENTS, LICENCE, DesignerBrowser, licence, versions_of
from office_data import APPLICATION, INTAKE

RENAMED = b'name="Check documents, take the fee, give the receipt"'


@pytest.fixture
def designer(client, auth):
    return DesignerBrowser(client, auth)


def user(database, username):
    return database.scalars(select(User).where(User.username == username)).one()


@pytest.mark.parametrize("username", ["dara", "vanna", "admin"])
def test_only_designers_enter_the_designer_area(client, auth, database, username):
    auth.login(username)
    inbox = client.get("/").get_data(as_text=True)
    assert 'href="/designer/"' not in inbox
    assert client.get("/designer/").status_code == 403
    assert client.get("/designer/procedures/commercial_licence/versions/1/xml").status_code == 403
    token = re.search(r'name="csrf-token" content="([^"]+)"', inbox).group(1)
    response = client.post("/designer/procedures/commercial_licence/deploy", data={"csrf_token": token, "xml": (
        licence((CHECK_DOCUMENTS, RENAMED)).decode())}, headers={"Accept": "application/json"})
    assert response.status_code == 403 and "process designers" in response.get_json()["error"]
    assert versions_of(database, "commercial_licence") == 1


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get("/designer/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_designer_sees_every_procedure_and_its_versions(designer, client):
    page = client.get("/designer/").get_data(as_text=True)
    for key in ("commercial_licence", "construction_permit", "birth_registration", "ombudsman_complaint"):
        assert f"/designer/procedures/{key}" in page
    assert 'href="/designer/"' in client.get("/").get_data(as_text=True)  # the nav link

    page = client.get("/designer/procedures/commercial_licence").get_data(as_text=True)
    assert 'id="version-1"' in page and "First version." in page and "No draft." in page
    assert "/designer/procedures/commercial_licence/versions/1" in page


def test_the_modeler_page_follows_the_modeler_contract(designer, client, database):
    page = client.get("/designer/procedures/commercial_licence/versions/1").get_data(as_text=True)
    modeler = re.search(r'<div id="modeler"(.*?)></div>', page, re.S).group(1)
    attributes = {name: html.unescape(double or single) for name, double, single in
                  re.findall(r'data-([a-z-]+)=(?:"([^"]*)"|\'([^\']*)\')', modeler)}
    assert attributes["xml-url"] == "/designer/procedures/commercial_licence/versions/1/xml"
    assert attributes["save-url"] == "/designer/procedures/commercial_licence/draft/xml"
    assert attributes["validate-url"] == "/designer/procedures/commercial_licence/validate"
    assert json.loads(attributes["roles"]) == list(WORKFLOW_ROLES)
    assert "escalation_followup.schema.json" in json.loads(attributes["forms"])
    for part in ('<meta name="csrf-token"', 'id="properties"', 'id="problems"', 'id="save-draft"', 'id="validate"',
                 'id="download"', 'id="deploy-form"', 'name="xml"', "build/modeler.js", "build/diagram-js.css",
                 "build/bpmn-js.css", "build/bpmn-font/css/bpmn.css", "build/onewindow.css"):
        assert part in page, part

    xml = client.get(attributes["xml-url"])
    assert xml.mimetype == "application/xml" and xml.data == LICENCE
    assert "sandbox" in xml.headers["Content-Security-Policy"]
    download = client.get("/designer/procedures/commercial_licence/versions/1/download")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "commercial_licence-v1.bpmn" in download.headers["Content-Disposition"]
    assert client.get("/designer/procedures/commercial_licence/versions/9/xml").status_code == 404


def test_a_designer_renames_a_task_and_deploys_a_second_version_while_the_old_case_stays_on_version_1(
        designer, client, database):
    dara = user(database, "dara")
    old_case = start_case("commercial_licence", APPLICATION, dara, dara.office)

    renamed = licence((CHECK_DOCUMENTS, RENAMED))
    saved = designer.post_xml("/designer/procedures/commercial_licence/draft/xml", renamed)
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    assert {p["severity"] for p in saved.get_json()["problems"]} == {"warning"}
    page = client.get("/designer/procedures/commercial_licence").get_data(as_text=True)
    assert "started from version 1" in page and "Deploy the draft as version 2" in page
    assert client.get("/designer/procedures/commercial_licence/draft/xml").data == renamed

    response = designer.deploy("commercial_licence")  # the saved draft
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/designer/procedures/commercial_licence")
    assert "Deployed Commercial licence for a small business version 2" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert database.scalars(select(ProcessDraft)).first() is None  # the draft has served

    new_case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    assert (old_case.definition.version, new_case.definition.version) == (1, 2)
    assert old_case.open_items[0].name == "Check documents and take the official fee"
    assert new_case.open_items[0].name == "Check documents, take the fee, give the receipt"
    work_items.complete(dara, old_case.open_items[0].id, INTAKE)
    assert old_case.definition.version == 1 and old_case.open_items[0].task == "technical_review"

    page = client.get("/designer/procedures/commercial_licence").get_data(as_text=True)
    version_2 = page[page.index('id="version-2"'):page.index('id="version-1"')]
    assert "Designer" in version_2  # who deployed it
    assert "Renamed <code>check_documents</code>: “Check documents and take the official fee” → “Check " \
           "documents, take the fee, give the receipt”" in version_2
    deployed = database.scalars(select(AuditEvent).where(AuditEvent.kind == "process_deployed")
                                .order_by(AuditEvent.id.desc())).first()
    assert deployed.actor.username == "designer" and deployed.data["version"] == 2


def test_the_version_list_shows_added_removed_and_timer_changes(designer, client, database):
    newer = licence((b"working_days(1)</bpmn:timeDuration>", b"working_days(2)</bpmn:timeDuration>"),
                    (b'"end_issued"', b'"licence_issued"'))
    assert designer.deploy("commercial_licence", newer).status_code == 302
    page = client.get("/designer/procedures/commercial_licence").get_data(as_text=True)
    assert "Timer <code>check_documents_deadline</code>: timeDuration: working_days(1) → timeDuration: " \
           "working_days(2)" in page
    assert "Added end event <code>licence_issued</code>" in page
    assert "Removed end event <code>end_issued</code>" in page


def test_deploying_the_same_diagram_again_makes_no_new_version(designer, client, database):
    response = designer.deploy("commercial_licence", LICENCE)
    assert response.status_code == 302
    assert "Nothing to deploy: version 1 is already exactly this diagram" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert versions_of(database, "commercial_licence") == 1


def test_a_refused_deployment_keeps_the_work_as_the_draft_and_lists_the_problems(designer, client, database):
    broken = licence((b"<bpmn:flowNodeRef>check_documents</bpmn:flowNodeRef>", b""), (CHECK_DOCUMENTS, RENAMED))
    response = designer.deploy("commercial_licence", broken)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    problems = page[page.index('id="deploy-problems"'):page.index('id="modeler"')]
    assert "Nothing was deployed" in problems
    assert "is in no lane" in problems and "<code class=\"ow-problem-element\">check_documents</code>" in problems
    assert 'data-xml-url="/designer/procedures/commercial_licence/draft/xml"' in page
    assert versions_of(database, "commercial_licence") == 1
    assert client.get("/designer/procedures/commercial_licence/draft/xml").data == broken


def test_validation_lists_errors_and_warnings_with_element_ids_and_lines(designer):
    problems = designer.validate("commercial_licence",
                                 licence((b"<bpmn:flowNodeRef>check_documents</bpmn:flowNodeRef>", b"")))
    errors = [p for p in problems if p["severity"] == "error"]
    assert [(p["element_id"], "no lane" in p["message"]) for p in errors] == [("check_documents", True)]
    assert errors[0]["line"] == LICENCE[:LICENCE.index(b'<bpmn:userTask id="check_documents"')].count(b"\n") + 1
    warnings = {p["element_id"]: p["message"] for p in problems if p["severity"] == "warning"}
    # the hand-over is the shared sub-procedure's, which has its own deadline
    assert set(warnings) == {"inform_refusal", "lane_owso_chief", "lane_district_governor"}
    # nobody is OWSO chief in Battambang City, and its district has no governor
    assert "'owso_chief' in office(s) BTB" in warnings["lane_owso_chief"]
    assert "'district_governor' in district(s) BTB-D" in warnings["lane_district_governor"]


def test_saving_another_procedure_under_this_key_is_refused(designer, database):
    other = (LICENCE.replace(b'id="commercial_licence"', b'id="market_stall"')
             .replace(b'processRef="commercial_licence"', b'processRef="market_stall"'))
    response = designer.post_xml("/designer/procedures/commercial_licence/draft/xml", other)
    assert response.status_code == 422
    assert "process id is 'market_stall' but you are working on 'commercial_licence'" in response.get_json()["error"]
    assert database.scalars(select(ProcessDraft)).first() is None
    assert designer.validate("commercial_licence", other)[0]["element_id"] == "market_stall"


def test_a_new_procedure_from_the_template_deploys_and_runs(designer, client, database):
    response = designer.post_form("/designer/procedures", {"key": "market_stall", "name": 'Market stall "A" permit'})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/designer/procedures/market_stall/draft")
    xml = client.get("/designer/procedures/market_stall/draft/xml").data
    assert b"bpmndi:BPMNDiagram" in xml and b'name="Market stall &quot;A&quot; permit"' in xml
    assert [p for p in designer.validate("market_stall", xml) if p["severity"] == "error"] == []

    assert designer.deploy("market_stall").status_code == 302
    dara = user(database, "dara")
    case = start_case("market_stall", {}, dara, dara.office)
    [item] = case.open_items
    assert (item.task, item.role, item.name) == ("handle_application", "front_office", "Handle the application")
    assert item.due_at is not None  # the template's service standard
    work_items.complete(dara, item.id, {})
    assert case.status == "completed"


@pytest.mark.parametrize("key, name, message", [
    ("Market Stall", "Permit", "cannot be a procedure key"),
    ("market_stall", "", "Give the procedure a name"),
    ("commercial_licence", "Again", "already a procedure or draft 'commercial_licence'"),
])
def test_a_new_procedure_needs_a_good_key_and_name(designer, database, key, name, message):
    response = designer.post_form("/designer/procedures", {"key": key, "name": name})
    assert response.status_code in (409, 422)
    assert message in html.unescape(response.get_data(as_text=True))
    assert database.scalars(select(ProcessDraft)).first() is None


def test_an_uploaded_file_becomes_the_draft_of_its_procedure(designer, client, database):
    upload = {"file": (BytesIO(licence((CHECK_DOCUMENTS, RENAMED))), "licence.bpmn")}
    response = designer.post_form("/designer/import", upload, content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/designer/procedures/commercial_licence/draft")
    draft = database.scalars(select(ProcessDraft)).one()
    assert (draft.key, draft.based_on_version, draft.updated_by.username) == ("commercial_licence", 1, "designer")
    assert client.get(response.headers["Location"]).status_code == 200
    assert versions_of(database, "commercial_licence") == 1  # importing deploys nothing


def test_a_draft_can_be_downloaded(designer, client):
    designer.post_xml("/designer/procedures/commercial_licence/draft/xml", LICENCE)
    response = client.get("/designer/procedures/commercial_licence/draft/download")
    assert response.data == LICENCE and "attachment" in response.headers["Content-Disposition"]


def test_the_template_is_valid_bpmn_with_layout():
    xml = template_xml("market_stall", "Market stall <permit> & more")
    assert b"Market stall &lt;permit&gt; &amp; more" in xml and b"<bpmndi:BPMNShape" in xml


def test_latest_version_is_what_the_api_lists_after_a_deploy(designer, api, database):
    designer.deploy("commercial_licence", licence((CHECK_DOCUMENTS, RENAMED)))
    listed = {p["key"]: p["version"] for p in api.as_user("dara").get("/api/v1/processes").get_json()}
    assert listed["commercial_licence"] == 2 == latest_version("commercial_licence").version
