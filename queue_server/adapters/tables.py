"""The database schema, and the mapping of the pure domain classes onto it.

Alembic migrations under ``queue_server/migrations`` create exactly this schema
(a test compares them). Every row belongs to a site.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator

from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.queueing.model import (
    Counter,
    CounterState,
    PriorityPolicy,
    Service,
    Site,
    Ticket,
    TicketState,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
mapper_registry = registry(metadata=metadata)

#: The partial indexes and their condition, for :func:`complete_for_postgres`.
_PARTIAL_INDEXES: list[tuple[Index, str]] = []


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of the rows ``where`` holds for, on both engines.

    Only its SQLite condition is given here: naming ``postgresql_where`` makes
    SQLAlchemy load its PostgreSQL dialect (asyncpg's module with it) to check the
    argument, in every process, a command on SQLite included (``create-token``:
    0.437 -> 0.416 s of CPU, medians of 15 alternating runs).
    :func:`complete_for_postgres` adds the PostgreSQL condition when one is opened."""
    index = Index(name, *columns, unique=unique, sqlite_where=text(where))
    _PARTIAL_INDEXES.append((index, where))
    return index


def complete_for_postgres() -> None:
    """Give the partial indexes their PostgreSQL condition (:func:`partial_index`);
    ``connect`` calls it for a PostgreSQL database, whose dialect is loaded by then."""
    for index, where in _PARTIAL_INDEXES:
        index.dialect_options["postgresql"]["where"] = text(where)


# Event ids must be monotonic and large: BIGINT on PostgreSQL, INTEGER (rowid) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every engine (SQLite keeps no offset by itself)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JsonText(TypeDecorator[Any]):
    """JSON kept in a text column: encoded and decoded here, never at the call sites.

    Text rather than the engines' JSON types so the existing columns need no
    migration and SQLite and PostgreSQL store the same bytes. Non-ASCII stays as
    written (Vietnamese names are readable in a database dump); values that JSON
    cannot hold (datetimes, decimals) are stored as their text.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: object) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, default=str)

    def process_result_value(self, value: str | None, dialect: object) -> Any:
        return None if value is None else json.loads(value)


def _enum(cls: type) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name_vi", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, default=""),
    Column("hotline", String(40), nullable=False, default=""),
    Column("timezone", String(60), nullable=False, default=DEFAULT_ZONE),
    Column("max_recalls", Integer, nullable=False, default=3),
    Column("ticker_vi", Text, nullable=False, default=""),
    Column("ticker_en", Text, nullable=False, default=""),
    Column(
        "announcement_mode", String(10), nullable=False, default="digits", server_default="digits"
    ),
    Column(
        "announcement_variant", String(10), nullable=False, default="north", server_default="north"
    ),
)

services = Table(
    "services",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("code", String(40), nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("name_vi", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, default=""),
    Column("hours_spec", String(400), nullable=False, default="always"),
    Column("daily_limit", Integer),
    Column("priority_policy", _enum(PriorityPolicy), nullable=False),
    Column("interleave_every", Integer, nullable=False, default=3),
    Column("default_service_s", Integer, nullable=False, default=300),
    Column("active", Boolean, nullable=False, default=True),
    Column("appointment_capacity", Integer, nullable=False, default=0, server_default="0"),
    Column("slot_minutes", Integer, nullable=False, default=30, server_default="30"),
    Column("booking_days_ahead", Integer, nullable=False, default=14, server_default="14"),
    UniqueConstraint("site_id", "code", name="uq_services_site_code"),
    UniqueConstraint("site_id", "prefix", name="uq_services_site_prefix"),
)

counters = Table(
    "counters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("state", _enum(CounterState), nullable=False),
    Column("pause_reason", String(200)),
    Column("officer_id", ForeignKey("users.id")),
    Column("current_ticket_id", Integer),
    Column("normal_streak", Integer, nullable=False, default=0),
    UniqueConstraint("site_id", "number", name="uq_counters_site_number"),
)

counter_services = Table(
    "counter_services",
    metadata,
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

daily_sequences = Table(
    "daily_sequences",
    metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("last_number", Integer, nullable=False),
)

#: How many tickets wait in each class of each service, kept by SQLite triggers on
#: ``tickets`` (migration 0018), so an issued ticket, at the tail of its class, counts
#: the tickets ahead of it without walking the queue (``QueueRepository.ahead_of``).
#: PostgreSQL leaves it empty: a row every issue and call-next wrote would be locked
#: by an issue before it takes the site's event order, and by a call-next after.
#: A migration that rebuilds ``tickets`` on SQLite (alembic's batch mode) drops the
#: triggers with it and must create them again: ``test_waiting_counts`` fails if not.
waiting_counts = Table(
    "waiting_counts",
    metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("priority", Boolean, primary_key=True),
    Column("waiting", Integer, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("number", String(12), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("day", String(10), nullable=False),
    Column("track_token", String(64), nullable=False, index=True),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("queued_at", UtcDateTime(), nullable=False),
    Column("priority", String(30)),
    Column("source", String(60), nullable=False),
    Column("dossier_code", String(80)),
    Column("state", _enum(TicketState), nullable=False),
    Column("called_at", UtcDateTime()),
    Column("serving_at", UtcDateTime()),
    Column("finished_at", UtcDateTime()),
    Column("counter_id", ForeignKey("counters.id")),
    Column("officer_id", ForeignKey("users.id")),
    Column("recall_count", Integer, nullable=False, default=0),
    Column("transferred_from_id", ForeignKey("tickets.id")),
    Column("parked_at", UtcDateTime()),
    Column("park_reason", String(200)),
    Column("parked_s", Integer, nullable=False, default=0, server_default="0"),
    #: The issuing device's key for the request (``IssueTicketBody.request_key``): a
    #: repeat of a request whose answer was lost gets this ticket, not another one.
    Column("request_key", String(64)),
    # Both queue indexes hold the whole calling order (queued_at, id), so a head is
    # the first entry of an index scan whatever the planner guesses (migration 0016);
    # with ``priority`` last, counting the tickets ahead of one reads no rows (0017).
    Index("ix_tickets_queue", "service_id", "state", "queued_at", "id", "priority"),
    # Call-next asks for the oldest waiting priority ticket first: when none waits,
    # this answers at once instead of walking the normal ones (migration 0015).
    partial_index(
        "ix_tickets_priority_queue",
        "service_id",
        "state",
        "queued_at",
        "id",
        where="priority IS NOT NULL",
    ),
    # The estimated wait reads a service's newest finished tickets on every issue.
    Index("ix_tickets_finished", "service_id", "state", "finished_at"),
    Index("ix_tickets_day", "site_id", "day"),
    Index("uq_tickets_request_key", "source", "request_key", unique=True),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id")),
    Column("username", String(80), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False, default=""),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", String(120), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id")),
    Column("counter_id", ForeignKey("counters.id")),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime()),
    Column("revoked_at", UtcDateTime()),
)

events = Table(
    "events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("service_id", Integer),
    Column("counter_id", Integer),
    Column("ticket_id", Integer),
    Column("payload", JsonText(), nullable=False),
    Index("ix_events_site_id", "site_id", "id"),
)


# Numbers a kiosk reserved to issue while the server is unreachable (kiosk offline mode).
number_blocks = Table(
    "number_blocks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("day", String(10), nullable=False),
    Column("device", String(120), nullable=False),
    Column("first_seq", Integer, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_number_blocks_device", "site_id", "device", "day"),
    Index("ix_number_blocks_service_day", "service_id", "day", "last_seq"),
)

def start_mappers() -> None:
    """Map the domain classes onto the tables; idempotent."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(Site, sites)
    mapper_registry.map_imperatively(Service, services)
    mapper_registry.map_imperatively(Counter, counters)
    mapper_registry.map_imperatively(Ticket, tickets)


# --- Dossier mirror (issue 8): statuses fed by the upstream one-stop system. ---

dossier_settings = Table(
    "dossier_settings",
    metadata,
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
    # The site file's [dossiers] section as JSON: connectors, mapping, limits.
    Column("config", JsonText(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("code", String(60), nullable=False),
    Column("status", Integer, nullable=False),
    Column("upstream_status", String(120), nullable=False, default=""),
    Column("procedure_code", String(60), nullable=False, default=""),
    Column("procedure_name", String(500), nullable=False, default=""),
    Column("agency", String(300), nullable=False, default=""),
    # Kept whole for officers; the public API only ever shows it masked.
    Column("applicant_name", String(200), nullable=False, default=""),
    # HMAC of the applicant's ID number (queue_server.citizen_id); never the number.
    Column("applicant_id_hash", String(64)),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime()),
    Column("finished_at", UtcDateTime()),
    Column("collect_at", String(300), nullable=False, default=""),
    Column("steps", JsonText(), nullable=False, default=list),
    Column("source", String(20), nullable=False),
    Column("upstream_updated_at", UtcDateTime()),
    Column("synced_at", UtcDateTime(), nullable=False),
    UniqueConstraint("site_id", "code", name="uq_dossiers_site_code"),
    Index("ix_dossiers_applicant", "site_id", "applicant_id_hash"),
)

dossier_sync = Table(
    "dossier_sync",
    metadata,
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
    Column("source", String(20), primary_key=True),
    Column("cursor", String(200), nullable=False, default=""),
    Column("last_attempt_at", UtcDateTime()),
    Column("last_success_at", UtcDateTime()),
    Column("last_error", String(500), nullable=False, default=""),
    Column("rows_total", Integer, nullable=False, default=0),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    # SHA-256 of the signature: a replayed request carries the same one.
    Column("digest", String(64), primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False, index=True),
)

calendar_overrides = Table(
    "calendar_overrides",
    metadata,
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("working", Boolean, nullable=False),
    Column("note", String(200), nullable=False, default=""),
)

procedures = Table(
    "procedures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("code", String(60), nullable=False),
    Column("name", String(1000), nullable=False),
    # Accent-free, case-folded name and code: what the search compares against.
    Column("search_key", String(1200), nullable=False),
    Column("field", String(300), nullable=False, default=""),
    Column("level", String(60), nullable=False, default=""),
    Column("agency", String(300), nullable=False, default=""),
    Column("time_limit", String(300), nullable=False, default=""),
    Column("working_hours", Integer),
    Column("fees", Text, nullable=False, default=""),
    Column("documents", JsonText(), nullable=False, default=list),
    Column("online_url", String(500), nullable=False, default=""),
    UniqueConstraint("site_id", "code", name="uq_procedures_site_code"),
)

# A centre's own additions to the built-in vocabulary of names people use for
# procedures (``sổ đỏ`` -> Giấy chứng nhận quyền sử dụng đất); ``phrase_key`` is
# the folded phrase, one entry per phrase.
procedure_vocabulary = Table(
    "procedure_vocabulary",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("phrase_key", String(200), nullable=False),
    Column("phrase", String(200), nullable=False),
    Column("target", String(500), nullable=False),
    UniqueConstraint("site_id", "phrase_key", name="uq_procedure_vocabulary_site_phrase"),
)


# One quick rating per served ticket, from the rating terminal at its counter.
quick_ratings = Table(
    "quick_ratings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=False),
    Column("counter_id", ForeignKey("counters.id"), nullable=False),
    Column("officer_id", ForeignKey("users.id")),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("level", String(20), nullable=False),
    Column("reasons", JsonText(), nullable=False, default=list),
    Column("comment", Text, nullable=False, default=""),
    Column("device", String(120), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    UniqueConstraint("ticket_id", name="uq_quick_ratings_ticket_id"),
    Index("ix_quick_ratings_site_at", "site_id", "at"),
)

# One detailed rating (Circular 01/2018 art. 13, nine indicators 2/1/0) per dossier.
dossier_ratings = Table(
    "dossier_ratings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("dossier_code", String(80), nullable=False),
    Column("scores", JsonText(), nullable=False),
    Column("total", Integer, nullable=False),
    Column("maximum", Integer, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("device", String(120), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    UniqueConstraint("site_id", "dossier_code", name="uq_dossier_ratings_site_code"),
    Index("ix_dossier_ratings_site_at", "site_id", "at"),
)


# Reports generated on the regulation schedule (or on demand), kept as files in the data dir.
report_files = Table(
    "report_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("period_start", String(10), nullable=False),
    Column("period_end", String(10), nullable=False),
    Column("format", String(8), nullable=False),
    # Relative to the data dir.
    Column("path", String(500), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(120), nullable=False),
    UniqueConstraint(
        "site_id", "kind", "period_start", "period_end", "format", name="uq_report_files_period"
    ),
)


# Every sign-in attempt, kept apart from ``events``: a brute-force run must not flood
# the queue's replay log, and lockout needs indexed lookups by account and by address.
auth_attempts = Table(
    "auth_attempts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("site_id", ForeignKey("sites.id")),
    Column("at", UtcDateTime(), nullable=False),
    Column("username", String(80), nullable=False),
    Column("address", String(64), nullable=False),
    # ok | failed | locked (refused without checking the password) | unlocked (by an admin)
    Column("outcome", String(10), nullable=False),
    Index("ix_auth_attempts_username_at", "username", "at"),
    Index("ix_auth_attempts_address_at", "address", "at"),
)


# The device fleet: kiosks, boards, rating terminals and LED bridges paired by a
# one-time code; their configuration lives here and is pulled by the device.
devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", String(120), nullable=False),
    Column("token_id", ForeignKey("api_tokens.id"), nullable=False),
    Column("hardware", String(120), nullable=False, default=""),
    Column("config", JsonText(), nullable=False, default=dict),
    Column("config_revision", Integer, nullable=False, default=0),
    Column("health", JsonText(), nullable=False, default=dict),
    Column("paired_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime()),
    UniqueConstraint("site_id", "name", name="uq_devices_site_name"),
)

# A code shown on a device waiting to be paired; the device proposes the digest of
# the token it will use, so the token itself is never stored nor sent back.
pairing_codes = Table(
    "pairing_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("code", String(8), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("hardware", String(120), nullable=False, default=""),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("device_id", ForeignKey("devices.id")),
    Index("ix_pairing_codes_site_code", "site_id", "code"),
)


# Appointments ("đặt lịch hẹn"): one row per booking; the phone number is kept for the
# SMS and for cancelling, never shown publicly. A phone holds one booking (booked or
# checked in) per service and day; cancelled and missed ones are released.
appointments = Table(
    "appointments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("code", String(12), nullable=False, unique=True),
    Column("phone", String(16), nullable=False),
    Column("name", String(120), nullable=False, default=""),
    Column("slot_start", UtcDateTime(), nullable=False),
    Column("slot_end", UtcDateTime(), nullable=False),
    Column("day", String(10), nullable=False),
    Column("state", String(12), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("client_address", String(64), nullable=False, default=""),
    Column("checked_in_at", UtcDateTime()),
    Column("ticket_id", ForeignKey("tickets.id")),
    # HMAC of the holder's citizen ID (check-in by ID card), never the number itself.
    Column("id_hash", String(64)),
    Index("ix_appointments_slot", "service_id", "slot_start"),
    Index("ix_appointments_site_day", "site_id", "day"),
    Index("ix_appointments_phone", "phone", "day"),
    Index("ix_appointments_id_hash", "id_hash"),
    partial_index(
        "uq_appointments_phone_service_day",
        "phone",
        "service_id",
        "day",
        unique=True,
        where="state IN ('booked', 'checked_in')",
    ),
)

# Bookings held per slot: one conditional UPDATE (``booked < capacity``) takes a place,
# so concurrent bookers can never overfill a slot on either engine.
appointment_slots = Table(
    "appointment_slots",
    metadata,
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("slot_start", UtcDateTime(), primary_key=True),
    Column("booked", Integer, nullable=False, default=0),
)

# SMS waiting for the GSM modem (booking confirmations, reminders): written in the
# booking's transaction, sent by ``motcua-server sms-outbox`` through drivers/gsm.
sms_outbox = Table(
    "sms_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", ForeignKey("sites.id"), nullable=False),
    Column("phone", String(16), nullable=False),
    Column("body", String(480), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("appointment_id", ForeignKey("appointments.id")),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Column("attempts", Integer, nullable=False, default=0),
    Index("ix_sms_outbox_due", "sent_at", "due_at"),
)
