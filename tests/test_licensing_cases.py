"""A commercial licence travels through the office: the front office registers it, the
back office reviews it, the chief signs, the front office hands it over."""
import re

from app.db import utcnow
from office_data import APPLICATION, HAND_OVER, INTAKE, REVIEW_APPROVE, REVIEW_SEND_BACK, SIGN


def inbox_of(api, username):
    return api.as_user(username).get("/api/v1/inbox").get_json()


def work(api, username, task, data, case_id=None):
    items = [i for i in inbox_of(api, username) if i["task"] == task and (case_id is None or i["case_id"] == case_id)]
    assert items, f"{username} has no '{task}' work"
    response = api.post(f"/api/v1/work-items/{items[0]['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def start_licence(api, username="dara", data=APPLICATION):
    response = api.as_user(username).post("/api/v1/cases", json={"process": "commercial_licence", "data": data})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_licence_is_registered_reviewed_signed_and_handed_over(api):
    started = start_licence(api)
    assert re.fullmatch(rf"KPS-{utcnow().year}-\d{{5}}", started["number"])
    assert started["status"] == "running"

    first = inbox_of(api, "dara")
    mine = [i for i in first if i["case_id"] == started["id"]]
    assert [i["task"] for i in mine] == ["check_documents"]
    # The counter sees the first step in the answer to the start, as the inbox shows it.
    assert started["work_items"] == mine
    assert mine[0]["role"] == "front_office" and mine[0]["due_at"] and mine[0]["overdue"] is False

    work(api, "dara", "check_documents", INTAKE, started["id"])
    assert [i["task"] for i in inbox_of(api, "sokha") if i["case_id"] == started["id"]] == ["technical_review"]
    work(api, "sokha", "technical_review", REVIEW_APPROVE, started["id"])
    work(api, "vanna", "sign_licence", SIGN, started["id"])
    case = work(api, "dara", "hand_over", HAND_OVER, started["id"])

    assert case["status"] == "completed"
    assert case["work_items"] == []
    assert case["data"]["licence_number"] == "KPS-CL-2026-001"
    kinds = [event["kind"] for event in case["history"]]
    assert kinds[0] == "case_started" and kinds[-2:] == ["work_item_completed", "case_completed"]
    assert kinds.count("work_item_completed") == 4
    completion = next(e for e in case["history"] if e["kind"] == "work_item_completed")
    assert completion["actor"] == "dara" and re.fullmatch(
        r"KPS-R-\d{4}-\d{6}", completion["data"]["after"]["fee_receipt_number"])


def test_case_numbers_follow_office_year_sequence(api):
    first, second = start_licence(api), start_licence(api)
    office, year, sequence = first["number"].split("-")
    assert office == "KPS" and len(year) == 4
    assert second["number"] == f"KPS-{year}-{int(sequence) + 1:05d}"
    other_office = start_licence(api, "bopha")
    assert other_office["number"].startswith("SRK-")


def test_work_appears_only_for_the_right_role_and_office(api):
    started = start_licence(api)
    assert any(i["case_id"] == started["id"] for i in inbox_of(api, "dara"))
    assert not any(i["case_id"] == started["id"] for i in inbox_of(api, "sokha"))  # not yet back office's
    assert not any(i["case_id"] == started["id"] for i in inbox_of(api, "bopha"))  # another office


def test_the_inbox_is_sorted_by_deadline(api):
    start_licence(api)
    start_licence(api)
    due = [i["due_at"] for i in inbox_of(api, "dara") if i["due_at"]]
    assert due == sorted(due)


def test_send_back_waits_on_the_applicant_then_returns_to_review(api):
    started = start_licence(api)
    work(api, "dara", "check_documents", INTAKE, started["id"])
    work(api, "sokha", "technical_review", REVIEW_SEND_BACK, started["id"])
    corrections = [i for i in inbox_of(api, "dara") if i["case_id"] == started["id"]]
    assert [i["task"] for i in corrections] == ["applicant_corrections"]
    case = api.get(f"/api/v1/cases/{started['id']}").get_json()
    assert case["clock_stopped_since"] is not None
