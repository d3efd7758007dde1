"""Licences taken through the office to the chief's signature, through the real API."""
from office_data import APPLICATION, INTAKE, REVIEW_APPROVE, SIGN


def inbox_of(api, username):
    return api.as_user(username).get("/api/v1/inbox").get_json()


def work(api, username, task, data, case_id):
    items = [i for i in inbox_of(api, username) if i["task"] == task and i["case_id"] == case_id]
    assert items, f"{username} has no '{task}' work on case {case_id}"
    response = api.post(f"/api/v1/work-items/{items[0]['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def licence_at_signature(api, application=APPLICATION) -> int:
    started = api.as_user("dara").post("/api/v1/cases", json={"process": "commercial_licence", "data": application})
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["id"]
    work(api, "dara", "check_documents", INTAKE, case_id)
    work(api, "sokha", "technical_review", REVIEW_APPROVE, case_id)
    return case_id


def signed_licence(api, application=APPLICATION, signature=SIGN) -> dict:
    """The case as the API shows it right after the chief signed."""
    case_id = licence_at_signature(api, application)
    return work(api, "vanna", "sign_licence", signature, case_id) | {"id": case_id}


def certificate_of(api, case_id) -> dict | None:
    return api.as_user("vanna").get(f"/api/v1/cases/{case_id}").get_json()["certificate"]
