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
  office (the Ombudsman and the Ombudsman supervisor of the district) and to no OWSO staff.
  The OWSO answers a complaint through its own work item, which shows the complaint's
  substance but not the complainant's identity unless they agreed (``case_data_for``); the
  Ombudsman's overdue work escalates to the Ombudsman supervisor, never to the OWSO chief,
  whose desk never lists it; the governor sees complaint counts and deadlines only;
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
    OMBUDSMAN_SUPERVISOR = "ombudsman_supervisor"
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
    Role.OMBUDSMAN_SUPERVISOR: _l("Ombudsman supervisor"),
    Role.DESIGNER: _l("Process designer"),
    Role.ADMIN: _l("Administrator"),
}
# Roles that may name a lane: the work of a case.
WORKFLOW_ROLES = (Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.OWSO_CHIEF, Role.DISTRICT_GOVERNOR, Role.OMBUDSMAN,
                  Role.OMBUDSMAN_SUPERVISOR)
# The District Ombudsman's office: independent of the OWSO it investigates.
OMBUDSMAN_OFFICE = frozenset({Role.OMBUDSMAN, Role.OMBUDSMAN_SUPERVISOR})
# These roles look after every office of their district, not just their own.
DISTRICT_ROLES = frozenset({Role.DISTRICT_GOVERNOR}) | OMBUDSMAN_OFFICE
# Who keeps deadlines: the chief for the office, the governor for the district's OWSOs, the
# Ombudsman supervisor for the Ombudsman's own work.
SUPERVISOR_ROLES = (Role.OWSO_CHIEF, Role.DISTRICT_GOVERNOR, Role.OMBUDSMAN_SUPERVISOR)


class Jurisdiction(StrEnum):
    """Whose case it is. A diagram says so with the process property ``jurisdiction``."""
    OWSO = "owso"
    OMBUDSMAN = "ombudsman"


# Only roles whose work it is start each kind of case (a citizen online: the portal decides).
CASE_STARTERS = {Jurisdiction.OWSO: (Role.FRONT_OFFICE,), Jurisdiction.OMBUDSMAN: (Role.OMBUDSMAN,)}
# What the OWSO reads of a complaint it must answer or act on: its substance and category, and the
# Ombudsman's finding and recommendation. The identity only when the complainant agreed.
COMPLAINT_SUBSTANCE = ("complaint_text", "complaint_subject", "complaint_category", "related_case_number",
                       "incident_date", "finding", "recommendation")
COMPLAINANT_IDENTITY = ("complainant_name", "complainant_contact")
CONSENT_FIELD = "share_identity"
# Who looks after cases in error (every office's; they see where and why a case stopped, not its data)
# and moves running cases to a new version of their procedure.
INCIDENT_ROLES = (Role.ADMIN, Role.DESIGNER)


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


def in_ombudsman_office(user: User) -> bool:
    return bool(user.roles & OMBUDSMAN_OFFICE)


def _offices_of_district(district_id: int):
    return select(Office.id).where(Office.district_id == district_id)


def case_scope(user: User, case_model):
    """Cases the user may see. OWSO cases: district roles the whole district, everyone else their
    office (the Ombudsman included: an investigation reads the case complained about). Complaint
    cases: the Ombudsman's office of the district, nobody else."""
    district = case_model.office_id.in_(_offices_of_district(user.office.district_id))
    owso = district if _district_wide(user) else case_model.office_id == user.office_id
    if not in_ombudsman_office(user):
        return and_(case_model.jurisdiction == Jurisdiction.OWSO, owso)
    return or_(and_(case_model.jurisdiction == Jurisdiction.OWSO, owso),
               and_(case_model.jurisdiction == Jurisdiction.OMBUDSMAN, district))


def may_see_case(user: User, case) -> bool:
    same_district = case.office.district_id == user.office.district_id
    if case.jurisdiction == Jurisdiction.OMBUDSMAN:
        return in_ombudsman_office(user) and same_district
    return same_district if _district_wide(user) else case.office_id == user.office_id


def may_see_item(user: User, item) -> bool:
    """Seeing a work item: one's own role's work in that role's scope; others' work as one sees the case.

    So the OWSO chief sees the complaint's response item (chief's work) but no other work of it.
    """
    if item.role in user.roles:
        return _in_place(user, item.role, item.office_id, item.district_id)
    if item.case.jurisdiction == Jurisdiction.OMBUDSMAN:
        return in_ombudsman_office(user) and item.district_id == user.office.district_id
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
    return item.role in user.roles and _in_place(user, item.role, item.office_id, item.district_id)


def _in_place(user: User, role: str, office_id: int, district_id: int) -> bool:
    if role in DISTRICT_ROLES:
        return district_id == user.office.district_id
    return office_id == user.office_id


def _item_place(user: User, role: str, item_model):
    if role in DISTRICT_ROLES:
        return item_model.district_id == user.office.district_id
    return item_model.office_id == user.office_id


def supervised_scope(user: User, item_model):
    """Work the user supervises. The chief: the OWSO work of the office; the governor: the OWSO work
    of the district; the Ombudsman supervisor: the Ombudsman's work of the district. Nobody
    outside the Ombudsman's office supervises, or even lists, the Ombudsman's work."""
    owso_work = item_model.role.not_in(sorted(OMBUDSMAN_OFFICE))
    conditions = []
    if user.has_role(Role.DISTRICT_GOVERNOR):
        conditions.append(and_(owso_work, item_model.district_id == user.office.district_id))
    if user.has_role(Role.OWSO_CHIEF):
        conditions.append(and_(owso_work, item_model.office_id == user.office_id))
    if user.has_role(Role.OMBUDSMAN_SUPERVISOR):
        conditions.append(and_(item_model.role.in_(sorted(OMBUDSMAN_OFFICE)),
                               item_model.district_id == user.office.district_id))
    return or_(*conditions) if conditions else false()


def complaint_count_scope(user: User, case_model):
    """Complaint cases the governor (or the Ombudsman's office) may count: the district's, as numbers
    and deadlines only; anyone else none."""
    if not (user.has_role(Role.DISTRICT_GOVERNOR) or in_ombudsman_office(user)):
        return false()
    return and_(case_model.jurisdiction == Jurisdiction.OMBUDSMAN,
                case_model.office_id.in_(_offices_of_district(user.office.district_id)))


# --- starting cases and reading them -----------------------------------------------------

def may_start_any(user: User) -> bool:
    return any(user.has_role(*starters) for starters in CASE_STARTERS.values())


def may_start(user: User, jurisdiction: str) -> bool:
    return user.has_role(*CASE_STARTERS[Jurisdiction(jurisdiction)])


def require_may_start(user: User, jurisdiction: str, procedure: str) -> None:
    starters = CASE_STARTERS[Jurisdiction(jurisdiction)]
    require_role(user, *starters, message=f"Only a {' or '.join(role_title(r) for r in starters)} starts a "
                                          f"case of '{procedure}'.")


def may_see_identity(user: User, case) -> bool:
    """The complainant's name and contact: the Ombudsman's office, or anyone the complainant agreed to."""
    if case.jurisdiction != Jurisdiction.OMBUDSMAN or may_see_case(user, case):
        return True
    return case.data.get(CONSENT_FIELD) is True


def case_data_for(user: User, case) -> dict:
    """The case data this user may read: all of it where they see the case; else (the OWSO answering a
    complaint) its substance, and the identity only with the complainant's consent."""
    if may_see_case(user, case):
        return dict(case.data)
    fields = COMPLAINT_SUBSTANCE + (COMPLAINANT_IDENTITY if may_see_identity(user, case) else ())
    return {key: case.data[key] for key in fields if key in case.data}


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


def init_app(app) -> None:
    """Templates ask the same questions: ``current_user.has_role(Role.ADMIN)``, ``may_work(user, item)``."""
    app.jinja_env.globals.update(Role=Role, SUPERVISOR_ROLES=SUPERVISOR_ROLES, INCIDENT_ROLES=INCIDENT_ROLES,
                                 may_start_any=may_start_any, may_work=may_work, may_see_case=may_see_case)
