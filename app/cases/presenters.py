"""What pages and the JSON API show of cases and work items."""
from datetime import datetime

from sqlalchemy import select

from ..audit.models import AuditEvent
from ..calendars.services import office_calendar, script_helpers
from ..db import utcnow
from ..engine import CaseWorkflow
from ..extensions import db
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


def case_markers(case: Case, now: datetime) -> dict[str, list[str]]:
    """Element ids to colour on the case's diagram: where it has been, what is open, what is late."""
    workflow = CaseWorkflow.from_json(case.workflow_state, script_helpers(office_calendar(case.office)))
    return {"completed": workflow.completed_element_ids(),
            "current": sorted({item.task for item in case.open_items}),
            "overdue": sorted({item.task for item in case.open_items if item.overdue(now)})}
