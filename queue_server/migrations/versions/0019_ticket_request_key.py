"""tickets: the issuing device's key for its request, so a repeat is not a second ticket

A kiosk whose answer to ``POST /tickets`` is lost (a slow server, a dropped
connection) cannot know whether a number was issued. Before, it printed an offline
number while the server's stayed queued for nobody. Now it sends the same
``request_key`` again and gets the ticket already issued. The key is unique per
issuing device (``source``); tickets issued before, and by staff, have none.

Adding a column keeps SQLite's table, so the queue-length triggers of 0018 stay.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 13:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("request_key", sa.String(64), nullable=True))
    op.create_index(
        "uq_tickets_request_key", "tickets", ["source", "request_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_tickets_request_key", table_name="tickets")
    op.drop_column("tickets", "request_key")
