from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Holiday(db.Model):
    """A day no office works: national (office_id NULL) or one office's own closure."""
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(200))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"), index=True)

    __table_args__ = (UniqueConstraint("day", "office_id", name="uq_holiday_day_office"),)
