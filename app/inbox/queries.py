from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import DISTRICT_ROLES, User
from ..cases.models import WorkItem
from ..extensions import db


def _workable_by(user: User):
    conditions = []
    for role in user.roles:
        if role in DISTRICT_ROLES:
            conditions.append(and_(WorkItem.role == role, WorkItem.district_id == user.office.district_id))
        else:
            conditions.append(and_(WorkItem.role == role, WorkItem.office_id == user.office_id))
    return or_(*conditions) if conditions else None


def inbox_items(user: User, limit: int = 500) -> list[WorkItem]:
    """Open work the user may do, soonest deadline first; items without a deadline last."""
    condition = _workable_by(user)
    if condition is None:
        return []
    query = (select(WorkItem).where(WorkItem.status == "open", condition)
             .options(joinedload(WorkItem.case), joinedload(WorkItem.assignee))
             .order_by(WorkItem.due_at.asc().nulls_last(), WorkItem.id).limit(limit))
    return list(db.session.scalars(query))
