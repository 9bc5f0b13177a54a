"""dossier mirror: settings, dossiers, sync state, webhook deliveries, calendar, procedures

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 19:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _site_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["site_id"], ["sites.id"], name=op.f(f"fk_{table}_site_id_sites")
    )


def upgrade() -> None:
    op.create_table(
        "dossier_settings",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _site_fk("dossier_settings"),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_dossier_settings")),
    )
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("upstream_status", sa.String(length=120), nullable=False),
        sa.Column("procedure_code", sa.String(length=60), nullable=False),
        sa.Column("procedure_name", sa.String(length=500), nullable=False),
        sa.Column("agency", sa.String(length=300), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("collect_at", sa.String(length=300), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("upstream_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        _site_fk("dossiers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("site_id", "code", name="uq_dossiers_site_code"),
    )
    op.create_table(
        "dossier_sync",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("cursor", sa.String(length=200), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        _site_fk("dossier_sync"),
        sa.PrimaryKeyConstraint("site_id", "source", name=op.f("pk_dossier_sync")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        _site_fk("webhook_deliveries"),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_received_at"), ["received_at"], unique=False
        )
    op.create_table(
        "calendar_overrides",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        _site_fk("calendar_overrides"),
        sa.PrimaryKeyConstraint("site_id", "day", name=op.f("pk_calendar_overrides")),
    )
    op.create_table(
        "procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("search_key", sa.String(length=1200), nullable=False),
        sa.Column("field", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=60), nullable=False),
        sa.Column("agency", sa.String(length=300), nullable=False),
        sa.Column("time_limit", sa.String(length=300), nullable=False),
        sa.Column("working_hours", sa.Integer(), nullable=True),
        sa.Column("fees", sa.Text(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        _site_fk("procedures"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
        sa.UniqueConstraint("site_id", "code", name="uq_procedures_site_code"),
    )


def downgrade() -> None:
    op.drop_table("procedures")
    op.drop_table("calendar_overrides")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_received_at"))
    op.drop_table("webhook_deliveries")
    op.drop_table("dossier_sync")
    op.drop_table("dossiers")
    op.drop_table("dossier_settings")
