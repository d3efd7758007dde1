from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..cases.models import WorkItem
from ..extensions import db
from ..permissions import workable_scope


def inbox_items(user: User, limit: int = 500) -> list[WorkItem]:
    """Open work the user may do, soonest deadline first; items without a deadline last."""
    query = (select(WorkItem).where(WorkItem.status == "open", workable_scope(user, WorkItem))
             .options(joinedload(WorkItem.case), joinedload(WorkItem.assignee))
             .order_by(WorkItem.due_at.asc().nulls_last(), WorkItem.id).limit(limit))
    return list(db.session.scalars(query))
