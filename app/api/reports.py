"""The office reports as JSON (and CSV) for the API."""
from flask import Blueprint, g, jsonify, request

from ..db import utcnow
from ..extensions import csrf
from ..reports.channels import REPORT_ZONE
from ..reports.filters import report_filters
from ..reports.service_standards import service_standards
from ..reports.views import standards_csv
from .auth import token_required

bp = Blueprint("api_reports", __name__, url_prefix="/api/v1/reports")
csrf.exempt(bp)


@bp.get("/service-standards")
@token_required
def service_standards_report():
    now = utcnow()
    filters = report_filters(g.api_user, request.args, now.astimezone(REPORT_ZONE).date())
    rows = service_standards(filters.period, filters.offices, filters.process, now)
    if request.args.get("format") == "csv":
        return standards_csv(rows)
    return jsonify({"from": filters.first_day.isoformat(), "to": filters.last_day.isoformat(),
                    "rows": [row.as_dict() for row in rows]})
