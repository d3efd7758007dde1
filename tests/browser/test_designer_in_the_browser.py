"""Designers and staff in a real browser (headless Chromium) against a real server: a designer
opens the commercial licence in the modeler, renames a task, drags it out of every lane, sees
the validation mark it, undoes the move and deploys; new cases run version 2, an older case stays
on version 1. Staff see a case on its diagram, even one deployed without layout."""
from pathlib import Path

import pytest
from browsing import csp_violations, signed_in
from lxml import etree
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.cases.write_path import start_case
from app.extensions import db
from app.processes.services import deploy

from office_data import APPLICATION

pytestmark = pytest.mark.browser

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BIRTH = {"child_family_name": "Sok", "child_given_name": "Dara", "child_sex": "male",
         "child_date_of_birth": "2026-11-20", "place_of_birth_type": "home", "place_of_birth": "Phum Thmey",
         "mother_name": "Chan Sreymom", "declarant_name": "Chan Sreymom", "declarant_relationship": "mother",
         "declarant_phone": "012 345 678", "residence_village": "Phum Thmey", "residence_commune": "Kampong Siem"}
NEW_NAME = "Check documents, take the fee, give the receipt"
OLD_NAME = "Check documents and take the official fee"


def start_licence(app) -> tuple[str, int]:
    """A counter registration through the services; returns the case number and its version."""
    with app.app_context():
        dara = db.session.scalars(select(User).where(User.username == "dara")).one()
        case = start_case("commercial_licence", APPLICATION, dara, dara.office)
        db.session.commit()
        return case.number, case.definition.version


def centre(box) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_a_designer_renames_a_task_catches_a_lane_mistake_and_deploys_version_2(live_server, browser):
    app, base = live_server
    old_case, old_version = start_licence(app)
    assert old_version == 1

    page = signed_in(browser, base, "designer")
    page.goto(f"{base}/designer/procedures/commercial_licence")
    page.click("#version-1 >> text=Open in the modeler")
    task = page.locator('.djs-shape[data-element-id="check_documents"]')
    expect(task).to_be_visible()

    # rename through the properties panel
    task.click()
    name = page.locator("#properties label.ow-field", has_text="Name").locator("input")
    name.fill(NEW_NAME)
    name.press("Tab")
    expect(task).to_contain_text("give the receipt")

    # drag the task onto the border between the front-office and back-office lanes: it is in neither
    border = page.locator('.djs-shape[data-element-id="lane_back_office"] .djs-visual > rect').bounding_box()["y"]
    start_x, start_y = centre(task.bounding_box())
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 20, start_y + 20, steps=5)
    page.mouse.move(start_x, border, steps=10)
    page.mouse.up()

    page.click("#validate")
    problem = page.locator("#problems li.ow-problem-error", has_text="check_documents")
    expect(problem).to_contain_text("is in no lane")
    expect(page.locator('.djs-shape.ow-error[data-element-id="check_documents"]')).to_be_visible()

    # undo the move (the rename stays): back on the canvas first, where the keyboard shortcuts live
    canvas = page.locator("#modeler").bounding_box()
    page.mouse.click(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] - 15)
    page.keyboard.press("Control+z")
    page.click("#validate")
    expect(page.locator("#problems li.ow-problem-warning").first).to_be_visible()
    expect(page.locator("#problems li.ow-problem-error")).to_have_count(0)
    expect(task).to_contain_text("give the receipt")

    page.click("#deploy")
    expect(page.locator(".flash")).to_contain_text("Commercial licence for a small business version 2")
    expect(page.locator("#version-2")).to_contain_text(NEW_NAME)
    assert csp_violations(page) == []  # the modeler works under the site's Content-Security-Policy

    new_case, new_version = start_licence(app)
    assert new_version == 2
    inbox = signed_in(browser, base, "dara")
    steps = {row.locator("td").nth(1).inner_text(): row.locator("td").nth(2).inner_text()
             for row in inbox.locator("table.list tbody tr").all()}
    assert steps[old_case] == OLD_NAME  # still on version 1
    assert steps[new_case] == NEW_NAME


def test_a_case_page_draws_a_diagram_deployed_without_layout_and_marks_the_open_work(live_server, browser):
    app, base = live_server
    bare = etree.fromstring((BPMN_DIR / "birth_registration.bpmn").read_bytes())
    for layout in bare.findall("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram"):
        bare.remove(layout)
    with app.app_context():
        deploy([("birth_registration.bpmn", etree.tostring(bare))])
        dara = db.session.scalars(select(User).where(User.username == "dara")).one()
        case = start_case("birth_registration", BIRTH, dara, dara.office)
        db.session.commit()
        case_id, current = case.id, case.open_items[0].task

    page = signed_in(browser, base, "dara")
    page.goto(f"{base}/cases/{case_id}")
    expect(page.locator(f'#case-diagram .djs-shape.ow-current[data-element-id="{current}"]')).to_be_visible()
    expect(page.locator('#case-diagram .djs-shape.ow-completed').first).to_be_visible()
    expect(page.locator("#case-diagram .ow-diagram-error")).to_have_count(0)
    assert csp_violations(page) == []  # and so does the case viewer
