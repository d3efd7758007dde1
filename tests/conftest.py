"""The world of the tests: a migrated database, two districts with their offices and
staff in every role, and the process library deployed, all through the app's services.

Each test runs inside a transaction that is rolled back afterwards (SQLAlchemy's
savepoint recipe; on SQLite the app itself begins its transactions, see app/db.py).
Set TEST_DATABASE_URL to run the same tests on PostgreSQL.
"""
import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
import time_machine
from babel.messages.frontend import CommandLineInterface
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import make_url, select, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.accounts.models import Office
from app.calendars.holiday_files import Holiday
from app.calendars.services import import_holidays
from app.extensions import SESSION_OPTIONS, db, limiter
from support import ApiClient, Auth, build_world, fresh_database, local

def _test_database(suffix: str = ""):
    """A fresh database for this run: a temp SQLite file, or a new PostgreSQL database on the
    TEST_DATABASE_URL server (dropped afterwards), so parallel runs never share tables."""
    server = os.environ.get("TEST_DATABASE_URL")
    return fresh_database(server, f"{make_url(server).database}_{os.getpid()}{suffix}" if server else f"test{suffix}")


@pytest.fixture
def empty_database():
    """The URL of a database of its own, empty, on the same kind of server as the suite's."""
    with _test_database("_empty") as url:
        yield url


@pytest.fixture
def fresh_app(empty_database):
    """An app on a database of its own, so the migrations can run down and up on it."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database, "SCHEDULER_ENABLED": False,
                      "SECRET_KEY": "test"})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def second_empty_database():
    """Another one, e.g. to restore a backup of the first into."""
    with _test_database("_second") as url:
        yield url


def pytest_sessionstart(session) -> None:
    """Compiled catalogues are build output (make translations); a bare pytest run builds them too, before
    any app loads them: Flask-Babel keeps the first catalogue it reads for the whole run, and the browser
    tests' server is an app of its own that may come first."""
    CommandLineInterface().run(["pybabel", "compile",
                                "-d", str(Path(__file__).resolve().parent.parent / "app" / "translations")])


@pytest.fixture(scope="session")
def app():
    with _test_database() as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False,
                          "SECRET_KEY": "test", "CERTIFICATE_KEY_DIR": tempfile.mkdtemp(prefix="onewindow-keys-"),
                          "DOCUMENTS_DIR": tempfile.mkdtemp(prefix="onewindow-documents-")})
        with app.app_context():
            upgrade()
            build_world()
            db.session.commit()
            db.session.remove()
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def database(app):
    """A database session for one test; everything it writes is rolled back afterwards."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own picks the engine per table and would
        # step around the outer transaction. It behaves as the app's does (SESSION_OPTIONS).
        db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                                 **SESSION_OPTIONS), scopefunc=_app_ctx_id)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def committed(app):
    """Real commits, seen by other connections and threads; what the test adds is removed after."""
    from app.audit.models import AuditEvent, AuditHead
    from app.cases.models import Case, CaseCounter, Timer, WorkItem
    from app.accounts.models import ApiToken, Office, User, UserRole
    from app.notifications.models import Notification
    from app.documents.models import Document
    from app.payments.models import FeeWaiver, Payment
    from app.processes.models import ProcessDefinition
    with app.app_context():
        start_case = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM \"case\""))
        start_event = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM audit_event"))
        start_user = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM \"user\""))
        start_office = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM office"))
        start_definition = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM process_definition"))
        counters = {(c.office_id, c.year): c.last_number for c in db.session.scalars(select(CaseCounter))}
        db.session.remove()
        yield db
        db.session.rollback()
        for model in (Notification, Timer, WorkItem, AuditHead, Payment, FeeWaiver, Document):
            db.session.execute(model.__table__.delete().where(model.case_id > start_case))
        db.session.execute(Notification.__table__.delete().where(Notification.user_id > start_user))
        db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.id > start_event))
        db.session.execute(ApiToken.__table__.delete())
        db.session.execute(Case.__table__.delete().where(Case.id > start_case))
        db.session.execute(UserRole.__table__.delete().where(UserRole.user_id > start_user))
        db.session.execute(User.__table__.delete().where(User.id > start_user))
        db.session.execute(CaseCounter.__table__.delete().where(CaseCounter.office_id > start_office))
        db.session.execute(Office.__table__.delete().where(Office.id > start_office))
        db.session.execute(ProcessDefinition.__table__.delete().where(ProcessDefinition.id > start_definition))
        for counter in db.session.scalars(select(CaseCounter)):
            if (counter.office_id, counter.year) in counters:
                counter.last_number = counters[(counter.office_id, counter.year)]
            else:
                db.session.delete(counter)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def client(app, database):
    limiter.reset()  # failed sign-ins of one story do not throttle the next
    return app.test_client()


@pytest.fixture
def runner(app, database):
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def api(client):
    """A JSON API client: api.as_user('dara') then api.get/post with the bearer token."""
    return ApiClient(client)


@pytest.fixture
def kampong_siem(database):
    """The KPS office, which closes on Wednesday 9 December 2026 for the district's own event."""
    office = database.scalars(select(Office).where(Office.code == "KPS")).one()
    import_holidays([Holiday(date(2026, 12, 9), "District water festival closure")], office=office)
    return office


@pytest.fixture
def licence_year():
    """The licences the tests sign run until 30 November 2027 (office_data.SIGN): a story that needs one in
    force, or orders its events by date, takes place in December 2026, whatever day the suite runs."""
    with time_machine.travel(local(2026, 12, 2, 9, 0), tick=True):
        yield
