"""The kiosk flow without Kivy: printing rules, offline blocks and outbox, lookups."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from device_kit.client import ServerError, ServerUnreachable
from drivers.errors import DeviceDisconnected, PaperOut
from drivers.printer import PrinterStatus, SlipData, TicketData
from kiosk_app.controller import KioskController, KioskSettings, Refusal
from kiosk_app.offline import Outbox, OutboxState

SITE = {
    "name_vi": "Trung tâm Phục vụ hành chính công",
    "hotline": "1900 1234",
    "timezone": "Asia/Ho_Chi_Minh",
    "priority_groups": [
        {"code": "elderly", "label_vi": "Người cao tuổi (từ 60 tuổi)", "label_en": "Elderly"}
    ],
}
ALREADY_RATED = {
    "message": "This dossier has already been rated.",
    "message_vi": "Hồ sơ này đã được đánh giá.",
}
SERVICES = [
    {"code": "ho-tich", "prefix": "B", "name_vi": "Hộ tịch", "name_en": "Civil status"},
    {"code": "tra-ket-qua", "prefix": "F", "name_vi": "Trả kết quả", "name_en": "Results"},
]


class FakeServer:
    """The API client's methods over an in-memory queue; ``down`` makes it unreachable."""

    base_url = "http://127.0.0.1:9"

    def __init__(self) -> None:
        self.down = False
        self.seq: dict[str, int] = {}
        self.reserved: dict[str, int] = {}  # the server's band for blocks: 900 up
        self.queue: list[dict[str, Any]] = []
        self.blocks: dict[int, dict[str, Any]] = {}
        self.lookups: list[str] = []
        self.citizen_ids: list[str] = []
        self.ratings: dict[str, dict[str, int]] = {}
        self.requests: list[tuple[str, str]] = []
        self.sync_refusal: ServerError | None = None  # how the hand-over is answered
        #: Answers to lose after doing the work (a slow server, a dropped link).
        self.lose_answers = 0
        self.by_key: dict[str, Any] = {}  # what each request key was answered
        self.keys_seen: list[str | None] = []

    def _answer(self, key: str | None, work: Callable[[], Any]) -> Any:
        """A keyed request answers alike when repeated; an answer may be lost after
        the work was done, as the real server's can."""
        self._check()
        self.keys_seen.append(key)
        if key is None:
            answer = work()
        elif key in self.by_key:
            answer = self.by_key[key]
        else:
            answer = self.by_key[key] = work()
        if self.lose_answers:
            self.lose_answers -= 1
            raise ServerUnreachable("POST: ReadTimeout", answer_lost=True)
        return answer

    def _check(self) -> None:
        if self.down:
            raise ServerUnreachable("down")

    def health(self) -> dict[str, Any]:
        self._check()
        return {"status": "ok"}

    def get_site(self) -> dict[str, Any]:
        self._check()
        return SITE

    def services(self) -> list[dict[str, Any]]:
        self._check()
        return SERVICES

    def _next(self, service: str, count: int = 1) -> int:
        self.seq[service] = self.seq.get(service, 0) + count
        return self.seq[service]

    def issue_ticket(
        self,
        service: str,
        priority: str | None,
        dossier_code: str | None,
        request_key: str | None = None,
    ) -> Any:
        return self._answer(request_key, lambda: self._issue(service, dossier_code))

    def check_in_appointment(self, text: str, request_key: str | None = None) -> Any:
        def check_in() -> Any:
            view = self._issue("ho-tich", None)
            return {**view, "service": "ho-tich", "priority": "appointment"}

        return self._answer(request_key, check_in)

    def _issue(self, service: str, dossier_code: str | None) -> Any:
        prefix = {s["code"]: s["prefix"] for s in SERVICES}[service]
        number = f"{prefix}{self._next(service):03d}"
        ahead = len(self.queue)
        self.queue.append({"number": number, "dossier_code": dossier_code})
        return {
            "id": len(self.queue),
            "number": number,
            "ahead": ahead,
            "estimated_wait_s": 300 * ahead,
            "track_url": "http://x/t/abc",
        }

    def queue_snapshot(self) -> dict[str, Any]:
        self._check()
        counts = [{"code": s["code"], "waiting": 0, "waiting_priority": 0} for s in SERVICES]
        counts[0]["waiting"] = len(self.queue)
        return {"services": counts}

    def lease_block(self, service: str, count: int) -> dict[str, Any]:
        self._check()
        last = self.reserved.get(service, 899) + count
        self.reserved[service] = last
        block = {
            "id": len(self.blocks) + 1,
            "service": service,
            "prefix": "B" if service == "ho-tich" else "F",
            "day": "2026-11-25",
            "first": last - count + 1,
            "last": last,
        }
        self.blocks[block["id"]] = block
        return block

    def sync_offline_ticket(self, block_id: int, seq: int, issued_at: datetime, *rest: Any) -> Any:
        self._check()
        if self.sync_refusal is not None:
            raise self.sync_refusal
        self.queue.append({"number": f"B{seq:03d}", "issued_at": issued_at, "replaces": rest[2]})
        return {"id": len(self.queue)}

    def lookup_dossier(self, query: str) -> dict[str, Any]:
        self._check()
        self.lookups.append(query)
        if query.endswith("9999"):
            raise ServerError(404, "unknown_dossier", "No such dossier.", "Không có hồ sơ.")
        return {
            "code": query,
            "procedure": "Đăng ký khai sinh",
            "status": {"code": 9, "label_vi": "Đã xử lý xong", "label_en": "Processed"},
            "due_at": "2026-11-30",
            "timeliness": "early",
            "applicant": "Nguyễn V*** A**",
        }

    def citizen_dossiers(self, id_number: str) -> list[dict[str, Any]]:
        self._check()
        self.citizen_ids.append(id_number)
        return [self.lookup_dossier("000.00.06.H56-231027-0361")]

    def request(self, method: str, path: str, *, json: Any = None, params: Any = None) -> Any:
        """The three rating calls the kiosk makes through the client's generic request."""
        self._check()
        self.requests.append((method, path))
        if (method, path) == ("GET", "/ratings/options"):
            return {"indicators": [{"number": n, "name_vi": f"Chỉ số {n}"} for n in range(1, 10)]}
        if method == "GET":
            code = unquote(path.removeprefix("/dossier-ratings/"))
            if code not in self.ratings:
                raise ServerError(404, "not_rated", "Not rated yet.", "Chưa được đánh giá.")
            return {"rated": True, "at": "2026-11-25T02:00:00+00:00", **ALREADY_RATED}
        assert (method, path) == ("POST", "/dossier-ratings")
        if json["dossier_code"] in self.ratings:
            raise ServerError(
                409, "already_rated", ALREADY_RATED["message"], ALREADY_RATED["message_vi"]
            )
        self.ratings[json["dossier_code"]] = json["scores"]
        return {"dossier_code": json["dossier_code"], "total": sum(json["scores"].values())}


class FakePrinter:
    def __init__(self) -> None:
        self.status_now = PrinterStatus(online=True)
        self.fail_job: Exception | None = None
        self.tickets: list[TicketData] = []
        self.checked: list[bool] = []  # per print_ticket call: the caller asked the status
        self.slips: list[SlipData] = []
        self.fail_close: Exception | None = None

    @contextmanager
    def open(self) -> Any:
        yield self
        if self.fail_close is not None:  # the port was pulled out: closing fails too
            raise self.fail_close

    def status(self) -> PrinterStatus:
        return self.status_now

    def print_ticket(self, ticket: TicketData, *, checked: bool = False) -> None:
        self.checked.append(checked)
        if self.fail_job is not None:
            raise self.fail_job
        self.tickets.append(ticket)

    def print_slip(self, slip: SlipData) -> None:
        self.slips.append(slip)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def parts(tmp_path: Path) -> Any:
    server, printer = FakeServer(), FakePrinter()
    with Outbox(tmp_path / "kiosk.db") as outbox:
        controller = KioskController(
            server,  # type: ignore[arg-type]
            printer.open,
            outbox,
            KioskSettings(block_size=3, refill_below=2),
            clock=Clock(),
        )
        controller.load_catalogue()
        yield controller, server, printer, outbox


def test_online_ticket_is_printed_with_the_server_number(parts: Any) -> None:
    controller, server, printer, _ = parts
    server.issue_ticket("ho-tich", None, None)
    issued = controller.take_ticket("ho-tich", "elderly")
    assert (issued.number, issued.ahead, issued.offline, issued.printed) == ("B002", 1, False, True)
    ticket = printer.tickets[-1]
    assert (ticket.number, ticket.people_ahead) == ("B002", 1)
    assert ticket.priority_label == "Người cao tuổi (từ 60 tuổi)"
    assert ticket.tracking_url == "http://x/t/abc"


@pytest.mark.parametrize(
    "take",
    [lambda kiosk: kiosk.take_ticket("ho-tich"), lambda kiosk: kiosk.check_in("HEN123")],
    ids=["ticket", "check-in"],
)
def test_a_lost_answer_is_asked_again_with_its_key_and_one_ticket_printed(
    parts: Any, take: Callable[[KioskController], Any]
) -> None:
    controller, server, printer, _ = parts
    server.lose_answers = 1
    issued = take(controller)
    assert (issued.number, issued.offline, issued.printed) == ("B001", False, True)
    assert [t["number"] for t in server.queue] == ["B001"]
    assert [t.number for t in printer.tickets] == ["B001"]
    key = server.keys_seen[0]
    assert key and len(key) >= 16 and server.keys_seen == [key, key]
    take(controller)
    assert server.keys_seen[2] != key  # the next request, a new key


def test_answers_lost_twice_give_an_offline_number(parts: Any) -> None:
    """The one repeat is all: a server that keeps losing answers is treated as away."""
    controller, server, _, _ = parts
    controller.heartbeat()  # leases the offline block
    server.lose_answers = 2
    issued = controller.take_ticket("ho-tich")
    assert issued.offline and issued.number == "B900"
    lost = server.keys_seen[0]
    assert server.keys_seen == [lost, lost]
    assert controller.heartbeat() is True  # the hand-over names the request given up
    assert [(t["number"], t.get("replaces")) for t in server.queue] == [
        ("B001", None),
        ("B900", lost),
    ]


def test_no_paper_means_no_number_taken(parts: Any) -> None:
    controller, server, printer, _ = parts
    problems: list[str] = []
    controller._on_problem = problems.append
    printer.status_now = PrinterStatus(online=True, paper_out=True)
    with pytest.raises(Refusal) as refused:
        controller.take_ticket("ho-tich")
    assert refused.value.key == "error.printer"
    assert refused.value.values["problem_key"] == "printer.paper_out"
    assert server.queue == [] and problems == ["printer: printer_paper_out"]


def test_a_print_failing_mid_job_keeps_the_ticket_reprintable(parts: Any) -> None:
    controller, _, printer, _ = parts
    printer.fail_job = PaperOut()
    issued = controller.take_ticket("ho-tich")
    assert issued.printed is False and controller.unprinted is not None
    assert controller.reprint() is False
    printer.fail_job = None
    assert controller.reprint() is True
    assert [t.number for t in printer.tickets] == [issued.number]
    # The ticket went out after the kiosk's own status check; a reprint asks none
    # itself, so the printer checks before and after it.
    assert printer.checked == [True, False, False]


def test_offline_tickets_come_from_the_block_and_sync_in_issue_order(parts: Any) -> None:
    controller, server, printer, outbox = parts
    controller.refill_blocks()  # leases B900-B902 for ho-tich
    server.down = True
    numbers = [controller.take_ticket("ho-tich").number for _ in range(3)]
    assert numbers == ["B900", "B901", "B902"]
    assert all(t.number in numbers for t in printer.tickets)
    with pytest.raises(Refusal) as refused:
        controller.take_ticket("ho-tich")
    assert refused.value.key == "error.no_block"
    assert controller.pending_count() == 3 and server.queue == []
    server.down = False
    assert controller.heartbeat() is True
    assert [t["number"] for t in server.queue] == numbers
    times = [t["issued_at"] for t in server.queue]
    assert times == sorted(times)
    assert controller.pending_count() == 0 and controller.sync() == 0
    assert outbox.remaining("ho-tich", "2026-11-25") == 3  # refilled with a new block
    assert controller.take_ticket("ho-tich").number == "B001"  # online numbers have no hole


def test_an_offline_ticket_waits_through_a_refusal_that_is_not_about_it(parts: Any) -> None:
    """A token revoked (or rotated) while the kiosk was offline is answered 401 at the
    hand-over: the visitors hold printed numbers, so the tickets wait for the next
    try. Only a refusal of the ticket itself (a block of an earlier day) drops one."""
    controller, server, _printer, outbox = parts
    controller.refill_blocks()
    server.down = True
    numbers = [controller.take_ticket("ho-tich").number for _ in range(2)]
    server.down = False
    server.sync_refusal = ServerError(401, "invalid_token", "Invalid token.", "Mã không hợp lệ.")
    assert controller.sync() == 0 and controller.pending_count() == 2
    server.sync_refusal = None
    assert controller.sync() == 2 and [t["number"] for t in server.queue] == numbers
    server.down = True
    controller.take_ticket("ho-tich")
    server.down = False
    server.sync_refusal = ServerError(409, "stale_block", "Earlier day.", "Dải số ngày trước.")
    assert controller.sync() == 0
    assert controller.pending_count() == 0 and outbox.count(OutboxState.REFUSED) == 1


def test_a_printer_that_fails_to_close_after_the_ticket_keeps_the_ticket(parts: Any) -> None:
    """The ticket printed, then closing the port failed: the number is the visitor's,
    shown and kept, not turned into "no ticket can be issued now"."""
    controller, server, printer, _outbox = parts
    printer.fail_close = DeviceDisconnected("gone while closing")
    issued = controller.take_ticket("ho-tich")
    assert issued.number == "B001" and issued.printed
    assert [t.number for t in printer.tickets] == ["B001"] and len(server.queue) == 1


def test_an_offline_print_failure_voids_the_number(parts: Any) -> None:
    controller, server, printer, outbox = parts
    controller.refill_blocks()
    server.down = True
    printer.fail_job = PaperOut()
    with pytest.raises(Refusal):
        controller.take_ticket("ho-tich")
    printer.fail_job = None
    assert controller.take_ticket("ho-tich").number == "B901"
    assert outbox.count(OutboxState.VOID) == 1 and controller.pending_count() == 1


def test_catalogue_survives_a_restart_while_the_server_is_down(tmp_path: Path) -> None:
    server, printer = FakeServer(), FakePrinter()
    with Outbox(tmp_path / "k.db") as outbox:
        KioskController(server, printer.open, outbox).load_catalogue()  # type: ignore[arg-type]
    server.down = True
    with Outbox(tmp_path / "k.db") as outbox:
        controller = KioskController(server, printer.open, outbox)  # type: ignore[arg-type]
        controller.load_catalogue()
    assert controller.state.online is False
    assert [s["code"] for s in controller.state.services] == ["ho-tich", "tra-ket-qua"]


def test_lookup_validates_then_asks_the_server_for_the_canonical_code(parts: Any) -> None:
    controller, server, _, _ = parts
    dossier = controller.lookup("https://dvc.example.vn/tra-cuu?MHS=000.00.06.h56-231027-0361")
    assert server.lookups == ["000.00.06.H56-231027-0361"]
    assert dossier.status_vi == "Đã xử lý xong" and dossier.ready
    assert dossier.timeliness == "early" and dossier.applicant == "Nguyễn V*** A**"
    with pytest.raises(Refusal) as bad:
        controller.lookup("hello")
    assert bad.value.vi and "000.00" in (bad.value.vi + (bad.value.en or ""))
    with pytest.raises(Refusal) as unknown:
        controller.lookup("000.00.06.H56-231027-9999")
    assert unknown.value.key == "lookup.not_found"
    server.down = True
    with pytest.raises(Refusal) as down:
        controller.lookup("000.00.06.H56-231027-0361")
    assert down.value.key == "lookup.unavailable" and controller.state.online is False


def test_result_ticket_carries_the_dossier_code(parts: Any) -> None:
    controller, server, _, _ = parts
    issued = controller.take_result_ticket("000.00.06.H56-231027-0361")
    assert issued.number == "F001"
    assert server.queue[-1]["dossier_code"] == "000.00.06.H56-231027-0361"
    assert parts[2].tickets[-1].dossier_code == "000.00.06.H56-231027-0361"
    controller.take_ticket("ho-tich")
    assert parts[2].tickets[-1].dossier_code is None


def test_lookup_slip_is_printed_with_status_and_timeliness(parts: Any) -> None:
    controller, _, printer, _ = parts
    controller.print_slip(controller.lookup("000.00.06.H56-231027-0361"))
    slip = printer.slips[-1]
    assert (slip.dossier_code, slip.status_text, slip.timeliness) == (
        "000.00.06.H56-231027-0361",
        "Đã xử lý xong",
        "Trước hạn",
    )


def test_a_dossier_is_rated_once_and_a_second_time_refused_in_the_servers_words(
    parts: Any,
) -> None:
    controller, server, _, _ = parts
    code = "000.00.06.H56-231027-0361"
    dossier, indicators = controller.dossier_to_rate(f"https://dvc.example.vn/?MHS={code}")
    assert dossier.code == code and [i["number"] for i in indicators] == list(range(1, 10))
    scores = {n: n % 3 for n in range(1, 10)}
    assert controller.rate_dossier(code, scores)["total"] == 9
    assert server.ratings[code] == {str(n): s for n, s in scores.items()}
    with pytest.raises(Refusal) as again:
        controller.rate_dossier(code, scores)
    assert again.value.vi == "Hồ sơ này đã được đánh giá."


def test_a_dossier_rated_already_is_refused_right_after_the_scan(parts: Any) -> None:
    controller, server, _, _ = parts
    code = "000.00.06.H56-231027-0361"
    server.ratings[code] = {"1": 2}
    for ask in (
        lambda: controller.dossier_to_rate(f"https://dvc.example.vn/?MHS={code}"),
        lambda: controller.rating_indicators(code),  # "Rate this dossier" after a lookup
    ):
        server.requests.clear()
        with pytest.raises(Refusal) as refused:
            ask()
        assert (refused.value.vi, refused.value.en) == (
            "Hồ sơ này đã được đánh giá.",
            "This dossier has already been rated.",
        )
        assert server.requests == [("GET", f"/dossier-ratings/{code}")]


def test_rating_says_what_a_code_looks_like_or_that_it_is_unavailable(parts: Any) -> None:
    controller, server, _, _ = parts
    with pytest.raises(Refusal) as malformed:
        controller.dossier_to_rate("12-AB")
    assert malformed.value.key == "lookup.example"
    server.down = True
    with pytest.raises(Refusal) as down:
        controller.dossier_to_rate("000.00.06.H56-231027-0361")
    assert down.value.key == "rate.unavailable" and not controller.state.online


def test_the_fleet_heartbeat_carries_the_printer_state_in_vietnamese(
    parts: Any, tmp_path: Path
) -> None:
    from kiosk_app.config import KioskConfig, hash_pin
    from kiosk_app.fleet import KioskFleet
    from kiosk_app.pin_guard import PinGuard

    controller, _, printer, _ = parts
    config = KioskConfig("ticket", "http://127.0.0.1:9", "token", tmp_path, "tcp://127.0.0.1:9")
    guard = PinGuard(tmp_path / "pin-guard.json")
    fleet = KioskFleet(
        config, controller, config.hardware(), schedule=lambda job: job(), pin_guard=guard
    )
    printer.status_now = PrinterStatus(online=True, paper_out=True)
    with pytest.raises(Refusal):
        controller.take_ticket("ho-tich")
    assert fleet.health() == {
        "printer": "paper_out",
        "scanner": "",
        "camera": "",
        "detail": "Máy in: hết giấy",
    }
    printer.status_now = PrinterStatus(online=True)
    controller.take_ticket("ho-tich")
    fleet.note_scanner("camera", "offline")
    assert fleet.health()["printer"] == "ok"
    assert fleet.health()["detail"] == "Camera: Mất kết nối"
    # Someone tries PINs on the technician screen: the fleet sees each lock-out.
    for _ in range(5):
        guard.try_pin(hash_pin("2468"), "0000")
    assert fleet.health()["detail"] == (
        "Camera: Mất kết nối; PIN kỹ thuật: sai 5 lần liên tiếp, đã khóa 1 lần"
    )


def test_a_code_typed_with_spaces_for_dots_is_found_and_refusals_quote_the_typing(
    parts: Any,
) -> None:
    """GIVEN a person who types spaces where the receipt prints dots THEN the dossier is
    found; a code that is wrong or unknown is refused quoting what they typed."""
    controller, server, _, _ = parts
    dossier = controller.lookup("000 00 06 h56 231027 0361")
    assert server.lookups[-1] == "000.00.06.H56-231027-0361" and dossier.ready
    with pytest.raises(Refusal) as wrong:
        controller.lookup("000 00 06 H5 231027 0361")
    assert (wrong.value.vi or "").startswith("«000 00 06 H5 231027 0361»: Phần đầu")
    assert (wrong.value.en or "").startswith("“000 00 06 H5 231027 0361”: The first part")
    with pytest.raises(Refusal) as unknown:
        controller.lookup("000 00 06 H56 231027 9999")
    assert unknown.value.values == {"code": "«000 00 06 H56 231027 9999»"}
    with pytest.raises(Refusal) as empty:
        controller.lookup("   ")
    assert (empty.value.vi or "").startswith("Vui lòng nhập mã hồ sơ")


def test_a_citizen_card_sends_only_its_id_number_and_the_age_is_reckoned_here(
    parts: Any,
) -> None:
    from device_kit.contract.citizen_card import parse_citizen_card

    controller, server, _, _ = parts
    today = controller.local_now().date()
    sixty = f"{today.replace(year=today.year - 60):%d%m%Y}"
    card = parse_citizen_card(f"001064000777||Lê Văn Cao|{sixty}|Nam|Hà Nội|01072024")
    assert card is not None
    visit = controller.citizen_visit(card)
    assert server.citizen_ids == ["001064000777"] and visit.elderly
    assert visit.dossiers is not None and visit.dossiers[0].applicant == "Nguyễn V*** A**"
    assert "001064000777" not in repr(visit) and sixty not in repr(visit)
    server.down = True  # offline: no dossiers, the elderly priority all the same
    offline = controller.citizen_visit(card)
    assert offline.dossiers is None and offline.elderly
    assert offline.problem is not None and offline.problem.key == "lookup.unavailable"


def test_an_offline_ticket_counts_ahead_from_a_recent_count_only(parts: Any) -> None:
    """People ahead offline: the last count plus the kiosk's own offline tickets; once
    that count is older than the settings allow, the ticket says it does not know."""
    controller, server, printer, _ = parts
    for _ in range(2):
        server.issue_ticket("ho-tich", None, None)
    assert controller.heartbeat() is True  # counts two waiting, leases a block
    server.down = True
    first = controller.take_ticket("ho-tich")
    second = controller.take_ticket("ho-tich")
    assert (first.ahead, second.ahead) == (2, 3)
    assert [(t.people_ahead, t.people_ahead_estimated) for t in printer.tickets] == [
        (2, True),
        (3, True),
    ]
    controller.clock.now += timedelta(seconds=controller.settings.waiting_max_age_s)
    late = controller.take_ticket("ho-tich")
    assert late.ahead is None and printer.tickets[-1].people_ahead is None


def test_an_offline_priority_ticket_counts_only_under_a_strict_policy(parts: Any) -> None:
    controller, server, printer, _ = parts
    assert controller.heartbeat() is True
    server.down = True
    ho_tich = {**SERVICES[0], "priority_policy": "interleaved"}
    controller.state.services = [ho_tich]
    assert controller.take_ticket("ho-tich", "elderly").ahead is None
    ho_tich["priority_policy"] = "strict"
    assert controller.take_ticket("ho-tich", "elderly").ahead == 1  # the one just before
    assert controller.take_ticket("ho-tich").ahead == 2
