"""Forms enforce what they tell staff: a "required when" hint is a rule, every problem comes back
in one answer in plain words, and staff read choices and case data by their titles."""
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from app.cases import work_items
from app.cases.models import Case
from app.errors import Rejected
from app.forms.validation import field_errors
from office_data import APPLICATION, INTAKE, REVIEW_SEND_BACK
from support import licence_in_review, local, open_item, user
from test_inbox_pages import register
from test_licensing_cases import start_licence

FORMS = sorted((Path(__file__).parent.parent / "forms").glob("*.json"))


def check_documents(api, started):
    return next(i for i in api.as_user("dara").get("/api/v1/inbox").get_json() if i["case_id"] == started["id"])


def test_an_intake_accepted_with_no_fee_and_no_documents_is_refused_all_at_once(api):
    started = start_licence(api)
    item = check_documents(api, started)
    response = api.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"intake_decision": "accept"}})
    assert response.status_code == 422
    assert response.get_json()["details"] == {
        "documents_received": "Tick at least one of “Documents received”.",
        "fee_paid_riel": "Fill in “Official fee paid (riel)”: required when the application is accepted: the "
                         "official fee shown above, from the service catalogue.",
    }
    ticked_nothing = api.post(f"/api/v1/work-items/{item['id']}/complete",
                              json={"data": {**INTAKE, "documents_received": []}})
    assert ticked_nothing.get_json()["details"] == {"documents_received": "Tick at least one of “Documents received”."}


def test_an_intake_not_accepted_must_say_what_is_missing(api):
    started = start_licence(api)
    item = check_documents(api, started)
    response = api.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"intake_decision": "not_accepted"}})
    assert response.status_code == 422
    assert response.get_json()["details"] == {
        "intake_notes": "Fill in “Notes”: required when the application is not accepted (which documents are "
                        "missing)."}


def test_a_designers_dependent_required_rule_names_the_missing_field(app):
    schema = {"type": "object", "properties": {
        "land_title_number": {"type": "string", "title": "Land title number"},
        "land_title_type": {"type": "string", "title": "Kind of land title",
                            "oneOf": [{"const": "hard_title", "title": "Hard title"}]}},
        "dependentRequired": {"land_title_number": ["land_title_type"]}}
    assert field_errors(schema, {"land_title_number": "KPS-123"}) == {"land_title_type": "Choose “Kind of land title”."}
    assert field_errors(schema, {}) == {}


def test_a_send_back_without_the_corrections_asked_for_is_refused(database, kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 1, 9, 0))
    review = open_item(case, "technical_review")
    with pytest.raises(Rejected) as refused:
        work_items.complete(user("sokha"), review.id, {"review_decision": "send_back", "review_notes": "Lease missing."})
    assert refused.value.details == {
        "corrections_requested": "Fill in “What the applicant must correct or add”: required when sending back; "
                                 "the front office reads this to the applicant."}
    assert open_item(case, "technical_review").status == "open"
    work_items.complete(user("sokha"), review.id, REVIEW_SEND_BACK)
    assert case.data["corrections_requested"] == "Bring the signed lease of the shop."


def test_every_required_when_hint_in_the_shipped_forms_is_a_rule(app):
    for path in FORMS:
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        conditional = {name for rule in schema.get("allOf", []) for name in rule.get("then", {}).get("required", [])}
        conditional |= {name for needs in schema.get("dependentRequired", {}).values() for name in needs}
        hinted = {name for name, spec in schema["properties"].items()
                  if spec.get("description", "").lower().startswith("required when")}
        assert hinted <= conditional, f"{path.name}: hints say required-when but no rule: {hinted - conditional}"


def test_every_choice_in_the_shipped_forms_has_a_title(app):
    for path in FORMS:
        for name, spec in json.loads(path.read_text())["properties"].items():
            target = spec.get("items", spec) if spec["type"] == "array" else spec
            assert "enum" not in target, f"{path.name} {name}: choices without titles"
            for choice in target.get("oneOf", []):
                assert set(choice) == {"const", "title"}, f"{path.name} {name}: {choice}"


def test_at_the_counter_every_problem_comes_back_at_once_in_plain_words(client, auth):
    bad = {**{k: v for k, v in APPLICATION.items() if k not in ("business_name", "premises")},
           "employees": "three", "planned_opening_date": "31/12/2026"}
    response = register(client, auth, bad)
    assert response.status_code == 422
    errors = re.findall(r'<p class="error" role="alert">([^<]+)</p>', response.get_data(as_text=True))
    assert errors == ["Fill in “Business name”.", "Choose “The premises are”.",
                      "“Number of employees” must be a whole number.",
                      "“Planned opening date” must be a date written year-month-day, e.g. 2026-12-31."]


def test_choices_are_shown_by_their_titles_and_stored_by_their_codes(client, auth, database):
    auth.login("dara")
    page = client.get("/cases/new/commercial_licence").get_data(as_text=True)
    assert '<option value="grocery_or_mini_mart" >Grocery or mini mart</option>' in page
    assert ">grocery_or_mini_mart<" not in page
    response = register(client, auth)
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    item_page = client.get(f"/work-items/{open_item(database.get(Case, case_id), 'check_documents').id}")
    html = item_page.get_data(as_text=True)
    assert 'value="id_card_copy"' in html and "Copy of the identity card</label>" in html
    assert database.get(Case, case_id).data["business_activity"] == "grocery_or_mini_mart"


def test_the_case_page_shows_the_data_by_the_forms_titles_grouped_by_step(client, auth, api, database):
    started = start_licence(api)
    item = check_documents(api, started)
    api.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": INTAKE})
    auth.login("dara")
    html = client.get(f"/cases/{started['id']}").get_data(as_text=True)
    groups = re.findall(r"<h3>([^<]+)</h3>\s*<table class=\"data\">(.*?)</table>", html, re.S)
    assert [title for title, _ in groups] == ["Application for a commercial licence",
                                              "Check documents and take the official fee", "Other data"]
    application = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", groups[0][1]))
    assert application["Business activity"] == "Grocery or mini mart"
    assert application["The premises are"] == "Rented"
    intake = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", groups[1][1]))
    assert intake == {"Decision at the counter": "Accept the application",
                      "Documents received": "Application form, Copy of the identity card",
                      "Official fee paid (riel)": "100000"}
    filled_in = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", groups[2][1]))
    assert set(filled_in) == {"Official fee riel", "Fee receipt number"}  # from the catalogue and the receipt
    assert "business_activity" not in html and "fee_receipt_number" not in html
