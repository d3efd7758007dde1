"""A case keeps only its own task state; its procedure's spec is stored once. Nothing of a
case is lost on the way: every shipped procedure, played down each of its decisions, on time
and late, comes back from storage at every step exactly as the engine left it, and the one walk of its
task tree that the runtime reads finds what SpiffWorkflow's get_tasks finds."""
import json
import zlib
from datetime import timedelta
from pathlib import Path

import time_machine
import zstandard
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from flask import current_app
from sqlalchemy import text

from app.calendars.services import office_calendar, script_helpers
from app.catalogue.services import service_for_process
from app.cases.work_items import complete
from app.cases.write_path import start_case
from app.cases.state import load_workflow, procedure_of
from app.db import utcnow
from app.engine import CaseWorkflow, outline
from app.extensions import db
from app.processes.models import ProcessDefinition
from app.processes.services import latest_versions

from office_data import APPLICATION, INTAKE
from support import user
from test_engine_walk import walks_like_spiffworkflow

# SpiffWorkflow's own serializer, spec included: the yardstick for "nothing lost".
FULL = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
MAX_STEPS = 14


def everything(workflow: CaseWorkflow) -> dict:
    return FULL.to_dict(workflow._workflow)


def choices(spec: dict) -> list:
    """The codes a field offers: `oneOf` options (code and title) or a plain `enum`."""
    return [option["const"] for option in spec.get("oneOf", []) if "const" in option] or spec.get("enum", [])


def answer(schema: dict | None, choice: int) -> dict:
    """What an officer might enter: option `choice` of every choice, something in every field."""
    data = {}
    for name, spec in ((schema or {}).get("properties") or {}).items():
        if choices(spec):
            data[name] = choices(spec)[choice % len(choices(spec))]
        elif spec.get("type") == "array":
            data[name] = [choices(spec["items"])[0]]
        elif spec.get("type") == "boolean":
            data[name] = True
        elif spec.get("type") in ("integer", "number"):
            data[name] = max(spec.get("minimum", 1), 1)
        elif spec.get("format") == "date":
            data[name] = "2026-11-30"
        elif spec.get("format") == "email":
            data[name] = "applicant@example.org"
        else:
            data[name] = "Noted"
    return data


def options(definition: ProcessDefinition) -> int:
    return max((len(choices(spec)) for form in definition.forms.values() if form
                for spec in (form.get("properties") or {}).values() if choices(spec)), default=1)


def play(definition: ProcessDefinition, helpers, late: bool = False, turn_at: int = -1, option: int = 0) -> list:
    """Run the procedure step by step, taking the first option of every decision except at step
    `turn_at`; after each step the stored state must give back the same workflow, and the next
    step runs on the one read back, as the write path does."""
    procedure = procedure_of(definition)
    workflow = CaseWorkflow.create(procedure, answer(definition.form(definition.start_form), 0), helpers)
    workflow.start()
    steps, moment = [], utcnow()
    for _ in range(MAX_STEPS):
        workflow = round_trip(workflow, procedure, helpers, steps)
        if workflow.completed:
            break
        if late:  # every deadline runs out before the work is done
            moment += timedelta(days=40)
            with time_machine.travel(moment, tick=False):
                workflow.fire_due_timers()
            workflow = round_trip(workflow, procedure, helpers, steps + ["timers"])
        ready = workflow.ready_tasks()
        if not ready:
            break
        # On time: the main line. Late: the escalations to the chief and governor are worked too.
        for task_id in [task.task_id for task in (ready[::-1] if late else ready[:1])]:
            task = next((t for t in workflow.ready_tasks() if t.task_id == task_id), None)
            if task is not None:  # finishing one piece of work may have closed another
                workflow.complete(task_id, answer(definition.form(task.form), option if len(steps) == turn_at else 0))
                steps.append(task.element_id)
    assert everything(round_trip(workflow, procedure, helpers, steps)) == everything(workflow)
    return steps


def round_trip(workflow: CaseWorkflow, procedure, helpers, steps) -> CaseWorkflow:
    """Store and read back; the task state must be identical and the spec the shared one, the
    state what SpiffWorkflow's own serializer writes less the spec, and the workflow read back
    the one SpiffWorkflow would read."""
    state = workflow.to_state()
    spiffworkflows = json.loads(FULL.serialize_json(workflow._workflow))
    del spiffworkflows["spec"], spiffworkflows["subprocess_specs"]
    assert json.loads(state) == spiffworkflows, f"not SpiffWorkflow's state after {steps}"
    restored = CaseWorkflow.from_state(state, procedure, helpers)
    assert restored.to_state() == state, f"state lost after {steps}"
    assert everything(restored) == everything(workflow), f"workflow changed after {steps}"
    assert restored._workflow.spec is procedure.spec
    walks_like_spiffworkflow(workflow)
    walks_like_spiffworkflow(restored)
    return restored


def test_every_shipped_procedure_comes_back_from_storage_unchanged_at_every_step(database, kampong_siem):
    definitions = latest_versions()
    assert sorted(d.filename for d in definitions) == sorted(
        p.name for p in Path(current_app.config["BPMN_DIR"]).glob("*.bpmn"))
    for definition in definitions:
        service = service_for_process(definition.key)  # the catalogue entry its timers read
        helpers = script_helpers(office_calendar(kampong_siem), service.current.script_view() if service else None)
        main_line = play(definition, helpers)
        worked = set(main_line) | set(play(definition, helpers, late=True))
        for turn_at in range(len(main_line)):
            for option in range(1, options(definition)):
                worked |= set(play(definition, helpers, turn_at=turn_at, option=option))
        user_tasks = {task.id for task in outline(definition.bpmn_xml).user_tasks}
        assert user_tasks - worked == set(), definition.key


def test_a_case_stores_its_task_state_and_not_the_diagram(database, kampong_siem):
    case = start_case("commercial_licence", APPLICATION, user("dara"), kampong_siem)
    complete(user("dara"), case.open_items[0].id, INTAKE)
    state = json.loads(case.workflow_state)
    assert "spec" not in state and "subprocess_specs" not in state
    assert {"tasks", "subprocesses", "data"} <= set(state)
    spec = json.loads(case.definition.workflow_spec)
    assert spec["spec"]["name"] == "commercial_licence"
    workflow = load_workflow(case, script_helpers(office_calendar(kampong_siem), case.service_version.script_view()))
    assert [t.element_id for t in workflow.ready_tasks()] == ["technical_review"]


def test_on_sqlite_the_state_is_compressed_in_the_database(database, kampong_siem):
    case = start_case("commercial_licence", APPLICATION, user("dara"), kampong_siem)
    db.session.flush()
    raw = db.session.execute(text('SELECT workflow_state FROM "case" WHERE id = :id'), {"id": case.id}).scalar()
    if db.engine.dialect.name == "sqlite":
        assert raw[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame
        assert zstandard.ZstdDecompressor().decompress(raw).decode() == case.workflow_state
        assert len(raw) < len(case.workflow_state) / 3
    else:  # PostgreSQL compresses large values itself (TOAST)
        assert raw == case.workflow_state


def test_a_case_stored_zlib_compressed_by_an_earlier_version_goes_on_where_it_stood(database, kampong_siem):
    case = start_case("commercial_licence", APPLICATION, user("dara"), kampong_siem)
    db.session.commit()
    state, item_id = case.workflow_state, case.open_items[0].id
    if db.engine.dialect.name == "sqlite":  # as versions before zstd wrote it
        db.session.execute(text('UPDATE "case" SET workflow_state = :state WHERE id = :id'),
                           {"state": zlib.compress(state.encode(), 6), "id": case.id})
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(case), case.id).workflow_state == state
    case = complete(user("dara"), item_id, INTAKE)
    db.session.commit()
    assert [item.task for item in case.open_items] == ["technical_review"]
    raw = db.session.execute(text('SELECT workflow_state FROM "case" WHERE id = :id'), {"id": case.id}).scalar()
    if db.engine.dialect.name == "sqlite":  # its next step wrote it as this version does
        assert raw[:4] == b"\x28\xb5\x2f\xfd"


def test_the_loaded_spec_is_shared_by_every_case_of_a_version(database, kampong_siem):
    first = start_case("commercial_licence", APPLICATION, user("dara"), kampong_siem)
    second = start_case("commercial_licence", APPLICATION, user("dara"), kampong_siem)
    assert procedure_of(first.definition) is procedure_of(second.definition)
