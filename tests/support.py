"""The world the tests live in, and the clients they use, shared by every test module."""
import re
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from flask import g
from sqlalchemy import create_engine, event, make_url, select, text

from app.accounts.models import User
from app.administration.services import create_office, create_user
from app.cases import work_items
from app.cases.write_path import start_case
from app.cases.models import WorkItem
from app.catalogue.services import seed_catalogue
from app.extensions import db
from app.processes.services import deploy_directory
from office_data import APPLICATION, COMPLAINT, INTAKE, REGISTER_ADMISSIBLE


@contextmanager
def fresh_database(server: str | None, name: str):
    """The URL of a new, empty database of its own, removed afterwards: a SQLite file in a directory of
    its own, or with `server` (a PostgreSQL URL) the database `name` on that server."""
    if not server:
        directory = tempfile.mkdtemp(prefix="onewindow-")
        try:
            yield f"sqlite:///{directory}/{name}.sqlite"
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    url = make_url(server)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

PASSWORD = "correct horse battery"
TEST_DIAGRAMS = Path(__file__).parent / "diagrams"

STAFF = [
    # username, roles, office
    ("dara", ["front_office"], "KPS"),
    ("sokha", ["back_office"], "KPS"),
    ("vanna", ["owso_chief"], "KPS"),
    ("governor", ["district_governor"], "KPS"),
    ("ombudsman", ["ombudsman"], "KPS"),
    ("chanthou", ["ombudsman_supervisor"], "KPS"),
    ("designer", ["designer"], "KPS"),
    ("admin", ["admin"], "KPS"),
    ("bopha", ["front_office"], "SRK"),
    ("rithy", ["back_office"], "SRK"),
    ("chan", ["owso_chief"], "SRK"),
    ("theary", ["front_office"], "BTB"),
    ("piseth", ["back_office"], "BTB"),
    ("nary", ["ombudsman"], "BTB"),
]


def build_world() -> None:
    create_office("KPS", "Kampong Siem OWSO", "KPS-D")
    create_office("SRK", "Srei Santhor OWSO", "KPS-D")
    create_office("BTB", "Battambang City OWSO", "BTB-D")
    for username, roles, office in STAFF:
        create_user(username, PASSWORD, roles, office, full_name=username.title())
    deploy_directory()
    seed_catalogue()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Auth:
    """Signs in through the real login form, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        page = self.client.get("/login")
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": csrf_token_from(page.get_data(as_text=True))})

    def post(self, url: str, data: dict | None = None, **kwargs):
        """POST a page form the way a browser does: with the token from the page it came from."""
        page = self.client.get(kwargs.pop("form_page", "/"))
        form = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), **(data or {})}
        return self.client.post(url, data=form, **kwargs)


class ApiClient:
    def __init__(self, client):
        self.client = client
        self.headers = {}
        self._tokens = {}

    def as_user(self, username: str, password: str = PASSWORD) -> "ApiClient":
        if username not in self._tokens:  # password hashing is slow on purpose; sign in once per test
            response = self.client.post("/api/v1/token", json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self._tokens[username] = response.get_json()["token"]
        self.headers = {"Authorization": f"Bearer {self._tokens[username]}"}
        return self

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)


PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")


def local(*args) -> datetime:
    """A moment on the office's wall clock in Phnom Penh."""
    return datetime(*args, tzinfo=PHNOM_PENH)


def user(username) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def open_item(case, task) -> WorkItem:
    return next(i for i in case.open_items if i.task == task)


def licence_in_review(office, at: datetime):
    """A commercial licence registered at `at` and checked an hour later: the back-office review begins."""
    dara = user("dara")
    with time_machine.travel(at, tick=False):
        case = start_case("commercial_licence", APPLICATION, dara, office)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        work_items.complete(dara, open_item(case, "check_documents").id, INTAKE)
    return case


def complaint_received(office, at: datetime, **changes):
    """A complaint the Ombudsman received by phone at `at`, about the office; not yet registered."""
    with time_machine.travel(at, tick=False):
        return start_case("ombudsman_complaint", {**COMPLAINT, **changes}, user("ombudsman"), office,
                          channel="phone")


def complaint_awaiting_response(office, at: datetime, **changes):
    """A complaint registered an hour after it came in: the OWSO chief is asked to respond."""
    case = complaint_received(office, at, **changes)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        work_items.complete(user("ombudsman"), open_item(case, "register_complaint").id, REGISTER_ADMISSIBLE)
    return case


def licence_through_the_api(api, until: str = "hand_over") -> dict:
    """A commercial licence taken through the office by the API, up to and including `until`
    (check_documents, technical_review, sign_licence or hand_over); returns the case as last seen."""
    from office_data import HAND_OVER, REVIEW_APPROVE, SIGN
    steps = [("dara", "check_documents", INTAKE), ("sokha", "technical_review", REVIEW_APPROVE),
             ("vanna", "sign_licence", SIGN), ("dara", "hand_over", HAND_OVER)]
    started = api.as_user("dara").post("/api/v1/cases", json={"process": "commercial_licence", "data": APPLICATION})
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    for username, task, data in steps:
        inbox = api.as_user(username).get("/api/v1/inbox").get_json()
        item = next(i for i in inbox if i["task"] == task and i["case_id"] == case["id"])
        response = api.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": data})
        assert response.status_code == 200, response.get_json()
        case = response.get_json()
        if task == until:
            break
    return case


@contextmanager
def statements():
    """The SQL statements the app sends inside the with-block, whitespace folded."""
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def as_a_new_request() -> None:
    """Nothing read yet: in production each request has its own session, and its own g for the signed-in user."""
    db.session.expunge_all()
    db.session.info.clear()  # what a session keeps for its transaction (history heads, holidays)
    g.pop("_login_user", None)
