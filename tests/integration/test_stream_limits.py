"""Event streams cannot starve the server: one address holds only a few, the worker
holds at most its cap, the next stream is refused at once in the error shape, and
health and a kiosk's ticket still answer. A stream whose client left frees its
place within seconds. Run against the real server (gunicorn + gevent) with small
caps set through the environment."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from live_server import LiveServer, database_env
from server_fixtures import build_runtime, seed_callers


def open_stream(url: str, forwarded_for: str | None = None) -> tuple[socket.socket, int, bytes]:
    """A raw ``GET /api/v1/events``: the socket, the status and the body read so far."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    extra = f"X-Forwarded-For: {forwarded_for}\r\n" if forwarded_for else ""
    sock.sendall(
        f"GET /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n"
        f"{extra}\r\n".encode()
    )
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return sock, int(head.split()[1]), body


def error_of(sock: socket.socket, body: bytes) -> dict[str, Any]:
    """The JSON error of a refused stream (its whole body, by Content-Length or EOF)."""
    sock.settimeout(5)
    while True:
        try:
            return json.loads(body)["error"]
        except ValueError:
            chunk = sock.recv(65536)
            if not chunk:
                raise
            body += chunk


@pytest.fixture
def server(
    database_url: tuple[str, str | None], tmp_path: Path, clock: Any
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    url, schema = database_url
    runtime = build_runtime(url, schema, tmp_path, clock)
    tokens, _ = seed_callers(runtime)
    runtime.db.dispose()
    live = LiveServer(database_env(url, schema), tmp_path)
    live.env.update(MOTCUA_MAX_STREAMS_PER_CLIENT="3", MOTCUA_MAX_STREAMS="5")
    live.start()
    yield live, tokens
    live.stop()


def issue(live: LiveServer, tokens: dict[str, str]) -> requests.Response:
    return requests.post(
        f"{live.url}/api/v1/tickets",
        headers={"Authorization": f"Bearer {tokens['kiosk']}"},
        json={"service": "ho-tich"},
        timeout=5,
    )


def test_streams_over_the_caps_are_refused_and_the_api_still_answers(
    server: tuple[LiveServer, dict[str, str]],
) -> None:
    live, tokens = server
    held = []
    try:
        for _ in range(3):
            sock, status, _ = open_stream(live.url, "10.0.0.7")
            held.append(sock)
            assert status == 200
        sock, status, body = open_stream(live.url, "10.0.0.7")
        held.append(sock)
        assert status == 429
        assert error_of(sock, body)["code"] == "too_many_streams"

        # Another visitor behind the same proxy is not limited by the first one ...
        for _ in range(2):
            sock, status, _ = open_stream(live.url, "10.0.0.8")
            held.append(sock)
            assert status == 200
        # ... until the worker's own cap (5) is reached.
        sock, status, body = open_stream(live.url, "10.0.0.9")
        held.append(sock)
        assert status == 503
        error = error_of(sock, body)
        assert error["code"] == "streams_full"
        assert error["message_vi"]

        assert requests.get(f"{live.url}/api/v1/health", timeout=5).status_code == 200
        assert issue(live, tokens).status_code == 201
    finally:
        for sock in held:
            sock.close()


def test_a_closed_stream_frees_its_place_within_seconds(
    server: tuple[LiveServer, dict[str, str]],
) -> None:
    live, _ = server
    held = [open_stream(live.url, "10.0.0.7")[0] for _ in range(3)]
    assert open_stream(live.url, "10.0.0.7")[1] == 429
    held.pop().close()  # heartbeats are 15 s apart: only the closed socket tells

    deadline = time.monotonic() + 5
    status = 429
    while status != 200 and time.monotonic() < deadline:
        sock, status, _ = open_stream(live.url, "10.0.0.7")
        if status == 200:
            held.append(sock)
        else:
            sock.close()
            time.sleep(0.1)
    for sock in held:
        sock.close()
    assert status == 200
