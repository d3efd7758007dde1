"""A crash at any moment leaves every case in its old state or its new one, never between; no timer
fires twice and none is lost. Failures are injected after the engine has stepped and before the
commit, and a real sweeping process is killed half way through."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.exc import OperationalError

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.cases import work_items
from app.cases.models import Case, Timer, WorkItem
from app.cases.write_path import start_case
from app.processes.services import deploy
from app.timers.services import sweep

from office_data import APPLICATION, INTAKE
from support import TEST_DIAGRAMS

ROOT = Path(__file__).resolve().parent.parent


def snapshot(session, case_id: int):
    session.remove()
    case = session.get(Case, case_id)
    return (case.version, case.status, case.workflow_state, case.data,
            [(i.task, i.status, i.assignee_id) for i in case.work_items],
            sorted((t.element_id, t.fires_at) for t in session.scalars(select(Timer).where(Timer.case_id == case_id))),
            list(session.scalars(select(AuditEvent.kind).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id))))


def test_a_completion_that_fails_after_the_engine_step_leaves_the_case_as_it_was(app, committed, monkeypatch):
    with app.app_context():
        dara = committed.session.scalars(select(User).where(User.username == "dara")).one()
        case_id = start_case("commercial_licence", APPLICATION, dara, dara.office).id
        committed.session.commit()
        before = snapshot(committed.session, case_id)
        real_record = work_items.record

        def crash_after_the_engine_step(kind, *args, **kwargs):
            if kind == "work_item_completed":
                raise RuntimeError("power cut")
            return real_record(kind, *args, **kwargs)

        monkeypatch.setattr(work_items, "record", crash_after_the_engine_step)
        dara = committed.session.scalars(select(User).where(User.username == "dara")).one()
        item_id = committed.session.get(Case, case_id).open_items[0].id
        with pytest.raises(RuntimeError):
            work_items.complete(dara, item_id, INTAKE)
        committed.session.rollback()
        assert snapshot(committed.session, case_id) == before

        monkeypatch.setattr(work_items, "record", real_record)
        dara = committed.session.scalars(select(User).where(User.username == "dara")).one()
        work_items.complete(dara, item_id, INTAKE)
        committed.session.commit()
        after = snapshot(committed.session, case_id)
        assert [(task, status) for task, status, _ in after[4]] == [("check_documents", "completed"),
                                                                    ("technical_review", "open")]
        assert after[6].count("work_item_completed") == 1


def late_note(loops: int) -> bytes:
    """A review whose one-second deadline runs a script that takes a moment, then ends its path."""
    xml = (TEST_DIAGRAMS / "timed.bpmn").read_bytes().replace(b"EXPRESSION", b'"PT1S"')
    script = f"total = 0\nfor i in range({loops}):\n    total = total + i".encode()
    xml = xml.replace(b'<bpmn:flowNodeRef>late</bpmn:flowNodeRef>',
                      b'<bpmn:flowNodeRef>note_lateness</bpmn:flowNodeRef><bpmn:flowNodeRef>late</bpmn:flowNodeRef>')
    xml = xml.replace(b'<bpmn:endEvent id="late"><bpmn:incoming>flow_3</bpmn:incoming></bpmn:endEvent>',
                      b'<bpmn:scriptTask id="note_lateness" name="Note the lateness"><bpmn:incoming>flow_3'
                      b'</bpmn:incoming><bpmn:outgoing>flow_4</bpmn:outgoing><bpmn:script>' + script +
                      b'</bpmn:script></bpmn:scriptTask><bpmn:endEvent id="late"><bpmn:incoming>flow_4'
                      b'</bpmn:incoming></bpmn:endEvent>')
    xml = xml.replace(b'<bpmn:sequenceFlow id="flow_3" sourceRef="review_deadline" targetRef="late" />',
                      b'<bpmn:sequenceFlow id="flow_3" sourceRef="review_deadline" targetRef="note_lateness" />'
                      b'<bpmn:sequenceFlow id="flow_4" sourceRef="note_lateness" targetRef="late" />')
    return xml


def test_a_sweep_at_the_exact_commit_that_fails_fires_nothing_and_the_next_sweep_fires_once(app, committed):
    with app.app_context():
        deploy([("timed.bpmn", late_note(10))])
        dara = committed.session.scalars(select(User).where(User.username == "dara")).one()
        case_id = start_case("timed_review", {}, dara, dara.office).id
        committed.session.commit()
        time.sleep(1.1)
        before = snapshot(committed.session, case_id)

        def disk_gone(session):
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

        event.listen(committed.session, "before_commit", disk_gone)
        try:
            with pytest.raises(OperationalError):
                sweep()
        finally:
            event.remove(committed.session, "before_commit", disk_gone)
        committed.session.rollback()
        assert snapshot(committed.session, case_id) == before
        assert sweep().fired == 1
        committed.session.commit()
        assert snapshot(committed.session, case_id)[6].count("timer_fired") == 1
        assert sweep().fired == 0


def test_a_sweeper_killed_half_way_leaves_each_case_old_or_new_and_the_next_sweep_fires_the_rest(app, committed):
    cases = 10
    with app.app_context():
        deploy([("timed.bpmn", late_note(600_000))])
        dara = committed.session.scalars(select(User).where(User.username == "dara")).one()
        case_ids = [start_case("timed_review", {}, dara, dara.office).id for _ in range(cases)]
        committed.session.commit()
        url = app.config["SQLALCHEMY_DATABASE_URI"]
    time.sleep(1.1)
    environment = {**os.environ, "DATABASE_URL": url, "SCHEDULER_ENABLED": "0", "SECRET_KEY": "test"}
    sweeper = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "timers", "sweep"], cwd=ROOT,
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Watch with a plain reader (no write lock on SQLite), as an office's pages would.
    watcher = create_engine(url)
    fired_when_killed = 0
    count = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.case_id.in_(case_ids), AuditEvent.kind == "timer_fired")
    while sweeper.poll() is None:
        with watcher.connect() as connection:
            fired_when_killed = connection.scalar(count)
        if fired_when_killed >= 1:
            sweeper.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    watcher.dispose()
    with app.app_context():
        sweeper.wait()
        assert sweeper.returncode == -signal.SIGKILL and 1 <= fired_when_killed < cases

        for case_id in case_ids:
            version, status, _, data, _, timers, history = snapshot(committed.session, case_id)
            fired = history.count("timer_fired")
            assert (fired, "total" in data, [e for e, _ in timers]) in [
                (1, True, []), (0, False, ["review_deadline"])], f"case {case_id} is between states"
        already = sum(snapshot(committed.session, case_id)[6].count("timer_fired") for case_id in case_ids)
        committed.session.remove()
        assert sweep().fired == cases - already
        committed.session.commit()
        for case_id in case_ids:
            history = snapshot(committed.session, case_id)[6]
            assert history.count("timer_fired") == 1
        assert committed.session.scalar(select(func.count()).select_from(WorkItem).where(
            WorkItem.case_id.in_(case_ids), WorkItem.status == "open")) == cases
