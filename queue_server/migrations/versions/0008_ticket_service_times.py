"""index for the estimated wait: a service's last finished tickets

Every issued ticket reads the newest finished tickets of its service to estimate
the wait; without this index that is a sort of every finished ticket the service
ever had, which grows all year.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 23:55:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_finished", ["service_id", "state", "finished_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_finished")
