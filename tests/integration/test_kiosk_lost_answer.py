"""A kiosk whose ticket request reached the server but whose answer was lost asks again
with the same key and prints the server's number: no offline number beside a queued
ticket nobody holds. Real server process, real client, printer emulator over TCP, and a
proxy on 127.0.0.1 that swallows answers."""

from __future__ import annotations

import http.client
import socket
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from clocks import TickingClock
from live_server import LiveServer
from printer_fixtures import kiosk_at, running_emulator
from server_fixtures import seeded_sqlite

from device_kit.client import QueueClient, ServerUnreachable
from kiosk_app.offline import Outbox


class AnswerSwallower(ThreadingHTTPServer):
    """Carries every request to ``upstream``; for the first ``swallow`` ticket
    requests it lets the server answer, then closes the kiosk's connection without
    passing the answer on: what a slow server or a dropped Wi-Fi link does."""

    daemon_threads = True

    def __init__(self, upstream: int, swallow: int) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.upstream = upstream
        self.swallow = swallow
        self.swallowed: list[bytes] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: AnswerSwallower

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the test reads what it needs from the server."""

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        payload = answer.read()
        upstream.close()
        with self.server.lock:
            left = len(self.server.swallowed) < self.server.swallow
            lose = self.path.endswith("/tickets") and left
            if lose:
                self.server.swallowed.append(payload)
        if lose:
            self.close_connection = True
            return
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _forward


@pytest.fixture
def server(
    tmp_path: Path, ticking_clock: TickingClock
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    url, tokens, _ = seeded_sqlite(tmp_path, ticking_clock)
    live = LiveServer(url, tmp_path).start()
    yield live, tokens
    live.stop()


def server_tickets(tmp_path: Path) -> list[str]:
    """Every ticket the server stored, in its database."""
    with sqlite3.connect(tmp_path / "motcua.db") as db:
        return [number for (number,) in db.execute("SELECT number FROM tickets ORDER BY id")]


def test_a_lost_answer_is_asked_again_and_the_servers_number_printed(
    tmp_path: Path, ticking_clock: TickingClock, server: tuple[LiveServer, dict[str, str]]
) -> None:
    live, tokens = server
    proxy = AnswerSwallower(live.port, swallow=1)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        with (
            running_emulator(tmp_path / "printer") as emulator,
            QueueClient(proxy.url, tokens["kiosk"], timeout=(1, 5)) as client,
            Outbox(tmp_path / "kiosk.db") as outbox,
        ):
            controller = kiosk_at(emulator, client, outbox, ticking_clock)
            assert controller.heartbeat() is True
            issued = controller.take_ticket("ho-tich")
            (job,) = emulator.wait_for_jobs(1)
            assert controller.pending_count() == 0
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert len(proxy.swallowed) == 1  # the server did answer the first time; it was lost
    assert not issued.offline and issued.printed
    assert server_tickets(tmp_path) == [issued.number]
    assert issued.number in job.text


def test_a_server_that_never_answers_is_a_lost_answer_and_a_refused_port_is_not() -> None:
    """The kiosk asks again only when its request may have been carried out: a
    refused connection goes offline at once, with no second wait."""
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens here
    try:
        with QueueClient(f"http://127.0.0.1:{silent.getsockname()[1]}", "t", timeout=(1, 0.3)) as c:
            with pytest.raises(ServerUnreachable) as slow:
                c.issue_ticket("ho-tich", request_key="k" * 16)
        with QueueClient(f"http://127.0.0.1:{closed}", "t", timeout=(1, 0.3)) as c:
            with pytest.raises(ServerUnreachable) as refused:
                c.issue_ticket("ho-tich", request_key="k" * 16)
    finally:
        silent.close()
    assert slow.value.answer_lost is True
    assert refused.value.answer_lost is False
