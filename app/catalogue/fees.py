"""Fee rules: how a service's official fee is worked out from the application.

A rule is plain JSON with a `kind`. Each kind says what is wrong with a rule (for the admin
pages), computes the fee in riel from the case data, and describes itself for the public.
Another kind (a decision table, say) registers itself with `FEE_RULES[kind] = ...`.
"""
from dataclasses import dataclass
from typing import Callable

from ..engine import ScriptError, check_script, evaluate_expression
from ..errors import Rejected


@dataclass(frozen=True)
class FeeRuleKind:
    problem: Callable[[dict], str | None]
    amount: Callable[[dict, dict], int]
    public: Callable[[dict], dict]


def _fixed_problem(rule: dict) -> str | None:
    riel = rule.get("riel")
    if not isinstance(riel, int) or isinstance(riel, bool) or riel < 0:
        return "A fixed fee is a whole number of riel, 0 or more."
    return None


def _formula_problem(rule: dict) -> str | None:
    expression = rule.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        return "A fee formula needs an expression over the application, e.g. 50000 + 2000 * floor_area_m2."
    refused = check_script(expression, "eval")
    return f"The fee formula is refused: {refused}" if refused else None


def _formula_amount(rule: dict, data: dict) -> int:
    try:
        value = evaluate_expression(rule["expression"], data)
    except ScriptError as error:
        raise Rejected(f"The fee could not be worked out from this application: {error}. Check the "
                       "fields the fee depends on.", {"fee": str(error)}) from error
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Rejected(f"The fee formula gave {value!r}, not an amount of riel; the administrator must fix "
                       "the service's fee rule.", {"fee": repr(value)})
    return round(value)


FEE_RULES: dict[str, FeeRuleKind] = {
    "fixed": FeeRuleKind(_fixed_problem, lambda rule, data: rule["riel"],
                         lambda rule: {"kind": "fixed", "riel": rule["riel"]}),
    "formula": FeeRuleKind(_formula_problem, _formula_amount,
                           lambda rule: {"kind": "formula", "expression": rule["expression"]}),
}


def fee_rule_problem(rule) -> str | None:
    if not isinstance(rule, dict) or rule.get("kind") not in FEE_RULES:
        return f"A fee rule has a kind: one of {', '.join(FEE_RULES)}."
    return FEE_RULES[rule["kind"]].problem(rule)


def fee_for(rule: dict, data: dict) -> int:
    """The official fee in riel for an application with this data."""
    return FEE_RULES[rule["kind"]].amount(rule, data)


def public_fee(rule: dict) -> dict:
    return FEE_RULES[rule["kind"]].public(rule)


def fixed_fee(rule: dict) -> int | None:
    """The fee when it does not depend on the application, else None."""
    return rule["riel"] if rule.get("kind") == "fixed" else None

