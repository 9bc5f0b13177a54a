"""One error shape for every 4xx/5xx answer of the API:
``{"error": {"code", "message", "message_vi"}}``.

Which answer a request gets depends on its path alone, never on a guess from its
headers: ``/api/`` paths get this shape, every other path (the pages) gets the page the
app factory hands in (``queue_server.web.error_pages``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from device_kit.contract.errors import Refusal
from queue_server.adapters.database import failure_kind
from queue_server.queueing.errors import QueueError, error_body, refusal_body

log = logging.getLogger(__name__)

_HTTP_VI = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập.",
    403: "Không có quyền.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    413: "Dữ liệu gửi lên quá lớn.",
    415: "Định dạng dữ liệu không được hỗ trợ.",
    429: "Quá nhiều yêu cầu, vui lòng thử lại sau.",
    500: "Lỗi máy chủ. Vui lòng thử lại hoặc báo kỹ thuật viên.",
    503: "Máy chủ tạm thời không phục vụ được.",
}


#: Answers for a database that cannot serve now (``database.failure_kind``): a 503
#: the caller may retry, in words for the person in front of a kiosk or console.
DATABASE_FAILURES = {
    "database_unavailable": (
        "The database is not answering; please try again in a moment.",
        "Cơ sở dữ liệu đang không phản hồi; vui lòng thử lại sau ít phút.",
    ),
    "storage_full": (
        "The server's storage is full; nothing can be saved. Please tell the technician.",
        "Bộ nhớ của máy chủ đã đầy, không lưu được dữ liệu. Vui lòng báo kỹ thuật viên.",
    ),
    "database_read_only": (
        "The database cannot be written to; please tell the technician.",
        "Không ghi được vào cơ sở dữ liệu; vui lòng báo kỹ thuật viên.",
    ),
    "schema_outdated": (
        "The database schema does not match this server version; run the migrations.",
        "Cấu trúc cơ sở dữ liệu không khớp phiên bản máy chủ; cần chạy cập nhật (migrate).",
    ),
}


def database_failure_response(kind: str, details: Any = None) -> tuple[Response, int]:
    message, message_vi = DATABASE_FAILURES[kind]
    response, status = error_response(503, kind, message, message_vi, details)
    response.headers["Retry-After"] = "5"
    return response, status


class ApiError(QueueError):
    """A refusal raised by the API layer itself (bad JSON, unknown field...)."""

    status = 400
    code = "invalid_request"
    message = "The request is not valid."
    message_vi = "Yêu cầu không hợp lệ."

    def __init__(
        self,
        message: str | None = None,
        message_vi: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message, message_vi)
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details


def error_response(
    status: int, code: str, message: str, message_vi: str, details: Any = None
) -> tuple[Response, int]:
    return jsonify(error_body(code, message, message_vi, details)), status


#: A page for an error on a page path: (status, code, message, message_vi) to a
#: response; the messages are None when the status says it all.
ErrorPage = Callable[[int, str | None, str | None, str | None], Response]


def is_api_path() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask, page: ErrorPage | None = None) -> None:
    """JSON answers on API paths; ``page`` answers on the others when given."""

    def answer(
        status: int, code: str, message: str, message_vi: str, *, own_words: bool = True
    ) -> tuple[Response, int]:
        if page is not None and not is_api_path():
            words = (message, message_vi) if own_words else (None, None)
            return page(status, code, *words), status
        return error_response(status, code, message, message_vi)

    @app.errorhandler(Refusal)
    def _refusal(exc: Refusal) -> tuple[Response, int]:
        if page is not None and not is_api_path():
            response = page(exc.status, exc.code, exc.message, exc.message_vi)
        else:
            response = jsonify(refusal_body(exc))
        retry_after = getattr(exc, "retry_after_s", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response, exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if exc.code is None or exc.code < 400:
            return exc
        status = exc.code
        name = (exc.name or "error").lower().replace(" ", "_")
        response, _ = answer(
            status,
            name,
            exc.description or exc.name,
            _HTTP_VI.get(status, "Lỗi."),
            own_words=False,  # Werkzeug's descriptions are English only
        )
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response, status

    @app.errorhandler(IntegrityError)
    def _conflict(exc: IntegrityError) -> tuple[Response, int]:
        """A unique (or other) constraint refused the write: the request clashes with
        stored data, whichever route reached it. Only the rule is logged: the
        details of the database's message quote the values."""
        rule = str(exc.orig).partition("\n")[0]  # the constraint; details hold values
        log.info("constraint refused %s %s: %s", request.method, request.path, rule)
        return answer(
            409,
            "conflict",
            "This clashes with what is already stored: a code, number, name or "
            "device that must be unique is already in use.",
            "Trùng với dữ liệu đã có: mã, số, tên hoặc thiết bị phải là duy nhất "
            "nhưng đã được dùng.",
        )

    @app.errorhandler(DataError)
    def _bad_value(exc: DataError) -> tuple[Response, int]:
        """The database refused a value (out of range, not text) the checks let through."""
        log.warning(
            "database refused a value on %s %s (%s)",
            request.method,
            request.path,
            type(exc.orig).__name__,  # its message quotes the value
        )
        return answer(
            400,
            "invalid_value",
            "A value is out of range or not valid text.",
            "Có giá trị nằm ngoài khoảng cho phép hoặc không phải văn bản hợp lệ.",
        )

    @app.errorhandler(SQLAlchemyError)
    def _database_error(exc: SQLAlchemyError) -> tuple[Response, int]:
        kind = failure_kind(exc)
        if kind is None:
            return _unexpected(exc)
        log.warning("%s on %s %s: %s", kind, request.method, request.path, exc)
        if page is not None and not is_api_path():
            message, message_vi = DATABASE_FAILURES[kind]
            response = page(503, kind, message, message_vi)
            response.headers["Retry-After"] = "5"
            return response, 503
        return database_failure_response(kind)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return answer(
            500, "internal_error", "Internal server error.", _HTTP_VI[500], own_words=False
        )
