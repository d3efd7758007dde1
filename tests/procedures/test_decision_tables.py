"""Fees are decision tables: the licence's fee by business activity and the permit's by
floor area come from DMN tables deployed and versioned like diagrams. A business-rule task
evaluates them in the script sandbox; the answer comes with the row that matched; a table
whose rows overlap under UNIQUE, or that declares a DTD, is refused."""
from pathlib import Path

from sqlalchemy import func, select

from app.catalogue.fees import fee_rule_problem
from app.decisions.models import DecisionDefinition
from app.decisions.services import evaluate, latest_decision
from app.payments.services import fee_decided_by, fee_due
from app.processes.models import ProcessDefinition
from app.processes.services import check_diagram, deploy, find_latest_version, form_library

from office_data import APPLICATION
from procedure_support import diagram, line_of, process, rule, start, user_task
from support import user

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
LICENCE_FEES = (BPMN_DIR / "commercial_licence_fee.dmn").read_bytes()


def table(*rows: tuple[str, str], hit_policy: str = "UNIQUE", key: str = "stall_fee",
          expression: str = "stall_size_m2") -> bytes:
    rules = "".join(f'<rule id="row_{n}"><inputEntry id="row_{n}_in"><text>{entry}</text></inputEntry>'
                    f'<outputEntry id="row_{n}_out"><text>{fee}</text></outputEntry></rule>\n'
                    for n, (entry, fee) in enumerate(rows, 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="fees" name="Fees" '
            'namespace="https://one-window.example/dmn">\n'
            f'<decision id="{key}" name="Market stall fee"><decisionTable id="{key}_table" hitPolicy="{hit_policy}">\n'
            f'<input id="size" label="Stall size"><inputExpression id="size_expression" typeRef="number">'
            f'<text>{expression}</text></inputExpression></input>\n'
            '<output id="fee" label="Fee" name="stall_fee_riel" typeRef="number"/>\n'
            + rules + '</decisionTable></decision></definitions>\n').encode()


def test_a_restaurant_owes_the_restaurant_fee_worked_out_when_the_application_is_registered(database):
    case = start("commercial_licence", {**APPLICATION, "business_activity": "restaurant_or_food_stall"})
    assert case.data["official_fee_riel"] == 150000
    assert case.definition.decisions == {"commercial_licence_fee": 1}
    tailor = start("commercial_licence", {**APPLICATION, "business_activity": "tailor"})
    assert tailor.data["official_fee_riel"] == 60000


def test_the_fee_for_a_floor_area_comes_with_the_row_that_matched(database):
    office = user("dara").office
    for area, fee, row in ((100, 150000, 1), (100.5, 200000, 2), (250, 200000, 2), (480, 350000, 3)):
        found = evaluate("construction_permit_fee", {"total_floor_area_m2": area}, office)
        assert (found.answer, found.row, found.decision.version) == ({"official_fee_riel": fee}, row, 1)


def test_a_designer_deploys_a_table_through_the_api_and_it_is_versioned(api, database):
    api.as_user("designer")
    fees = table(("&lt; 10", 5000), (">= 10", 8000))
    response = api.post("/api/v1/decisions?filename=stall_fee.dmn", data=fees,
                        headers={"Content-Type": "application/xml"})
    assert (response.status_code, response.get_json()) == (
        201, {"key": "stall_fee", "version": 1, "unchanged": False, "procedures": []})
    again = api.post("/api/v1/decisions", data=fees, headers={"Content-Type": "application/xml"})
    assert (again.status_code, again.get_json()["version"], again.get_json()["unchanged"]) == (200, 1, True)
    dearer = api.post("/api/v1/decisions", data=fees.replace(b"8000", b"9000"),
                      headers={"Content-Type": "application/xml"})
    assert (dearer.status_code, dearer.get_json()["version"]) == (201, 2)
    assert [d["key"] for d in api.get("/api/v1/decisions").get_json()] == [
        "commercial_licence_fee", "construction_permit_fee", "stall_fee"]
    assert evaluate("stall_fee", {"stall_size_m2": 12}, user("dara").office).answer == {"stall_fee_riel": 9000}
    assert evaluate("stall_fee", {"stall_size_m2": 12}, user("dara").office, version=1).answer == {
        "stall_fee_riel": 8000}


def test_a_new_fee_table_is_used_by_new_cases_while_running_cases_keep_theirs(api, database):
    running = start("commercial_licence", {**APPLICATION, "business_activity": "tailor"})
    dearer = LICENCE_FEES.replace(b"<text>60000</text>", b"<text>70000</text>")
    response = api.as_user("designer").post("/api/v1/decisions?filename=commercial_licence_fee.dmn", data=dearer)
    assert response.status_code == 201
    assert response.get_json()["procedures"] == [{"key": "commercial_licence", "version": 2}]
    fresh = start("commercial_licence", {**APPLICATION, "business_activity": "tailor"})
    assert (running.data["official_fee_riel"], running.definition.decisions) == (
        60000, {"commercial_licence_fee": 1})
    assert (fresh.data["official_fee_riel"], fresh.definition.decisions) == (70000, {"commercial_licence_fee": 2})


def test_overlapping_rows_under_unique_are_refused_naming_the_rows(api, database):
    before = database.scalar(select(func.count()).select_from(DecisionDefinition))
    overlapping = table(("&lt;= 10", 5000), ("10 &lt; ? &lt; 20", 8000), ("&gt;= 15", 12000), ("-", 1))
    response = api.as_user("designer").post("/api/v1/decisions", data=overlapping)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "Nothing was deployed: 4 problem(s) to fix first."
    assert [p["message"].split(" overlap")[0] for p in body["details"]] == [
        "Rows 1 and 4", "Rows 2 and 3", "Rows 2 and 4", "Rows 3 and 4"]
    assert body["details"][1]["element_id"] == "row_3"
    assert database.scalar(select(func.count()).select_from(DecisionDefinition)) == before
    # touching bounds do not overlap; the same rows under FIRST let the first match win
    assert api.post("/api/v1/decisions", data=table(("&lt; 10", 1), (">= 10", 2))).status_code == 201
    assert api.post("/api/v1/decisions", data=overlapping.replace(b'"UNIQUE"', b'"FIRST"')).status_code == 201


def test_a_table_declaring_a_dtd_or_entities_is_refused_like_a_diagram(api, database):
    evil = (b'<?xml version="1.0"?>\n<!DOCTYPE definitions [<!ENTITY fee SYSTEM "file:///etc/passwd">]>\n'
            + table(("-", "1"))[len(b'<?xml version="1.0" encoding="UTF-8"?>\n'):])
    response = api.as_user("designer").post("/api/v1/decisions", data=evil)
    assert response.status_code == 422
    assert response.get_json()["details"][0]["message"] == (
        "The decision table declares a DTD or entities; remove the <!DOCTYPE> (DMN files never need one).")
    assert latest_decision("stall_fee") is None


def test_only_designers_deploy_decision_tables(api, database):
    response = api.as_user("dara").post("/api/v1/decisions", data=table(("-", "1")))
    assert response.status_code == 403
    assert latest_decision("stall_fee") is None


def test_a_table_reading_data_no_form_collects_is_a_warning_that_does_not_block(database):
    deploy([("stall_fee.dmn", table(("&lt; 10", 5000), (">= 10", 8000)))])
    xml = diagram(process("market_stall", rule("work_out_fee", "stall_fee"), user_task("take_fee"),
                          start_form="commercial_licence_application.schema.json"))
    checked = check_diagram(xml, "market_stall.bpmn", form_library())
    [warning] = [p for p in checked.problems if "reads" in p.message]
    assert (warning.severity, warning.element_id, warning.line) == (
        "warning", "work_out_fee", line_of(xml, 'id="work_out_fee"'))
    assert warning.message == ("Decision table 'Market stall fee' (evaluated by 'work_out_fee') reads 'stall_size_m2' "
                               "in its input 'Stall size', but no form of this procedure collects it and no script "
                               "sets it.")
    [deployment] = deploy([("market_stall.bpmn", xml)])
    assert deployment.definition.decisions == {"stall_fee": 1}


def test_a_business_rule_task_naming_a_table_nobody_deployed_is_refused(database):
    xml = diagram(process("market_stall", rule("work_out_fee", "stall_fee"), user_task("take_fee")))
    checked = check_diagram(xml, "market_stall.bpmn", form_library())
    [problem] = checked.problems
    assert (problem.element_id, problem.line) == ("work_out_fee", line_of(xml, 'id="work_out_fee"'))
    assert problem.message.startswith("Business-rule task 'work_out_fee' evaluates the decision table 'stall_fee', "
                                      "which is not deployed (deployed: ")


def test_the_command_line_deploys_dmn_files_with_the_diagrams(runner, database, tmp_path):
    path = tmp_path / "stall_fee.dmn"
    path.write_bytes(table(("-", 5000)))
    result = runner.invoke(args=["bpmn", "deploy", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == "decision table stall_fee version 1: deployed (stall_fee.dmn)\n"
    result = runner.invoke(args=["bpmn", "deploy"])
    assert "decision table commercial_licence_fee version 1: unchanged (commercial_licence_fee.dmn)" in result.output
    assert database.scalar(select(func.count()).select_from(ProcessDefinition).where(
        ProcessDefinition.key == "commercial_licence")) == 1
    assert find_latest_version("commercial_licence").decisions == {"commercial_licence_fee": 1}


def test_the_counter_takes_the_fee_the_table_decides_and_sees_the_row_that_matched(auth, client, database):
    case = start("commercial_licence", {**APPLICATION, "business_activity": "restaurant_or_food_stall"})
    deploy([("commercial_licence_fee.dmn", LICENCE_FEES.replace(b"<text>150000</text>", b"<text>160000</text>"))])
    # the case keeps the table its procedure version was deployed with
    assert (fee_due(case), fee_decided_by(case)) == (
        150000, "row 3 of the fee table 'Commercial licence fee by business activity' (version 1)")
    auth.login("dara")
    item = next(i for i in case.open_items if i.task == "check_documents")
    page = client.get(f"/work-items/{item.id}").get_data(as_text=True)
    assert "The fee is row 3 of the fee table &#39;Commercial licence fee by business activity&#39; (version 1)." \
        in page


def test_a_catalogue_fee_rule_must_name_a_deployed_table(database):
    assert fee_rule_problem({"kind": "decision", "decision": "stall_fee"}).startswith(
        "A fee table rule names a deployed decision table")
    assert fee_rule_problem({"kind": "decision", "decision": "commercial_licence_fee", "output": "fee"}) == (
        "Decision table 'commercial_licence_fee' has no output 'fee'; its outputs are official_fee_riel.")
    assert fee_rule_problem({"kind": "decision", "decision": "commercial_licence_fee"}) is None
