"""An administrator runs the offices' accounts from pages, without a shell; every change is audited."""
from sqlalchemy import select

from app.accounts.models import District, Office, User
from app.administration.services import update_user
from app.audit.models import AuditEvent
from app.extensions import db

from support import PASSWORD, as_a_new_request, statements, user

NEW_PASSWORD = "water buffalo at noon"


def _audited(kind: str) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.summary).where(AuditEvent.kind == kind).order_by(AuditEvent.id)))


def test_only_administrators_reach_the_administration_pages(auth):
    auth.login("vanna")
    assert [auth.client.get(page).status_code for page in ("/admin/users", "/admin/offices", "/admin/districts")] == [
        403, 403, 403]


def test_an_administrator_adds_a_user_with_roles_in_an_office(auth):
    auth.login("admin")
    added = auth.post("/admin/users/new", form_page="/admin/users/new", data={
        "username": "srey", "password": NEW_PASSWORD, "roles": ["front_office", "back_office"], "office": "SRK",
        "full_name": "Srey Neang", "email": "srey@example.org"})
    assert added.status_code == 302
    srey = user("srey")
    assert (srey.roles, srey.office.code, srey.email) == ({"front_office", "back_office"}, "SRK", "srey@example.org")
    assert _audited("user_created")[-1] == "User srey created with roles back_office, front_office"
    assert auth.login("srey", NEW_PASSWORD).status_code == 302


def test_an_officer_is_read_with_their_roles_and_a_change_of_roles_counts_at_once(database):
    as_a_new_request()
    with statements() as seen:
        sokha = user("sokha")
        roles = sokha.roles
    assert (roles, len([s for s in seen if s.startswith("SELECT")])) == ({"back_office"}, 1)
    update_user(user("admin"), sokha.id, sokha.full_name, sokha.email, ["back_office", "owso_chief"], "KPS", True)
    assert sokha.roles == {"back_office", "owso_chief"}  # before the commit: what this transaction changed
    update_user(user("admin"), sokha.id, sokha.full_name, sokha.email, ["owso_chief"], "KPS", True)
    as_a_new_request()
    assert user("sokha").roles == {"owso_chief"}


def test_a_refused_new_user_says_why_and_adds_nobody(auth):
    auth.login("admin")
    refused = auth.post("/admin/users/new", form_page="/admin/users/new", data={
        "username": "srey", "password": "short", "roles": ["front_office"], "office": "SRK"})
    assert refused.status_code == 422
    assert "A password needs at least 10 characters" in refused.get_data(as_text=True)
    assert db.session.scalar(select(User.id).where(User.username == "srey")) is None


def test_deactivating_a_user_ends_their_session_and_tokens_at_once(app, auth, api):
    token = api.as_user("dara").headers
    auth.login("admin")
    dara = user("dara")
    changed = auth.post(f"/admin/users/{dara.id}", form_page=f"/admin/users/{dara.id}", data={
        "full_name": "Dara Sok", "email": "", "roles": ["front_office", "back_office"], "office": "KPS"})
    assert changed.status_code == 302
    assert (user("dara").active, user("dara").roles, user("dara").full_name) == (
        False, {"front_office", "back_office"}, "Dara Sok")
    assert app.test_client().get("/api/v1/inbox", headers=token).status_code == 401
    assert _audited("user_updated")[-1] == ("User dara changed by admin: active, full_name, roles; deactivated, "
                                            "1 session(s) and token(s) ended")
    assert auth.login("dara").status_code == 401


def test_a_reset_password_replaces_the_old_one_and_ends_every_session(auth, api, app):
    token = api.as_user("sokha").headers
    auth.login("admin")
    sokha = user("sokha")
    reset = auth.post(f"/admin/users/{sokha.id}", form_page=f"/admin/users/{sokha.id}",
                      data={"action": "reset_password", "new_password": NEW_PASSWORD})
    assert reset.status_code == 302
    assert app.test_client().get("/api/v1/inbox", headers=token).status_code == 401
    assert auth.login("sokha", PASSWORD).status_code == 401
    assert auth.login("sokha", NEW_PASSWORD).status_code == 302
    assert _audited("password_reset") == ["Password of sokha reset by admin; 1 session(s) and token(s) ended"]


def test_an_administrator_cannot_lock_themselves_out(auth):
    auth.login("admin")
    admin = user("admin")
    refused = auth.post(f"/admin/users/{admin.id}", form_page=f"/admin/users/{admin.id}", data={
        "full_name": "Admin", "roles": ["admin"], "office": "KPS"})
    assert refused.status_code == 422
    assert user("admin").active is True


def test_offices_and_districts_are_added_and_renamed_on_pages(auth):
    auth.login("admin")
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert auth.post("/admin/districts", form_page="/admin/districts",
                     data={"code": "pvh-d", "name": "Prey Veng district"}).status_code == 302
    assert auth.post("/admin/offices", form_page="/admin/offices",
                     data={"code": "pvh", "name": "Prey Veng OWSO", "district": "PVH-D"}).status_code == 302
    assert auth.post("/admin/offices", form_page="/admin/offices",
                     data={"code_existing": "PVH", "name": "Prey Veng Town OWSO", "district": "KPS-D"}).status_code == 302
    assert auth.post("/admin/districts", form_page="/admin/districts",
                     data={"code_existing": "PVH-D", "name": "Prey Veng"}).status_code == 302
    office = db.session.scalars(select(Office).where(Office.code == "PVH")).one()
    assert (office.name, office.district.code) == ("Prey Veng Town OWSO", "KPS-D")
    assert db.session.scalars(select(District.name).where(District.code == "PVH-D")).one() == "Prey Veng"
    assert [e for e in db.session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.in_(
        ["district_created", "office_created", "office_updated", "district_updated"]), AuditEvent.id > before)
        .order_by(AuditEvent.id))] == [
        "district_created", "office_created", "office_updated", "district_updated"]
    unknown = auth.post("/admin/offices", form_page="/admin/offices",
                        data={"code_existing": "PVH", "name": "X", "district": "NOPE"})
    assert unknown.status_code == 422 and "There is no district NOPE; add it first." in unknown.get_data(as_text=True)
