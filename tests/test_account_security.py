"""Passwords, sessions and tokens that an office can trust: a change or a logout really ends
what it should, failed sign-ins are slowed down, and nothing leads a signed-in person off-site."""
import time_machine
from flask import g
from sqlalchemy import select

from app.accounts.models import ApiToken
from app.audit.models import AuditEvent
from app.db import utcnow
from app.extensions import db

from support import PASSWORD, csrf_token_from, local, user

NEW_PASSWORD = "mango season at the river"


def _another_browser_asks() -> None:
    """A test's requests share one app context (and its g); a real request of another browser starts with
    neither the signed-in user nor the form token of the one before."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def _kinds(kind: str) -> list[dict]:
    return [e.data for e in db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)
                                               .order_by(AuditEvent.id))]


def test_logging_out_ends_the_session_on_the_server_so_a_copied_cookie_is_worthless(app, auth):
    auth.login("dara")
    copied = auth.client.get_cookie("session").value
    assert auth.client.get("/").status_code == 200
    auth.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code == 302  # to the login page
    assert thief.get("/").headers["Location"].startswith("/login")


def test_a_password_change_on_the_page_ends_every_other_session_and_every_token(app, auth, api):
    token = api.as_user("dara").headers
    other_browser = app.test_client()
    page = other_browser.get("/login")
    other_browser.post("/login", data={"username": "dara", "password": PASSWORD,
                                       "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert other_browser.get("/").status_code == 200
    _another_browser_asks()
    auth.login("dara")
    changed = auth.post("/account/password", form_page="/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert changed.status_code == 302
    assert auth.client.get("/").status_code == 200  # this browser stays signed in
    _another_browser_asks()
    assert other_browser.get("/").status_code == 302
    assert app.test_client().get("/api/v1/inbox", headers=token).status_code == 401
    assert auth.login("dara", NEW_PASSWORD).status_code == 302
    assert _kinds("password_changed")[-1] == {"username": "dara"}


def test_a_wrong_current_password_changes_nothing(api):
    dara = api.as_user("dara")
    before = user("dara").password_hash
    answer = dara.post("/api/v1/me/password", json={"current_password": "not it at all",
                                                     "new_password": NEW_PASSWORD})
    assert answer.status_code == 422
    assert answer.get_json()["error"] == "The current password is wrong; nothing was changed."
    assert user("dara").password_hash == before
    assert dara.get("/api/v1/inbox").status_code == 200  # the token still works


def test_a_short_or_common_new_password_is_refused_with_the_rule(api):
    dara = api.as_user("dara")
    short = dara.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "kps2026"})
    common = dara.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "Password2026!"})
    assert (short.status_code, common.status_code) == (422, 422)
    assert short.get_json()["details"] == {
        "new_password": "A password needs at least 10 characters; a short sentence is easy to remember."}
    assert common.get_json()["details"] == {
        "new_password": "This password is among the first that guessing tools try; choose another."}


def test_changing_the_password_through_the_api_ends_the_calling_token_too(api):
    dara = api.as_user("dara")
    answer = dara.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert answer.status_code == 200
    assert dara.get("/api/v1/inbox").status_code == 401
    assert user("dara").password_hash.startswith("scrypt:")


def test_a_token_is_revoked_by_its_holder_through_the_api_or_the_tokens_page(auth, api, client):
    first = api.as_user("dara").headers
    revoked = client.delete("/api/v1/token", headers=first)
    assert revoked.get_json() == {"revoked": True}
    assert client.get("/api/v1/inbox", headers=first).status_code == 401
    second = client.post("/api/v1/token", json={"username": "dara", "password": PASSWORD}).get_json()["token"]
    auth.login("dara")
    page = auth.client.get("/account/tokens").get_data(as_text=True)
    assert page.count("Revoke</button>") == 1
    row = db.session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))).one()
    auth.post(f"/account/tokens/{row.id}/revoke", form_page="/account/tokens")
    assert client.get("/api/v1/inbox", headers={"Authorization": f"Bearer {second}"}).status_code == 401
    assert auth.post(f"/account/tokens/{row.id}/revoke", form_page="/account/tokens").status_code == 404


def test_repeated_failed_sign_ins_are_throttled_per_account_and_the_right_password_waits(auth, client):
    with time_machine.travel(local(2026, 12, 7, 9, 0), tick=False):
        for _ in range(5):
            assert auth.login("dara", "guessing again").status_code == 401
        throttled = auth.login("dara")  # the right password
        assert throttled.status_code == 429
        assert "Too many failed sign-ins for this account or from this address. Try again in 15 minutes." in \
            throttled.get_data(as_text=True)
        assert throttled.headers["Retry-After"] == "901"  # Flask-Limiter rounds the window's end up to the next second
        assert [e["username"] for e in _kinds("sign_in_failed")] == ["dara"] * 5
        assert [e["username"] for e in _kinds("sign_in_throttled")] == ["dara"]
        assert auth.login("sokha").status_code == 302  # a colleague at the same address still signs in
        api = client.post("/api/v1/token", json={"username": "dara", "password": PASSWORD})
        assert api.status_code == 429
        assert api.get_json()["error"].startswith("Too many failed sign-ins")


def test_the_throttle_lifts_when_the_window_passes(auth):
    for _ in range(5):
        auth.login("dara", "guessing again")
    with time_machine.travel(utcnow().timestamp() + 16 * 60, tick=False):
        assert auth.login("dara").status_code == 302


def test_after_sign_in_next_only_leads_to_a_page_of_this_site(auth, client):
    for target in ("/%09/evil.example", "//evil.example", "https://evil.example/", "/\\evil.example",
                   "/%0a/evil.example"):
        page = client.get(f"/login?next={target}")
        answer = client.post(f"/login?next={target}", data={"username": "dara", "password": PASSWORD,
                                                           "csrf_token": csrf_token_from(page.get_data(as_text=True))})
        assert answer.headers["Location"] == "/", target
        auth.post("/logout")
    page = client.get("/login?next=/cases/")
    answer = client.post("/login?next=/cases/", data={"username": "dara", "password": PASSWORD,
                                                     "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert answer.headers["Location"] == "/cases/"


def test_every_page_carries_the_security_headers(client):
    page = client.get("/login")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert (page.headers["X-Frame-Options"], page.headers["Referrer-Policy"],
            page.headers["X-Content-Type-Options"]) == ("DENY", "same-origin", "nosniff")


def test_a_deactivated_users_session_and_tokens_are_refused_at_once(app, auth, api):
    token = api.as_user("dara").headers
    auth.login("dara")
    dara = user("dara")
    dara.active = False
    db.session.flush()
    assert auth.client.get("/").status_code == 302
    assert app.test_client().get("/api/v1/inbox", headers=token).status_code == 401


def test_a_token_works_for_its_thirty_days_and_a_session_for_its_eight_hours_then_neither_does(app, auth, api):
    with time_machine.travel(local(2026, 12, 7, 8, 0), tick=False):
        token = api.as_user("dara").headers
        auth.login("dara")
    with time_machine.travel(local(2026, 12, 7, 15, 59), tick=False):
        assert auth.client.get("/").status_code == 200
    _another_browser_asks()
    with time_machine.travel(local(2026, 12, 7, 16, 1), tick=False):
        assert auth.client.get("/").status_code == 302  # signed out: sign in again
    with time_machine.travel(local(2027, 1, 6, 7, 59), tick=False):
        assert app.test_client().get("/api/v1/inbox", headers=token).status_code == 200
    with time_machine.travel(local(2027, 1, 6, 8, 1), tick=False):
        answer = app.test_client().get("/api/v1/inbox", headers=token)
        assert answer.status_code == 401
        assert "unknown or expired" in answer.get_json()["error"]
