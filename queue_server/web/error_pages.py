"""The pages a person meets when something is refused or missing: 404, 403, a locked
sign-in, a form that expired, a server fault. Vietnamese first with the English toggle,
and always a way on (links), never JSON or Werkzeug's English page. The API's paths
(``/api/``) keep their JSON shape: ``api.errors`` asks this module only for the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, g, render_template, request, url_for

from queue_server.services.auth import Role


@dataclass(frozen=True)
class Words:
    vi: str
    en: str

    def pair(self) -> list[str]:
        return [self.vi, self.en]


#: Title and explanation per status, when no refusal of our own says more.
STATUS_TEXTS: dict[int, tuple[Words, Words]] = {
    400: (
        Words("Yêu cầu không hợp lệ", "Request not valid"),
        Words(
            "Trang không xử lý được yêu cầu này. Nếu Ông/Bà vừa gửi một biểu mẫu, phiên làm "
            "việc có thể đã hết hạn: hãy mở lại trang và thử lại.",
            "The page could not handle this request. If you just sent a form, your session "
            "may have expired: open the page again and retry.",
        ),
    ),
    403: (
        Words("Không có quyền truy cập", "Access denied"),
        Words(
            "Tài khoản đang đăng nhập không được mở trang này.",
            "The account signed in may not open this page.",
        ),
    ),
    404: (
        Words("Không tìm thấy trang", "Page not found"),
        Words(
            "Địa chỉ này không có trang nào: có thể đường dẫn bị gõ sai hoặc đã cũ.",
            "There is no page at this address: the link may be mistyped or out of date.",
        ),
    ),
    405: (
        Words("Không mở được theo cách này", "Not available this way"),
        Words(
            "Trang này không nhận yêu cầu kiểu này. Hãy mở trang từ các liên kết bên dưới.",
            "This page does not take this kind of request. Open it from the links below.",
        ),
    ),
    429: (
        Words("Quá nhiều yêu cầu", "Too many requests"),
        Words("Vui lòng chờ một lát rồi thử lại.", "Please wait a moment and try again."),
    ),
    500: (
        Words("Lỗi máy chủ", "Server error"),
        Words(
            "Đã có lỗi xảy ra. Vui lòng thử lại; nếu vẫn lỗi, hãy báo kỹ thuật viên.",
            "Something went wrong. Please try again; if it persists, tell the technician.",
        ),
    ),
    503: (
        Words("Máy chủ tạm thời chưa phục vụ được", "Server temporarily unavailable"),
        Words(
            "Vui lòng thử lại sau ít phút; nếu vẫn lỗi, hãy báo kỹ thuật viên.",
            "Please try again in a few minutes; if it persists, tell the technician.",
        ),
    ),
}
LOCKED_TITLE = Words("Tạm khóa đăng nhập", "Sign-in locked")
LOCKED_HINT = Words(
    "Nếu cần vào ngay, hãy nhờ quản trị viên mở khóa tài khoản.",
    "If you need to get in now, ask an administrator to unlock the account.",
)
TECHNICIAN_HINT = Words(
    "Tài khoản kỹ thuật viên dùng trang Thiết bị: ghép nối, cấu hình và theo dõi thiết bị.",
    "Technician accounts use the Devices page: pairing, configuring and watching devices.",
)


@dataclass(frozen=True)
class Link:
    href: str
    text: Words


def _links(status: int, code: str | None) -> list[Link]:
    """Where to go from here: the place the person was heading for first, then home."""
    path = request.path
    links: list[Link] = []
    if code == "locked":
        links.append(Link(path, Words("Quay lại trang đăng nhập", "Back to sign-in")))
    elif status == 403 and _signed_in_role() == Role.TECHNICIAN.value:
        links.append(
            Link(url_for("fleet.index"), Words("Mở trang Thiết bị", "Open the Devices page"))
        )
    elif path.startswith("/admin/devices"):
        links.append(Link(url_for("fleet.index"), Words("Danh sách thiết bị", "Device list")))
    elif path.startswith("/admin"):
        links.append(Link(url_for("admin.index"), Words("Trang quản trị", "Administration")))
    links.append(Link(url_for("pages.home"), Words("Trang chủ", "Home")))
    return links


def _signed_in_role() -> str | None:
    user = g.get("user")
    return None if user is None else str(user.role)


def error_page(
    status: int, code: str | None, message: str | None, message_vi: str | None
) -> Response:
    """The page for an error on a page path; ``message`` is the refusal's own words, if
    it has any worth more than the status's."""
    title, explanation = STATUS_TEXTS.get(status) or STATUS_TEXTS[400 if status < 500 else 500]
    hints: list[Words] = []
    if code == "locked":
        title = LOCKED_TITLE
        hints.append(LOCKED_HINT)
    if message and message_vi:
        explanation = Words(message_vi, message)
    if status == 403 and _signed_in_role() == Role.TECHNICIAN.value:
        hints.append(TECHNICIAN_HINT)
    links = _links(status, code)
    words = {
        "title": title.pair(),
        "explanation": explanation.pair(),
        **{f"hint{i}": hint.pair() for i, hint in enumerate(hints)},
        **{f"link{i}": link.text.pair() for i, link in enumerate(links)},
    }
    page = render_template(
        "error.html",
        status=status,
        title=title,
        explanation=explanation,
        hints=hints,
        links=links,
        words=words,
    )
    return Response(page, status=status, mimetype="text/html")
