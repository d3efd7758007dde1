"""Deploying diagrams: validate everything a deployment depends on, then store a new version."""
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from jsonschema import Draft202012Validator, SchemaError
from sqlalchemy import func, select

from ..audit.services import record
from ..bounds import loads_bounded
from ..decisions.services import check_decision, decision_version, latest_decision, latest_decisions, store_decision
from ..engine import (DecisionTable, Diagram, DiagramError, Problem, SpecSources, assigned_names, check_script, lanes,
                      outline, parse_decision, serialize_specs, spiff_problems, timer_problem, unreachable_elements,
                      untimed_user_tasks)
from ..errors import BadRequest, NotFound, Rejected, TooLarge
from ..extensions import db
from ..forms.rendering import option_titles
from ..forms.validation import field_name_problem
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
        schema = loads_bounded(raw)
    except (BadRequest, TooLarge) as exc:
        return None, _("form %(file)s: %(problem)s", file=name, problem=exc.message)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return None, _("form %(file)s is not a valid JSON Schema: %(problem)s", file=name, problem=exc.message)
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return None, _("form %(file)s must describe an object (\"type\": \"object\")", file=name)
    for field, spec in schema.get("properties", {}).items():
        error = field_name_problem(field) or _field_shape_problem(spec)
        if error:
            return None, _("form %(file)s, field '%(field)s': %(problem)s", file=name, field=field, problem=error)
    return schema, None


def _field_shape_problem(spec) -> str | None:
    """Why a property cannot be drawn as one of the HTML fields of forms/rendering.py, or None."""
    if not isinstance(spec, dict) or spec.get("type") not in FIELD_TYPES:
        return _("each field needs a \"type\" of %(types)s (nested objects are not supported)",
                 types=", ".join(FIELD_TYPES))
    if spec["type"] == "array":
        items = spec.get("items")
        if not isinstance(items, dict) or not option_titles(spec):
            return _("a list field is shown as checkboxes, so it needs \"items\": {\"oneOf\": [{\"const\": code, "
                     "\"title\": title}, ...]} (or \"items\": {\"enum\": [...choices]})")
    return None


@dataclass
class Batch:
    """What is deployed together: diagrams by procedure key, decision tables by decision key.
    A call or a business-rule task resolves to these first, then to the latest deployed version."""
    diagrams: dict[str, tuple[str, bytes, Diagram]] = field(default_factory=dict)
    forms: dict[str, dict] = field(default_factory=dict)
    decisions: dict[str, tuple[str, bytes, DecisionTable]] = field(default_factory=dict)


@dataclass
class Checked:
    diagram: Diagram | None
    forms: dict
    problems: list[Problem]
    calls: dict[str, int | None] = field(default_factory=dict)  # None: deployed in the same batch
    decisions: dict[str, int | None] = field(default_factory=dict)


def own_forms(diagram: Diagram, form_files: dict[str, bytes]) -> dict:
    forms = {}
    for name in {t.form for t in diagram.user_tasks if t.form} | ({diagram.start_form} - {None}):
        if name in form_files:
            forms[name] = read_form(name, form_files[name])[0]
    return forms


def check_diagram(xml: bytes, filename: str, form_files: dict[str, bytes], batch: Batch | None = None) -> Checked:
    """The diagram's summary, forms and problems (errors block a deployment, warnings do not), with
    the procedures it calls and the decision tables it evaluates resolved to their versions."""
    batch = batch or Batch()
    try:
        diagram = outline(xml)
    except DiagramError as exc:
        if exc.too_large:
            raise TooLarge(exc.problems[0].message, [p.as_dict() for p in exc.problems])
        return Checked(None, {}, exc.problems)
    checked = _resolve(diagram, filename, xml, batch)
    if checked.problems:
        checked.diagram = None
        return checked
    checked.forms = {**checked.forms, **own_forms(diagram, form_files)}
    checked.problems = lint(diagram, form_files) + _unknown_decision_inputs(diagram, checked, batch)
    return checked


def _latest_diagram(key: str, batch: Batch) -> Diagram | None:
    if key in batch.diagrams:
        return batch.diagrams[key][2]
    definition = find_latest_version(key)
    return outline(definition.bpmn_xml) if definition is not None else None


def _resolve(diagram: Diagram, filename: str, xml: bytes, batch: Batch) -> Checked:
    """Follow the call activities (here and in every procedure reached) and the business-rule
    tasks: refuse what is missing or calls itself; otherwise check the whole with the engine."""
    problems, reached = [], {}  # reached: key -> outline of another diagram's procedure
    done = set()

    def visit(current: Diagram, process: str, path: list[str], via) -> None:
        # via: the call activity of this diagram the path went through (where a problem is shown)
        for call in (c for c in current.calls if c.process == process):
            target, mine = call.called, current is diagram
            shown = call if mine else via
            if target in path:
                cycle = " → ".join(path[path.index(target):] + [target])
                message = _("Call activity '%(name)s' leads to '%(target)s', which is already running on this "
                            "path: %(cycle)s. A procedure may not call itself, directly or through others.",
                            name=shown.name, target=target, cycle=cycle)
                problems.append(Problem(message, shown.id, shown.line))
                continue
            if target in current.processes:
                following = current
            elif target == diagram.process_id:
                following = diagram
            else:
                following = reached.get(target) or _latest_diagram(target, batch)
                if following is None:
                    if mine:
                        problems.append(Problem(
                            _("Call activity '%(name)s' calls '%(target)s', which is neither a process of this "
                              "diagram nor a deployed procedure: deploy it first, deploy both together, or fix the "
                              "called element.", name=call.name, target=target), call.id, call.line))
                    continue
                reached[target] = following
            if (following.process_id, target, shown.id) not in done:
                visit(following, target, path + [target], shown)
                done.add((following.process_id, target, shown.id))

    for process in diagram.processes:
        visit(diagram, process, [process], None)
    reached.pop(diagram.process_id, None)

    calls = {key: (None if key in batch.diagrams else find_latest_version(key).version) for key in sorted(reached)}
    forms = {}
    for key in calls:
        forms.update(batch.forms[key] if key in batch.diagrams else find_latest_version(key).forms)
    decisions = {}
    for current in [diagram, *reached.values()]:
        for task in current.rule_tasks:
            mine = current is diagram
            if task.decision is None:
                if mine:
                    problems.append(Problem(_("Business-rule task '%(name)s' names no decision table: set the "
                                              "decision it evaluates (calledDecisionId).", name=task.name),
                                            task.id, task.line))
                continue
            if task.decision in batch.decisions:
                decisions[task.decision] = None
                continue
            found = latest_decision(task.decision)
            if found is None:
                if mine:
                    deployed = ", ".join(d.key for d in latest_decisions()) or _("none")
                    problems.append(Problem(_("Business-rule task '%(name)s' evaluates the decision table "
                                              "'%(table)s', which is not deployed (deployed: %(deployed)s): deploy "
                                              "its .dmn file first or together.", name=task.name,
                                              table=task.decision, deployed=deployed), task.id, task.line))
                continue
            decisions[task.decision] = found.version
    checked = Checked(diagram, forms, problems, calls, dict(sorted(decisions.items())))
    if not problems:
        checked.problems = spiff_problems(_sources(filename, xml, checked, batch))
    return checked


def _sources(filename: str, xml: bytes, checked: Checked, batch: Batch) -> SpecSources:
    called = []
    for key, version_number in checked.calls.items():
        if version_number is None:
            called.append(batch.diagrams[key][:2])
        else:
            definition = procedure_version(key, version_number)
            called.append((definition.filename, definition.bpmn_xml))
    decisions = []
    for key, version_number in checked.decisions.items():
        if version_number is None:
            decisions.append(batch.decisions[key][:2])
        else:
            definition = decision_version(key, version_number)
            decisions.append((definition.filename, definition.dmn_xml))
    return SpecSources(filename, xml, tuple(called), tuple(decisions))


def spec_sources(definition: ProcessDefinition) -> SpecSources:
    """What the engine builds this version's spec from, exactly as deployed."""
    return _sources(definition.filename, definition.bpmn_xml,
                    Checked(None, {}, [], definition.calls, definition.decisions), Batch())


def _unknown_decision_inputs(diagram: Diagram, checked: Checked, batch: Batch) -> list[Problem]:
    """Decision inputs that read data no form of the procedure collects and no script sets."""
    known = {name for form in checked.forms.values() if form for name in form.get("properties", {})}
    known |= {name for _, source, _ in diagram.scripts for name in assigned_names(source)}
    tables = {}
    for key, version_number in checked.decisions.items():
        tables[key] = batch.decisions[key][2] if version_number is None else parse_decision(
            decision_version(key, version_number).dmn_xml)
    known |= {output for table in tables.values() for output in table.outputs}
    warnings = []
    for task in diagram.rule_tasks:
        table = tables.get(task.decision)
        if table is None:
            continue
        for name, each in table.input_names().items():
            if name not in known:
                warnings.append(Problem(
                    _("Decision table '%(table)s' (evaluated by '%(task)s') reads '%(name)s' in its input "
                      "'%(input)s', but no form of this procedure collects it and no script sets it.",
                      table=table.name, task=task.name, name=name, input=each.label),
                    task.id, task.line, severity="warning"))
    return warnings


# Element ids, names and form file names are stored in columns this wide (work items and timers use
# the same widths as the procedure's own key, name and start form).
ID_LENGTH = ProcessDefinition.__table__.c.key.type.length
NAME_LENGTH = ProcessDefinition.__table__.c.name.type.length
FILE_LENGTH = ProcessDefinition.__table__.c.start_form.type.length


def _id_too_long(element_id: str) -> str:
    return _("The id '%(start)s…' is %(length)s characters long; at most %(limit)s fit.",
             start=element_id[:40], length=len(element_id), limit=ID_LENGTH)


def _length_problems(diagram) -> list[Problem]:
    named = [(diagram.process_id, diagram.name, None)] + [(t.id, t.name, t.line) for t in diagram.user_tasks]
    problems = []
    for element_id, name, line in named:
        if len(element_id) > ID_LENGTH:
            problems.append(Problem(_id_too_long(element_id), element_id[:ID_LENGTH], line))
        if len(name or "") > NAME_LENGTH:
            problems.append(Problem(_("The name of '%(id)s' is %(length)s characters long; at most %(limit)s fit.",
                                      id=element_id, length=len(name), limit=NAME_LENGTH), element_id, line))
    for timer in diagram.timers:
        if len(timer.id) > ID_LENGTH:
            problems.append(Problem(_id_too_long(timer.id), timer.id[:ID_LENGTH], timer.line))
    for task in diagram.user_tasks:
        if task.form and len(task.form) > FILE_LENGTH:
            problems.append(Problem(_("The form file name of '%(id)s' is %(length)s characters long; at most "
                                      "%(limit)s fit.", id=task.id, length=len(task.form), limit=FILE_LENGTH),
                                    task.id, task.line))
    return problems


def lint(diagram, form_files: dict[str, bytes]) -> list[Problem]:
    """One Window's own rules on top of the BPMN schema and the engine's parser."""
    problems = _length_problems(diagram)
    jurisdiction = diagram.properties.get("jurisdiction")
    if jurisdiction is not None and jurisdiction not in set(Jurisdiction):
        problems.append(Problem(_("The process property jurisdiction is '%(found)s'; use one of %(choices)s "
                                  "(or leave it out: the OWSO's).", found=jurisdiction,
                                  choices=", ".join(Jurisdiction)), diagram.process_id))
    for lane in lanes(diagram):
        if lane.name not in WORKFLOW_ROLES:
            problems.append(Problem(_("Lane '%(lane)s' is not a role; use one of %(roles)s.", lane=lane.name,
                                      roles=", ".join(WORKFLOW_ROLES)), lane.id, lane.line))
    for element in unreachable_elements(diagram):
        problems.append(Problem(_("'%(name)s' can never be reached: no sequence flow leads to it from a start "
                                  "event.", name=element.name or element.id), element.id, element.line))
    forms_to_check = {diagram.start_form: diagram.process_id} if diagram.start_form else {}
    for task in diagram.user_tasks:
        if task.lane is None:
            problems.append(Problem(_("User task '%(name)s' is in no lane; put it in the lane of the role "
                                      "that does the work.", name=task.name), task.id, task.line))
        if task.form:
            forms_to_check.setdefault(task.form, task.id)
    for task in untimed_user_tasks(diagram):
        problems.append(Problem(_("User task '%(name)s' has no service-standard timer; attach a non-interrupting "
                                  "timer (e.g. working_days(5)) to it or to a subprocess around it.",
                                  name=task.name or task.id), task.id, task.line, severity="warning"))
    for name, element_id in forms_to_check.items():
        if name not in form_files:
            problems.append(Problem(_("Form file '%(file)s' does not exist (neither in forms/ nor edited in the "
                                      "browser).", file=name), element_id))
            continue
        error = read_form(name, form_files[name])[1]
        if error:
            problems.append(Problem(error, element_id))
    for timer in diagram.timers:
        error = timer_problem(timer.expression)
        if error:
            problems.append(Problem(_("Timer '%(id)s': %(problem)s", id=timer.id, problem=error), timer.id, timer.line))
    for element_id, source, line in diagram.scripts:
        error = check_script(source, "exec")
        if error:
            problems.append(Problem(_("Script in '%(id)s' is refused: %(problem)s", id=element_id, problem=error),
                                    element_id, line))
    for element_id, source, line in diagram.conditions:
        error = check_script(source, "eval")
        if error:
            problems.append(Problem(_("Condition on '%(id)s' is refused: %(problem)s", id=element_id,
                                      problem=error), element_id, line))
    return problems


def latest_versions() -> list[ProcessDefinition]:
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.key).subquery())
    query = (select(ProcessDefinition)
             .join(newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version))
             .order_by(ProcessDefinition.name))
    return list(db.session.scalars(query))


def find_latest_version(key: str) -> ProcessDefinition | None:
    return db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                              .order_by(ProcessDefinition.version.desc()).limit(1)).first()


def latest_version(key: str) -> ProcessDefinition:
    definition = find_latest_version(key)
    if definition is None:
        raise NotFound(_("There is no procedure '%(key)s'. Deployed procedures: %(deployed)s.", key=key,
                         deployed=", ".join(d.key for d in latest_versions()) or _("none")))
    return definition


def procedure_version(key: str, number: int) -> ProcessDefinition:
    definition = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessDefinition.version == number)).first()
    if definition is None:
        raise NotFound(_("Procedure '%(key)s' has no version %(version)s.", key=key, version=number))
    return definition


def called_processes(definition: ProcessDefinition, by_procedure: bool = False):
    """The processes of the procedures this version calls: a set of process ids, or with
    by_procedure {called version: [its diagram's executable processes]}."""
    found = {}
    for key, number in sorted((definition.calls or {}).items()):
        called = procedure_version(key, number)
        found[called] = outline(called.bpmn_xml).processes
    if by_procedure:
        return found
    return {process for processes in found.values() for process in processes}


def callers_of(key: str) -> list[ProcessDefinition]:
    """The procedures whose latest version calls this one, directly or through another."""
    return [d for d in latest_versions() if key in (d.calls or {})]


def is_decision_file(filename: str) -> bool:
    return filename.lower().endswith(".dmn")


def decision_deployed(deployments: list) -> tuple[dict, int]:
    """What a decision table's deployment answers (the API's and the designer's alike): the table's
    version and the procedures deployed again with it; 201 when the version is new, 200 when the table
    was exactly its latest."""
    table, *procedures = deployments
    return ({"key": table.definition.key, "version": table.definition.version, "unchanged": not table.created,
             "procedures": [{"key": d.definition.key, "version": d.definition.version} for d in procedures
                            if d.created]},
            201 if table.created else 200)


def deploy(files: list[tuple[str, bytes]], actor=None, form_files: dict[str, bytes] | None = None) -> list:
    """Validate every file (diagrams and .dmn decision tables) first; deploy all of them or none.
    Unchanged files keep their version. Returns the deployments: decision tables, then the
    procedures in the order given, then the procedures deployed again because they use them."""
    form_files = form_library() if form_files is None else form_files
    problems, batch, outlines = [], Batch(), []

    def refuse(found, filename):
        problems.extend({**p.as_dict(), "file": filename} for p in found if p.severity == "error")

    for filename, xml in (f for f in files if is_decision_file(f[0])):
        table, found = check_decision(xml)
        refuse(found, filename)
        if table is not None:
            if table.id in batch.decisions:
                refuse([Problem(_("Two files define the decision table '%(id)s'.", id=table.id), table.id)], filename)
            batch.decisions[table.id] = (filename, xml, table)
    for filename, xml in (f for f in files if not is_decision_file(f[0])):
        if len(Path(filename).name) > FILE_LENGTH:
            problems.append({"message": _("The file name is %(length)s characters long; at most %(limit)s fit.",
                                          length=len(Path(filename).name), limit=FILE_LENGTH),
                             "element_id": None, "line": None, "severity": "error", "file": filename[:FILE_LENGTH]})
            continue
        try:
            diagram = outline(xml)
        except DiagramError as exc:
            if exc.too_large:
                raise TooLarge(exc.problems[0].message, [p.as_dict() for p in exc.problems])
            refuse(exc.problems, filename)
            continue
        if diagram.process_id in batch.diagrams:
            problems.append({"message": _("Two files define the procedure '%(key)s'.", key=diagram.process_id),
                             "element_id": diagram.process_id, "line": None, "severity": "error", "file": None})
        batch.diagrams[diagram.process_id] = (filename, xml, diagram)
        batch.forms[diagram.process_id] = own_forms(diagram, form_files)
        outlines.append((filename, xml))
    # Each procedure that calls or evaluates what is deployed here is deployed again with it, so
    # new cases use the new parts; cases already running keep the versions they started with.
    deployed = set(batch.diagrams) | set(batch.decisions)
    for definition in latest_versions():
        if definition.key not in batch.diagrams and deployed & (set(definition.calls) | set(definition.decisions)):
            diagram = outline(definition.bpmn_xml)
            batch.diagrams[definition.key] = (definition.filename, definition.bpmn_xml, diagram)
            batch.forms[definition.key] = own_forms(diagram, form_files)
            outlines.append((definition.filename, definition.bpmn_xml))
    checked = {}
    for filename, xml in outlines:
        result = check_diagram(xml, filename, form_files, batch)
        refuse(result.problems, filename)
        if result.diagram is not None:
            checked[result.diagram.process_id] = (filename, xml, result)
    if problems:
        raise Rejected(_("Nothing was deployed: %(count)s problem(s) to fix first.", count=len(problems)), problems)
    decisions = {key: store_decision(filename, xml, table, actor)
                 for key, (filename, xml, table) in batch.decisions.items()}
    stored: dict[str, Deployment] = {}

    def store(key):  # what a procedure calls is stored before it, to record its version
        if key in stored:
            return stored[key]
        filename, xml, result = checked[key]
        for called in (k for k, v in result.calls.items() if v is None):
            result.calls[called] = store(called).definition.version
        for decision in (k for k, v in result.decisions.items() if v is None):
            result.decisions[decision] = decisions[decision].definition.version
        stored[key] = _store(filename, xml, result, actor)
        return stored[key]
    return list(decisions.values()) + [store(key) for key in checked]


def _store(filename: str, xml: bytes, checked: Checked, actor) -> Deployment:
    diagram = checked.diagram
    sha = hashlib.sha256(xml).hexdigest()
    current = find_latest_version(diagram.process_id)
    if (current is not None and current.sha256 == sha and current.forms == checked.forms
            and current.calls == checked.calls and current.decisions == checked.decisions):
        return Deployment(current, created=False)
    definition = ProcessDefinition(
        key=diagram.process_id, version=(current.version + 1) if current else 1, name=diagram.name,
        filename=Path(filename).name, bpmn_xml=xml, sha256=sha, forms=checked.forms, properties=diagram.properties,
        start_form=diagram.start_form, calls=checked.calls, decisions=checked.decisions,
        deployed_by_id=actor.id if actor else None)
    definition.workflow_spec = serialize_specs(spec_sources(definition))
    db.session.add(definition)
    db.session.flush()
    record("process_deployed", f"Deployed {definition.name} version {definition.version}", actor=actor,
           key=definition.key, version=definition.version, sha256=sha, calls=checked.calls,
           decisions=checked.decisions)
    return Deployment(definition, created=True)


def deploy_directory(actor=None) -> list:
    """Every decision table (.dmn) and diagram (.bpmn) in bpmn/, deployed together."""
    bpmn_dir = Path(current_app.config["BPMN_DIR"])
    paths = sorted(bpmn_dir.glob("*.dmn")) + sorted(bpmn_dir.glob("*.bpmn"))
    return deploy([(p.name, p.read_bytes()) for p in paths], actor)
