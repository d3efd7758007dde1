"""December 2026 at the Kampong Siem and Srei Santhor offices, played through the services with the
clock set: the cases every report test measures, and the figures worked out by hand."""
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.accounts.models import Office
from app.cases import work_items
from app.cases.write_path import start_case
from app.extensions import db
from office_data import (APPLICATION, CORRECTIONS_RECEIVED, HAND_OVER, INTAKE, REVIEW_APPROVE, REVIEW_SEND_BACK,
                         SIGN)
from support import local, open_item, user


def at(moment, action, *args):
    with time_machine.travel(moment, tick=False):
        return action(*args)


def work(moment, username, case, task, data):
    return at(moment, work_items.complete, user(username), open_item(case, task).id, data)


def office(code):
    return db.session.scalars(select(Office).where(Office.code == code)).one()


def december():
    """A: 1-3 Dec, 2.25 working days, on time. B: 2-21 Dec, sent back 3-7 Dec (2 working days paused),
    11.04 working days, late. C: started 7 Dec, left in review past its 5-day deadline. D: applied
    online on 31 Dec, not yet due. E: 30 Nov - 2 Dec, 2 working days, on time. F: at Srei Santhor, open, not due."""
    kps, srk = office("KPS"), office("SRK")
    played = {}

    def start(name, moment, where=kps, who="dara", channel="counter"):
        played[name] = at(moment, start_case, "commercial_licence", APPLICATION, user(who), where, channel)
        return played[name]

    e = start("E", local(2026, 11, 30, 9))
    work(local(2026, 11, 30, 10), "dara", e, "check_documents", INTAKE)
    work(local(2026, 12, 1, 9), "sokha", e, "technical_review", REVIEW_APPROVE)
    work(local(2026, 12, 2, 8), "vanna", e, "sign_licence", SIGN)
    work(local(2026, 12, 2, 9), "dara", e, "hand_over", HAND_OVER)

    a = start("A", local(2026, 12, 1, 9))
    work(local(2026, 12, 1, 10), "dara", a, "check_documents", INTAKE)
    at(local(2026, 12, 1, 11), work_items.claim, user("sokha"), open_item(a, "technical_review").id)
    work(local(2026, 12, 2, 9), "sokha", a, "technical_review", REVIEW_APPROVE)
    work(local(2026, 12, 3, 9), "vanna", a, "sign_licence", SIGN)
    work(local(2026, 12, 3, 15), "dara", a, "hand_over", HAND_OVER)

    b = start("B", local(2026, 12, 2, 9))
    work(local(2026, 12, 2, 10), "dara", b, "check_documents", INTAKE)
    work(local(2026, 12, 3, 9), "sokha", b, "technical_review", REVIEW_SEND_BACK)
    work(local(2026, 12, 7, 9), "dara", b, "applicant_corrections", CORRECTIONS_RECEIVED)
    work(local(2026, 12, 8, 9), "sokha", b, "technical_review", REVIEW_APPROVE)
    work(local(2026, 12, 21, 9), "vanna", b, "sign_licence", SIGN)
    work(local(2026, 12, 21, 10), "dara", b, "hand_over", HAND_OVER)

    c = start("C", local(2026, 12, 7, 9))
    work(local(2026, 12, 7, 10), "dara", c, "check_documents", INTAKE)

    start("D", local(2026, 12, 31, 9), channel="online")
    start("F", local(2026, 12, 31, 9), where=srk, who="bopha")
    return played


DECEMBER = {"from": "2026-12-01", "to": "2026-12-31"}
KPS_DECEMBER = {"process": "commercial_licence", "office": "KPS", "started": 4, "completed": 3,
                "completed_on_time": 2, "on_time_rate": 0.6667, "median_working_days": 2.25,
                "p90_working_days": 11.04, "open": 2, "overdue": 1}
SRK_DECEMBER = {"process": "commercial_licence", "office": "SRK", "started": 1, "completed": 0,
                "completed_on_time": 0, "on_time_rate": None, "median_working_days": None,
                "p90_working_days": None, "open": 1, "overdue": 0}


def september():
    """G: 1-3 Sep, 2.04 working days, on time. H: 7-28 Sep, 14 working days (24 Sep a holiday), late."""
    kps = office("KPS")
    played = {}
    for name, started, reviewed, signed, handed in (
            ("G", local(2026, 9, 1, 9), local(2026, 9, 2, 9), local(2026, 9, 3, 9), local(2026, 9, 3, 10)),
            ("H", local(2026, 9, 7, 9), local(2026, 9, 8, 9), local(2026, 9, 25, 9), local(2026, 9, 28, 9))):
        case = played[name] = at(started, start_case, "commercial_licence", APPLICATION, user("dara"), kps)
        work(started + timedelta(hours=1), "dara", case, "check_documents", INTAKE)
        work(reviewed, "sokha", case, "technical_review", REVIEW_APPROVE)
        work(signed, "vanna", case, "sign_licence", SIGN)
        work(handed, "dara", case, "hand_over", HAND_OVER)
    return played
