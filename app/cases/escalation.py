"""Escalation policy: when a deadline timer creates follow-up work, say what ran late and tell
the supervisors who now hold it."""
from datetime import datetime

from ..audit.services import record
from ..notifications.services import notify
from ..permissions import Role, people_holding, role_title
from .models import Case, WorkItem


def escalate(case: Case, item: WorkItem, task, now: datetime) -> None:
    """Escalation work records which work ran late, by how much, and tells the supervisors."""
    overdue = [i for i in case.open_items if i.escalation_of_id is None and i is not item]
    late = next((i for i in overdue if i.task == task.escalates), None) or next(
        (i for i in sorted(overdue, key=lambda i: i.due_at or now) if i.due_at and i.due_at <= now), None)
    item.escalation_of = late
    item.escalation_level = 2 if item.role == Role.DISTRICT_GOVERNOR else 1
    deadline = task.escalated_deadline or (late.due_at if late else None)
    item.late_by_seconds = int((now - deadline).total_seconds()) if deadline else None
    about = f"'{late.name}'" if late else f"'{task.escalates}'"
    summary = (f"Escalated to {role_title(item.role)}: {about} on case {case.number} passed its "
               f"deadline{' of ' + deadline.strftime('%Y-%m-%d %H:%M UTC') if deadline else ''}")
    record("escalated", summary, case=case, level=item.escalation_level, role=item.role,
           overdue_task=late.task if late else task.escalates, deadline=deadline.isoformat() if deadline else None)
    notify(people_holding(item.role, case.office), "escalation", summary,
           f"{summary}. Open the case to follow up: {case.number}.", case=case)
