"""number blocks found by service and day: each lease reads the highest reserved number

Kiosk blocks now come from a reserved band per service and day (900 up); a lease
reads the highest number any block of that service and day holds, which this
index answers without reading the blocks of every earlier day.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 04:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("number_blocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_number_blocks_service_day", ["service_id", "day", "last_seq"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("number_blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_number_blocks_service_day")
