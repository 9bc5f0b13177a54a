"""URL converters: a row id in a path is a number the database can hold.

Werkzeug's ``int`` converter accepts any length of digits; ``/tickets/2147483648``
then overflowed PostgreSQL's INTEGER and ``2**63`` SQLite's, as a 500. Ids past
the column's range name no row, so the route is simply not matched: a 404.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

#: Largest id of a table keyed by INTEGER (every table but ``events``).
MAX_ROW_ID = 2**31 - 1
#: Largest event id (``events.id`` is BIGINT on PostgreSQL, INTEGER on SQLite: 64 bits).
MAX_EVENT_ID = 2**63 - 1


class RowIdConverter(IntegerConverter):
    """``<int:...>`` bounded by :data:`MAX_ROW_ID` unless the rule names its own ``max``."""

    def __init__(self, map: Map, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]
