import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record
from ..db import utcnow
from ..errors import Conflict, NotFound, Rejected
from ..extensions import db
from ..i18n import LANGUAGES
from .models import DISTRICT_ROLES, ROLES, ApiToken, District, Office, User, UserRole

# Compared against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not a password")


def create_district(code: str, name: str, timezone: str = "Asia/Phnom_Penh") -> District:
    if db.session.scalars(select(District).where(District.code == code)).first():
        raise Conflict(f"District {code} already exists.")
    district = District(code=code, name=name, timezone=timezone)
    db.session.add(district)
    db.session.flush()
    return district


def find_office(code: str) -> Office:
    office = db.session.scalars(select(Office).where(Office.code == code)).first()
    if office is None:
        raise NotFound(f"There is no office with the code {code}.")
    return office


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
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise Rejected(f"Unknown role(s) {', '.join(unknown) or '(none given)'}; roles are: {', '.join(ROLES)}.")
    if len(password) < 8:
        raise Rejected("A password needs at least 8 characters.")
    if db.session.scalars(select(User).where(User.username == username)).first():
        raise Conflict(f"User {username} already exists.")
    user = User(username=username, full_name=full_name, email=email, office=find_office(office_code),
                password_hash=generate_password_hash(password),
                role_rows=[UserRole(role=r) for r in sorted(set(roles))])
    db.session.add(user)
    db.session.flush()
    record("user_created", f"User {username} created with roles {', '.join(sorted(set(roles)))}", actor=actor,
           username=username, roles=sorted(set(roles)), office=office_code)
    return user


def people_holding(role: str, office: Office) -> list[User]:
    """Active users who hold the role for this office (district roles: anywhere in its district)."""
    query = select(User).join(UserRole).where(UserRole.role == role, User.active.is_(True))
    if role in DISTRICT_ROLES:
        query = query.join(Office, User.office_id == Office.id).where(Office.district_id == office.district_id)
    else:
        query = query.where(User.office_id == office.id)
    return list(db.session.scalars(query))


def authenticate(username: str, password: str) -> User | None:
    """The user for these credentials, or None; never says which part was wrong."""
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash_token(token),
                            expires_at=utcnow() + timedelta(days=current_app.config["API_TOKEN_DAYS"])))
    record("token_issued", f"API token issued to {user.username}", actor=user)
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash_token(token))).first()
    if row is None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user


def set_language(user: User, locale: str) -> None:
    """The language a staff member reads their pages in, from now on and at every sign-in."""
    if locale not in LANGUAGES:
        raise Rejected(f"One Window speaks {' and '.join(LANGUAGES)}; {locale!r} is not one of them.")
    user.locale = locale
    db.session.flush()
