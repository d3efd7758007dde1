"""Citizens rate the service from 1 to 5, once: at the counter's tablet right after their turn
(with their ticket), or from tracking once their case has ended."""
import pytest
from sqlalchemy import select

from app.accounts.models import Office
from app.cases.models import Case
from app.errors import Conflict, Rejected
from app.feedback.models import Feedback
from app.feedback.services import rate_case
from app.queue.services import add_counter, call_next, issue_ticket
from support import csrf_token_from, licence_through_the_api, user


@pytest.fixture
def served_ticket(database):
    kps = database.scalars(select(Office).where(Office.code == "KPS")).one()
    counter = add_counter(kps, "Counter 1")
    ticket = issue_ticket(kps, "birth_registration")
    call_next(user("dara"), counter.code)
    return ticket


def rate_at_kiosk(client, number, rating, comment=""):
    page = client.get(f"/feedback/KPS/kiosk?ticket={number}&lang=en")
    return client.post("/feedback/KPS/kiosk?lang=en", data={
        "ticket": number, "rating": rating, "comment": comment,
        "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def test_the_citizen_just_served_rates_it_once_with_the_ticket(client, database, served_ticket):
    response = rate_at_kiosk(client, served_ticket.number, "4", "Quick, but the queue was long.")
    assert response.status_code == 200
    assert "Thank you. The office reads every rating." in response.get_data(as_text=True)
    feedback = database.scalars(select(Feedback).where(Feedback.ticket_id == served_ticket.id)).one()
    assert (feedback.rating, feedback.comment, feedback.source, feedback.service) == (
        4, "Quick, but the queue was long.", "kiosk", "birth_registration")

    again = rate_at_kiosk(client, served_ticket.number, "1")
    assert again.status_code == 409
    assert f"Ticket {served_ticket.number} was already rated; thank you." in again.get_data(as_text=True)


def test_a_ticket_still_waiting_or_unknown_cannot_rate(client, database, served_ticket):
    kps = database.scalars(select(Office).where(Office.code == "KPS")).one()
    waiting = issue_ticket(kps, "commercial_licence")
    assert rate_at_kiosk(client, waiting.number, "5").status_code == 404
    unknown = rate_at_kiosk(client, "Z999", "5")
    assert unknown.status_code == 404 and "Z999 has not been served" in unknown.get_data(as_text=True)


def test_a_rating_outside_one_to_five_is_refused_and_nothing_is_kept(client, database, served_ticket):
    response = rate_at_kiosk(client, served_ticket.number, "7")
    assert response.status_code == 422
    assert "The rating is from 1 (very poor) to 5 (very good), not 7." in response.get_data(as_text=True)
    assert database.scalars(select(Feedback)).all() == []


def test_script_in_a_comment_is_kept_as_text(client, database, served_ticket):
    rate_at_kiosk(client, served_ticket.number, "2", "<script>alert('x')</script>")
    feedback = database.scalars(select(Feedback)).one()
    assert feedback.comment == "<script>alert('x')</script>"


def test_a_case_is_rated_only_once_it_has_ended(api, database):
    signed = database.get(Case, licence_through_the_api(api, until="sign_licence")["id"])
    with pytest.raises(Rejected, match=f"Case {signed.number} has not ended yet"):
        rate_case(signed, 5)
    handed_over = database.get(Case, licence_through_the_api(api)["id"])
    assert rate_case(handed_over, 5, "Thank you").rating == 5
    with pytest.raises(Conflict, match=f"Case {handed_over.number} was already rated"):
        rate_case(handed_over, 4)
