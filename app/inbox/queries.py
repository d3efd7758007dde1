"""The inbox: open work the user may do, soonest deadline first, in pages of 50.

Pages are keyset pages by (due_at, id), items without a deadline last: each page starts
after the last item of the previous one, so page 2000 costs what page 1 costs. Each
(role, office or district) the user works in is one index range scan of
ix_work_item_inbox_office / ix_work_item_inbox_district, merged here.
"""
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..bounds import ID_MAX
from ..cases.models import Case, WorkItem
from ..errors import BadRequest
from ..extensions import db
from ..permissions import workable_scopes

PAGE_SIZE = 50


@dataclass
class InboxPage:
    items: list[WorkItem]
    next_after: int | None  # the `after` of the next page, None on the last one


def _sort_key(item: WorkItem):
    return (item.due_at is None, item.due_at or datetime.min, item.id)


def _scope_page(scope, cursor: tuple | None, limit: int) -> list[WorkItem]:
    # A row shows the case's number and the holder's name: not the case's data.
    base = (select(WorkItem).where(WorkItem.status == "open", scope)
            .options(joinedload(WorkItem.case).load_only(Case.number), joinedload(WorkItem.assignee)))
    found = []
    if cursor is None or cursor[0] is not None:
        # Two ranges, not ORDER BY ... NULLS LAST: SQLite puts NULLs first in the index.
        dated = base.where(WorkItem.due_at.is_not(None))
        if cursor is not None:
            dated = dated.where(tuple_(WorkItem.due_at, WorkItem.id) > cursor)
        found = list(db.session.scalars(dated.order_by(WorkItem.due_at, WorkItem.id).limit(limit)))
    if len(found) < limit:
        undated = base.where(WorkItem.due_at.is_(None))
        if cursor is not None and cursor[0] is None:
            undated = undated.where(WorkItem.id > cursor[1])
        found += db.session.scalars(undated.order_by(WorkItem.id).limit(limit - len(found)))
    return found


def parse_after(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    # ASCII digits within the id range: int() of '²' or of 30 digits is no work item either.
    if not re.fullmatch(r"[0-9]{1,10}", value) or int(value) > ID_MAX:
        raise BadRequest(_("`after` must be the id of a work item (a whole number), not '%(value)s'.",
                           value=value[:40]))
    return int(value)


def inbox_page(user: User, after: int | None = None, size: int = PAGE_SIZE) -> InboxPage:
    """The page of the user's inbox that follows work item `after` (None: the first page)."""
    cursor = None
    if after is not None:
        row = db.session.execute(select(WorkItem.due_at, WorkItem.id).where(WorkItem.id == after)).first()
        if row is None:
            raise BadRequest(_("There is no work item %(id)s to continue after; use the id of the last item "
                               "of the page you have, or leave out `after` for the first page.", id=after))
        cursor = tuple(row)
    found = sorted((item for scope in workable_scopes(user, WorkItem) for item in _scope_page(scope, cursor, size + 1)),
                   key=_sort_key)
    items = found[:size]
    return InboxPage(items, items[-1].id if len(found) > size else None)
