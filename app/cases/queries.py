"""Reading cases: one case or work item as a user may see it (404 otherwise); finding cases."""
import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..audit.services import head_column, remember_head
from ..calendars.services import holidays_column, remember_holidays
from ..catalogue.models import ServiceVersion
from ..errors import BadRequest, NotFound
from ..extensions import db
from ..permissions import case_scope, may_see_case, may_see_item
from ..processes.models import ProcessDefinition
from .models import CASE_STATUSES, Case, WorkItem


def visible_case(user: User, case_id: int, for_page: bool = False) -> Case:
    """The case if the user may see it; for_page, with what the case page shows besides: the engine's task
    state (where the case stands) and the catalogue entry (the fee)."""
    case = db.session.scalars(_case_statement(for_page), {"case_id": case_id}).first()
    if case is None or not may_see_case(user, case):
        raise NotFound(_("There is no case %(id)s in your office.", id=case_id))
    return case


@functools.cache
def _case_statement(for_page: bool):
    # Whoever shows a case names its procedure; its office decides who may see it. Built once, as the lock's.
    options = [joinedload(Case.office), joinedload(Case.definition)]
    if for_page:
        options += [undefer(Case.workflow_state), joinedload(Case.service_version)]
    return select(Case).where(Case.id == bindparam("case_id")).options(*options)


def visible_item(user: User, item_id: int, lock: bool = False, with_state: bool = False) -> WorkItem:
    """The work item if the user may see it. With lock, its case is locked first and the item read
    after, so of several people acting on one item at the same moment each sees what the one before
    them did: one wins, the others get 409."""
    case = _locked("item", item_id, with_state) if lock else None
    item = db.session.get(WorkItem, item_id)  # with the lock: read with its case's work, just now
    if item is None or not may_see_item(user, item):
        raise NotFound(_("There is no work item %(id)s in your office.", id=item_id))
    if case is not None:  # the item keeps the locked case itself (the session only holds it weakly)
        set_committed_value(item, "case", case)
    return item


def lock_case(case_id: int, with_state: bool = False) -> Case:
    """The case, re-read under a row lock held until commit (PostgreSQL: FOR UPDATE; SQLite: every
    write transaction already holds the database's write lock, see app/db.py)."""
    return _locked("case", case_id, with_state)


def _locked(by: str, key: int, with_state: bool) -> Case | None:
    row = db.session.execute(_lock_statement(by, with_state), {"key": key}).one_or_none()
    if row is None:
        return None
    case, head, holidays = row
    remember_head(case.id, head)
    remember_holidays(case.office_id, holidays)
    set_committed_value(case, "work_items", list(db.session.scalars(_WORK_OF_CASE, {"case_id": case.id})))
    return case


@functools.cache
def _lock_statement(by: str, with_state: bool):
    """The write path's reads come with the lock: in its statement the office (calendar), the
    procedure (forms, spec), the catalogue entry (fee, timers), the office's holidays, the case's
    latest history hash and, with_state, the engine's task state; then the case's work items, as
    they are now that the case is locked (a plain query: the selectin loader costs three times more).
    Built once: building it costs as much as running it."""
    options = [joinedload(Case.office), joinedload(Case.definition),
               joinedload(Case.service_version).joinedload(ServiceVersion.service)]
    if with_state:
        options.append(undefer(Case.workflow_state))
    case_id = bindparam("key") if by == "case" else (
        select(WorkItem.case_id).where(WorkItem.id == bindparam("key")).scalar_subquery())
    return (select(Case, head_column(Case.id), holidays_column(Case.office_id)).where(Case.id == case_id)
            .options(*options).with_for_update(of=Case).execution_options(populate_existing=True))


_WORK_OF_CASE = (select(WorkItem).where(WorkItem.case_id == bindparam("case_id")).order_by(WorkItem.id)
                 .execution_options(populate_existing=True))


# Where a person's name or phone sits in the procedures' application forms.
PEOPLE_FIELDS = ("applicant_name", "applicant_phone", "business_name", "owner_name", "owner_phone", "declarant_name",
                 "declarant_phone", "child_family_name", "child_given_name", "complainant_name",
                 "complainant_contact")
STATUSES = tuple(CASE_STATUSES)


@dataclass
class Search:
    """What staff look for: any of these, all given ones must match."""
    q: str = ""
    number: str = ""
    status: str = ""
    process: str = ""
    after: date | None = None
    before: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Search":
        """From a query string (page or API); a malformed value is refused with what to write instead."""
        text = {key: (args.get(key) or "").strip() for key in ("q", "number", "status", "process")}
        for key, value in text.items():
            if len(value) > 200:
                raise BadRequest(_("'%(key)s' may have at most 200 characters.", key=key))
        if text["status"] and text["status"] not in STATUSES:
            raise BadRequest(_("'status' is one of %(statuses)s.", statuses=", ".join(STATUSES)))
        page = args.get("page") or "1"
        if not page.isdigit() or not 1 <= int(page) <= 10_000:
            raise BadRequest(_("'page' is a whole number from 1."))
        return cls(**text, after=_date(args, "after"), before=_date(args, "before"), page=int(page))


def _date(args, key: str) -> date | None:
    value = (args.get(key) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(_("'%(key)s' is a date written YYYY-MM-DD, e.g. 2026-12-01.", key=key)) from None


def search_cases(user: User, search: Search, per_page: int = 50) -> tuple[list[Case], bool]:
    """One page of the cases the user may see that match, newest first, and whether more follow."""
    query = select(Case).where(case_scope(user, Case))
    if search.number:
        query = query.where(Case.number.ilike(f"{_like(search.number.upper())}%", escape="\\"))
    if search.q:
        pattern = f"%{_like(search.q)}%"
        query = query.where(or_(Case.number.ilike(pattern, escape="\\"),
                                *(Case.data[field].as_string().ilike(pattern, escape="\\") for field in PEOPLE_FIELDS)))
    if search.status:
        query = query.where(Case.status == search.status)
    if search.process:
        query = query.where(Case.process_definition_id.in_(
            select(ProcessDefinition.id).where(ProcessDefinition.key == search.process)))
    if search.after:
        query = query.where(Case.started_at >= _start_of(search.after, user))
    if search.before:
        query = query.where(Case.started_at < _start_of(search.before + timedelta(days=1), user))
    rows = list(db.session.scalars(
        query.options(joinedload(Case.definition), joinedload(Case.office))
        .order_by(Case.started_at.desc(), Case.id.desc())
        .offset((search.page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _start_of(day: date, user: User) -> datetime:
    # A date means the office's calendar day.
    return datetime.combine(day, time(0), ZoneInfo(user.office.timezone))
