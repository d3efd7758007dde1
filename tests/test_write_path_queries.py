"""Each write reads what it needs once: the case it locks comes with its office, procedure, catalogue
entry, task state and work, and is not read again; the case the API sends back names everyone who
worked on it without a query per person."""
import re
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import event

from app.cases import work_items
from app.extensions import db

from office_data import REVIEW_APPROVE
from support import licence_in_review, licence_through_the_api, open_item, user


@contextmanager
def statements():
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def reads_of(seen, table: str) -> list[str]:
    """The statements that read rows of the table (the ORM names its columns table.column)."""
    return [s for s in seen if re.match(rf'SELECT "?{table}"?\.', s)]


def test_completing_a_review_reads_the_case_once(database, kampong_siem):
    case = licence_in_review(kampong_siem, datetime.now(timezone.utc))
    item_id = open_item(case, "technical_review").id
    database.expunge_all()  # as a new request: nothing read yet
    sokha = user("sokha")
    with statements() as seen:
        work_items.complete(sokha, item_id, REVIEW_APPROVE)
        database.flush()
    assert len(reads_of(seen, "case")) == 1
    assert len(reads_of(seen, "work_item")) == 1
    assert reads_of(seen, "process_definition") == reads_of(seen, "office") == reads_of(seen, "service") == []
    assert len([s for s in seen if s.startswith('UPDATE "case"')]) == 1


def test_the_case_the_api_sends_back_costs_the_same_however_many_people_worked_on_it(database, api):
    by_two = licence_through_the_api(api, until="check_documents")  # dara registered and checked it
    by_three = licence_through_the_api(api, until="technical_review")  # and sokha reviewed it
    api.as_user("vanna")
    counts = []
    for case in (by_two, by_three):
        database.expunge_all()
        with statements() as seen:
            response = api.get(f"/api/v1/cases/{case['id']}")
        assert response.status_code == 200
        counts.append(len([s for s in seen if s.startswith("SELECT")]))
    assert {e["actor"] for e in api.get(f"/api/v1/cases/{by_three['id']}").get_json()["history"]} >= {"dara",
                                                                                                       "sokha"}
    assert counts[0] == counts[1]
