"""The night's backup, restored into a fresh database, is the office as it was: every history
verifies and every case opens where it stood (the commands of README, "Backup and restore")."""
import glob
import sqlite3
import subprocess

from flask_migrate import upgrade
from sqlalchemy import make_url, select

from app import create_app
from app.calendars.services import office_calendar, script_helpers
from app.cases.models import Case
from app.cases.state import load_workflow
from app.cases.work_items import complete
from app.cases.write_path import start_case
from app.extensions import db

from office_data import APPLICATION, INTAKE, REVIEW_APPROVE, REVIEW_SEND_BACK
from support import build_world, user


def pg_tool(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else name


def backup_and_restore(source: str, target: str, tmp_path) -> None:
    source_url, target_url = make_url(source), make_url(target)
    if source_url.get_backend_name() == "sqlite":
        # What `sqlite3 FILE ".backup COPY"` does: SQLite's online backup.
        with sqlite3.connect(source_url.database) as live, sqlite3.connect(target_url.database) as copy:
            live.backup(copy)
        return
    dump = tmp_path / "onewindow.dump"

    def plain(url):
        return url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run([pg_tool("pg_dump"), "--format=custom", f"--file={dump}", plain(source_url)], check=True)
    subprocess.run([pg_tool("pg_restore"), "--no-owner", f"--dbname={plain(target_url)}", str(dump)], check=True)


def test_a_restored_backup_verifies_and_opens_every_case(empty_database, second_empty_database, tmp_path):
    live = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database, "SCHEDULER_ENABLED": False,
                       "SECRET_KEY": "test"})
    with live.app_context():
        upgrade()
        build_world()
        dara, sokha = user("dara"), user("sokha")
        at_intake = start_case("commercial_licence", APPLICATION, dara, dara.office)
        in_review = start_case("commercial_licence", APPLICATION, dara, dara.office)
        complete(dara, in_review.open_items[0].id, INTAKE)
        sent_back = start_case("commercial_licence", APPLICATION, dara, dara.office)
        complete(dara, sent_back.open_items[0].id, INTAKE)
        complete(sokha, sent_back.open_items[0].id, REVIEW_SEND_BACK)
        signing = start_case("commercial_licence", APPLICATION, dara, dara.office)
        complete(dara, signing.open_items[0].id, INTAKE)
        complete(sokha, signing.open_items[0].id, REVIEW_APPROVE)
        db.session.commit()
        numbers = [case.number for case in (at_intake, in_review, sent_back, signing)]
        where = {case.number: sorted(i.task for i in case.open_items)
                 for case in (at_intake, in_review, sent_back, signing)}
        db.session.remove()
        db.engine.dispose()

    backup_and_restore(empty_database, second_empty_database, tmp_path)

    restored = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": second_empty_database,
                           "SCHEDULER_ENABLED": False, "SECRET_KEY": "test"})
    verify = restored.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "every history verifies" in verify.output
    with restored.app_context():
        opened = {}
        for case in db.session.scalars(select(Case).order_by(Case.id)):
            workflow = load_workflow(case, script_helpers(office_calendar(case.office),
                                                          case.service_version.script_view()))
            assert sorted(t.element_id for t in workflow.ready_tasks()) == sorted(i.task for i in case.open_items)
            opened[case.number] = sorted(i.task for i in case.open_items)
        assert opened == where == dict(zip(numbers, [["check_documents"], ["technical_review"],
                                                     ["applicant_corrections"], ["sign_licence"]]))
        db.session.remove()
        db.engine.dispose()
