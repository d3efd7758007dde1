"""Reading cases: one case or work item as a user may see it (404 otherwise); finding cases."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..catalogue.models import ServiceVersion
from ..errors import BadRequest, NotFound
from ..extensions import db
from ..permissions import case_scope, may_see_case, may_see_item
from ..processes.models import ProcessDefinition
from .models import CASE_STATUSES, Case, WorkItem


def visible_case(user: User, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not may_see_case(user, case):
        raise NotFound(_("There is no case %(id)s in your office.", id=case_id))
    return case


def visible_item(user: User, item_id: int, lock: bool = False, with_state: bool = False) -> WorkItem:
    """The work item if the user may see it. With lock, its case is locked first and the item read
    after, so of several people acting on one item at the same moment each sees what the one before
    them did: one wins, the others get 409."""
    case = None
    if lock:
        case = _locked(Case.id == select(WorkItem.case_id).where(WorkItem.id == item_id).scalar_subquery(),
                       with_state)
    item = db.session.get(WorkItem, item_id)  # with the lock: read with its case's work, just now
    if item is None or not may_see_item(user, item):
        raise NotFound(_("There is no work item %(id)s in your office.", id=item_id))
    if case is not None:  # the item keeps the locked case itself (the session only holds it weakly)
        set_committed_value(item, "case", case)
    return item


def lock_case(case_id: int, with_state: bool = False) -> Case:
    """The case, re-read under a row lock held until commit (PostgreSQL: FOR UPDATE; SQLite: every
    write transaction already holds the database's write lock, see app/db.py)."""
    return _locked(Case.id == case_id, with_state)


def _locked(condition, with_state: bool) -> Case | None:
    # The write path's reads come with the lock: in its statement the office (calendar), the
    # procedure (forms, spec), the catalogue entry (fee, timers) and, with_state, the engine's
    # task state; then the case's work items, as they are now that the case is locked.
    options = [joinedload(Case.office), joinedload(Case.definition),
               joinedload(Case.service_version).joinedload(ServiceVersion.service), selectinload(Case.work_items)]
    if with_state:
        options.append(undefer(Case.workflow_state))
    return db.session.scalars(select(Case).where(condition).options(*options).with_for_update(of=Case)
                              .execution_options(populate_existing=True)).unique().one_or_none()
