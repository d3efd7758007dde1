"""The supervisors' desks: the OWSO chief sees the office, the District Governor the district's
OWSOs (and complaint counts, never complaints), the Ombudsman supervisor the Ombudsman's work.

Reassigning, extending a deadline and adding a note are changes to a case, so they go
through the cases write path and are audited like everything else.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Office, User
from ..audit.services import record
from ..calendars.services import office_calendar
from ..calendars.working_time import working_days_between
from ..cases.models import Case, WorkItem
from ..cases.queries import visible_case
from ..cases.write_path import advance, record_change
from ..db import utcnow
from ..errors import BadRequest, NotFound, Rejected
from ..extensions import db
from ..i18n import translated
from ..notifications.services import Message, message_for, notify
from ..permissions import SUPERVISOR_ROLES, complaint_count_scope, people_holding, require_role, supervised_scope

SOON = timedelta(days=2)


@dataclass
class DeskRow:
    item: WorkItem
    working_days_late: float | None
    escalations: list[WorkItem]


def require_supervisor(user: User) -> None:
    require_role(user, *SUPERVISOR_ROLES,
                 message="Only the OWSO chief, the District Governor or the Ombudsman supervisor supervises deadlines.")


def _supervised_item(user: User, item_id: int) -> WorkItem:
    require_supervisor(user)
    item = db.session.get(WorkItem, item_id)
    if item is None or not db.session.scalar(select(WorkItem.id).where(WorkItem.id == item_id, supervised_scope(user, WorkItem))):
        raise NotFound(_("There is no work item %(id)s under your supervision.", id=item_id))
    if item.status != "open":
        raise Rejected(_("'%(task)s' on case %(number)s is already %(status)s.", task=translated(item.name),
                         number=item.case.number, status=item.status))
    return item


def desk(user: User, now: datetime | None = None, soon: timedelta = SOON) -> list[DeskRow]:
    """Overdue and soon-due work (not escalation work itself), most late first."""
    require_supervisor(user)
    now = now or utcnow()
    items = db.session.scalars(
        select(WorkItem).where(WorkItem.status == "open", WorkItem.escalation_of_id.is_(None),
                               WorkItem.due_at <= now + soon, supervised_scope(user, WorkItem))
        .options(joinedload(WorkItem.case).joinedload(Case.definition), joinedload(WorkItem.case).joinedload(Case.office),
                 joinedload(WorkItem.assignee))
        .order_by(WorkItem.due_at)).unique().all()
    escalations = defaultdict(list)
    if items:
        for escalation in db.session.scalars(select(WorkItem).where(
                WorkItem.escalation_of_id.in_([i.id for i in items]))):
            escalations[escalation.escalation_of_id].append(escalation)
    calendars = {}
    rows = []
    for item in items:
        late = None
        if item.due_at <= now:
            if item.office_id not in calendars:
                calendars[item.office_id] = office_calendar(item.case.office)
            calendar = calendars[item.office_id]
            late = round(working_days_between(calendar, item.due_at, now), 1)
        rows.append(DeskRow(item, late, escalations[item.id]))
    return rows


def grouped(rows: list[DeskRow]) -> dict:
    by_officer, by_procedure = defaultdict(list), defaultdict(list)
    for row in rows:
        by_officer[row.item.assignee.display_name if row.item.assignee else _("Not yet taken")].append(row)
        by_procedure[row.item.case.definition.name].append(row)
    return {"officer": dict(sorted(by_officer.items())), "procedure": dict(sorted(by_procedure.items()))}


def on_time_rates(user: User, now: datetime | None = None) -> list[tuple[Office, int, int]]:
    """Per office of the governor's district: work with a deadline finished this month, and how much on time."""
    now = now or utcnow()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    offices = db.session.scalars(select(Office).where(Office.district_id == user.office.district_id)
                                 .order_by(Office.name)).all()
    closed = db.session.execute(
        select(WorkItem.office_id, WorkItem.closed_at, WorkItem.due_at).where(
            WorkItem.district_id == user.office.district_id, WorkItem.status == "completed",
            WorkItem.due_at.is_not(None), WorkItem.escalation_of_id.is_(None),
            WorkItem.closed_at >= month_start)).all()
    totals = defaultdict(lambda: [0, 0])
    for office_id, closed_at, due_at in closed:
        totals[office_id][0] += 1
        totals[office_id][1] += closed_at <= due_at
    return [(office, totals[office.id][0], totals[office.id][1]) for office in offices]


def _reason(text: str | None, missing: str) -> str:
    if not text or not text.strip():
        raise BadRequest(missing)
    return text.strip()


def reassign(user: User, item_id: int, officer_id: int, reason: str) -> WorkItem:
    item = _supervised_item(user, item_id)
    reason = _reason(reason, _("Give a reason for the reassignment; it goes into the case history."))
    officer = db.session.get(User, officer_id)
    if officer is None or officer not in people_holding(item.role, item.case.office):
        raise Rejected(_("Choose an officer who holds the %(role)s role for %(office)s.", role=item.role,
                         office=item.case.office.name))
    before = item.assignee.username if item.assignee else None
    item.assignee, item.claimed_at = officer, utcnow()
    record_change(item.case, user, "work_item_reassigned", f"{user.display_name} reassigned '{item.name}' to "
                  f"{officer.display_name}: {reason}", work_item=item.id, before=before, after=officer.username,
                  reason=reason)
    notify([officer], "reassigned", {"task": item.name, "number": item.case.number, "by": user.display_name,
                                     "reason": reason}, case=item.case)
    db.session.flush()
    return item


@message_for("reassigned")
def _reassigned(params: dict, case) -> Message:
    task = translated(params["task"])
    return Message(_("'%(task)s' on case %(number)s is now yours", task=task, number=params["number"]),
                   _("%(name)s gave you '%(task)s' on case %(number)s: %(reason)s", name=params["by"], task=task,
                     number=params["number"], reason=params["reason"]))


def extend_deadline(user: User, item_id: int, new_due: datetime, reason: str) -> WorkItem:
    item = _supervised_item(user, item_id)
    reason = _reason(reason, _("Give a reason for the extension; it goes into the case history."))
    if item.due_at is None:
        raise Rejected(_("'%(task)s' has no deadline to extend.", task=translated(item.name)))
    if new_due <= max(item.due_at, utcnow()):
        raise Rejected(_("The new deadline must be later than both the current deadline and now."))
    before = item.due_at
    shift = new_due - before

    def move(workflow):
        workflow.shift_timers({timer_id: fires_at + shift
                               for timer_id, fires_at in workflow.deadline_timers(item.task_id).items()})
    advance(item.case, user, move)
    record("deadline_extended", f"{user.display_name} extended '{item.name}' from "
           f"{before:%Y-%m-%d %H:%M} to {item.due_at:%Y-%m-%d %H:%M} UTC: {reason}", actor=user, case=item.case,
           work_item=item.id, before=before.isoformat(), after=item.due_at.isoformat(), reason=reason)
    return item


def add_note(user: User, case_id: int, text: str) -> Case:
    require_supervisor(user)
    case = visible_case(user, case_id)
    text = _reason(text, _("Give a reason for the note; it goes into the case history."))
    record_change(case, user, "note", f"Note from {user.display_name}: {text}", note=text)
    return case


def officers_for(rows: list[DeskRow]) -> dict[tuple[str, int], list[User]]:
    """Who each row's work could be given to, asked once per role and office, not once per row."""
    found = {}
    for row in rows:
        key = (row.item.role, row.item.office_id)
        if key not in found:
            found[key] = sorted(people_holding(row.item.role, row.item.case.office), key=lambda u: u.display_name)
    return found


@dataclass
class ComplaintCount:
    office: Office
    open: int
    overdue: int
    next_deadline: datetime | None


def complaint_counts(user: User, now: datetime | None = None) -> list[ComplaintCount]:
    """Per office of the district: complaints to the Ombudsman still open, how many have overdue work,
    and the next deadline. Numbers only: the governor never reads a complaint."""
    now = now or utcnow()
    open_work = (select(WorkItem.case_id, func.min(WorkItem.due_at).label("next_due"))
                 .where(WorkItem.status == "open", WorkItem.escalation_of_id.is_(None))
                 .group_by(WorkItem.case_id).subquery())
    rows = db.session.execute(
        select(Case.office_id, func.count(Case.id), func.count(sql_case((open_work.c.next_due <= now, 1))),
               func.min(open_work.c.next_due))
        .outerjoin(open_work, open_work.c.case_id == Case.id)
        .where(Case.status == "running", complaint_count_scope(user, Case)).group_by(Case.office_id)).all()
    offices = {o.id: o for o in db.session.scalars(select(Office).where(Office.id.in_([r[0] for r in rows])))}
    return sorted((ComplaintCount(offices[office_id], total, overdue, next_due)
                   for office_id, total, overdue, next_due in rows), key=lambda c: c.office.name)
