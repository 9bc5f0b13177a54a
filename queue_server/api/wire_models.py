"""Pydantic models made from the wire contract's dataclasses
(:mod:`device_kit.contract.device_wire`), so what the devices read and what the
server validates are one definition: each ``Limits`` becomes a ``Field``, a nested
contract dataclass its own model, a ``datetime`` an aware one (a device's clock
without its offset says nothing of its skew). Unknown fields are refused.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from functools import cache
from types import UnionType
from typing import Annotated, Union, get_args, get_origin, get_type_hints

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model

from device_kit.contract.device_wire import Limits


@cache
def wire_model(wire: type) -> type[BaseModel]:
    """The pydantic model of a contract dataclass, named like it (the OpenAPI document
    shows the contract's names)."""
    hints = get_type_hints(wire, include_extras=True)
    definitions: dict[str, object] = {
        field.name: (
            _validated(hints[field.name]),
            ... if field.default is dataclasses.MISSING else field.default,
        )
        for field in dataclasses.fields(wire)
    }
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        wire.__name__,
        __config__=ConfigDict(extra="forbid"),
        __doc__=wire.__doc__,
        __module__=__name__,
        **definitions,
    )
    return model


def _validated(hint: object) -> object:
    """``hint`` with the contract's pieces swapped for pydantic's."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        limits = [_field(meta) for meta in args[1:] if isinstance(meta, Limits)]
        inner = _validated(args[0])
        return Annotated[(inner, *limits)] if limits else inner
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return wire_model(hint)
    if hint is datetime:
        return AwareDatetime
    if origin in (Union, UnionType):
        return Union[tuple(_validated(arg) for arg in args)]  # noqa: UP007
    if origin is list:
        return list[_validated(args[0])]  # type: ignore[misc]
    return hint


def _field(limits: Limits) -> object:
    return Field(
        max_length=limits.max_length, ge=limits.ge, le=limits.le, pattern=limits.pattern,
        description=limits.description,
    )
