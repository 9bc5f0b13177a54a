"""The seeded live server the browser tests run against (built by the ``floor`` fixture)."""

from __future__ import annotations

from dataclasses import dataclass

from live_server import LiveServer
from server_fixtures import Api


@dataclass
class Floor:
    """A running server on a seeded SQLite database, and an in-process client of
    the same database for changes made while the server is down."""

    server: LiveServer
    api: Api

    def token(self, who: str) -> str:
        return self.api.tokens[who]
