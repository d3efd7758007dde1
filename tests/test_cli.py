"""Operators run the office from the command line with the names in API.md."""
from pathlib import Path

from sqlalchemy import func, select

from app.accounts.models import User
from app.processes.models import ProcessDefinition

BPMN = Path(__file__).resolve().parent.parent / "bpmn"


def test_offices_and_users_are_created_from_the_command_line(runner, database):
    result = runner.invoke(args=["offices", "create", "PVH", "Prey Veng OWSO", "--district", "PVH-D"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create", "sophea", "--password", "long enough pw", "--role",
                                 "front_office", "--role", "back_office", "--office", "PVH"])
    assert result.exit_code == 0, result.output
    sophea = database.scalars(select(User).where(User.username == "sophea")).one()
    assert sophea.roles == {"front_office", "back_office"} and sophea.office.code == "PVH"
    assert sophea.password_hash != "long enough pw"


def test_a_user_with_an_unknown_role_or_office_is_refused_clearly(runner, database):
    result = runner.invoke(args=["users", "create", "x", "--password", "long enough pw", "--role", "king",
                                 "--office", "KPS"])
    assert result.exit_code == 1 and "Unknown role(s) king" in result.output
    result = runner.invoke(args=["users", "create", "x", "--password", "long enough pw", "--role", "admin",
                                 "--office", "NOPE"])
    assert result.exit_code == 1 and "no office with the code NOPE" in result.output
    assert database.scalar(select(func.count()).select_from(User).where(User.username == "x")) == 0


def test_an_unchanged_diagram_is_not_versioned_again(runner, database):
    result = runner.invoke(args=["bpmn", "deploy"])
    assert result.exit_code == 0, result.output
    assert "commercial_licence version 1: unchanged" in result.output


def test_a_broken_diagram_is_refused_with_element_and_line_and_nothing_is_deployed(runner, database, tmp_path):
    broken = tmp_path / "commercial_licence.bpmn"
    text = (BPMN / "commercial_licence.bpmn").read_text()
    broken.write_text(text.replace('name="back_office"', 'name="cashier"', 1))
    changed = tmp_path / "birth_registration.bpmn"
    changed.write_text((BPMN / "birth_registration.bpmn").read_text().replace(
        "Verify", "Check", 1))
    before = database.scalar(select(func.count()).select_from(ProcessDefinition))
    result = runner.invoke(args=["bpmn", "deploy", str(changed), str(broken)])
    assert result.exit_code == 1
    assert "Lane 'cashier' is not a role" in result.output
    xsd = tmp_path / "birth_registration.bpmn"
    xsd.write_text((BPMN / "birth_registration.bpmn").read_text().replace(
        '<bpmn:userTask id="verify_record"', '<bpmn:userTask id="verify_record" priority="high"', 1))
    result = runner.invoke(args=["bpmn", "deploy", str(xsd)])
    assert result.exit_code == 1 and "BPMN schema" in result.output and "priority" in result.output
    assert "verify_record line" in result.output
    assert database.scalar(select(func.count()).select_from(ProcessDefinition)) == before


def test_the_sweep_command_prints_how_many_timers_fired(runner, database):
    result = runner.invoke(args=["timers", "sweep"])
    assert result.exit_code == 0 and "0 timer(s) fired, 0 case(s) failed" in result.output
