"""The designer edits a fee table in the browser: the designer area lists the tables and
who uses them, validates an edited table, and deploys it as a new version (validation on
save: a table with overlapping rows is refused and nothing changes)."""
import re
from pathlib import Path

from app.decisions.services import latest_decision
from app.processes.services import find_latest_version

from designer_support import DesignerBrowser

FEES = (Path(__file__).resolve().parents[2] / "bpmn" / "commercial_licence_fee.dmn").read_bytes()
OVERLAP = FEES.replace(b'<text>"tailor"</text>', b'<text>in ["tailor", "retail_shop"]</text>')


def test_the_designer_area_lists_the_decision_tables_and_the_procedures_using_them(client, auth, database):
    designer = DesignerBrowser(client, auth)
    page = client.get("/designer/decisions").get_data(as_text=True)
    row = re.search(r'<tr id="decision-commercial_licence_fee">(.*?)</tr>', page, re.S).group(1)
    assert "Commercial licence fee by business activity" in row and "Commercial licence for a small business" in row
    editor = client.get("/designer/decisions/commercial_licence_fee").get_data(as_text=True)
    assert 'data-deploy-url="/designer/decisions/commercial_licence_fee/deploy"' in editor
    assert "build/decisions.js" in editor and "build/dmn-js-decision-table.css" in editor
    assert client.get("/designer/decisions/commercial_licence_fee/xml").data == FEES
    assert designer.post_xml("/designer/decisions/stall_fee/validate", FEES).status_code == 200
    assert client.get("/designer/decisions/stall_fee").status_code == 404


def test_validation_names_the_overlapping_rows_and_a_changed_key(client, auth, database):
    designer = DesignerBrowser(client, auth)
    problems = designer.post_xml("/designer/decisions/commercial_licence_fee/validate", OVERLAP).get_json()["problems"]
    assert [p["message"].split(" overlap")[0] for p in problems] == ["Rows 1 and 6"]
    renamed = FEES.replace(b'<decision id="commercial_licence_fee"', b'<decision id="licence_fee"')
    problems = designer.post_xml("/designer/decisions/commercial_licence_fee/validate", renamed).get_json()["problems"]
    assert problems[0]["message"] == ("The decision id is 'licence_fee'; it must stay 'commercial_licence_fee', the "
                                      "key of this decision table.")


def test_saving_deploys_the_table_with_the_procedure_using_it_or_refuses_it_whole(client, auth, database):
    designer = DesignerBrowser(client, auth)
    refused = designer.post_xml("/designer/decisions/commercial_licence_fee/deploy", OVERLAP)
    assert refused.status_code == 422
    assert refused.get_json()["error"] == "Nothing was deployed: 1 problem(s) to fix first."
    assert latest_decision("commercial_licence_fee").version == 1
    dearer = FEES.replace(b"<text>150000</text>", b"<text>170000</text>")
    saved = designer.post_xml("/designer/decisions/commercial_licence_fee/deploy", dearer)
    assert (saved.status_code, saved.get_json()) == (201, {
        "key": "commercial_licence_fee", "version": 2, "unchanged": False,
        "procedures": [{"key": "commercial_licence", "version": 2}]})
    assert find_latest_version("commercial_licence").decisions == {"commercial_licence_fee": 2}
