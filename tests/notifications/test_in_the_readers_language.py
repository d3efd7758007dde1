"""A notification is kept as what it is (its kind and the case's facts) and told in the language of
whoever reads it: the chief who reads Khmer reads the waiver to decide in Khmer on the page and in her
email; a colleague who reads English reads the same kind of notice in English; the words are never
stored."""
from sqlalchemy import select

from app.accounts.services import set_language
from app.administration.services import create_user
from app.cases.work_items import complete
from app.cases.write_path import start_case
from app.notifications.models import Notification
from app.notifications.services import send_pending
from app.payments.services import request_waiver
from office_data import APPLICATION, INTAKE, REVIEW_SEND_BACK
from support import PASSWORD, open_item, user

REASON = "Sub-decree 18 art. 12: fee halved for a business owner with a disability"
PAGE = "/notifications/"


def _licence():
    return start_case("commercial_licence", APPLICATION, user("dara"), user("dara").office)


def _waiver_asked(database):
    case = _licence()
    request_waiver(case, 50_000, REASON, user("dara"))
    database.commit()
    return case


def test_a_khmer_reading_chief_reads_the_waiver_to_decide_in_khmer(auth, client, database):
    set_language(user("vanna"), "km")
    case = _waiver_asked(database)

    auth.login("vanna")
    page = client.get(PAGE).get_data(as_text=True)

    assert f"<strong>ការលើកលែងកម្រៃសេវាដែលត្រូវសម្រេច៖ សំណុំឯកសារលេខ {case.number}</strong>" in page
    assert (f'<div class="pre-line">សំណើលើកលែងកម្រៃសេវាសម្រាប់សំណុំឯកសារលេខ {case.number}៖ ៥០,០០០ រៀល ជំនួសឱ្យ '
            f"១០០,០០០ រៀល ({REASON})។ សូមអនុម័ត ឬបដិសេធនៅលើទំព័រសំណុំឯកសារ។</div>") in page
    assert "Fee waiver" not in page

    # The same notification, the page switched to English.
    page = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert f"<strong>Fee waiver to decide: case {case.number}</strong>" in page
    assert (f'<div class="pre-line">Fee waiver asked for case {case.number}: 50,000 riel instead of 100,000 riel '
            f"({REASON}). Approve or refuse it on the case page.</div>") in page


def test_the_notification_keeps_its_facts_not_its_words(database):
    case = _waiver_asked(database)

    [row] = database.scalars(select(Notification).where(Notification.case_id == case.id)).all()

    assert (row.user.username, row.kind, row.subject, row.body) == ("vanna", "fee_waiver", None, None)
    assert row.params == {"number": case.number, "amount_riel": 50_000, "fee_due_riel": 100_000, "reason": REASON}


def test_the_chiefs_email_goes_out_in_the_language_she_reads(mail_server, database):
    vanna = user("vanna")
    vanna.email = "vanna@example.gov.kh"
    set_language(vanna, "km")
    case = _waiver_asked(database)

    assert send_pending() == (1, 0)

    [message] = mail_server.messages
    assert message["Subject"] == f"ការលើកលែងកម្រៃសេវាដែលត្រូវសម្រេច៖ សំណុំឯកសារលេខ {case.number}"
    assert message.get_content().splitlines() == [
        f"សំណើលើកលែងកម្រៃសេវាសម្រាប់សំណុំឯកសារលេខ {case.number}៖ ៥០,០០០ រៀល ជំនួសឱ្យ ១០០,០០០ រៀល ({REASON})។ "
        "សូមអនុម័ត ឬបដិសេធនៅលើទំព័រសំណុំឯកសារ។", "", "-- ",
        "ការិយាល័យច្រកចេញចូលតែមួយ។ អ្នកក៏អាចអានសារនេះនៅក្នុង ការជូនដំណឹង ពេលអ្នកចូលប្រើប្រព័ន្ធ។"]


def test_a_send_back_reaches_a_khmer_reading_front_office_in_khmer_and_an_english_one_in_english(
        auth, client, database):
    set_language(user("dara"), "km")
    create_user("sreyleak", PASSWORD, ["front_office"], "KPS", full_name="Keo Sreyleak")
    set_language(user("sreyleak"), "en")
    case = _licence()
    complete(user("dara"), open_item(case, "check_documents").id, INTAKE)
    complete(user("sokha"), open_item(case, "technical_review").id, REVIEW_SEND_BACK)
    database.commit()

    auth.login("dara")
    khmer = client.get(PAGE).get_data(as_text=True)
    auth.login("sreyleak")
    english = client.get(PAGE).get_data(as_text=True)

    assert f"<strong>សំណុំឯកសារលេខ {case.number} ត្រូវបានបញ្ជូនត្រឡប់ទៅអ្នកស្នើសុំ</strong>" in khmer
    assert (f"សំណុំឯកសារលេខ {case.number} (អាជ្ញាបណ្ណពាណិជ្ជកម្មសម្រាប់អាជីវកម្មខ្នាតតូច) កំពុងរង់ចាំឯកសារ "
            "ឬការកែតម្រូវពីអ្នកស្នើសុំ។ កាលកំណត់របស់វាត្រូវបានផ្អាក រហូតដល់អ្នកកត់ត្រាចម្លើយរបស់អ្នកស្នើសុំ។") in khmer
    assert f"<strong>Case {case.number} was sent back to the applicant</strong>" in english
    assert (f"Case {case.number} (Commercial licence for a small business) waits on the applicant&#39;s documents "
            "or corrections; its deadlines are paused until you record the applicant&#39;s response.") in english


def test_the_case_history_tells_who_was_notified_in_the_readers_language(auth, client, database):
    set_language(user("vanna"), "km")
    case = _waiver_asked(database)

    auth.login("vanna")
    khmer = client.get(f"/cases/{case.id}").get_data(as_text=True)
    english = client.get(f"/cases/{case.id}?lang=en").get_data(as_text=True)

    assert f" · បានជូនដំណឹងដល់ vanna៖ ការលើកលែងកម្រៃសេវាដែលត្រូវសម្រេច៖ សំណុំឯកសារលេខ {case.number}</li>" in khmer
    assert f" · Notified vanna: Fee waiver to decide: case {case.number}</li>" in english
