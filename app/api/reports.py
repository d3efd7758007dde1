"""The office reports as JSON (and CSV) for the API."""
from flask import Blueprint, g, jsonify, request

from ..db import utcnow
from ..extensions import csrf
from ..reports.channels import REPORT_ZONE
from ..reports.filters import report_filters
from ..reports.performance import public_performance
from ..reports.quarters import parse_quarter, quarter_containing
from ..reports.service_standards import service_standards
from ..reports.views import standards_csv
from .auth import token_required

bp = Blueprint("api_reports", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.get("/reports/service-standards")
@token_required
def service_standards_report():
    now = utcnow()
    filters = report_filters(g.api_user, request.args, now.astimezone(REPORT_ZONE).date())
    rows = service_standards(filters.period, filters.offices, filters.process, now)
    if request.args.get("format") == "csv":
        return standards_csv(rows)
    return jsonify({"from": filters.first_day.isoformat(), "to": filters.last_day.isoformat(),
                    "rows": [row.as_dict() for row in rows]})


@bp.get("/public/performance")
def public_performance_report():
    """The last finished quarter unless another is asked for; no personal data at all."""
    now = utcnow()
    last = quarter_containing(now.astimezone(REPORT_ZONE).date()).previous
    return jsonify(public_performance(parse_quarter(request.args.get("quarter"), last), now))
