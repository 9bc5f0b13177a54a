"""Declaring API routes once: input validation, permission, and the OpenAPI document.

``endpoint`` registers a Flask route, validates its JSON body and query string
with pydantic models (unknown fields and wrong types are refused with a 400 in
the common error shape), checks the caller's permission, and records the route
so ``openapi_document`` can describe every route from the code itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ValidationError

from queue_server import write_turns
from queue_server.api.context import authorize
from queue_server.api.errors import ApiError
from queue_server.services.auth import Permission

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "message_vi"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "message_vi": {"type": "string"},
                "details": {},
            },
        }
    },
}


@dataclass
class RouteDoc:
    rule: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    responses: dict[int, str]
    permission: Permission | None
    stream: bool = False


@dataclass
class Registry:
    routes: list[RouteDoc] = field(default_factory=list)


REGISTRY = Registry()


def _validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]), "problem": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]


def parse_body(model: type[BaseModel]) -> BaseModel:
    raw = request.get_data(cache=True)
    if not raw.strip():
        data: Any = {}
    else:
        if not request.is_json:
            raise ApiError(
                "Send the body as application/json.",
                "Dữ liệu phải ở dạng application/json.",
                code="unsupported_media_type",
                status=415,
            )
        try:
            data = request.get_json(force=True, cache=True)
        except Exception as exc:  # werkzeug raises BadRequest subclasses for bad JSON
            raise ApiError(
                "The body is not valid JSON.",
                "Dữ liệu gửi lên không phải JSON hợp lệ.",
                code="malformed_json",
            ) from exc
    if _has_nul(data):
        raise ApiError(
            "Text fields may not contain NUL characters.",
            "Dữ liệu văn bản không được chứa ký tự NUL.",
        )
    if not isinstance(data, dict):
        raise ApiError(
            "The body must be a JSON object.",
            "Dữ liệu gửi lên phải là một đối tượng JSON.",
            code="malformed_json",
        )
    try:
        # JSON-mode strict validation: no type coercion, yet enums accept their values.
        return model.model_validate_json(raw or b"{}", strict=True)
    except ValidationError as exc:
        raise ApiError(
            "Some fields are missing, unknown or of the wrong type.",
            "Có trường dữ liệu bị thiếu, không hợp lệ hoặc sai kiểu.",
            details=_validation_details(exc),
        ) from None


def _has_nul(value: Any) -> bool:
    """No database stores U+0000 in text (PostgreSQL refuses it): refuse it at the door."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def parse_query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise ApiError(
            "Some query parameters are not valid.",
            "Có tham số truy vấn không hợp lệ.",
            details=_validation_details(exc),
        ) from None


def endpoint(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    permission: Permission | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    responses: dict[int, str] | None = None,
    stream: bool = False,
    in_turn: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``rule`` on ``bp``; the view receives ``body=``/``query=`` models.

    An ``in_turn`` view, once the request is authorised and valid, waits for its turn
    (:mod:`queue_server.write_turns`): the busiest writes, served in arrival order."""
    prefix = bp.url_prefix or ""
    REGISTRY.routes.append(
        RouteDoc(
            prefix + rule,
            method.lower(),
            summary,
            tag,
            body,
            query,
            responses or {200: "OK"},
            permission,
            stream,
        )
    )

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if _has_nul(kwargs) or _has_nul(request.args.to_dict()):
                raise ApiError(
                    "The address may not contain NUL characters.",
                    "Địa chỉ yêu cầu không được chứa ký tự NUL.",
                )
            if permission is not None:
                authorize(permission)
            if body is not None:
                kwargs["body"] = parse_body(body)
            if query is not None:
                kwargs["query"] = parse_query(query)
            if in_turn:
                return write_turns.in_turn(lambda: view(**kwargs))
            return view(**kwargs)

        bp.add_url_rule(rule, view.__name__, wrapper, methods=[method])
        return wrapper

    return decorator


#: A Flask rule's variable, ``<name>`` or ``<converter:name>``, anywhere in a segment
#: (``<int:counter>.wav`` too).
_RULE_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer" if kind == "int" else "string"},
        }
        for kind, name in _RULE_VARIABLE.findall(rule)
    ]
    return _RULE_VARIABLE.sub(r"{\2}", rule), params


def _component(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """``model``'s JSON schema, its nested models (enums...) moved into ``schemas``
    so every ``$ref`` points inside the document."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    return schema


#: Limits answered by gunicorn before the app sees the request, so not in the error shape.
FRONT_END_LIMITS = (
    "Every 4xx/5xx answer has the Error schema, except those gunicorn gives before a "
    "request reaches the API, as a short HTML page: 414 URI Too Long when the request "
    "line (method and URL) is longer than 4094 bytes, 431 Request Header Fields Too Large "
    "for more than 100 header fields or one longer than 8190 bytes, and 400 for what "
    "cannot be parsed as HTTP."
)


def openapi_document(version: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for route in REGISTRY.routes:
        path, params = _openapi_path(route.rule)
        operation: dict[str, Any] = {
            "summary": route.summary,
            "tags": [route.tag],
            "operationId": f"{route.method}_{path.strip('/').replace('/', '_')}",
            "responses": {},
        }
        if route.query is not None:
            for name, info in _component(route.query, schemas).get("properties", {}).items():
                params.append({"name": name, "in": "query", "required": False, "schema": info})
        if params:
            operation["parameters"] = params
        if route.body is not None:
            schemas[route.body.__name__] = _component(route.body, schemas)
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{route.body.__name__}"}
                    }
                },
            }
        media = "text/event-stream" if route.stream else "application/json"
        for status, description in route.responses.items():
            operation["responses"][str(status)] = (
                {"description": description}
                if status == 204
                else {"description": description, "content": {media: {"schema": {}}}}
            )
        operation["responses"]["default"] = {
            "description": "Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if route.permission is not None:
            operation["security"] = [{"bearer": []}]
        paths.setdefault(path, {})[route.method] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "motcua queue server",
            "version": version,
            "description": FRONT_END_LIMITS,
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
