"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from queue_server import events, security, web
from queue_server.adapters.database import connect
from queue_server.adapters.tables import start_mappers
from queue_server.api import bp as api_bp
from queue_server.api import stream_gate
from queue_server.api.converters import RowIdConverter
from queue_server.api.errors import register_error_handlers
from queue_server.config import load_settings
from queue_server.runtime import Runtime


def create_app(config: dict[str, Any] | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the app from settings (environment, then ``config``) or a ready runtime."""
    start_mappers()
    if runtime is None:
        settings = load_settings(config)
        runtime = Runtime(
            settings=settings,
            db=connect(settings.resolved_database_url, processes=settings.database_processes),
        )
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=runtime.settings.secret_key,
        MAX_CONTENT_LENGTH=1 << 20,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["motcua"] = runtime
    _ = runtime.id_key  # made at first start, before a feed or a kiosk needs it
    app.url_map.converters["int"] = RowIdConverter
    app.register_blueprint(api_bp)
    register_error_handlers(app, page=web.error_page)
    events.init_app(app, runtime)
    stream_gate.init_app(
        app, runtime.settings.max_streams_per_client, runtime.settings.max_streams
    )
    web.init_app(app)
    security.init_app(app)
    return app
