"""Fee rules: how a service's official fee is worked out from the application.

A rule is plain JSON with a `kind`. Each kind says what is wrong with a rule (for the admin
pages), computes the fee in riel from the case data, and describes itself for the public.
A decision-table rule, {"kind": "decision", "decision": "commercial_licence_fee"}, takes the
table's answer for the application, in the table version the case's procedure was deployed
with (the procedure version's decisions), and says which row matched.
"""
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from flask_babel import gettext

from ..decisions.services import answer, deployed_decision, latest_decision
from ..engine import ScriptError, check_script, evaluate_expression, parse_decision
from ..errors import Rejected


@dataclass(frozen=True)
class FeeRuleKind:
    problem: Callable[[dict], str | None]
    amount: Callable[[dict, dict, object], int]  # (rule, application data, the case's procedure or None)
    public: Callable[[dict], dict]
    matched: Callable[[dict, dict, object], str | None] = lambda rule, data, procedure: None


def _fixed_problem(rule: dict) -> str | None:
    riel = rule.get("riel")
    if not isinstance(riel, int) or isinstance(riel, bool) or riel < 0:
        return gettext("A fixed fee is a whole number of riel, 0 or more.")
    return None


def _formula_problem(rule: dict) -> str | None:
    expression = rule.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        return gettext("A fee formula needs an expression over the application, e.g. 50000 + 2000 * floor_area_m2.")
    refused = check_script(expression, "eval")
    return gettext("The fee formula is refused: %(reason)s", reason=refused) if refused else None


def _formula_amount(rule: dict, data: dict, procedure) -> int:
    try:
        value = evaluate_expression(rule["expression"], data)
    except ScriptError as error:
        raise Rejected(gettext("The fee could not be worked out from this application: %(error)s. Check the "
                               "fields the fee depends on.", error=error), {"fee": str(error)}) from error
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Rejected(gettext("The fee formula gave %(value)s, not an amount of riel; the administrator must fix "
                               "the service's fee rule.", value=repr(value)), {"fee": repr(value)})
    return round(value)


def _decision_problem(rule: dict) -> str | None:
    key = rule.get("decision")
    if not isinstance(key, str) or (latest := latest_decision(key)) is None:
        return gettext("A fee table rule names a deployed decision table, e.g. {\"kind\": \"decision\", "
                       "\"decision\": \"commercial_licence_fee\"}.")
    outputs = _fee_table(latest).outputs
    output = rule.get("output")
    if output is None and len(outputs) != 1:
        return gettext("Decision table '%(key)s' answers %(outputs)s: say which one is the fee (\"output\").",
                       key=key, outputs=", ".join(outputs))
    if output is not None and output not in outputs:
        return gettext("Decision table '%(key)s' has no output '%(output)s'; its outputs are %(outputs)s.",
                       key=key, output=output, outputs=", ".join(outputs))
    return None


@dataclass(frozen=True)
class FeeTable:
    """What the counter needs of one deployed version of a decision table."""
    name: str
    version: int
    xml: bytes
    outputs: tuple[str, ...]


@lru_cache(maxsize=256)
def _pinned_table(procedure_id: int, procedure_deployed_at, key: str, version: int) -> FeeTable:
    # A deployed procedure version and the table versions it pins never change; its deployment time keeps
    # a reused id apart (a rolled-back transaction, a restored backup), as for its spec (cases/state.py).
    return _fee_table(deployed_decision(key, version))


@lru_cache(maxsize=64)
def _outputs(xml: bytes) -> tuple[str, ...]:
    return tuple(parse_decision(xml).outputs)


def _fee_table(definition) -> FeeTable:
    return FeeTable(definition.name, definition.version, definition.dmn_xml, _outputs(definition.dmn_xml))


def _table_for(key: str, procedure) -> FeeTable:
    """The version of table `key` that the case's procedure evaluates (read once per procedure version);
    the latest one without a procedure or a pin."""
    version = (procedure.decisions or {}).get(key) if procedure is not None else None
    if version is not None:
        return _pinned_table(procedure.id, procedure.deployed_at, key, version)
    return _fee_table(deployed_decision(key))


def _decision_answer(rule: dict, data: dict, procedure):
    table = _table_for(rule["decision"], procedure)
    found = answer(table.xml, data)
    output = rule.get("output") or table.outputs[0]
    if output not in found.answer:
        raise Rejected(gettext("No row of the fee table '%(table)s' (version %(version)s) fits this application; "
                               "check the fields the fee depends on, or have the designer add a row.",
                               table=table.name, version=table.version), {"fee": "no row matched"})
    return table, found, found.answer[output]


def _decision_amount(rule: dict, data: dict, procedure) -> int:
    _, _, value = _decision_answer(rule, data, procedure)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Rejected(gettext("The fee table gave %(value)s, not an amount of riel; the designer must fix the table.",
                               value=repr(value)), {"fee": repr(value)})
    return round(value)


def _decision_matched(rule: dict, data: dict, procedure) -> str:
    table, found, _ = _decision_answer(rule, data, procedure)
    return gettext("row %(row)s of the fee table '%(table)s' (version %(version)s)",
                   row=found.rows[0] if found.rows else None, table=table.name, version=table.version)


FEE_RULES: dict[str, FeeRuleKind] = {
    "fixed": FeeRuleKind(_fixed_problem, lambda rule, data, procedure: rule["riel"],
                         lambda rule: {"kind": "fixed", "riel": rule["riel"]}),
    "formula": FeeRuleKind(_formula_problem, _formula_amount,
                           lambda rule: {"kind": "formula", "expression": rule["expression"]}),
    "decision": FeeRuleKind(_decision_problem, _decision_amount,
                            lambda rule: {"kind": "decision", "decision": rule["decision"]}, _decision_matched),
}


def fee_rule_problem(rule) -> str | None:
    if not isinstance(rule, dict) or rule.get("kind") not in FEE_RULES:
        return gettext("A fee rule has a kind: one of %(kinds)s.", kinds=", ".join(FEE_RULES))
    return FEE_RULES[rule["kind"]].problem(rule)


def fee_for(rule: dict, data: dict, procedure=None) -> int:
    """The official fee in riel for an application with this data (procedure: the case's process
    definition, whose decision table versions it evaluates; the latest versions otherwise)."""
    return FEE_RULES[rule["kind"]].amount(rule, data, procedure)


def fee_matched(rule: dict, data: dict, procedure=None) -> str | None:
    """Which row of a fee table decided the fee, for the counter to show; None for other rules."""
    return FEE_RULES[rule["kind"]].matched(rule, data, procedure)


def public_fee(rule: dict) -> dict:
    return FEE_RULES[rule["kind"]].public(rule)


def fixed_fee(rule: dict) -> int | None:
    """The fee when it does not depend on the application, else None."""
    return rule["riel"] if rule.get("kind") == "fixed" else None

