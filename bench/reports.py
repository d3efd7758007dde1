"""Every report at national size: N cases in one database, half finished and half still open,
spread over the last year, one in a hundred a complaint to the Ombudsman; each report asked for
this quarter across every office, as an administrator sees it by default.

The cases are three real ones played through the services (a finished licence, an open licence
in review, a finished complaint), cloned (world.clone_case) and moved back k days (k = clone
number mod 365) with their work items, so the periods, the percentiles and the months really
have to be computed. Each report is timed over `runs` calls, each in a fresh session.
"""
from __future__ import annotations

from datetime import timedelta

from .world import analyze, clone_case, clone_place, moved, say, stats_ms, timed, user


def _shift_back(prefix: str) -> None:
    """The clones of `prefix` and their work, k days earlier (k = the clone's place mod 365)."""
    from sqlalchemy import text

    from app.extensions import db

    def shifted(column):
        return moved(column, f"-({clone_place()} % 365)", "days")
    case_table, item_table = '"case"', "work_item"
    assignments = ", ".join(f"{col} = (SELECT {shifted(col)} FROM {case_table} c WHERE c.id = {case_table}.id)"
                            for col in ("started_at", "completed_at", "promised_at", "overdue_from"))
    db.session.execute(text(f"UPDATE {case_table} SET {assignments} WHERE number LIKE :prefix"),
                       {"prefix": prefix})
    assignments = ", ".join(f"{col} = (SELECT {shifted(f'{item_table}.{col}')} FROM {case_table} c "
                            f"WHERE c.id = {item_table}.case_id)"
                            for col in ("created_at", "claimed_at", "closed_at", "due_at"))
    db.session.execute(text(f"UPDATE {item_table} SET {assignments} WHERE case_id IN "
                            f"(SELECT id FROM {case_table} WHERE number LIKE :prefix)"), {"prefix": prefix})
    db.session.commit()


def _seeds():
    """A finished licence, a licence in review, a finished complaint: through the services, clock set."""
    import time_machine

    from app.cases import work_items
    from app.cases.write_path import start_case
    from app.db import utcnow
    from app.extensions import db
    from office_data import APPLICATION, COMPLAINT, HAND_OVER, INTAKE, OWSO_RESPONSE, REGISTER_ADMISSIBLE, \
        REVIEW_APPROVE, SIGN
    from support import licence_in_review, open_item

    def step(moment, username, case, task, data):
        with time_machine.travel(moment, tick=False):
            work_items.complete(user(username), open_item(case, task).id, data)
    start = utcnow() - timedelta(days=10)
    dara = user("dara")
    finished = licence_in_review(dara.office, start)
    step(start + timedelta(days=1), "sokha", finished, "technical_review", REVIEW_APPROVE)
    step(start + timedelta(days=2), "vanna", finished, "sign_licence", SIGN)
    step(start + timedelta(days=2, hours=1), "dara", finished, "hand_over", HAND_OVER)
    in_review = licence_in_review(dara.office, start)
    with time_machine.travel(start, tick=False):
        complaint = start_case("ombudsman_complaint", COMPLAINT, user("ombudsman"), dara.office, channel="phone")
    step(start + timedelta(hours=1), "ombudsman", complaint, "register_complaint", REGISTER_ADMISSIBLE)
    step(start + timedelta(days=1), "vanna", complaint, "owso_chief_response", OWSO_RESPONSE)
    step(start + timedelta(days=2), "ombudsman", complaint, "investigate_complaint",
         {"investigation_methods": ["reviewed_case_file"], "investigation_findings": "Checked the receipt."})
    step(start + timedelta(days=3), "ombudsman", complaint, "decide_complaint",
         {"finding": "not_upheld", "decision_reasons": "The fee asked was the published one."})
    step(start + timedelta(days=4), "ombudsman", complaint, "inform_complainant",
         {"informed_on": (start + timedelta(days=4)).date().isoformat(), "informed_how": "phone",
          "complainant_satisfied": "not_known"})
    db.session.commit()
    assert (finished.status, in_review.status, complaint.status) == ("completed", "running", "completed")
    return finished, in_review, complaint


def run(app, n: int, runs: int) -> dict:
    """Each report's p50/p95 for this quarter (what a reader gets unless they choose) with `n` cases in
    the database, spread over the last year."""
    import time as clock

    from app.accounts.models import Office
    from app.db import utcnow
    from app.extensions import db
    from app.reports.channels import channel_mix
    from app.reports.complaints import complaint_figures
    from app.reports.performance import public_performance, scorecard
    from app.reports.quarters import quarter_containing
    from app.reports.service_standards import Period, service_standards
    from app.reports.steps import escalations_by_step, time_per_officer, time_per_step, waiting_at_steps
    result: dict = {"cases": n}
    with app.app_context():
        started = clock.perf_counter()
        finished, in_review, complaint = _seeds()
        complaints = max(1, n // 100)
        for seed, copies, tag in ((finished, n // 2 - 1, "F"), (in_review, n - n // 2 - complaints - 2, "O"),
                                  (complaint, complaints - 1, "C")):
            if copies > 0:
                clone_case(seed.id, copies, tag)
                _shift_back(f"{seed.number}-{tag}%")
        analyze()
        result["populate_s"] = clock.perf_counter() - started
        say("reports: %d cases over a year in %.0f s", n, result["populate_s"])
        now = utcnow()
        quarter = quarter_containing(now.date())
        period = quarter.period
        office_id = user("dara").office_id
        reports = {
            "service_standards": lambda: service_standards(period, None, None, now),
            "time_per_step": lambda: time_per_step(period, None, None),
            "time_per_officer": lambda: time_per_officer(period, None, None),
            "escalations_by_step": lambda: escalations_by_step(period, None, None),
            "channel_mix": lambda: channel_mix(period, None, now),
            "complaints": lambda: complaint_figures(period, None),
            "waiting_heatmap": lambda: waiting_at_steps("commercial_licence", None, now),
            "scorecard": lambda: scorecard(db.session.get(Office, office_id), quarter, now),
            "public_performance": lambda: public_performance(quarter, now),
        }
        rows = service_standards(period, None, None, now)
        result["check"] = {"licences_started": sum(r.started for r in rows if r.process == "commercial_licence"),
                           "complaints_received": complaint_figures(period, None).received()}
        for name, report in reports.items():
            result[name] = stats_ms(timed(report, runs))
        db.session.remove()
    result["slowest_p95_ms"] = max(v["p95_ms"] for v in result.values() if isinstance(v, dict) and "p95_ms" in v)
    say("reports at %d cases: slowest p95 %.0f ms", n, result["slowest_p95_ms"])
    return result
