"""Which database errors are an answer for the user (503 with a code) rather than a
bug (500): the errors are the drivers' own, as SQLAlchemy wraps them."""

from __future__ import annotations

import sqlite3

import psycopg.errors
import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from queue_server.adapters.database import failure_kind


def wrapped(orig: Exception) -> DBAPIError:
    return DBAPIError.instance("INSERT ...", {}, orig, type(orig))  # type: ignore[arg-type]


def sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    ("orig", "kind"),
    [
        (psycopg.errors.DiskFull("could not extend file"), "storage_full"),
        (sqlite_error("database or disk is full", 13), "storage_full"),
        (psycopg.errors.TooManyConnections("sorry, too many clients already"),
         "database_unavailable"),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
         "database_unavailable"),
        (psycopg.errors.ReadOnlySqlTransaction("read-only transaction"), "database_read_only"),
        (sqlite_error("attempt to write a readonly database", 8), "database_read_only"),
        (psycopg.OperationalError("connection timeout expired"), "database_unavailable"),
        (sqlite_error("no such table: tickets", 1), None),
        (psycopg.errors.UniqueViolation("duplicate key"), None),
    ],
)
def test_database_errors_are_classified_for_the_user(orig: Exception, kind: str | None) -> None:
    assert failure_kind(wrapped(orig)) == kind


def test_a_pool_timeout_is_unavailable_and_other_errors_are_not_ours() -> None:
    assert failure_kind(PoolTimeout("QueuePool limit reached")) == "database_unavailable"
    assert failure_kind(ValueError("bug")) is None
