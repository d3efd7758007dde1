"""The packages of app/ import only downward: no two of them reach each other, however indirectly."""
import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def _node(module: str) -> str:
    """app.cases.write_path -> cases; app.permissions -> permissions."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "app"


def _imports(path: Path) -> set[str]:
    module = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for statement in ast.walk(ast.parse(path.read_text())):
        if isinstance(statement, ast.ImportFrom) and statement.level:
            base = package.split(".")[: len(package.split(".")) - statement.level + 1]
            target = ".".join(base + ([statement.module] if statement.module else []))
            found.add(target)
        elif isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith("app."):
            found.add(statement.module)
    return found


def package_graph() -> dict[str, set[str]]:
    """Each package of app/ (or top-level module, such as permissions) and what it imports."""
    graph = defaultdict(set)
    for path in APP.rglob("*.py"):
        if path.parent == APP and path.name == "__init__.py":
            continue  # create_app wires every package together; it is the top, not a layer
        source = _node(".".join(path.relative_to(APP.parent).with_suffix("").parts))
        for target in _imports(path):
            if _node(target) not in (source, "app"):
                graph[source].add(_node(target))
    return graph


def test_no_package_imports_one_that_imports_it_back():
    try:
        order = list(TopologicalSorter(package_graph()).static_order())
    except CycleError as error:
        raise AssertionError(f"these packages import each other: {' -> '.join(error.args[1])}") from None
    assert order.index("engine") < order.index("cases") < order.index("inbox")


def test_the_permission_model_sits_below_every_feature_package():
    graph = package_graph()
    assert graph["permissions"] == {"accounts", "errors", "extensions"}
    for package in ("cases", "inbox", "supervision", "designer", "api", "administration", "processes"):
        assert "permissions" in graph[package], package
