"""The designer's work: drafts of procedures and forms, validation, deployment, version history.

Write functions flush and audit; the request commits once.
"""
import json
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Office, User, UserRole
from ..audit.services import record
from ..db import utcnow
from ..decisions.models import DecisionDefinition
from ..decisions.services import check_decision, latest_decision
from ..engine import (MAX_DIAGRAM_BYTES, DiagramChanges, DiagramError, Problem, diagram_changes, lanes,
                      process_identity)
from ..errors import Conflict, NotFound, Rejected, TooLarge
from ..extensions import db
from ..permissions import DISTRICT_ROLES, WORKFLOW_ROLES, Role, require_role
from ..processes.models import FormDraft, ProcessDefinition
from ..processes.services import (Deployment, check_diagram, deploy, form_library, latest_versions,
                                  load_forms_dir, read_form)
from .models import ProcessDraft

TEMPLATE = Path(__file__).with_name("new_procedure.bpmn")
KEY = re.compile(r"[a-z][a-z0-9_]{2,60}")
_KEY_RULE = _l("use 3 to 61 lower-case letters, digits and underscores, starting with a letter "
               "(e.g. market_stall_permit).")
FORM_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,150}\.schema\.json")


def require_designer(user: User) -> None:
    require_role(user, Role.DESIGNER, message=_("The designer area is for process designers."))


# --- procedures, versions, drafts ------------------------------------------------------

@dataclass
class Procedure:
    key: str
    name: str
    latest: ProcessDefinition | None
    draft: ProcessDraft | None


@dataclass
class Version:
    definition: ProcessDefinition
    changes: DiagramChanges | None  # against the version before; None for version 1


def procedures() -> list[Procedure]:
    """Every procedure with a deployed version or a draft, by name."""
    drafts = {d.key: d for d in db.session.scalars(select(ProcessDraft))}
    found = [Procedure(d.key, d.name, d, drafts.pop(d.key, None)) for d in latest_versions()]
    found += [Procedure(d.key, d.name, None, d) for d in drafts.values()]
    return sorted(found, key=lambda p: p.name.lower())


def procedure(key: str) -> Procedure:
    versions = versions_of(key)
    draft = find_draft(key)
    if not versions and draft is None:
        raise NotFound(_("There is no procedure or draft '%(key)s'.", key=key))
    latest = versions[0] if versions else None
    return Procedure(key, (latest or draft).name, latest, draft)


def versions_of(key: str) -> list[ProcessDefinition]:
    return list(db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                   .order_by(ProcessDefinition.version.desc())))


def version_history(key: str) -> list[Version]:
    """The versions, newest first, each with what it changed against the one before."""
    versions = versions_of(key)
    return [Version(definition, diagram_changes(older.bpmn_xml, definition.bpmn_xml) if older else None)
            for definition, older in zip(versions, versions[1:] + [None])]


def find_draft(key: str) -> ProcessDraft | None:
    return db.session.scalars(select(ProcessDraft).where(ProcessDraft.key == key)).first()


def draft(key: str) -> ProcessDraft:
    found = find_draft(key)
    if found is None:
        raise NotFound(_("There is no draft of '%(key)s'; open a version in the modeler and save it to start one.",
                         key=key))
    return found


def _identity(xml: bytes) -> tuple[str, str]:
    try:
        return process_identity(xml)
    except DiagramError as exc:
        details = [p.as_dict() for p in exc.problems]
        if exc.too_large:
            raise TooLarge(exc.problems[0].message, details)
        raise Rejected(_("The diagram cannot be read: %(problem)s", problem=exc.problems[0].message), details)


def _same_key(key: str, xml: bytes) -> str:
    process_id, name = _identity(xml)
    if len(process_id) > 100 or len(name) > 200:
        raise Rejected(_("The process id may have at most 100 characters and its name at most 200."))
    if process_id != key:
        message = _("This diagram's process id is '%(found)s' but you are working on '%(key)s'. The process id is "
                    "the procedure's key: set it back to '%(key)s', or import the file as a new procedure.",
                    found=process_id, key=key)
        raise Rejected(message, [Problem(message, process_id).as_dict()])
    return name


def validate(xml: bytes, key: str | None = None) -> list[dict]:
    """Every problem of a diagram: errors block deployment, warnings do not."""
    checked = check_diagram(xml, f"{key or 'diagram'}.bpmn", form_library())
    diagram, found = checked.diagram, [p.as_dict() for p in checked.problems]
    if diagram is None:
        return found
    if key and diagram.process_id != key:
        found.insert(0, Problem(_("The process id is '%(found)s'; it must stay '%(key)s', the key of this "
                                  "procedure.", found=diagram.process_id, key=key), diagram.process_id).as_dict())
    found += [p.as_dict() for p in staffing_warnings(diagram)]
    return sorted(found, key=lambda p: p["severity"] != "error")  # what blocks deployment first


def staffing_warnings(diagram) -> list[Problem]:
    """Lanes whose role nobody active holds in some office (district roles: in some district)."""
    held = set(db.session.execute(
        select(UserRole.role, User.office_id).join(User, User.id == UserRole.user_id).where(User.active)))
    offices = list(db.session.scalars(select(Office).order_by(Office.code)))
    warnings = []
    for lane in lanes(diagram):
        if lane.name not in WORKFLOW_ROLES:
            continue  # the lint already refuses it
        covered = {office.id for office in offices if (lane.name, office.id) in held}
        if lane.name in DISTRICT_ROLES:
            covered_districts = {o.district_id for o in offices if o.id in covered}
            missing = sorted({o.district.code for o in offices if o.district_id not in covered_districts})
            message = _("No active user holds the role '%(role)s' in district(s) %(missing)s: work in this lane "
                        "would wait there in an empty inbox.", role=lane.name, missing=", ".join(missing))
        else:
            missing = [o.code for o in offices if o.id not in covered]
            message = _("No active user holds the role '%(role)s' in office(s) %(missing)s: work in this lane "
                        "would wait there in an empty inbox.", role=lane.name, missing=", ".join(missing))
        if missing:
            warnings.append(Problem(message, lane.id, lane.line, severity="warning"))
    return warnings


def save_draft(key: str, xml: bytes, actor: User) -> tuple[ProcessDraft, list[dict]]:
    """Keep work in progress, problems and all, as the procedure's one draft."""
    name = _same_key(key, xml)
    problems = validate(xml, key)
    found = find_draft(key)
    if found is None:
        latest = versions_of(key)
        found = ProcessDraft(key=key, based_on_version=latest[0].version if latest else None)
        db.session.add(found)
    found.name, found.bpmn_xml = name, xml
    found.updated_at, found.updated_by_id = utcnow(), actor.id
    db.session.flush()
    errors = sum(1 for p in problems if p["severity"] == "error")
    record("process_draft_saved", f"Draft of {name} saved ({errors} problem(s) to fix before deploying)",
           actor=actor, key=key, errors=errors)
    return found, problems


def import_draft(filename: str, xml: bytes, actor: User) -> tuple[ProcessDraft, list[dict]]:
    """An uploaded .bpmn file becomes the draft of the procedure whose id it carries."""
    if len(xml) > MAX_DIAGRAM_BYTES:
        raise TooLarge(_("%(file)s is %(size)s KB; a diagram may be at most %(limit)s MB.", file=filename,
                         size=len(xml) // 1024, limit=MAX_DIAGRAM_BYTES // (1024 * 1024)))
    key = _identity(xml)[0]
    if not KEY.fullmatch(key):
        raise Rejected(_("The process id '%(key)s' cannot be a procedure key: %(rule)s", key=key, rule=_KEY_RULE))
    return save_draft(key, xml, actor)


def deploy_draft(key: str, xml: bytes | None, actor: User) -> Deployment:
    """Deploy the given XML (or the saved draft) as the next version; the draft has then served."""
    found = find_draft(key) if xml is not None else draft(key)
    xml = xml if xml is not None else found.bpmn_xml
    _same_key(key, xml)
    latest = versions_of(key)
    deployment = deploy([(latest[0].filename if latest else f"{key}.bpmn", xml)], actor)[0]
    if found is not None:
        db.session.delete(found)
        record("process_draft_removed", f"Draft of {found.name} removed: deployed as version "
               f"{deployment.definition.version}", actor=actor, key=key, version=deployment.definition.version)
    db.session.flush()
    return deployment


def new_procedure(key: str, name: str, actor: User) -> ProcessDraft:
    """A draft from the template: one front-office task with a 5-working-day service standard."""
    key, name = (key or "").strip(), (name or "").strip()
    if not KEY.fullmatch(key):
        raise Rejected(_("'%(key)s' cannot be a procedure key: %(rule)s", key=key, rule=_KEY_RULE))
    if not name or len(name) > 200:
        raise Rejected(_("Give the procedure a name of at most 200 characters, as citizens will read it."))
    if versions_of(key) or find_draft(key):
        raise Conflict(_("There is already a procedure or draft '%(key)s'; open it instead.", key=key))
    found = save_draft(key, template_xml(key, name), actor)[0]
    return found


def template_xml(key: str, name: str) -> bytes:
    """new_procedure.bpmn for this key (already checked to be a plain identifier) and name."""
    def attribute(text: str) -> str:
        return escape(text, {'"': "&quot;"})
    return (TEMPLATE.read_text(encoding="utf-8").replace("{key}", key).replace("{name}", attribute(name))
            .replace("{pool}", attribute(f"One Window Service Office — {name}"))).encode()



# --- forms -------------------------------------------------------------------------------

@dataclass
class FormEntry:
    filename: str
    in_files: bool
    draft: FormDraft | None


def forms() -> list[FormEntry]:
    files = load_forms_dir()
    drafts = {d.filename: d for d in db.session.scalars(select(FormDraft))}
    return [FormEntry(name, name in files, drafts.get(name)) for name in sorted(set(files) | set(drafts))]


def form_text(filename: str) -> str:
    """The form as the designer edits it: the browser-edited version if any, else the file."""
    found = db.session.scalars(select(FormDraft).where(FormDraft.filename == filename)).first()
    if found is not None:
        return json.dumps(found.schema, indent=2, ensure_ascii=False)
    files = load_forms_dir()
    if filename not in files:
        raise NotFound(_("There is no form %(file)s.", file=filename))
    return files[filename].decode("utf-8", errors="replace")


def new_form_text(filename: str) -> str:
    check_form_name(filename)
    if filename in form_library():
        raise Conflict(_("The form %(file)s already exists; open it instead.", file=filename))
    return json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "", "type": "object",
                       "properties": {}, "required": []}, indent=2)


def check_form_name(filename: str) -> None:
    if not FORM_NAME.fullmatch(filename or ""):
        raise Rejected(_("'%(file)s' cannot be a form name: use lower-case letters, digits, '_' and '-', ending "
                         "in .schema.json (e.g. market_stall_intake.schema.json).", file=filename))


def check_form(filename: str, text: str) -> tuple[dict | None, list[dict]]:
    """The schema if staff could be shown it, else the problems (same rules as deployment)."""
    schema, error = read_form(filename, text.encode())
    return schema, ([] if error is None else [Problem(error).as_dict()])


def save_form(filename: str, text: str, actor: User) -> FormDraft:
    """Store the form; the next deployment of a diagram that uses it takes this version."""
    check_form_name(filename)
    schema, problems = check_form(filename, text)
    if schema is None:
        raise Rejected(_("The form %(file)s was not saved: %(problem)s", file=filename,
                         problem=problems[0]["message"]), problems)
    found = db.session.scalars(select(FormDraft).where(FormDraft.filename == filename)).first()
    if found is None:
        found = FormDraft(filename=filename)
        db.session.add(found)
    found.schema, found.updated_at, found.updated_by_id = schema, utcnow(), actor.id
    db.session.flush()
    record("form_saved", f"Form {filename} saved; diagrams deployed from now on use it", actor=actor,
           filename=filename, fields=sorted(schema.get("properties", {})))
    return found


# --- decision tables -------------------------------------------------------------------------

def decision_table(key: str) -> DecisionDefinition:
    found = latest_decision(key)
    if found is None:
        raise NotFound(_("There is no decision table '%(key)s'.", key=key))
    return found


def users_of_decision(key: str) -> list[ProcessDefinition]:
    """The procedures whose latest version evaluates this decision table."""
    return [d for d in latest_versions() if key in (d.decisions or {})]


def validate_decision(key: str, xml: bytes) -> list[dict]:
    """Every problem of an edited table; errors block its deployment."""
    table, problems = check_decision(xml)
    found = [p.as_dict() for p in problems]
    if table is not None and table.id != key:
        found.insert(0, Problem(_("The decision id is '%(found)s'; it must stay '%(key)s', the key of this decision "
                                  "table.", found=table.id, key=key), table.id).as_dict())
    return found


def deploy_decision(key: str, xml: bytes, actor: User) -> list:
    """Deploy the edited table as its next version (with the procedures that evaluate it)."""
    problems = [p for p in validate_decision(key, xml) if p["severity"] == "error"]
    if problems:
        raise Rejected(_("Nothing was deployed: %(count)s problem(s) to fix first.", count=len(problems)), problems)
    return deploy([(decision_table(key).filename, xml)], actor)
