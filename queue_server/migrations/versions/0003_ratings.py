"""quick ratings per ticket, detailed ratings per dossier

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 19:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quick_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("device", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counters.id"], name=op.f("fk_quick_ratings_counter_id_counters")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_quick_ratings_officer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_quick_ratings_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_quick_ratings_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_quick_ratings_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_ratings")),
        sa.UniqueConstraint("ticket_id", name="uq_quick_ratings_ticket_id"),
    )
    with op.batch_alter_table("quick_ratings", schema=None) as batch_op:
        batch_op.create_index("ix_quick_ratings_site_at", ["site_id", "at"], unique=False)

    op.create_table(
        "dossier_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("dossier_code", sa.String(length=80), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("maximum", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("device", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_dossier_ratings_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_ratings")),
        sa.UniqueConstraint("site_id", "dossier_code", name="uq_dossier_ratings_site_code"),
    )
    with op.batch_alter_table("dossier_ratings", schema=None) as batch_op:
        batch_op.create_index("ix_dossier_ratings_site_at", ["site_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dossier_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_ratings_site_at")
    op.drop_table("dossier_ratings")
    with op.batch_alter_table("quick_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_quick_ratings_site_at")
    op.drop_table("quick_ratings")
