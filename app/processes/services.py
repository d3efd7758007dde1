"""Deploying diagrams: validate everything a deployment depends on, then store a new version."""
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from jsonschema import Draft202012Validator, SchemaError
from sqlalchemy import func, select

from ..accounts.models import ROLES
from ..audit.services import record
from ..engine import DiagramError, Problem, check_script, parse_diagram, timer_problem
from ..errors import NotFound, Rejected, TooLarge
from ..extensions import db
from .models import ProcessDefinition

WORKFLOW_ROLES = ["front_office", "back_office", "owso_chief", "district_governor", "ombudsman"]


@dataclass
class Deployment:
    definition: ProcessDefinition
    created: bool


def load_forms_dir() -> dict[str, bytes]:
    forms_dir = Path(current_app.config["FORMS_DIR"])
    return {path.name: path.read_bytes() for path in sorted(forms_dir.glob("*.json"))}


def _read_form(name: str, raw: bytes) -> tuple[dict | None, str | None]:
    try:
        schema = json.loads(raw)
    except ValueError as exc:
        return None, f"form {name} is not valid JSON: {exc}"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return None, f"form {name} is not a valid JSON Schema: {exc.message}"
    if schema.get("type") != "object":
        return None, f"form {name} must describe an object (\"type\": \"object\")"
    return schema, None


def check_diagram(xml: bytes, filename: str, form_files: dict[str, bytes]):
    """Every blocking problem of a diagram, or its summary and forms when it can be deployed."""
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
            schema, _ = _read_form(name, form_files[name])
            forms[name] = schema
    return diagram, forms, problems


def lint(diagram, form_files: dict[str, bytes]) -> list[Problem]:
    """One Window's own rules on top of the BPMN schema and the engine's parser."""
    problems = []
    for lane in diagram.lanes:
        if lane not in WORKFLOW_ROLES:
            problems.append(Problem(f"Lane '{lane}' is not a role; use one of {', '.join(WORKFLOW_ROLES)}."))
    forms_to_check = {diagram.start_form: diagram.process_id} if diagram.start_form else {}
    for task in diagram.user_tasks:
        if task.lane is None:
            problems.append(Problem(f"User task '{task.name}' is in no lane; put it in the lane of the role "
                                    "that does the work.", task.id, task.line))
        if task.form:
            forms_to_check.setdefault(task.form, task.id)
    for name, element_id in forms_to_check.items():
        if name not in form_files:
            problems.append(Problem(f"Form file '{name}' does not exist in forms/.", element_id))
            continue
        _, error = _read_form(name, form_files[name])
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
    form_files = load_forms_dir() if form_files is None else form_files
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
