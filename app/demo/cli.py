"""`flask demo seed`: two districts, staff in every role, and cases in every state.

Cases are played through the real services; for the older ones the clock is set back
(time-machine) so their service standards have really run out, and the sweep then
escalates them exactly as it would in an office.
"""
from datetime import datetime, timedelta, timezone

import click
import time_machine
from flask import Blueprint, current_app
from sqlalchemy import select

from ..accounts.models import Office, User
from ..administration.services import create_office, create_user
from ..queue.services import add_counter
from ..calendars.holiday_files import national_holidays
from ..calendars.services import import_holidays
from ..cases import work_items
from ..cases.write_path import start_case
from ..catalogue.services import seed_catalogue
from ..errors import cli_errors
from ..extensions import db
from ..permissions import DISTRICT_ROLES, Role, people_holding
from ..processes.services import deploy_directory, latest_versions
from ..timers.services import sweep

demo_cli = Blueprint("demo", __name__, cli_group="demo")

DEMO_PASSWORD = "onewindow-demo"
# Two districts; Kampong Siem district has two OWSOs, so its governor's desk compares them.
OFFICES = [("KPS", "Kampong Siem OWSO", "KPS-D"), ("SRK", "Srei Santhor OWSO", "KPS-D"),
           ("BTB", "Battambang City OWSO", "BTB-D")]
# The governor and the ombudsman serve the whole district; they sit in its first office.
DISTRICT_SEATS = {"KPS", "BTB"}
# Demo usernames are <short role>.<office>, e.g. chief.kps
SHORT_NAMES = {"front_office": "front", "back_office": "back", "owso_chief": "chief",
               "district_governor": "governor", "ombudsman": "ombudsman", "ombudsman_supervisor": "ombsup"}

APPLICANTS = ["Sok Chanthy", "Chea Dara", "Lim Sreymom", "Keo Pisey", "Meas Rithy", "Heng Sophal", "Noun Bopha"]


def _licence(name: str, n: int) -> dict:
    return {"applicant_name": name, "applicant_id_card_number": f"0102030{n:02d}", "applicant_phone": "012 345 678",
            "business_name": f"{name.split()[1]} Mini Mart", "business_activity": "grocery_or_mini_mart",
            "business_address": f"House {n}, Street 3", "business_commune": "Kampong Siem", "premises": "rented"}


PERMIT = {"owner_name": "Chhim Vuthy", "owner_id_card_number": "011122233", "owner_phone": "017 222 333",
          "land_title_type": "hard_title", "land_title_number": "KPS-12-0456", "plot_address": "Phum Thmey",
          "plot_commune": "Kampong Siem", "construction_type": "new_building", "building_use": "residential",
          "total_floor_area_m2": 96, "number_of_floors": 2}
BIRTH = {"child_family_name": "Sok", "child_given_name": "Dalin", "child_sex": "female",
         "child_date_of_birth": "2026-11-10", "place_of_birth_type": "health_facility",
         "place_of_birth": "Kampong Siem health centre", "mother_name": "Lim Sreymom", "declarant_name": "Lim Sreymom",
         "declarant_relationship": "mother", "declarant_phone": "012 999 888", "residence_village": "Phum Thmey",
         "residence_commune": "Kampong Siem"}
COMPLAINT = {"complaint_text": "I was asked for an extra payment at the counter for my licence."}

STEPS = {
    "check_documents": {"intake_decision": "accept", "documents_received": ["application_form", "id_card_copy"],
                        "fee_paid_riel": 100000},
    "technical_review": {"review_decision": "approve", "review_notes": "In order.", "premises_checked": True},
    "send_back": {"review_decision": "send_back", "review_notes": "Lease missing.",
                  "corrections_requested": "Bring the signed lease."},
    "reject": {"review_decision": "reject", "review_notes": "Activity not allowed here.",
               "refusal_reason": "Zoning does not allow a shop at this address."},
    "sign_licence": {"signature_decision": "sign", "licence_number": "CL-0001", "licence_valid_until": "2027-12-31"},
    "hand_over": {"handed_over_on": "2026-11-20", "received_by": "the applicant", "receiver_id_checked": True},
}


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _advance_licence(case, office_code: str, steps: list[str]):
    for step in steps:
        item = case.open_items[0]
        work_items.complete(_user(f"{SHORT_NAMES[item.role]}.{office_code.lower()}"), item.id, STEPS[step])


def _play(days_ago: float, action):
    if days_ago <= 0:
        return action()
    with time_machine.travel(datetime.now(timezone.utc) - timedelta(days=days_ago), tick=True):
        return action()


def _seed_office(office: Office) -> int:
    code = office.code.lower()
    front = _user(f"front.{code}")
    started = 0
    plan = [  # (days ago, procedure, data, steps taken)
        (0, "commercial_licence", [], "new at the counter"),
        (2, "commercial_licence", ["check_documents"], "in review"),
        (16, "commercial_licence", ["check_documents"], "review overdue: chief and governor escalations"),
        (11, "commercial_licence", ["check_documents"], "review overdue: chief escalation"),
        (3, "commercial_licence", ["check_documents", "send_back"], "waiting on the applicant"),
        (4, "commercial_licence", ["check_documents", "technical_review"], "waiting for the chief's signature"),
        (9, "commercial_licence", ["check_documents", "technical_review", "sign_licence", "hand_over"], "completed"),
        (6, "commercial_licence", ["check_documents", "reject"], "refused, to inform the applicant"),
    ]
    for n, (days_ago, process, steps, _) in enumerate(plan):
        def run(steps=steps, n=n):
            case = start_case(process, _licence(APPLICANTS[n % len(APPLICANTS)], n), front, office)
            _advance_licence(case, office.code, steps)
        _play(days_ago, run)
        started += 1
    _play(3, lambda: start_case("construction_permit", PERMIT, front, office))
    _play(1, lambda: start_case("birth_registration", BIRTH, front, office))
    ombudsman = people_holding(Role.OMBUDSMAN, office)[0]
    _play(4, lambda: start_case("ombudsman_complaint", COMPLAINT, ombudsman, office))
    return started + 3


@demo_cli.cli.command("seed")
@cli_errors
def seed_command():
    """Offices, users and sample cases for trying One Window (safe to run again)."""
    import_holidays(national_holidays())
    if not latest_versions():
        deploy_directory()
    seed_catalogue()
    new_cases = 0
    for code, name, district in OFFICES:
        office = db.session.scalars(select(Office).where(Office.code == code)).first()
        if office is not None:
            continue
        office = create_office(code, name, district)
        for role, short in SHORT_NAMES.items():
            if role in DISTRICT_ROLES and code not in DISTRICT_SEATS:
                continue
            username = f"{short}.{code.lower()}"
            create_user(username, DEMO_PASSWORD, [role], code, full_name=f"{role.replace('_', ' ').title()} "
                        f"({code})", email=f"{username}@example.org")
        add_counter(office, "Counter 1")
        add_counter(office, "Counter 2")
        if code == "KPS":
            create_user("designer", DEMO_PASSWORD, ["designer"], code, full_name="Process designer")
            create_user("admin", DEMO_PASSWORD, ["admin"], code, full_name="Administrator")
        db.session.commit()
        new_cases += _seed_office(office)
        db.session.commit()
    fired = sweep().fired
    click.echo(f"Demo ready: {new_cases} new case(s), {fired} overdue timer(s) fired.")
    click.echo(f"Sign in at {current_app.config['PUBLIC_URL'].rstrip('/')}/login with password '{DEMO_PASSWORD}' as:")
    for user in db.session.scalars(select(User).order_by(User.office_id, User.username)):
        if user.username.endswith(tuple(f".{code.lower()}" for code, _, _ in OFFICES)) or \
                user.username in ("designer", "admin"):
            click.echo(f"  {user.username:<22} {', '.join(sorted(user.roles)):<20} {user.office.name}")
