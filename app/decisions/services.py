"""Decision tables (DMN): checked, deployed and versioned like diagrams, evaluated in the sandbox.

Write functions flush and audit; the caller commits once.
"""
import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.services import record
from ..calendars.services import office_calendar, script_helpers
from ..engine import (DecisionAnswer, DecisionError, DecisionTable, DiagramError, Problem, decision_problems,
                      evaluate_decision, parse_decision, spiff_decision_problems)
from ..errors import NotFound, Rejected, TooLarge
from ..extensions import db
from .models import DecisionDefinition


@dataclass
class DecisionDeployment:
    definition: DecisionDefinition
    created: bool


@dataclass(frozen=True)
class DecisionResult:
    """A decision's answer for some data, with the row that decided it, as people read it."""
    decision: DecisionDefinition
    answer: dict
    rows: list[int]

    @property
    def row(self) -> int | None:
        return self.rows[0] if self.rows else None


def check_decision(xml: bytes) -> tuple[DecisionTable | None, list[Problem]]:
    """The table's summary (None when unreadable) and its problems; errors block deployment."""
    try:
        table = parse_decision(xml)
    except DiagramError as exc:
        if exc.too_large:
            raise TooLarge(exc.problems[0].message, [p.as_dict() for p in exc.problems])
        return None, exc.problems
    problems = decision_problems(table)
    if not problems:
        problems = spiff_decision_problems(xml)
    return table, problems


def latest_decision(key: str) -> DecisionDefinition | None:
    return db.session.scalars(select(DecisionDefinition).where(DecisionDefinition.key == key)
                              .order_by(DecisionDefinition.version.desc()).limit(1)).first()


def latest_decisions() -> list[DecisionDefinition]:
    newest = (select(DecisionDefinition.key, func.max(DecisionDefinition.version).label("version"))
              .group_by(DecisionDefinition.key).subquery())
    return list(db.session.scalars(
        select(DecisionDefinition)
        .join(newest, (DecisionDefinition.key == newest.c.key) & (DecisionDefinition.version == newest.c.version))
        .order_by(DecisionDefinition.name)))


def decision_version(key: str, version: int) -> DecisionDefinition:
    found = db.session.scalars(select(DecisionDefinition).where(
        DecisionDefinition.key == key, DecisionDefinition.version == version)).first()
    if found is None:
        raise NotFound(_("Decision table '%(key)s' has no version %(version)s.", key=key, version=version))
    return found


def store_decision(filename: str, xml: bytes, table: DecisionTable, actor=None) -> DecisionDeployment:
    """A new version unless the latest one is exactly this file."""
    sha = hashlib.sha256(xml).hexdigest()
    current = latest_decision(table.id)
    if current is not None and current.sha256 == sha:
        return DecisionDeployment(current, created=False)
    definition = DecisionDefinition(key=table.id, version=(current.version + 1) if current else 1, name=table.name,
                                    filename=Path(filename).name, dmn_xml=xml, sha256=sha,
                                    deployed_by_id=actor.id if actor else None)
    db.session.add(definition)
    db.session.flush()
    record("decision_deployed", f"Deployed decision table {definition.name} version {definition.version}",
           actor=actor, key=definition.key, version=definition.version, sha256=sha)
    return DecisionDeployment(definition, created=True)


def deployed_decision(key: str, version: int | None = None) -> DecisionDefinition:
    """The decision table's version (its latest unless one is named); 404 naming the deployed tables."""
    if version is not None:
        return decision_version(key, version)
    decision = latest_decision(key)
    if decision is None:
        raise NotFound(_("There is no decision table '%(key)s'. Deployed decision tables: %(deployed)s.", key=key,
                         deployed=", ".join(d.key for d in latest_decisions()) or _("none")))
    return decision


def answer(xml: bytes, data: dict, office=None) -> DecisionAnswer:
    """What the table answers for this data, and which rows matched; a table that cannot answer is refused
    with its reason. With an office, entries may use its calendar as in a case."""
    try:
        helpers = script_helpers(office_calendar(office)) if office is not None else None
        return evaluate_decision(xml, data, helpers)
    except DecisionError as exc:
        raise Rejected(str(exc)) from exc


def evaluate(key: str, data: dict, office=None, version: int | None = None) -> DecisionResult:
    """What a deployed decision table answers for this data (its latest version unless one is
    named), and which row decided it."""
    decision = deployed_decision(key, version)
    found = answer(decision.dmn_xml, data, office)
    return DecisionResult(decision, found.answer, found.rows)
