"""Small diagrams for the stories of sub-procedures, collaborations and decision tables,
written the way a designer's modeler writes them (one lane per role)."""
import re
from pathlib import Path

from sqlalchemy import select

from app.cases import work_items
from app.cases.write_path import start_case
from app.cases.models import Case

from support import user

DIAGRAMS = Path(__file__).resolve().parent.parent / "diagrams"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="{id}_definitions" '
        'targetNamespace="https://one-window.example/test">\n')


def user_task(element_id: str, name: str | None = None) -> str:
    return f'<bpmn:userTask id="{element_id}" name="{name or element_id}"/>'


def call(element_id: str, called: str, name: str | None = None) -> str:
    return f'<bpmn:callActivity id="{element_id}" name="{name or element_id}" calledElement="{called}"/>'


def rule(element_id: str, decision: str) -> str:
    return (f'<bpmn:businessRuleTask id="{element_id}" name="{element_id}"><bpmn:extensionElements>'
            f'<spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>'
            '</bpmn:extensionElements></bpmn:businessRuleTask>')


def process(process_id: str, *steps: str, lane: str = "front_office", executable: bool = True,
            start_form: str | None = None) -> str:
    """Start, the steps one after the other, end: everything in one lane."""
    ids = [f"{process_id}_start"] + [re.search(r'id="([^"]+)"', s).group(1) for s in steps] + [f"{process_id}_end"]
    form = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
            f'name="formJsonSchemaFilename" value="{start_form}"/></spiffworkflow:properties>'
            '</bpmn:extensionElements>' if start_form else "")
    flows = "".join(f'<bpmn:sequenceFlow id="{process_id}_flow_{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(ids, ids[1:])))
    refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)
    return (f'<bpmn:process id="{process_id}" name="{process_id}" isExecutable="{str(executable).lower()}">'
            f'<bpmn:laneSet id="{process_id}_lanes"><bpmn:lane id="{process_id}_lane" name="{lane}">{refs}'
            f'</bpmn:lane></bpmn:laneSet><bpmn:startEvent id="{ids[0]}">{form}</bpmn:startEvent>'
            + "".join(steps) + f'<bpmn:endEvent id="{ids[-1]}"/>' + flows + "</bpmn:process>\n")


def diagram(*processes: str, name: str = "test") -> bytes:
    return (HEAD.format(id=name) + "".join(processes) + "</bpmn:definitions>\n").encode()


def line_of(xml: bytes, text: str) -> int:
    return xml[:xml.index(text.encode())].count(b"\n") + 1


def work_through(case: Case, *tasks: str, data: dict | None = None) -> Case:
    """Complete the case's open work items in this order, each by someone holding its role in KPS."""
    holders = {"front_office": "dara", "back_office": "sokha", "owso_chief": "vanna",
               "district_governor": "governor"}
    for task in tasks:
        item = next(i for i in case.open_items if i.task == task)
        case = work_items.complete(user(holders[item.role]), item.id, data or {})
    return case


def start(key: str, data: dict | None = None) -> Case:
    dara = user("dara")
    return start_case(key, data or {}, dara, dara.office)


def case_by_number(database, number: str) -> Case:
    return database.scalars(select(Case).where(Case.number == number)).one()
