"""The quarter's scorecard sets each figure beside the quarter before it, on the page and as a PDF;
the public page gives every office's figures with nothing personal in them."""
import subprocess

import pytest
import time_machine
from report_world import at, december, office, september

from app.feedback.services import rate_case

from app.reports.performance import scorecard
from app.reports.quarters import Quarter
from support import local


@pytest.fixture
def two_quarters(database):
    september()
    played = december()
    at(local(2026, 12, 4, 9), rate_case, played["A"], 5, "Quick and polite")
    at(local(2026, 12, 22, 9), rate_case, played["B"], 2, "Took too long")
    with time_machine.travel(local(2027, 1, 5, 9), tick=False):
        yield


def test_the_scorecard_compares_the_quarter_with_the_one_before(two_quarters):
    card = scorecard(office("KPS"), Quarter(2026, 4), local(2027, 1, 5, 9))
    assert {key: (c.now, c.before, c.change) for key, c in card["headline"].items()} == {
        "started": (5, 2, 3), "completed": (3, 2, 1), "on_time_rate": (0.6667, 0.5, 0.1667),
        "overdue": (1, 0, 1), "escalations": (0, 0, 0), "complaints": (0, 0, 0), "average_rating": (3.5, None, None)}
    [(service, rate, median)] = card["services"]
    assert (service.process, service.started, service.completed) == ("commercial_licence", 5, 3)
    assert (rate.now, rate.before, median.now, median.before, median.change) == (0.6667, 0.5, 2.25, 2.04, 0.21)
    assert {channel: (c.now, c.before) for channel, c in card["channels"].items()} == {
        "counter": (4, 2), "online": (1, 0)}


def test_the_chief_prints_the_scorecard_or_downloads_it_as_pdf(auth, two_quarters, tmp_path):
    auth.login("vanna")
    page = auth.client.get("/reports/scorecard?quarter=2026Q4").get_data(as_text=True)
    assert "Quarterly scorecard: Kampong Siem OWSO" in page
    assert ('<tr><th>Finished within the service standard</th><td>66.7%</td><td>50%</td><td>'
            '<span class="better">+16.7 pts</span></td></tr>') in page
    pdf = auth.client.get("/reports/scorecard?quarter=2026Q4&format=pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="scorecard-KPS-2026Q4.pdf"'
    (tmp_path / "card.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "card.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Quarterly scorecard: Kampong Siem OWSO" in text
    assert "Finished within the service standard" in text and "+16.7 pts" in text


def test_a_quarter_written_wrongly_is_said_plainly(auth, two_quarters):
    auth.login("vanna")
    response = auth.client.get("/reports/scorecard?quarter=2026Q5")
    assert response.status_code == 400
    assert "Give the quarter like 2026Q4 (a year from 2000 to 2100, then Q1 to Q4), not &#39;2026Q5&#39;." in \
        response.get_data(as_text=True)


def test_the_public_figures_show_every_office_for_the_last_quarter_and_nothing_personal(client, two_quarters):
    figures = client.get("/api/v1/public/performance").get_json()
    assert figures == {"quarter": "2026Q4", "from": "2026-10-01", "to": "2026-12-31", "offices": [
        {"office": "BTB", "name": "Battambang City OWSO", "completed": 0, "on_time_rate": None, "average_rating": None,
         "complaints": {"received": 0, "by_category": {}}, "services": []},
        {"office": "KPS", "name": "Kampong Siem OWSO", "completed": 3, "on_time_rate": 0.6667, "average_rating": 3.5,
         "complaints": {"received": 0, "by_category": {}}, "services": [
            {"process": "commercial_licence", "name": "Commercial licence for a small business", "completed": 3,
             "median_working_days": 2.25}]},
        {"office": "SRK", "name": "Srei Santhor OWSO", "completed": 0, "on_time_rate": None, "average_rating": None,
         "complaints": {"received": 0, "by_category": {}}, "services": [
            {"process": "commercial_licence", "name": "Commercial licence for a small business", "completed": 0,
             "median_working_days": None}]}]}
    assert client.get("/api/v1/public/performance?quarter=2026Q3").get_json()["offices"][1]["on_time_rate"] == 0.5
    page = client.get("/performance/?lang=en").get_data(as_text=True)
    assert "67% of 3 finished applications within the published deadline." in page
    assert "Citizens rated the service 3.5 out of 5 on average." in page
    assert "Sok Chanthy" not in page and "KPS-2026" not in page and "Took too long" not in page
