"""The one write path: every change to a case goes through `advance`.

It loads the case's workflow, lets the engine act, re-projects work items and
timers, writes the audit event and flushes; the caller (request, CLI, scheduler)
commits once. A lost race surfaces as StaleDataError on the case version (409).
"""
from datetime import datetime
from typing import Callable

from sqlalchemy import select

from ..accounts.models import DISTRICT_ROLES, ROLES, User
from ..accounts.services import people_holding
from ..audit.services import record
from ..calendars.services import office_calendar, script_helpers
from ..calendars.working_time import add_working_time, working_time_between
from ..db import utcnow
from ..engine import SERIALIZER_VERSION, CaseWorkflow, EngineError
from ..errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..forms.validation import validate_submission
from ..notifications.services import notify
from ..processes.models import ProcessDefinition
from ..processes.services import latest_version
from .models import Case, CaseCounter, Timer, WorkItem


def _next_number(office) -> str:
    year = utcnow().year
    counter = db.session.scalars(select(CaseCounter).where(
        CaseCounter.office_id == office.id, CaseCounter.year == year).with_for_update()).first()
    if counter is None:
        counter = CaseCounter(office_id=office.id, year=year, last_number=0)
        db.session.add(counter)
    counter.last_number += 1
    db.session.flush()
    return f"{office.code}-{year}-{counter.last_number:05d}"


def start_case(process_key: str, data: dict, actor: User | None, office, channel: str = "counter") -> Case:
    definition = latest_version(process_key)
    data = validate_submission(definition.form(definition.start_form), data)
    calendar = office_calendar(office)
    case = Case(number=_next_number(office), office=office, definition=definition, channel=channel,
                started_by_id=actor.id if actor else None, workflow_state="", serializer_version=SERIALIZER_VERSION)
    db.session.add(case)
    db.session.flush()
    record("case_started", f"Case {case.number} started: {definition.name} (version {definition.version})",
           actor=actor, case=case, channel=channel, data=data)
    workflow = CaseWorkflow.create(definition.bpmn_xml, definition.filename, data, script_helpers(calendar))
    advance(case, actor, CaseWorkflow.start, workflow=workflow, calendar=calendar)
    return case


def advance(case: Case, actor: User | None, action: Callable[[CaseWorkflow], None], completed_item=None,
            workflow: CaseWorkflow | None = None, calendar=None):
    """Let the engine act on the case, then re-project it; an engine failure stops the case, recorded."""
    calendar = calendar or office_calendar(case.office)
    workflow = workflow or CaseWorkflow.from_json(case.workflow_state, script_helpers(calendar))
    error = None
    try:
        action(workflow)
    except EngineError as exc:
        error = exc
    _project(case, workflow, calendar, actor, completed_item, error)


def _project(case: Case, workflow: CaseWorkflow, calendar, actor, completed_item, error: EngineError | None):
    now = utcnow()
    _run_service_clock(case, workflow, calendar, actor, now)
    ready = {task.task_id: task for task in workflow.ready_tasks()}
    for item in case.open_items:
        if item.task_id in ready:
            item.due_at = ready.pop(item.task_id).due_at
            continue
        item.status = "completed" if item is completed_item else "cancelled"
        item.closed_at = now
        if item is completed_item:
            item.closed_by_id = actor.id if actor else None
    for task in ready.values():
        item = WorkItem(
            case=case, task_id=task.task_id, task=task.element_id, name=task.name, role=task.lane or "",
            office_id=case.office_id, district_id=case.office.district_id, form=task.form,
            due_at=task.due_at, clock_stopped=task.clock_stopped, created_at=now)
        db.session.add(item)
        if task.escalates:
            _escalate(case, item, task, now)
    db.session.execute(Timer.__table__.delete().where(Timer.case_id == case.id))
    db.session.add_all(Timer(case_id=case.id, task_id=t.task_id, element_id=t.element_id,
                             attached_to=t.attached_to, fires_at=t.fires_at) for t in workflow.waiting_timers())
    case.workflow_state = workflow.to_json()
    case.serializer_version = SERIALIZER_VERSION
    case.data = workflow.data()
    if error is not None:
        case.status, case.error = "error", str(error)
        record("case_failed", f"Case {case.number} stopped with an error: {error}", actor=actor, case=case,
               element_id=error.element_id)
    elif workflow.completed:
        case.status, case.completed_at = "completed", now
        record("case_completed", f"Case {case.number} is complete", actor=actor, case=case)
    db.session.flush()


def _escalate(case: Case, item: WorkItem, task, now: datetime) -> None:
    """Escalation work records which work ran late, by how much, and tells the supervisors."""
    overdue = [i for i in case.open_items if i.escalation_of_id is None and i is not item]
    late = next((i for i in overdue if i.task == task.escalates), None) or next(
        (i for i in sorted(overdue, key=lambda i: i.due_at or now) if i.due_at and i.due_at <= now), None)
    item.escalation_of = late
    item.escalation_level = 2 if item.role == "district_governor" else 1
    deadline = task.escalated_deadline or (late.due_at if late else None)
    item.late_by_seconds = int((now - deadline).total_seconds()) if deadline else None
    about = f"'{late.name}'" if late else f"'{task.escalates}'"
    summary = (f"Escalated to {ROLES.get(item.role, item.role)}: {about} on case {case.number} passed its "
               f"deadline{' of ' + deadline.strftime('%Y-%m-%d %H:%M UTC') if deadline else ''}")
    record("escalated", summary, case=case, level=item.escalation_level, role=item.role,
           overdue_task=late.task if late else task.escalates, deadline=deadline.isoformat() if deadline else None)
    notify(people_holding(item.role, case.office), "escalation", summary,
           f"{summary}. Open the case to follow up: {case.number}.", case=case)


def _run_service_clock(case: Case, workflow: CaseWorkflow, calendar, actor, now: datetime) -> None:
    """Deadlines pause while the case waits on the applicant and resume with the time that was left."""
    waiting_on_applicant = any(task.clock_stopped for task in workflow.ready_tasks())
    if waiting_on_applicant and case.clock_stopped_at is None:
        workflow.pause_timers()
        case.clock_stopped_at = now
        record("clock_stopped", "Service clock stopped: waiting on the applicant", actor=actor, case=case)
        notify(people_holding("front_office", case.office), "send_back",
               f"Case {case.number} was sent back to the applicant",
               f"Case {case.number} ({case.definition.name}) waits on the applicant's documents or corrections; "
               "its deadlines are paused until you record the applicant's response.", case=case)
    elif not waiting_on_applicant and case.clock_stopped_at is not None:
        paused_at = case.clock_stopped_at
        workflow.resume_timers(lambda fires_at: add_working_time(
            calendar, now, working_time_between(calendar, paused_at, fires_at)))
        case.clock_stopped_at = None
        record("clock_resumed", "Service clock resumed with the working time that was left", actor=actor,
               case=case, paused_since=paused_at.isoformat())


def can_see_case(user: User, case: Case) -> bool:
    if user.has_role(*DISTRICT_ROLES):
        return case.office.district_id == user.office.district_id
    return case.office_id == user.office_id


def visible_case(user: User, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_see_case(user, case):
        raise NotFound(f"There is no case {case_id} in your office.")
    return case


def can_see_item(user: User, item: WorkItem) -> bool:
    if item.role in DISTRICT_ROLES and item.role in user.roles:
        return item.district_id == user.office.district_id
    return item.office_id == user.office_id


def visible_item(user: User, item_id: int) -> WorkItem:
    item = db.session.get(WorkItem, item_id)
    if item is None or not can_see_item(user, item):
        raise NotFound(f"There is no work item {item_id} in your office.")
    return item


def workable_item(user: User, item_id: int) -> WorkItem:
    """The work item if the user may work it: 404 for another office's, 403 for another role's."""
    item = visible_item(user, item_id)
    if item.role not in user.roles:
        raise Forbidden(f"'{item.name}' is work for the {item.role} role, which you do not hold.")
    if item.status != "open":
        raise Conflict(f"'{item.name}' on case {item.case.number} was already {item.status}.")
    return item


def claim(user: User, item_id: int) -> WorkItem:
    item = workable_item(user, item_id)
    if item.assignee_id not in (None, user.id):
        raise Conflict(f"'{item.name}' is held by {item.assignee.display_name}; ask them or the chief to release it.")
    if item.assignee_id is None:
        item.assignee = user
        item.case.version += 1  # serialises claims with completions on the same case
        record("work_item_claimed", f"{user.display_name} took '{item.name}'", actor=user, case=item.case,
               work_item=item.id)
        db.session.flush()
    return item


def release(user: User, item_id: int) -> WorkItem:
    item = workable_item(user, item_id)
    if item.assignee_id != user.id:
        raise Conflict(f"'{item.name}' is not held by you.")
    item.assignee = None
    item.case.version += 1
    record("work_item_released", f"{user.display_name} released '{item.name}'", actor=user, case=item.case,
           work_item=item.id)
    db.session.flush()
    return item


def complete(user: User, item_id: int, data: dict, comment: str | None = None,
             seen_version: int | None = None) -> Case:
    item = workable_item(user, item_id)
    case = item.case
    if seen_version is not None and seen_version != case.version:
        raise Conflict(f"Case {case.number} changed while you were working on it; reload and check before "
                       "submitting again.")
    if item.assignee_id not in (None, user.id):
        raise Conflict(f"'{item.name}' is held by {item.assignee.display_name}.")
    definition: ProcessDefinition = case.definition
    form = definition.form(item.form)
    data = validate_submission(form, data)
    before = {key: case.data.get(key) for key in data}
    item.comment = comment or None
    advance(case, user, lambda wf: wf.complete(item.task_id, data), completed_item=item)
    record("work_item_completed", f"{user.display_name} completed '{item.name}'"
           + (f": {comment}" if comment else ""), actor=user, case=case, work_item=item.id, task=item.task,
           before=before, after=data)
    return case


def fire_due_timers(case: Case) -> int:
    """Called by the sweep with the case locked; returns how many timers fired (none: nothing is written)."""
    due = [t.element_id for t in db.session.scalars(
        select(Timer).where(Timer.case_id == case.id, Timer.fires_at <= utcnow()))]
    if due:
        advance(case, None, lambda wf: wf.fire_due_timers())
        record("timer_fired", f"Timer(s) {', '.join(due)} fired", case=case, timers=due)
    return len(due)
