"""Reading cases: one case as a user may see it."""
from ..accounts.models import User
from ..errors import NotFound
from ..extensions import db
from ..permissions import may_see_case
from .models import Case


def visible_case(user: User, case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not may_see_case(user, case):
        raise NotFound(f"There is no case {case_id} in your office.")
    return case
