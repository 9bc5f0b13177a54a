"""The running app's :class:`Runtime`, for code that serves a request (views, pages,
request hooks). It lives apart from ``runtime`` so the use cases import no Flask."""

from __future__ import annotations

from flask import current_app

from queue_server.runtime import Runtime


def current_runtime() -> Runtime:
    return current_app.extensions["motcua"]
