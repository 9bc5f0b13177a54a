"""The device-fleet use cases on a fake unit of work: what a technician and a device
rely on (a code pairs once, configuration revisions, health changes told once,
counter bindings kept for admins, names freed by revocation), with no database.
The same use cases run against SQLite and PostgreSQL in tests/integration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fake_unit_of_work import FakeUnitOfWork

from queue_server.queueing.errors import NotFound
from queue_server.queueing.model import Counter, Site
from queue_server.services import device_fleet
from queue_server.services.administration import add_device_token
from queue_server.services.auth import DeviceKind, Forbidden, hash_token
from queue_server.services.site_ref import SiteRef, run_step

SITE = SiteRef(code="hcm")
NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
TECHNICIAN = "user:minh"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A centre (site 1) with counter 3."""
    fake = FakeUnitOfWork()
    fake.repo.add(Site(code="hcm", name_vi="Trung tâm"))
    fake.repo.add(Counter(site_id=1, number=3, name="Quầy 3"))
    return fake


def pair(
    uow: FakeUnitOfWork, secret: str, name: str, kind: DeviceKind = DeviceKind.KIOSK,
    counter: int | None = None, *, may_bind: bool = False, now: datetime = NOW,
) -> dict[str, Any]:
    """A device asks for a code with its token's digest; a technician confirms it."""
    asked = run_step(
        uow, SITE, device_fleet.request_pairing, kind, "Mini PC N100", hash_token(secret), now
    )
    return run_step(
        uow, SITE, device_fleet.confirm_pairing, asked["code"], name, counter, TECHNICIAN, now,
        may_bind=may_bind,
    )


def kinds(uow: FakeUnitOfWork) -> list[str]:
    return [event["kind"] for event in uow.events]


def test_a_paired_device_pulls_its_configuration_and_each_change_bumps_the_revision(
    uow: FakeUnitOfWork,
) -> None:
    paired = pair(uow, "secret-1", "kiosk-sanh")

    mine = run_step(uow, SITE, device_fleet.own_device, hash_token("secret-1"), NOW)
    assert (mine["name"], mine["config"], mine["revision"]) == ("kiosk-sanh", {}, 1)

    revision = run_step(
        uow, SITE, device_fleet.set_config, paired["id"], {"language": "vi", "ticker": "Chào"},
        TECHNICIAN, NOW, may_bind=False,
    )
    beat = run_step(uow, SITE, device_fleet.heartbeat, hash_token("secret-1"), {}, NOW)
    mine = run_step(uow, SITE, device_fleet.own_device, hash_token("secret-1"), NOW)

    assert revision == beat == mine["revision"] == 2
    assert mine["config"] == {"language": "vi", "ticker": "Chào"}
    assert kinds(uow) == ["accounts.changed", "devices.configured", "config.device"]
    # The public stream only says "pull again": the configuration itself stays private.
    assert uow.events[-1]["payload"] == {"device": "kiosk-sanh", "revision": 2}


def test_a_code_pairs_one_device_once_and_lapses_after_ten_minutes(uow: FakeUnitOfWork) -> None:
    asked = run_step(
        uow, SITE, device_fleet.request_pairing, DeviceKind.BOARD, "TV", hash_token("b"), NOW
    )
    late = NOW + device_fleet.PAIRING_TTL
    with pytest.raises(NotFound):
        run_step(
            uow, SITE, device_fleet.confirm_pairing, asked["code"], "board", None, TECHNICIAN,
            late, may_bind=False,
        )
    run_step(
        uow, SITE, device_fleet.confirm_pairing, asked["code"], "board", None, TECHNICIAN, NOW,
        may_bind=False,
    )
    with pytest.raises(NotFound):
        run_step(
            uow, SITE, device_fleet.confirm_pairing, asked["code"], "board-2", None, TECHNICIAN,
            NOW, may_bind=False,
        )


def test_a_technician_cannot_bind_a_counter_keypad_and_the_refusal_is_logged(
    uow: FakeUnitOfWork,
) -> None:
    with pytest.raises(Forbidden):
        pair(uow, "keypad", "keypad-3", DeviceKind.COUNTER, counter=3)

    assert kinds(uow) == ["security.device_binding_refused"]
    assert uow.fleet.devices == {}

    paired = pair(uow, "keypad-2", "keypad-3", DeviceKind.COUNTER, counter=3, may_bind=True)
    token = uow.accounts.tokens[uow.fleet.devices[paired["id"]].token_id]
    assert token.counter_id == 2  # counter 3's id: the keypad acts at that counter


def test_a_health_change_is_told_once_not_on_every_heartbeat(uow: FakeUnitOfWork) -> None:
    pair(uow, "secret-1", "kiosk-sanh")
    beat = {"printer": "paper_out", "role": "kiosk"}

    for minute in range(3):
        run_step(
            uow, SITE, device_fleet.heartbeat, hash_token("secret-1"), dict(beat),
            NOW + timedelta(minutes=minute),
        )
    run_step(
        uow, SITE, device_fleet.heartbeat, hash_token("secret-1"), {"printer": "ok"},
        NOW + timedelta(minutes=3),
    )

    told = [e["payload"]["problems"] for e in uow.events if e["kind"] == "devices.health"]
    assert told == [["printer"], []]


def test_the_fleet_flags_a_silent_device_and_a_clock_that_is_off(uow: FakeUnitOfWork) -> None:
    pair(uow, "a", "kiosk-a")
    pair(uow, "b", "kiosk-b")
    run_step(uow, SITE, device_fleet.heartbeat, hash_token("a"), {}, NOW)
    skewed = {"clock": NOW + timedelta(minutes=5)}
    later = NOW + device_fleet.SILENT_AFTER + timedelta(seconds=1)
    run_step(uow, SITE, device_fleet.heartbeat, hash_token("b"), skewed, later)

    entries = device_fleet.fleet(uow, 1, later)

    assert [(e["name"], e["status"], e["problems"]) for e in entries] == [
        ("kiosk-a", "silent", []),
        ("kiosk-b", "unhealthy", ["clock"]),
    ]
    assert device_fleet.needs_attention(entries) == 2


def test_a_revoked_device_leaves_the_fleet_and_gives_its_name_up(uow: FakeUnitOfWork) -> None:
    first = pair(uow, "old", "kiosk-sanh")
    run_step(uow, SITE, device_fleet.revoke, first["id"], TECHNICIAN, NOW)

    assert device_fleet.fleet(uow, 1, NOW) == []
    second = pair(uow, "new", "kiosk-sanh")
    assert [e["id"] for e in device_fleet.fleet(uow, 1, NOW)] == [second["id"]]
    with pytest.raises(NotFound):
        run_step(uow, SITE, device_fleet.revoke, first["id"], TECHNICIAN, NOW)


def test_a_hand_made_token_joins_the_fleet_at_its_first_call(uow: FakeUnitOfWork) -> None:
    token = run_step(
        uow, SITE, add_device_token, DeviceKind.RATING, "danh-gia", 3, "user:admin", NOW
    )

    revision = run_step(uow, SITE, device_fleet.heartbeat, hash_token(token), {}, NOW)

    [entry] = device_fleet.fleet(uow, 1, NOW)
    assert revision == 1
    assert (entry["name"], entry["kind"], entry["status"]) == ("danh-gia", "rating", "ok")
    assert entry["config"] == {"counter": 3}
