"""A designer edits a form's JSON Schema in the browser, previews it exactly as staff will
see it, and saves it; the next deployment takes the saved form, running cases keep theirs."""
import html
import json
from pathlib import Path

import pytest
from flask import render_template_string
from sqlalchemy import select

from app.accounts.models import User
from app.cases.write_path import start_case
from app.processes.models import FormDraft
from app.forms.rendering import fields_for
from app.processes.services import form_library

from designer_support import LICENCE, DesignerBrowser
from office_data import APPLICATION

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
INTAKE = "commercial_licence_intake.schema.json"


@pytest.fixture
def designer(client, auth):
    return DesignerBrowser(client, auth)


def intake_with_photo_check() -> dict:
    schema = json.loads((FORMS_DIR / INTAKE).read_text())
    schema["properties"]["photographs_checked"] = {"type": "boolean", "title": "Photographs match the owner"}
    return schema


def as_staff_see_it(app, schema) -> str:
    with app.test_request_context():
        return render_template_string('{% from "forms/_fields.html" import render_fields %}{{ render_fields(f) }}',
                                      f=fields_for(schema))


def test_the_preview_is_the_form_staff_will_see(designer, client, app):
    page = client.get(f"/designer/forms/{INTAKE}").get_data(as_text=True)
    assert "Official fee paid (riel)" in page and 'id="form-preview"' in page and 'name="schema"' in page

    schema = intake_with_photo_check()
    preview = designer.post_form("/designer/forms/preview", {"filename": INTAKE, "schema": json.dumps(schema)})
    assert preview.status_code == 200
    fragment = preview.get_data(as_text=True)
    assert as_staff_see_it(app, schema) in fragment
    assert '<input type="checkbox" name="photographs_checked"' in fragment
    assert "<h2>Check documents and take the official fee</h2>" in fragment


def test_the_preview_button_works_without_javascript_and_saves_nothing(designer, database):
    schema = intake_with_photo_check()
    response = designer.post_form(f"/designer/forms/{INTAKE}", {"schema": json.dumps(schema), "action": "preview"})
    assert response.status_code == 200
    assert "Photographs match the owner" in response.get_data(as_text=True)
    assert database.scalars(select(FormDraft)).first() is None


def test_a_saved_form_is_used_by_the_next_deployment_and_old_cases_keep_theirs(designer, client, database):
    dara = database.scalars(select(User).where(User.username == "dara")).one()
    old_case = start_case("commercial_licence", APPLICATION, dara, dara.office)

    response = designer.post_form(f"/designer/forms/{INTAKE}",
                                  {"schema": json.dumps(intake_with_photo_check()), "action": "save"})
    assert response.status_code == 302
    assert "Diagrams deployed from now on use this version" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert json.loads(form_library()[INTAKE])["properties"]["photographs_checked"]["type"] == "boolean"
    assert "edited in the browser" in client.get("/designer/forms").get_data(as_text=True)

    # the diagram itself is unchanged: the new form alone makes version 2
    assert designer.deploy("commercial_licence", LICENCE).status_code == 302
    new_case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    assert new_case.definition.version == 2
    assert "photographs_checked" in new_case.definition.form(INTAKE)["properties"]
    assert "photographs_checked" not in old_case.definition.form(INTAKE)["properties"]


@pytest.mark.parametrize("text, message", [
    ('{"type": "object", "properties": ', "is not valid JSON"),
    ('{"type": "object", "properties": {"x": {"type": "strin"}}}', "is not a valid JSON Schema"),
    ('{"type": "array"}', 'must describe an object'),
    ('{"type": "object", "properties": {"owner": {"type": "object", "properties": {}}}}',
     "nested objects are not supported"),
    ('{"type": "object", "properties": {"documents": {"type": "array", "items": {"type": "string"}}}}',
     'needs "items": {"oneOf"'),
])
def test_a_schema_staff_could_not_be_shown_is_not_saved(designer, database, text, message):
    response = designer.post_form(f"/designer/forms/{INTAKE}", {"schema": text, "action": "save"})
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    preview = designer.post_form("/designer/forms/preview", {"filename": INTAKE, "schema": text})
    assert preview.status_code == 422 and "could not be shown" in preview.get_data(as_text=True)
    assert database.scalars(select(FormDraft)).first() is None


def test_a_designer_starts_a_new_form(designer, client, database):
    response = client.get("/designer/forms/new?filename=market_stall_intake.schema.json")
    assert response.status_code == 302
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert '"type": "object"' in page
    schema = {"title": "Market stall intake", "type": "object",
              "properties": {"stall_number": {"type": "integer", "title": "Stall number"}}}
    saved = designer.post_form("/designer/forms/market_stall_intake.schema.json",
                               {"schema": json.dumps(schema), "action": "save"})
    assert saved.status_code == 302
    assert "market_stall_intake.schema.json" in designer_modeler_forms(client)
    assert client.get("/designer/forms/new?filename=../../etc/passwd").status_code == 422
    assert client.get("/designer/forms/new?filename=hand_over.schema.json").status_code == 409


def designer_modeler_forms(client) -> str:
    return client.get("/designer/procedures/commercial_licence/versions/1").get_data(as_text=True)
