"""Khmer and English: the switch on every page, remembered by the browser and by the staff member's
account; dates and amounts written the way a reader of each language writes them."""
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.accounts.services import set_language
from app.cases.work_items import complete
from app.cases.write_path import start_case
from app.errors import Rejected
from app.i18n import local_date, local_time, number, riel
from office_data import APPLICATION
from app.documents.services import store
from app.payments.services import decide_waiver, payment_for, request_waiver
from support import Auth, csrf_token_from, open_item, user

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app" / "translations" / "km" / "LC_MESSAGES" / "messages.po"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def number_km(value: int) -> str:
    return str(value).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))


def test_a_visitor_switches_the_sign_in_page_to_khmer_and_the_browser_remembers(client):
    khmer = client.get("/login?lang=km").get_data(as_text=True)
    assert '<html lang="km">' in khmer
    assert "<h1>ចូលប្រព័ន្ធ</h1>" in khmer
    assert '<a href="/login?lang=en" lang="en" hreflang="en">English</a>' in khmer

    again = client.get("/login").get_data(as_text=True)
    assert "<h1>ចូលប្រព័ន្ធ</h1>" in again

    english = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "<h1>Sign in</h1>" in english
    assert '<a href="/login?lang=km" lang="km" hreflang="km">ខ្មែរ</a>' in english


def test_a_language_the_office_does_not_speak_is_ignored(client):
    page = client.get("/login?lang=fr").get_data(as_text=True)
    assert '<html lang="en">' in page
    with pytest.raises(Rejected, match="One Window speaks km and en; 'fr' is not one of them."):
        set_language(user("dara"), "fr")


def test_an_officer_who_switches_to_khmer_reads_khmer_at_every_sign_in_after(app, client, auth):
    auth.login("dara")
    assert user("dara").locale is None
    inbox = client.get("/?lang=km").get_data(as_text=True)
    assert '<a href="/">ប្រអប់ការងារ</a>' in inbox
    assert user("dara").locale == "km"

    another_browser = app.test_client()
    Auth(another_browser).login("dara")
    later = another_browser.get("/").get_data(as_text=True)
    assert '<html lang="km">' in later
    assert "ចាកចេញ" in later
    assert '<a href="/?lang=en" lang="en" hreflang="en">English</a>' in later


def test_other_officers_keep_the_office_default_language(client, auth):
    auth.login("sokha")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<a href="/">Inbox</a>' in page


def test_dates_and_amounts_are_written_in_khmer_numerals_for_khmer_readers(app):
    moment = datetime(2026, 12, 9, 2, 30, tzinfo=timezone.utc)  # 09:30 in Phnom Penh
    with app.test_request_context("/login?lang=km"):
        assert local_time(moment) == "ថ្ងៃទី ៩ ខែធ្នូ ឆ្នាំ ២០២៦ ម៉ោង ០៩:៣០"
        assert local_date(moment) == "ថ្ងៃទី ៩ ខែធ្នូ ឆ្នាំ ២០២៦"
        assert number(1234567) == "១,២៣៤,៥៦៧"
        assert riel(100000) == "១០០,០០០ រៀល"
    with app.test_request_context("/login?lang=en"):
        assert local_time(moment) == "2026-12-09 09:30"
        assert local_date(moment) == "9 December 2026"
        assert riel(100000) == "100,000 riel"


def test_a_citizen_opening_a_public_page_reads_khmer_without_asking(client):
    page = client.get("/performance/").get_data(as_text=True)
    assert '<html lang="km">' in page
    assert "<h1>របៀបដែលការិយាល័យយើងបម្រើសេវាជូនលោកអ្នក</h1>" in page
    english = client.get("/performance/?lang=en").get_data(as_text=True)
    assert "<h1>How our offices serve you</h1>" in english


def test_every_khmer_sentence_keeps_the_placeholders_of_its_english_one():
    """A translation that drops or renames %(number)s would break the page that fills it."""
    placeholder = re.compile(r"%\((\w+)\)s|%%")
    with open(CATALOGUE, "rb") as file:
        catalogue = read_po(file, locale="km")
    broken = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(placeholder.findall(ids[-1]))
        broken += [ids[0] for text in strings if text and sorted(placeholder.findall(text)) != wanted]
    assert broken == []


def test_every_sentence_marked_for_translation_has_its_khmer_one():
    """Someone reading Khmer never meets an English sentence the code marked for translation: a new
    string fails here until `make translations-update` brings it into the catalogue and it is translated."""
    with open(ROOT / "babel.cfg") as file:
        method_map, options_map = parse_mapping_cfg(file)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    marked = {message[0] if isinstance(message, tuple) else message
              for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map, keywords=keywords)}
    with open(CATALOGUE, "rb") as file:
        catalogue = read_po(file, locale="km")

    def translated(msgid):
        entry = catalogue.get(msgid)
        strings = entry.string if entry and isinstance(entry.string, tuple) else (entry.string if entry else "",)
        return all(strings)
    assert sorted(m for m in marked if not translated(m)) == []


def test_an_officer_reading_khmer_fills_the_counter_form_in_khmer_and_is_told_what_is_missing_in_khmer(
        client, auth):
    auth.login("dara")
    form_page = client.get("/cases/new/commercial_licence?lang=km").get_data(as_text=True)
    assert "<h1>អាជ្ញាបណ្ណពាណិជ្ជកម្មសម្រាប់អាជីវកម្មខ្នាតតូច</h1>" in form_page
    assert '<label for="field-business_name">ឈ្មោះអាជីវកម្ម <span class="req">*</span></label>' in form_page
    without_name = {k: v for k, v in APPLICATION.items() if k != "business_name"}
    refused = client.post("/cases/new/commercial_licence",
                          data={**without_name, "csrf_token": csrf_token_from(form_page)})
    assert refused.status_code == 422
    # The field's Khmer title inside the sentence; the sentence itself ("Fill in “%(title)s”.") is new
    # in the catalogue and reads in Khmer once translated.
    assert "“ឈ្មោះអាជីវកម្ម”" in refused.get_data(as_text=True)


def test_the_public_catalogue_gives_the_application_form_in_the_language_asked_for(client):
    def business_name_title(lang):
        services = client.get(f"/api/v1/public/services?lang={lang}").get_json()
        licence = next(s for s in services if s["key"] == "commercial_licence")
        return licence["application_form"]["properties"]["business_name"]["title"]
    assert business_name_title("km") == "ឈ្មោះអាជីវកម្ម"
    assert business_name_title("en") == "Business name"


def test_an_officer_reading_khmer_reads_the_case_history_in_khmer_while_english_keeps_the_record(client, auth):
    auth.login("dara")
    form_page = client.get("/cases/new/commercial_licence?lang=km").get_data(as_text=True)
    case_url = client.post("/cases/new/commercial_licence",
                           data={**APPLICATION, "csrf_token": csrf_token_from(form_page)}).headers["Location"]
    item_url = re.search(r'href="(/work-items/\d+)"', client.get("/").get_data(as_text=True)).group(1)
    client.post(f"{item_url}/claim", data={"csrf_token": csrf_token_from(form_page)})

    khmer = client.get(case_url).get_data(as_text=True)
    number = re.search(r"KPS-\d{4}-\d{5}", khmer).group(0)
    assert (f"· Dara · សំណុំឯកសារលេខ {number} បានចាប់ផ្តើម៖ អាជ្ញាបណ្ណពាណិជ្ជកម្មសម្រាប់អាជីវកម្មខ្នាតតូច (កំណែទី ១)"
            in khmer)
    assert "· Dara · Dara បានទទួលយក &#39;ពិនិត្យឯកសារ និងទទួលកម្រៃសេវាផ្លូវការ&#39;</li>" in khmer

    english = client.get(f"{case_url}?lang=en").get_data(as_text=True)
    assert "· Dara · Dara took &#39;Check documents and take the official fee&#39;</li>" in english


def test_a_chief_reading_khmer_reads_the_fee_waiver_and_the_reduced_payment_in_the_case_history(client, auth):
    reason = "Sub-decree 18 art. 12: fee halved for a business owner with a disability"
    case = start_case("commercial_licence", APPLICATION, user("dara"), user("dara").office)
    waiver = request_waiver(case, 50_000, reason, user("dara"))
    decide_waiver(case, waiver.id, True, user("vanna"))
    complete(user("dara"), open_item(case, "check_documents").id,
             {"intake_decision": "accept", "documents_received": ["application_form"], "fee_paid_riel": 50_000})
    set_language(user("vanna"), "km")
    auth.login("vanna")

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)

    assert (f" · Dara · បានស្នើសុំលើកលែងកម្រៃសេវាសម្រាប់សំណុំឯកសារលេខ {case.number}៖ ៥០,០០០ រៀល ជំនួសឱ្យ "
            f"១០០,០០០ រៀល ({reason})</li>") in page
    assert (f" · Vanna · ប្រធានបានអនុម័តការលើកលែងកម្រៃសេវាសម្រាប់សំណុំឯកសារលេខ {case.number}៖ ៥០,០០០ រៀល "
            "ជំនួសឱ្យ ១០០,០០០ រៀល</li>") in page
    assert (f" · Dara · បានបង់កម្រៃសេវា ៥០,០០០ រៀល។ បង្កាន់ដៃផ្លូវការលេខ {payment_for(case).receipt_number} "
            "(បានបញ្ចុះពី ១០០,០០០ រៀល តាមការលើកលែងដែលបានអនុម័ត)</li>") in page


def test_a_chief_reading_khmer_reads_who_added_which_document_in_the_case_history(client, auth):
    case = start_case("commercial_licence", APPLICATION, user("dara"), user("dara").office)
    store(case, "lease.pdf", PDF, user("dara"))
    store(case, "signed-lease.pdf", PDF + b"% signed\n")  # the applicant, online
    set_language(user("vanna"), "km")
    auth.login("vanna")

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)

    assert f" · Dara · Dara បានបន្ថែម lease.pdf (PDF, {number_km(len(PDF))} បៃ)</li>" in page
    assert f" · ប្រព័ន្ធ · អ្នកស្នើសុំបានបន្ថែម signed-lease.pdf (PDF, {number_km(len(PDF) + 9)} បៃ)</li>" in page


def test_an_officer_reading_khmer_is_answered_in_khmer_through_the_api_too(api, database):
    set_language(user("dara"), "km")
    database.commit()
    without_name = {k: v for k, v in APPLICATION.items() if k != "business_name"}
    refused = api.as_user("dara").post("/api/v1/cases", json={"process": "commercial_licence", "data": without_name})
    assert refused.status_code == 422
    assert "“ឈ្មោះអាជីវកម្ម”" in refused.get_json()["error"]
    asked = api.post("/api/v1/cases?lang=en", json={"process": "commercial_licence", "data": without_name})
    assert "“Business name”" in asked.get_json()["error"]
    assert api.as_user("sokha").get("/api/v1/cases/999999").get_json()["error"] == "There is no case 999999 in your office."
