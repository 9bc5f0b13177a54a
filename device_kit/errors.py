"""What goes wrong between a device and its server, each with the words a device shows."""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Base of every error this client raises."""

    code = "client_error"
    message = "The queue server could not be used."
    message_vi = "Không dùng được máy chủ xếp hàng."


class ServerUnreachable(ClientError):
    """No answer: connection refused, timeout, DNS, or a broken connection.

    ``answer_lost``: the request went out and may have been carried out, only its
    answer never came (a slow server, a connection dropped mid-answer)."""

    code = "server_unreachable"
    message = "The queue server cannot be reached."
    message_vi = "Không kết nối được máy chủ."

    def __init__(self, *args: object, answer_lost: bool = False) -> None:
        super().__init__(*args)
        self.answer_lost = answer_lost


#: Each certificate problem a device can meet: (English, Vietnamese).
TRUST_PROBLEMS: dict[str, tuple[str, str]] = {
    "plain_http": (
        "plain http:// is refused except to this box itself; use https://",
        "không dùng http:// (không mã hoá) trừ tới chính máy này; hãy dùng https://",
    ),
    "expired": (
        "the server's certificate has expired: renew it on the server"
        " (deploy/make-tls.sh --renew), or set this device's clock if it runs ahead",
        "chứng chỉ của máy chủ đã hết hạn: hãy gia hạn trên máy chủ"
        " (deploy/make-tls.sh --renew), hoặc chỉnh đồng hồ của thiết bị nếu nó chạy nhanh",
    ),
    "not_yet_valid": (
        "the server's certificate is not valid yet: this device's clock is probably"
        " behind; let it take time from the server (timedatectl timesync-status)",
        "chứng chỉ của máy chủ chưa có hiệu lực: đồng hồ của thiết bị có lẽ đang chậm;"
        " hãy cho thiết bị lấy giờ từ máy chủ (timedatectl timesync-status)",
    ),
    "wrong_name": (
        "the server's certificate does not name this address",
        "chứng chỉ của máy chủ không mang tên địa chỉ này",
    ),
    "unknown_ca": (
        "the server's certificate is not signed by a trusted CA (the centre's CA file?)",
        "chứng chỉ của máy chủ không do CA tin cậy ký (thiếu tệp CA của trung tâm?)",
    ),
    "fingerprint_mismatch": (
        "the server's CA fingerprint is not the one the technician confirmed",
        "dấu vân tay CA của máy chủ khác dấu kỹ thuật viên đã xác nhận",
    ),
    "no_ca_file": (
        "the CA file cannot be read",
        "không đọc được tệp CA",
    ),
    "tls_error": (
        "the secure (TLS) connection to the server failed",
        "kết nối bảo mật (TLS) tới máy chủ thất bại",
    ),
}


class ServerUntrusted(ClientError):
    """The server could not prove it is the centre's: a certificate problem, or plain
    HTTP to another host. Nothing was sent to it (no token)."""

    code = "server_untrusted"

    def __init__(self, problem: str, detail: str = "") -> None:
        english, vietnamese = TRUST_PROBLEMS[problem]
        self.problem = problem
        self.detail = detail
        self.message = f"Server not trusted: {english}."
        self.message_vi = f"Máy chủ không tin cậy: {vietnamese}."
        super().__init__(f"{self.message} {detail}".strip())

    @property
    def screen_text(self) -> str:
        """Both languages, Vietnamese first, as a device screen names the problem."""
        return f"{self.message_vi}\n{self.message}"


def untrusted_text(problem: ServerUntrusted | None) -> str:
    """A refused server in both languages, for a screen ("" when there is none)."""
    return "" if problem is None else problem.screen_text


class ServerError(ClientError):
    """The server answered with an error document ``{"error": {...}}``."""

    def __init__(
        self, status: int, code: str, message: str, message_vi: str, details: Any = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.message_vi = message_vi
        self.details = details
