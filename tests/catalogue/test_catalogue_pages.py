"""The administrator keeps the catalogue on its pages: each save is a new version with its reason,
audited; a mistake is said next to its field and nothing is saved; nobody else may change it."""
import re
from html import unescape

from sqlalchemy import select

from app.accounts.services import find_office
from app.audit.models import AuditEvent
from app.catalogue.models import ServiceVersion
from app.catalogue.services import find_service
from app.designer.services import template_xml
from app.processes.services import deploy
from support import csrf_token_from, user

LICENCE = "/admin/services/commercial_licence"


def _form_of(page: str) -> dict:
    """What the browser sends back for the service form as it was shown (every field, filled or blank)."""
    form = {"csrf_token": csrf_token_from(page)}
    for name, value in re.findall(r'<input id="(\w+)" name="\1" value="([^"]*)"', page):
        form[name] = value
    for name, value in re.findall(r'<textarea id="(\w+)" name="\1" rows="\d+">([^<]*)</textarea>', page):
        form[name] = value
    form["fee_kind"] = re.search(r'name="fee_kind" value="(\w+)" checked', page).group(1)
    for name in ("fee_riel", "fee_expression", "fee_output"):
        form[name] = re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
    selected = re.search(r'name="fee_decision">.*?(?:<option value="(\w+)" selected>|</select>)', page)
    form["fee_decision"] = selected.group(1) or ""
    rows = re.findall(r'name="document_key" value="([^"]*)".*?name="document_name_en" value="([^"]*)".*?'
                      r'name="document_name_km" value="([^"]*)".*?name="document_mode".*?'
                      r'<option value="(\w+)" selected>', page, re.S)
    blank = page.count('name="document_key" value=""')
    form["document_key"] = [r[0] for r in rows] + [""] * blank
    form["document_name_en"] = [r[1] for r in rows] + [""] * blank
    form["document_name_km"] = [r[2] for r in rows] + [""] * blank
    form["document_mode"] = [r[3] for r in rows] + ["upload"] * blank
    form["offered"] = re.findall(r'name="offered" value="(\d+)" checked', page)
    return {name: [unescape(v) for v in value] if isinstance(value, list) else unescape(value)
            for name, value in form.items()}


def test_an_administrator_lowers_the_fee_and_closes_an_office_and_the_public_page_follows(client, auth, database):
    auth.login("admin")
    listing = client.get("/admin/services/").get_data(as_text=True)
    assert 'href="/admin/services/commercial_licence"' in listing
    page = client.get(LICENCE).get_data(as_text=True)
    form = _form_of(page)
    assert (form["fee_kind"], form["fee_decision"], form["deadline_working_days"]) == (
        "decision", "commercial_licence_fee", "10")
    assert len(form["offered"]) == 3
    btb = find_office("BTB")
    form.update(fee_kind="fixed", fee_riel="80000", deadline_working_days="8",
                offered=[i for i in form["offered"] if i != str(btb.id)],
                note="Prakas 2027 lowers the fee; no licensing officer in Battambang City yet")
    saved = client.post(LICENCE, data=form)
    assert saved.status_code == 303 and saved.headers["Location"] == LICENCE

    licence = find_service("commercial_licence")
    database.refresh(licence)
    current = licence.current
    assert (current.version, current.fee_rule, current.deadline_working_days, current.closed_office_ids) == (
        2, {"kind": "fixed", "riel": 80000}, 8, [btb.id])
    assert current.created_by.username == "admin" and current.note.startswith("Prakas 2027")
    assert current.documents == licence.versions[0].documents  # untouched rows stay as they were
    event = database.scalars(select(AuditEvent).where(AuditEvent.kind == "service_changed")).one()
    assert sorted(event.data["changes"]) == ["closed_office_ids", "deadline_working_days", "fee_rule"]
    public = next(s for s in client.get("/api/v1/public/services?lang=en").get_json()
                  if s["key"] == "commercial_licence")
    assert (public["fee_riel"], public["deadline_working_days"]) == (80000, 8)
    assert {o["code"] for o in public["offices"]} == {"KPS", "SRK"}
    history = client.get(LICENCE).get_data(as_text=True)
    assert "Prakas 2027 lowers the fee" in history and "Version 2 is in force." in history


def test_a_form_with_mistakes_says_what_to_fix_next_to_each_field_and_saves_nothing(client, auth, database):
    auth.login("admin")
    form = _form_of(client.get(LICENCE).get_data(as_text=True))
    form.update(name_en=" ", fee_kind="fixed", fee_riel="a lot", deadline_working_days="0", note="")
    form["document_key"][0] = "ID card!"
    refused = client.post(LICENCE, data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Say why the service changes (the note is kept with the version)." in page
    form["note"] = "Trying"
    refused = client.post(LICENCE, data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    for sentence in ("Give the service&#39;s name in Khmer and in English.",
                     "A fixed fee is a whole number of riel, 0 or more.",
                     "The service standard is a whole number of working days, 1 to 365.",
                     "Each required document has a key (lower-case letters, digits and _)"):
        assert f'<p class="error" role="alert">{sentence}' in page, sentence
    assert 'value="a lot"' in page and 'value="ID card!"' in page  # what was typed comes back to be fixed
    khmer = client.post(f"{LICENCE}?lang=km", data=form).get_data(as_text=True)
    assert '<p class="error" role="alert">សូមផ្តល់ឈ្មោះសេវាជាភាសាខ្មែរ និងភាសាអង់គ្លេស។</p>' in khmer
    assert database.scalars(select(ServiceVersion.version).join(ServiceVersion.service)
                            .where(ServiceVersion.service.has(key="commercial_licence"))).all() == [1]


def test_an_administrator_publishes_a_new_service_for_a_new_procedure(client, auth, database):
    deploy([("market_stall_permit.bpmn", template_xml("market_stall_permit", "Market stall permit"))],
           user("designer"))
    auth.login("admin")
    page = client.get("/admin/services/new").get_data(as_text=True)
    assert '<option value="market_stall_permit">' in page
    assert '<option value="commercial_licence">' not in page  # a procedure runs one service
    form = {"csrf_token": csrf_token_from(page), "key": "market_stall_permit", "process_key": "market_stall_permit",
            "name_km": "លិខិតអនុញ្ញាតតូបលក់ក្នុងផ្សារ", "name_en": "Market stall permit",
            "description_en": "A stall in the district market.", "fee_kind": "formula",
            "fee_expression": "20000 + 5000 * stall_area_m2", "deadline_working_days": "5",
            "legal_basis_en": "District decision 12/2026", "offered": re.findall(r'name="offered" value="(\d+)"', page),
            "document_key": ["id_card_copy", "", ""], "document_name_en": ["Copy of the identity card", "", ""],
            "document_name_km": ["ច្បាប់ចម្លងអត្តសញ្ញាណប័ណ្ណ", "", ""], "document_mode": ["upload", "upload", "upload"]}
    published = client.post("/admin/services/new", data=form)
    assert published.status_code == 303 and published.headers["Location"] == "/admin/services/market_stall_permit"
    stall = find_service("market_stall_permit").current
    assert (stall.version, stall.fee_rule, stall.documents) == (
        1, {"kind": "formula", "expression": "20000 + 5000 * stall_area_m2"},
        [{"key": "id_card_copy", "name_en": "Copy of the identity card", "name_km": "ច្បាប់ចម្លងអត្តសញ្ញាណប័ណ្ណ",
          "mode": "upload"}])
    published_by = [e.actor.username for e in database.scalars(select(AuditEvent).where(
        AuditEvent.kind == "service_published")) if e.data["service"] == "market_stall_permit"]
    assert published_by == ["admin"]
    assert "Market stall permit" in client.get("/services/market_stall_permit?lang=en").get_data(as_text=True)

    again = client.post("/admin/services/new", data={**form, "csrf_token": csrf_token_from(page)})
    assert again.status_code == 422
    assert "The catalogue already has a service &#39;market_stall_permit&#39;." in again.get_data(as_text=True)


def test_only_an_administrator_may_change_the_catalogue(client, auth, database):
    auth.login("vanna")
    assert client.get("/admin/services/").status_code == 403
    page = client.get("/").get_data(as_text=True)
    refused = client.post(LICENCE, data={"csrf_token": csrf_token_from(page), "name_en": "Cheaper licence",
                                         "note": "Chief's own idea"})
    assert refused.status_code == 403
    assert [v.version for v in find_service("commercial_licence").versions] == [1]
