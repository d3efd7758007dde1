"""A designer's script can be wrong, slow or greedy: it is stopped inside its CPU and memory budget, the
case becomes an incident naming the step, and the office's server goes on answering everyone else."""
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.cases import work_items
from app.cases.write_path import start_case
from app.engine import configure_sandbox
from app.errors import Rejected
from app.processes.services import deploy

from support import TEST_DIAGRAMS, PASSWORD


@pytest.fixture
def tight_budget(app):
    """Half a second of CPU and 64 MB per script call, so the stories run fast."""
    configure_sandbox(0.5, 64)
    yield
    configure_sandbox(app.config["SCRIPT_CPU_SECONDS"], app.config["SCRIPT_MEMORY_MB"])


def scripted(script: str) -> bytes:
    return (TEST_DIAGRAMS / "scripted.bpmn").read_bytes().replace(b"SCRIPT", script.encode())


def timed(expression: str) -> bytes:
    return (TEST_DIAGRAMS / "timed.bpmn").read_bytes().replace(b"EXPRESSION", expression.encode())


def run_fee_script(session, script: str):
    deploy([("scripted.bpmn", scripted(script))])
    dara = session.scalars(select(User).where(User.username == "dara")).one()
    case = start_case("scripted_fee", {}, dara, dara.office)
    return work_items.complete(dara, case.open_items[0].id, {"floor_area": 120})


def test_a_script_that_never_ends_is_stopped_at_its_cpu_budget(database, tight_budget):
    case = run_fee_script(database, "while True:\n    pass")
    assert case.status == "error" and case.error_element == "compute_fee"
    assert case.error == ("Script 'Compute the fee' (compute_fee) failed: the script ran past its CPU budget "
                          "of 0.5 s and was stopped")


def test_a_script_that_catches_everything_is_stopped_all_the_same(database, tight_budget):
    case = run_fee_script(database, "while True:\n    try:\n        pass\n    except BaseException:\n        pass")
    assert case.error.endswith("the script ran past its CPU budget of 0.5 s and was stopped")


def test_a_script_asking_for_a_gigabyte_is_stopped_at_its_memory_budget_and_gives_it_back(database, tight_budget):
    case = run_fee_script(database, "text = 'x' * 10**9")
    assert case.status == "error" and case.error_element == "compute_fee"
    assert case.error == ("Script 'Compute the fee' (compute_fee) failed: the script needed more than its "
                          "memory budget of 64 MB and was stopped")
    # The worker that ran out was ended; none of the workers left holds the memory.
    assert all(resident_mb(pid) < 64 for pid in sandbox_workers())


@pytest.mark.parametrize("script, message", [
    ("raise SystemExit", "the script raised SystemExit"),
    ("raise KeyboardInterrupt", "the script raised KeyboardInterrupt"),
    ("raise GeneratorExit('done')", "GeneratorExit: done"),
    ("x = 1 / 0", "ZeroDivisionError: division by zero"),
])
def test_exits_and_interrupts_from_a_script_are_ordinary_script_errors(database, script, message):
    case = run_fee_script(database, script)
    assert case.status == "error"
    assert case.error == f"Script 'Compute the fee' (compute_fee) failed: {message}"


def test_the_server_answers_other_requests_while_a_script_spins(app, committed, tight_budget):
    from app.accounts.services import issue_token
    with app.app_context():
        run_fee_case = committed.session
        deploy([("scripted.bpmn", scripted("while True:\n    pass"))])
        dara = run_fee_case.scalars(select(User).where(User.username == "dara")).one()
        case = start_case("scripted_fee", {}, dara, dara.office)
        token = issue_token(dara)
        run_fee_case.commit()
        case_id, item_id = case.id, case.open_items[0].id
    headers = {"Authorization": f"Bearer {token}"}
    answers = {}

    def spin():
        answers["spin"] = app.test_client().post(f"/api/v1/work-items/{item_id}/complete",
                                                 json={"data": {"floor_area": 120}}, headers=headers).status_code

    spinner = threading.Thread(target=spin)
    spinner.start()
    wait_for_a_busy_worker(spinner)
    inbox = app.test_client().get("/api/v1/inbox", headers=headers)
    case_page = app.test_client().get(f"/api/v1/cases/{case_id}", headers=headers)
    still_spinning = spinner.is_alive()
    spinner.join(timeout=120)
    assert (inbox.status_code, case_page.status_code, still_spinning) == (200, 200, True)
    assert answers["spin"] == 200


def test_an_absurd_working_days_is_refused_at_deploy(database):
    for expression, message in [
        ("working_days(10**10**10)", "working_days counts days with numbers, case fields and + - * // only, "
                                     "not 10**10**10"),
        ("working_days(100000)", "working_days(100000) is too far away: a timer counts at most 2500 working days"),
    ]:
        with pytest.raises(Rejected) as refused:
            deploy([("timed.bpmn", timed(expression))])
        assert refused.value.details[0]["element_id"] == "review_deadline"
        assert refused.value.details[0]["message"] == f"Timer 'review_deadline': {message}"


def test_a_deadline_counted_from_an_absurd_case_field_stops_the_case_with_a_clear_error(database):
    deploy([("timed.bpmn", timed("working_days(days)"))])
    dara = database.scalars(select(User).where(User.username == "dara")).one()
    case = start_case("timed_review", {"days": 10**6}, dara, dara.office)
    assert case.status == "error" and case.error_element == "review_deadline"
    assert "working_days(): a timer counts at most 2500 working days; this one asked for more" in case.error


def sandbox_workers() -> list[int]:
    """The sandbox worker processes this test process started."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid() and b"sandbox_worker.py" in cmdline:
                pids.append(int(entry.name))
    return pids


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_for_a_busy_worker(thread) -> None:
    """Until one of our workers is running (not waiting on its pipe) or the thread is done."""
    while thread.is_alive():
        for pid in sandbox_workers():
            try:
                if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "R":
                    return
            except OSError:
                continue
        time.sleep(0.01)
