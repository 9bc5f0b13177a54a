"""One error shape for every 4xx/5xx answer of the API:
``{"error": {"code", "message", "message_vi"}}``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

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


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(QueueError)
    def _queue_error(exc: QueueError) -> tuple[Response, int]:
        return jsonify(refusal_body(exc)), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not wants_json():
            return exc
        status = exc.code or 500
        name = (exc.name or "error").lower().replace(" ", "_")
        response, _ = error_response(
            status, name, exc.description or exc.name, _HTTP_VI.get(status, "Lỗi.")
        )
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Internal server error.", _HTTP_VI[500])
