"""The API's description is kept in step with its routes, and an API client can build a form from it."""
import re

from app.api.openapi import document
from office_data import APPLICATION
from test_licensing_cases import start_licence

METHODS = {"get", "post", "put", "patch", "delete"}


def routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            found |= {(method.lower(), path) for method in rule.methods if method.lower() in METHODS}
    return found


def documented() -> set[tuple[str, str]]:
    return {(method, path) for path, entry in document()["paths"].items() for method in entry if method in METHODS}


def test_every_api_route_is_described_and_every_description_is_a_route(app):
    assert sorted(routes(app) - documented()) == [], "routes without an entry in app/api/openapi.py"
    assert sorted(documented() - routes(app)) == [], "entries in app/api/openapi.py without a route"


def test_the_description_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body = response.get_json()
    assert body["openapi"] == "3.1.0"
    assert "/api/v1/work-items/{item_id}/complete" in body["paths"]


def test_a_work_item_comes_with_the_form_to_fill_in(api):
    started = start_licence(api, data=APPLICATION)
    item = next(i for i in api.get("/api/v1/inbox").get_json() if i["case_id"] == started["id"])
    response = api.get(f"/api/v1/work-items/{item['id']}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["task"] == "check_documents" and body["case_number"] == started["number"]
    assert body["form_schema"]["title"] == "Check documents and take the official fee"
    assert "fee_paid_riel" in body["form_schema"]["properties"]


def test_another_offices_work_item_is_not_shown(api):
    started = start_licence(api, data=APPLICATION)
    item = next(i for i in api.get("/api/v1/inbox").get_json() if i["case_id"] == started["id"])
    assert api.as_user("bopha").get(f"/api/v1/work-items/{item['id']}").status_code == 404
