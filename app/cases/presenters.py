"""What pages and the JSON API show of cases and work items."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..audit.models import AuditEvent
from ..calendars.services import office_calendar, script_helpers
from ..db import utcnow
from ..engine import CaseWorkflow
from ..extensions import db
from ..processes.services import called_processes
from .models import Case, WorkItem


def iso(value):
    return value.isoformat() if value else None


def work_item_dict(item: WorkItem, now=None) -> dict:
    now = now or utcnow()
    return {
        "id": item.id, "case_id": item.case_id, "case_number": item.case.number, "task": item.task,
        "name": item.name, "role": item.role, "assignee": item.assignee.username if item.assignee else None,
        "due_at": iso(item.due_at), "overdue": item.overdue(now), "form": item.form, "status": item.status,
    }


def history(case: Case) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                   .order_by(AuditEvent.at, AuditEvent.id)))


def case_summary(case: Case) -> dict:
    """A case in a list: what tells it apart, without its data or history."""
    return {"id": case.id, "number": case.number, "process": case.definition.key, "name": case.definition.name,
            "status": case.status, "office": case.office.code, "channel": case.channel,
            "started_at": iso(case.started_at), "completed_at": iso(case.completed_at)}


def case_dict(case: Case) -> dict:
    now = utcnow()
    return {
        "id": case.id, "number": case.number, "process": case.definition.key, "version": case.definition.version,
        "status": case.status, "error": case.error, "office": case.office.code, "channel": case.channel,
        "started_at": iso(case.started_at), "completed_at": iso(case.completed_at),
        "case_version": case.version, "clock_stopped_since": iso(case.clock_stopped_at),
        "data": case.data, "work_items": [work_item_dict(i, now) for i in case.open_items],
        "history": [event.as_dict() for event in history(case)],
    }


@dataclass
class DiagramMarkers:
    """One diagram of a case, coloured: the procedure's own, or a sub-procedure it entered."""
    key: str
    version: int
    name: str
    completed: list[str]
    current: list[str]
    overdue: list[str]


def case_markers(case: Case, now: datetime) -> list[DiagramMarkers]:
    """Element ids to colour on the case's diagrams: where it has been, what is open, what is late.
    The procedure's diagram comes first (a call activity is current while the case is inside
    the sub-procedure it calls), then each sub-procedure the case has entered."""
    workflow = CaseWorkflow.from_json(case.workflow_state, script_helpers(office_calendar(case.office)))
    positions = workflow.positions()
    definition = case.definition
    diagrams = [(definition, [p for p in positions if p not in called_processes(definition)])]
    for called, processes in called_processes(definition, by_procedure=True).items():
        if any(p in positions for p in processes):
            diagrams.append((called, [p for p in processes if p in positions]))
    late = {item.task for item in case.open_items if item.overdue(now)}
    found = []
    for shown, processes in diagrams:
        completed = sorted({e for p in processes for e in positions[p]["completed"]})
        current = sorted({e for p in processes for e in positions[p]["current"]})
        found.append(DiagramMarkers(shown.key, shown.version, shown.name, completed, current,
                                    sorted(late & set(current))))
    return found
