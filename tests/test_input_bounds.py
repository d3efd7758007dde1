"""Whatever a client sends, the office gets a clear answer and nothing reaches the database
that would break a case later: no 500, ever."""
import json

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.cases.models import Case, WorkItem
from app.processes.models import ProcessDefinition
from office_data import APPLICATION, INTAKE
from support import TEST_DIAGRAMS, csrf_token_from
from test_formless_and_calendar_timers import deploy_scripted
from test_licensing_cases import start_licence


def counts(database):
    return tuple(database.scalar(select(func.count()).select_from(model))
                 for model in (Case, WorkItem, AuditEvent, ProcessDefinition))


def post_raw(api, url, text):
    return api.post(url, data=text.encode("utf-8", "surrogatepass"), content_type="application/json")


def check_documents(api, started):
    return next(i for i in api.as_user("dara").get("/api/v1/inbox").get_json() if i["case_id"] == started["id"])


def test_case_data_nested_hundreds_of_levels_deep_is_refused_before_it_is_stored(api, database):
    api.as_user("dara")
    before = counts(database)
    deep = '{"process": "commercial_licence", "data": {"applicant_name": ' + "[" * 485 + "]" * 485 + "}}"
    response = post_raw(api, "/api/v1/cases", deep)
    assert response.status_code == 400
    assert response.get_json()["error"] == "The JSON is nested too deeply: at most 32 levels are allowed."
    assert counts(database) == before


def test_json_nested_past_pythons_own_recursion_limit_is_a_400_too(api):
    response = post_raw(api.as_user("dara"), "/api/v1/cases", "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["error"]


def test_a_json_body_over_the_limit_is_413_and_says_the_limit(api, database):
    api.as_user("dara")
    before = counts(database)
    response = api.post("/api/v1/cases", json={"process": "commercial_licence",
                                               "data": {**APPLICATION, "applicant_name": "x" * (5 * 1024 * 1024)}})
    assert response.status_code == 413
    assert response.get_json()["error"] == "The request body is too large: JSON bodies may be at most 256 KB."
    assert counts(database) == before


@pytest.mark.parametrize("literal, named", [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity")])
def test_nan_and_infinity_are_not_numbers_the_office_can_store(api, database, literal, named):
    started = start_licence(api)
    item = check_documents(api, started)
    before = counts(database)
    body = '{"data": {"intake_decision": "not_accepted", "fee_paid_riel": %s}}' % literal
    response = post_raw(api, f"/api/v1/work-items/{item['id']}/complete", body)
    assert response.status_code == 400
    assert response.get_json()["error"] == f"{named} is not a number JSON allows; send a finite number."
    assert counts(database) == before


def test_a_lone_surrogate_is_refused_and_the_case_page_stays_readable(api, client, auth, database):
    started = start_licence(api)
    body = json.dumps({"process": "commercial_licence", "data": {**APPLICATION, "applicant_name": "\ud800"}})
    response = post_raw(api, "/api/v1/cases", body)
    assert response.status_code == 400
    assert response.get_json()["error"] == ("Text at data.applicant_name is not valid Unicode "
                                            "(a lone surrogate such as \\ud800).")
    auth.login("dara")
    assert client.get(f"/cases/{started['id']}").status_code == 200


def test_a_nul_byte_in_text_is_refused(api, database):
    api.as_user("dara")
    before = counts(database)
    response = api.post("/api/v1/cases", json={"process": "commercial_licence",
                                               "data": {**APPLICATION, "business_name": "Mart\u0000"}})
    assert response.status_code == 400
    assert response.get_json()["error"] == "Text at data.business_name contains a NUL byte (\\u0000)."
    assert counts(database) == before


def test_a_nul_byte_in_a_procedure_key_is_400_on_the_api_and_on_the_page(api, client, auth):
    response = api.as_user("dara").post("/api/v1/cases", json={"process": "commercial\u0000licence", "data": {}})
    assert response.status_code == 400
    auth.login("dara")
    page = client.get("/cases/new/commercial%00licence")
    assert page.status_code == 400
    assert "NUL byte" in page.get_data(as_text=True)


def test_a_nul_byte_in_a_username_is_400_at_the_api_and_at_the_login_form(client):
    response = client.post("/api/v1/token", json={"username": "dara\u0000", "password": "x"})
    assert response.status_code == 400
    login = client.get("/login").get_data(as_text=True)
    page = client.post("/login", data={"username": "dara\x00", "password": "x", "csrf_token": csrf_token_from(login)})
    assert page.status_code == 400
    assert "NUL byte" in page.get_data(as_text=True)


def test_a_field_the_form_does_not_declare_is_refused_at_the_start(api, database):
    api.as_user("dara")
    before = counts(database)
    response = api.post("/api/v1/cases", json={"process": "commercial_licence",
                                               "data": {**APPLICATION, "working_days": 3, "notes": "x"}})
    assert response.status_code == 422
    assert response.get_json()["details"] == {
        "notes": "This form has no field 'notes'.", "working_days": "This form has no field 'working_days'."}
    assert counts(database) == before


def test_a_field_the_form_does_not_declare_is_refused_when_completing(api, database):
    started = start_licence(api)
    item = check_documents(api, started)
    before = counts(database)
    response = api.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {**INTAKE, "status": "done"}})
    assert response.status_code == 422
    assert response.get_json()["details"] == {"status": "This form has no field 'status'."}
    assert counts(database) == before


@pytest.mark.parametrize("name, why", [
    ("working_days", "'working_days' is the name of a script helper; choose another name."),
    ("len", "'len' is the name of a script helper; choose another name."),
    ("class", "'class' is a reserved word in scripts; choose another name."),
    ("floor area", "'floor area' is not a plain name: use letters, digits and _ and start with a letter."),
    ("_secret", "'_secret' is not a plain name: use letters, digits and _ and start with a letter."),
])
def test_work_without_a_form_takes_only_plain_names_that_shadow_no_script_helper(api, database, name, why):
    deploy_scripted()
    started = api.as_user("dara").post("/api/v1/cases", json={"process": "scripted_fee", "data": {}}).get_json()
    item = api.get(f"/api/v1/cases/{started['id']}").get_json()["work_items"][0]
    response = api.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"floor_area": 80, name: 1}})
    assert response.status_code == 422
    assert response.get_json()["details"] == {name: why}
    case = api.get(f"/api/v1/cases/{started['id']}").get_json()
    assert case["status"] == "running" and case["work_items"][0]["task"] == "record_area"


@pytest.mark.parametrize("case_id", [2**31, 2**63, 10**30])
def test_an_id_outside_the_databases_integer_range_is_404(api, client, auth, case_id):
    api.as_user("dara")
    assert api.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert api.get(f"/api/v1/work-items/{case_id}").status_code == 404
    assert api.post(f"/api/v1/work-items/{case_id}/claim").status_code == 404
    assert api.post(f"/api/v1/work-items/{case_id}/complete", json={"data": {}}).status_code == 404
    auth.login("dara")
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert client.get(f"/work-items/{case_id}").status_code == 404


def test_a_page_number_out_of_range_is_400(client, auth):
    auth.login("dara")
    response = client.get(f"/notifications/?page={10**20}")
    assert response.status_code == 400
    assert "page must be a whole number from 1 to" in response.get_data(as_text=True)
    assert client.get("/notifications/?page=abc").status_code == 400


def test_a_calendar_year_out_of_range_is_400(client, auth):
    auth.login("admin")
    response = client.get("/admin/calendars/KPS?year=99999")
    assert response.status_code == 400
    assert "year must be a whole number from 1900 to 2200" in response.get_data(as_text=True)


def test_an_officer_id_out_of_range_when_reassigning_is_400(api, client, auth):
    started = start_licence(api)
    item = check_documents(api, started)
    auth.login("vanna")
    response = auth.post(f"/supervision/work-items/{item['id']}/reassign",
                         data={"officer": str(2**63), "reason": "cover"}, form_page="/supervision/")
    assert response.status_code == 400


def test_names_too_long_for_their_column_are_422_at_deploy_with_the_element_id(api, database):
    xml = (TEST_DIAGRAMS / "scripted.bpmn").read_text().replace("SCRIPT", "fee_riel = floor_area * 1000")
    long_name = "Record the floor area " + "very " * 50
    xml = xml.replace('id="record_area" name="', f'id="record_area" name="{long_name}')
    api.as_user("designer")
    before = counts(database)
    response = api.post("/api/v1/processes", data=xml.encode(), content_type="application/xml")
    assert response.status_code == 422
    problems = response.get_json()["details"]
    assert [(p["element_id"], p["message"]) for p in problems] == [
        ("record_area", f"The name of 'record_area' is {len(long_name + 'Record the floor area')} characters "
                        "long; at most 200 fit.")]
    assert counts(database) == before


def test_a_form_post_too_large_for_a_page_is_413_and_says_so(client, auth):
    auth.login("dara")
    page = client.get("/cases/new/commercial_licence").get_data(as_text=True)
    response = client.post("/cases/new/commercial_licence",
                           data={"csrf_token": csrf_token_from(page), "applicant_name": "x" * 600_000})
    assert response.status_code == 413
    assert "The form is too large" in response.get_data(as_text=True)


def test_a_form_schema_nested_too_deeply_is_a_problem_in_the_forms_editor(client, auth, database):
    auth.login("designer")
    page = client.get("/designer/forms").get_data(as_text=True)
    response = client.post("/designer/forms/preview",
                           data={"csrf_token": csrf_token_from(page), "filename": "deep.schema.json",
                                 "schema": '{"type": "object", "x": ' + "[" * 5000 + "]" * 5000 + "}"})
    assert response.status_code == 422
    assert "nested too deeply" in response.get_data(as_text=True)
