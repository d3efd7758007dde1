from datetime import date

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Holiday(db.Model):
    """A day no office works: national (office_id NULL) or one office's own closure."""
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(200))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"), index=True)

    __table_args__ = (
        UniqueConstraint("day", "office_id", name="uq_holiday_day_office"),
        # NULLs are distinct in a unique constraint, so national days need their own index.
        Index("uq_holiday_national_day", "day", unique=True, sqlite_where=text("office_id IS NULL"),
              postgresql_where=text("office_id IS NULL")),
    )
