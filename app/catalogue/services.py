"""Reading and changing the catalogue. Every change adds a version and an audit event;
the caller commits once."""
import json
import re
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from ..accounts.models import Office
from ..audit.services import record
from ..errors import NotFound, Rejected
from ..extensions import db
from ..calendars.services import holidays_column, remember_holidays
from ..processes.models import ProcessDefinition
from ..processes.services import find_latest_version, latest_version
from .fees import fee_for, fee_rule_problem
from .models import DOCUMENT_MODES, Service, ServiceVersion

# The fields an administrator edits; a new version copies the rest from the one in force.
EDITABLE = ("name_km", "name_en", "description_km", "description_en", "fee_rule", "documents",
            "deadline_working_days", "legal_basis_km", "legal_basis_en", "closed_office_ids")
# A service's key is in its public address (/services/KEY); a document's names the upload field.
KEY = re.compile(r"[a-z][a-z0-9_]{2,60}")
DOCUMENT_KEY = re.compile(r"[a-z][a-z0-9_]{0,60}")


def services() -> list[Service]:
    return list(db.session.scalars(select(Service).order_by(Service.key)))


def find_service(key: str) -> Service:
    service = db.session.scalars(select(Service).where(Service.key == key)).first()
    if service is None:
        raise NotFound(_("There is no service '%(key)s' in the catalogue. Services: %(services)s.", key=key,
                         services=", ".join(s.key for s in services()) or _("none")))
    return service


def service_for_process(process_key: str) -> Service | None:
    return db.session.scalars(select(Service).where(Service.process_key == process_key)).first()


def procedure_and_promise(process_key: str, office) -> tuple[ProcessDefinition, ServiceVersion | None]:
    """What starting a case in the office reads, in one statement: the procedure's latest version, the
    catalogue entry in force for it (None: not in the catalogue) with its service, and the office's
    holidays, remembered for its calendar. 404 for a procedure never deployed."""
    row = db.session.execute(_PROCEDURE_AND_PROMISE, {"process_key": process_key, "office_id": office.id}).first()
    if row is None:
        return latest_version(process_key), None  # says which procedures there are
    definition, promise, holidays = row
    remember_holidays(office.id, holidays)
    return definition, promise


_NEWEST_PROMISE = (select(ServiceVersion.id).join(ServiceVersion.service)
                   .where(Service.process_key == ProcessDefinition.key)
                   .order_by(ServiceVersion.version.desc()).limit(1).correlate(ProcessDefinition).scalar_subquery())
_PROCEDURE_AND_PROMISE = (
    select(ProcessDefinition, ServiceVersion, holidays_column(bindparam("office_id")))
    .outerjoin(ServiceVersion, ServiceVersion.id == _NEWEST_PROMISE).outerjoin(ServiceVersion.service)
    .where(ProcessDefinition.key == bindparam("process_key")).options(contains_eager(ServiceVersion.service))
    .order_by(ProcessDefinition.version.desc()).limit(1))


def offices_offering(version: ServiceVersion) -> list[Office]:
    offices = db.session.scalars(select(Office).order_by(Office.name))
    return [office for office in offices if version.offered_at(office)]


def fee_due(version: ServiceVersion, data: dict) -> int:
    return fee_for(version.fee_rule, data)


def _problems(fields: dict) -> dict[str, str]:
    problems = {}
    for name in ("name_km", "name_en"):
        if not isinstance(fields.get(name), str) or not fields[name].strip():
            problems[name] = _("Give the service's name in Khmer and in English.")
        elif len(fields[name]) > 200:
            problems[name] = _("A service name has at most 200 characters.")
    fee = fee_rule_problem(fields.get("fee_rule"))
    if fee:
        problems["fee_rule"] = fee
    days = fields.get("deadline_working_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 0 < days <= 365:
        problems["deadline_working_days"] = _("The service standard is a whole number of working days, 1 to 365.")
    documents = fields.get("documents")
    if not isinstance(documents, list) or not all(
            isinstance(d, dict) and isinstance(d.get("key"), str) and d["key"]
            and isinstance(d.get("name_en"), str) and d["name_en"].strip()
            and d.get("mode") in DOCUMENT_MODES and DOCUMENT_KEY.fullmatch(d["key"]) for d in documents):
        problems["documents"] = _("Each required document has a key (lower-case letters, digits and _), a name in "
                                  "English (and Khmer) and how it is brought: %(modes)s.",
                                  modes=", ".join(DOCUMENT_MODES))
    elif len({d["key"] for d in documents}) != len(documents):
        problems["documents"] = _("Two required documents have the same key.")
    closed = fields.get("closed_office_ids")
    if not isinstance(closed, list) or not all(isinstance(i, int) for i in closed):
        problems["closed_office_ids"] = _("The offices that do not offer the service are a list of office ids.")
    return problems


def _checked(fields: dict) -> dict:
    fields = {name: fields.get(name) for name in EDITABLE}
    for name in ("description_km", "description_en", "legal_basis_km", "legal_basis_en"):
        fields[name] = str(fields[name] or "").strip()
    problems = _problems(fields)
    if problems:
        raise Rejected(_("The service was not saved: %(problems)s", problems=" ".join(problems.values())), problems)
    for document in fields["documents"]:
        document.setdefault("name_km", "")
    fields["closed_office_ids"] = sorted(fields["closed_office_ids"])
    return fields


def _identity_problems(key: str, process_key: str) -> dict[str, str]:
    """A new service's key and the procedure that runs it: a case finds its service by its procedure,
    so each deployed procedure runs at most one service."""
    problems = {}
    if not isinstance(key, str) or not KEY.fullmatch(key):
        problems["key"] = _("The service key is 3 to 61 lower-case letters, digits and _, starting with a letter "
                            "(e.g. market_stall_licence); it becomes the address of the public page.")
    elif db.session.scalars(select(Service).where(Service.key == key)).first():
        problems["key"] = _("The catalogue already has a service '%(key)s'.", key=key)
    if not isinstance(process_key, str) or find_latest_version(process_key) is None:
        problems["process_key"] = _("Choose a deployed procedure to run the service.")
    else:
        running = service_for_process(process_key)
        if running is not None:
            problems["process_key"] = _("The procedure '%(process)s' already runs the service '%(key)s'.",
                                        process=process_key, key=running.key)
    return problems


def create_service(key: str, process_key: str, fields: dict, actor=None, note: str = "") -> Service:
    problems = _identity_problems(key, process_key)
    fields = {name: fields.get(name) for name in EDITABLE if name in fields}
    problems |= _problems({name: None for name in EDITABLE} | {"closed_office_ids": [], "documents": []} | fields)
    if problems:
        raise Rejected(_("The service was not saved: %(problems)s", problems=" ".join(problems.values())), problems)
    fields = _checked({"closed_office_ids": [], "documents": [], **fields})
    service = Service(key=key, process_key=process_key)
    db.session.add(service)
    db.session.flush()
    version = ServiceVersion(service=service, version=1, created_by_id=actor.id if actor else None, note=note,
                             **fields)
    db.session.add(version)
    db.session.flush()
    record("service_published", f"Service {key} published (version 1)", actor=actor, service=key, version=1,
           after=fields)
    return service


def change_service(service: Service, changes: dict, actor, note: str) -> ServiceVersion:
    """A new version in force from now; cases already started keep theirs."""
    if not (note or "").strip():
        raise Rejected(_("Say why the service changes (the note is kept with the version)."),
                       {"note": _("Say why the service changes (the note is kept with the version).")})
    current = service.current
    before = {name: getattr(current, name) for name in EDITABLE}
    fields = _checked({**json.loads(json.dumps(before)), **changes})
    if fields == before:
        raise Rejected(_("Nothing changed, so no new version was made."), {})
    version = ServiceVersion(service=service, version=current.version + 1, created_by_id=actor.id if actor else None,
                             note=note.strip(), **fields)
    db.session.add(version)
    db.session.flush()
    changed = {name: {"before": before[name], "after": fields[name]} for name in EDITABLE
               if before[name] != fields[name]}
    record("service_changed", f"Service {service.key} changed (version {version.version}): {note.strip()}",
           actor=actor, service=service.key, version=version.version, changes=changed)
    return version


def seed_catalogue(path: Path | None = None, actor=None) -> tuple[int, int]:
    """Publish the shipped services that the catalogue does not have yet; never overwrites an
    administrator's edits. Returns (added, already there)."""
    path = path or Path(current_app.config["CATALOGUE_FILE"])
    entries = json.loads(path.read_text(encoding="utf-8"))
    added = kept = 0
    for entry in entries:
        if db.session.scalars(select(Service).where(Service.key == entry["key"])).first():
            kept += 1
            continue
        fields = {name: entry[name] for name in EDITABLE if name in entry}
        create_service(entry["key"], entry["process"], fields, actor=actor, note="Shipped with One Window")
        added += 1
    return added, kept
