"""Running the offices' accounts: districts, offices and users, every change audited.

Write functions flush; the caller (a request or a CLI command) commits once.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import District, Office, User, UserRole
from ..accounts.services import end_sessions, find_office, hash_password, password_problem, revoke_tokens
from ..audit.services import record
from ..errors import Conflict, NotFound, Rejected
from ..extensions import db
from ..permissions import Role, is_role


def create_district(code: str, name: str, timezone: str = "Asia/Phnom_Penh") -> District:
    if db.session.scalars(select(District).where(District.code == code)).first():
        raise Conflict(_("District %(code)s already exists.", code=code))
    district = District(code=code, name=name, timezone=timezone)
    db.session.add(district)
    db.session.flush()
    return district


def create_office(code: str, name: str, district_code: str | None = None, actor=None) -> Office:
    code = code.strip().upper()
    if not code.replace("-", "").isalnum():
        raise Rejected(_("An office code uses only letters, digits and dashes, e.g. KPS or PP-DK."))
    if db.session.scalars(select(Office).where(Office.code == code)).first():
        raise Conflict(_("Office %(code)s already exists.", code=code))
    district_code = (district_code or code).strip().upper()
    district = db.session.scalars(select(District).where(District.code == district_code)).first()
    if district is None:
        district = create_district(district_code, f"{name} district")
    office = Office(code=code, name=name, district=district, timezone=district.timezone)
    db.session.add(office)
    db.session.flush()
    record("office_created", f"Office {code} ({name}) created in district {district.code}", actor=actor,
           office=code, district=district.code)
    return office


def create_user(username: str, password: str, roles: list[str], office_code: str, full_name: str = "",
                email: str | None = None, actor=None) -> User:
    _roles(roles)
    problem = password_problem(password, username)
    if problem:
        raise Rejected(problem)
    if db.session.scalars(select(User).where(User.username == username)).first():
        raise Conflict(_("User %(name)s already exists.", name=username))
    user = User(username=username, full_name=full_name, email=email, office=find_office(office_code),
                password_hash=hash_password(password),
                role_rows=[UserRole(role=r) for r in sorted(set(roles))])
    db.session.add(user)
    db.session.flush()
    record("user_created", f"User {username} created with roles {', '.join(sorted(set(roles)))}", actor=actor,
           username=username, roles=sorted(set(roles)), office=office_code)
    return user


def _roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if not is_role(r)]
    if unknown or not roles:
        raise Rejected(_("Unknown role(s) %(unknown)s; roles are: %(roles)s.",
                         unknown=", ".join(unknown) or _("(none given)"), roles=", ".join(Role)),
                       {"roles": "choose at least one role"})
    return sorted(set(roles))


def user_by_id(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no user %(id)s.", id=user_id))
    return user


def update_user(actor: User, user_id: int, full_name: str, email: str | None, roles: list[str], office_code: str,
                active: bool) -> User:
    """Name, email, roles, office and whether the account may sign in; deactivating ends its sessions
    and tokens at once."""
    user = user_by_id(user_id)
    if user.id == actor.id and (not active or Role.ADMIN not in roles):
        raise Rejected(_("You cannot deactivate yourself or take away your own administrator role; ask another "
                         "administrator."))
    roles = _roles(roles)
    before = {"full_name": user.full_name, "email": user.email, "roles": sorted(user.roles),
              "office": user.office.code, "active": user.active}
    user.full_name, user.email = full_name.strip()[:200], (email or "").strip()[:200] or None
    user.office = find_office(office_code)
    user.role_rows = [row for row in user.role_rows if row.role in roles] + [
        UserRole(role=r) for r in roles if r not in user.roles]
    user.active = active
    after = {"full_name": user.full_name, "email": user.email, "roles": roles, "office": user.office.code,
             "active": active}
    ended = 0
    if not active:
        ended = end_sessions(user) + revoke_tokens(user)
    db.session.flush()
    changed = sorted(key for key in after if after[key] != before[key])
    record("user_updated", f"User {user.username} changed by {actor.username}: {', '.join(changed) or 'nothing'}"
           + (f"; deactivated, {ended} session(s) and token(s) ended" if not active and before["active"] else ""),
           actor=actor, username=user.username, before=before, after=after)
    return user


def reset_password(actor: User, user_id: int, new_password: str) -> User:
    """An administrator sets a new password (to hand over in person); every session and token of the user ends."""
    user = user_by_id(user_id)
    problem = password_problem(new_password, user.username)
    if problem:
        raise Rejected(problem, {"new_password": problem})
    user.password_hash = hash_password(new_password)
    ended = end_sessions(user) + revoke_tokens(user)
    record("password_reset", f"Password of {user.username} reset by {actor.username}; {ended} session(s) and "
           f"token(s) ended", actor=actor, username=user.username)
    db.session.flush()
    return user


def update_office(actor: User, code: str, name: str, district_code: str) -> Office:
    office = find_office(code)
    district = db.session.scalars(select(District).where(District.code == district_code.strip().upper())).first()
    if district is None:
        raise Rejected(_("There is no district %(code)s; add it first.", code=district_code), {"district": "unknown"})
    if not name.strip():
        raise Rejected(_("Give the office a name."), {"name": "required"})
    before = {"name": office.name, "district": office.district.code}
    office.name, office.district = name.strip()[:200], district
    db.session.flush()
    record("office_updated", f"Office {office.code} changed by {actor.username}", actor=actor, office=office.code,
           before=before, after={"name": office.name, "district": district.code})
    return office


def add_district(actor: User, code: str, name: str) -> District:
    code = (code or "").strip().upper()
    if not code.replace("-", "").isalnum() or not (name or "").strip():
        raise Rejected(_("A district needs a code of letters, digits and dashes (e.g. KPS-D) and a name."))
    district = create_district(code, name.strip()[:200])
    record("district_created", f"District {code} ({district.name}) created by {actor.username}", actor=actor,
           district=code)
    return district


def update_district(actor: User, code: str, name: str) -> District:
    district = db.session.scalars(select(District).where(District.code == code)).first()
    if district is None:
        raise NotFound(_("There is no district %(code)s.", code=code))
    if not name.strip():
        raise Rejected(_("Give the district a name."), {"name": "required"})
    before = district.name
    district.name = name.strip()[:200]
    db.session.flush()
    record("district_updated", f"District {code} renamed by {actor.username}", actor=actor, district=code,
           before=before, after=district.name)
    return district
