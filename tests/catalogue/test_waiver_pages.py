"""A reduced fee at the counter: the front office asks on the case page with the legal reason, the
chief approves or refuses there, and only then may the counter take the other amount."""
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.cases.work_items import complete
from app.cases.write_path import start_case
from app.payments.models import FeeWaiver
from app.payments.services import payment_for
from office_data import APPLICATION
from support import Auth, csrf_token_from, open_item, user

REASON = "Sub-decree 18 art. 12: fee halved for a business owner with a disability"


def _licence():
    return start_case("commercial_licence", APPLICATION, user("dara"), user("dara").office)


def _post(client, url, data):
    page = client.get(url.split("/waivers")[0]).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(page), **data})


def test_the_counter_asks_the_chief_approves_and_the_counter_takes_the_reduced_fee(client, database):
    case = _licence()
    Auth(client).login("dara")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "The official fee for this application is 100,000 riel (service catalogue, version 1)." in page
    asked = _post(client, f"/cases/{case.id}/waivers", {"amount_riel": "50,000", "reason": REASON})
    assert asked.status_code == 303
    waiting = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "50,000 riel instead of 100,000 riel" in waiting and "waiting for the chief" in waiting
    assert "Ask the chief for a waiver or reduction" not in waiting  # one at a time

    Auth(client).login("vanna")
    waiver = database.scalars(select(FeeWaiver).where(FeeWaiver.case_id == case.id)).one()
    decided = _post(client, f"/cases/{case.id}/waivers/{waiver.id}", {"decision": "approve"})
    assert decided.status_code == 303
    assert "Waiver approved: the counter takes 50,000 riel." in client.get(f"/cases/{case.id}").get_data(as_text=True)

    Auth(client).login("dara")
    intake = client.get(f"/work-items/{open_item(case, 'check_documents').id}").get_data(as_text=True)
    assert f"The chief approved 50,000 riel instead ({REASON}): take exactly that." in intake
    complete(user("dara"), open_item(case, "check_documents").id,
             {"intake_decision": "accept", "documents_received": ["application_form"], "fee_paid_riel": 50000})
    assert (payment_for(case).amount_riel, payment_for(case).waiver_id) == (50000, waiver.id)
    kinds = database.scalars(select(AuditEvent.kind).where(
        AuditEvent.case_id == case.id, AuditEvent.kind.like("fee%")).order_by(AuditEvent.id)).all()
    assert kinds == ["fee_waiver_requested", "fee_waiver_approved", "fee_paid"]
    paid = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"official receipt {payment_for(case).receipt_number}" in paid
    assert "The official fee was 100,000 riel; the chief approved the difference." in paid


def test_a_waiver_without_its_legal_reason_or_for_the_whole_fee_and_more_is_sent_back_to_fix(client, auth,
                                                                                          database):
    case = _licence()
    auth.login("dara")
    refused = _post(client, f"/cases/{case.id}/waivers", {"amount_riel": "120000", "reason": "poor"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert ('<p class="error" role="alert">The reduced fee is a whole number of riel from 0 to less than '
            '100,000.</p>') in page
    assert ('<p class="error" role="alert">Give the legal reason for the waiver (the article or decision that '
            'allows it).</p>') in page
    assert 'value="120000"' in page and ">poor</textarea>" in page
    khmer = _post(client, f"/cases/{case.id}/waivers?lang=km", {"amount_riel": "", "reason": REASON})
    assert khmer.status_code == 422
    assert "កម្រៃសេវាបញ្ចុះតម្លៃជាចំនួនគត់គិតជារៀល ពី ០ ដល់តិចជាង ១០០,០០០។" in khmer.get_data(as_text=True)
    assert database.scalars(select(FeeWaiver).where(FeeWaiver.case_id == case.id)).all() == []


def test_only_the_counter_asks_and_only_the_chief_decides_and_a_refusal_keeps_the_official_fee(client, auth,
                                                                                            database):
    case = _licence()
    auth.login("sokha")
    assert _post(client, f"/cases/{case.id}/waivers", {"amount_riel": "0", "reason": REASON}).status_code == 403
    auth.login("dara")
    assert _post(client, f"/cases/{case.id}/waivers", {"amount_riel": "0", "reason": REASON}).status_code == 303
    waiver = database.scalars(select(FeeWaiver).where(FeeWaiver.case_id == case.id)).one()
    assert _post(client, f"/cases/{case.id}/waivers/{waiver.id}", {"decision": "approve"}).status_code == 403

    auth.login("vanna")
    assert _post(client, f"/cases/{case.id}/waivers/{waiver.id}", {"decision": "refuse"}).status_code == 303
    assert _post(client, f"/cases/{case.id}/waivers/{waiver.id}", {"decision": "approve"}).status_code == 409
    database.refresh(waiver)
    assert (waiver.status, waiver.decided_by.username) == ("refused", "vanna")
    auth.login("dara")
    refused = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "refused by Vanna" in refused
    assert "Ask the chief for a waiver or reduction" in refused  # a new reason may be put to the chief


def test_another_offices_chief_does_not_see_the_case_or_its_waiver(client, auth, database):
    case = _licence()
    auth.login("dara")
    _post(client, f"/cases/{case.id}/waivers", {"amount_riel": "0", "reason": REASON})
    waiver = database.scalars(select(FeeWaiver).where(FeeWaiver.case_id == case.id)).one()
    auth.login("chan")
    page = client.get("/").get_data(as_text=True)
    decided = client.post(f"/cases/{case.id}/waivers/{waiver.id}",
                         data={"csrf_token": csrf_token_from(page), "decision": "approve"})
    assert decided.status_code == 404
    database.refresh(waiver)
    assert waiver.status == "requested"
