"""Fee rules: how a service's official fee is worked out from the application.

A rule is plain JSON with a `kind`. Each kind says what is wrong with a rule (for the admin
pages), computes the fee in riel from the case data, and describes itself for the public.
A decision-table rule, {"kind": "decision", "decision": "commercial_licence_fee"}, takes the
table's answer for the application, in the table version the case's procedure was deployed
with (`pins`, the procedure version's decisions), and says which row matched.
"""
from dataclasses import dataclass
from typing import Callable

from flask_babel import gettext

from ..decisions.services import decision_outputs, evaluate, latest_decision
from ..engine import ScriptError, check_script, evaluate_expression
from ..errors import Rejected


@dataclass(frozen=True)
class FeeRuleKind:
    problem: Callable[[dict], str | None]
    amount: Callable[[dict, dict, dict], int]  # (rule, application data, pinned decision versions)
    public: Callable[[dict], dict]
    matched: Callable[[dict, dict, dict], str | None] = lambda rule, data, pins: None


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


def _formula_amount(rule: dict, data: dict, pins: dict) -> int:
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
    if not isinstance(key, str) or latest_decision(key) is None:
        return gettext("A fee table rule names a deployed decision table, e.g. {\"kind\": \"decision\", "
                       "\"decision\": \"commercial_licence_fee\"}.")
    outputs = decision_outputs(key)
    output = rule.get("output")
    if output is None and len(outputs) != 1:
        return gettext("Decision table '%(key)s' answers %(outputs)s: say which one is the fee (\"output\").",
                       key=key, outputs=", ".join(outputs))
    if output is not None and output not in outputs:
        return gettext("Decision table '%(key)s' has no output '%(output)s'; its outputs are %(outputs)s.",
                       key=key, output=output, outputs=", ".join(outputs))
    return None


def _decision_answer(rule: dict, data: dict, pins: dict):
    found = evaluate(rule["decision"], data, version=pins.get(rule["decision"]))
    output = rule.get("output") or decision_outputs(rule["decision"])[0]
    if output not in found.answer:
        raise Rejected(gettext("No row of the fee table '%(table)s' (version %(version)s) fits this application; "
                               "check the fields the fee depends on, or have the designer add a row.",
                               table=found.decision.name, version=found.decision.version), {"fee": "no row matched"})
    return found, found.answer[output]


def _decision_amount(rule: dict, data: dict, pins: dict) -> int:
    _, value = _decision_answer(rule, data, pins)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Rejected(gettext("The fee table gave %(value)s, not an amount of riel; the designer must fix the table.",
                               value=repr(value)), {"fee": repr(value)})
    return round(value)


def _decision_matched(rule: dict, data: dict, pins: dict) -> str:
    found, _ = _decision_answer(rule, data, pins)
    return gettext("row %(row)s of the fee table '%(table)s' (version %(version)s)", row=found.row,
                   table=found.decision.name, version=found.decision.version)


FEE_RULES: dict[str, FeeRuleKind] = {
    "fixed": FeeRuleKind(_fixed_problem, lambda rule, data, pins: rule["riel"],
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


def fee_for(rule: dict, data: dict, pins: dict | None = None) -> int:
    """The official fee in riel for an application with this data (pins: the decision table versions
    the case's procedure evaluates; the latest version otherwise)."""
    return FEE_RULES[rule["kind"]].amount(rule, data, pins or {})


def fee_matched(rule: dict, data: dict, pins: dict | None = None) -> str | None:
    """Which row of a fee table decided the fee, for the counter to show; None for other rules."""
    return FEE_RULES[rule["kind"]].matched(rule, data, pins or {})


def public_fee(rule: dict) -> dict:
    return FEE_RULES[rule["kind"]].public(rule)


def fixed_fee(rule: dict) -> int | None:
    """The fee when it does not depend on the application, else None."""
    return rule["riel"] if rule.get("kind") == "fixed" else None

