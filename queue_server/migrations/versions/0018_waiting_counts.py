"""the estimate: how many tickets wait per service and class, kept by SQLite triggers

Every issued ticket's estimate counts the tickets ahead of it in its class
(``QueueRepository.ahead_of``). Even from the index alone (0017) that count walks
every waiting ticket of the class: at 4,000 waiting, 571 µs of an issue that costs
about 1.5 ms. ``waiting_counts`` holds each class's length, kept right by triggers on
every insert, update and delete of a ticket, whatever code path makes it (issue,
call, recall, park, transfer, day's end, purge, a service deleted), in the same
transaction. A new ticket, at the tail of its class, then counts only the tickets
behind it, usually none.

On SQLite only: writes there run one transaction at a time, so the counter rows
add no lock. On PostgreSQL an issue would lock its class's row at the INSERT, then
wait for the site's event order at commit, while a call-next holding that order
would wait for the same row: a deadlock. PostgreSQL keeps counting the queue.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_WAITING = "'waiting'"
#: ``row`` (NEW or OLD) changes class or service, so it leaves one count and joins another.
_MOVES = (
    "NEW.service_id != OLD.service_id OR (NEW.priority IS NULL) != (OLD.priority IS NULL)"
)


def _join(row: str) -> str:
    return (
        "INSERT INTO waiting_counts (service_id, priority, waiting) "
        f"VALUES ({row}.service_id, {row}.priority IS NOT NULL, 1) "
        "ON CONFLICT (service_id, priority) DO UPDATE SET waiting = waiting + 1;"
    )


def _leave(row: str) -> str:
    return (
        "UPDATE waiting_counts SET waiting = waiting - 1 "
        f"WHERE service_id = {row}.service_id AND priority = ({row}.priority IS NOT NULL);"
    )


_TRIGGERS = {
    "tickets_waiting_insert": (
        f"AFTER INSERT ON tickets WHEN NEW.state = {_WAITING}", _join("NEW")
    ),
    "tickets_waiting_delete": (
        f"AFTER DELETE ON tickets WHEN OLD.state = {_WAITING}", _leave("OLD")
    ),
    "tickets_waiting_leave": (
        "AFTER UPDATE OF state, service_id, priority ON tickets "
        f"WHEN OLD.state = {_WAITING} AND (NEW.state != {_WAITING} OR {_MOVES})",
        _leave("OLD"),
    ),
    "tickets_waiting_join": (
        "AFTER UPDATE OF state, service_id, priority ON tickets "
        f"WHEN NEW.state = {_WAITING} AND (OLD.state != {_WAITING} OR {_MOVES})",
        _join("NEW"),
    ),
}


def upgrade() -> None:
    op.create_table(
        "waiting_counts",
        sa.Column(
            "service_id",
            sa.Integer(),
            sa.ForeignKey("services.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("priority", sa.Boolean(), primary_key=True),
        sa.Column("waiting", sa.Integer(), nullable=False),
    )
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "INSERT INTO waiting_counts (service_id, priority, waiting) "
        "SELECT service_id, priority IS NOT NULL, count(*) FROM tickets "
        f"WHERE state = {_WAITING} GROUP BY service_id, priority IS NOT NULL"
    )
    for name, (when, body) in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("waiting_counts")
