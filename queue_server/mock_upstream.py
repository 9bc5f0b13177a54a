"""A mock one-stop system ("Hệ thống thông tin một cửa điện tử") for the demo and tests.

It serves realistic Vietnamese dossiers in the REST shape the pull connector
expects::

    GET /api/dossiers?since=<cursor>&limit=<n>
    -> {"data": [{"MaHoSo": ..., "TrangThai": ..., ...}], "next_cursor": "...",
        "has_more": false}

Rows are ordered by (NgayCapNhat, MaHoSo); the cursor is the last row's pair, so
a pull asks only for what changed since. Like real systems the rows also carry
the applicant's ID number, phone and address, which the mirror must never show.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, time, timedelta
from typing import Any, Self
from zoneinfo import ZoneInfo

from flask import Flask, jsonify, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.dossiers.calendar import WorkingCalendar

SITE_ZONE = ZoneInfo(DEFAULT_ZONE)
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Rơ Châm",
    "Ksor",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thị Kim", "Xuân"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Yến",
    "H'Lan",
]
# (TTHC code, name, working days)
PROCEDURES = [
    ("1.001193.000.00.00.H56", "Đăng ký khai sinh", 1),
    ("1.000894.000.00.00.H56", "Đăng ký kết hôn", 3),
    ("1.001022.000.00.00.H56", "Đăng ký khai tử", 1),
    ("2.000908.000.00.00.H56", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", 0.5),
    (
        "1.004227.000.00.00.H56",
        "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở lần đầu",
        30,
    ),
    ("1.003010.000.00.00.H56", "Đăng ký biến động quyền sử dụng đất do chuyển nhượng", 10),
    ("2.000720.000.00.00.H56", "Đăng ký thành lập hộ kinh doanh", 3),
    ("1.009994.000.00.00.H56", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 15),
    ("1.001776.000.00.00.H56", "Xét duyệt trợ cấp xã hội hằng tháng", 20),
    ("2.002163.000.00.00.H56", "Cấp Giấy xác nhận tình trạng hôn nhân", 3),
]
AGENCIES = [
    ("000.00.06.H56", "UBND huyện Ia Pa"),
    ("000.21.30.H56", "UBND xã Ia Broăi"),
    ("H56.14", "Văn phòng Đăng ký đất đai chi nhánh Ia Pa"),
]
COLLECT_AT = [
    "Bộ phận Một cửa UBND huyện Ia Pa, quầy số 6",
    "Bộ phận Tiếp nhận và Trả kết quả UBND xã Ia Broăi",
    "Nhận qua dịch vụ bưu chính công ích (Bưu điện)",
]
# Upstream words per portal status, as systems spell them.
WORDS = {
    1: ["Mới đăng ký", "Chờ tiếp nhận"],
    2: ["Đã tiếp nhận"],
    3: ["Từ chối tiếp nhận"],
    4: ["Đang xử lý", "Đang giải quyết"],
    5: ["Yêu cầu bổ sung hồ sơ", "Chờ bổ sung"],
    6: ["Chờ nộp phí"],
    7: ["Đã rút"],
    8: ["Tạm dừng"],
    9: ["Đã xử lý xong", "Chờ trả KQ"],
    10: ["Đã trả kết quả", "Đã trả KQ"],
}
STREETS = ["thôn Plei Ring", "buôn Ia Tul", "tổ 3 thị trấn Phú Thiện", "thôn Bôn Ama Dơng"]


def _local(moment: datetime) -> str:
    return moment.astimezone(SITE_ZONE).strftime("%d/%m/%Y %H:%M:%S")


def _received_at(rng: random.Random, now: datetime, calendar: WorkingCalendar) -> datetime:
    """A moment in office hours on a working day of the last 40 days, not after now."""
    day = (now.astimezone(SITE_ZONE) - timedelta(days=rng.randint(0, 40))).date()
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    minutes = rng.choice([rng.randint(0, 240), rng.randint(390, 570)])
    received = datetime.combine(day, time(7, 30), SITE_ZONE) + timedelta(minutes=minutes)
    return min(received, now - timedelta(minutes=5))


def demo_dossier(
    rng: random.Random, index: int, now: datetime, status: int, calendar: WorkingCalendar
) -> dict[str, Any]:
    """One upstream row; ``index`` keeps codes unique within a received day."""
    received = _received_at(rng, now, calendar)
    agency_code, agency = rng.choice(AGENCIES)
    code = f"{agency_code}-{received.astimezone(SITE_ZONE):%y%m%d}-{index % 10000:04d}"
    procedure_code, procedure, days = rng.choice(PROCEDURES)
    due = calendar.due_date(received, days)
    steps = [
        {"NoiDung": "Tiếp nhận hồ sơ", "ThoiDiem": _local(received), "DonVi": "Bộ phận Một cửa"}
    ]
    if status >= 4:
        steps.append(
            {
                "NoiDung": "Chuyển phòng chuyên môn thẩm định",
                "ThoiDiem": _local(calendar.add_working_time(received, 2)),
                "DonVi": "Phòng Tư pháp",
            }
        )
    finished = None
    if status in (9, 10):
        finished = calendar.add_working_time(received, days * 8 * rng.uniform(0.5, 1.6))
        steps.append(
            {"NoiDung": "Lãnh đạo ký duyệt", "ThoiDiem": _local(finished), "DonVi": "Lãnh đạo UBND"}
        )
    updated = max(received, finished or received) + timedelta(minutes=rng.randint(1, 90))
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return {
        "MaHoSo": code,
        "TrangThai": rng.choice(WORDS[status]),
        "MaTTHC": procedure_code,
        "TenTTHC": procedure,
        "CoQuanTiepNhan": agency,
        "ChuHoSo": name,
        "SoCCCD": f"0{rng.randint(10, 96)}{rng.randint(0, 1)}{rng.randint(10**8, 10**9 - 1)}",
        "SoDienThoai": f"09{rng.randint(10**7, 10**8 - 1)}",
        "DiaChi": f"{rng.choice(STREETS)}, huyện Ia Pa, tỉnh Gia Lai",
        "NgayTiepNhan": _local(received),
        "NgayHenTra": _local(due),
        "NgayKetThucXuLy": _local(finished) if finished else None,
        "NoiTraKetQua": rng.choice(COLLECT_AT),
        "QuaTrinhXuLy": steps,
        "NgayCapNhat": min(updated, now).astimezone(UTC).isoformat(),
    }


def demo_dossiers(count: int, now: datetime, seed: int = 2024) -> list[dict[str, Any]]:
    """``count`` rows cycling through all ten statuses."""
    rng = random.Random(seed)
    calendar = WorkingCalendar()
    return [demo_dossier(rng, i + 1, now, i % 10 + 1, calendar) for i in range(count)]


#: The demo citizen's ID number: scan a card QR carrying it for "Hồ sơ của tôi".
DEMO_CITIZEN_ID = "001088000123"
#: Their dossiers' statuses: received, being processed, result ready to collect.
DEMO_CITIZEN_STATUSES = (2, 4, 9)


def demo_citizen_dossiers(now: datetime) -> list[dict[str, Any]]:
    """The demo citizen's three dossiers, in different statuses, carrying the ID number
    upstream systems send (``SoDinhDanh``); codes numbered apart from ``demo_dossiers``."""
    rng = random.Random(DEMO_CITIZEN_ID)
    calendar = WorkingCalendar()
    return [
        demo_dossier(rng, 9001 + n, now, status, calendar)
        | {"ChuHoSo": "Nguyễn Văn An", "SoDinhDanh": DEMO_CITIZEN_ID}
        for n, status in enumerate(DEMO_CITIZEN_STATUSES)
    ]


class UpstreamStore:
    """The mock's dossiers, changed by tests and served in update order."""

    def __init__(self, rows: list[dict[str, Any]] | None = None) -> None:
        self._rows = {row["MaHoSo"]: row for row in rows or []}
        self.lock = threading.Lock()
        self.requests = 0
        self.failures_left = 0

    def put(self, row: dict[str, Any]) -> None:
        with self.lock:
            self._rows[row["MaHoSo"]] = row

    def update(self, code: str, at: datetime, **fields: Any) -> None:
        with self.lock:
            self._rows[code] = {**self._rows[code], **fields, "NgayCapNhat": at.isoformat()}

    def page(self, since: str, limit: int) -> tuple[list[dict[str, Any]], str, bool]:
        with self.lock:
            ordered = sorted(self._rows.values(), key=_cursor_of)
        fresh = [row for row in ordered if _cursor_of(row) > since]
        page = fresh[:limit]
        cursor = _cursor_of(page[-1]) if page else since
        return page, cursor, len(fresh) > limit


def _cursor_of(row: dict[str, Any]) -> str:
    moment = datetime.fromisoformat(row["NgayCapNhat"]).astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S.%f}|{row['MaHoSo']}"


def create_mock_app(store: UpstreamStore, token: str | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    @app.get("/api/dossiers")
    def dossiers() -> Any:
        with store.lock:
            store.requests += 1
            failing = store.failures_left > 0
            store.failures_left -= failing
        if failing:
            return jsonify(error="Hệ thống đang bảo trì"), 503
        if token and request.headers.get("Authorization") != f"Bearer {token}":
            return jsonify(error="Sai mã truy cập"), 401
        limit = min(max(int(request.args.get("limit", 500)), 1), 5000)
        rows, cursor, more = store.page(request.args.get("since", ""), limit)
        return jsonify(data=rows, next_cursor=cursor, has_more=more)

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Tests and benchmarks pull thousands of pages; no line per request."""


class MockUpstream:
    """The mock served on 127.0.0.1 in a thread (tests, the demo)."""

    def __init__(
        self,
        store: UpstreamStore,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = True,
    ) -> None:
        self.store = store
        self._server: BaseWSGIServer = make_server(
            host,
            port,
            create_mock_app(store, token),
            threaded=True,
            request_handler=_QuietHandler if quiet else None,
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.server_port}/api/dossiers"

    def serve(self) -> None:
        """Serve in this thread until interrupted (the CLI)."""
        try:
            self._server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self._server.server_close()

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
