"""call-next: an index of the waiting priority tickets alone

Under the strict policy every call-next first asks for the oldest waiting priority
ticket. Once none waits, ``ix_tickets_queue`` made that question walk every normal
ticket of the service (~1.3 ms at 5,000 waiting, on every call); this partial index
holds only priority tickets, so the answer "none" costs one index seek. Both SQLite
and PostgreSQL use it for the query's own ``priority IS NOT NULL`` term.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 03:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_ONLY_PRIORITY = sa.text("priority IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_tickets_priority_queue",
        "tickets",
        ["service_id", "state", "queued_at"],
        unique=False,
        sqlite_where=_ONLY_PRIORITY,
        postgresql_where=_ONLY_PRIORITY,
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_priority_queue", table_name="tickets")
