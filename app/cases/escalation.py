"""Escalation policy: when a deadline timer creates follow-up work, say what ran late and tell
the supervisors who now hold it."""
from datetime import datetime

from flask_babel import gettext as _

from ..audit.services import record
from ..i18n import local_time, translated
from ..notifications.services import Message, message_for, notify
from ..permissions import people_holding, role_title
from .models import Case, WorkItem


def escalate(case: Case, item: WorkItem, task, now: datetime) -> None:
    """Escalation work records which work ran late, by how much, and tells the supervisors."""
    overdue = [i for i in case.open_items if i.escalation_of_id is None and i is not item]
    late = next((i for i in overdue if i.task == task.escalates), None) or next(
        (i for i in sorted(overdue, key=lambda i: i.due_at or now) if i.due_at and i.due_at <= now), None)
    # The first escalation of a piece of work is level 1, the next level 2: the chief, then the governor;
    # for the Ombudsman's own work the Ombudsman supervisor both times, never the office investigated.
    earlier = [i for i in case.work_items if late is not None and i is not item
               and (i.escalation_of_id == late.id or i.escalation_of is late)]
    item.escalation_of = late
    item.escalation_level = len(earlier) + 1
    deadline = task.escalated_deadline or (late.due_at if late else None)
    item.late_by_seconds = int((now - deadline).total_seconds()) if deadline else None
    about = f"'{late.name}'" if late else f"'{task.escalates}'"
    summary = (f"Escalated to {role_title(item.role)}: {about} on case {case.number} passed its "
               f"deadline{' of ' + deadline.strftime('%Y-%m-%d %H:%M UTC') if deadline else ''}")
    record("escalated", summary, case=case, level=item.escalation_level, role=item.role,
           overdue_task=late.task if late else task.escalates, deadline=deadline.isoformat() if deadline else None)
    notify(people_holding(item.role, case.office), "escalation",
           {"role": item.role, "task": late.name if late else task.escalates, "number": case.number,
            "deadline": deadline.isoformat() if deadline else None}, case=case)


@message_for("escalation")
def _escalated(params: dict, case) -> Message:
    words = dict(role=role_title(params["role"]), task=translated(params["task"]), number=params["number"])
    if params.get("deadline"):
        subject = _("Escalated to %(role)s: '%(task)s' on case %(number)s passed its deadline of %(deadline)s",
                    deadline=local_time(datetime.fromisoformat(params["deadline"])), **words)
    else:
        subject = _("Escalated to %(role)s: '%(task)s' on case %(number)s passed its deadline", **words)
    return Message(subject, _("%(subject)s. Open the case to follow up: %(number)s.", subject=subject,
                              number=params["number"]))
