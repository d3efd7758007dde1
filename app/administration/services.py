"""Running the offices' accounts: districts, offices and users, every change audited.

Write functions flush; the caller (a request or a CLI command) commits once.
"""
from sqlalchemy import select

from ..accounts.models import District, Office, User, UserRole
from ..accounts.services import find_office, hash_password, password_problem
from ..audit.services import record
from ..errors import Conflict, Rejected
from ..extensions import db
from ..permissions import Role, is_role


def create_district(code: str, name: str, timezone: str = "Asia/Phnom_Penh") -> District:
    if db.session.scalars(select(District).where(District.code == code)).first():
        raise Conflict(f"District {code} already exists.")
    district = District(code=code, name=name, timezone=timezone)
    db.session.add(district)
    db.session.flush()
    return district


def create_office(code: str, name: str, district_code: str | None = None, actor=None) -> Office:
    code = code.strip().upper()
    if not code.replace("-", "").isalnum():
        raise Rejected("An office code uses only letters, digits and dashes, e.g. KPS or PP-DK.")
    if db.session.scalars(select(Office).where(Office.code == code)).first():
        raise Conflict(f"Office {code} already exists.")
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
    unknown = [r for r in roles if not is_role(r)]
    if unknown or not roles:
        raise Rejected(f"Unknown role(s) {', '.join(unknown) or '(none given)'}; roles are: "
                       f"{', '.join(Role)}.")
    problem = password_problem(password, username)
    if problem:
        raise Rejected(problem)
    if db.session.scalars(select(User).where(User.username == username)).first():
        raise Conflict(f"User {username} already exists.")
    user = User(username=username, full_name=full_name, email=email, office=find_office(office_code),
                password_hash=hash_password(password),
                role_rows=[UserRole(role=r) for r in sorted(set(roles))])
    db.session.add(user)
    db.session.flush()
    record("user_created", f"User {username} created with roles {', '.join(sorted(set(roles)))}", actor=actor,
           username=username, roles=sorted(set(roles)), office=office_code)
    return user
