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

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from queue_server.config import WORKER_CONNECTIONS


class JournalLogger(glogging.Logger):
    """gunicorn's own messages go through the process's logging set-up
    (``drivers.logging_setup``): one format, scrubbed, journald-friendly."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.propagate = True


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
