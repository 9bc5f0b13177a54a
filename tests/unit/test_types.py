"""The type checker's verdict on the product packages, as a test: what CI runs.

mypy reads its settings from pyproject.toml ([tool.mypy]); its cache stays in the
checkout (.mypy_cache), so a run after the first rechecks only what changed."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Where the domain and the use cases live: their signatures say what they take.
TYPED_CORE = ("queue_server/queueing", "queue_server/dossiers", "queue_server/services")
#: ``Any`` in those signatures when this check came in. It may only go down:
#: lower it when you type one away; never raise it.
ANY_CEILING = 82


def test_mypy_finds_no_error_in_the_product_packages() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(ROOT / ".mypy_cache")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_proves_the_use_case_fakes_match_the_repositories() -> None:
    """The fake unit of work declares its repositories by their protocols
    (``FleetStore``, ``AccountStore``, ``RatingStore`` …): a fake that drifts from the real
    repository's signatures fails here, not in a use-case test that happens to call it."""
    fakes = ROOT / "tests" / "usecases"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(fakes / "fake_unit_of_work.py"),
            str(fakes / "fake_repositories.py"),
            str(fakes / "fake_accounts.py"),
            str(fakes / "fake_fleet.py"),
        ],
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(fakes)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def anys_in(annotation: ast.expr) -> int:
    """``Any`` written in one annotation, quoted parts included."""
    count = 0
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id == "Any":
            count += 1
        elif isinstance(node, ast.Attribute) and node.attr == "Any":
            count += 1
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                count += anys_in(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                continue
    return count


def anys_in_signatures(source: str) -> int:
    count = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            count += sum(anys_in(a.annotation) for a in every if a and a.annotation)
            count += anys_in(node.returns) if node.returns else 0
    return count


def test_no_new_any_in_domain_and_use_case_signatures() -> None:
    per_module = {
        str(path.relative_to(ROOT)): anys
        for folder in TYPED_CORE
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (anys := anys_in_signatures(path.read_text("utf-8")))
    }
    assert sum(per_module.values()) <= ANY_CEILING, per_module


def test_the_any_counter_sees_each_spelling() -> None:
    source = (
        "def f(a: Any, *b: list[typing.Any], c: 'dict[str, Any]' = None, **d: int)"
        " -> Any | None: x: Any = 1\n"
    )
    assert anys_in_signatures(source) == 4
