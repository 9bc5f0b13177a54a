"""The production HTTP server: gunicorn with gevent workers.

Boards, consoles and kiosks keep Server-Sent Event streams open all day; gevent
holds thousands of idle connections in one process where a thread per
connection would not. SQLite defaults to one worker (its writes are serialised
anyway), PostgreSQL to one per core.
"""

from __future__ import annotations

import gc
import os
import threading
from typing import Any

from gunicorn import glogging, util
from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi

from queue_server.config import WORKER_CONNECTIONS


class JournalLogger(glogging.Logger):
    """gunicorn's own messages go through the process's logging set-up
    (``drivers.logging_setup``): one format, scrubbed, journald-friendly."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.propagate = True


class OneWriteResponse(wsgi.Response):
    """gunicorn's response, sending the status line and headers with the first bytes
    of the body in one write instead of two.

    Each write to a TCP socket is a system call and, with Nagle off, a packet of its
    own on the hall's Wi-Fi; on a busy box each also wakes the reader once more.
    Profiled through the real server, 8 kiosks issuing tickets (2026-12-07): the two
    writes took 3.1 % of the worker's samples on a quiet box and 12.9 % with the test
    suite running beside it; one write took 1.9 % on the quiet box. A response sent
    otherwise (a file by ``sendfile``, a chunked stream, one without a body) gets its
    headers first, as before. It overrides gunicorn's ``send_headers``,
    ``_emit_body``, ``sendfile`` and ``close``: pyproject bounds gunicorn below 28.
    """

    _held = b""

    def send_headers(self) -> None:
        if self.headers_sent:
            return
        lines = [*self.default_headers(), *(f"{k}: {v}\r\n" for k, v in self.headers)]
        self._held = util.to_bytestring("{}\r\n".format("".join(lines)), "latin-1")
        self.headers_sent = True

    def _emit_body(self, data: bytes) -> None:
        if self.chunked:
            self._send_held()
            util.write(self.sock, data, chunked=True)
        else:
            held, self._held = self._held, b""
            util.write(self.sock, held + data)

    def _send_held(self) -> None:
        held, self._held = self._held, b""
        if held:
            util.write(self.sock, held)

    def sendfile(self, respiter: Any) -> bool:
        self.send_headers()
        self._send_held()
        return bool(super().sendfile(respiter))

    def close(self) -> None:
        self.send_headers()
        self._send_held()
        super().close()


class MotcuaServer(BaseApplication):
    def __init__(self, options: dict[str, Any], app_config: dict[str, Any] | None = None):
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app inside the worker, after gevent patched the standard library;
        on SQLite its busiest writes take turns in arrival order (``write_turns``).

        Then move everything alive (modules, the app, the mapped tables: ~130,000
        objects) out of the garbage collector's reach: they live as long as the
        worker, and each full collection walking them stalled a request for ~70 ms.
        """
        from queue_server import write_turns
        from queue_server.adapters.database import make_psycopg_cooperative
        from queue_server.app import create_app
        from queue_server.server_lock import ServerLock
        from queue_server.services.retention import keep_pruning

        make_psycopg_cooperative()
        wsgi.Response = OneWriteResponse  # type: ignore[misc]  # what ``wsgi.create`` builds
        app = create_app(self.app_config)
        runtime = app.extensions["motcua"]
        write_turns.init_app(app, self.options["worker_class"])
        # Held while this worker lives: ``motcua-server restore`` refuses meanwhile.
        lock = ServerLock(runtime.db)
        lock.hold_shared()
        app.extensions["motcua.server_lock"] = lock
        threading.Thread(
            target=keep_pruning, args=(runtime, threading.Event()), name="retention", daemon=True
        ).start()
        gc.collect()
        gc.freeze()
        return app


def serve(
    host: str,
    port: int,
    *,
    workers: int | None = None,
    sqlite: bool = True,
    worker_class: str = "gevent",
    app_config: dict[str, Any] | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT; gunicorn then finishes requests in flight."""
    count = workers or (1 if sqlite else max(2, os.cpu_count() or 2))
    options = {
        "bind": f"{host}:{port}",
        "workers": count,
        "worker_class": worker_class,
        "worker_connections": WORKER_CONNECTIONS,
        "threads": 32 if worker_class == "gthread" else 1,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": None,
        "loglevel": "info",
        "logger_class": JournalLogger,
    }
    MotcuaServer(options, {**(app_config or {}), "worker_count": count}).run()
