"""A PostgreSQL that accepts TCP but never answers (a hung server, a dead VM behind
a live NAT) must not freeze the server: while one request waits to connect, pages
that need no database answer, open event streams keep their heartbeats, and the API
answers 503 ``database_unavailable``, never 500 and never a hang. Run against the
real server (gunicorn + gevent)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from live_server import LiveServer, database_env
from pg_schema import POSTGRES_URL, temporary_schema
from server_fixtures import build_runtime, seed_callers
from sqlalchemy import make_url
from sse_reader import Message, messages

#: Heartbeat of the live server's event streams, short so the test sees several.
HEARTBEAT_S = "0.5"


class HangingProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL until :meth:`hang`; then it drops the
    open connections and accepts new ones without ever answering."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.hanging = threading.Event()
        self.hung: list[socket.socket] = []
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                if self.hanging.is_set():
                    self.hung.append(client)
                    continue
                upstream = socket.create_connection(self.target)
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                sock.close()

    def hang(self) -> None:
        with self.lock:
            self.hanging.set()
            for sock in self.open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.open.clear()

    def hung_count(self) -> int:
        with self.lock:
            return len(self.hung)

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for sock in self.hung + self.open:
                sock.close()


@pytest.fixture
def outage(
    postgres_ok: bool, tmp_path: Path, clock: Any
) -> Iterator[tuple[LiveServer, HangingProxy, dict[str, str]]]:
    if not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    real = make_url(POSTGRES_URL)
    with temporary_schema() as schema:
        runtime = build_runtime(POSTGRES_URL, schema, tmp_path, clock)
        tokens, _ = seed_callers(runtime)
        runtime.db.dispose()
        proxy = HangingProxy((real.host or "127.0.0.1", real.port or 5432))
        via_proxy = real.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        )
        live = LiveServer(f"{database_env(via_proxy, schema)}&connect_timeout=10", tmp_path)
        live.env["MOTCUA_SSE_HEARTBEAT_S"] = HEARTBEAT_S
        try:
            live.start()
            yield live, proxy, tokens
        finally:
            live.stop()
            proxy.close()


def health_stuck_on(
    live: LiveServer, proxy: HangingProxy
) -> tuple[threading.Thread, dict[str, Any]]:
    """A health request sent while the database hangs, waiting until the server is
    stuck trying to reconnect; its answer lands in the dict when it comes."""
    answer: dict[str, Any] = {}

    def wait_for_health() -> None:
        answer["response"] = requests.get(f"{live.url}/api/v1/health", timeout=40)

    pending = threading.Thread(target=wait_for_health)
    pending.start()
    deadline = time.monotonic() + 10
    while proxy.hung_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proxy.hung_count() > 0, "the server never tried to reconnect"
    return pending, answer


def test_a_hung_database_leaves_pages_up_and_the_api_answering_503(
    outage: tuple[LiveServer, HangingProxy, dict[str, str]],
) -> None:
    live, proxy, tokens = outage
    assert requests.get(f"{live.url}/api/v1/health", timeout=10).status_code == 200
    proxy.hang()

    pending, first = health_stuck_on(live, proxy)

    page = requests.get(f"{live.url}/static/web/base.css", timeout=5)
    connecting_meanwhile = pending.is_alive()
    pending.join(timeout=40)

    assert page.status_code == 200
    assert connecting_meanwhile, "the page should not have waited for the connect"
    assert first["response"].status_code == 503
    assert first["response"].json()["error"]["code"] == "database_unavailable"

    ticket = requests.post(
        f"{live.url}/api/v1/tickets",
        headers={"Authorization": f"Bearer {tokens['kiosk']}"},
        json={"service": "ho-tich"},
        timeout=40,
    )
    assert ticket.status_code == 503
    error = ticket.json()["error"]
    assert error["code"] == "database_unavailable"
    assert error["message_vi"]


def _next_heartbeat(stream: Iterator[Message]) -> Message:
    """The next heartbeat; the stream's read timeout fails the test if none comes."""
    for message in stream:
        if message.kind == "heartbeat":
            return message
    raise AssertionError("the event stream ended")


def test_an_open_event_stream_keeps_its_heartbeat_while_the_database_hangs(
    outage: tuple[LiveServer, HangingProxy, dict[str, str]],
) -> None:
    """GIVEN a board's open event stream WHEN the database stops answering THEN the
    stream keeps sending heartbeats, while a request waits on the database and after
    it was answered 503, so the board shows its link alive and resumes from the
    heartbeat's last event id."""
    live, proxy, tokens = outage
    issued = requests.post(
        f"{live.url}/api/v1/tickets",
        headers={"Authorization": f"Bearer {tokens['kiosk']}"},
        json={"service": "ho-tich"},
        timeout=10,
    )
    assert issued.status_code == 201
    # A read timeout well above the heartbeat: a silent stream fails the test.
    with requests.get(
        f"{live.url}/api/v1/events", params={"since": 0}, stream=True, timeout=(5, 8),
        headers={"Authorization": f"Bearer {tokens['board']}"},
    ) as response:
        assert response.status_code == 200
        stream = messages(response.iter_content(chunk_size=None))
        before = _next_heartbeat(stream)  # after the replayed ticket.issued
        proxy.hang()

        pending, answer = health_stuck_on(live, proxy)

        while_waiting = [_next_heartbeat(stream) for _ in range(3)]
        beat_while_connecting = pending.is_alive()
        pending.join(timeout=40)
        after_503 = [_next_heartbeat(stream) for _ in range(3)]

    assert beat_while_connecting, "heartbeats came only after the connect gave up"
    assert answer["response"].status_code == 503
    assert answer["response"].json()["error"]["code"] == "database_unavailable"
    assert before.data["last_event_id"] >= 1
    for beat in while_waiting + after_503:
        assert beat.comment and beat.data == before.data
