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
    return imports_in(ast.parse(path.read_text("utf-8")), package)


def imports_in(tree: ast.AST, package: str) -> Iterator[str]:
    """Every module a parsed module of ``package`` imports, absolute."""
    for node in ast.walk(tree):
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


#: Session methods that run a statement or stage a row: only repositories call them.
_RUNS_A_STATEMENT = frozenset({"execute", "scalars", "scalar", "add", "flush", "delete"})


def writes_sql(source: str, package: str) -> bool:
    """Whether a module imports SQLAlchemy or the tables, or runs a statement on a
    session (``uow.session.execute(...)`` and the like)."""
    tree = ast.parse(source)
    if {"sqlalchemy", "queue_server.adapters.tables"} & {
        imported if imported.startswith("queue_server") else imported.split(".")[0]
        for imported in imports_in(tree, package)
    }:
        return True
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _RUNS_A_STATEMENT
        and isinstance(node.func.value, ast.Attribute | ast.Name)
        and getattr(node.func.value, "attr", getattr(node.func.value, "id", "")) == "session"
        for node in ast.walk(tree)
    )


def test_the_use_cases_leave_sql_to_the_repositories() -> None:
    """Services ask ``uow.repo``, ``uow.fleet``, ``uow.ratings`` … for what they need, so
    they run on the fake unit of work too and every query lives in ``adapters/``."""
    writing = {
        name
        for name, path in MODULES.items()
        if name.startswith("queue_server.services.")
        and writes_sql(path.read_text("utf-8"), "queue_server.services")
    }
    assert writing == set()


def test_the_sql_finder_sees_each_way_in() -> None:
    cases = {
        "from sqlalchemy import select\n": True,
        "from queue_server.adapters.tables import users\n": True,
        "def f(uow):\n    uow.session.execute(q)\n": True,
        "def f(session):\n    return session.scalars(q)\n": True,
        "def f(uow, site):\n    uow.session.add(site)\n": True,
        "def f(uow):\n    return uow.accounts.user_id('lan')\n": False,
        "from ..adapters.tables import users\n": True,
        "from queue_server.adapters.account_repository import Account\n": False,
    }
    assert {source: writes_sql(source, "queue_server.services") for source in cases} == cases


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
