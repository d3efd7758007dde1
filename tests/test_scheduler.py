"""The sweep runs by itself: once per process under `flask run`, every interval, and on
PostgreSQL several sweepers at once never fire a timer twice."""
import os
import threading
import time

import click
import pytest
import time_machine
from sqlalchemy import func, select

from app.accounts.models import Office, User
from app.audit.models import AuditEvent
from app.cases import work_items
from app.cases.write_path import start_case
from app.cases.models import WorkItem
from app.timers.scheduler import serving_with_flask_run, start_scheduler
from app.timers.services import sweep

from office_data import APPLICATION, INTAKE
from support import local


def in_command(name):
    return click.Context(click.Command(name), info_name=name)


def test_the_scheduler_starts_only_in_the_process_that_serves(app, monkeypatch):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    with in_command("upgrade"):
        assert not serving_with_flask_run(app)
    with in_command("run"):
        assert serving_with_flask_run(app)
        monkeypatch.setattr(app, "debug", True)
        assert not serving_with_flask_run(app)  # the reloader's watcher process
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
        assert serving_with_flask_run(app)  # the reloader's serving child
    assert not serving_with_flask_run(app)  # gunicorn, tests, scripts: run `flask scheduler run` instead


def _cases_in_review(db, count, at):
    with time_machine.travel(at, tick=False):
        dara = db.session.scalars(select(User).where(User.username == "dara")).one()
        office = db.session.scalars(select(Office).where(Office.code == "KPS")).one()
        ids = []
        for _ in range(count):
            case = start_case("commercial_licence", APPLICATION, dara, office)
            work_items.complete(dara, case.open_items[0].id, INTAKE)
            db.session.commit()
            ids.append(case.id)
    return ids


def test_the_background_sweep_fires_a_due_timer_within_an_interval(app, committed):
    with app.app_context():
        [case_id] = _cases_in_review(committed, 1, local(2026, 12, 7, 9, 0))
    app.config["SWEEP_INTERVAL_SECONDS"] = 0.2
    with time_machine.travel(local(2026, 12, 16, 9, 0), tick=True):
        scheduler = start_scheduler(app)
        _wait_for_the_sweep(app, committed, case_id, scheduler)


def _wait_for_the_sweep(app, committed, case_id, scheduler):
    try:
        deadline = time.monotonic() + 20
        with app.app_context():
            while time.monotonic() < deadline:
                fired = committed.session.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.case_id == case_id, AuditEvent.kind == "timer_fired"))
                committed.session.rollback()
                if fired:
                    break
                time.sleep(0.1)
            assert fired == 1
    finally:
        scheduler.shutdown()
        app.config["SWEEP_INTERVAL_SECONDS"] = 15


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="row locks need PostgreSQL")
def test_three_sweepers_at_once_fire_every_timer_exactly_once(app, committed):
    with app.app_context():
        case_ids = _cases_in_review(committed, 24, local(2026, 12, 7, 9, 0))
    results, start = [], threading.Barrier(3)

    def sweeper():
        with app.app_context():
            start.wait()
            results.append(sweep().fired)

    with time_machine.travel(local(2027, 1, 11, 8, 0), tick=True):
        threads = [threading.Thread(target=sweeper) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert sum(results) == 48  # a deadline and a governor timer per case
    with app.app_context():
        per_case = dict(committed.session.execute(
            select(AuditEvent.case_id, func.count()).where(AuditEvent.case_id.in_(case_ids),
                                                           AuditEvent.kind == "timer_fired")
            .group_by(AuditEvent.case_id)).all())
        assert per_case == {case_id: 1 for case_id in case_ids}
        escalations = committed.session.scalar(select(func.count()).select_from(WorkItem).where(
            WorkItem.case_id.in_(case_ids), WorkItem.escalation_level.is_not(None)))
        assert escalations == 48
