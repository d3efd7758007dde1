"""Decision tables (DMN): read safely, check, and evaluate in the script sandbox.

A DMN file holds one decision with one decision table, as SpiffWorkflow runs them.
Entries are Python expressions, as in spiff-arena: `"restaurant"`, `< 100`,
`100 <= ? < 500`, `in ["tailor", "barber"]`, `-` for any value.
"""
import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .diagrams import DiagramError, Problem, check_xml_safety, safe_parser, xsd_problems_with
from .scripting import RestrictedEnvironment, ScriptHelpers, check_script

DMN13_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
HIT_POLICIES = ("UNIQUE", "FIRST", "COLLECT")


class DecisionError(Exception):
    """A decision could not be evaluated for the data given (an entry failed on a row)."""


@dataclass(frozen=True)
class DecisionInput:
    id: str
    label: str
    expression: str | None
    line: int | None


@dataclass(frozen=True)
class DecisionRule:
    row: int
    id: str
    inputs: tuple  # entry text per input, None for "any value"
    outputs: tuple
    line: int | None


@dataclass
class DecisionTable:
    id: str
    name: str
    hit_policy: str
    inputs: list[DecisionInput]
    outputs: list[str]  # the names the answers are stored under
    rules: list[DecisionRule]
    line: int | None

    def input_names(self) -> dict[str, DecisionInput]:
        """The case data each input reads: variable name -> the input reading it."""
        names = {}
        for each in self.inputs:
            try:
                tree = ast.parse(each.expression or "", mode="eval")
            except SyntaxError:
                continue
            called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in called:
                    names.setdefault(node.id, each)
        return names


@dataclass(frozen=True)
class DecisionAnswer:
    answer: dict
    rows: list[int]  # the rows that matched, numbered from 1 as the table shows them


def _dmn(tag: str, ns: str) -> str:
    return f"{{{ns}}}{tag}"


def read_dmn(xml: bytes):
    check_xml_safety(xml, "decision table", "DMN")
    try:
        root = etree.fromstring(xml, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise DiagramError([Problem(f"The file is not well-formed XML: {exc.msg}", line=exc.lineno)])
    if root.getroottree().docinfo.doctype:
        raise DiagramError([Problem("The decision table declares a DTD; remove the <!DOCTYPE>.")])
    ns = etree.QName(root).namespace
    if etree.QName(root).localname != "definitions" or ns not in SCHEMAS:
        raise DiagramError([Problem("This is not a DMN file: the root element must be the definitions of DMN 1.3 "
                                    f"({DMN13_NS}).", line=root.sourceline)])
    return root


def decision_identity(xml: bytes) -> tuple[str, str]:
    decision = _the_decision(read_dmn(xml))
    return decision.get("id"), decision.get("name") or decision.get("id")


def _the_decision(root):
    ns = etree.QName(root).namespace
    decisions = root.findall(_dmn("decision", ns))
    if len(decisions) != 1:
        raise DiagramError([Problem(f"A DMN file holds exactly one decision; this one has {len(decisions)}.",
                                    line=root.sourceline)])
    decision = decisions[0]
    if not decision.get("id"):
        raise DiagramError([Problem("The decision has no id; give it one (it is the decision's key).",
                                    line=decision.sourceline)])
    tables = decision.findall(_dmn("decisionTable", ns))
    if len(tables) != 1:
        raise DiagramError([Problem(f"Decision '{decision.get('id')}' must hold exactly one decision table; it has "
                                    f"{len(tables)}.", decision.get("id"), decision.sourceline)])
    return decision


def _text(element, ns) -> str | None:
    node = element.find(_dmn("text", ns))
    text = (node.text or "").strip() if node is not None else ""
    return text or None


@lru_cache(maxsize=None)
def _dmn_schema(ns: str) -> etree.XMLSchema:
    """Compiled once per process: compiling the XSD costs more than checking a table with it."""
    return etree.XMLSchema(etree.parse(SCHEMAS[ns]))


def parse_decision(xml: bytes) -> DecisionTable:
    """Validate a DMN file (XML safety, DMN XSD, one decision table) and summarise it."""
    root = read_dmn(xml)
    ns = etree.QName(root).namespace
    problems = xsd_problems_with(_dmn_schema(ns), root, "DMN schema")
    if problems:
        raise DiagramError(problems)
    decision = _the_decision(root)
    table = decision.find(_dmn("decisionTable", ns))
    inputs = []
    for each in table.findall(_dmn("input", ns)):
        expression = each.find(_dmn("inputExpression", ns))
        inputs.append(DecisionInput(each.get("id"), each.get("label") or each.get("id"),
                                    _text(expression, ns) if expression is not None else None, each.sourceline))
    outputs = [each.get("name") or each.get("label") or "" for each in table.findall(_dmn("output", ns))]
    rules = []
    for row, rule in enumerate(table.findall(_dmn("rule", ns)), start=1):
        entries = [_text(entry, ns) for entry in rule.findall(_dmn("inputEntry", ns))]
        rules.append(DecisionRule(row, rule.get("id"), tuple(None if e == "-" else e for e in entries),
                                  tuple(_text(entry, ns) for entry in rule.findall(_dmn("outputEntry", ns))),
                                  rule.sourceline))
    return DecisionTable(decision.get("id"), decision.get("name") or decision.get("id"),
                         (table.get("hitPolicy") or "UNIQUE").upper(), inputs, outputs, rules, table.sourceline)


def decision_problems(table: DecisionTable) -> list[Problem]:
    """One Window's rules for a decision table: what SpiffWorkflow runs, safely, without ambiguity."""
    problems = []
    if table.hit_policy not in HIT_POLICIES:
        problems.append(Problem(f"Hit policy {table.hit_policy} is not supported; use one of "
                                f"{', '.join(HIT_POLICIES)}.", table.id, table.line))
    for each in table.inputs:
        if not each.expression:
            problems.append(Problem(f"Input '{each.label}' has no expression; write the case field it reads "
                                    "(e.g. business_activity).", each.id, each.line))
            continue
        error = check_script(each.expression, "eval")
        if error:
            problems.append(Problem(f"Input '{each.label}' is refused: {error}", each.id, each.line))
    for output in table.outputs:
        if not output.isidentifier():
            problems.append(Problem(f"Output '{output}' needs a name that can be a case field (letters, digits and "
                                    "'_', e.g. fee_riel).", table.id, table.line))
    for rule in table.rules:
        if len(rule.inputs) != len(table.inputs) or len(rule.outputs) != len(table.outputs):
            problems.append(Problem(f"Row {rule.row} has {len(rule.inputs)} input and {len(rule.outputs)} output "
                                    f"entries; the table has {len(table.inputs)} inputs and {len(table.outputs)} "
                                    "outputs.", rule.id, rule.line))
            continue
        for each, entry in zip(table.inputs, rule.inputs):
            error = entry is not None and _entry_problem(entry)
            if error:
                problems.append(Problem(f"Row {rule.row}, input '{each.label}': {error}", rule.id, rule.line))
        for output, entry in zip(table.outputs, rule.outputs):
            error = entry is not None and check_script(entry, "eval")
            if error:
                problems.append(Problem(f"Row {rule.row}, output '{output}': {error}", rule.id, rule.line))
    if table.hit_policy == "UNIQUE" and not problems:
        problems.extend(_overlaps(table))
    return problems


def _entry_problem(entry: str) -> str | None:
    source = re.sub(r"\?", "value", entry) if "?" in entry else entry
    if check_script(source, "eval") is None:
        return None
    error = check_script(f"value {entry}", "eval")
    return None if error is None else check_script(source, "eval")


# --- overlapping rules under UNIQUE --------------------------------------------------------
# Each entry is read as a set of values where it can be: a value, a list, an interval. Rows
# overlap when every column's sets meet; entries that are other expressions prove nothing.

ANY = "any"


@dataclass(frozen=True)
class _Values:
    values: frozenset
    negated: bool = False


@dataclass(frozen=True)
class _Interval:
    low: float | None
    low_closed: bool
    high: float | None
    high_closed: bool


_FLIP = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE}


def _constant(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float)) and not isinstance(node.value, bool):
        return True, node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)):
        return True, -node.operand.value
    return False, None


def _bound(op, value) -> _Interval | None:
    if not isinstance(value, (int, float)):
        return None
    return {ast.Lt: _Interval(None, False, value, False), ast.LtE: _Interval(None, False, value, True),
            ast.Gt: _Interval(value, False, None, False), ast.GtE: _Interval(value, True, None, False)
            }.get(type(op))


def _meet(a: _Interval, b: _Interval) -> _Interval:
    low, low_closed = a.low, a.low_closed
    if b.low is not None and (low is None or b.low > low or (b.low == low and not b.low_closed)):
        low, low_closed = b.low, b.low_closed
    high, high_closed = a.high, a.high_closed
    if b.high is not None and (high is None or b.high < high or (b.high == high and not b.high_closed)):
        high, high_closed = b.high, b.high_closed
    return _Interval(low, low_closed, high, high_closed)


def _empty(i: _Interval) -> bool:
    if i.low is None or i.high is None:
        return False
    return i.low > i.high or (i.low == i.high and not (i.low_closed and i.high_closed))


def _condition(entry: str | None):
    if entry is None:
        return ANY
    try:
        tree = ast.parse(entry.replace("?", "value"), mode="eval").body
    except SyntaxError:
        try:
            tree = ast.parse(f"value {entry}", mode="eval").body
        except SyntaxError:
            return None
    known, value = _constant(tree)
    if known:
        return _Values(frozenset([value]))
    if not isinstance(tree, ast.Compare):
        return None
    operands = [tree.left, *tree.comparators]
    if sum(isinstance(o, ast.Name) and o.id == "value" for o in operands) != 1:
        return None
    result = _Interval(None, False, None, False)
    for left, op, right in zip(operands, tree.ops, operands[1:]):
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(left, ast.Name) and len(tree.ops) == 1:
            if not isinstance(right, (ast.List, ast.Tuple, ast.Set)):
                return None
            items = [_constant(e) for e in right.elts]
            if not all(k for k, _ in items):
                return None
            return _Values(frozenset(v for _, v in items), negated=isinstance(op, ast.NotIn))
        if isinstance(op, (ast.Eq, ast.NotEq)) and len(tree.ops) == 1:
            known, value = _constant(right if isinstance(left, ast.Name) else left)
            return _Values(frozenset([value]), negated=isinstance(op, ast.NotEq)) if known else None
        if type(op) not in _FLIP:
            return None
        if isinstance(left, ast.Name):
            known, value = _constant(right)
            bound = _bound(op, value) if known else None
        else:
            known, value = _constant(left)
            bound = _bound(_FLIP[type(op)](), value) if known else None
        if bound is None:
            return None
        result = _meet(result, bound)
    return result


def _inside(value, interval: _Interval) -> bool:
    if not isinstance(value, (int, float)):
        return False
    low_ok = interval.low is None or value > interval.low or (value == interval.low and interval.low_closed)
    high_ok = interval.high is None or value < interval.high or (value == interval.high and interval.high_closed)
    return low_ok and high_ok


def _may_both_hold(a, b) -> bool | None:
    """True when some value satisfies both conditions, False when none can, None when unknown."""
    if a is None or b is None:
        return None
    if a == ANY or b == ANY:
        return True
    if isinstance(a, _Interval) and isinstance(b, _Interval):
        return not _empty(_meet(a, b))
    if isinstance(a, _Interval):
        a, b = b, a
    if isinstance(b, _Interval):
        if a.negated:
            return None
        return any(_inside(v, b) for v in a.values)
    if a.negated and b.negated:
        return True
    if a.negated or b.negated:
        plain, excluded = (b, a) if a.negated else (a, b)
        return bool(plain.values - excluded.values)
    return bool(a.values & b.values)


def _overlaps(table: DecisionTable) -> list[Problem]:
    conditions = [[_condition(entry) for entry in rule.inputs] for rule in table.rules]
    problems = []
    for i, first in enumerate(table.rules):
        for j in range(i + 1, len(table.rules)):
            second = table.rules[j]
            verdicts = [_may_both_hold(a, b) for a, b in zip(conditions[i], conditions[j])]
            if all(v is True for v in verdicts):
                problems.append(Problem(
                    f"Rows {first.row} and {second.row} overlap under the UNIQUE hit policy: an application can "
                    f"match both. Narrow one of them, or use the FIRST hit policy if the first match should win.",
                    second.id, second.line))
    return problems


# --- evaluation ------------------------------------------------------------------------------

class _Sandbox:
    """The part of SpiffWorkflow's script engine a DMN engine calls, on our sandbox."""

    def __init__(self, helpers: ScriptHelpers | None):
        self.environment = RestrictedEnvironment(helpers.as_globals() if helpers else {})

    def validate(self, expression):
        ast.parse(expression)

    def evaluate(self, task, expression, external_context=None):
        return self.environment.evaluate(expression, task.data, external_context)


@lru_cache(maxsize=64)
def _engine(xml: bytes) -> DMNEngine:
    parser = SpiffBpmnParser()
    root = etree.fromstring(xml, safe_parser())
    parser.add_dmn_xml(root, "decision.dmn")
    return parser.get_engine(_the_decision(root).get("id"), root)


def spiff_decision_problems(xml: bytes) -> list[Problem]:
    try:
        _engine(xml)
    except ValidationException as exc:
        return [Problem(str(exc), exc.id or None, exc.line_number if isinstance(exc.line_number, int) else None)]
    except SpiffWorkflowException as exc:
        return [Problem(str(exc))]
    return []


def evaluate_decision(xml: bytes, data: dict, helpers: ScriptHelpers | None = None) -> DecisionAnswer:
    """The table's answer for this data, with the rows that matched, as a business-rule task
    would compute it (UNIQUE and FIRST: the first matching row; COLLECT: lists of every match)."""
    engine = _engine(xml)
    context = SimpleNamespace(data=dict(data), workflow=SimpleNamespace(script_engine=_Sandbox(helpers)))
    table = engine.decision_table
    matched, row = [], None
    try:
        for rule in table.rules:
            row = rule.row_number
            if all(engine.evaluate(entry.input.expression, lhs, context)
                   for entry in rule.inputEntries for lhs in entry.lhs if lhs is not None):
                matched.append(rule)
                if table.hit_policy != "COLLECT":
                    break
        answer: dict = {}
        for rule in matched:
            row = rule.row_number
            for key, value in rule.output_as_dict(context).items():
                if table.hit_policy == "COLLECT":
                    answer.setdefault(key, []).append(value)
                else:
                    answer[key] = value
    except Exception as exc:  # a designer's entry failed on this data: say on which row
        raise DecisionError(f"Decision '{table.name or table.id}' failed on row {row}: {exc}") from exc
    return DecisionAnswer(answer, [rule.row_number for rule in matched])
