"""The device fleet: pairing by one-time code, configuration, heartbeats, fleet status."""

from __future__ import annotations

from typing import Any, Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

from device_kit.contract import device_wire
from queue_server.api.blueprint import bp
from queue_server.api.context import actor, authorize, bearer_token, current_site, site_ref
from queue_server.api.spec import endpoint
from queue_server.api.throttle import throttle
from queue_server.api.wire_models import wire_model
from queue_server.flask_runtime import current_runtime
from queue_server.services import device_fleet
from queue_server.services.auth import DeviceKind, Forbidden, Permission, hash_token
from queue_server.services.site_ref import run_step

Kind = Literal["kiosk", "board", "rating", "counter"]


class PairingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind
    hardware: str = Field("", max_length=120, description="model / serial shown to the technician")
    token_hash: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 (hex) of the token the device made"
    )


class PairingConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[0-9]{6}$")
    name: str = Field(min_length=1, max_length=device_fleet.NAME_MAX, pattern=r"^[A-Za-z0-9._-]+$")
    counter: int | None = Field(None, ge=1, le=999, description="bound counter number")


#: The contract's dataclasses as validated models (device_kit.contract.device_wire).
DeviceConfig = wire_model(device_wire.DeviceConfig)
Health = wire_model(device_wire.Health)


def _device_token_hash() -> str:
    """The calling device's token digest: a device is known by its token, not its name."""
    who = authorize(Permission.READ)
    if who.device is None:
        raise Forbidden("Only a paired device may do this.", "Chỉ thiết bị đã ghép nối.")
    return hash_token(bearer_token() or "")


def _may_bind() -> bool:
    """Only an admin binds a device to a counter (``device_fleet.confirm_pairing``)."""
    return Permission.ADMIN in authorize(Permission.DEVICES).permissions


def _throttle_pairing(now: float) -> None:
    """Codes per caller (the trusted client address), so one address cannot take every
    open code and keep the hall's real devices from pairing."""
    wait = throttle(
        "pairing", device_fleet.PAIRINGS_PER_ADDRESS, device_fleet.PAIRING_TTL.total_seconds(),
        now,
    )
    if wait:
        raise device_fleet.PairingThrottled(wait)


@endpoint(
    bp, "/pairing", "POST", summary="A device asks for a pairing code to show", tag="devices",
    body=PairingRequest, responses={201: "The code, valid 10 minutes", 429: "Too many waiting"},
)
def request_pairing(body: PairingRequest) -> Any:
    runtime = current_runtime()
    _throttle_pairing(runtime.clock().timestamp())
    answer = run_step(
        runtime.uow, site_ref(), device_fleet.request_pairing, DeviceKind(body.kind),
        body.hardware, body.token_hash, runtime.clock(),
    )
    return jsonify(answer), 201


@endpoint(
    bp, "/devices/pair", "POST", summary="Pair the device showing a code", tag="devices",
    permission=Permission.DEVICES, body=PairingConfirm, responses={201: "Paired"},
)
def confirm_pairing(body: PairingConfirm) -> Any:
    runtime = current_runtime()
    device = run_step(
        runtime.uow, site_ref(), device_fleet.confirm_pairing, body.code, body.name,
        body.counter, actor().label, runtime.clock(), may_bind=_may_bind(),
    )
    return jsonify(device), 201


@endpoint(
    bp, "/devices", "GET", summary="The fleet, with silent and unhealthy devices flagged",
    tag="devices", permission=Permission.DEVICES,
)
def list_fleet() -> Any:
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        return jsonify(devices=device_fleet.fleet(uow, current_site(uow).id or 0, runtime.clock()))


@endpoint(
    bp, "/devices/<int:device_id>/config", "PUT", summary="Set a device's configuration",
    tag="devices", permission=Permission.DEVICES, body=DeviceConfig,
)
def put_config(device_id: int, body: BaseModel) -> Any:
    runtime = current_runtime()
    revision = run_step(
        runtime.uow, site_ref(), device_fleet.set_config, device_id,
        body.model_dump(exclude_none=True), actor().label, runtime.clock(), may_bind=_may_bind(),
    )
    return jsonify(revision=revision)


@endpoint(
    bp, "/devices/<int:device_id>", "DELETE", summary="Revoke a device: its token stops working",
    tag="devices", permission=Permission.DEVICES, responses={204: "Revoked"},
)
def revoke_device(device_id: int) -> Any:
    runtime = current_runtime()
    run_step(
        runtime.uow, site_ref(), device_fleet.revoke, device_id, actor().label, runtime.clock()
    )
    return "", 204


@endpoint(
    bp, "/devices/me", "GET", summary="The calling device's configuration", tag="devices",
)
def own_config() -> Any:
    """A device token made by hand joins the fleet on its first call here or heartbeat."""
    token_hash = _device_token_hash()
    runtime = current_runtime()
    mine = run_step(
        runtime.uow, site_ref(), device_fleet.own_device, token_hash, runtime.clock()
    )
    return jsonify(mine)


@endpoint(
    bp, "/devices/me/heartbeat", "POST", summary="The calling device reports its health",
    tag="devices", body=Health,
    responses={200: "Noted; the device's current configuration revision"},
)
def post_heartbeat(body: BaseModel) -> Any:
    token_hash = _device_token_hash()
    runtime = current_runtime()
    revision = run_step(
        runtime.uow, site_ref(), device_fleet.heartbeat, token_hash, body.model_dump(),
        runtime.clock(),
    )
    return jsonify(revision=revision)
