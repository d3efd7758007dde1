"""Designer scripts run in a sandbox: a script that reaches for the operating system
stops its case with a clear error, and nothing outside the database is touched."""
import pytest

from sqlalchemy import select

from app.accounts.models import User
from app.cases import work_items
from app.cases.write_path import start_case
from app.cases.presenters import case_dict
from app.engine import (CaseWorkflow, EngineError, ScriptHelpers, SpecSources, check_script, parse_diagram, procedure,
                        serialize_specs)
from app.errors import Rejected
from app.processes.services import Checked, _store, deploy

from support import TEST_DIAGRAMS

HELPERS = ScriptHelpers(working_days=lambda n: f"PT{n * 86400}S", today=lambda: "2026-11-23")


def scripted(script: str) -> bytes:
    return (TEST_DIAGRAMS / "scripted.bpmn").read_bytes().replace(b"SCRIPT", script.encode())


def run_to_script(script: str) -> CaseWorkflow:
    specs = procedure(f"scripted:{script}", lambda: serialize_specs(SpecSources("scripted.bpmn", scripted(script))))
    workflow = CaseWorkflow.create(specs, {}, HELPERS)
    workflow.start()
    task = workflow.ready_tasks()[0]
    workflow.complete(task.task_id, {"floor_area": 120})
    return workflow


def test_a_plain_script_computes_the_fee_from_case_data():
    workflow = run_to_script("fee_riel = floor_area * 1000")
    assert workflow.data()["fee_riel"] == 120000
    assert [t.element_id for t in workflow.ready_tasks()] == ["hand_over"]


@pytest.mark.parametrize("script, reason", [
    ("os = __import__('os')", "starts with \"_\""),
    ("text = open('/etc/passwd').read()", "open"),
    ("import os", "__import__"),
    ("cls = floor_area.__class__", "starts with \"_\""),
])
def test_a_script_reaching_outside_the_sandbox_fails(script, reason):
    with pytest.raises(EngineError) as failure:
        run_to_script(script)
    assert reason in str(failure.value)
    assert failure.value.element_id == "compute_fee"


def test_the_lint_refuses_imports_and_open_before_deployment(database):
    assert "imports are not allowed" in check_script("import os")
    assert "open() is not available" in check_script("data = open('/etc/passwd').read()")
    assert "_" in check_script("x = __import__('os')")
    with pytest.raises(Rejected) as refused:
        deploy([("scripted.bpmn", scripted("import os"))])
    assert refused.value.details[0]["element_id"] == "compute_fee"


def _store_without_lint(xml: bytes):
    """A diagram that reached the database without the deploy-time lint (e.g. restored from a backup)."""
    return _store("scripted.bpmn", xml, Checked(parse_diagram(xml, "scripted.bpmn"), {}, []), None).definition


def test_a_case_whose_script_opens_a_file_stops_with_the_error_recorded(database, tmp_path):
    target = tmp_path / "written-by-script.txt"
    _store_without_lint(scripted(f"f = open({str(target)!r}, 'w')"))
    dara = database.scalars(select(User).where(User.username == "dara")).one()
    case = start_case("scripted_fee", {}, dara, dara.office)
    item = case.open_items[0]
    case = work_items.complete(dara, item.id, {"floor_area": 80})
    assert case.status == "error"
    assert "open" in case.error
    assert not target.exists()
    assert case.open_items == []
    assert "case_failed" in [event["kind"] for event in case_dict(case)["history"]]
