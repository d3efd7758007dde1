"""Bad input gets a clear answer and changes nothing."""
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.cases.models import Case, WorkItem
from app.processes.models import ProcessDefinition

from office_data import APPLICATION, INTAKE
from test_licensing_cases import start_licence


def counts(database):
    return tuple(database.scalar(select(func.count()).select_from(model))
                 for model in (Case, WorkItem, AuditEvent, ProcessDefinition))


def test_an_unknown_procedure_is_404_and_names_the_known_ones(api, database):
    api.as_user("dara")
    before = counts(database)
    response = api.post("/api/v1/cases", json={"process": "fishing_licence", "data": {}})
    assert response.status_code == 404
    assert "fishing_licence" in response.get_json()["error"] and "commercial_licence" in response.get_json()["error"]
    assert counts(database) == before


def test_malformed_json_is_400(api):
    response = api.as_user("dara").post("/api/v1/cases", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]


def test_application_data_that_breaks_the_form_is_422_per_field(api, database):
    api.as_user("dara")
    before = counts(database)
    bad = {**APPLICATION, "premises": "castle"}
    del bad["applicant_name"]
    response = api.post("/api/v1/cases", json={"process": "commercial_licence", "data": bad})
    assert response.status_code == 422
    details = response.get_json()["details"]
    assert "applicant_name" in details and "premises" in details
    assert counts(database) == before


def test_work_item_data_that_breaks_the_form_changes_nothing(api, database):
    started = start_licence(api)
    item = [i for i in api.as_user("dara").get("/api/v1/inbox").get_json() if i["case_id"] == started["id"]][0]
    before = counts(database)
    response = api.post(f"/api/v1/work-items/{item['id']}/complete",
                        json={"data": {"intake_decision": "maybe", "fee_paid_riel": "lots"}})
    assert response.status_code == 422
    assert set(response.get_json()["details"]) == {"intake_decision", "fee_paid_riel"}
    assert counts(database) == before
    assert api.get(f"/api/v1/cases/{started['id']}").get_json()["work_items"][0]["task"] == "check_documents"


def test_another_offices_work_is_404_and_another_roles_is_403(api, database):
    started = start_licence(api)
    item = [i for i in api.as_user("dara").get("/api/v1/inbox").get_json() if i["case_id"] == started["id"]][0]
    api.as_user("bopha"), api.as_user("sokha")
    before = counts(database)
    other_office = api.as_user("bopha").post(f"/api/v1/work-items/{item['id']}/complete", json={"data": INTAKE})
    assert other_office.status_code == 404
    other_role = api.as_user("sokha").post(f"/api/v1/work-items/{item['id']}/complete", json={"data": INTAKE})
    assert other_role.status_code == 403
    assert "front_office" in other_role.get_json()["error"]
    assert api.as_user("bopha").get(f"/api/v1/cases/{started['id']}").status_code == 404
    assert counts(database) == before


def test_no_token_or_a_wrong_token_is_401(client):
    assert client.get("/api/v1/inbox").status_code == 401
    response = client.get("/api/v1/inbox", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401 and "token" in response.get_json()["error"]


def test_a_wrong_password_gives_no_hint_which_part_was_wrong(client, auth):
    wrong_password = client.post("/api/v1/token", json={"username": "dara", "password": "nope"})
    unknown_user = client.post("/api/v1/token", json={"username": "nobody", "password": "nope"})
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.get_json() == unknown_user.get_json()
    page_wrong_password = auth.login("dara", "nope").get_data(as_text=True)
    page_unknown_user = auth.login("nobody", "nope").get_data(as_text=True)
    assert "The username or password is wrong." in page_wrong_password
    assert page_wrong_password.replace("nobody", "dara") == page_unknown_user.replace("nobody", "dara")


def test_a_page_form_without_its_csrf_token_is_refused(client, auth):
    refused = client.post("/login", data={"username": "dara", "password": "correct horse battery"})
    assert refused.status_code == 400
    assert "security token" in refused.get_data(as_text=True)
    auth.login("dara")
    assert client.post("/logout").status_code == 400


def test_api_tokens_are_stored_hashed(api, database):
    from app.accounts.models import ApiToken
    api.as_user("dara")
    token = api.headers["Authorization"].split()[1]
    stored = database.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored[-1]) == 64


def test_a_deploy_of_malformed_xml_or_an_entity_payload_is_422_and_deploys_nothing(api, database, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    payloads = [
        b"<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'><unclosed>",
        (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
         '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
         'targetNamespace="t"><bpmn:process id="p" name="&x;" isExecutable="true"/></bpmn:definitions>').encode(),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
         b'<lolz>&lol2;</lolz>'),
    ]
    api.as_user("designer")
    before = counts(database)
    for payload in payloads:
        response = api.post("/api/v1/processes", data=payload,
                                                content_type="application/xml")
        assert response.status_code == 422, response.get_json()
        assert "TOP-SECRET" not in response.get_data(as_text=True)
        assert response.get_json()["details"]
    assert counts(database) == before


def test_only_designers_deploy(api):
    response = api.as_user("dara").post("/api/v1/processes", data=b"<x/>", content_type="application/xml")
    assert response.status_code == 403
