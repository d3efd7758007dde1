"""A case's history cannot be rewritten quietly: every event is chained to the one before it,
and `flask audit verify` names each case whose history was changed or cut."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from app import create_app
from app.accounts.models import Office
from app.audit.models import AuditEvent, AuditHead
from app.cases import work_items
from app.extensions import db
from support import build_world, licence_in_review, local, open_item, user


def _events(case):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)))


def test_a_case_played_through_the_office_verifies(runner, database, kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 1, 9))
    assert runner.invoke(args=["audit", "verify"]).output == "every history verifies\n"
    events = _events(case)
    assert [e.kind for e in events] == ["case_started", "fee_paid", "work_item_completed"]
    assert database.get(AuditHead, case.id).hash == events[-1].hash


def test_an_event_edited_behind_the_applications_back_is_caught(runner, auth, database, kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 1, 9))
    edited = _events(case)[1]
    database.execute(text("UPDATE audit_event SET summary = 'Dara completed nothing' WHERE id = :id"),
                     {"id": edited.id})
    database.expire_all()

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert result.output == (f"case {case.number} (id {case.id}): an event was changed, or one before it was "
                             f"removed at event {edited.id}\n1 histories do not verify\n")
    auth.login("dara")
    page = auth.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "History does not verify: an event was changed, or one before it was removed" in page


def test_a_removed_event_and_a_cut_tail_are_named(runner, database, kampong_siem):
    middle = licence_in_review(kampong_siem, local(2026, 12, 1, 9))
    work_items.claim(user("sokha"), open_item(middle, "technical_review").id)
    tail = licence_in_review(kampong_siem, local(2026, 12, 1, 10))
    removed = _events(middle)[1]
    last = _events(tail)[-1]
    database.execute(text("DELETE FROM audit_event WHERE id IN (:a, :b)"), {"a": removed.id, "b": last.id})
    database.expire_all()

    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"case {middle.number} (id {middle.id}): an event was changed, or one before it was removed at event "
        f"{_events(middle)[1].id}",
        f"case {tail.number} (id {tail.id}): its latest events were removed",
        "2 histories do not verify"]


def test_the_case_page_says_its_history_is_verified(auth, database, kampong_siem):
    case = licence_in_review(kampong_siem, local(2026, 12, 1, 9))
    auth.login("dara")
    page = auth.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "History verified: no event was changed or removed." in page


def test_the_upgrade_chains_the_history_recorded_before_it_exactly_as_it_is_chained_now(empty_database):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database, "SCHEDULER_ENABLED": False,
                      "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        build_world()
        kps = db.session.scalars(select(Office).where(Office.code == "KPS")).one()
        case = licence_in_review(kps, local(2026, 12, 1, 9))
        case_id = case.id
        db.session.commit()
        chained_live = [(e.id, e.hash) for e in _events(case)]
        db.session.remove()

        downgrade(revision="7c1d4e9a2b60-1")  # to just before the chain
        upgrade()

        assert [(e.id, e.hash) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id))] == chained_live
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.output == "every history verifies\n"
        db.session.remove()
        db.engine.dispose()
