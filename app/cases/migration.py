"""Moving running cases to another version of their procedure: a dry run says which can move and why
the others cannot; the real run moves each in its own transaction, re-projected and audited."""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..audit.services import record
from ..calendars.services import office_calendar
from ..engine import CaseWorkflow, EngineError, migrate, migration_blocker
from ..errors import NotFound
from ..extensions import db
from ..processes.models import ProcessDefinition
from ..processes.services import latest_version, spec_sources
from .models import Case
from .queries import lock_case
from .state import load_workflow
from .write_path import advance, helpers_for

MOVABLE_STATUSES = ("running", "error")  # a case in error moves too: then retry it on the corrected diagram


@dataclass
class MigrationReport:
    key: str
    to_version: int
    dry_run: bool
    movable: list[str] = field(default_factory=list)  # case numbers (moved, unless a dry run)
    blocked: list[dict] = field(default_factory=list)  # {case_number, reason}

    def as_dict(self) -> dict:
        return {"process": self.key, "to_version": self.to_version, "dry_run": self.dry_run,
                "movable": self.movable, "blocked": self.blocked}


def target_version(key: str, version: int | None) -> ProcessDefinition:
    latest = latest_version(key)
    if version is None:
        return latest
    definition = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessDefinition.version == version)).first()
    if definition is None:
        raise NotFound(_("'%(key)s' has no version %(version)s; its latest is version %(latest)s.", key=key,
                         version=version, latest=latest.version))
    return definition


def _blocker(case: Case, target: ProcessDefinition) -> tuple[CaseWorkflow | None, str | None]:
    try:
        workflow = load_workflow(case, helpers_for(case, office_calendar(case.office)))
        return workflow, migration_blocker(workflow, spec_sources(target), target.version)
    except EngineError as exc:
        return None, str(exc)


def migrate_cases(key: str, to_version: int | None, dry_run: bool, actor: User | None) -> MigrationReport:
    """Every running case of the procedure on another version. A real run commits each case on its own
    (like the timer sweep): one that cannot move stays as it was and the others still move."""
    target = target_version(key, to_version)
    report = MigrationReport(key, target.version, dry_run)
    case_ids = list(db.session.scalars(
        select(Case.id).join(Case.definition)
        .where(ProcessDefinition.key == key, ProcessDefinition.id != target.id,
               Case.status.in_(MOVABLE_STATUSES)).order_by(Case.id)))
    for case_id in case_ids:
        case = db.session.get(Case, case_id) if dry_run else lock_case(case_id)
        if case.status not in MOVABLE_STATUSES:
            continue  # finished meanwhile
        workflow, reason = _blocker(case, target)
        if reason is not None:
            report.blocked.append({"case_number": case.number, "reason": reason})
            if not dry_run:
                db.session.rollback()
            continue
        report.movable.append(case.number)
        if not dry_run:
            _move(case, workflow, target, actor)
            db.session.commit()
    return report


def _move(case: Case, workflow: CaseWorkflow, target: ProcessDefinition, actor: User | None) -> None:
    source = case.definition.version
    advance(case, actor, lambda wf: migrate(wf, spec_sources(target)), workflow=workflow)
    case.definition = target
    record("case_migrated", f"Case {case.number} moved from version {source} to version {target.version} "
           f"of {target.name}", actor=actor, case=case, from_version=source, to_version=target.version)
    db.session.flush()
