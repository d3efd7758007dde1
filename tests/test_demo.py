"""`flask demo seed` builds an office someone can try out: two districts, every role, and
cases in every state, overdue ones already escalated; running it again adds nothing."""
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import District, UserRole
from app.cases.models import Case, WorkItem
from app.extensions import db


def test_the_demo_has_every_role_and_cases_in_every_state(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/demo.sqlite",
                      "SCHEDULER_ENABLED": False, "SECRET_KEY": "demo", "PUBLIC_URL": "http://127.0.0.1:5077/"})
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "chief.kps" in first.output
    assert "Sign in at http://127.0.0.1:5077/login with password 'onewindow-demo' as:" in first.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(District)) == 2
        assert set(db.session.scalars(select(UserRole.role).distinct())) == {
            "front_office", "back_office", "owso_chief", "district_governor", "ombudsman", "ombudsman_supervisor",
            "designer", "admin"}
        assert set(db.session.scalars(select(Case.status).distinct())) == {"running", "completed"}
        assert db.session.scalar(select(func.count()).select_from(Case).where(Case.clock_stopped_at.is_not(None)))
        levels = set(db.session.scalars(select(WorkItem.escalation_level).where(WorkItem.status == "open")))
        assert {1, 2} <= levels
        cases_before = db.session.scalar(select(func.count()).select_from(Case))
    assert runner.invoke(args=["audit", "verify"]).output == "every history verifies\n"
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0 and "0 new case(s)" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == cases_before
        db.engine.dispose()
