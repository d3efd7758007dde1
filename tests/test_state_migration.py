"""Upgrading an office's database: cases written with the spec inside their JSON (before
revision 7c41d9e2b5a0) keep every bit of their state, lose the copy of the diagram, and go on
working; going back down puts the spec back."""
import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.cases.work_items import complete
from app.cases.write_path import start_case
from app.cases.models import Case
from app.extensions import db

from office_data import APPLICATION, INTAKE, REVIEW_APPROVE
from support import build_world, user

BEFORE = "9e3b7d21c4f8"  # main's head before this change


def raw_state(case_id: int):
    return db.session.execute(text('SELECT workflow_state FROM "case" WHERE id = :id'), {"id": case_id}).scalar()


def test_a_case_in_review_survives_the_way_down_and_up_and_goes_on(fresh_app):
    upgrade()
    build_world()
    case = start_case("commercial_licence", APPLICATION, user("dara"), user("dara").office)
    complete(user("dara"), case.open_items[0].id, INTAKE)
    db.session.commit()
    case_id, state_before = case.id, json.loads(case.workflow_state)
    db.session.remove()

    downgrade(revision=BEFORE)
    legacy = raw_state(case_id)
    assert isinstance(legacy, str)  # plain JSON again, as the old code reads it
    legacy = json.loads(legacy)
    assert legacy["spec"]["name"] == "commercial_licence"
    assert {k: v for k, v in legacy.items() if k not in ("spec", "subprocess_specs")} == state_before
    db.session.remove()

    upgrade()
    case = db.session.get(Case, case_id)
    assert json.loads(case.workflow_state) == state_before
    review = next(i for i in case.open_items if i.task == "technical_review")
    complete(user("sokha"), review.id, REVIEW_APPROVE)
    db.session.commit()
    assert [i.task for i in db.session.get(Case, case_id).open_items] == ["sign_licence"]
