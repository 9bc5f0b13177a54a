"""The procedure catalogue (TTHC): public accent-insensitive search, admin import."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from pydantic import BaseModel, Field

from queue_server.api.blueprint import bp
from queue_server.api.context import actor, current_site
from queue_server.api.errors import ApiError
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.import_process import ImportKind, ImportRequest, run_import
from queue_server.queueing.errors import NotFound
from queue_server.services.auth import Permission
from queue_server.services.procedures import MAX_RESULTS, procedure_detail, search_procedures


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
