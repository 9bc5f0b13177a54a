"""The rules of the house (docs/architecture.md), read off the import statements:
the device side knows nothing of the server, the domain nothing of its adapters,
the drivers nothing of the apps, and no module imports itself back through others.

Imports inside functions count too: a lazy import still ties the two modules."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("queue_server", "kiosk_app", "display_board", "drivers", "device_kit")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, absolute, wherever the statement stands."""
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def product_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for top in PRODUCT
        for path in (ROOT / top).rglob("*.py")
        if "migrations" not in path.parts
    }


MODULES = product_modules()


def imported_roots(prefix: str) -> dict[str, set[str]]:
    """For each module under ``prefix``: the top-level names it imports."""
    return {
        name: {imported.split(".")[0] for imported in imports_of(path)}
        for name, path in MODULES.items()
        if name == prefix or name.startswith(prefix + ".")
    }


@pytest.mark.parametrize(
    ("where", "forbidden"),
    [
        ("kiosk_app", {"queue_server", "flask", "sqlalchemy", "display_board"}),
        ("display_board", {"queue_server", "flask", "sqlalchemy", "kiosk_app"}),
        ("device_kit", {"queue_server", "flask", "sqlalchemy", "kiosk_app", "display_board"}),
        ("drivers", {"queue_server", "kiosk_app", "display_board", "flask", "sqlalchemy"}),
        ("queue_server.queueing", {"flask", "kivy", "sqlalchemy", "drivers", "requests"}),
        ("queue_server.dossiers", {"flask", "kivy", "drivers"}),
        ("queue_server.services", {"flask", "werkzeug", "kivy", "drivers"}),
    ],
)
def test_a_part_imports_nothing_it_must_not(where: str, forbidden: set[str]) -> None:
    offenders = {
        name: sorted(roots & forbidden)
        for name, roots in imported_roots(where).items()
        if roots & forbidden
    }
    assert offenders == {}


def test_the_use_cases_reach_no_web_code_through_other_modules() -> None:
    """Use cases run in a command, an import child or a test as well as in a request:
    nothing they import, however indirectly, may import Flask or the API and pages."""
    edges = graph()
    reached: set[str] = set()
    todo = [name for name in MODULES if name.startswith("queue_server.services")]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(edges[name])
    web = {
        name
        for name in reached
        if name.startswith(("queue_server.api", "queue_server.web"))
        or "flask" in {imported.split(".")[0] for imported in imports_of(MODULES[name])}
    }
    assert web == set()


def test_the_device_kit_needs_kivy_only_for_its_screens() -> None:
    offenders = [
        name
        for name, roots in imported_roots("device_kit").items()
        if "kivy" in roots and not name.startswith("device_kit.ui")
    ]
    assert offenders == []


def test_the_pure_domain_imports_no_database_outside_its_connectors() -> None:
    offenders = [
        name
        for name, roots in imported_roots("queue_server.dossiers").items()
        if "sqlalchemy" in roots and ".connectors" not in name
    ]
    assert offenders == []


def test_every_per_client_limit_goes_through_the_one_throttle() -> None:
    """Routes and pages count callers only through ``queue_server.api.throttle``, so
    every limit keys on the trusted client address (DESIGN: Trust and privacy)."""
    own_limiters = [
        name
        for prefix in ("queue_server.api", "queue_server.web")
        for name, path in MODULES.items()
        if name.startswith(prefix + ".") and name != "queue_server.api.throttle"
        and "queue_server.services.rate_limit" in set(imports_of(path))
    ]
    assert own_limiters == []


def graph() -> dict[str, set[str]]:
    """Module -> the product modules it imports (a package's own ``__init__`` and
    its parents are not edges: importing ``a.b`` runs ``a`` by Python's rules)."""
    edges: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = set()
        for imported in imports_of(path):
            while imported and imported not in MODULES:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        edges[name] = targets
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle, as the modules around it; empty when there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = 2
        stack.pop()
        return []

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_no_import_cycle_in_product_code() -> None:
    assert find_cycle(graph()) == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []
