"""The catalogue is the promise: what the public page says is what the counter takes and what the
timers enforce. Administrators change it in versions; a case keeps the version it started with."""
import pytest
import time_machine
from sqlalchemy import select

from app.administration.services import create_office
from app.audit.models import AuditEvent
from app.cases.work_items import complete
from app.cases.write_path import start_case
from app.cases.models import Timer
from app.calendars.services import office_calendar
from app.catalogue.services import change_service, find_service, procedure_and_promise, seed_catalogue
from app.errors import NotFound, Rejected
from app.extensions import db
from office_data import APPLICATION
from support import as_a_new_request, local, open_item, statements, user


def test_the_public_catalogue_lists_each_service_in_khmer_by_default_and_in_english(client):
    khmer = client.get("/api/v1/public/services").get_json()
    english = client.get("/api/v1/public/services?lang=en").get_json()
    licence_km = next(s for s in khmer if s["key"] == "commercial_licence")
    licence_en = next(s for s in english if s["key"] == "commercial_licence")
    assert licence_km["name"] == "អាជ្ញាបណ្ណពាណិជ្ជកម្មសម្រាប់អាជីវកម្មខ្នាតតូច"
    assert licence_en["name"] == "Commercial licence for a small business"
    # the fee depends on the business activity: the shipped fee table decides it
    assert licence_en["fee_riel"] is None
    assert licence_en["fee_rule"] == {"kind": "decision", "decision": "commercial_licence_fee"}
    assert licence_en["deadline_working_days"] == 10
    assert [d["mode"] for d in licence_en["documents"]] == ["upload"] * 4 + ["counter", "counter", "collection"]
    assert licence_en["documents"][0] == {"key": "id_card_copy", "name": "Copy of the owner's Khmer identity card",
                                          "mode": "upload"}
    assert {o["code"] for o in licence_en["offices"]} == {"KPS", "SRK", "BTB"}
    assert licence_en["legal_basis"].startswith("Sample entry shipped with One Window")
    assert licence_en["application_form"]["title"] == "Application for a commercial licence"
    assert "business_name" in licence_en["application_form"]["properties"]


def test_a_fee_that_depends_on_the_application_is_published_as_its_rule(client):
    permit = next(s for s in client.get("/api/v1/public/services?lang=en").get_json()
                  if s["key"] == "construction_permit")
    assert permit["fee_riel"] is None
    assert permit["fee_rule"] == {"kind": "decision", "decision": "construction_permit_fee"}


def test_an_unknown_language_is_refused_with_the_choices(client):
    response = client.get("/api/v1/public/services?lang=fr")
    assert response.status_code == 400
    # a language the office does not speak leaves the public default, Khmer
    assert response.get_json()["error"] == "lang គឺ km (ខ្មែរ លំនាំដើម) ឬ en (អង់គ្លេស) មិនមែន 'fr' ទេ។"


def test_seeding_again_keeps_what_the_administrators_changed(database):
    licence = find_service("commercial_licence")
    change_service(licence, {"deadline_working_days": 12}, user("admin"), "Prakas 2027 lengthens the standard")
    assert seed_catalogue() == (0, 3)
    assert find_service("commercial_licence").current.deadline_working_days == 12


def test_a_change_makes_a_new_version_with_its_reason_in_the_history(database):
    licence = find_service("commercial_licence")
    version = change_service(licence, {"fee_rule": {"kind": "fixed", "riel": 120000}}, user("admin"),
                             "New fee schedule")
    assert [v.version for v in licence.versions] == [1, 2] and version.note == "New fee schedule"
    event = database.scalars(select(AuditEvent).where(AuditEvent.kind == "service_changed")).one()
    assert event.actor.username == "admin"
    assert event.data["changes"] == {"fee_rule": {"before": {"kind": "decision", "decision": "commercial_licence_fee"},
                                                  "after": {"kind": "fixed", "riel": 120000}}}


def test_a_broken_change_is_refused_and_nothing_is_versioned(database):
    licence = find_service("commercial_licence")
    with pytest.raises(Rejected) as refused:
        change_service(licence, {"fee_rule": {"kind": "formula", "expression": "__import__('os')"},
                                 "deadline_working_days": 0}, user("admin"), "Try")
    assert set(refused.value.details) == {"fee_rule", "deadline_working_days"}
    with pytest.raises(Rejected, match="Say why the service changes"):
        change_service(licence, {"deadline_working_days": 11}, user("admin"), " ")
    assert [v.version for v in licence.versions] == [1]


def test_the_governors_threshold_follows_the_catalogue_and_a_running_case_keeps_its_version(kampong_siem):
    # Wed 2 December 2026, 09:00 in Kampong Siem: the office closes on Wed 9 December.
    dara = user("dara")
    with time_machine.travel(local(2026, 12, 2, 9, 0), tick=False):
        before = start_case("commercial_licence", APPLICATION, dara, kampong_siem)
        change_service(find_service("commercial_licence"), {"deadline_working_days": 12}, user("admin"),
                       "Longer standard")
        after = start_case("commercial_licence", APPLICATION, dara, kampong_siem)
        for case in (before, after):
            complete(dara, open_item(case, "check_documents").id,
                     {"intake_decision": "accept", "documents_received": ["application_form"],
                      "fee_paid_riel": 100000})
    assert (before.service_version.version, after.service_version.version) == (1, 2)
    governor = {case.number: next(t.fires_at for t in _timers(case) if t.element_id ==
                                  "back_office_processing_governor") for case in (before, after)}
    # 10 - 2 = 8 working days from Wed 2 Dec, skipping the weekends and the 9th: Tue 15 Dec;
    # 12 - 2 = 10 working days: Thu 17 Dec.
    assert governor[before.number] == local(2026, 12, 15, 9, 0)
    assert governor[after.number] == local(2026, 12, 17, 9, 0)
    # The promise on the receipt: 10 working days (Thu 17 Dec) and 12 (Mon 21 Dec).
    assert before.promised_at == local(2026, 12, 17, 9, 0) and after.promised_at == local(2026, 12, 21, 9, 0)


def test_a_new_office_offers_every_service_until_an_administrator_closes_one(database):
    office = create_office("PVG", "Prey Veng OWSO")
    licence = find_service("commercial_licence")
    assert licence.current.offered_at(office)
    change_service(licence, {"closed_office_ids": [office.id]}, user("admin"), "No licensing officer yet")
    with pytest.raises(Rejected) as refused:
        start_case("commercial_licence", APPLICATION, None, office, channel="online")
    assert refused.value.status == 422 and refused.value.details == {"office": "does not offer this service"}
    assert str(refused.value).startswith("Prey Veng OWSO does not offer 'Commercial licence for a small business'."
                                         " Offices that do: ")


def _timers(case):
    return db.session.scalars(select(Timer).where(Timer.case_id == case.id)).all()


def test_a_start_reads_the_procedure_the_promise_in_force_and_the_offices_holidays_in_one_statement(database):
    admin = user("admin")
    change_service(find_service("commercial_licence"), {"deadline_working_days": 12}, admin, "More inspections")
    as_a_new_request()
    office = user("dara").office
    with statements() as seen:
        definition, promise = procedure_and_promise("commercial_licence", office)
        office_calendar(office)
    assert len([s for s in seen if s.startswith("SELECT")]) == 1
    assert (definition.key, promise.service.key, promise.version, promise.deadline_working_days) == (
        "commercial_licence", "commercial_licence", 2, 12)
    complaint, outside_the_catalogue = procedure_and_promise("ombudsman_complaint", office)
    assert (complaint.key, outside_the_catalogue) == ("ombudsman_complaint", None)
    with pytest.raises(NotFound, match="There is no procedure 'dog_licence'"):
        procedure_and_promise("dog_licence", office)
