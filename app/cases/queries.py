"""Reading cases: one case or work item as a user may see it (404 otherwise)."""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..accounts.models import User
from ..errors import NotFound
from ..extensions import db
from ..permissions import may_see_case, may_see_item
from .models import Case, WorkItem


def visible_case(user: User, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not may_see_case(user, case):
        raise NotFound(_("There is no case %(id)s in your office.", id=case_id))
    return case


def visible_item(user: User, item_id: int, lock: bool = False, with_state: bool = False) -> WorkItem:
    """The work item if the user may see it. With lock, its case is locked first and the item read
    after, so of several people acting on one item at the same moment each sees what the one before
    them did: one wins, the others get 409."""
    if lock:
        case_id = db.session.scalar(select(WorkItem.case_id).where(WorkItem.id == item_id))
        if case_id is not None:
            lock_case(case_id, with_state)
    item = db.session.get(WorkItem, item_id, populate_existing=lock)
    if item is None or not may_see_item(user, item):
        raise NotFound(_("There is no work item %(id)s in your office.", id=item_id))
    return item


def lock_case(case_id: int, with_state: bool = False) -> Case:
    """The case, re-read under a row lock held until commit (PostgreSQL: FOR UPDATE; SQLite: every
    write transaction already holds the database's write lock, see app/db.py)."""
    # with_state: the engine runs next, so its task state comes with the lock (one query, not two).
    case = db.session.get(Case, case_id, with_for_update=True, populate_existing=True,
                          options=[undefer(Case.workflow_state)] if with_state else [])
    db.session.expire(case, ["work_items"])
    return case
