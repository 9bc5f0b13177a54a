"""number blocks leased to kiosks for offline issuing

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 19:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("device", sa.String(length=120), nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_number_blocks_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_number_blocks_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_blocks")),
    )
    with op.batch_alter_table("number_blocks", schema=None) as batch_op:
        batch_op.create_index("ix_number_blocks_device", ["site_id", "device", "day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("number_blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_number_blocks_device")
    op.drop_table("number_blocks")
