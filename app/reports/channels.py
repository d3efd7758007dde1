"""How people reach the office: cases by channel (counter, online, phone) and month."""
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..cases.models import Case
from ..extensions import db
from .service_standards import OWSO_CASES, Period
from .sql import LocalMonth

REPORT_ZONE = ZoneInfo("Asia/Phnom_Penh")


@dataclass
class ChannelMonth:
    month: str
    channel: str
    cases: int

    def as_dict(self) -> dict:
        return asdict(self)


def channel_mix(period: Period, offices: list[int] | None, now: datetime) -> list[ChannelMonth]:
    offset = int(now.astimezone(REPORT_ZONE).utcoffset().total_seconds() // 60)
    month = LocalMonth(Case.started_at, offset)
    query = (select(month, Case.channel, func.count()).where(OWSO_CASES, Case.started_at >= period.start,
                                                             Case.started_at < period.end)
             .group_by(month, Case.channel).order_by(month, Case.channel))
    if offices is not None:
        query = query.where(Case.office_id.in_(offices))
    return [ChannelMonth(m, channel, n) for m, channel, n in db.session.execute(query)]


def channels_by_office(period: Period, offices: list[int] | None) -> dict[int, dict[str, int]]:
    query = (select(Case.office_id, Case.channel, func.count())
             .where(OWSO_CASES, Case.started_at >= period.start, Case.started_at < period.end)
             .group_by(Case.office_id, Case.channel))
    if offices is not None:
        query = query.where(Case.office_id.in_(offices))
    totals: dict[int, dict[str, int]] = {}
    for office_id, channel, n in db.session.execute(query):
        totals.setdefault(office_id, {})[channel] = n
    return totals
