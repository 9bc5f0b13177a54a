"""call-next: the queue indexes end in the whole calling order (queued_at, id)

A head is the first waiting ticket by ``queued_at, id``. The indexes held
``queued_at`` alone, so PostgreSQL, whenever its statistics were older than the
day's tickets (the usual case: the table grows all day), chose to fetch every
waiting ticket of the service and sort them. With ``id`` in the index the head is
the index's first entry whatever the planner guesses: the heads read of a
call-next at 4,000 waiting went from 2.0 to 0.67 ms (p50, PostgreSQL,
``tests/bench/bench_queue_reads.py``); SQLite, which already read the index in order,
stayed at 0.14 ms.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 21:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_ONLY_PRIORITY = sa.text("priority IS NOT NULL")


def _rebuild(columns: list[str]) -> None:
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.drop_index("ix_tickets_priority_queue", table_name="tickets")
    op.create_index("ix_tickets_queue", "tickets", columns, unique=False)
    op.create_index(
        "ix_tickets_priority_queue",
        "tickets",
        columns,
        unique=False,
        sqlite_where=_ONLY_PRIORITY,
        postgresql_where=_ONLY_PRIORITY,
    )


def upgrade() -> None:
    _rebuild(["service_id", "state", "queued_at", "id"])


def downgrade() -> None:
    _rebuild(["service_id", "state", "queued_at"])
