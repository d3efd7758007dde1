"""Every waiver or reduction of the official fee is counted: the chief reads the office's on the
reports page and the quarter's scorecard, the governor the district's."""
import pytest
import time_machine
from report_world import at

from app.cases.write_path import start_case
from app.payments.services import decide_waiver, request_waiver
from app.reports.quarters import Quarter
from app.reports.waivers import waivers
from office_data import APPLICATION
from support import local, user

DECEMBER = {"from": "2026-12-01", "to": "2026-12-31"}
REASON = "Prakas 4 art. 2: fee waived for a family on the poor list"


def _asked(moment, counter, amount):
    case = at(moment, start_case, "commercial_licence", APPLICATION, user(counter), user(counter).office)
    return case, at(moment, request_waiver, case, amount, REASON, user(counter))


@pytest.fixture
def december_waivers(database):
    """KPS: one halved (approved), one waived (refused), one waiting; SRK: one waived (approved);
    and one at KPS asked in November, outside the period."""
    for moment, counter, amount, chief, approve in (
            (local(2026, 12, 2, 9), "dara", 50000, "vanna", True),
            (local(2026, 12, 3, 9), "dara", 0, "vanna", False),
            (local(2026, 12, 4, 9), "dara", 0, None, None),
            (local(2026, 12, 4, 10), "bopha", 0, "chan", True),
            (local(2026, 11, 20, 9), "dara", 0, "vanna", True)):
        case, waiver = _asked(moment, counter, amount)
        if chief:
            at(moment, decide_waiver, case, waiver.id, approve, user(chief))
    with time_machine.travel(local(2027, 1, 5, 9), tick=False):
        yield


def test_the_chief_reads_the_offices_waivers_and_the_governor_the_districts(auth, december_waivers):
    auth.login("vanna")
    page = auth.client.get("/reports/", query_string=DECEMBER).get_data(as_text=True)
    assert ("<tr><td>Commercial licence for a small business</td><td>3</td><td>1</td><td>1</td><td>1</td>"
            "<td>50,000 riel</td></tr>") in page
    auth.login("governor")
    page = auth.client.get("/reports/", query_string=DECEMBER).get_data(as_text=True)
    assert ("<tr><td>Commercial licence for a small business</td><td>4</td><td>2</td><td>1</td><td>1</td>"
            "<td>150,000 riel</td></tr>") in page


def test_the_scorecard_counts_the_waivers_the_chief_approved_beside_the_quarter_before(auth, december_waivers):
    assert [row.as_dict() for row in waivers(Quarter(2026, 4).period, [user("dara").office_id])] == [
        {"service": "commercial_licence", "asked": 4, "approved": 2, "refused": 1, "waiting": 1,
         "riel_forgiven": 150000}]
    auth.login("vanna")
    page = auth.client.get("/reports/scorecard?quarter=2026Q4").get_data(as_text=True)
    assert ("<tr><th>Fee waivers approved by the chief</th><td>2</td><td>0</td><td>"
            '<span class="worse">+2</span></td></tr>') in page
