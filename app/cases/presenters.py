"""Plain-dict views of cases and work items for the JSON API, and the case data as staff read it."""
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..audit.models import AuditEvent
from ..calendars.services import office_calendar, script_helpers
from ..db import utcnow
from ..extensions import db
from ..forms.rendering import display_value
from ..i18n import language, local_time, number, riel, translated
from ..notifications.services import told_of
from ..permissions import role_title
from ..processes.services import called_processes
from .models import Case, WorkItem
from .state import load_workflow


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
    """The case's events in the order they were recorded (the order their hash chain is checked in), each
    with who did it: no query per person."""
    return list(db.session.scalars(_HISTORY, {"case_id": case.id}))


_HISTORY = (select(AuditEvent).where(AuditEvent.case_id == bindparam("case_id")).options(joinedload(AuditEvent.actor))
            .order_by(AuditEvent.id))


def case_summary(case: Case) -> dict:
    """A case in a list: what tells it apart, without its data or history."""
    return {"id": case.id, "number": case.number, "process": case.definition.key, "name": case.definition.name,
            "status": case.status, "office": case.office.code, "channel": case.channel,
            "started_at": iso(case.started_at), "completed_at": iso(case.completed_at)}
# kind -> tell(data, case) -> str | None: how the packages above this one (which record kinds of their
# own, such as certificates) have their events told again; they register with history_teller.
_HISTORY_TELLERS: dict[str, Callable[[dict, Case], str | None]] = {}


def history_teller(kind: str):
    """Register how events of ``kind`` are told in the reader's language: ``tell(data, case)``, through
    gettext; None when the event did not record what the telling needs (the recorded sentence shows)."""
    def register(tell):
        _HISTORY_TELLERS[kind] = tell
        return tell
    return register


def history_line(event: AuditEvent, case: Case) -> str:
    """One line of a case's history as the reader reads it. History is recorded once, in English (it is
    hash-chained); for other languages the common kinds are told again from what the event recorded,
    and any other kind (or an event recorded before it kept what it takes) shows the recorded sentence."""
    if language() == "en":
        return event.summary
    actor = event.actor.display_name if event.actor else _("system")
    item = next((i for i in case.work_items if i.id == event.data.get("work_item")), None)
    told = _case_event(event, case, actor) if item is None else _work_event(event, item, actor)
    return told if told is not None else event.summary


def _case_event(event: AuditEvent, case: Case, actor: str) -> str | None:
    data = event.data
    if event.kind == "case_started":
        version = re.search(r"\(version (\d+)\)$", event.summary)
        return _("Case %(number)s started: %(procedure)s (version %(version)s)", number=case.number,
                 procedure=translated(case.definition.name),
                 version=number(int(version.group(1)) if version else case.definition.version))
    if event.kind == "case_completed":
        return _("Case %(number)s is complete", number=case.number)
    if event.kind == "clock_stopped":
        return _("Service clock stopped: waiting on the applicant")
    if event.kind == "clock_resumed":
        return _("Service clock resumed with the working time that was left")
    if event.kind == "note":
        return _("Note from %(name)s: %(text)s", name=actor, text=data.get("note", ""))
    if event.kind == "escalated":
        return _escalated(data, case)
    if event.kind in ("notified", "citizen_notified") and "params" in data:
        told = told_of(data["notification_kind"], data["params"], case)
        return _notified(event.kind, data, told.subject) if told is not None else None
    if event.kind == "fee_paid":
        if data.get("waiver_id"):
            return _("Fee of %(amount)s paid; official receipt %(receipt)s (reduced from %(due)s by an approved "
                     "waiver)", amount=riel(data["amount_riel"]), receipt=data["receipt_number"],
                     due=riel(data["fee_due_riel"]))
        return _("Fee of %(amount)s paid; official receipt %(receipt)s", amount=riel(data["amount_riel"]),
                 receipt=data["receipt_number"])
    if event.kind == "fee_waiver_requested":
        return _("Fee waiver asked for case %(number)s: %(amount)s instead of %(due)s (%(reason)s)",
                 number=case.number, amount=riel(data["amount_riel"]), due=riel(data["fee_due_riel"]),
                 reason=data["reason"])
    if event.kind in ("fee_waiver_approved", "fee_waiver_refused") and "fee_due_riel" in data:
        words = dict(number=case.number, amount=riel(data["amount_riel"]), due=riel(data["fee_due_riel"]))
        if event.kind == "fee_waiver_approved":
            return _("Fee waiver for case %(number)s approved by the chief: %(amount)s instead of %(due)s", **words)
        return _("Fee waiver for case %(number)s refused by the chief: %(amount)s instead of %(due)s", **words)
    if event.kind == "certificate_revoked":
        return _("Certificate %(number)s revoked: %(reason)s", number=data["certificate"], reason=data["reason"])
    if event.kind == "timer_fired":
        return _("Deadline timers fired: %(timers)s", timers=", ".join(data.get("timers", [])))
    if event.kind == "case_failed":
        # The engine's own words stay as they were (English, technical); the sentence around them is told.
        error = event.summary.removeprefix(f"Case {case.number} stopped with an error: ")
        return _("Case %(number)s stopped with an error: %(error)s", number=case.number, error=error)
    if event.kind == "case_retried":
        if data.get("corrected"):
            return _("%(name)s retried case %(number)s with corrected %(fields)s", name=actor, number=case.number,
                     fields=", ".join(data["corrected"]))
        return _("%(name)s retried case %(number)s", name=actor, number=case.number)
    if event.kind == "case_migrated":
        return _("Case %(number)s moved from version %(source)s to version %(target)s of %(procedure)s",
                 number=case.number, source=number(data["from_version"]), target=number(data["to_version"]),
                 procedure=translated(case.definition.name))
    if event.kind == "document_added" and "filename" in data:
        words = dict(file=data["filename"], type=data["file_type"], size=number(data["size"]))
        if event.actor is None:
            return _("The applicant added %(file)s (%(type)s, %(size)s bytes)", **words)
        return _("%(name)s added %(file)s (%(type)s, %(size)s bytes)", name=actor, **words)
    if event.kind in _HISTORY_TELLERS:
        return _HISTORY_TELLERS[event.kind](data, case)
    return None


def _work_event(event: AuditEvent, item: WorkItem, actor: str) -> str | None:
    data, task = event.data, translated(item.name)
    if event.kind == "work_item_claimed":
        return _("%(name)s took '%(task)s'", name=actor, task=task)
    if event.kind == "work_item_released":
        return _("%(name)s released '%(task)s'", name=actor, task=task)
    if event.kind == "work_item_completed":
        comment = event.summary.partition(f" completed '{item.name}': ")[2]
        if comment:
            return _("%(name)s completed '%(task)s': %(comment)s", name=actor, task=task, comment=comment)
        return _("%(name)s completed '%(task)s'", name=actor, task=task)
    if event.kind == "applicant_answered":
        return _("The applicant answered '%(task)s' online", task=task)
    if event.kind == "work_item_reassigned":
        # The new officer's name as it was then, from the sentence recorded (the data keeps usernames).
        officer = event.summary.partition(f" reassigned '{item.name}' to ")[2].removesuffix(f": {data['reason']}")
        return _("%(name)s reassigned '%(task)s' to %(officer)s: %(reason)s", name=actor, task=task,
                 officer=officer, reason=data["reason"])
    if event.kind == "deadline_extended":
        return _("%(name)s extended '%(task)s' from %(before)s to %(after)s: %(reason)s", name=actor, task=task,
                 before=local_time(datetime.fromisoformat(data["before"])),
                 after=local_time(datetime.fromisoformat(data["after"])), reason=data["reason"])
    return None


def _escalated(data: dict, case: Case) -> str:
    overdue = data.get("overdue_task")
    task = next((i.name for i in case.work_items if i.task == overdue and i.escalation_of_id is None), overdue)
    words = dict(role=role_title(data.get("role", "")), task=translated(task), number=case.number)
    if data.get("deadline"):
        return _("Escalated to %(role)s: '%(task)s' on case %(number)s passed its deadline of %(deadline)s",
                 deadline=local_time(datetime.fromisoformat(data["deadline"])), **words)
    return _("Escalated to %(role)s: '%(task)s' on case %(number)s passed its deadline", **words)


def _notified(kind: str, data: dict, subject: str) -> str:
    if kind == "notified":
        return _("Notified %(names)s: %(subject)s", names=", ".join(data["recipients"]), subject=subject)
    by_sms = data.get("medium") == "sms"
    if data["notification_kind"] == "complaint_outcome":
        return (_("Told the complainant by SMS: %(subject)s", subject=subject) if by_sms
                else _("Told the complainant by email: %(subject)s", subject=subject))
    return (_("Told the applicant by SMS: %(subject)s", subject=subject) if by_sms
            else _("Told the applicant by email: %(subject)s", subject=subject))


def case_dict(case: Case) -> dict:
    now = utcnow()
    return {
        "id": case.id, "number": case.number, "process": case.definition.key, "version": case.definition.version,
        "status": case.status, "error": case.error, "office": case.office.code, "channel": case.channel,
        "started_at": iso(case.started_at), "completed_at": iso(case.completed_at),
        "case_version": case.version, "clock_stopped_since": iso(case.clock_stopped_at),
        "data": case.data, "work_items": [work_item_dict(i, now) for i in case.open_items],
        "history": history_entries(case),
    }


# Built once, with the case bound when it runs: building it cost about as much as running it.
_HISTORY_ROWS = (select(AuditEvent.at, User.username, AuditEvent.kind, AuditEvent.summary, AuditEvent.data)
                 .outerjoin(User, User.id == AuditEvent.actor_id).where(AuditEvent.case_id == bindparam("case_id"))
                 .order_by(AuditEvent.id))


def history_entries(case: Case) -> list[dict]:
    """The case's history as the API sends it, read as plain rows: every answer to a completion carries
    it, and building an event and its actor as objects cost more than the rest of the answer."""
    return [{"at": at.isoformat(), "actor": username or "system", "kind": kind, "summary": summary, "data": data}
            for at, username, kind, summary, data in db.session.execute(_HISTORY_ROWS, {"case_id": case.id})]


@dataclass
class DataGroup:
    title: str
    rows: list[tuple[str, str]]  # (field title, value as shown)


def data_by_step(case: Case, data: dict | None = None) -> list[DataGroup]:
    """The case data (or the part of it given, as permissions let the reader see) under the step whose
    form first asked for it, by the forms' titles and option titles; what no form declares (script
    results, work without a form, what One Window filled in such as the receipt number) comes last, by
    its name written out."""
    data = case.data if data is None else data
    definition = case.definition
    steps = []
    if definition.start_form and definition.form(definition.start_form):
        form = definition.form(definition.start_form)
        steps.append((form.get("title") or _("Application"), form))
    done = sorted((i for i in case.work_items if i.status == "completed" and definition.form(i.form)),
                  key=lambda i: (i.closed_at, i.id))
    steps += [(item.name, definition.form(item.form)) for item in done]
    groups, shown = [], set()
    for title, form in steps:
        names = [n for n in form.get("properties", {}) if n in data and n not in shown]
        shown.update(names)
        if names:
            groups.append(DataGroup(title, [(form["properties"][n].get("title", n),
                                             display_value(form["properties"][n], data[n])) for n in names]))
    rest = [(name.replace("_", " ").capitalize(), display_value({}, value))
            for name, value in data.items() if name not in shown]
    if rest:
        groups.append(DataGroup(_("Other data"), rest))
    return groups


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
    workflow = load_workflow(case, script_helpers(office_calendar(case.office)))
    positions = workflow.positions()
    definition = case.definition
    called = called_processes(definition, by_procedure=True)  # read once: each call reads every called version
    inside_called = {p for processes in called.values() for p in processes}
    diagrams = [(definition, [p for p in positions if p not in inside_called])]
    for version, processes in called.items():
        if any(p in positions for p in processes):
            diagrams.append((version, [p for p in processes if p in positions]))
    late = {item.task for item in case.open_items if item.overdue(now)}
    found = []
    for shown, processes in diagrams:
        completed = sorted({e for p in processes for e in positions[p]["completed"]})
        current = sorted({e for p in processes for e in positions[p]["current"]})
        found.append(DiagramMarkers(shown.key, shown.version, shown.name, completed, current,
                                    sorted(late & set(current))))
    return found
