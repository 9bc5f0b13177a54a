"""The fakes answer the same questions as the repositories: every method of a store's
protocol exists on the fake and on the real repository with the same signature (the
real one mypy also checks, where the unit of work assigns it to the protocol)."""

from __future__ import annotations

import inspect

import pytest
from fake_accounts import FakeAccountRepository
from fake_fleet import FakeFleetRepository

from queue_server.adapters.account_repository import AccountRepository, AccountStore
from queue_server.adapters.fleet_repository import FleetRepository, FleetStore


def methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(protocol).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


@pytest.mark.parametrize(
    ("protocol", "implementations"),
    [
        (FleetStore, (FleetRepository, FakeFleetRepository)),
        (AccountStore, (AccountRepository, FakeAccountRepository)),
    ],
)
def test_the_fake_and_the_repository_keep_the_protocol(
    protocol: type, implementations: tuple[type, ...]
) -> None:
    wanted = methods(protocol)
    assert len(wanted) > 10
    for implementation in implementations:
        assert [name for name in wanted if not hasattr(implementation, name)] == []
        differing = {
            name: str(inspect.signature(getattr(implementation, name)))
            for name, signature in wanted.items()
            if inspect.signature(getattr(implementation, name)) != signature
        }
        assert differing == {}, implementation.__name__
