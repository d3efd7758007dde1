"""Plain-dict views of cases and work items for the JSON API, and the case data as staff read it."""
import re
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
from ..i18n import language, number, translated
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
    # Who did each thing comes with it (their names only, not their roles): no query per person.
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                   .options(joinedload(AuditEvent.actor).lazyload(User.role_rows))
                                   .order_by(AuditEvent.at, AuditEvent.id)))


def case_summary(case: Case) -> dict:
    """A case in a list: what tells it apart, without its data or history."""
    return {"id": case.id, "number": case.number, "process": case.definition.key, "name": case.definition.name,
            "status": case.status, "office": case.office.code, "channel": case.channel,
            "started_at": iso(case.started_at), "completed_at": iso(case.completed_at)}
def history_line(event: AuditEvent, case: Case) -> str:
    """One line of a case's history as the reader reads it. History is recorded once, in English (it is
    hash-chained); for other languages the common kinds are told again from what the event recorded,
    and any other kind shows the recorded sentence."""
    if language() == "en":
        return event.summary
    actor = event.actor.display_name if event.actor else _("system")
    item = next((i for i in case.work_items if i.id == event.data.get("work_item")), None)
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
        return _("Note from %(name)s: %(text)s", name=actor, text=event.data.get("note", ""))
    if item is None:
        return event.summary
    task = translated(item.name)
    if event.kind == "work_item_claimed":
        return _("%(name)s took '%(task)s'", name=actor, task=task)
    if event.kind == "work_item_released":
        return _("%(name)s released '%(task)s'", name=actor, task=task)
    if event.kind == "work_item_completed":
        comment = event.summary.partition(f" completed '{item.name}': ")[2]
        if comment:
            return _("%(name)s completed '%(task)s': %(comment)s", name=actor, task=task, comment=comment)
        return _("%(name)s completed '%(task)s'", name=actor, task=task)
    return event.summary


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
                 .order_by(AuditEvent.at, AuditEvent.id))


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
