"""The engine write path: every change to a case goes through `advance`.

It loads the case's workflow, lets the engine act, re-projects work items and
timers, writes the audit event and flushes; the caller (request, CLI, scheduler)
commits once. A lost race surfaces as StaleDataError on the case version (409).
"""
import secrets
from datetime import datetime
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..audit.services import record, remember_head
from ..calendars.services import office_calendar, script_helpers
from ..calendars.working_time import add_working_days, add_working_time, working_time_between
from ..catalogue.services import offices_offering, procedure_and_promise
from ..db import next_in_counter, utcnow
from ..engine import SERIALIZER_VERSION, CaseWorkflow, EngineError
from ..errors import BadRequest, Rejected
from ..extensions import db
from ..forms.validation import validate_submission
from ..i18n import language, translated
from ..notifications.services import Message, message_for, notify
from ..permissions import Jurisdiction, Role, people_holding, require_may_start
from .escalation import escalate
from .models import Case, CaseCounter, Timer, WorkItem
from .standards import overdue_from, record_finish, record_pause
from .state import load_workflow, new_workflow, store_workflow

CHANNELS = ("counter", "online", "phone")
# Packages above cases (certificates) act on completed work without cases importing them.
_completion_listeners: list[Callable] = []


def on_work_completed(listener: Callable) -> Callable:
    """Register ``listener(case, item, actor, data)``, called inside the transaction of each completion."""
    _completion_listeners.append(listener)
    return listener


def completion_listeners() -> tuple[Callable, ...]:
    return tuple(_completion_listeners)


SERIES = {Jurisdiction.OWSO: "", Jurisdiction.OMBUDSMAN: "OMB"}


def _next_number(office, series: str) -> str:
    """The office's next number this year in the series, counted in one statement: simultaneous starts
    queue on the counter row and each gets its own number; a start that rolls back gives its number back."""
    year = utcnow().year
    number = next_in_counter(db.session, CaseCounter, series=series, office_id=office.id, year=year)
    return f"{series + '-' if series else ''}{office.code}-{year}-{number:05d}"


# No 0/O, 1/I/L: read aloud or typed from paper without mistakes. 10 of 31 symbols: 49 bits.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 10


def new_access_code() -> str:
    """Random, so that nothing about it follows from the case number."""
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def start_case(process_key: str, data: dict, actor: User | None, office, channel: str = "counter",
               applicant: dict | None = None, idempotency_key: str | None = None) -> Case:
    """A new case in the office, numbered in its jurisdiction's series. Staff may start only the kinds
    of case that are their work; a citizen (no actor) applies through the portal, which decides."""
    if channel not in CHANNELS:
        raise BadRequest(_("The channel must be one of %(channels)s, not '%(channel)s'.", channels=", ".join(CHANNELS),
                           channel=channel))
    definition, promise = procedure_and_promise(process_key, office)
    jurisdiction = definition.jurisdiction
    if actor is not None:
        require_may_start(actor, jurisdiction, definition.name)
    if promise is not None and not promise.offered_at(office):
        offering = ", ".join(f"{o.name} ({o.code})" for o in offices_offering(promise)) or _("none")
        raise Rejected(_("%(office)s does not offer '%(service)s'. Offices that do: %(offering)s.", office=office.name,
                         service=promise.name(language()), offering=offering), {"office": "does not offer this service"})
    data = validate_submission(definition.form(definition.start_form), data)
    calendar = office_calendar(office)
    now = utcnow()
    case = Case(number=_next_number(office, SERIES[jurisdiction]), office=office, definition=definition,
                channel=channel, jurisdiction=jurisdiction, started_by_id=actor.id if actor else None,
                workflow_state="", serializer_version=SERIALIZER_VERSION,
                service_version=promise, access_code=new_access_code(), applicant=applicant or {},
                idempotency_key=idempotency_key, started_at=now,
                service_standard_days=promise.deadline_working_days if promise else definition.service_standard_days,
                promised_at=add_working_days(calendar, now, promise.deadline_working_days) if promise else None)
    db.session.add(case)
    db.session.flush()
    set_committed_value(case, "work_items", [])  # a new case has no work, timers or history yet: no need to ask
    remember_head(case.id, None)
    record("case_started", f"Case {case.number} started: {definition.name} (version {definition.version})",
           actor=actor, case=case, channel=channel, data=data,
           service_version=promise.version if promise else None)
    workflow = new_workflow(definition, data, helpers_for(case, calendar))
    advance(case, actor, CaseWorkflow.start, workflow=workflow, calendar=calendar, new_case=True)
    return case


def helpers_for(case: Case, calendar):
    return script_helpers(calendar, case.service_version.script_view() if case.service_version else None)


def advance(case: Case, actor: User | None, action: Callable[[CaseWorkflow], None], completed_item=None,
            workflow: CaseWorkflow | None = None, calendar=None, new_case: bool = False):
    """Let the engine act on the case, then re-project it; an engine failure stops the case, recorded."""
    # Everything the write path changes goes to the database in the one flush at its end.
    with db.session.no_autoflush:
        calendar = calendar or office_calendar(case.office)
        try:
            workflow = workflow or load_workflow(case, helpers_for(case, calendar))
        except EngineError as exc:
            record_incident(case, str(exc), exc.element_id, actor)
            db.session.flush()
            return
        error = None
        try:
            action(workflow)
        except EngineError as exc:
            error = exc
        _project(case, workflow, calendar, actor, completed_item, error, new_case)


def record_incident(case: Case, message: str, element_id: str | None, actor: User | None = None) -> None:
    """The case stops where the engine could not go on, and stays an incident until a retry moves it."""
    case.status, case.error, case.error_element, case.failed_at = "error", message, element_id, utcnow()
    record("case_failed", f"Case {case.number} stopped with an error: {message}", actor=actor, case=case,
           element_id=element_id)


def _project(case: Case, workflow: CaseWorkflow, calendar, actor, completed_item, error: EngineError | None,
             new_case: bool = False):
    now = utcnow()
    ready = workflow.ready_tasks()
    if _run_service_clock(case, workflow, ready, calendar, actor, now):
        ready = workflow.ready_tasks()  # the clock moved the deadlines
    ready = {task.task_id: task for task in ready}
    for item in case.open_items:
        if item.task_id in ready:
            task = ready.pop(item.task_id)
            item.due_at, item.name, item.form = task.due_at, task.name, task.form
            if (task.lane or "") != item.role:  # a migrated case whose step moved to another lane
                item.role, item.assignee = task.lane or "", None
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
            escalate(case, item, task, now)
    case.overdue_from = overdue_from(case.work_items)
    # Timers are rows for the sweep only: replaced wholesale, one executemany, no ORM objects, on the session's
    # connection (through the session, a delete first looks for the rows among the objects it holds).
    connection = db.session.connection()
    if not new_case:
        connection.execute(_DELETE_TIMERS, {"timers_of": case.id})
    waiting = [{"case_id": case.id, "task_id": t.task_id, "element_id": t.element_id, "attached_to": t.attached_to,
                "fires_at": t.fires_at} for t in workflow.waiting_timers()]
    if waiting:
        connection.execute(_INSERT_TIMERS, waiting)
    store_workflow(case, workflow)
    case.data = workflow.data()
    if error is not None:
        record_incident(case, str(error), error.element_id, actor)
        db.session.flush()
        return
    if case.status == "error" and not workflow.failed:  # a retry got it moving again
        case.status, case.error, case.error_element, case.failed_at = "running", None, None, None
    if workflow.completed:
        case.status, case.completed_at = "completed", now
        record_finish(case, calendar, now)
        record("case_completed", f"Case {case.number} is complete", actor=actor, case=case)
    db.session.flush()


_DELETE_TIMERS = Timer.__table__.delete().where(Timer.__table__.c.case_id == bindparam("timers_of"))
_INSERT_TIMERS = Timer.__table__.insert()


@message_for("send_back")
def _sent_back(params: dict, case) -> Message:
    return Message(
        _("Case %(number)s was sent back to the applicant", number=params["number"]),
        _("Case %(number)s (%(procedure)s) waits on the applicant's documents or corrections; its deadlines are "
          "paused until you record the applicant's response.", number=params["number"],
          procedure=translated(params["procedure"])))


def _run_service_clock(case: Case, workflow: CaseWorkflow, ready, calendar, actor, now: datetime) -> bool:
    """Deadlines pause while the case waits on the applicant and resume with the time that was left;
    True when the clock stopped or started (the deadlines moved)."""
    waiting_on_applicant = any(task.clock_stopped for task in ready)
    if waiting_on_applicant and case.clock_stopped_at is None:
        workflow.pause_timers()
        case.clock_stopped_at = now
        record("clock_stopped", "Service clock stopped: waiting on the applicant", actor=actor, case=case)
        notify(people_holding(Role.FRONT_OFFICE, case.office), "send_back",
               {"number": case.number, "procedure": case.definition.name}, case=case)
        return True
    if not waiting_on_applicant and case.clock_stopped_at is not None:
        paused_at = case.clock_stopped_at
        workflow.resume_timers(lambda fires_at: add_working_time(
            calendar, now, working_time_between(calendar, paused_at, fires_at)))
        if case.promised_at is not None and case.promised_at > paused_at:
            case.promised_at = add_working_time(calendar, now, working_time_between(calendar, paused_at,
                                                                                     case.promised_at))
        record_pause(case, calendar, now)
        case.clock_stopped_at = None
        record("clock_resumed", "Service clock resumed with the working time that was left", actor=actor,
               case=case, paused_since=paused_at.isoformat())
        return True
    return False


def due_timers(case: Case) -> list[str]:
    """The elements of the case's timers that are due now: strictly past, as the engine fires them."""
    return list(db.session.scalars(select(Timer.element_id).where(Timer.case_id == case.id,
                                                                  Timer.fires_at < utcnow())))


def fire_due_timers(case: Case) -> int:
    """Called by the sweep with the case locked; returns how many timers fired (none: nothing is written,
    or the case became an incident instead)."""
    due = due_timers(case)
    if due:
        record("timer_fired", f"Timer(s) {', '.join(due)} fired", case=case, timers=due)  # before its escalations
        advance(case, None, lambda wf: wf.fire_due_timers())
        if case.status == "error":
            return 0
    return len(due)


def record_change(case: Case, actor: User | None, kind: str, summary: str, **data) -> None:
    """A change that does not move the engine (claim, release, reassign, note): it bumps the case
    version, so it serialises with completions on the same case, and records the event."""
    case.version += 1
    record(kind, summary, actor=actor, case=case, **data)
    db.session.flush()
