"""The published fee is the only fee the counter can take: One Window works it out, numbers the
receipt in the office's series, and takes another amount only under a waiver the chief approved."""
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.cases.work_items import complete
from app.cases.write_path import ACCESS_CODE_ALPHABET, start_case
from app.cases.models import Case
from app.errors import Forbidden, Rejected
from app.payments.models import Payment
from app.payments.services import decide_waiver, fee_decided_by, fee_due, payment_for, request_waiver
from office_data import APPLICATION
from support import csrf_token_from, open_item, statements, user

PERMIT_FEES = (Path(__file__).resolve().parents[2] / "bpmn" / "construction_permit_fee.dmn").read_bytes()

PERMIT = {"owner_name": "Chhim Vuthy", "owner_id_card_number": "011122233", "owner_phone": "017 222 333",
          "land_title_type": "hard_title", "land_title_number": "KPS-12-0456", "plot_address": "Phum Thmey",
          "plot_commune": "Kampong Siem", "construction_type": "new_building", "building_use": "residential",
          "total_floor_area_m2": 96, "number_of_floors": 2}


def licence(office_user="dara"):
    officer = user(office_user)
    return start_case("commercial_licence", APPLICATION, officer, officer.office)


def accept(case, officer, fee):
    return complete(user(officer), open_item(case, "check_documents").id,
                    {"intake_decision": "accept", "documents_received": ["application_form"], "fee_paid_riel": fee})


def test_a_counter_intake_with_half_the_published_fee_is_refused_and_nothing_is_taken(api, database):
    started = api.as_user("dara").post("/api/v1/cases", json={"process": "commercial_licence",
                                                                "data": APPLICATION}).get_json()
    item = next(i for i in api.get("/api/v1/inbox").get_json() if i["case_id"] == started["id"])
    response = api.post(f"/api/v1/work-items/{item['id']}/complete",
                        json={"data": {"intake_decision": "accept", "documents_received": ["application_form"],
                                       "fee_paid_riel": 50000}})
    assert response.status_code == 422
    assert response.get_json()["error"] == (
        f"The official fee for case {started['number']} is 100,000 riel (catalogue version 1); 50,000 riel can "
        "only be taken under a waiver or reduction that the chief has approved.")
    assert database.scalars(select(Payment)).all() == []
    assert [i["task"] for i in api.get(f"/api/v1/cases/{started['id']}").get_json()["work_items"]] == [
        "check_documents"]


def test_the_published_fee_is_paid_against_a_receipt_numbered_in_the_offices_series(database):
    first, second, elsewhere = licence(), licence(), licence("bopha")
    accept(first, "dara", 100000)
    accept(second, "dara", 100000)
    accept(elsewhere, "bopha", 100000)
    numbers = [payment_for(c).receipt_number for c in (first, second, elsewhere)]
    year = first.started_at.year
    kps = int(numbers[0].rsplit("-", 1)[1])
    assert numbers[:2] == [f"KPS-R-{year}-{kps:06d}", f"KPS-R-{year}-{kps + 1:06d}"]
    assert re.fullmatch(f"SRK-R-{year}-\\d{{6}}", numbers[2])
    assert first.data["fee_receipt_number"] == numbers[0]
    paid = database.scalars(select(AuditEvent).where(AuditEvent.case_id == first.id,
                                                     AuditEvent.kind == "fee_paid")).one()
    assert paid.summary == f"Fee of 100,000 riel paid; official receipt {numbers[0]}"


def test_the_permit_fee_is_worked_out_from_the_floor_area_by_the_fee_table(database):
    dara = user("dara")
    permit = start_case("construction_permit", PERMIT, dara, dara.office)
    assert fee_due(permit) == 150000  # the first row: up to 100 m² (96 m²)
    assert fee_decided_by(permit) == "row 1 of the fee table 'Construction permit fee by floor area' (version 1)"
    with pytest.raises(Rejected, match="is 150,000 riel"):
        complete(dara, open_item(permit, "check_documents").id,
                 {"intake_decision": "accept", "documents_received": ["land_title_copy"], "fee_paid_riel": 200000})


def test_the_counter_reads_a_procedure_versions_fee_table_once_and_new_cases_get_a_new_table(api, database):
    dara = user("dara")
    permit = start_case("construction_permit", PERMIT, dara, dara.office)
    assert fee_due(permit) == 150000
    with statements() as seen:
        assert fee_due(permit) == 150000  # a deployed table version never changes: read once per procedure version
    assert [s for s in seen if "decision_definition" in s] == []
    dearer = PERMIT_FEES.replace(b"<text>150000</text>", b"<text>160000</text>")
    deployed = api.as_user("designer").post("/api/v1/decisions?filename=construction_permit_fee.dmn", data=dearer)
    assert deployed.get_json()["procedures"] == [{"key": "construction_permit", "version": 2}]
    fresh = start_case("construction_permit", PERMIT, dara, dara.office)
    assert (fee_due(permit), fee_due(fresh)) == (150000, 160000)
    assert fee_decided_by(fresh) == "row 1 of the fee table 'Construction permit fee by floor area' (version 2)"


def test_a_reduced_fee_needs_a_legal_reason_and_the_chiefs_approval_and_is_counted(database):
    case = licence()
    with pytest.raises(Rejected) as refused:
        request_waiver(case, 50000, "poor", user("dara"))
    assert set(refused.value.details) == {"reason"}
    waiver = request_waiver(case, 50000, "Sub-decree art. 12: disabled business owner", user("dara"))
    with pytest.raises(Rejected):  # asked, not yet approved
        accept(case, "dara", 50000)
    decide_waiver(case, waiver.id, True, user("vanna"))
    accept(case, "dara", 50000)
    payment = payment_for(case)
    assert (payment.amount_riel, payment.fee_due_riel, payment.waiver_id) == (50000, 100000, waiver.id)
    kinds = database.scalars(select(AuditEvent.kind).where(
        AuditEvent.case_id == case.id, AuditEvent.kind.like("fee%")).order_by(AuditEvent.id)).all()
    assert kinds == ["fee_waiver_requested", "fee_waiver_approved", "fee_paid"]


def test_only_the_chief_decides_a_waiver(database):
    case = licence()
    waiver = request_waiver(case, 0, "Prakas art. 4: fee waived for a poor family", user("dara"))
    with pytest.raises(Forbidden, match="Only the OWSO chief"):
        decide_waiver(case, waiver.id, True, user("dara"))
    decide_waiver(case, waiver.id, False, user("vanna"))
    with pytest.raises(Rejected, match="is 100,000 riel"):
        accept(case, "dara", 0)


def test_every_case_gets_an_access_code_of_49_bits_that_its_number_does_not_give_away(database):
    codes = [licence().access_code for _ in range(3)]
    assert all(re.fullmatch(f"[{ACCESS_CODE_ALPHABET}]{{10}}", code) for code in codes)
    assert len(set(codes)) == 3


def test_the_counter_page_shows_the_fee_and_refuses_another_amount_field_by_field(client, auth, database):
    auth.login("dara")
    form_page = client.get("/cases/new/commercial_licence").get_data(as_text=True)
    client.post("/cases/new/commercial_licence", data={**APPLICATION, "csrf_token": csrf_token_from(form_page)})
    case = database.scalars(select(Case).order_by(Case.id.desc())).first()
    item = open_item(case, "check_documents")
    page = client.get(f"/work-items/{item.id}").get_data(as_text=True)
    assert "<strong>Official fee for this application: 100,000 riel</strong>" in page
    response = client.post(f"/work-items/{item.id}", data={
        "csrf_token": csrf_token_from(page), "intake_decision": "accept", "documents_received": "application_form",
        "fee_paid_riel": "50000"})
    assert response.status_code == 422
    assert "the official fee is 100000 riel" in response.get_data(as_text=True)
    assert payment_for(case) is None
