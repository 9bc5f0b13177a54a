"""What a running server holds: settings, database, clock and event listeners.

Built once by ``create_app`` (or a command) and passed to the use cases; views reach
it through ``queue_server.flask_runtime.current_runtime()``. Nothing here imports
Flask, so the use cases that take a runtime stay free of the web framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from queue_server.adapters.account_repository import TokenHolderCache
from queue_server.adapters.database import Database
from queue_server.adapters.repository import ConfigRows
from queue_server.adapters.unit_of_work import EventListener, UnitOfWork
from queue_server.citizen_id import CitizenIdKey
from queue_server.config import Settings
from queue_server.services.clock import Clock, utc_now


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = utc_now
    listeners: list[EventListener] = field(default_factory=list)

    @cached_property
    def token_holders(self) -> TokenHolderCache:
        """The bearer-token rows every request reads, kept a moment; built on first
        use, so a runtime that serves no request watches no engine."""
        return TokenHolderCache(self.db)

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        return UnitOfWork(
            self.db, readonly=readonly, listeners=self.listeners, config=self.config_rows
        )

    @cached_property
    def config_rows(self) -> ConfigRows:
        """The site and service settings every request reads, kept a moment."""
        return ConfigRows(self.db)

    @cached_property
    def id_key(self) -> CitizenIdKey:
        """The citizen ID hash key, read (or made) once per process."""
        return CitizenIdKey.load(self.settings.citizen_id_key, self.settings.data_dir)
