"""Admission of event streams: how many one client and one worker may hold open.

A stream holds one of the worker's connections (``config.WORKER_CONNECTIONS``) all
day. Without a limit, one laptop on the hall Wi-Fi opening a few thousand idle
streams left no connection for a kiosk's ticket or the health check. Each client
address (the trusted one, ``security.client_address``) gets a few, the worker at
most ``Settings.max_streams``, and ``config.STREAM_HEADROOM`` connections always
stay for API requests. A refused stream costs one quick answer, no database work.

A stream whose client went away is noticed within ``PEER_CHECK_S`` (the socket
reads end-of-file) rather than at the next heartbeat write, and TCP keepalive
ends one whose client vanished without closing (power cut, Wi-Fi dropped).
"""

from __future__ import annotations

import select
import socket
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app

from queue_server.api.errors import error_response
from queue_server.config import STREAM_HEADROOM, WORKER_CONNECTIONS

#: How often an idle stream looks whether its client closed the connection.
PEER_CHECK_S = 1.0
#: TCP keepalive on a stream's socket: first probe after idle seconds, then every
#: interval, given up after count probes; unacknowledged data gives up after the
#: user timeout. A vanished client is dropped in well under a minute.
KEEPALIVE_IDLE_S, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT = 10, 5, 3
USER_TIMEOUT_MS = 30_000


class StreamGate:
    """Counts the open streams of this worker, per client address and in total."""

    def __init__(self, per_client: int, total: int) -> None:
        self.per_client = per_client
        self.total = total
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def enter(self, client: str) -> Callable[[], None] | Response:
        """A release to call when the stream ends, or the refusal to send instead."""
        with self._lock:
            if self._open.total() >= self.total:
                return _refusal(
                    503,
                    "streams_full",
                    "The server holds as many live streams as it can; retrying shortly.",
                    "Máy chủ đang giữ tối đa số kết nối trực tiếp; sẽ thử lại sau giây lát.",
                )
            if self._open[client] >= self.per_client:
                return _refusal(
                    429,
                    "too_many_streams",
                    "This device has too many live streams open; close one first.",
                    "Thiết bị này đang mở quá nhiều kết nối trực tiếp; hãy đóng bớt.",
                )
            self._open[client] += 1
        released = threading.Event()

        def release() -> None:
            with self._lock:
                if not released.is_set():
                    released.set()
                    self._open[client] -= 1
                    if self._open[client] <= 0:
                        del self._open[client]

        return release

    def open_streams(self) -> int:
        with self._lock:
            return self._open.total()


def _refusal(status: int, code: str, message: str, message_vi: str) -> Response:
    response, _ = error_response(status, code, message, message_vi)
    response.status_code = status
    response.headers["Retry-After"] = "10"
    return response


def init_app(app: Flask, per_client: int, total: int) -> StreamGate:
    """The gate of this worker; ``total`` never eats the headroom kept for requests."""
    gate = StreamGate(per_client, min(total, WORKER_CONNECTIONS - STREAM_HEADROOM))
    app.extensions["motcua_stream_gate"] = gate
    return gate


def current_gate() -> StreamGate:
    return current_app.extensions["motcua_stream_gate"]


def client_socket(environ: dict[str, Any]) -> socket.socket | None:
    """The connection under this request, where the server exposes it (gunicorn,
    werkzeug); None under a test client."""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    return sock if isinstance(sock, socket.socket) else None


def keep_alive(sock: socket.socket) -> None:
    """Let the kernel find a client that vanished without closing."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, KEEPALIVE_IDLE_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, KEEPALIVE_COUNT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, USER_TIMEOUT_MS)
    except (OSError, AttributeError):
        pass  # not TCP (a Unix socket behind the proxy) or not Linux: heartbeats remain


def peer_gone(sock: socket.socket) -> bool:
    """True once the client closed or lost the connection. An SSE client sends nothing
    after its request, so a readable socket means end-of-file or an error."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True
