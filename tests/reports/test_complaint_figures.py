"""Complaints to the District Ombudsman in December, counted per office, by what they are about and by
how they ended, with the working days they took; the offices' own figures leave them out, and no
figure ever names the complainant."""
import pytest
import time_machine
from report_world import DECEMBER, at, december, office, work

from app.cases.write_path import start_case
from app.reports.complaints import ComplaintCount, ResolutionRow, complaint_figures
from app.reports.filters import report_filters
from app.reports.service_standards import service_standards
from office_data import COMPLAINT, OWSO_RESPONSE, REGISTER_ADMISSIBLE
from support import local, user

OUTSIDE = {"admissibility": "outside_jurisdiction", "complaint_category": "delay", "acknowledged_on": "2026-12-08",
           "referred_to": "Provincial Department of Commerce"}
INVESTIGATED = {"investigation_methods": ["interviewed_complainant", "reviewed_case_file"],
                "investigation_findings": "The clerk asked for 50,000 riel above the posted fee."}
UPHELD = {"finding": "upheld", "decision_reasons": "The fee asked was not the published one.",
          "recommendation": "Return the money and remind the counter staff of the posted fees."}
ACTED = {"recommendation_status": "implemented", "action_taken": "The money was returned.",
         "action_date": "2026-12-10"}
INFORMED = {"informed_on": "2026-12-11", "informed_how": "phone", "complainant_satisfied": "satisfied"}


def complaint(moment, where, subject):
    return at(moment, start_case, "ombudsman_complaint", {**COMPLAINT, "complaint_subject": subject},
              user("ombudsman"), where, "phone")


@pytest.fixture
def december_complaints(database):
    """P (KPS): money asked, upheld, 7 Dec 9:00 to 11 Dec 9:00, 4 working days.
    Q (KPS): a delay, outside the mandate, 8 Dec 9:00 to 10 Dec 9:00, 2 working days.
    R (KPS): money asked, registered on 14 Dec, still with the chief. S (SRK): rude treatment, not yet registered."""
    kps, srk = office("KPS"), office("SRK")
    december()
    p = complaint(local(2026, 12, 7, 9), kps, "money_asked_beyond_the_official_fee")
    work(local(2026, 12, 7, 10), "ombudsman", p, "register_complaint", REGISTER_ADMISSIBLE)
    work(local(2026, 12, 8, 9), "vanna", p, "owso_chief_response", OWSO_RESPONSE)
    work(local(2026, 12, 8, 14), "ombudsman", p, "investigate_complaint", INVESTIGATED)
    work(local(2026, 12, 10, 9), "ombudsman", p, "decide_complaint", UPHELD)
    work(local(2026, 12, 10, 11), "vanna", p, "act_on_recommendation", ACTED)
    work(local(2026, 12, 11, 9), "ombudsman", p, "inform_complainant", INFORMED)
    q = complaint(local(2026, 12, 8, 9), kps, "delay_beyond_the_published_deadline")
    work(local(2026, 12, 8, 10), "ombudsman", q, "register_complaint", OUTSIDE)
    work(local(2026, 12, 10, 9), "ombudsman", q, "inform_complainant", {**INFORMED, "informed_on": "2026-12-10"})
    r = complaint(local(2026, 12, 14, 9), kps, "money_asked_beyond_the_official_fee")
    work(local(2026, 12, 14, 10), "ombudsman", r, "register_complaint", REGISTER_ADMISSIBLE)
    complaint(local(2026, 12, 15, 9), srk, "rude_or_unfair_treatment")
    with time_machine.travel(local(2027, 1, 5, 9), tick=False):
        yield {"P": p, "Q": q}


def test_complaints_are_counted_by_office_category_and_outcome_with_the_days_they_took(december_complaints):
    figures = complaint_figures(report_filters(user("admin"), DECEMBER, local(2027, 1, 5).date()).period, None)
    assert december_complaints["P"].status == "completed" and december_complaints["Q"].status == "completed"
    assert figures.by_category == [
        ComplaintCount("KPS", "delay_beyond_the_published_deadline", 1),
        ComplaintCount("KPS", "money_asked_beyond_the_official_fee", 2),
        ComplaintCount("SRK", "rude_or_unfair_treatment", 1)]
    assert figures.by_outcome == [
        ComplaintCount("KPS", "open", 1), ComplaintCount("KPS", "outside_jurisdiction", 1),
        ComplaintCount("KPS", "upheld", 1), ComplaintCount("SRK", "open", 1)]
    assert figures.resolution == [ResolutionRow("KPS", 2, 2.0, 4.0)]


def test_the_offices_own_figures_leave_the_ombudsmans_cases_out(december_complaints):
    filters = report_filters(user("admin"), DECEMBER, local(2027, 1, 5).date())
    rows = service_standards(filters.period, None, None, local(2027, 1, 5, 9))
    assert [(row.process, row.office, row.started) for row in rows] == [
        ("commercial_licence", "KPS", 4), ("commercial_licence", "SRK", 1)]


def test_the_chief_reads_the_complaints_about_the_office_without_a_name(auth, december_complaints):
    auth.login("vanna")
    page = auth.client.get("/reports/?from=2026-12-01&to=2026-12-31&lang=en").get_data(as_text=True)
    assert ("<tr><td>KPS</td><td>Money asked beyond the official fee</td><td>2</td></tr>") in page
    assert "<tr><td>KPS</td><td>Outside the Ombudsman&#39;s mandate</td><td>1</td></tr>" in page
    assert "<tr><td>KPS</td><td>Upheld</td><td>1</td></tr>" in page
    assert "<tr><td>KPS</td><td>2</td><td>2</td><td>4</td></tr>" in page
    assert "SRK" not in page.split("Complaints to the District Ombudsman")[1]
    assert "Chea Sophal" not in page and "017 222 333" not in page and "50,000 riel" not in page


def test_the_public_sees_complaint_counts_by_category_and_the_scorecard_counts_them(auth, client,
                                                                                     december_complaints):
    figures = client.get("/api/v1/public/performance?quarter=2026Q4").get_json()
    assert [(o["office"], o["complaints"]) for o in figures["offices"]] == [
        ("BTB", {"received": 0, "by_category": {}}),
        ("KPS", {"received": 3, "by_category": {"delay_beyond_the_published_deadline": 1,
                                                 "money_asked_beyond_the_official_fee": 2}}),
        ("SRK", {"received": 1, "by_category": {"rude_or_unfair_treatment": 1}})]
    page = client.get("/performance/?quarter=2026Q4&lang=en").get_data(as_text=True)
    assert ("3 complaints about this office reached the District Ombudsman:\n    Delay beyond the published "
            "deadline (1), Money asked beyond the official fee (2).") in page
    assert "Chea Sophal" not in page and "OMB-" not in page
    auth.login("vanna")
    card = auth.client.get("/reports/scorecard?quarter=2026Q4&lang=en").get_data(as_text=True)
    assert ("<tr><th>Complaints to the District Ombudsman</th><td>3</td><td>0</td><td>"
            '<span class="worse">+3</span></td></tr>') in card
