"""Facts the server and the devices share are spelled once, in the wire contract,
so a change reaches every side (issue 14)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("queue_server", "device_kit", "kiosk_app", "display_board", "drivers")


def _spelling(literal: str) -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and f'"{literal}"' in path.read_text(encoding="utf-8")
    )


def test_the_default_time_zone_is_named_in_the_contract_only() -> None:
    assert _spelling("Asia/Ho_Chi_Minh") == ["device_kit/contract/site_zone.py"]


def test_every_event_kind_is_spelled_in_the_contract_only() -> None:
    """A kind spelt as a string elsewhere drifts from what the devices and pages follow."""
    from device_kit.contract.events import EventKind

    spelt = {kind.value: _spelling(kind.value) for kind in EventKind}
    assert spelt == {kind.value: ["device_kit/contract/events.py"] for kind in EventKind}


def _recorded_kinds() -> list[tuple[str, int, ast.expr]]:
    """The kind argument of every ``record(kind=…)`` / ``_record(kind, …)`` on the server."""
    found = []
    for path in (ROOT / "queue_server").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            where = (str(path.relative_to(ROOT)), node.lineno)
            if node.func.attr == "record":
                found += [(*where, k.value) for k in node.keywords if k.arg == "kind"]
            elif node.func.attr == "_record" and node.args:
                found.append((*where, node.args[0]))
    return found


def test_the_server_records_event_kinds_by_their_contract_member() -> None:
    recorded = _recorded_kinds()
    assert len(recorded) > 20  # the walk does find the server's events
    spelt = [(path, line) for path, line, kind in recorded if not _is_member(kind)]
    assert spelt == []


def _is_member(kind: ast.expr) -> bool:
    """``EventKind.NAME`` (or a variable passing one on, as ``_record`` does)."""
    if isinstance(kind, ast.Attribute):
        return isinstance(kind.value, ast.Name) and kind.value.id == "EventKind"
    return isinstance(kind, ast.Name)
