from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db

class District(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Phnom_Penh")

    offices: Mapped[list["Office"]] = relationship(back_populates="district")


class Office(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Phnom_Penh")
    # ISO weekday numbers, Monday=0, of the days the office is closed every week.
    weekend_days: Mapped[str] = mapped_column(String(20), default="5,6")

    district: Mapped[District] = relationship(back_populates="offices")


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # The language of their pages ('km' or 'en'); None until they choose, then the office's default.
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    office: Mapped[Office] = relationship()
    # Read only to change someone's roles; `roles` comes with the user's row (role_names, below).
    role_rows: Mapped[list["UserRole"]] = relationship(cascade="all, delete-orphan")

    @property
    def roles(self) -> set[str]:
        if "role_rows" in vars(self):  # read or changed in this transaction: what the session holds now
            return {row.role for row in self.role_rows}
        return set(self.role_names.split(",")) if self.role_names else set()

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class UserRole(db.Model):
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


# Every request reads its caller's roles (permissions): in the user's own statement, joined by commas (role
# names have none), rather than by a second statement for the role rows.
User.role_names = column_property(
    select(func.aggregate_strings(UserRole.role, ",")).where(UserRole.user_id == User.id)
    .correlate_except(UserRole).scalar_subquery())


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when its holder revokes it, or when their password changes or their account is deactivated.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("token_hash"),)


class UserSession(db.Model):
    """One signed-in browser, kept on the server so that logging out really ends it: the cookie carries
    only a random key, and a copied cookie is worthless once the row has ended."""
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()
