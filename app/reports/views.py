from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from ..certificates.rendering import html_to_pdf
from ..db import utcnow
from ..i18n import public_pages
from ..processes.services import latest_version, latest_versions
from . import charts
from .channels import REPORT_ZONE, channel_mix
from .citizens import comments, queue_waits, ratings
from .complaints import complaint_figures, complaint_names
from .filters import readable_offices, report_filters
from .performance import public_performance, scorecard
from .quarters import parse_quarter, quarter_containing
from .service_standards import as_csv, service_standards
from .steps import escalations_by_step, time_per_officer, time_per_step, waiting_at_steps
from .waivers import waivers

bp = Blueprint("reports", __name__, url_prefix="/reports")
public = public_pages(Blueprint("performance", __name__, url_prefix="/performance"))


def _filters():
    now = utcnow()
    return report_filters(current_user, request.args, now.astimezone(REPORT_ZONE).date()), now


@bp.get("/")
@login_required
def index():
    filters, now = _filters()
    names = {d.key: d.name for d in latest_versions()}
    standards = service_standards(filters.period, filters.offices, filters.process, now)
    steps = time_per_step(filters.period, filters.offices, filters.process)
    channels = channel_mix(filters.period, filters.offices, now)
    return render_template(
        "reports/index.html", filters=filters, names=names, definitions=latest_versions(),
        offices=readable_offices(filters),
        standards=standards, standard_bars=charts.standard_bars(standards, names),
        steps=steps, step_bars=charts.step_bars(steps),
        officers=time_per_officer(filters.period, filters.offices, filters.process),
        escalations=escalations_by_step(filters.period, filters.offices, filters.process),
        channels=channels, channel_bars=charts.channel_bars(channels), channel_names=charts.channel_names(),
        ratings=ratings(filters.period, filters.offices), comments=comments(filters.period, filters.offices),
        queue=queue_waits(filters.period, filters.offices),
        complaints=complaint_figures(filters.period, filters.offices), complaint_names=complaint_names(),
        waivers=waivers(filters.period, filters.offices, filters.process))


def standards_csv(rows) -> Response:
    return Response(as_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="service-standards.csv"'})


@bp.get("/service-standards.csv")
@login_required
def service_standards_csv():
    filters, now = _filters()
    return standards_csv(service_standards(filters.period, filters.offices, filters.process, now))


@bp.get("/heatmap/<key>")
@login_required
def heatmap(key):
    filters, now = _filters()
    definition = latest_version(key)
    steps = waiting_at_steps(key, filters.offices, now)
    return render_template("reports/heatmap.html", definition=definition, filters=filters, steps=steps,
                           heat={s.task: s.as_dict() for s in steps})


@bp.get("/heatmap/<key>/diagram.bpmn")
@login_required
def heatmap_diagram(key):
    report_filters(current_user, {}, utcnow().date())
    return Response(latest_version(key).bpmn_xml, mimetype="application/xml")


def _scorecard_context():
    filters, now = _filters()
    office = filters.office or next((o for o in readable_offices(filters) if o.id == current_user.office_id),
                                    None) or readable_offices(filters)[0]
    today = now.astimezone(REPORT_ZONE).date()
    quarter = parse_quarter(request.args.get("quarter"), quarter_containing(today))
    return {"card": scorecard(office, quarter, now), "offices": readable_offices(filters),
            "channel_names": charts.channel_names(), "complaint_names": complaint_names()}


@bp.get("/scorecard")
@login_required
def scorecard_page():
    context = _scorecard_context()
    if request.args.get("format") == "pdf":
        card = context["card"]
        return Response(html_to_pdf(render_template("reports/scorecard_print.html", **context)),
                        mimetype="application/pdf", headers={
                            "Content-Disposition": f'attachment; filename="scorecard-{card["office"].office}-'
                                                   f'{card["quarter"].label}.pdf"'})
    return render_template("reports/scorecard.html", **context)


@public.get("/")
def public_page():
    now = utcnow()
    quarter = parse_quarter(request.args.get("quarter"),
                            quarter_containing(now.astimezone(REPORT_ZONE).date()).previous)
    return render_template("reports/public.html", figures=public_performance(quarter, now),
                           complaint_names=complaint_names())
