"""appointments: bookings per slot, slot counters, the SMS outbox, per-service settings

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 03:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

HOLDING = sa.text("state IN ('booked', 'checked_in')")


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(
            sa.Column("appointment_capacity", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("slot_minutes", sa.Integer(), nullable=False, server_default="30")
        )
        batch.add_column(
            sa.Column("booking_days_ahead", sa.Integer(), nullable=False, server_default="14")
        )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slot_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("id_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_appointments_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_appointments_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_appointments_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("code", name=op.f("uq_appointments_code")),
    )
    op.create_index("ix_appointments_slot", "appointments", ["service_id", "slot_start"])
    op.create_index("ix_appointments_site_day", "appointments", ["site_id", "day"])
    op.create_index("ix_appointments_phone", "appointments", ["phone", "day"])
    op.create_index("ix_appointments_id_hash", "appointments", ["id_hash"])
    op.create_index(
        "uq_appointments_phone_service_day",
        "appointments",
        ["phone", "service_id", "day"],
        unique=True,
        sqlite_where=HOLDING,
        postgresql_where=HOLDING,
    )
    op.create_table(
        "appointment_slots",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_appointment_slots_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "slot_start", name=op.f("pk_appointment_slots")),
    )
    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("body", sa.String(length=480), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_sms_outbox_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_sms_outbox_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbox")),
    )
    op.create_index("ix_sms_outbox_due", "sms_outbox", ["sent_at", "due_at"])


def downgrade() -> None:
    op.drop_table("sms_outbox")
    op.drop_table("appointment_slots")
    op.drop_index("uq_appointments_phone_service_day", table_name="appointments")
    op.drop_table("appointments")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("booking_days_ahead")
        batch.drop_column("slot_minutes")
        batch.drop_column("appointment_capacity")
