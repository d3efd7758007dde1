"""The world of the tests: a migrated database, two districts with their offices and
staff in every role, and the process library deployed, all through the app's services.

Each test runs inside a transaction that is rolled back afterwards (SQLAlchemy's
savepoint recipe, with the pysqlite fix on SQLite). Set TEST_DATABASE_URL to run the
same tests on PostgreSQL.
"""
import os
import re
import tempfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from app import create_app
from app.accounts.services import create_office, create_user
from app.extensions import db
from app.processes.services import deploy_directory

PASSWORD = "correct horse battery"
TEST_DIAGRAMS = Path(__file__).parent / "diagrams"

STAFF = [
    # username, roles, office
    ("dara", ["front_office"], "KPS"),
    ("sokha", ["back_office"], "KPS"),
    ("vanna", ["owso_chief"], "KPS"),
    ("governor", ["district_governor"], "KPS"),
    ("ombudsman", ["ombudsman"], "KPS"),
    ("designer", ["designer"], "KPS"),
    ("admin", ["admin"], "KPS"),
    ("bopha", ["front_office"], "SRK"),
    ("rithy", ["back_office"], "SRK"),
    ("chan", ["owso_chief"], "SRK"),
    ("theary", ["front_office"], "BTB"),
    ("piseth", ["back_office"], "BTB"),
]


def _database_url() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    return f"sqlite:///{tempfile.mkdtemp(prefix='onewindow-test-')}/test.sqlite"


def _fix_pysqlite_savepoints(engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def do_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def do_begin(conn):
        conn.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def app():
    url = _database_url()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False,
                      "SECRET_KEY": "test"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            _fix_pysqlite_savepoints(db.engine)
        upgrade()
        build_world()
        db.session.commit()
        db.session.remove()
    yield app


def build_world() -> None:
    create_office("KPS", "Kampong Siem OWSO", "KPS-D")
    create_office("SRK", "Srei Santhor OWSO", "KPS-D")
    create_office("BTB", "Battambang City OWSO", "BTB-D")
    for username, roles, office in STAFF:
        create_user(username, PASSWORD, roles, office, full_name=username.title())
    deploy_directory()


@pytest.fixture
def database(app):
    """A database session for one test; everything it writes is rolled back afterwards."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({"bind": connection, "join_transaction_mode": "create_savepoint"})
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, database):
    return app.test_client()


@pytest.fixture
def runner(app, database):
    return app.test_cli_runner()


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


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def api(client):
    """A JSON API client: api.as_user('dara') then api.get/post with the bearer token."""
    return ApiClient(client)


class ApiClient:
    def __init__(self, client):
        self.client = client
        self.headers = {}

    def as_user(self, username: str, password: str = PASSWORD) -> "ApiClient":
        response = self.client.post("/api/v1/token", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
        return self

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)
