"""park and resume: when a ticket was parked, why, and the seconds it spent parked

A visitor sent to photocopy a paper, pay a fee or fill in a form keeps their number:
the ticket is parked (state ``parked``, which the 20-character state column already
holds) and resumed later. Reports keep the time away apart from the wait and the
service time, so it is stored with the ticket.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("park_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("parked_s", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("parked_s")
        batch_op.drop_column("park_reason")
        batch_op.drop_column("parked_at")
