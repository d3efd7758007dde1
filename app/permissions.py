"""Who may see and do what: the one place that decides.

Every question is answered twice, the same way: as a SQL clause for lists (inbox, desks,
search, people holding a role) and as a yes/no for one object (a case page, a work item,
an API call). Nothing else in One Window decides visibility.

Scopes:
- **office**: staff see the cases and work of their own office;
- **district**: the District Governor (and other district roles) see every office of the
  district;
- **role**: a work item is worked by users holding the role of its lane in that scope;
- **the Ombudsman's jurisdiction**: complaint cases belong to the District Ombudsman's
  office (see ``Jurisdiction``);
- **the citizen holding an access code**: no account; the public view of one case only
  (``CitizenAccess``; the portal checks the code, then asks here).

The model classes are passed in (``case_scope(user, Case)``) so that this module imports
only accounts.models and sits below every feature package that asks it.
"""
import functools
from dataclasses import dataclass
from enum import StrEnum

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, false, or_, select

from .accounts.models import Office, User, UserRole
from .errors import Forbidden
from .extensions import db


class Role(StrEnum):
    """Every role a user can hold; a lane of a diagram is named after one of the workflow roles."""
    FRONT_OFFICE = "front_office"
    BACK_OFFICE = "back_office"
    OWSO_CHIEF = "owso_chief"
    DISTRICT_GOVERNOR = "district_governor"
    OMBUDSMAN = "ombudsman"
    DESIGNER = "designer"
    ADMIN = "admin"

    @property
    def title(self) -> str:
        return str(ROLE_TITLES[self])


ROLE_TITLES = {
    Role.FRONT_OFFICE: _l("Front-office officer"),
    Role.BACK_OFFICE: _l("Back-office officer"),
    Role.OWSO_CHIEF: _l("OWSO chief"),
    Role.DISTRICT_GOVERNOR: _l("District Governor"),
    Role.OMBUDSMAN: _l("District Ombudsman"),
    Role.DESIGNER: _l("Process designer"),
    Role.ADMIN: _l("Administrator"),
}
# Roles that may name a lane: the work of a case.
WORKFLOW_ROLES = (Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.OWSO_CHIEF, Role.DISTRICT_GOVERNOR, Role.OMBUDSMAN)
# These roles look after every office of their district, not just their own.
DISTRICT_ROLES = frozenset({Role.DISTRICT_GOVERNOR, Role.OMBUDSMAN})
# Who keeps deadlines: the chief for the office, the governor for the district.
SUPERVISOR_ROLES = (Role.OWSO_CHIEF, Role.DISTRICT_GOVERNOR)


def role_title(role: str) -> str:
    return str(ROLE_TITLES.get(role, role))


def is_role(name: str) -> bool:
    return name in Role.__members__.values()


# --- requiring a role ------------------------------------------------------------------

def require_role(user: User, *roles: Role, message: str | None = None) -> None:
    """Forbidden (403) unless the user holds one of the roles."""
    if not user.has_role(*roles):
        raise Forbidden(message or _("Only a %(roles)s may do this.", roles=_(" or ").join(role_title(r) for r in roles)))


def acting_user() -> User:
    """The user of this request: the API token's holder, or the signed-in person."""
    return g.get("api_user") or current_user


def role_required(*roles: Role, message: str | None = None):
    """The one way to require a role on a page or an API call (after login_required / token_required)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            require_role(acting_user(), *roles, message=message)
            return view(*args, **kwargs)
        return wrapper
    return decorator


# --- scopes ----------------------------------------------------------------------------

def _district_wide(user: User) -> bool:
    return bool(user.roles & DISTRICT_ROLES)


def _offices_of_district(district_id: int):
    return select(Office.id).where(Office.district_id == district_id)


def case_scope(user: User, case_model):
    """Cases the user may see: district roles the whole district, everyone else their office."""
    if _district_wide(user):
        return case_model.office_id.in_(_offices_of_district(user.office.district_id))
    return case_model.office_id == user.office_id


def may_see_case(user: User, case) -> bool:
    if _district_wide(user):
        return case.office.district_id == user.office.district_id
    return case.office_id == user.office_id


def may_see_item(user: User, item) -> bool:
    """Seeing a work item: the work of one's district role in the district, else one's office."""
    if item.role in DISTRICT_ROLES and item.role in user.roles:
        return item.district_id == user.office.district_id
    return item.office_id == user.office_id


def workable_scopes(user: User, item_model) -> list:
    """Work items the user may do, one condition per role they hold (in that role's scope): the
    inbox reads each as one index range."""
    return [and_(item_model.role == role, _item_place(user, role, item_model)) for role in sorted(user.roles)]


def workable_scope(user: User, item_model):
    """Work items the user may do: each role they hold, in that role's scope."""
    conditions = workable_scopes(user, item_model)
    return or_(*conditions) if conditions else false()


def may_work(user: User, item) -> bool:
    return item.role in user.roles and may_see_item(user, item)


def _item_place(user: User, role: str, item_model):
    if role in DISTRICT_ROLES:
        return item_model.district_id == user.office.district_id
    return item_model.office_id == user.office_id


def supervised_scope(user: User, item_model):
    """Work the user supervises: the governor's whole district, the chief's own office, else nothing."""
    if user.has_role(Role.DISTRICT_GOVERNOR):
        return item_model.district_id == user.office.district_id
    if user.has_role(Role.OWSO_CHIEF):
        return item_model.office_id == user.office_id
    return false()


def people_holding(role: str, office: Office) -> list[User]:
    """Active users who hold the role for this office (district roles: anywhere in its district)."""
    query = select(User).join(UserRole).where(UserRole.role == role, User.active.is_(True))
    if role in DISTRICT_ROLES:
        query = query.where(User.office_id.in_(_offices_of_district(office.district_id)))
    else:
        query = query.where(User.office_id == office.id)
    return list(db.session.scalars(query.order_by(User.id)))


# --- the citizen -----------------------------------------------------------------------

@dataclass(frozen=True)
class CitizenAccess:
    """Someone without an account who gave a case number and its access code.

    The portal checks the code (it owns access codes) and builds this only for a right pair;
    from then on the holder sees the public view of that one case and nothing else.
    """
    case_id: int


def citizen_may_see(access: CitizenAccess | None, case) -> bool:
    return access is not None and access.case_id == case.id


# --- reports ---------------------------------------------------------------------------

def reported_offices(user: User) -> list[int] | None:
    """The offices whose figures the user reads: administrators every office (None), the District
    Governor the district, the OWSO chief the office; nobody else reads office reports."""
    if user.has_role(Role.ADMIN):
        return None
    if user.has_role(Role.DISTRICT_GOVERNOR):
        return list(db.session.scalars(_offices_of_district(user.office.district_id)))
    if user.has_role(Role.OWSO_CHIEF):
        return [user.office_id]
    raise Forbidden(_("Only the OWSO chief, the District Governor and administrators read the office reports."))


# --- certificates ----------------------------------------------------------------------

def may_revoke_certificate(user: User, certificate) -> bool:
    """Only the chief of the office that issued it."""
    return user.has_role(Role.OWSO_CHIEF) and user.office_id == certificate.office_id
