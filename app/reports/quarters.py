"""Quarters as the office reports them: '2026Q4' is October to December 2026."""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _

from ..errors import BadRequest
from .channels import REPORT_ZONE
from .service_standards import Period


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.following.first_day - timedelta(days=1)

    @property
    def period(self) -> Period:
        return Period(datetime.combine(self.first_day, time(), REPORT_ZONE),
                      datetime.combine(self.following.first_day, time(), REPORT_ZONE))

    @property
    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def following(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)


def quarter_containing(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def parse_quarter(text: str | None, default: Quarter) -> Quarter:
    if not text:
        return default
    match = re.fullmatch(r"(\d{4})Q([1-4])", text.strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise BadRequest(_("Give the quarter like 2026Q4 (a year from 2000 to 2100, then Q1 to Q4), not '%(text)s'.",
                           text=text[:20]))
    return Quarter(int(match.group(1)), int(match.group(2)))
