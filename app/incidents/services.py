"""Incidents: cases whose engine step failed. They are kept, listed and retried, never dropped."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..audit.services import record
from ..cases.models import Case
from ..cases.queries import lock_case
from ..cases.write_path import advance
from ..errors import BadRequest, Conflict, NotFound
from ..extensions import db


@dataclass(frozen=True)
class Incident:
    case_id: int
    case_number: str
    office: str
    process: str
    version: int
    element_id: str | None
    message: str
    since: datetime | None

    def as_dict(self) -> dict:
        return {"case_id": self.case_id, "case_number": self.case_number, "office": self.office,
                "process": self.process, "version": self.version, "element_id": self.element_id,
                "message": self.message, "since": self.since.isoformat() if self.since else None}


def incident_of(case: Case) -> Incident:
    return Incident(case.id, case.number, case.office.code, case.definition.key, case.definition.version,
                    case.error_element, case.error or "", case.failed_at)


def open_incidents() -> list[Incident]:
    """Every case in error, the longest-standing first. No case data: only where and why it stopped."""
    cases = db.session.scalars(select(Case).where(Case.status == "error")
                               .options(joinedload(Case.office), joinedload(Case.definition))
                               .order_by(Case.failed_at.asc().nulls_first(), Case.id))
    return [incident_of(case) for case in cases]


def retry(case_id: int, actor: User, data: dict | None = None) -> Case:
    """Run the case again from where it failed, with corrected data if given. A retry that fails leaves
    the case an incident with the new message; either way the retry is in the case's history."""
    if data is not None and (not isinstance(data, dict) or not all(isinstance(k, str) for k in data)):
        raise BadRequest(_("\"data\" must be an object of field names and corrected values."))
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(_("There is no case %(id)s.", id=case_id))
    case = lock_case(case_id)
    if case.status != "error":
        raise Conflict(_("Case %(number)s is not in error (%(status)s); there is nothing to retry.",
                         number=case.number, status=case.status))
    previous = case.error
    record("case_retried", f"{actor.display_name} retried case {case.number}"
           + (f" with corrected {', '.join(sorted(data))}" if data else ""),
           actor=actor, case=case, previous_error=previous, corrected=sorted(data or {}))
    advance(case, actor, lambda workflow: workflow.retry(data or {}))
    return case
