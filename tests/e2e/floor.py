"""The seeded live server the browser tests run against (built by the ``floor`` fixture)."""

from __future__ import annotations

from dataclasses import dataclass

from live_server import LiveServer
from server_fixtures import Api

from queue_server.services.auth import issue_token


@dataclass
class Floor:
    """A running server on a seeded SQLite database, and an in-process client of
    the same database for changes made while the server is down."""

    server: LiveServer
    api: Api

    def token(self, who: str) -> str:
        return self.api.tokens[who]

    def rating_token(self, counter: int) -> str:
        """A rating terminal's token, bound to ``counter``."""
        runtime = self.api.runtime
        with runtime.uow() as uow:
            site = uow.repo.site("default")
            assert site is not None and site.id is not None
            token = issue_token(
                uow,
                site_id=site.id,
                kind="rating",
                name=f"rating-{counter}",
                now=runtime.clock(),
                counter_id=self.api.counters[counter],
            )
            uow.commit()
        return token
