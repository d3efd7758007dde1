"""Reading cases: one case or work item as a user may see it (404 otherwise)."""
from ..accounts.models import User
from ..errors import NotFound
from ..extensions import db
from ..permissions import may_see_case, may_see_item
from .models import Case, WorkItem


def visible_case(user: User, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not may_see_case(user, case):
        raise NotFound(f"There is no case {case_id} in your office.")
    return case


def visible_item(user: User, item_id: int) -> WorkItem:
    item = db.session.get(WorkItem, item_id)
    if item is None or not may_see_item(user, item):
        raise NotFound(f"There is no work item {item_id} in your office.")
    return item
