"""site voice: how the hall boards read ticket numbers, set per centre

The reading (digit by digit or as a number) and the regional words for numbers
(northern "linh"/"nghìn", southern "lẻ"/"ngàn") were a server-wide setting of the
browser board and a command-line flag of the Kivy board; both boards now follow the
centre's setting (a board's fleet configuration may override it).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "announcement_mode", sa.String(length=10), nullable=False, server_default="digits"
            )
        )
        batch_op.add_column(
            sa.Column(
                "announcement_variant", sa.String(length=10), nullable=False,
                server_default="north",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("announcement_variant")
        batch_op.drop_column("announcement_mode")
