"""Two officers complete the same work at once: one wins, the other is told, the case stays whole."""
from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.administration.services import create_user
from app.cases import work_items
from app.cases.write_path import start_case
from app.cases.models import WorkItem
from app.errors import Conflict

from support import PASSWORD
from office_data import APPLICATION, INTAKE
from test_licensing_cases import start_licence


def test_completing_with_a_stale_view_of_the_case_is_a_conflict(api, database):
    started = start_licence(api)
    case = api.get(f"/api/v1/cases/{started['id']}").get_json()
    item_id = case["work_items"][0]["id"]
    first = api.post(f"/api/v1/work-items/{item_id}/complete",
                     json={"data": INTAKE, "case_version": case["case_version"]})
    assert first.status_code == 200
    second = api.post(f"/api/v1/work-items/{item_id}/complete",
                      json={"data": INTAKE, "case_version": case["case_version"]})
    assert second.status_code == 409
    after = api.get(f"/api/v1/cases/{started['id']}").get_json()
    assert [i["task"] for i in after["work_items"]] == ["technical_review"]
    assert [e["kind"] for e in after["history"]].count("work_item_completed") == 1


def test_a_claimed_item_cannot_be_taken_or_completed_by_a_colleague(api, database):
    create_user("kanha", PASSWORD, ["front_office"], "KPS")
    started = start_licence(api)
    item_id = api.get(f"/api/v1/cases/{started['id']}").get_json()["work_items"][0]["id"]
    assert api.post(f"/api/v1/work-items/{item_id}/claim").status_code == 200
    assert api.as_user("kanha").post(f"/api/v1/work-items/{item_id}/claim").status_code == 409
    assert api.post(f"/api/v1/work-items/{item_id}/complete", json={"data": INTAKE}).status_code == 409
    assert api.as_user("dara").post(f"/api/v1/work-items/{item_id}/release").status_code == 200
    assert api.as_user("kanha").post(f"/api/v1/work-items/{item_id}/claim").get_json()["assignee"] == "kanha"


def test_the_loser_of_a_simultaneous_completion_writes_nothing(app, database):
    """Both requests read the case before either writes: the version check stops the second."""
    dara = database.scalars(select(User).where(User.username == "dara")).one()
    case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    database.commit()
    item = case.open_items[0]
    # The first officer's write lands after the second officer loaded the case.
    stale_version = case.version
    work_items.complete(dara, item.id, INTAKE)
    database.commit()
    database.expire_all()
    try:
        work_items.complete(dara, item.id, INTAKE, seen_version=stale_version)
    except Conflict as conflict:
        assert "already completed" in conflict.message or "changed" in conflict.message
    else:
        raise AssertionError("the second completion should have been refused")
    statuses = database.scalars(select(WorkItem.status).where(WorkItem.case_id == case.id)
                                .order_by(WorkItem.id)).all()
    assert statuses == ["completed", "open"]


def test_two_officers_pressing_complete_at_the_same_moment(app, committed):
    """Real threads, real connections: exactly one completion lands, the other gets 409."""
    import threading

    with app.app_context():
        dara = committed.session.scalars(select(User).where(User.username == "dara")).one()
        case = start_case("commercial_licence", APPLICATION, dara, dara.office)
        committed.session.commit()
        case_id, item_id = case.id, case.open_items[0].id
        committed.session.remove()

    tokens = []
    for _ in range(2):
        response = app.test_client().post("/api/v1/token", json={"username": "dara", "password": PASSWORD})
        tokens.append(response.get_json()["token"])
    start = threading.Barrier(2)
    outcomes = []

    def press_complete(token):
        client = app.test_client()
        start.wait()
        response = client.post(f"/api/v1/work-items/{item_id}/complete", json={"data": INTAKE},
                               headers={"Authorization": f"Bearer {token}"})
        outcomes.append(response.status_code)

    threads = [threading.Thread(target=press_complete, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [200, 409]

    with app.app_context():
        items = committed.session.scalars(select(WorkItem).where(WorkItem.case_id == case_id)
                                          .order_by(WorkItem.id)).all()
        assert [(i.task, i.status) for i in items] == [("check_documents", "completed"),
                                                      ("technical_review", "open")]
        completions = committed.session.scalar(
            select(func.count()).select_from(AuditEvent).where(
                AuditEvent.case_id == case_id, AuditEvent.kind == "work_item_completed"))
        assert completions == 1
