"""Complaints to the District Ombudsman as numbers: how many per office and category, how they
ended, how long they took. Counts only: no complainant, no text, no case number. The category is
the one the complainant chose; the outcome is the Ombudsman's finding (or "outside the mandate").
Every figure is one aggregate query."""
from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from ..accounts.models import Office
from ..cases.models import Case
from ..complaints.services import OUTSIDE_MANDATE, categories, findings
from ..extensions import db
from ..permissions import Jurisdiction
from .service_standards import Period
from .sql import percentiles

OPEN = "open"
CLOSED_WITHOUT_FINDING = "closed"


@dataclass
class ComplaintCount:
    office: str
    key: str  # a category, or an outcome
    complaints: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ResolutionRow:
    office: str
    resolved: int
    median_working_days: float | None
    p90_working_days: float | None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ComplaintFigures:
    by_category: list[ComplaintCount]
    by_outcome: list[ComplaintCount]
    resolution: list[ResolutionRow]

    def received(self, office: str | None = None) -> int:
        return sum(row.complaints for row in self.by_category if office in (None, row.office))

    def as_dict(self) -> dict:
        return {"by_category": [r.as_dict() for r in self.by_category],
                "by_outcome": [r.as_dict() for r in self.by_outcome],
                "resolution": [r.as_dict() for r in self.resolution]}


def complaint_names() -> dict[str, str]:
    """Category and outcome codes by their titles in the reader's language."""
    return {OPEN: _("Still open"), OUTSIDE_MANDATE: _("Outside the Ombudsman's mandate"),
            CLOSED_WITHOUT_FINDING: _("Closed without a finding"), **dict(categories()), **dict(findings())}


def _complaints(query, offices):
    query = query.where(Case.jurisdiction == Jurisdiction.OMBUDSMAN)
    return query.where(Case.office_id.in_(offices)) if offices is not None else query


def _codes(ids) -> dict[int, str]:
    return dict(db.session.execute(select(Office.id, Office.code).where(Office.id.in_(set(ids)))).all())


def complaint_figures(period: Period, offices: list[int] | None) -> ComplaintFigures:
    """Received in the period, by category; closed in the period by outcome, beside those still open at
    its end; and the working days from receipt to closing. `offices`: the offices complained about
    that the reader may see (None: every office)."""
    category = func.coalesce(Case.data["complaint_subject"].as_string(), "other")
    received = _complaints(select(Case.office_id, category, func.count()), offices).where(
        Case.started_at >= period.start, Case.started_at < period.end).group_by(Case.office_id, category)
    by_category = list(db.session.execute(received))

    closed_in_period = and_(Case.completed_at >= period.start, Case.completed_at < period.end)
    outcome = case((Case.completed_at.is_(None) | (Case.completed_at >= period.end), OPEN),
                   (Case.data["admissibility"].as_string() == OUTSIDE_MANDATE, OUTSIDE_MANDATE),
                   else_=func.coalesce(Case.data["finding"].as_string(), CLOSED_WITHOUT_FINDING))
    standing = or_(closed_in_period, and_(Case.started_at < period.end, or_(
        Case.completed_at.is_(None), Case.completed_at >= period.end)))
    ended = _complaints(select(Case.office_id, outcome, func.count()), offices).where(
        standing, Case.status != "error").group_by(Case.office_id, outcome)
    by_outcome = list(db.session.execute(ended))

    taken = _complaints(select(Case.office_id.label("office_id"), Case.working_days_taken.label("value")),
                        offices).where(closed_in_period, Case.working_days_taken.is_not(None)).subquery()
    counts = dict(db.session.execute(select(taken.c.office_id, func.count()).group_by(taken.c.office_id)).all())
    spread = {office_id: (p50, p90) for office_id, p50, p90 in
              db.session.execute(percentiles(taken, ["office_id"]))}

    codes = _codes([row[0] for row in by_category + by_outcome] + list(counts))
    return ComplaintFigures(
        by_category=sorted((ComplaintCount(codes[o], key, n) for o, key, n in by_category),
                           key=lambda r: (r.office, r.key)),
        by_outcome=sorted((ComplaintCount(codes[o], key, n) for o, key, n in by_outcome),
                          key=lambda r: (r.office, r.key)),
        resolution=sorted((ResolutionRow(codes[o], n, round(spread[o][0], 2), round(spread[o][1], 2))
                           for o, n in counts.items()), key=lambda r: r.office))
