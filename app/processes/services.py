"""Deploying diagrams: validate everything a deployment depends on, then store a new version."""
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from jsonschema import Draft202012Validator, SchemaError
from sqlalchemy import func, select

from ..audit.services import record
from ..engine import (DiagramError, Problem, check_script, lanes, parse_diagram, timer_problem, unreachable_elements,
                      untimed_user_tasks)
from ..errors import NotFound, Rejected, TooLarge
from ..extensions import db
from ..permissions import WORKFLOW_ROLES, Jurisdiction
from .models import FormDraft, ProcessDefinition

FIELD_TYPES = ("string", "integer", "number", "boolean", "array")  # what forms/rendering.py can draw


@dataclass
class Deployment:
    definition: ProcessDefinition
    created: bool


def load_forms_dir() -> dict[str, bytes]:
    forms_dir = Path(current_app.config["FORMS_DIR"])
    return {path.name: path.read_bytes() for path in sorted(forms_dir.glob("*.json"))}


def form_library() -> dict[str, bytes]:
    """The forms a deployment may use: the files in forms/, overridden by forms edited in the browser."""
    forms = load_forms_dir()
    for draft in db.session.scalars(select(FormDraft)):
        forms[draft.filename] = json.dumps(draft.schema, ensure_ascii=False).encode()
    return forms


def read_form(name: str, raw: bytes) -> tuple[dict | None, str | None]:
    """The form's schema, or why staff could not be shown it."""
    try:
        schema = json.loads(raw)
    except ValueError as exc:
        return None, f"form {name} is not valid JSON: {exc}"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return None, f"form {name} is not a valid JSON Schema: {exc.message}"
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return None, f"form {name} must describe an object (\"type\": \"object\")"
    for field, spec in schema.get("properties", {}).items():
        error = _field_shape_problem(spec)
        if error:
            return None, f"form {name}, field '{field}': {error}"
    return schema, None


def _field_shape_problem(spec) -> str | None:
    """Why a property cannot be drawn as one of the HTML fields of forms/rendering.py, or None."""
    if not isinstance(spec, dict) or spec.get("type") not in FIELD_TYPES:
        return f"each field needs a \"type\" of {', '.join(FIELD_TYPES)} (nested objects are not supported)"
    if spec["type"] == "array":
        items = spec.get("items")
        if not isinstance(items, dict) or not isinstance(items.get("enum"), list) or not items["enum"]:
            return "a list field is shown as checkboxes, so it needs \"items\": {\"enum\": [...choices]}"
    return None


def check_diagram(xml: bytes, filename: str, form_files: dict[str, bytes]):
    """The diagram's summary and forms (None, {} when unreadable) and its problems: errors block a
    deployment, warnings do not."""
    try:
        diagram = parse_diagram(xml, filename)
    except DiagramError as exc:
        if exc.too_large:
            raise TooLarge(exc.problems[0].message, [p.as_dict() for p in exc.problems])
        return None, {}, exc.problems
    problems = lint(diagram, form_files)
    forms = {}
    for name in {t.form for t in diagram.user_tasks if t.form} | ({diagram.start_form} - {None}):
        if name in form_files:
            schema, _ = read_form(name, form_files[name])
            forms[name] = schema
    return diagram, forms, problems


def lint(diagram, form_files: dict[str, bytes]) -> list[Problem]:
    """One Window's own rules on top of the BPMN schema and the engine's parser."""
    problems = []
    jurisdiction = diagram.properties.get("jurisdiction")
    if jurisdiction is not None and jurisdiction not in set(Jurisdiction):
        problems.append(Problem(f"The process property jurisdiction is '{jurisdiction}'; use one of "
                                f"{', '.join(Jurisdiction)} (or leave it out: the OWSO's).", diagram.process_id))
    for lane in lanes(diagram):
        if lane.name not in WORKFLOW_ROLES:
            problems.append(Problem(f"Lane '{lane.name}' is not a role; use one of {', '.join(WORKFLOW_ROLES)}.",
                                    lane.id, lane.line))
    for element in unreachable_elements(diagram):
        problems.append(Problem(f"'{element.name or element.id}' can never be reached: no sequence flow leads "
                                "to it from a start event.", element.id, element.line))
    forms_to_check = {diagram.start_form: diagram.process_id} if diagram.start_form else {}
    for task in diagram.user_tasks:
        if task.lane is None:
            problems.append(Problem(f"User task '{task.name}' is in no lane; put it in the lane of the role "
                                    "that does the work.", task.id, task.line))
        if task.form:
            forms_to_check.setdefault(task.form, task.id)
    for task in untimed_user_tasks(diagram):
        problems.append(Problem(f"User task '{task.name or task.id}' has no service-standard timer; attach a "
                                "non-interrupting timer (e.g. working_days(5)) to it or to a subprocess around it.",
                                task.id, task.line, severity="warning"))
    for name, element_id in forms_to_check.items():
        if name not in form_files:
            problems.append(Problem(f"Form file '{name}' does not exist (neither in forms/ nor edited in the "
                                    "browser).", element_id))
            continue
        _, error = read_form(name, form_files[name])
        if error:
            problems.append(Problem(error, element_id))
    for timer in diagram.timers:
        error = timer_problem(timer.expression)
        if error:
            problems.append(Problem(f"Timer '{timer.id}': {error}", timer.id, timer.line))
    for element_id, source, line in diagram.scripts:
        error = check_script(source, "exec")
        if error:
            problems.append(Problem(f"Script in '{element_id}' is refused: {error}", element_id, line))
    for element_id, source, line in diagram.conditions:
        error = check_script(source, "eval")
        if error:
            problems.append(Problem(f"Condition on '{element_id}' is refused: {error}", element_id, line))
    return problems


def latest_versions() -> list[ProcessDefinition]:
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.key).subquery())
    query = (select(ProcessDefinition)
             .join(newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version))
             .order_by(ProcessDefinition.name))
    return list(db.session.scalars(query))


def latest_version(key: str) -> ProcessDefinition:
    definition = db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                    .order_by(ProcessDefinition.version.desc()).limit(1)).first()
    if definition is None:
        raise NotFound(f"There is no procedure '{key}'. Deployed procedures: "
                       f"{', '.join(d.key for d in latest_versions()) or 'none'}.")
    return definition


def deploy(files: list[tuple[str, bytes]], actor=None, form_files: dict[str, bytes] | None = None) -> list[Deployment]:
    """Validate every file first; deploy all of them or none. Unchanged diagrams keep their version."""
    form_files = form_library() if form_files is None else form_files
    checked, problems = [], []
    for filename, xml in files:
        diagram, forms, found = check_diagram(xml, filename, form_files)
        blocking = [p for p in found if p.severity == "error"]
        problems.extend({**p.as_dict(), "file": filename} for p in blocking)
        checked.append((filename, xml, diagram, forms))
    keys = [d.process_id for _, _, d, _ in checked if d is not None]
    for key in {k for k in keys if keys.count(k) > 1}:
        problems.append({"message": f"Two files define the procedure '{key}'.", "element_id": key,
                         "line": None, "severity": "error", "file": None})
    if problems:
        raise Rejected(f"Nothing was deployed: {len(problems)} problem(s) to fix first.", problems)
    return [_store(filename, xml, diagram, forms, actor) for filename, xml, diagram, forms in checked]


def _store(filename, xml, diagram, forms, actor) -> Deployment:
    sha = hashlib.sha256(xml).hexdigest()
    current = db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == diagram.process_id)
                                 .order_by(ProcessDefinition.version.desc()).limit(1)).first()
    if current is not None and current.sha256 == sha and current.forms == forms:
        return Deployment(current, created=False)
    definition = ProcessDefinition(
        key=diagram.process_id, version=(current.version + 1) if current else 1, name=diagram.name,
        filename=Path(filename).name, bpmn_xml=xml, sha256=sha, forms=forms, properties=diagram.properties,
        start_form=diagram.start_form, deployed_by_id=actor.id if actor else None)
    db.session.add(definition)
    db.session.flush()
    record("process_deployed", f"Deployed {definition.name} version {definition.version}", actor=actor,
           key=definition.key, version=definition.version, sha256=sha)
    return Deployment(definition, created=True)


def deploy_directory(actor=None) -> list[Deployment]:
    bpmn_dir = Path(current_app.config["BPMN_DIR"])
    return deploy([(p.name, p.read_bytes()) for p in sorted(bpmn_dir.glob("*.bpmn"))], actor)
