"""The procedure catalogue (TTHC): public accent-insensitive search, admin import,
and the vocabulary of names people use (read by anyone, extended by an admin)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from queue_server.api.blueprint import bp
from queue_server.api.context import actor, current_site, site_ref
from queue_server.api.errors import ApiError
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.import_process import ImportKind, ImportRequest, run_import
from queue_server.queueing.errors import NotFound
from queue_server.services.auth import Permission
from queue_server.services.procedures import (
    MAX_RESULTS,
    procedure_detail,
    save_vocabulary_entry,
    search_procedures,
    vocabulary,
)
from queue_server.services.site_ref import run_step


class ProcedureQuery(BaseModel):
    q: str = Field(
        "", max_length=200, description="words of the name or the code, accents optional"
    )
    field: str = Field("", max_length=200, description="lĩnh vực, e.g. Hộ tịch")
    limit: int = Field(20, ge=1, le=MAX_RESULTS)


@endpoint(
    bp,
    "/procedures",
    "GET",
    summary="Search the procedure catalogue (accent-insensitive)",
    tag="procedures",
    query=ProcedureQuery,
)
def list_procedures(query: ProcedureQuery) -> Any:
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        site_id = current_site(uow).id or 0
        return jsonify(search_procedures(uow, site_id, query.q, query.field, query.limit))


class VocabularyEntryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrase: str = Field(
        min_length=1, max_length=200, description="what people say, e.g. sổ đỏ"
    )
    target: str = Field(
        min_length=1,
        max_length=500,
        description="words of the official name, e.g. Giấy chứng nhận quyền sử dụng đất",
    )


@endpoint(
    bp,
    "/procedures/vocabulary",
    "GET",
    summary="Names people use for procedures: built in, and the centre's own",
    tag="procedures",
)
def list_vocabulary() -> Any:
    with current_runtime().uow(readonly=True) as uow:
        entries = vocabulary(uow, current_site(uow).id or 0)
    return jsonify([{"phrase": e.phrase, "target": e.target} for e in entries])


@endpoint(
    bp,
    "/procedures/vocabulary",
    "POST",
    summary="Add a name people use (or point it at another official name)",
    tag="procedures",
    permission=Permission.ADMIN,
    body=VocabularyEntryBody,
    responses={200: "Saved", 400: "A phrase or target with no word"},
)
def add_vocabulary_entry(body: VocabularyEntryBody) -> Any:
    runtime = current_runtime()
    entry = run_step(
        runtime.uow,
        site_ref(),
        save_vocabulary_entry,
        body.phrase,
        body.target,
        actor().label,
        runtime.clock(),
    )
    return jsonify(phrase=entry.phrase, target=entry.target)


@endpoint(
    bp,
    "/procedures/<code>",
    "GET",
    summary="One procedure with its documents, fees and time limit",
    tag="procedures",
)
def read_procedure(code: str) -> Any:
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        detail = procedure_detail(uow, current_site(uow).id or 0, code)
    if detail is None:
        raise NotFound("There is no such procedure.", "Không có thủ tục này.")
    return jsonify(detail)


@endpoint(
    bp,
    "/procedures/import",
    "POST",
    summary="Import the catalogue from JSON or XLSX (all rows or none)",
    tag="procedures",
    permission=Permission.ADMIN,
    responses={
        200: "Procedures saved",
        413: "Over the row or unpacked-size cap; nothing read",
        422: "Nothing saved; the first 100 problems per row and a count of the rest",
    },
)
def import_catalogue() -> Any:
    runtime = current_runtime()
    upload = request.files.get("file")
    data = upload.read() if upload is not None else request.get_data()
    name = (upload.filename or "") if upload is not None else ""
    kind = (
        "xlsx" if name.lower().endswith(".xlsx") or request.args.get("format") == "xlsx" else "json"
    )
    if not data:
        raise ApiError("Send the catalogue file.", "Hãy gửi tệp danh mục thủ tục.")
    with runtime.uow(readonly=True) as uow:
        site_id = current_site(uow).id or 0
    job = ImportRequest(ImportKind.PROCEDURES, kind, site_id, actor().label, runtime.clock())
    status, body = run_import(runtime.db, job, data)
    return jsonify(body), status
