"""The chief reads the office's figures, the governor the district's, the administrator everyone's;
as a page with charts, as CSV and through the API; nobody else reads them, and a wrong period or an
office out of reach is said plainly."""
import pytest
import time_machine
from report_world import DECEMBER, KPS_DECEMBER, SRK_DECEMBER, december

from support import local


@pytest.fixture
def played(database):
    """December played, read on the morning of 5 January 2027."""
    cases = december()
    with time_machine.travel(local(2027, 1, 5, 9), tick=False):
        yield cases


def report(api, username, **args):
    return api.as_user(username).get("/api/v1/reports/service-standards", query_string={**DECEMBER, **args})


def test_the_chief_reads_the_office_the_governor_the_district(api, played):
    assert report(api, "vanna").get_json() == {"from": "2026-12-01", "to": "2026-12-31", "rows": [KPS_DECEMBER]}
    assert report(api, "governor").get_json()["rows"] == [KPS_DECEMBER, SRK_DECEMBER]
    assert report(api, "admin").get_json()["rows"] == [KPS_DECEMBER, SRK_DECEMBER]
    assert report(api, "governor", office="SRK").get_json()["rows"] == [SRK_DECEMBER]


def test_the_report_downloads_as_csv(api, played):
    response = report(api, "vanna", format="csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines() == [
        "process,office,started,completed,completed_on_time,on_time_rate,median_working_days,p90_working_days,"
        "open,overdue",
        "commercial_licence,KPS,4,3,2,0.6667,2.25,11.04,2,1"]


def test_a_front_office_officer_does_not_read_the_reports(api, played):
    response = report(api, "dara")
    assert response.status_code == 403
    assert response.get_json()["error"] == ("Only the OWSO chief, the District Governor and administrators read "
                                            "the office reports.")


def test_an_office_out_of_reach_or_a_wrong_period_is_said_plainly(api, played):
    assert report(api, "vanna", office="SRK").status_code == 404
    assert report(api, "governor", office="BTB").get_json()["error"] == (
        "There is no office BTB among the offices you may see.")
    wrong_date = report(api, "vanna", **{"from": "2026-13-01"})
    assert (wrong_date.status_code, wrong_date.get_json()["error"]) == (
        400, "Give 'from' as a date like 2026-12-31, not '2026-13-01'.")
    backwards = report(api, "vanna", **{"from": "2026-12-31", "to": "2026-12-01"})
    assert (backwards.status_code, backwards.get_json()["error"]) == (
        400, "The period ends (2026-12-01) before it begins (2026-12-31).")
    assert report(api, "vanna", to="99999-01-01").status_code == 400


def test_the_chief_sees_the_figures_and_their_charts_on_the_reports_page(auth, played):
    auth.login("vanna")
    page = auth.client.get("/reports/", query_string=DECEMBER).get_data(as_text=True)
    assert "<td>Commercial licence for a small business</td><td>KPS</td><td>4</td>" in page
    assert '<td class="late">1</td>' in page
    assert page.count('<svg class="chart"') == 3
    assert '<text x="0" y="17" class="chart-label">KPS · Commercial licence fo…</text>' in page
    assert '<rect x="170" y="5" width="166.7" height="14" class="on-time"><title>on time</title></rect>' in page
    assert '<rect x="336.7" y="5" width="83.3" height="14" class="late"><title>late</title></rect>' in page
    csv = auth.client.get("/reports/service-standards.csv", query_string=DECEMBER)
    assert csv.get_data(as_text=True).splitlines()[1] == "commercial_licence,KPS,4,3,2,0.6667,2.25,11.04,2,1"


def test_the_heatmap_marks_where_the_licence_cases_wait(auth, played):
    auth.login("vanna")
    page = auth.client.get("/reports/heatmap/commercial_licence").get_data(as_text=True)
    assert '"check_documents": {"median_hours"' in page.replace("&#34;", '"')
    assert "<td>Review the application</td><td>1</td>" in page
    assert auth.client.get("/reports/heatmap/commercial_licence/diagram.bpmn").mimetype == "application/xml"

